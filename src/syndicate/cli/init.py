"""`syndicate init`: scaffold a feeds repository (config, seeds folder, CI, pre-commit)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syndicate import scaffold
from syndicate.cli.options import flags, verbosity
from syndicate.words import plural


@click.command("init")
@click.argument(
    "target",
    metavar="[DIR]",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite files that exist, but never config/feeds.yaml (your feeds).",
)
@click.option(
    "--pages",
    is_flag=True,
    help="The workflow also deploys out/ to GitHub Pages after each build on main.",
)
@verbosity
def init_command(target: Path, force: bool, pages: bool, quiet: bool, verbose: bool) -> None:
    """Start a feeds repository in DIR (default: the current folder).

    Writes config/feeds.yaml (two example feeds), config/feeds.schema.json, seeds/README.md,
    .gitignore, .github/workflows/feeds.yml and .pre-commit-config.yaml. Nothing is
    overwritten: a .gitignore that exists is kept, with the cache's line added; if any other
    file exists, nothing is written (exit status 2) unless --force, which overwrites them all
    but config/feeds.yaml (your feeds: delete it to start again).
    """
    quiet, verbose = flags(quiet, verbose)
    files = scaffold.plan(pages)
    taken = scaffold.existing(target, files)
    where = "the current folder" if target == Path() else f"{target.as_posix()}/"
    if taken and not force:
        verb = "exists" if len(taken) == 1 else "exist"
        click.echo(f"error: {plural(len(taken), 'file')} {verb} already in {where}:", err=True)
        for path in taken:
            click.echo(f"  {path}", err=True)
        but = f" (all but {scaffold.CONFIG}, which holds your feeds)"
        click.echo(
            "nothing was written; `syndicate init --force` overwrites them"
            + (but if scaffold.CONFIG in taken else ""),
            err=True,
        )
        sys.exit(2)
    kept = [f for f in files if f.path == scaffold.CONFIG and f.path in taken]
    files = [f for f in files if f not in kept]
    try:
        added = scaffold.write(target, files)
    except OSError as exc:
        shown = Path(exc.filename).as_posix() if exc.filename else target.as_posix()
        click.echo(f"error: cannot write {shown}: {exc.strerror}", err=True)
        sys.exit(2)
    if quiet:
        return
    replaced = set(taken)
    click.echo(f"wrote {plural(len(files), 'file')} in {where}:")
    for planned in files:
        if planned.path in added:
            lines = added[planned.path]
            what = f"{', '.join(lines)} added" if lines else "nothing to add"
            click.echo(f"  {planned.path}  (yours, kept: {what})")
            continue
        click.echo(f"  {planned.path}" + ("  (overwritten)" if planned.path in replaced else ""))
    for kept_file in kept:
        click.echo(f"kept {kept_file.path}: it holds your feeds (delete it to start again)")
    click.echo(
        "Next: set site.base_url in config/feeds.yaml (where out/ will be served), add seed "
        "files to seeds/, then run"
        + ("" if target == Path() else f" in {target.as_posix()}/")
        + ":"
    )
    for command in scaffold.next_commands(target):
        click.echo(f"  {command}")
