"""OCR of rendered PDF pages with the Tesseract command-line tool.

Optional: when the ``tesseract`` binary (Debian: ``tesseract-ocr``) or its Korean /
English data (``tesseract-ocr-kor``, ``tesseract-ocr-eng``) is missing,
:func:`ocr_languages` returns None and callers list the page as needing OCR.
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

log = logging.getLogger(__name__)

#: Languages tried, in Tesseract's names; whichever are installed are used together.
WANTED_LANGUAGES = ("kor", "eng")
#: Render resolution for OCR.
OCR_DPI = 300
#: Largest rendered page, in pixels (guards memory on huge page sizes).
MAX_PIXELS = 40_000_000
#: Seconds Tesseract may spend on one page.
OCR_TIMEOUT = 120


@functools.lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """Languages ``tesseract --list-langs`` reports; empty when Tesseract is absent."""
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    try:
        done = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("tesseract --list-langs failed: %s", exc)
        return frozenset()
    lines = (done.stdout or done.stderr).splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def ocr_languages() -> str | None:
    """The ``-l`` argument for Tesseract (e.g. ``kor+eng``), or None when OCR is unavailable."""
    found = [lang for lang in WANTED_LANGUAGES if lang in installed_languages()]
    return "+".join(found) or None


def render_pgm(page: pdfium.PdfPage, dpi: int = OCR_DPI) -> bytes:
    """Render a page to an 8-bit grayscale PGM image (no imaging library needed)."""
    width, height = page.get_size()
    scale = dpi / 72
    pixels = width * height * scale * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        raw = bytes(bitmap.buffer)
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        if stride != w:
            raw = b"".join(raw[row * stride : row * stride + w] for row in range(h))
        return b"P5\n%d %d\n255\n" % (w, h) + raw
    finally:
        bitmap.close()


def run_tesseract(image: Path, languages: str, timeout: float = OCR_TIMEOUT) -> str:
    """Text Tesseract reads from an image file; '' on failure or timeout."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", languages],
            capture_output=True, timeout=timeout, check=False, env=env,
        )
    except subprocess.TimeoutExpired:
        log.warning("tesseract timed out after %ss on %s", timeout, image)
        return ""
    except OSError as exc:
        log.warning("tesseract could not run: %s", exc)
        return ""
    if done.returncode != 0:
        log.warning("tesseract failed (%s): %s", done.returncode, done.stderr.decode(errors="replace")[:200])
        return ""
    return done.stdout.decode("utf-8", errors="replace")


def ocr_page(page: pdfium.PdfPage) -> str | None:
    """OCR one PDF page; None when Tesseract or its language data is not installed."""
    languages = ocr_languages()
    if languages is None:
        return None
    with tempfile.TemporaryDirectory(prefix="policy-ocr-") as tmp:
        image = Path(tmp) / "page.pgm"
        image.write_bytes(render_pgm(page))
        return run_tesseract(image, languages)
