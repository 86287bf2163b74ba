"""`syndicate build`: write out/, or with --check say what a build would change."""

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
    user_errors,
    verbosity,
)
from syndicate.words import plural


@click.command("build")
@inputs
@out_option("Output folder; files are replaced atomically.")
@click.option(
    "--strict",
    is_flag=True,
    help="Stop at the first bad seed and write nothing (exit 1).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; list the files a build would add, change or remove; exit 1 if any.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every seed again instead of reusing the parse cache (config/.syndicate-cache/).",
)
@verbosity
def build_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    out_dir: Path,
    strict: bool,
    check_only: bool,
    no_cache: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build out/<feed-id>/{rss.xml,atom.xml,feed.json} for every feed of the config.

    A bad seed is reported as PATH:LINE: field: message and skipped; every other seed and
    feed is still built. Exit status: 0 all fine (warnings allowed: a repaired value, a feed
    that selects nothing), 1 some seed was rejected (with --check: or out/ is stale), 2 usage
    or config error (nothing written).
    """
    from syndicate.build import build

    quiet, verbose = flags(quiet, verbose)
    # The parse cache is for builds; --check, like every other command, writes nothing at all.
    use_cache = not (no_cache or check_only)
    options = build_options(
        seeds_dir,
        config_path,
        max_seed_bytes,
        jobs,
        out_dir=out_dir,
        strict=strict,
        use_cache=use_cache,
    )
    recover_output(out_dir, sweep=not check_only)  # --check lists the leftovers instead
    if use_cache:
        from syndicate.incremental import cache

        removed = cache.sweep(options.cache_folder)
        if not check_only:
            cache.remove_older_formats(options.cache_folder)
        if removed:
            folder = options.cache_folder.as_posix()
            click.echo(
                f"{folder}/: removed {plural(len(removed), 'temporary file')}"
                " that a stopped build left",
                err=True,
            )
    if check_only:  # writes nothing, so a config error needs no "nothing was written"
        from syndicate.review import check

        with progress_bar(not quiet) as on_seed, user_errors(verbose):
            built, staleness = check.stale(options, on_seed)
        echo_problems([*built.problems, *built.floods], verbose=verbose)
        if staleness.stale or not quiet:
            click.echo(report.staleness(out_dir, staleness, len(built.unchanged)))
        sys.exit(max(built.exit_code, 1 if staleness.stale else 0))
    with progress_bar(not quiet) as on_seed, user_errors(verbose, writes=True):
        built = build(options, on_seed)
    echo_problems([*built.problems, *built.floods], verbose=verbose)
    if not quiet:
        click.echo(report.summary(built, verbose))
    sys.exit(built.exit_code)
