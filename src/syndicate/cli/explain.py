"""`syndicate explain`: why an item is, or is not, in each feed."""

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


@click.command("explain")
@click.argument("target", metavar="SEED_PATH_OR_URL")
@click.option("--feed", "feed_id", metavar="ID", help="Explain this feed only.")
@inputs
@verbosity
def explain_command(
    target: str,
    feed_id: str | None,
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Why an item is, or is not, in each feed: its position, or the rule, duplicate or limit
    that kept it out.

    SEED_PATH_OR_URL is a seed file (seeds/x.txt, or x.txt inside --seeds) or an item's
    webUrl. Exit status: 0 explained, 1 no such seed or the seed is rejected, 2 config error
    or unknown feed.
    """
    from syndicate.review import explain

    quiet, verbose = flags(quiet, verbose)
    options = build_options(seeds_dir, config_path, max_seed_bytes, jobs)
    with progress_bar(not quiet) as on_seed, user_errors(verbose):
        explanations = explain.explain(options, target, feed_id, on_seed)
    for explanation in explanations:
        echo_problems(explanation.problems, verbose=verbose)
    for line in explain.render(explanations):
        click.echo(line)
    sys.exit(1 if any(e.rejected for e in explanations) else 0)
