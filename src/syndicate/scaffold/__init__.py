"""`syndicate init`: the files of a new feeds repository, and writing them without overwriting.

The files come from `files/` (package data); the workflow and the pre-commit config name this
repository and the version of syndicate that wrote them, so a scaffold installs the syndicate
that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from syndicate import __version__

# Where syndicate lives on GitHub (owner/name): the action, the pre-commit hooks.
REPOSITORY = "syndicate-feeds/syndicate"
CONFIG = "config/feeds.yaml"  # the user's feeds: `init --force` never overwrites it
# What the user types next, in order.
NEXT_COMMANDS = (
    "syndicate check",
    "syndicate build",
    "git add . && git commit -m 'Feeds repository'",
)


def next_commands(target: Path) -> tuple[str, ...]:
    """NEXT_COMMANDS, the commit preceded by `git init` when `target` is in no git
    repository yet."""
    folder = target.resolve()
    if any((where / ".git").exists() for where in (folder, *folder.parents)):
        return NEXT_COMMANDS
    *build, commit = NEXT_COMMANDS
    return (*build, f"git init && {commit}")


@dataclass(frozen=True, slots=True)
class Planned:
    """One file `init` writes: where (relative to the target folder, POSIX) and what."""

    path: str
    text: str


def plan(pages: bool = False) -> list[Planned]:
    """Every file of a new feeds repository, in the order they are listed."""
    from syndicate import schema  # the config's schema: pydantic, only when init runs

    workflow = _file("workflow.yml")
    if pages:
        workflow = workflow.replace(
            "@PAGES_NOTE@", "\n# Then deploy out/ to GitHub Pages (the deploy job below)."
        )
        workflow = workflow.replace("@PAGES_UPLOAD@\n", _file("workflow-pages.yml"))
    else:
        workflow = workflow.replace("@PAGES_NOTE@", "").replace("@PAGES_UPLOAD@\n", "")
    return [
        Planned(CONFIG, _file("feeds.yaml")),
        Planned("config/feeds.schema.json", schema.render()),
        Planned("seeds/README.md", _file("seeds-README.md")),
        Planned(".gitignore", _file("gitignore")),
        Planned(".github/workflows/feeds.yml", workflow),
        Planned(".pre-commit-config.yaml", _file("pre-commit-config.yaml")),
    ]


def existing(target: Path, files: list[Planned]) -> list[str]:
    """The planned paths that already exist in `target` (as files, folders or anything else)."""
    return [f.path for f in files if (target / f.path).exists() or (target / f.path).is_symlink()]


def write(target: Path, files: list[Planned]) -> None:
    """Write every file (folders created as needed), replacing any that exist."""
    for planned in files:
        path = target / planned.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()  # replace the link itself, never the file it points at
        path.write_bytes(planned.text.encode("utf-8"))


def _file(name: str) -> str:
    text = resources.files("syndicate.scaffold").joinpath("files", name).read_text("utf-8")
    return text.replace("@REPOSITORY@", REPOSITORY).replace("@VERSION@", __version__)
