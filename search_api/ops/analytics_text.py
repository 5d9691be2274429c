"""The analytics report as plain text, for ``policy-search analytics``."""
from __future__ import annotations

from typing import Any, Iterator


def _table(title: str, headers: tuple[str, ...], rows: list[tuple]) -> Iterator[str]:
    yield ""
    yield title
    if not rows:
        yield "  (none)"
        return
    cells = [tuple(str(c) for c in headers)] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        yield "  " + "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip()


def _width(text: str) -> int:
    """Columns a string takes in a terminal (Hangul and other wide characters count two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def report_lines(report: dict[str, Any]) -> Iterator[str]:
    """Totals, then one table per section of the report."""
    totals = report["totals"]
    per = totals["clicks_per_search"]
    yield (f"last {report['days']} days: {totals['searches']} searches, {totals['zero_results']} with no result, "
           f"{totals['clicks']} clicks ({'-' if per is None else per} per search)")
    yield from _table("top queries", ("query", "searches", "zero", "clicks"),
                      [(r["query"], r["searches"], r["zero_results"], r["clicks"]) for r in report["top_queries"]])
    yield from _table("zero-result queries", ("query", "searches", "last seen"),
                      [(r["query"], r["searches"], r["last_seen"]) for r in report["zero_result_queries"]])
    yield from _table("searches per day", ("day", "searches", "zero results"),
                      [(d["day"], d["searches"], d["zero_results"]) for d in report["zero_result_trend"] if d["searches"]])
    yield from _table("slowest queries", ("query", "ms", "results", "at"),
                      [(r["query"], r["took_ms"], r["total"], r["at"]) for r in report["slowest_queries"]])
    yield from _table("clicked results", ("query", "result", "clicks", "mean position"),
                      [(r["query"], r["id"], r["clicks"], r["mean_position"]) for r in report["clicked_results"]])
