"""The command line: options, where each line goes (results to stdout, problems and errors to
stderr, except `check`, whose result is the problems), exit codes 0/1/2. No logic: that lives in
build, check, explain, overview, schema; formatting in report."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from syndicate import __version__, check, explain, overview, report, schema, seeds, websub
from syndicate import cache as syndicate_cache
from syndicate.build import BuildOptions, OnSeed, build
from syndicate.config import load as load_config
from syndicate.errors import ConfigError, Problem, StrictModeError, SyndicateError
from syndicate.progress import Progress
from syndicate.words import plural

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Settings:
    """-q / -v given before the command (`syndicate -q build`)."""

    quiet: bool = False
    verbose: bool = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syndicate")
@click.option("-v", "--verbose", is_flag=True, help="Log what syndicate does.")
@click.option("-q", "--quiet", is_flag=True, help="Problems and results only.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Publish a folder of news-item seeds as RSS 2.0, Atom 1.0 and JSON Feed 1.1."""
    ctx.obj = Settings(quiet, verbose)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )


# ------------------------------------------------------------------------------- options


def _verbosity(function: F) -> F:
    function = click.option(
        "-v", "--verbose", is_flag=True, help="Log what syndicate does; list files written."
    )(function)
    return click.option(
        "-q", "--quiet", is_flag=True, help="Problems and results only: no summary, no progress."
    )(function)


def _config_option(help_text: str = "The feeds config.") -> Callable[[F], F]:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("config/feeds.yaml"),
        show_default=True,
        help=help_text,
    )


def _out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )


def _inputs(function: F) -> F:
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
        default=seeds.DEFAULT_MAX_SEED_BYTES,
        show_default=True,
        help="Largest seed file, in bytes.",
    )(function)
    function = _config_option()(function)
    return click.option(
        "--seeds",
        "seeds_dir",
        type=click.Path(path_type=Path),
        default=Path("seeds"),
        show_default=True,
        help="Folder of seed files (searched recursively).",
    )(function)


def _options(
    seeds_dir: Path, config_path: Path, max_seed_bytes: int, jobs: int | None, **extra: Any
) -> BuildOptions:
    if jobs is not None:
        extra["jobs"] = jobs
    return BuildOptions(seeds_dir, config_path, max_seed_bytes=max_seed_bytes, **extra)


def _flags(quiet: bool, verbose: bool) -> tuple[bool, bool]:
    """-q/-v given after the command or before it (`syndicate -q build`); -v logs DEBUG."""
    settings = click.get_current_context().find_object(Settings) or Settings()
    quiet, verbose = quiet or settings.quiet, verbose or settings.verbose
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG)
    return quiet, verbose


def _colour() -> bool | None:
    """None: styles only on a terminal (click decides); https://no-color.org turns them off."""
    return False if os.environ.get("NO_COLOR") else None


def _echo_problems(problems: list[Problem], err: bool = True) -> None:
    for problem in problems:
        click.echo(report.problem_text(problem), err=err, color=_colour())


def _stdout() -> TextIO:
    """Where the progress bar draws (a function: tests give it a fake terminal)."""
    return sys.stdout


@contextmanager
def _reading(show: bool) -> Iterator[OnSeed | None]:
    """A progress bar while seeds are read: on a terminal only, and only when asked to. The
    build tells it how many seeds it reads (no second walk of the seeds folder)."""
    stream = _stdout()
    if not show or not stream.isatty() or os.environ.get("TERM") == "dumb":
        yield None
        return
    with Progress(stream) as bar:
        yield bar.tick


@contextmanager
def _user_errors() -> Iterator[None]:
    """User errors end the command with their exit status, never with a traceback."""
    try:
        yield
    except ConfigError as exc:
        _echo_problems(exc.problems)
        click.echo("config error: nothing was written", err=True)
        sys.exit(exc.exit_code)
    except StrictModeError as exc:
        _echo_problems([exc.problem])
        click.echo("--strict: stopped at the first bad seed; nothing was written", err=True)
        sys.exit(exc.exit_code)
    except SyndicateError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


# ------------------------------------------------------------------------------- build


@main.command("build")
@_inputs
@_out_option("Output folder; files are replaced atomically.")
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
@_verbosity
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
    feed is still built. Exit status: 0 all fine, 1 some seed or feed was reported (with
    --check: or out/ is stale), 2 usage or config error (nothing written).
    """
    quiet, verbose = _flags(quiet, verbose)
    # The parse cache is for builds; --check, like every other command, writes nothing at all.
    use_cache = not (no_cache or check_only)
    options = _options(
        seeds_dir,
        config_path,
        max_seed_bytes,
        jobs,
        out_dir=out_dir,
        strict=strict,
        use_cache=use_cache,
    )
    if check_only:
        with _reading(not quiet) as on_seed, _user_errors():
            built, staleness = check.stale(options, on_seed)
        _echo_problems(built.problems)
        if staleness.stale or not quiet:
            click.echo(report.staleness(out_dir, staleness, len(built.unchanged)))
        sys.exit(max(built.exit_code, 1 if staleness.stale else 0))
    with _reading(not quiet) as on_seed, _user_errors():
        built = build(options, on_seed)
    _echo_problems(built.problems)
    if not quiet:
        click.echo(report.summary(built, verbose))
    sys.exit(built.exit_code)


# ------------------------------------------------------------------------------- check


@main.command("check")
@_inputs
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text: PATH:LINE: field: message; github: Actions annotations; json: a list.",
)
@_verbosity
def check_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    output_format: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the config and every seed without writing anything.

    Every problem is printed to stdout, config and seeds at once. Exit status as for build:
    0 all fine (warnings allowed), 1 some seed was rejected, 2 config error.
    """
    quiet, verbose = _flags(quiet, verbose)
    options = _options(seeds_dir, config_path, max_seed_bytes, jobs)
    with _reading(not quiet and output_format == "text") as on_seed:
        result = check.check(options, on_seed)
    if output_format == "json":
        click.echo(report.problems_json(result.problems))
    elif output_format == "github":
        for problem in result.problems:
            click.echo(report.github_annotation(problem))
        if result.fatal:
            click.echo(report.github_error(result.fatal))
    else:
        _echo_problems(result.problems, err=False)
    if result.fatal:
        click.echo(f"error: {result.fatal}", err=True)
    elif output_format != "json" and not quiet:
        what = f"{config_path.as_posix()} and {plural(result.seeds_read, 'seed file')}"
        click.echo(f"checked {what}: {report.counts(result.problems)}")
    sys.exit(result.exit_code)


# ------------------------------------------------------------------------------- explain


@main.command("explain")
@click.argument("target", metavar="SEED_PATH_OR_URL")
@click.option("--feed", "feed_id", metavar="ID", help="Explain this feed only.")
@_inputs
@_verbosity
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
    quiet, verbose = _flags(quiet, verbose)
    options = _options(seeds_dir, config_path, max_seed_bytes, jobs)
    with _reading(not quiet) as on_seed, _user_errors():
        explanations = explain.explain(options, target, feed_id, on_seed)
    for explanation in explanations:
        _echo_problems(explanation.problems)
    for line in explain.render(explanations):
        click.echo(line)
    sys.exit(1 if any(e.rejected for e in explanations) else 0)


# ------------------------------------------------------------------------------- feeds


@main.command("feeds")
@_inputs
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a table; json: a list of feeds.",
)
@_verbosity
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

    Nothing is written. Exit status: 0, or 2 for a config error.
    """
    quiet, verbose = _flags(quiet, verbose)
    options = _options(seeds_dir, config_path, max_seed_bytes, jobs)
    with _reading(not quiet and output_format == "text") as on_seed, _user_errors():
        feeds, seen = overview.overview(options, on_seed)
    if output_format == "json":
        click.echo(overview.to_json(feeds))
    else:
        for line in overview.table(feeds):
            click.echo(line)
    if seen.seeds_rejected and not quiet:
        rejected = plural(seen.seeds_rejected, "seed file")
        click.echo(f"note: {rejected} rejected, not counted (see `syndicate check`)", err=True)


# ------------------------------------------------------------------------------- ping


@main.command("ping")
@_config_option("The feeds config (site.websub_hubs, base_url).")
@_out_option("The output folder the last build wrote.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300),
    default=10.0,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each answer.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=10),
    default=3,
    show_default=True,
    metavar="N",
    help="Retries after a network error, a timeout, 408, 429 or 5xx (backoff 1, 2, 4... s).",
)
@_verbosity
def ping_command(
    config_path: Path,
    out_dir: Path,
    timeout: float,
    retries: int,
    quiet: bool,
    verbose: bool,
) -> None:
    """Tell each WebSub hub (site.websub_hubs) which feeds the last build changed.

    One publish notification (hub.mode=publish, hub.url=FEED URL) per hub and changed feed
    file, as recorded by `syndicate build` in OUT/.syndicate-changes.json. Exit status: 0
    every hub accepted every notification (or nothing changed), 1 some notification failed,
    2 usage or config error (no hub configured, no build record).
    """
    quiet, verbose = _flags(quiet, verbose)
    with _user_errors():
        config = load_config(config_path)
        topics = websub.changed_topics(config, out_dir)
    hubs = config.site.websub_hubs or []
    if not topics:
        if not quiet:
            click.echo("the last build changed no feed: no hub notified")
        sys.exit(0)
    results = websub.ping(hubs, topics, timeout, retries)
    for line in report.ping_lines(results, quiet):
        click.echo(line)
    sys.exit(0 if all(r.accepted == len(r.deliveries) for r in results) else 1)


# ------------------------------------------------------------------------------- schema


@main.command("schema")
@_verbosity
def schema_command(quiet: bool, verbose: bool) -> None:
    """Print the JSON Schema of the config (draft-07, for editors' YAML language servers).

    config/feeds.schema.json is this output: `syndicate schema > config/feeds.schema.json`.
    """
    _flags(quiet, verbose)
    click.echo(schema.render(), nl=False)


# -------------------------------------------------------------------------------- cache


@main.group("cache")
def cache_group() -> None:
    """The parse cache (.syndicate-cache/ beside the config), which makes rebuilds fast."""


@cache_group.command("clear")
@_config_option("The feeds config; the cache lives beside it.")
def cache_clear_command(config_path: Path) -> None:
    """Delete the parse cache; the next build reads every seed again."""
    folder = syndicate_cache.default_folder(config_path)
    removed = syndicate_cache.clear(folder)
    for path in removed:
        click.echo(f"removed {path}")
    if not removed:
        click.echo(f"no cache in {folder}")
