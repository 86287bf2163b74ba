"""`syndicate cache clear`: delete the parse cache."""

from __future__ import annotations

from pathlib import Path

import click

from syndicate.cli.options import config_option, flags, verbosity
from syndicate.incremental import cache as syndicate_cache


@click.group("cache")
def cache_group() -> None:
    """The parse cache (.syndicate-cache/ beside the config), which makes rebuilds fast."""


@cache_group.command("clear")
@config_option("The feeds config; the cache lives beside it.")
@verbosity
def cache_clear_command(config_path: Path, quiet: bool, verbose: bool) -> None:
    """Delete the parse cache; the next build reads every seed again. With -q, nothing is
    printed unless something goes wrong."""
    quiet, verbose = flags(quiet, verbose)
    folder = syndicate_cache.default_folder(config_path)
    removed = syndicate_cache.clear(folder)
    if quiet:
        return
    for path in removed:
        click.echo(f"removed {path}")
    if not removed:
        click.echo(f"no cache in {folder}")
