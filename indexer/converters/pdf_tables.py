"""Ruled tables on a PDF page, read a row per line with pdfplumber's table finder.

Layout analysis groups a table's text by column (a column's cells stack into one
text box), so a row such as ``Seoul 2024 1,259 km`` never comes out whole. Pages
that draw enough ruling lines are handed to pdfplumber (its default "lines"
strategy: tables are found from the drawn cell borders, never guessed from text
alignment), and each table of at least two rows and two columns becomes one block
whose rows are separate paragraphs, cells left to right. Borders a table leaves
out are closed from its column rules (:func:`frame_lines`), and records stacked in
one ruled row are split (:func:`_split_unruled_rows`). pdfplumber works on the
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


Segment = tuple[float, float, float]  # horizontal (y, x0, x1) or vertical (x, y0, y1)


def _segments(container: LTLayoutContainer, tolerance: float = 3.0) -> tuple[list[Segment], list[Segment]] | None:
    """Horizontal and vertical rules of a page (rectangles give their four edges); None past MAX_RULINGS."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    for x0, y0, x1, y1 in _ruling_boxes(container):
        if y1 - y0 <= tolerance:
            horizontal.append(((y0 + y1) / 2, x0, x1))
        elif x1 - x0 <= tolerance:
            vertical.append(((x0 + x1) / 2, y0, y1))
        else:  # a rectangle: its four edges
            horizontal += [(y0, x0, x1), (y1, x0, x1)]
            vertical += [(x0, y0, y1), (x1, y0, y1)]
        if len(horizontal) + len(vertical) > MAX_RULINGS:
            return None
    return _merged(horizontal, tolerance), _merged(vertical, tolerance)


def _merged(segments: list[Segment], tolerance: float) -> list[Segment]:
    """Collinear segments that touch joined into one (a column rule drawn cell by cell)."""
    out: list[list[float]] = []
    for position, start, end in sorted(segments, key=lambda s: (round(s[0]), s[1])):
        last = out[-1] if out else None
        if last and abs(last[0] - position) <= 1.0 and start <= last[2] + tolerance:
            last[2] = max(last[2], end)
        else:
            out.append([position, start, end])
    return [(p, a, b) for p, a, b in out]


def _crossings(vertical: Segment, horizontal: list[Segment], tolerance: float = 3.0) -> list[Segment]:
    x, y0, y1 = vertical
    return [h for h in horizontal if h[1] - tolerance <= x <= h[2] + tolerance and y0 - tolerance <= h[0] <= y1 + tolerance]


def has_grid(container: LTLayoutContainer) -> bool:
    """True when the page's drawn lines close at least one cell (two verticals across two horizontals).

    A cheap test run on every page, so that pdfplumber only sees pages that can
    hold a ruled table (column rules and underlines alone cannot).
    """
    segments = _segments(container)
    if segments is None:
        # too many to compare cheaply: a large table for pdfplumber, unless the page is
        # vector art (a map, a chart) whose thousands of strokes hold no table text
        return sum(1 for _ in _ruling_boxes(container)) <= MAX_TABLE_RULINGS
    horizontal, vertical = segments
    return sum(len(_crossings(v, horizontal)) >= 2 for v in vertical) >= 2


def frame_lines(container: LTLayoutContainer, height: float) -> list[dict]:
    """Borders a ruled table leaves out, as pdfplumber line objects (top-down coordinates).

    Many tables draw their rows' rules across the full width and rules between
    columns, but no border on the left and right: the first and last columns are
    then no cells to pdfplumber. Where two or more verticals cross a horizontal
    rule, a border is added at each end of that rule, over the height the
    verticals span, and a rule closes the verticals' ends where no rule does.
    """
    segments = _segments(container)
    if segments is None:
        return []
    horizontal, vertical = segments
    groups: dict[tuple[int, int], list[Segment]] = {}  # rules of one extent: one table's rows
    for rule in horizontal:
        groups.setdefault((round(rule[1]), round(rule[2])), []).append(rule)
    lines: dict[tuple[int, int, int], dict] = {}
    for rules in groups.values():
        crossing = [v for v in vertical if _crossings(v, rules)]
        if len(crossing) < 2:
            continue
        y0, y1 = min(v[1] for v in crossing), max(v[2] for v in crossing)
        x0, x1 = rules[0][1], rules[0][2]
        for x in (x0, x1):
            lines[(round(x), round(y0), round(y1))] = _line(x, x, height - y1, height - y0)
        # a table cut by the page's end has column rules but no rule under its last row
        for y in (y0, y1):
            if all(abs(rule[0] - y) > ROW_TOLERANCE for rule in rules):
                lines[(round(x0), round(y), round(x1))] = _line(x0, x1, height - y, height - y)
    return list(lines.values())


def _line(x0: float, x1: float, top: float, bottom: float) -> dict:
    """A pdfplumber line object (top-down coordinates)."""
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


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
                return _tables_of(page, frame_lines(layout, float(page.height)))
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


def _tables_of(page: pdfplumber.page.Page, frame: list[dict]) -> list[Table]:
    found = []
    height = float(page.height)
    settings = {"explicit_vertical_lines": [line for line in frame if line["x0"] == line["x1"]],
                "explicit_horizontal_lines": [line for line in frame if line["x0"] != line["x1"]]}
    for table in page.find_tables(settings):
        rows, columns = [], 0
        region = None  # the table's characters, gathered once for the rows that need them
        for cells, row in zip(table.extract(), table.rows):
            if any(cell and "\n" in cell.strip() for cell in cells):
                region = region or page.filter(_centred_in(table.bbox))
                split = _split_unruled_rows(region, row.cells)
            else:
                split = [[_cell_text(cell or "") for cell in cells]]
            for texts in split:
                texts = [text for text in texts if text]
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


#: Lines of two cells start one row when their tops are this close (points).
ROW_TOLERANCE = 2.0


def _split_unruled_rows(page: pdfplumber.page.Page, cells: list) -> list[list[str]]:
    """A ruled row whose cells hold several lines: split into the rows drawn without rules.

    A listing ruled only around its header, or between groups, stacks several
    records in one ruled row. A record starts at a line of the first filled cell
    that another cell also starts a line level with; every line then belongs to
    the record whose start is the nearest above it. Cells that merely wrap (no
    such level start) stay one row.
    """
    lines = [_cell_lines(page, bbox) if bbox else [] for bbox in cells]
    filled = [found for found in lines if found]
    if not filled:
        return []
    others = [line["top"] for found in filled[1:] for line in found]
    starts = [line["top"] for line in filled[0]
              if any(abs(line["top"] - top) <= ROW_TOLERANCE for top in others)]
    starts = sorted(set(starts) | {filled[0][0]["top"]})
    records: list[list[list[str]]] = [[[] for _ in cells] for _ in starts]
    for column, found in enumerate(lines):
        for line in found:
            record = max((i for i, top in enumerate(starts) if top <= line["top"] + ROW_TOLERANCE), default=0)
            records[record][column].append(line["text"])
    return [[_cell_text("\n".join(parts)) for parts in record] for record in records]


def _cell_lines(page: pdfplumber.page.Page, bbox: tuple[float, float, float, float]) -> list[dict]:
    """Text lines inside one cell, top to bottom (``text`` and ``top``)."""
    lines = page.filter(_centred_in(bbox)).extract_text_lines(return_chars=False)
    return sorted(lines, key=lambda line: line["top"])


def _centred_in(bbox: tuple[float, float, float, float]):
    """A filter keeping the characters whose centre lies in ``bbox`` (pdfplumber's own cell rule)."""
    x0, top, x1, bottom = bbox

    def centred(obj: dict) -> bool:
        return (obj.get("object_type") == "char" and x0 <= (obj["x0"] + obj["x1"]) / 2 < x1
                and top <= (obj["top"] + obj["bottom"]) / 2 < bottom)

    return centred
