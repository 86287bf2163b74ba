"""The command line: one module per command, loaded only when that command runs (so `--version`
and `--help` import click and nothing else of weight). Results go to stdout, problems and errors
to stderr (except `check`, whose result is the problems); exit codes 0/1/2. No logic here: that
lives in the stages; formatting in report."""

from __future__ import annotations

import errno
import gc
import importlib
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from syndicate import __version__, pydantic_plugins


@dataclass(frozen=True, slots=True)
class Settings:
    """-q / -v given before the command (`syndicate -q build`)."""

    quiet: bool = False
    verbose: bool = False


# The errors of an output device: standard output or error, when a command prints.
_DEVICE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)}
INTERRUPTED = 128 + 2  # the exit status of a program that SIGINT (Ctrl-C) stopped

# command name -> "module:attribute"; the one place a new command is registered.
COMMANDS = {
    "build": "syndicate.cli.build:build_command",
    "cache": "syndicate.cli.cache:cache_group",
    "check": "syndicate.cli.check:check_command",
    "diff": "syndicate.cli.diff:diff_command",
    "explain": "syndicate.cli.explain:explain_command",
    "feeds": "syndicate.cli.feeds:feeds_command",
    "init": "syndicate.cli.init:init_command",
    "ping": "syndicate.cli.ping:ping_command",
    "schema": "syndicate.cli.schema:schema_command",
    "serve": "syndicate.cli.serve:serve_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C: exit status 130, as shells report an interrupted program (click says
        "Aborted!" and exits 1, the status of a rejected seed). A build undoes its
        unfinished write first (publish/output.py)."""
        try:
            Path.cwd()
        except FileNotFoundError:  # every relative path would fail, deep in some stage
            click.echo(
                "error: the current folder no longer exists: cd into your feeds repository again",
                err=True,
            )
            ctx.exit(2)
        collecting = gc.isenabled()
        gc.disable()  # a command is short and makes few cycles: see long_lived
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing was left half-written", err=True)
            ctx.exit(INTERRUPTED)
        finally:
            if collecting:
                gc.enable()


def long_lived() -> None:
    """For a command that runs until stopped (`serve`): the cyclic garbage collector on.

    Every other command runs with it off. A command is one short process, and reference
    counting frees what it makes but cycles, which are few (parsing, validating and writing
    make none; gc_paused in seeds/discovery.py): the collector's passes, over the objects of
    pydantic's models and of the stages imported, cost 5 to 15 ms of a command's 50 to 200
    (docs/speed.md)."""
    gc.enable()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def run() -> None:
    """The `syndicate` program (and `python -m syndicate`): `main`, then the process ends.

    It ends at once, without Python's teardown, which frees every object one by one and
    collects them first, though the system takes the process's memory back as a whole: 7 ms
    of `syndicate --version`'s 44, and 12 ms of a cold build of 10,000 seeds (docs/speed.md).
    Each command has closed its files and ended its worker processes and threads by then;
    standard output and error are flushed here. Python's own exit is kept where something
    could still need it: another thread alive (`serve`'s), output that cannot be flushed
    (a closed pipe: Python says so), or an exit status that is not a number.

    Pydantic's plugins are off unless PYDANTIC_DISABLE_PLUGINS says otherwise (set empty, it
    lets them all in): syndicate's models want none (syndicate/pydantic_plugins.py)."""
    pydantic_plugins.turn_off()
    try:
        main()
        code: str | int | None = 0
    except SystemExit as done:
        code = done.code
    except OSError as error:
        if not _printing_failed(error):
            raise
        _cannot_print(error)
    if isinstance(code, str) or threading.active_count() > 1:
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the program was started with it closed
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code or 0)


def _printing_failed(error: OSError) -> bool:
    """Whether `error` is what writing the command's output met (a full disk, a device gone):
    an error of the device that names no file. The stages name the file of any other write's
    error (publish/output.py), and a closed pipe (`syndicate feeds | head`) click ends quietly
    with status 1."""
    return error.filename is None and error.errno in _DEVICE_ERRORS


def _cannot_print(error: OSError) -> NoReturn:
    """Say so on stderr if it can be written, and end with status 1 without Python's exit,
    which would try to flush the stream again and print a traceback of its own."""
    try:
        sys.stderr.write(f"error: cannot write what the command prints: {error.strerror}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os._exit(1)
