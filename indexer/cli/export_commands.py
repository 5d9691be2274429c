"""``policy-index export``: the live generation in another engine's format (OpenSearch)."""
from __future__ import annotations

from pathlib import Path

import click

from indexer.cli.index_commands import _domain_errors, index_option


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["opensearch"]), default="opensearch", show_default=True)
@index_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write index.json, bulk-*.ndjson, manifest.json and load.sh into.")
@click.option("--name", default="policy-search", show_default=True, help="Name of the OpenSearch index.")
@click.option("--shards", type=click.IntRange(1, 1024), default=1, show_default=True)
@click.option("--replicas", type=click.IntRange(0, 16), default=1, show_default=True)
@_domain_errors
def export_command(fmt: str, index_dir: Path, out: Path, name: str, shards: int, replicas: int) -> None:
    """Write the live generation as an OpenSearch index definition and _bulk NDJSON files."""
    from indexer.export.opensearch import export

    manifest = export(index_dir, out, name=name, shards=shards, replicas=replicas)
    click.echo(f"exported {manifest['records']} records of generation {manifest['generation']} "
               f"to {out} ({len(manifest['files'])} bulk files; load with: sh {out / 'load.sh'})")


def register(group: click.Group) -> None:
    """Add the export command to the ``policy-index`` group."""
    group.add_command(export_command)
