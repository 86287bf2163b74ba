"""Each command imports what it uses: `--version`, `--help` and a replayed build need none of
pydantic, feedgen, lxml, Jinja2 or PyYAML (each costs tens of milliseconds a run). The import set
is read from `sys.modules` in a fresh interpreter, so a module-level import that creeps back fails
here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pydantic", "feedgen", "lxml", "jinja2", "yaml", "syndicate.config")

_PROBE = """
import json, sys
watched = json.loads(sys.argv[2])
sys.argv = ["syndicate", *json.loads(sys.argv[1])]
from syndicate import pydantic_plugins
from syndicate.cli import main
pydantic_plugins.turn_off()  # as the program does before `main` (cli.run)
code = None
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = [name for name in watched if name in sys.modules]
sys.__stderr__.write("\\nIMPORTED " + json.dumps({"heavy": heavy, "code": code}) + "\\n")
"""


def _imported(args: list[str], cwd: Path, watched: tuple[str, ...] = HEAVY) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(watched)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("IMPORTED ")][-1]
    result: dict[str, object] = json.loads(line.removeprefix("IMPORTED "))
    return result


def _feeds_repository(folder: Path) -> None:
    """The repository's seeds and config (not its cache) in `folder`."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    (folder / "config").mkdir()
    shutil.copy(ROOT / "config" / "feeds.yaml", folder / "config" / "feeds.yaml")


@pytest.mark.parametrize(
    "args", [["--version"], ["--help"], ["build", "--help"], ["check", "--help"]]
)
def test_version_and_help_import_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    assert _imported(args, tmp_path) == {"heavy": [], "code": 0}


def test_a_replayed_build_imports_nothing_heavy(tmp_path: Path) -> None:
    _feeds_repository(tmp_path)
    first = _imported(["build", "-q"], tmp_path)
    assert first["code"] == 0
    assert "pydantic" in first["heavy"]  # the probe sees imports: a full build needs them
    assert _imported(["build", "-q"], tmp_path) == {"heavy": [], "code": 0}


def test_only_the_command_line_imports_click() -> None:
    """The stages are a library: click (and printing to a terminal) stays in cli/."""
    package = ROOT / "src" / "syndicate"
    importing = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if "cli" not in path.relative_to(package).parts
        and any(
            line.strip().startswith(("import click", "from click"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importing == []


@pytest.mark.parametrize("command", [["check", "-q"], ["diff"]])
def test_check_and_diff_render_no_preview_page(tmp_path: Path, command: list[str]) -> None:
    """`check` measures and compares the feeds' files only, `diff` compares them with out/'s:
    no template, no Jinja2."""
    _feeds_repository(tmp_path)
    checked = _imported(command, tmp_path)
    assert checked["code"] == 0
    assert "pydantic" in checked["heavy"]  # the probe sees imports: a cold check needs them
    assert "jinja2" not in checked["heavy"]


def test_a_check_after_an_unchanged_build_imports_nothing_heavy(tmp_path: Path) -> None:
    """Answered from the build memo: no seed read, no config model, no writer."""
    _feeds_repository(tmp_path)
    for path in (tmp_path / "seeds").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # old: the memo holds at once
    assert _imported(["build", "-q"], tmp_path)["code"] == 0
    assert _imported(["check", "-q"], tmp_path) == {"heavy": [], "code": 0}
    assert "pydantic" in _imported(["check", "-q", "--no-cache"], tmp_path)["heavy"]


# What a check needs only when a feed would change (the flood guard reads it back and compares
# its items), or an item the fast writers cannot write (the JSON Feed models).
ONLY_FOR_A_CHANGE = (
    "syndicate.review.diff",
    "syndicate.review.feeds_in_out",
    "syndicate.render.writers._jsonfeed_models",
    "syndicate.incremental.memo",
    "email",
)


def test_a_cold_check_that_changes_no_feed_reads_none_back(tmp_path: Path) -> None:
    """The flood guard reads a feed back only when its document would change."""
    _feeds_repository(tmp_path)
    assert _imported(["build", "-q"], tmp_path)["code"] == 0
    checked = _imported(["check", "-q", "--no-cache"], tmp_path, ONLY_FOR_A_CHANGE)
    assert checked == {"heavy": [], "code": 0}
    config = tmp_path / "config" / "feeds.yaml"
    config.write_text(config.read_text("utf-8").replace(": Computer Vision", ": Vision"), "utf-8")
    changed = _imported(["check", "-q", "--no-cache"], tmp_path, ONLY_FOR_A_CHANGE)
    assert "syndicate.review.diff" in changed["heavy"]  # the probe sees it when it is needed
