"""The command line: options, problems to stderr, a summary to stdout, exit 0/1/2. No logic."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from syndicate import __version__
from syndicate.build import BuildOptions, BuildReport, build
from syndicate.errors import ConfigError, StrictModeError, SyndicateError
from syndicate.seeds import DEFAULT_MAX_SEED_BYTES


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
@click.option("-v", "--verbose", is_flag=True, help="Log what syndicate does.")
def main(verbose: bool) -> None:
    """Publish a folder of news-item seeds as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )


@main.command("build")
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path),
    default=Path("seeds"),
    show_default=True,
    help="Folder of seed files (searched recursively).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("config/feeds.yaml"),
    show_default=True,
    help="The feeds config.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder; files are replaced atomically.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Stop at the first bad seed and write nothing (exit 1).",
)
@click.option(
    "--max-seed-size",
    "max_seed_bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_SEED_BYTES,
    show_default=True,
    help="Largest seed file, in bytes.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
def build_command(
    seeds_dir: Path,
    config_path: Path,
    out_dir: Path,
    strict: bool,
    max_seed_bytes: int,
    quiet: bool,
) -> None:
    """Build out/<feed-id>/{rss.xml,atom.xml,feed.json} for every feed of the config.

    A bad seed is reported as PATH:LINE: field: message and skipped; every other seed and
    feed is still built. Exit status: 0 all fine, 1 some seed or feed was reported,
    2 usage or config error (nothing written).
    """
    options = BuildOptions(seeds_dir, config_path, out_dir, strict, max_seed_bytes)
    try:
        report = build(options)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("config error: nothing was written", err=True)
        sys.exit(exc.exit_code)
    except StrictModeError as exc:
        click.echo(str(exc.problem), err=True)
        click.echo("--strict: stopped at the first bad seed; nothing was written", err=True)
        sys.exit(exc.exit_code)
    except SyndicateError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if not quiet:
        click.echo(summary(report))
    sys.exit(report.exit_code)


def summary(report: BuildReport) -> str:
    warnings = len(report.problems) - len(report.errors)
    lines = [
        f"seeds: {report.seeds_read} read, {report.seeds_rejected} rejected"
        f", {warnings} warning{'s' if warnings != 1 else ''}",
    ]
    width = max((len(f.id) for f in report.feeds), default=0)
    for feed in report.feeds:
        plural = "s" if feed.items != 1 else ""
        lines.append(f"  {feed.id:<{width}}  {feed.items:>6} item{plural}")
    lines.append(
        f"files: {len(report.written)} written, {len(report.unchanged)} unchanged"
        f", {len(report.removed)} removed"
    )
    return "\n".join(lines)
