"""PDF converter: one raw ``brochure`` record per PDF file, with per-page text.

Each page goes through a chain of extractors, first usable result wins:

1. pdfminer.six layout analysis, text boxes put in reading order by recursive
   XY-cut (:mod:`indexer.converters.pdf_layout`), so multi-column pages are read
   column by column and sentences stay whole;
2. pypdfium2, when pdfminer gives ``(cid:N)`` placeholders, garbage or nothing
   (it decodes CID fonts pdfminer cannot map);
3. Tesseract OCR of the rendered page (:mod:`indexer.converters.ocr`) when
   installed; otherwise the page number is listed in ``needs_ocr``.

Encryption: a PDF that opens with the empty user password (owner password only,
i.e. "permissions" restrictions) is extracted like any other, since every viewer
shows its text without asking; one that needs a user password is rejected.
The metadata CreationDate is *not* used as the record date: it dates the file,
not the policy.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTLayoutContainer, LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from indexer.converters import ocr, pdf_guard
from indexer.converters.base import RawRecord, check_size, source_path
from indexer.converters.pdf_layout import Box, reading_order
from indexer.converters.pdf_text import MAX_PAGE_CHARS, first_line, is_usable, page_text
from indexer.errors import ConversionError

log = logging.getLogger(__name__)

#: Pages read per PDF; later pages are skipped with a warning.
MAX_PAGES = 2_000
#: Pages OCRed per PDF; further image-only pages go to ``needs_ocr``.
MAX_OCR_PAGES = 50
#: Layout analysis: lines up to 0.8 line-heights apart kept in one box (1.5 line
#: spacing is common), text inside form XObjects (figures) analysed too. Box
#: order comes from pdf_layout.reading_order, so pdfminer's boxes_flow ordering
#: (which interleaves side-by-side paragraphs) is switched off.
LAPARAMS = LAParams(boxes_flow=None, line_margin=0.8, all_texts=True)

_JUNK_TITLES = frozenset({"untitled", "title", "document", "slide 1", "microsoft word", "none", "null"})
_FILE_SUFFIXES = (".doc", ".docx", ".hwp", ".hwpx", ".pdf", ".indd", ".ppt", ".pptx", ".xls", ".xlsx", ".txt")


class _Miner:
    """pdfminer.six page layout extraction over one open document."""

    def __init__(self, document: PDFDocument) -> None:
        manager = PDFResourceManager(caching=True)
        self._device = PDFPageAggregator(manager, laparams=LAPARAMS)
        self._interpreter = PDFPageInterpreter(manager, self._device)
        self._pages = PDFPage.create_pages(document)

    def next_page(self) -> PDFPage | None:
        """The next page object, or None when pdfminer's page tree is exhausted or broken."""
        try:
            return next(self._pages, None)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on bad trees
            log.warning("pdfminer page tree error: %s", exc)
            return None

    def blocks(self, page: PDFPage) -> list[str] | None:
        """Raw text of the page's text boxes in reading order; None when pdfminer fails."""
        try:
            self._interpreter.process_page(page)
            boxes = reading_order(list(_text_boxes(self._device.get_result())))
            return [box.text for box in boxes]
        except Exception as exc:  # noqa: BLE001 - fall back to pypdfium2 on any parser error
            log.warning("pdfminer failed on a page: %s", exc)
            return None


def _text_boxes(container: LTLayoutContainer) -> Iterator[Box]:
    """Every text box with its position, descending into figures."""
    for item in container:
        if isinstance(item, LTTextContainer):
            if _mostly_rotated(item):
                continue  # margin stamps; a fully rotated page falls back to pypdfium2
            yield Box(item.x0, item.y0, item.x1, item.y1, item.get_text())
        elif isinstance(item, LTFigure):
            yield from _text_boxes(item)


def _mostly_rotated(box: LTTextContainer) -> bool:
    """True when most characters of a text box are not upright (rotated stamps)."""
    chars = [c for line in box if isinstance(line, LTTextLine) for c in line if isinstance(c, LTChar)]
    return bool(chars) and sum(not c.upright for c in chars) > len(chars) / 2


def _check_signature(path: Path, size: int) -> None:
    """Reject files without a PDF header or without an end-of-file marker."""
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise ConversionError("not a PDF: no %PDF- header")
    if b"%%EOF" not in tail:
        raise ConversionError("truncated or corrupt PDF: no %%EOF marker at the end")


def _open_pdfium(path: Path) -> pdfium.PdfDocument:
    """Open with pypdfium2 (empty user password), mapping failures to ConversionError."""
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ConversionError("encrypted PDF: a user password is required to open it") from exc
        raise ConversionError(f"corrupt PDF: {exc}") from exc


def _open_miner(fh: BinaryIO) -> _Miner | None:
    """Open with pdfminer.six; None (pypdfium2 only) when pdfminer cannot parse the file."""
    try:
        return _Miner(PDFDocument(PDFParser(fh), password=""))
    except PDFPasswordIncorrect as exc:
        raise ConversionError("encrypted PDF: a user password is required to open it") from exc
    except PDFEncryptionError as exc:
        log.warning("pdfminer does not support this encryption (%s); using pypdfium2 only", exc)
    except Exception as exc:  # noqa: BLE001 - any parser error: pypdfium2 opened it, use that
        log.warning("pdfminer cannot parse the document (%s); using pypdfium2 only", exc)
    return None


def _pdfium_text(page: pdfium.PdfPage) -> str:
    """Raw page text from pypdfium2, capped at MAX_PAGE_CHARS."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count > MAX_PAGE_CHARS:
            log.warning("page text too large (%d chars); truncated to %d", count, MAX_PAGE_CHARS)
        return textpage.get_text_range(0, min(count, MAX_PAGE_CHARS)) if count > 0 else ""
    finally:
        textpage.close()


def _page_size_guard(page: pdfium.PdfPage) -> bool:
    """True when the page holds more characters than MAX_PAGE_CHARS (skip pdfminer: memory)."""
    textpage = page.get_textpage()
    try:
        return textpage.count_chars() > MAX_PAGE_CHARS
    finally:
        textpage.close()


class _PageReader:
    """Runs the extractor chain over pages, counting OCR use."""

    def __init__(self, pdf: pdfium.PdfDocument, miner: _Miner | None, path: Path) -> None:
        self.pdf = pdf
        self.miner = miner
        self.path = path
        self.ocr_budget = MAX_OCR_PAGES
        self.guard = pdf_guard.StreamGuard()
        self.bytes_checked = False

    def text(self, index: int) -> str | None:
        """Clean text of page ``index`` (0-based), or None when no extractor found any."""
        mined = self.miner.next_page() if self.miner else None
        # every stream a page can reach is checked before pdfminer or pdfium decode it;
        # where pdfminer cannot see the page, every stream of the file is
        if mined is not None:
            self.guard.check_page(mined, index + 1)
        elif not self.bytes_checked:
            pdf_guard.check_file_bytes(self.path.read_bytes())
            self.bytes_checked = True
        page = self.pdf[index]
        try:
            return self._chain(page, mined, index + 1)
        finally:
            page.close()

    def _chain(self, page: pdfium.PdfPage, mined: PDFPage | None, number: int) -> str | None:
        oversized = _page_size_guard(page)
        if mined is not None and not oversized:
            blocks = self.miner.blocks(mined) if self.miner else None
            if blocks is not None and "(cid:" not in "".join(blocks) and is_usable("".join(blocks)):
                return page_text(blocks)
        raw = _pdfium_text(page)
        if is_usable(raw):
            return page_text([raw])
        return self._ocr(page, number)

    def _ocr(self, page: pdfium.PdfPage, number: int) -> str | None:
        if self.ocr_budget <= 0:
            return None
        raw = ocr.ocr_page(page)
        if raw is None:
            return None
        self.ocr_budget -= 1
        if self.ocr_budget == 0:
            log.warning("OCR limit of %d pages reached; later image pages go to needs_ocr", MAX_OCR_PAGES)
        log.info("page %d: text recovered by OCR", number)
        return page_text([raw]) if is_usable(raw) else None


def _meta_title(meta: dict[str, str]) -> str | None:
    """The metadata Title when it looks like a real title."""
    title = " ".join((meta.get("Title") or "").split())
    if len(title) < 3 or sum(c.isalpha() for c in title) < 2:
        return None
    lowered = title.lower()
    if lowered in _JUNK_TITLES or lowered.endswith(_FILE_SUFFIXES) or lowered.startswith("microsoft "):
        return None
    return title


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """Document information dictionary as strings ({} when unreadable)."""
    try:
        return {k: v for k, v in pdf.get_metadata_dict().items() if isinstance(v, str)}
    except pdfium.PdfiumError as exc:
        log.warning("unreadable PDF metadata: %s", exc)
        return {}


def _read_pages(pdf: pdfium.PdfDocument, miner: _Miner | None, path: Path) -> tuple[list[dict], list[int]]:
    """Per-page texts and the page numbers that need OCR."""
    total = len(pdf)
    if total > MAX_PAGES:
        log.warning("%s has %d pages; only the first %d are read", path.name, total, MAX_PAGES)
    reader = _PageReader(pdf, miner, path)
    pages, needs_ocr = [], []
    for index in range(min(total, MAX_PAGES)):
        text = reader.text(index)
        if text:
            pages.append({"number": index + 1, "text": text})
        else:
            needs_ocr.append(index + 1)
    return pages, needs_ocr


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Convert one PDF into a single raw ``brochure`` record."""
    size = check_size(path)
    _check_signature(path, size)
    pdf = _open_pdfium(path)
    try:
        with path.open("rb") as fh:
            pages, needs_ocr = _read_pages(pdf, _open_miner(fh), path)
        meta = _metadata(pdf)
    finally:
        pdf.close()
    if needs_ocr:
        log.info("%s: pages without text: %s", path.name, needs_ocr)
    first = None
    if pages and pages[0]["number"] == 1:
        first = first_line(pages[0]["text"], pages[1]["text"] if len(pages) > 1 else "")
    record: RawRecord = {
        "title": _meta_title(meta) or first or path.stem,
        "body": "\n\n".join(page["text"] for page in pages),
        "type": "brochure",
        "source": {"path": source_path(path, root)},
        "pages": pages,
    }
    author = " ".join((meta.get("Author") or "").split())
    if author:
        record["author"] = author
    if needs_ocr:
        record["needs_ocr"] = needs_ocr
    return [record]
