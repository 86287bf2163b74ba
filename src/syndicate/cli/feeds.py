"""`syndicate feeds`: the configured feeds and what they select now."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syndicate.cli.options import (
    build_options,
    echo_problems,
    flags,
    inputs,
    progress_bar,
    user_errors,
    verbosity,
)
from syndicate.words import plural


@click.command("feeds")
@inputs
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a table; json: a list of feeds.",
)
@verbosity
def feeds_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    output_format: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """The configured feeds: id, title, rules in short, items, newest item date, files.

    Nothing is written. Exit status as for build: 0, 1 some seed was rejected (the table
    counts the good ones), 2 config error.
    """
    from syndicate.review import overview

    quiet, verbose = flags(quiet, verbose)
    options = build_options(seeds_dir, config_path, max_seed_bytes, jobs)
    with progress_bar(not quiet and output_format == "text") as on_seed, user_errors(verbose):
        feeds, seen = overview.overview(options, on_seed)
    if output_format == "json":
        click.echo(overview.to_json(feeds))
    else:
        for line in overview.table(feeds):
            click.echo(line)
    about_feeds = [p for p in seen.problems if p.field.startswith("feeds.")]
    echo_problems([p for p in about_feeds if p.severity == "warning"], verbose=verbose)
    if seen.seeds_rejected and not quiet:
        rejected = plural(seen.seeds_rejected, "seed file")
        click.echo(f"note: {rejected} rejected, not counted (see `syndicate check`)", err=True)
    sys.exit(seen.exit_code)
