"""``policy-search``: serve the API with gunicorn, or query the index from the shell."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import click
from werkzeug.datastructures import MultiDict

from indexer.errors import IndexerError
from indexer.index.generations import live_name
from search_api.errors import APIError

EXIT_FAILURE = 1


class SearchGroup(click.Group):
    """Maps domain errors to one line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except APIError as exc:
            click.echo(f"policy-search: error: {exc.message}", err=True)
            ctx.exit(2 if exc.status == 400 else EXIT_FAILURE)
        except IndexerError as exc:
            click.echo(f"policy-search: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=SearchGroup)
def main() -> None:
    """Serve and query the policy-search index."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def ensure_index(index: Path, build_from: tuple[Path, ...]) -> None:
    """Run the indexer, in its own process, when ``index`` has no live generation."""
    if live_name(index) is not None or not build_from:
        return
    click.echo(f"policy-search: no index in {index}; building it from {', '.join(map(str, build_from))}", err=True)
    command = [sys.executable, "-m", "indexer.cli", "build", *map(str, build_from), "--index", str(index)]
    done = subprocess.run(command)
    if done.returncode != 0:
        raise click.ClickException(f"building the index failed (exit {done.returncode})")


#: gunicorn refuses request lines over 8190 bytes unless its limit is 0 (then 1 MB).
GUNICORN_MAX_REQUEST_LINE = 8190


def request_line_limit(max_url_chars: int) -> int:
    """gunicorn's ``limit_request_line`` for our own URL limit: high enough that every URL up to
    ``max_url_chars`` characters (each up to 9 bytes percent-encoded) reaches the app, which
    answers longer ones with its JSON 414; 0 (gunicorn's own 1 MB cap) when 8190 is too small."""
    needed = max_url_chars * 9 + 64
    return needed if needed <= GUNICORN_MAX_REQUEST_LINE else 0


def loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (only this machine can connect)."""
    import ipaddress

    if host.strip("[]").lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_if_exposed(host: str) -> None:
    """Log a warning when clients reach gunicorn directly (no proxy said to be in front)."""
    from search_api.settings import Settings

    if not loopback(host) and not Settings.from_env().trusted_proxies:
        logging.getLogger("search_api.cli").warning(
            "serving on %s without a reverse proxy: slow or idle clients can hold every worker thread "
            "(slowloris). Put deploy/nginx/nginx.conf in front and set POLICY_SEARCH_TRUSTED_PROXIES "
            "(docs/operations.md)", host)


@main.command()
@click.option("--index", type=click.Path(path_type=Path), default=Path("var/index"), show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--build-from", "build_from", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Source folder to build the index from when it does not exist yet.")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Request threads per worker: a long search never holds up /healthz or a short one.")
@click.option("--timeout", type=click.IntRange(1, 3600), default=30, show_default=True,
              help="Seconds before a stuck worker is restarted.")
@click.option("--verify/--no-verify", "verify", default=True, show_default=True,
              help="Run 'policy-index verify' first; roll back to a sound generation if the live one is damaged.")
@click.option("--control-socket", "control_socket", type=click.Path(path_type=Path), default=None,
              help="gunicorn's control socket (for gunicornc) at this path; none by default.")
def serve(index: Path, host: str, port: int, workers: int, build_from: tuple[Path, ...], threads: int, timeout: int,
          verify: bool, control_socket: Path | None) -> None:
    """Serve the API with gunicorn."""
    from search_api.ops import logging_setup
    from search_api.ops.admin import prepare_metrics_dir, verify_or_rollback

    logging_setup.configure()
    warn_if_exposed(host)
    ensure_index(index, build_from)
    if verify:
        verify_or_rollback(index)
    prepare_metrics_dir()
    from indexer.embed.cache import CACHE_DIR
    from indexer.embed.encoder import use_table_dir

    from search_api.settings import Settings

    if Settings.from_env().semantic:
        use_table_dir(index / CACHE_DIR, write=True)  # before the workers fork: they map one table
    from gunicorn.app.base import BaseApplication

    from search_api.ops.metrics import child_exit

    from search_api import create_app

    config = {"bind": f"{host}:{port}", "workers": workers, "timeout": timeout,
              "worker_class": "gthread", "threads": threads, "graceful_timeout": 10, "accesslog": None,
              "limit_request_line": request_line_limit(Settings.from_env().max_url_chars),
              "child_exit": child_exit, "logger_class": logging_setup.gunicorn_logger_class()}
    # one control socket per server, only when asked: gunicorn's default is one shared path per user
    config.update({"control_socket": str(control_socket.resolve())} if control_socket
                  else {"control_socket_disable": True})

    class Server(BaseApplication):
        def load_config(self):
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self):
            app = create_app({"index": str(index)})
            if app.extensions["policy_search.settings"].semantic:
                from indexer.embed.encoder import get_encoder

                get_encoder()  # loaded before the first request, once per worker
            from search_api.warmup import warm_up

            warm_up(app)  # the first user's search costs what later ones do
            return app

    click.echo(f"policy-search: serving {index} on http://{host}:{port}/ with {workers} workers x {threads} threads",
               err=True)
    Server().run()


@main.command()
@click.argument("q")
@click.option("--index", type=click.Path(path_type=Path), default=Path("var/index"), show_default=True)
@click.option("--city", multiple=True)
@click.option("--topic", multiple=True)
@click.option("--lang", multiple=True)
@click.option("--type", "type_", multiple=True)
@click.option("--sort", default="relevance", show_default=True)
@click.option("--size", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The API's JSON response.")
def query(q: str, index: Path, city, topic, lang, type_, sort: str, size: int, as_json: bool) -> None:
    """Search the index from the shell."""
    from search_api.index_reader import IndexHolder
    from search_api.params import search_params
    from search_api.routes.search import _city_name
    from search_api.query.search import run_search

    args = MultiDict([("q", q), ("sort", sort), ("size", str(size))]
                     + [("city", c) for c in city] + [("topic", t) for t in topic]
                     + [("lang", x) for x in lang] + [("type", t) for t in type_])
    params = search_params(args, _city_name)
    holder = IndexHolder(index)
    with holder.snapshot() as snapshot:
        body = run_search(snapshot, params)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    click.echo(f"{body['total']} results{' (relaxed: any word)' if body['relaxed'] else ''} in {body['took_ms']} ms")
    for n, hit in enumerate(body["results"], 1):
        page = f" p.{hit['page']}" if hit["page"] else ""
        click.echo(f"{n:2}. {hit['title']}  [{hit['date'] or '----------'} {hit['lang']} {hit['type']}{page}]")
        click.echo(f"    {hit['snippet'][:200]}")
    if body["suggestion"]:
        click.echo(f"Did you mean: {body['suggestion']}")


@main.command()
@click.option("--index", type=click.Path(path_type=Path), default=Path("var/index"), show_default=True)
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="The analytics file, when not <index>/analytics.sqlite3.")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="The report as /api/admin/analytics returns it.")
def analytics(index: Path, db: Path | None, days: int, limit: int, as_json: bool) -> None:
    """Query analytics: top and zero-result queries, the daily trend, slowest queries, clicks."""
    from search_api.ops.analytics import FILENAME, AnalyticsStore
    from search_api.ops.analytics_text import report_lines

    path = db or index / FILENAME
    if not path.is_file():
        click.echo(f"policy-search: error: no analytics file at {path}", err=True)
        raise SystemExit(EXIT_FAILURE)
    report = AnalyticsStore(path).report(days, limit)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for line in report_lines(report):
        click.echo(line)


if __name__ == "__main__":
    main(prog_name="policy-search")
