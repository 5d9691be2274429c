"""One settings registry, read from ``POLICY_SEARCH_*`` environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

PREFIX = "POLICY_SEARCH_"


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Every setting of the service; ``from_env`` reads each from ``POLICY_SEARCH_<NAME>``."""

    index: Path = Path("var/index")
    cors_origins: tuple[str, ...] = ("*",)
    #: Seconds between checks for a new index generation.
    refresh_interval: float = 0.5
    #: Longest query accepted, in characters (a pasted paragraph fits), and most terms the
    #: lexical leg keeps of it (the most significant ones: search_api.query.long_query).
    max_query_chars: int = 3000
    #: Seconds the ranking of one search may take before the hits ranked so far are returned.
    search_time_limit: float = 5.0
    max_query_terms: int = 32
    # --- operations (docs/operations.md) ---
    #: Bearer token of the admin routes; unset: the admin routes answer 404.
    admin_token: str | None = None
    #: Source folders a reindex job reads (comma- or colon-separated); never from a client.
    sources: tuple[str, ...] = ()
    #: Folder of the job lock and job state files (default: ``<index>/jobs``).
    jobs_dir: Path | None = None
    #: Folder of the zero-result query log (JSON lines); unset: not logged to a file.
    zero_result_log: Path | None = None
    #: Size at which the zero-result log is rotated, and rotated files kept.
    zero_result_log_max_bytes: int = 10 * 1024 * 1024
    zero_result_log_backups: int = 5
    #: Per-client rate limit of the public routes, e.g. ``60/minute``; unset: off.
    rate_limit: str | None = None
    #: Proxies in front of the service: a hop count (``1``) or proxy addresses (``10.0.0.1,10.0.0.2``).
    trusted_proxies: str | None = None
    #: Largest request body and longest URL accepted.
    max_body_bytes: int = 65536
    max_url_chars: int = 32768  # a pasted 3,000-character Korean query, percent-encoded
    #: Most rows one ``/api/search/export`` returns (the first ones in rank order).
    max_export_rows: int = 10_000
    # --- query analytics (docs/operations.md) ---
    #: SQLite file of the query analytics (default ``<index>/analytics.sqlite3``); ``off``: not kept.
    analytics_db: str | None = None
    #: Days of searches and clicks kept; older rows are deleted.
    analytics_retention_days: int = 90
    #: Largest analytics file in MB; past it the oldest quarter of its rows is dropped.
    analytics_max_mb: int = 256
    #: Search by meaning (hybrid, semantic modes); ``off`` serves words-only search everywhere.
    semantic: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from the environment, then ``overrides`` (e.g. a test's config)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is None or f.name == "extra":
                continue
            values[f.name] = _convert(f.name, raw)
        known = {f.name for f in fields(cls)}
        extra = dict(values.pop("extra", {}) or {})
        for key, value in overrides.items():
            key = key.lower().removeprefix(PREFIX.lower())
            if key in known and key != "extra":
                values[key] = _convert(key, value) if isinstance(value, str) else value
            else:
                extra[key] = value
        values["extra"] = extra
        if "index" in values:
            values["index"] = Path(values["index"])
        return cls(**values)


def _convert(name: str, raw: str) -> Any:
    if name == "cors_origins":
        return _split(raw)
    if name == "sources":
        return tuple(part.strip() for part in raw.replace(":", ",").split(",") if part.strip())
    if name in ("jobs_dir", "zero_result_log"):
        return Path(raw) if raw.strip() else None
    if name in ("admin_token", "rate_limit", "trusted_proxies"):
        return raw.strip() or None
    if name in ("analytics_retention_days", "analytics_max_mb"):
        return int(raw)
    if name == "analytics_db":
        return raw.strip() or None
    if name == "semantic":
        return raw.strip().lower() not in ("off", "0", "false", "no")
    if name in ("refresh_interval", "search_time_limit"):
        return float(raw)
    if name.startswith("max_") or name.startswith("zero_result_log_"):
        return int(raw)
    if name == "index":
        return Path(raw)
    return raw
