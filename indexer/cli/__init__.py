"""``policy-index``: a thin CLI over the indexer library.

Exit codes, for every command: 0 success (bad inputs skipped and reported still
count), 1 failure, 2 usage error, 3 the index is busy (another build holds it).
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from indexer.errors import IndexerError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


class IndexerGroup(click.Group):
    """Maps domain errors to a one-line message and their exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IndexerError as exc:
            click.echo(f"policy-index: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=IndexerGroup)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Build and maintain the policy-search index."""
    level = logging.ERROR if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON record a line.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
def extract(files: tuple[Path, ...], as_json: bool, workers: int) -> None:
    """Print the records of FILES (files or folders); bad files are reported and skipped."""
    from indexer.extract import extract_sources

    result = extract_sources(list(files), workers=workers)
    for record in result.records:
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            date = record.get("date", "----------")
            cities = ", ".join(c["name"] for c in record["cities"][:4])
            click.echo(f"{record['id']}\n  {date}  {record['lang']}  {record['type']}  {record['title'][:90]}"
                       f"\n  cities: {cities or '-'}  topics: {', '.join(record['topics']) or '-'}")
    for path, reason in result.errors:
        click.echo(f"policy-index: skipped {path}: {reason}", err=True)
    failed_files = {p for p, _ in result.errors} & set(result.files)  # whole files, not lines or records
    if result.files and not result.records and len(failed_files) >= len(result.files):
        raise click.exceptions.Exit(EXIT_FAILURE)
    if not result.files:
        click.echo("policy-index: error: no source file found", err=True)
        raise click.exceptions.Exit(EXIT_FAILURE)


# The other command groups register themselves on ``main``.
from indexer.cli.export_commands import register as _register_export_commands  # noqa: E402
from indexer.cli.glossary_commands import register as _register_glossary_commands  # noqa: E402
from indexer.cli.index_commands import register as _register_index_commands  # noqa: E402

for _register in (_register_index_commands, _register_glossary_commands, _register_export_commands):
    _register(main)
