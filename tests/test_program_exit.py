"""The `syndicate` program ends without Python's teardown (cli.run): what a command printed
still arrives whole through a pipe, its exit status is the command's, and Python's own exit
is kept where a thread is still running."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syndicate import cli

ROOT = Path(__file__).resolve().parents[1]
# Output to a pipe buffered, as it is by default (PYTHONUNBUFFERED would write it at once).
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def _syndicate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=BUFFERED,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path


def _feed_ids(repository: Path) -> list[str]:
    text = (repository / "config" / "feeds.yaml").read_text("utf-8")
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if "- id:" in line]


def test_what_a_command_prints_arrives_whole_through_a_pipe(repository: Path) -> None:
    built = _syndicate("build", cwd=repository)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[-1].startswith("files: ")  # the last line, flushed
    listed = _syndicate("feeds", cwd=repository)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("id ") and listed.stdout.endswith("\n")
    assert len(listed.stdout.splitlines()) == 1 + len(_feed_ids(repository))


def test_the_exit_status_is_the_commands(repository: Path) -> None:
    config = repository / "config" / "feeds.yaml"
    config.write_text(config.read_text("utf-8").replace("feeds:", "feedz:", 1), "utf-8")
    failed = _syndicate("build", cwd=repository)
    assert failed.returncode == 2
    assert failed.stderr.startswith("config/feeds.yaml:")
    assert _syndicate("no-such-command", cwd=repository).returncode == 2
    assert _syndicate("--version", cwd=repository).stdout == "syndicate, version 0.1.0\n"


def test_python_ends_the_program_itself_while_another_thread_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`serve` ends with its threads still stopping: Python's exit waits for them."""
    ended: list[object] = []
    monkeypatch.setattr(cli, "main", lambda: sys.exit(3))
    monkeypatch.setattr(cli.threading, "active_count", lambda: 2)
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    with pytest.raises(SystemExit) as done:
        cli.run()
    assert done.value.code == 3 and ended == []


def test_a_finished_command_ends_the_process_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[object] = []
    monkeypatch.setattr(cli, "main", lambda: sys.exit(1))
    monkeypatch.setattr(cli.threading, "active_count", lambda: 1)
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    cli.run()
    assert ended == [1]


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_output_left_in_a_buffer_is_flushed_before_the_end(stream: str) -> None:
    program = (
        "import sys\nfrom syndicate import cli\n"
        f"cli.main = lambda: sys.{stream}.write('left in the buffer')\ncli.run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False, env=BUFFERED
    )
    assert (done.returncode, getattr(done, stream)) == (0, "left in the buffer")


@pytest.mark.parametrize(("given", "seen"), [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_pydantic_plugins_are_off_unless_the_environment_says(given: str | None, seen: str) -> None:
    """Pydantic would look for plugins among every installed distribution at the first model
    (and load them): syndicate's models want none; an empty value lets them all in."""
    env = {name: value for name, value in BUFFERED.items() if name != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    program = (
        "import os\nfrom syndicate import cli\n"
        "cli.main = lambda: print(os.environ['PYDANTIC_DISABLE_PLUGINS'])\ncli.run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout == seen + "\n"


@pytest.mark.parametrize("closed", [">&-", "2>&-", ">&- 2>&-"])
def test_a_program_started_with_its_output_closed_ends_as_the_command_does(
    closed: str, repository: Path
) -> None:
    """Python gives no stream for one closed before it started (sys.stdout is None): nothing
    to flush there, and the command's status stands."""
    done = subprocess.run(
        ["sh", "-c", f'"$0" -m syndicate --version {closed}', sys.executable],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
        env=BUFFERED,
    )
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["--version"], ["feeds"], ["build", "--check"], ["check"]])
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(
    args: list[str], repository: Path
) -> None:
    """Standard output on a full disk (/dev/full): one line says so, status 1."""
    assert _syndicate("build", "-q", cwd=repository).returncode == 0
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "syndicate", *args],
            cwd=repository,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=BUFFERED,
        )
    assert (done.returncode, done.stderr) == (
        1,
        "error: cannot write what the command prints: No space left on device\n",
    )


def test_an_error_that_names_a_file_is_not_taken_for_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stage names the file of its own write errors: one that escapes is a defect, shown."""

    def fails() -> None:
        raise OSError(28, "No space left on device", "out/ai/rss.xml")

    monkeypatch.setattr(cli, "main", fails)
    monkeypatch.setattr(cli.os, "_exit", lambda code: pytest.fail(f"ended with {code}"))
    with pytest.raises(OSError, match=r"rss\.xml"):
        cli.run()
