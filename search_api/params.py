"""Query-string parameters of the public routes, validated into 400s with a JSON message."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from search_api.errors import bad_request
from search_api.query.search import SearchParams
from search_api.query.labels import facet_value

SORTS = ("relevance", "newest", "oldest")
#: hybrid: words and meaning; lexical: words only; semantic: meaning only.
MODES = ("hybrid", "lexical", "semantic")
LANGS = ("ko", "en", "mixed")
MAX_SIZE = 100
#: Highest page number accepted.
MAX_DEPTH = 10_000
MAX_FILTER_VALUES = 20


def int_param(args: MultiDict, name: str, default: int | None, low: int, high: int) -> int | None:
    """An integer parameter within [low, high]; absent gives ``default``, anything else a 400."""
    raw = args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("invalid_parameter", f"{name} must be an integer, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise bad_request("invalid_parameter", f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice(args: MultiDict, name: str, choices: tuple[str, ...], default: str) -> str:
    value = args.get(name, default)
    if value not in choices:
        raise bad_request("invalid_parameter", f"{name} must be one of {', '.join(choices)}, got {value[:40]!r}")
    return value


def _values(args: MultiDict, name: str) -> list[str]:
    raw = args.getlist(name)
    if len(raw) > MAX_FILTER_VALUES:
        raise bad_request("invalid_parameter", f"at most {MAX_FILTER_VALUES} values of {name}")
    return [value.strip() for value in raw if value.strip()]


def ui_lang(args: MultiDict) -> str:
    """The interface language for labels."""
    return _choice(args, "ui_lang", ("en", "ko"), "en")


def search_params(args: MultiDict, city_name) -> SearchParams:
    """Validate the search parameters; ``city_name`` maps a Korean city name to its English one."""
    params = SearchParams(q=args.get("q", ""), ui_lang=ui_lang(args))
    params.sort = _choice(args, "sort", SORTS, "relevance")
    params.mode = _choice(args, "mode", MODES, "hybrid")
    params.size = int_param(args, "size", 10, 1, MAX_SIZE)
    params.page = int_param(args, "page", 1, 1, MAX_DEPTH)
    params.year_from = int_param(args, "year_from", None, 1000, 9999)
    params.year_to = int_param(args, "year_to", None, 1000, 9999)
    filters: dict[str, list] = {}
    if cities := _values(args, "city"):
        filters["city"] = [city_name(c) for c in cities]
    if topics := _values(args, "topic"):
        filters["topic"] = [facet_value("topic", t) for t in topics]
    if sdgs := _values(args, "sdg"):
        try:
            numbers = [int(s) for s in sdgs]
        except ValueError:
            raise bad_request("invalid_parameter", "sdg must be a goal number from 1 to 17") from None
        if not all(1 <= n <= 17 for n in numbers):
            raise bad_request("invalid_parameter", "sdg must be a goal number from 1 to 17")
        filters["sdg"] = numbers
    if langs := [facet_value("lang", v) for v in _values(args, "lang")]:
        bad = [v for v in langs if v not in LANGS]
        if bad:
            raise bad_request("invalid_parameter", f"lang must be one of {', '.join(LANGS)}, got {bad[0][:40]!r}")
        filters["lang"] = langs
    if types := _values(args, "type"):
        filters["type"] = [facet_value("type", t) for t in types]
    params.filters = filters
    return params
