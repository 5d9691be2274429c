"""The index commands of ``policy-index``: build, update, delete, rollback, stats, verify.

Exit codes: 0 success (skipped inputs are reported, not failures), 1 failure,
2 usage error (click), 3 index busy.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from indexer.errors import IndexerError
from indexer.index import builder, health
from indexer.index.builder import BuildSummary

SHOWN_SKIPS = 20

index_option = click.option(
    "--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (holds CURRENT and generations/).")
sources_argument = click.argument(
    "sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True,
    help="Processes for extraction and analysis.")
force_option = click.option(
    "--force", is_flag=True, help="Switch even to an empty generation or one with under half the live records.")


def _domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain and OS errors into a one-line message and the error's exit code."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IndexerError as exc:
            click.echo(f"policy-index: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            click.echo(f"policy-index: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(1)
    return wrapper


def _report(summary: BuildSummary) -> None:
    if summary.operation == "update":
        click.echo(f"added {summary.added}, changed {summary.changed}, deleted {summary.deleted}, "
                   f"unchanged {summary.unchanged}")
    if summary.switched:
        click.echo(f"generation {summary.generation} is live ({summary.records} records; "
                   f"previous {summary.previous or 'none'})")
    elif summary.operation == "update":
        click.echo(f"no changes; generation {summary.generation} stays live")
    if summary.skipped:
        click.echo(f"skipped {len(summary.skipped)}:")
        for path, reason in summary.skipped[:SHOWN_SKIPS]:
            click.echo(f"  {path}: {reason}")
        if len(summary.skipped) > SHOWN_SKIPS:
            click.echo(f"  ... and {len(summary.skipped) - SHOWN_SKIPS} more (see generation.json)")
    indexed = summary.added + summary.changed if summary.operation == "update" else summary.records
    click.echo(f"records indexed: {indexed}, records live: {summary.records}, skipped: {len(summary.skipped)}, "
               f"seconds: {summary.seconds:.1f}")


@click.command("build")
@sources_argument
@index_option
@workers_option
@force_option
@click.option("--no-embeddings", "no_embeddings", is_flag=True,
              help="Skip the sentence embeddings: the generation serves words-only search.")
@_domain_errors
def build_command(sources: tuple[Path, ...], index_dir: Path, workers: int, force: bool,
                  no_embeddings: bool) -> None:
    """Build a complete new generation from SOURCES (files or folders) and switch to it."""
    _report(builder.build_index(list(sources), index_dir, workers=workers, force=force, embed=not no_embeddings))


@click.command("update")
@sources_argument
@index_option
@workers_option
@force_option
@_domain_errors
def update_command(sources: tuple[Path, ...], index_dir: Path, workers: int, force: bool) -> None:
    """Add, change and delete only what differs among the records of SOURCES."""
    _report(builder.update_index(list(sources), index_dir, workers=workers, force=force))


@click.command("delete")
@click.argument("ids", nargs=-1, required=True)
@index_option
@_domain_errors
def delete_command(ids: tuple[str, ...], index_dir: Path) -> None:
    """Remove the records IDS (in a new generation)."""
    summary = builder.delete_records(list(ids), index_dir)
    for missing in summary.missing:
        click.echo(f"policy-index: no record {missing!r}", err=True)
    click.echo(f"deleted {summary.deleted}; generation {summary.generation} is live ({summary.records} records)")


@click.command("rollback")
@index_option
@_domain_errors
def rollback_command(index_dir: Path) -> None:
    """Make the previous generation live again."""
    current, previous = builder.rollback(index_dir)
    click.echo(f"rolled back from {current} to {previous}")


@click.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_domain_errors
def stats_command(index_dir: Path, as_json: bool) -> None:
    """Show the live generation: records, counts by lang/type/year, size."""
    data = health.stats(index_dir)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"generation: {data['generation']} (built {data['built_at']}, previous {data['previous']})")
    click.echo(f"records: {data['records']}  size: {data['size_bytes'] / 1e6:.1f} MB")
    for key in ("by_lang", "by_type", "by_year"):
        click.echo(f"{key[3:]}: " + ", ".join(f"{k} {v}" for k, v in data[key].items()))


@click.command("verify")
@index_option
@_domain_errors
def verify_command(index_dir: Path) -> None:
    """Check that the live generation is complete and readable; exit 1 if not."""
    problems = health.verify(index_dir)
    if problems:
        for problem in problems:
            click.echo(f"policy-index: error: {problem}", err=True)
        sys.exit(1)
    click.echo("ok")


COMMANDS = (build_command, update_command, delete_command, rollback_command, stats_command, verify_command)


def register(group: click.Group) -> None:
    """Add the index commands to the ``policy-index`` group."""
    for command in COMMANDS:
        group.add_command(command)
