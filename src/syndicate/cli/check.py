"""`syndicate check`: every problem of the config and the seeds; nothing written."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syndicate.cli import report
from syndicate.cli.options import (
    build_options,
    echo_problems,
    flags,
    inputs,
    out_option,
    progress_bar,
    recover_output,
    verbosity,
)
from syndicate.words import plural


@click.command("check")
@inputs
@out_option(
    "The output folder the flood guard compares with (a build stopped while it replaced"
    " files there is undone first; nothing else is written)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text: PATH:LINE: field: message; github: Actions annotations; json: a list.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check everything again instead of answering from the last build when nothing changed.",
)
@verbosity
def check_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    out_dir: Path,
    output_format: str,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the config and every seed without writing anything.

    Every problem is printed to stdout, config and seeds at once. Exit status as for build:
    0 all fine (warnings allowed), 1 some seed was rejected, 2 config error.
    """
    from syndicate.review.check_replay import replayed

    quiet, verbose = flags(quiet, verbose)
    recover_output(out_dir, sweep=False)
    options = build_options(
        seeds_dir, config_path, max_seed_bytes, jobs, out_dir=out_dir, use_cache=not no_cache
    )
    result = replayed(options)  # nothing changed since the last build: what it found
    if result is None:
        from syndicate.review import check

        with progress_bar(not quiet and output_format == "text") as on_seed:
            result = check.check(options, on_seed)
    if output_format == "json":
        click.echo(report.problems_json(result.problems))
    elif output_format == "github":
        for problem in result.problems:
            click.echo(report.github_annotation(problem))
        if result.fatal:
            click.echo(report.github_error(result.fatal))
    else:
        echo_problems(result.problems, err=False, verbose=verbose)
    if result.fatal:
        click.echo(f"error: {result.fatal}", err=True)
    elif output_format != "json" and not quiet:
        what = f"{config_path.as_posix()} and {plural(result.seeds_read, 'seed file')}"
        if result.seeds_rejected:  # once per seed, however many problems it has
            what += f" ({result.seeds_rejected} rejected)"
        click.echo(f"checked {what}: {report.counts(result.problems)}")
    sys.exit(result.exit_code)
