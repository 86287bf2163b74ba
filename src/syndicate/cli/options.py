"""Options and helpers every command shares: inputs, verbosity, where lines go, user errors."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from syndicate.cli import Settings, report
from syndicate.cli.progress import Progress
from syndicate.errors import (
    ConfigError,
    OutputError,
    Problem,
    StrictModeError,
    SyndicateError,
)
from syndicate.publish import output
from syndicate.run import BuildOptions, OnSeed
from syndicate.seeds import discovery

F = TypeVar("F", bound=Callable[..., Any])


def verbosity(function: F) -> F:
    function = click.option(
        "-v", "--verbose", is_flag=True, help="Log what syndicate does; list files written."
    )(function)
    return click.option(
        "-q", "--quiet", is_flag=True, help="Problems and results only: no summary, no progress."
    )(function)


def config_option(help_text: str = "The feeds config.") -> Callable[[F], F]:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("config/feeds.yaml"),
        show_default=True,
        help=help_text,
    )


def out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )


def inputs(function: F) -> F:
    """--seeds, --config, --max-seed-size, --jobs: how every command reads config and seeds."""
    function = click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        metavar="N",
        show_default="one per CPU",
        help="Processes that read seeds.",
    )(function)
    function = click.option(
        "--max-seed-size",
        "max_seed_bytes",
        type=click.IntRange(min=1),
        default=discovery.DEFAULT_MAX_SEED_BYTES,
        show_default=True,
        help="Largest seed file, in bytes.",
    )(function)
    function = config_option()(function)
    return click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(path_type=Path),
        default=Path("seeds"),
        show_default=True,
        help="Folder of seed files (searched recursively).",
    )(function)


def build_options(
    seeds_dir: Path, config_path: Path, max_seed_bytes: int, jobs: int | None, **extra: Any
) -> BuildOptions:
    if jobs is not None:
        extra["jobs"] = jobs
    return BuildOptions(seeds_dir, config_path, max_seed_bytes=max_seed_bytes, **extra)


def flags(quiet: bool, verbose: bool) -> tuple[bool, bool]:
    """-q/-v given after the command or before it (`syndicate -q build`); -v logs DEBUG."""
    settings = click.get_current_context().find_object(Settings) or Settings()
    quiet, verbose = quiet or settings.quiet, verbose or settings.verbose
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)
    return quiet, verbose


def colour() -> bool | None:
    """None: styles only on a terminal (click decides); https://no-color.org turns them off."""
    return False if os.environ.get("NO_COLOR") else None


def echo_problems(problems: list[Problem], err: bool = True, verbose: bool = False) -> None:
    """One line per problem; with -v, the parser's or validator's own words on the next line
    when the message put them plainly."""
    terminal = (sys.stderr if err else sys.stdout).isatty()
    for problem in problems:
        click.echo(report.problem_text(problem, terminal), err=err, color=colour())
        if verbose and problem.detail:
            click.echo(report.detail_text(problem), err=err, color=colour())


def stdout() -> TextIO:
    """Where the progress bar draws (a function: tests give it a fake terminal)."""
    return sys.stdout


@contextmanager
def progress_bar(show: bool) -> Iterator[OnSeed | None]:
    """A progress bar while seeds are read: on a terminal only, and only when asked to. The
    build tells it how many seeds it reads (no second walk of the seeds folder)."""
    stream = stdout()
    if not show or not stream.isatty() or os.environ.get("TERM") == "dumb":
        yield None
        return
    with Progress(stream) as bar:
        yield bar.tick


@contextmanager
def user_errors(verbose: bool = False, writes: bool = False) -> Iterator[None]:
    """User errors end the command with their exit status, never with a traceback. A command
    that `writes` says that a config error left everything as it was."""
    try:
        yield
    except ConfigError as exc:
        echo_problems(exc.problems, verbose=verbose)
        if writes:
            click.echo("config error: nothing was written", err=True)
        sys.exit(exc.exit_code)
    except StrictModeError as exc:
        echo_problems(exc.problems, verbose=verbose)
        click.echo("--strict: stopped at the first bad seed; nothing was written", err=True)
        sys.exit(exc.exit_code)
    except OutputError as exc:
        echo_problems(list(exc.problems), verbose=verbose)
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except SyndicateError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


def recover_output(out_dir: Path, sweep: bool = True) -> None:
    """Undo a write to the output folder that a stopped build left unfinished and (`sweep`)
    remove its temporary files, saying so on stderr (see output.recover)."""
    with user_errors():
        message = output.recover(out_dir, sweep)
    for line in (message or "").splitlines():
        click.echo(line, err=True)
