"""Reading order of text boxes on a page: recursive XY-cut.

pdfminer's own box ordering (``boxes_flow``) pairs boxes that sit side by side at
the same height, so two columns of equally tall paragraphs come out interleaved.
Here a region is split at its widest empty band: a vertical band (gutter) gives
columns read left to right, a horizontal band gives rows read top to bottom; each
part is ordered the same way. Full-width headings block gutters, so they are cut
off first as rows.
"""
from __future__ import annotations

from typing import NamedTuple


class Box(NamedTuple):
    """A text box in PDF coordinates (y grows upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _widest_gap(spans: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(width, position) of the widest gap between the union of 1-D spans, or None."""
    spans = sorted(spans)
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach and (best is None or start - reach > best[0]):
            best = (start - reach, (start + reach) / 2)
        reach = max(reach, end)
    return best


def reading_order(boxes: list[Box]) -> list[Box]:
    """Boxes in reading order: columns left to right, rows top to bottom."""
    if len(boxes) <= 1:
        return list(boxes)
    x_gap = _widest_gap([(b.x0, b.x1) for b in boxes])
    y_gap = _widest_gap([(b.y0, b.y1) for b in boxes])
    if x_gap and (y_gap is None or x_gap[0] >= y_gap[0]):
        left = [b for b in boxes if b.x1 <= x_gap[1]]
        right = [b for b in boxes if b.x1 > x_gap[1]]
        return reading_order(left) + reading_order(right)
    if y_gap:
        top = [b for b in boxes if b.y0 >= y_gap[1]]
        bottom = [b for b in boxes if b.y0 < y_gap[1]]
        return reading_order(top) + reading_order(bottom)
    return sorted(boxes, key=lambda b: (-b.y1, b.x0))
