"""The `syndicate` program keeps pydantic's plugins off, and with all of them off pydantic's
plugin loader is not imported (nor `importlib.metadata`, which it imports to look for them):
pydantic_plugins.py. Each case runs in a fresh interpreter: the stand-in lives in
`sys.modules`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A cold check through the program's own entry (`cli.run`), then what it imported.
_CHECK = """
import json, sys
from syndicate import cli
checking = cli.main
def main():
    try:
        checking()
    except SystemExit:
        pass
    loader = sys.modules.get("pydantic.plugin._loader")
    print(json.dumps({
        "metadata": "importlib.metadata" in sys.modules,
        "stand-in": type(loader).__name__ if loader else None,
    }))
cli.main = main
sys.argv = ["syndicate", "check", "-q", "--no-cache"]
cli.run()
"""


def _environment(plugins: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if plugins is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = plugins
    return env


@pytest.mark.parametrize(
    ("plugins", "seen"),
    [
        (None, {"metadata": False, "stand-in": "_NoPlugins"}),
        ("__all__", {"metadata": False, "stand-in": "_NoPlugins"}),
        ("true", {"metadata": False, "stand-in": "_NoPlugins"}),
        ("", {"metadata": True, "stand-in": "module"}),  # all let in: pydantic looks
        ("logfire", {"metadata": True, "stand-in": "module"}),  # some off: pydantic looks
    ],
)
def test_a_cold_check_looks_for_no_plugin_unless_told(
    plugins: str | None, seen: dict[str, object], tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    done = subprocess.run(
        [sys.executable, "-c", _CHECK],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=_environment(plugins),
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == seen


_ASKED = """
import sys
from syndicate import pydantic_plugins
pydantic_plugins.turn_off()
stand_in = sys.modules["pydantic.plugin._loader"]
print(stand_in.get_plugins())
try:
    stand_in.__path__
except AttributeError:
    print("no __path__")
print(stand_in.PYDANTIC_ENTRY_POINT_GROUP)
print(type(sys.modules["pydantic.plugin._loader"]).__name__)
"""


def test_what_the_stand_in_cannot_answer_the_real_loader_does() -> None:
    """`get_plugins()` is answered as the loader would with every plugin off; a dunder the
    import system asks of a module is not there; anything else brings in the real loader,
    which takes the stand-in's place."""
    done = subprocess.run(
        [sys.executable, "-c", _ASKED],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(None),
    )
    assert done.stdout.splitlines() == ["()", "no __path__", "pydantic", "module"]
