"""`syndicate schema`: the JSON Schema of the config."""

from __future__ import annotations

import click

from syndicate.cli.options import flags, verbosity


@click.command("schema")
@verbosity
def schema_command(quiet: bool, verbose: bool) -> None:
    """Print the JSON Schema of the config (draft-07, for editors' YAML language servers).

    config/feeds.schema.json is this output: `syndicate schema > config/feeds.schema.json`.
    """
    from syndicate import schema

    flags(quiet, verbose)
    click.echo(schema.render(), nl=False)
