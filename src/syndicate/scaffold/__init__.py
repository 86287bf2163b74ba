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
GITIGNORE = ".gitignore"  # one that exists is kept, with the lines it lacks added
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
    """The planned paths that already exist in `target` (as files, folders or anything else),
    but a `.gitignore` that is a file: it is completed, not replaced (see `write`)."""
    return [
        f.path
        for f in files
        if ((target / f.path).exists() or (target / f.path).is_symlink())
        and not _completed(target / f.path)
    ]


def write(target: Path, files: list[Planned]) -> dict[str, list[str]]:
    """Write every file (folders created as needed), replacing any that exist, but an existing
    `.gitignore`, to which the lines it lacks are added. {path: the lines added} of those."""
    added: dict[str, list[str]] = {}
    for planned in files:
        path = target / planned.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if _completed(path):
            added[planned.path] = _complete(path, planned.text)
            continue
        if path.is_symlink():
            path.unlink()  # replace the link itself, never the file it points at
        path.write_bytes(planned.text.encode("utf-8"))
    return added


def _completed(path: Path) -> bool:
    """Whether `path` is a `.gitignore` of the user's, kept and completed."""
    return path.name == GITIGNORE and path.is_file() and not path.is_symlink()


def _complete(path: Path, ours: str) -> list[str]:
    """Add to the file at `path` the patterns of `ours` it lacks (with their comments); the
    patterns added."""
    text = path.read_text("utf-8", errors="surrogateescape")
    present = {line.strip() for line in text.splitlines()}
    wanted = [line for line in ours.splitlines() if line and not line.startswith("#")]
    missing = [line for line in wanted if line not in present]
    if missing:
        block = [line for line in ours.splitlines() if line.startswith("#") or line in missing]
        joined = ("" if not text or text.endswith("\n") else "\n") + "\n".join(block) + "\n"
        with path.open("a", encoding="utf-8", errors="surrogateescape") as stream:
            stream.write(joined)
    return missing


def _file(name: str) -> str:
    text = resources.files("syndicate.scaffold").joinpath("files", name).read_text("utf-8")
    return text.replace("@REPOSITORY@", REPOSITORY).replace("@VERSION@", __version__)
