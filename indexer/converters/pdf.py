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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pypdfium2 as pdfium
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTLayoutContainer, LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from indexer.converters import ocr, pdf_guard
from indexer.converters.base import WHOLE_FILE_KEY, RawRecord, check_size, source_path
from indexer.converters.pdf_layout import Box, reading_order
from indexer.converters.pdf_tables import Table, TableFinder, has_grid
from indexer.converters.pdf_breaks import drop_running_lines
from indexer.converters.titles import document_title
from indexer.converters.pdf_text import CID_RE, MAX_PAGE_CHARS, WRAP_MARK, first_line, is_usable, page_text
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
#: Glyphs pdfminer may lay out on one page before the file is refused: each costs about a
#: kilobyte of layout objects, so a few kilobytes of content stream drawing millions of
#: glyphs would otherwise run the converter out of memory (a dense real page has ~10,000).
MAX_PAGE_GLYPHS = 200_000

#: Lines of the first page that may hold the title when neither metadata nor type size name it.
TITLE_LINES = 15
_JUNK_TITLES = frozenset({"untitled", "title", "document", "slide 1", "microsoft word", "none", "null"})
_FILE_SUFFIXES = (".doc", ".docx", ".hwp", ".hwpx", ".pdf", ".indd", ".ppt", ".pptx", ".xls", ".xlsx", ".txt")


class _CountingAggregator(PDFPageAggregator):
    """A page aggregator that refuses a page past MAX_PAGE_GLYPHS glyphs, before they fill memory."""

    def begin_page(self, page: PDFPage, ctm: Any) -> None:
        self.glyphs = 0
        super().begin_page(page, ctm)

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.glyphs += 1
        if self.glyphs > MAX_PAGE_GLYPHS:
            raise ConversionError(f"page {self.pageno} too large: more than {MAX_PAGE_GLYPHS:,} glyphs")
        return super().render_char(*args, **kwargs)


class _Miner:
    """pdfminer.six page layout extraction over one open document.

    Ruled tables (found by ``tables``) replace the text boxes they cover with one
    block, a row per paragraph. The largest text of the first page is kept as
    ``title``.
    """

    def __init__(self, document: PDFDocument, tables: TableFinder | None = None) -> None:
        manager = PDFResourceManager(caching=True)
        self._device = _CountingAggregator(manager, laparams=LAPARAMS)
        self._interpreter = PDFPageInterpreter(manager, self._device)
        self._pages = PDFPage.create_pages(document)
        self._tables = tables
        self.title: str | None = None

    def next_page(self) -> PDFPage | None:
        """The next page object, or None when pdfminer's page tree is exhausted or broken."""
        try:
            return next(self._pages, None)
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on bad trees
            log.warning("pdfminer page tree error: %s", exc)
            return None

    def blocks(self, page: PDFPage, index: int) -> list[str] | None:
        """Raw text of the page's text boxes and tables in reading order; None when pdfminer fails."""
        try:
            self._interpreter.process_page(page)
            layout = self._device.get_result()
            tables: list[Table] = []
            if self._tables is not None and has_grid(layout):
                tables = self._tables.tables(index, layout)
            boxes = list(_text_boxes(layout, tables))
            boxes += [Box(t.x0, t.y0, t.x1, t.y1, "\n\n".join(t.rows)) for t in tables]
            if index == 0:
                self.title = largest_text(layout)
            return [box.text for box in reading_order(boxes)]
        except (ConversionError, MemoryError):  # over a limit: the file is skipped, not read another way
            raise
        except Exception as exc:  # noqa: BLE001 - fall back to pypdfium2 on any parser error
            log.warning("pdfminer failed on a page: %s", exc)
            return None


def _text_boxes(container: LTLayoutContainer, tables: Sequence[Table] = ()) -> Iterator[Box]:
    """Every text box with its position, descending into figures; text inside tables left out."""
    for item in container:
        if isinstance(item, LTTextContainer):
            if _mostly_rotated(item):
                continue  # margin stamps; a fully rotated page falls back to pypdfium2
            lines = [line for line in item if isinstance(line, LTTextLine)]
            if not lines:
                yield Box(item.x0, item.y0, item.x1, item.y1, item.get_text())
                continue
            if tables and _overlaps(item, tables):
                text = "".join(_text_outside(line, tables) for line in lines)
                if text.strip():
                    yield Box(item.x0, item.y0, item.x1, item.y1, text)
                continue
            yield Box(item.x0, item.y0, item.x1, item.y1, _box_text(lines, item.x1))
        elif isinstance(item, LTFigure):
            yield from _text_boxes(item, tables)


def _overlaps(item: LTTextContainer, tables: Sequence[Table]) -> bool:
    return any(item.x0 < t.x1 and t.x0 < item.x1 and item.y0 < t.y1 and t.y0 < item.y1 for t in tables)


def _text_outside(line: LTTextLine, tables: Sequence[Table]) -> str:
    """A line's text without the characters that lie in a table (those come with its rows)."""
    kept = []
    for char in line:
        if isinstance(char, LTChar):
            x, y = (char.x0 + char.x1) / 2, (char.y0 + char.y1) / 2
            if any(table.contains(x, y) for table in tables):
                continue
        kept.append(char.get_text())
    text = "".join(kept).strip()
    return text + "\n" if text else ""


def _box_text(lines: list[LTTextLine], right: float) -> str:
    """A box's lines; a line that stops short of the box's right edge is marked as wrapped at a space.

    A justified line runs to the right margin, so its last word may go on in the
    next line (Korean is often wrapped by syllable); a line that ends short was
    wrapped at a space or ends its paragraph (:data:`WRAP_MARK`, read by join_lines).
    """
    out = []
    for line in lines:
        text = line.get_text().rstrip("\n")
        chars = [c for c in line if isinstance(c, LTChar)]
        slack = (line.width / len(chars) if chars else 5.0) * 0.6 + 1.0
        out.append(text + (WRAP_MARK if line.x1 < right - slack else "") + "\n")
    return "".join(out)


#: The first page's largest text is its title when it is this much larger than the body text.
TITLE_SIZE_RATIO = 1.15


def largest_text(layout: LTLayoutContainer) -> str | None:
    """The page's largest upright text (consecutive lines of that size), when larger than the body."""
    lines = [(round(size, 1), line) for line in _upright_lines(layout)
             if sum(c.isalpha() for c in line.get_text()) >= 3 and (size := _line_size(line))]
    if not lines:
        return None
    sizes = sorted(size for size, _ in lines)
    body, top = sizes[len(sizes) // 2], sizes[-1]
    if top < body * TITLE_SIZE_RATIO:
        return None
    chosen = sorted((line for size, line in lines if size >= top - 0.5), key=lambda l: -l.y1)
    title = [chosen[0]]
    for line in chosen[1:]:
        if title[-1].y0 - line.y1 > top * 1.5:
            break
        title.append(line)
    raw = "\n".join(line.get_text().strip() for line in title)
    if CID_RE.search(raw):
        return None  # undecodable font: the text-based title is taken instead
    text = " ".join(page_text([raw]).split())
    return text[:150] if sum(ch.isalpha() for ch in text) >= 3 else None


def _upright_lines(container: LTLayoutContainer) -> Iterator[LTTextLine]:
    for item in container:
        if isinstance(item, LTTextContainer) and not _mostly_rotated(item):
            yield from (line for line in item if isinstance(line, LTTextLine))
        elif isinstance(item, LTFigure):
            yield from _upright_lines(item)


def _line_size(line: LTTextLine) -> float:
    """Median character size of a line (0 when it has no characters)."""
    sizes = sorted(c.size for c in line if isinstance(c, LTChar) and c.get_text().strip())
    return sizes[len(sizes) // 2] if sizes else 0.0


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


def _open_miner(fh: BinaryIO, tables: TableFinder | None = None) -> _Miner | None:
    """Open with pdfminer.six; None (pypdfium2 only) when pdfminer cannot parse the file."""
    try:
        return _Miner(PDFDocument(PDFParser(fh), password=""), tables)
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
            blocks = self.miner.blocks(mined, number - 1) if self.miner else None
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
    return [dict(p, text=t) for p, t in zip(pages, drop_running_lines([p["text"] for p in pages]))], needs_ocr


def convert(path: Path, root: Path) -> list[RawRecord]:
    """Convert one PDF into a single raw ``brochure`` record."""
    size = check_size(path)
    _check_signature(path, size)
    pdf = _open_pdfium(path)
    tables = TableFinder(path)
    try:
        with path.open("rb") as fh:
            miner = _open_miner(fh, tables)
            pages, needs_ocr = _read_pages(pdf, miner, path)
        meta = _metadata(pdf)
    finally:
        tables.close()
        pdf.close()
    if needs_ocr:
        log.info("%s: pages without text: %s", path.name, needs_ocr)
    first, lines = None, []
    if pages and pages[0]["number"] == 1:
        first = first_line(pages[0]["text"], pages[1]["text"] if len(pages) > 1 else "")
        lines = pages[0]["text"].split("\n")
    candidates = [_meta_title(meta), miner.title if miner else None, first, *lines[:TITLE_LINES]]
    record: RawRecord = {
        "title": document_title(lines, candidates, path.stem),
        "body": "\n\n".join(page["text"] for page in pages),
        "type": "brochure",
        "source": {"path": source_path(path, root)},
        "pages": pages,
        WHOLE_FILE_KEY: True,
    }
    author = " ".join((meta.get("Author") or "").split())
    if author:
        record["author"] = author
    if needs_ocr:
        record["needs_ocr"] = needs_ocr
    return [record]
