"""Ruled tables on a PDF page, read a row per line with pdfplumber's table finder.

Layout analysis groups a table's text by column (a column's cells stack into one
text box), so a row such as ``Seoul 2024 1,259 km`` never comes out whole. Pages
that draw enough ruling lines are handed to pdfplumber (its default "lines"
strategy: tables are found from the drawn cell borders, never guessed from text
alignment), and each table of at least two rows and two columns becomes one block
whose rows are separate paragraphs, cells left to right. pdfplumber works on the
layout pdfminer.six already made of the page; pages without rulings cost nothing
more.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.layout import LTCurve, LTFigure, LTLayoutContainer, LTPage

from indexer.converters.pdf_text import join_lines

log = logging.getLogger(__name__)

#: A table needs at least this many rows and columns holding text.
MIN_ROWS = 2
MIN_COLUMNS = 2


@dataclass(frozen=True)
class Table:
    """A table's bounding box in PDF coordinates (y grows upwards) and its rows' text."""

    x0: float
    y0: float
    x1: float
    y1: float
    rows: tuple[str, ...]

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def has_grid(container: LTLayoutContainer, tolerance: float = 3.0) -> bool:
    """True when the page's drawn lines close at least one cell (two verticals across two horizontals).

    A cheap test run on every page, so that pdfplumber only sees pages that can
    hold a ruled table (column rules and underlines alone cannot).
    """
    horizontal: list[tuple[float, float, float]] = []  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = []  # (x, y0, y1)
    for x0, y0, x1, y1 in _ruling_boxes(container):
        if y1 - y0 <= tolerance:
            horizontal.append(((y0 + y1) / 2, x0, x1))
        elif x1 - x0 <= tolerance:
            vertical.append(((x0 + x1) / 2, y0, y1))
        else:  # a rectangle: its four edges
            horizontal += [(y0, x0, x1), (y1, x0, x1)]
            vertical += [(x0, y0, y1), (x1, y0, y1)]
        if len(horizontal) + len(vertical) > MAX_RULINGS:
            # too many to compare cheaply: a large table for pdfplumber, unless the page is
            # vector art (a map, a chart) whose thousands of strokes hold no table text
            return sum(1 for _ in _ruling_boxes(container)) <= MAX_TABLE_RULINGS
    crossing = 0
    for x, vy0, vy1 in vertical:
        hits = sum(1 for y, hx0, hx1 in horizontal
                   if hx0 - tolerance <= x <= hx1 + tolerance and vy0 - tolerance <= y <= vy1 + tolerance)
        crossing += hits >= 2
        if crossing >= 2:
            return True
    return False


#: Drawn lines past which has_grid stops comparing them, and past which a page is taken
#: for a drawing, not a table.
MAX_RULINGS = 400
MAX_TABLE_RULINGS = 5_000


def _ruling_boxes(container: LTLayoutContainer):
    for item in container:
        if isinstance(item, LTCurve):  # LTLine and LTRect are curves too
            yield item.x0, item.y0, item.x1, item.y1
        elif isinstance(item, LTFigure):
            yield from _ruling_boxes(item)


class TableFinder:
    """Finds the tables of a document's pages, opening it with pdfplumber on first need."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._pdf: pdfplumber.PDF | None = None
        self._failed = False

    def tables(self, index: int, layout: LTPage) -> list[Table]:
        """Tables of page ``index`` (0-based) from its pdfminer ``layout``; [] when none or on failure.

        The layout already analysed is handed to pdfplumber's page (its layout
        cache), so the page's content stream is not interpreted a second time.
        """
        if self._failed:
            return []
        try:
            if self._pdf is None:
                self._pdf = pdfplumber.open(self._path)
            page = self._pdf.pages[index]
            page._layout = layout
            try:
                return _tables_of(page)
            finally:
                page.close()
        except Exception as exc:  # noqa: BLE001 - a table finder failure keeps the plain text
            log.warning("table detection failed on page %d: %s", index + 1, exc)
            self._failed = self._pdf is None
            return []

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


def _tables_of(page: pdfplumber.page.Page) -> list[Table]:
    found = []
    height = float(page.height)
    for table in page.find_tables():
        rows, columns = [], 0
        for cells in table.extract():
            for line_cells in _split_unruled_rows([cell or "" for cell in cells]):
                texts = [_cell_text(cell) for cell in line_cells if cell.strip()]
                columns = max(columns, len(texts))
                if texts:
                    rows.append(" ".join(texts))
        if len(rows) < MIN_ROWS or columns < MIN_COLUMNS:
            continue
        x0, top, x1, bottom = table.bbox
        # pdfplumber measures from the page's top edge, pdfminer from its bottom (both from the media box)
        found.append(Table(x0, height - bottom, x1, height - top, tuple(rows)))
    return found


def _cell_text(cell: str) -> str:
    """A cell's lines joined into one line (a word broken at a Hangul line end glued back)."""
    return " ".join(join_lines(cell.split("\n")).split())


def _split_unruled_rows(cells: list[str]) -> list[list[str]]:
    """A row whose filled cells all hold the same number (2+) of lines is several rows without
    rules between them (a listing ruled only around its header): one row per line then."""
    filled = [cell.split("\n") for cell in cells if cell.strip()]
    counts = {len(lines) for lines in filled}
    if len(filled) < MIN_COLUMNS or len(counts) != 1 or counts == {1}:
        return [cells]
    (count,) = counts
    return [[cell.split("\n")[i] if cell.strip() else "" for cell in cells] for i in range(count)]
