"""Text guards shared by the converters: decoding, Unicode normalisation, control characters."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from indexer.errors import ConversionError

# C0/C1 control characters except tab and newline; a NUL silently cuts MeCab's input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Zero-width characters and the BOM carry no text; left in, they split words at analysis time.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")

#: Share of replacement or control characters above which bytes are taken for binary junk.
MAX_JUNK_RATIO = 0.05


def clean_text(text: str) -> str:
    """NFC-normalise; drop zero-width characters; control characters and lone surrogates out.

    (The analyzer's own guards, in indexer.analysis.guards, keep offsets into text as
    given; here the stored text itself is cleaned once, at ingestion.)
    """
    text = _SURROGATE.sub("\ufffd", _INVISIBLE.sub("", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def collapse_spaces(text: str) -> str:
    """Collapse runs of horizontal whitespace into one space and trim."""
    return _SPACES.sub(" ", text).strip()


def decode_bytes(data: bytes) -> str:
    """Decode a text file's bytes (UTF-8, UTF-16 with BOM, or CP949), refusing binary junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp949")
            except UnicodeDecodeError:
                text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise ConversionError("no text: the file holds only whitespace")
    sample = text[:200_000]
    junk = sample.count("\ufffd") + len(_CONTROL.findall(sample))
    if junk / len(sample) > MAX_JUNK_RATIO:
        raise ConversionError(
            f"binary data, not text ({junk} of {len(sample)} characters undecodable or control)"
        )
    return text


def strip_format_controls(text: str) -> str:
    """Drop Unicode format characters (category Cf: bidi overrides such as U+202E, zero-width
    joiners, soft hyphens), which can make a title or facet value display as something else."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def web_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None (``javascript:``, ``data:`` ...)."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in url):
        return None
    return url
