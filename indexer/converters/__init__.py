"""One converter per input format; :func:`converter_for` picks one by file content, then name."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Callable

from indexer.converters.base import RawRecord
from indexer.converters.sniff import BINARY_KINDS, sniff
from indexer.errors import ConversionError

log = logging.getLogger(__name__)

Converter = Callable[[Path, Path], list[RawRecord]]

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
HWP_SUFFIXES = {".hwp"}
HWPX_SUFFIXES = {".hwpx"}
DOCX_SUFFIXES = {".docx"}
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | JSON_SUFFIXES
                      | HWP_SUFFIXES | HWPX_SUFFIXES | DOCX_SUFFIXES)
_KIND_BY_SUFFIX = {
    **{s: "pdf" for s in PDF_SUFFIXES}, **{s: "text" for s in TEXT_SUFFIXES},
    **{s: "html" for s in HTML_SUFFIXES}, **{s: "jsonl" for s in JSON_SUFFIXES},
    **{s: "hwp" for s in HWP_SUFFIXES}, **{s: "hwpx" for s in HWPX_SUFFIXES},
    **{s: "docx" for s in DOCX_SUFFIXES},
}


def kind_of(path: Path) -> str:
    """The format of ``path``: its content's when the bytes are telling, else its extension's.

    A binary container (PDF, OLE2 HWP, zipped HWPX or DOCX) is read as what its
    bytes say, whatever its name (an HWPX named ``.hwp``); a file named as a binary
    format that holds an HTML page or a DRM envelope is reported, not converted.
    """
    suffix = path.suffix.lower()
    named = _KIND_BY_SUFFIX.get(suffix)
    found = sniff(path)
    if found in BINARY_KINDS:
        if named and named != found:
            log.info("%s: named %s but its content is %s; read as %s", path.name, suffix, found, found)
        return found
    if found == "html" and named in BINARY_KINDS:
        raise ConversionError(f"named {suffix} but the file is an HTML page (a failed download?), not a {named.upper()}")
    if named is None:
        raise ConversionError(f"unsupported file type {suffix or '(none)'!r}")
    return named


#: The module of each format's converter (``convert(path, root)``), imported when first needed.
CONVERTER_MODULES = {"pdf": "pdf", "text": "text", "html": "html", "jsonl": "jsonl",
                     "hwp": "hwp", "hwpx": "hwpx", "docx": "docx"}


def converter_for(path: Path) -> Converter:
    """The converter for ``path``'s format; ConversionError for a format we do not read."""
    module = CONVERTER_MODULES.get(kind_of(path))
    if module is not None:
        return importlib.import_module(f"indexer.converters.{module}").convert
    raise ConversionError(f"unsupported file type {path.suffix.lower() or '(none)'!r}")


def preload(suffixes: set[str]) -> None:
    """Import the converters that files with ``suffixes`` need, by name only: no file is read
    here (its bytes are sniffed and parsed in the limited worker, never in this process)."""
    for suffix in suffixes:
        kind = _KIND_BY_SUFFIX.get(suffix.lower())
        if kind in CONVERTER_MODULES:
            importlib.import_module(f"indexer.converters.{CONVERTER_MODULES[kind]}")
