"""`syndicate serve`: a live preview of the site, rebuilt when a seed or the config changes."""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from syndicate.cli import long_lived, report
from syndicate.cli.options import (
    build_options,
    echo_problems,
    flags,
    inputs,
    user_errors,
    verbosity,
)
from syndicate.errors import SyndicateError
from syndicate.words import plural

if TYPE_CHECKING:
    from syndicate.preview.site import Outcome


@click.command("serve")
@inputs
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (an IP address; the loopback one keeps the preview private).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0: one the system picks.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the served copy here (its links point at the preview server). "
    "Default: a temporary folder, removed on exit; out/ is never touched.",
)
@verbosity
def serve_command(
    seeds_dir: Path,
    config_path: Path,
    max_seed_bytes: int,
    jobs: int | None,
    bind: str,
    port: int,
    out_dir: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Preview the site in a browser while you edit seeds and the config.

    Builds into a temporary folder with site.base_url set to the local server, serves it,
    rebuilds when a seed or the config changes and reloads the open pages. A config error or
    a rejected seed shows on the page and here; the last good build stays on show. Ctrl-C
    stops (exit 0). Exit 2: the port is in use or another usage error.
    """
    from syndicate.preview import server as http
    from syndicate.preview.site import Preview
    from syndicate.preview.watch import watcher

    long_lived()  # rebuilds until stopped: the cyclic garbage collector on
    quiet, verbose = flags(quiet, verbose)
    with user_errors(verbose):
        _require_inputs(seeds_dir, config_path)
        server = http.listen(bind, port)
    url = http.url_of(server)
    # Ctrl-C and a polite kill stop it cleanly, even where SIGINT came in ignored (`cmd &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    with tempfile.TemporaryDirectory(prefix="syndicate-preview-") as temp:
        folder = Path(temp)
        served = out_dir if out_dir is not None else folder / "out"
        options = build_options(seeds_dir, config_path, max_seed_bytes, jobs, out_dir=served)
        preview = Preview(options, url, folder / "cache")
        server.preview = preview
        _tell(preview.rebuild(), quiet)

        def rebuild(paths: list[str]) -> None:
            if not quiet:
                more = f" (and {len(paths) - 1} more)" if len(paths) > 1 else ""
                click.echo(f"changed: {_shown(paths[0])}{more}")
            _tell(preview.rebuild(), quiet)

        thread, stop = watcher(seeds_dir, config_path, rebuild)
        click.echo(f"serving {url} (files in {served}); Ctrl-C stops")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
            thread.join(timeout=10)
    click.echo("stopped" + ("" if out_dir else "; the temporary files are removed"))
    sys.exit(0)


def _require_inputs(seeds_dir: Path, config_path: Path) -> None:
    """A missing seeds folder or config is a usage error (exit 2), as for `build`: there would
    be nothing to preview. A config or a seed with mistakes is served, to be fixed live."""
    from syndicate.config import not_found
    from syndicate.incremental.seam import require_seeds_folder

    require_seeds_folder(seeds_dir)
    if not config_path.is_file():
        raise SyndicateError(not_found(config_path))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _shown(path: str) -> str:
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


def _tell(outcome: Outcome, quiet: bool) -> None:
    echo_problems(list(outcome.problems))
    if outcome.message:
        click.echo(f"error: {outcome.message}", err=True)
    if not outcome.ok:
        click.echo(
            "not rebuilt: the preview shows the last good build until this is fixed", err=True
        )
    elif not quiet:
        click.echo(
            f"built in {outcome.seconds:.2f} s: {plural(outcome.feeds, 'feed')}, "
            f"{plural(outcome.written, 'file')} written; {report.counts(outcome.problems)}"
        )
