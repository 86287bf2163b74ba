"""`syndicate diff`: the items a build would add, remove and change per feed; nothing written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from syndicate.cli import diff_report, report
from syndicate.cli.options import (
    build_options,
    echo_problems,
    flags,
    inputs,
    out_option,
    progress_bar,
    recover_output,
    user_errors,
    verbosity,
)
from syndicate.errors import SyndicateError

SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


@click.command("diff")
@inputs
@out_option("The output folder to compare with (read, never written).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "github", "json"]),
    default="text",
    show_default=True,
    help="text: for a terminal; markdown: for a pull request; github: annotations and text, "
    "the markdown appended to $GITHUB_STEP_SUMMARY; json: for programs.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when any feed would change (as `git diff --exit-code`).",
)
@click.option(
    "--flood",
    "flood_threshold",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    show_default="each feed's flood_threshold, else 10",
    help="Warn when a feed gains more than N items older than its newest one.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=1),
    default=diff_report.DEFAULT_ROWS,
    show_default=True,
    help="Markdown: at most this many items per feed.",
)
@verbosity
def diff_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    out_dir: Path,
    output_format: str,
    exit_code: bool,
    flood_threshold: int | None,
    rows: int,
    quiet: bool,
    verbose: bool,
) -> None:
    """Show what a build would do to each feed's subscribers, without writing anything.

    Builds in memory and compares, feed by feed, the items it would publish with the items
    of the feeds in out/ (read from their files): added, removed and changed items, feeds
    the config adds or drops, and a warning when a change floods a feed with old items.
    Exit status as for build: 0, 1 some seed was rejected (with --exit-code: or any feed
    would change), 2 usage or config error.
    """
    from syndicate.review import check

    quiet, verbose = flags(quiet, verbose)
    recover_output(out_dir, sweep=False)  # compare with a whole build, never half of one
    options = build_options(seeds_dir, config_path, max_seed_bytes, jobs, out_dir=out_dir)
    with progress_bar(not quiet and output_format == "text") as on_seed, user_errors(verbose):
        built, found = check.changes(options, flood_threshold, on_seed)
    echo_problems(built.problems, verbose=verbose)  # as `build --check`; floods are in the diff
    if output_format == "json":
        click.echo(diff_report.as_json(found))
    elif output_format == "markdown":
        click.echo(diff_report.markdown(found, rows))
    elif output_format == "github":
        for problem in found.problems():
            click.echo(report.github_annotation(problem))
        summary = os.environ.get(SUMMARY_VARIABLE)
        if summary:
            with user_errors(verbose):
                _append(Path(summary), diff_report.markdown(found, rows) + "\n")
            click.echo(diff_report.text(found))
        else:
            click.echo(diff_report.markdown(found, rows))
    else:
        click.echo(diff_report.text(found))
    sys.exit(max(built.exit_code, 1 if exit_code and found.changed else 0))


def _append(path: Path, text: str) -> None:
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(text)
    except OSError as exc:
        raise SyndicateError(f"{path}: cannot append the step summary: {exc.strerror}") from None
