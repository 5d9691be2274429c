"""Dates a text states unambiguously: a day whose weekday is given and agrees with a year it names."""
from __future__ import annotations

import datetime as dt
import re

_WEEKDAYS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_WEEKDAY = r"[(<（]\s*(?P<wd>mon|tue|wed|thu|fri|sat|sun|[월화수목금토일])[a-z]*\.?\s*[)>）]"
_NUMERIC = re.compile(r"\b(?P<m>\d{1,2})[./](?P<d>\d{1,2})\s*" + _WEEKDAY, re.IGNORECASE)
_NAMED = re.compile(
    r"\b(?P<mname>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*" + _WEEKDAY, re.IGNORECASE
)
_KOREAN = re.compile(r"(?P<m>\d{1,2})월\s*(?P<d>\d{1,2})일\s*" + _WEEKDAY)
# A year standing alone: not inside a number, a phone number ("3488-2047") or an amount ("2,019").
_YEAR = re.compile(r"(?<![\d,.\-])(?P<y>(?:19|20)\d{2})(?![\d,\-])")
#: Years further ahead than this are not dates of a policy text.
MAX_YEARS_AHEAD = 5


def date_stated_in(text: str) -> str | None:
    """Return the earliest ISO date the text states with a weekday that one of its years confirms.

    ``10.17 (Thu)`` in a text that names 2019 gives 2019-10-17, because that
    day was a Thursday; a day whose weekday fits none of the years named, or
    that comes without a weekday, gives nothing: dates are never guessed.
    """
    latest = dt.date.today().year + MAX_YEARS_AHEAD
    years = {int(m.group("y")) for m in _YEAR.finditer(text) if int(m.group("y")) <= latest}
    if not years:
        return None
    found: set[dt.date] = set()
    for month, day, weekday in _mentions(text):
        fits = [
            date for year in years
            if (date := _safe_date(year, month, day)) and date.weekday() == weekday
        ]
        if len(fits) == 1:
            found.add(fits[0])
    return min(found).isoformat() if found else None


def _mentions(text: str):
    for pattern in (_NUMERIC, _NAMED, _KOREAN):
        for match in pattern.finditer(text):
            weekday = _WEEKDAYS.get(match.group("wd").lower()[:3]) if match.group("wd") else None
            if weekday is None:
                continue
            if "mname" in match.groupdict() and match.group("mname"):
                month = _MONTHS.get(match.group("mname").lower())
            else:
                month = int(match.group("m"))
            if month:
                yield month, int(match.group("d")), weekday


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
