"""`syndicate build`: the summary table, -q/-v, the progress bar, `build --check` (the CI gate)."""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import pytest

from syndicate.cli import options as cli_options
from syndicate.cli.progress import Progress

from conftest import SMALL_CONFIG, edit_keeping_size_and_mtime, run, seed_text, write_seed

TWO_FEEDS = (
    SMALL_CONFIG
    + """\
  - id: computer-vision
    title: "Vision"
    topics: ["Computer Vision"]
"""
)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """seeds/ (two good seeds, one about Computer Vision) and config/feeds.yaml (two feeds)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(TWO_FEEDS, encoding="utf-8")
    write_seed(tmp_path / "seeds", "a.txt", seed_text("A", "https://example.com/a"))
    write_seed(
        tmp_path / "seeds",
        "b.txt",
        seed_text("B", "https://example.com/b", topics="[Computer Vision]"),
    )
    return tmp_path


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- summary


def files_in(root: Path, folder: str = "") -> list[str]:
    """The files a build wrote below `root` (or its `folder`), the manifest left out."""
    base = root / folder if folder else root
    names = [p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file()]
    return sorted(n for n in names if n != ".syndicate-manifest.json")


def test_summary_is_a_table(ws: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = ws / "out"
    per_feed = len(files_in(out, "all"))
    assert per_feed == len(files_in(out, "computer-vision")) >= 3  # rss, atom, json (+ pages)
    total = len(files_in(out))
    assert result.stdout == (
        "seeds: 2 read, 0 rejected, 0 warnings\n"
        "  feed             items  written  unchanged  problems\n"
        f"  all                  2        {per_feed}          0         0\n"
        f"  computer-vision      1        {per_feed}          0         0\n"
        f"files: {total} written, 0 unchanged, 0 removed\n"
    )
    again = run("build")
    assert again.stdout.splitlines()[2:] == [
        f"  all                  2        0          {per_feed}         0",
        f"  computer-vision      1        0          {per_feed}         0",
        f"files: 0 written, {total} unchanged, 0 removed",
    ]


def test_summary_counts_problems_of_a_feed_and_rejected_seeds(ws: Path) -> None:
    (ws / "seeds" / "b.txt").unlink()
    write_seed(ws / "seeds", "bad.txt", "")
    result = run("build")
    assert result.exit_code == 1
    # The feed's warning is counted on the feed's row only, not among the seeds' warnings.
    assert result.stderr == (
        "seeds/bad.txt:1: front matter: file is empty\n"
        "config/feeds.yaml:10: feeds.computer-vision: warning: feed 'computer-vision' selected"
        " no items; no seed has topic 'Computer Vision'\n"
    )
    per_feed, total = len(files_in(ws / "out", "all")), len(files_in(ws / "out"))
    assert result.stdout == (
        "seeds: 2 read, 1 rejected, 0 warnings\n"
        "  feed             items  written  unchanged  problems\n"
        f"  all                  1        {per_feed}          0         0\n"
        f"  computer-vision      0        {per_feed}          0         1\n"
        f"files: {total} written, 0 unchanged, 0 removed\n"
    )


def test_quiet_prints_problems_only(ws: Path) -> None:
    write_seed(ws / "seeds", "bad.txt", "")
    for args in (["build", "-q"], ["build", "--quiet"], ["-q", "build"]):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == "seeds/bad.txt:1: front matter: file is empty\n"


def test_verbose_lists_files_and_logs(ws: Path) -> None:
    assert run("build").exit_code == 0
    vision = files_in(ws / "out", "computer-vision")
    (ws / "config" / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    result = run("build", "-v")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("  removed: ")] == [
        f"  removed: {name}" for name in vision
    ]
    assert lines[-1].endswith(f" {len(vision)} removed")
    assert run("-v", "build").stdout.splitlines()[-1].endswith(" 0 removed")
    (ws / "config" / "feeds.yaml").write_text(TWO_FEEDS, encoding="utf-8")
    written = [line for line in run("-v", "build").stdout.splitlines() if "written: " in line]
    assert [line for line in written if "computer-vision/" in line] == [
        f"  written: {name}" for name in vision
    ]
    assert "  removed: " not in run("build").stdout


def test_config_and_strict_errors_as_before(ws: Path) -> None:
    (ws / "config" / "feeds.yaml").write_text(SMALL_CONFIG + "    limt: 3\n", encoding="utf-8")
    result = run("build")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "config/feeds.yaml:10: feeds[0].limt: unknown key 'limt' (did you mean 'limit'?)\n"
        "config error: nothing was written\n"
    )
    (ws / "config" / "feeds.yaml").write_text(TWO_FEEDS, encoding="utf-8")
    write_seed(ws / "seeds", "bad.txt", "")
    strict = run("build", "--strict")
    assert (strict.exit_code, strict.stdout) == (1, "")
    assert strict.stderr == (
        "seeds/bad.txt:1: front matter: file is empty\n"
        "--strict: stopped at the first bad seed; nothing was written\n"
    )
    assert not (ws / "out").exists()


# --------------------------------------------------------------------------- progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_progress_bar_when_stdout_is_not_a_terminal(ws: Path) -> None:
    result = run("build")  # CliRunner's stdout is not a terminal, like a CI log
    assert "\r" not in result.stdout and "reading" not in result.output


@pytest.mark.parametrize(("args", "shown"), [(["build"], True), (["build", "-q"], False)])
def test_progress_bar_on_a_terminal_unless_quiet(
    ws: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], shown: bool
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(cli_options, "stdout", lambda: terminal)
    monkeypatch.setattr(cli_options, "Progress", functools.partial(Progress, delay=0))
    assert run(*args).exit_code == 0
    text = terminal.getvalue()
    if shown:
        assert "reading seeds [" in text and text.endswith("\r")
        assert "2/2" in text
    else:
        assert text == ""


def test_progress_waits_for_the_delay_and_erases_itself() -> None:
    now = [0.0]
    stream = io.StringIO()
    with Progress(stream, total=4, delay=0.5, clock=lambda: now[0], width=4) as bar:
        bar.tick()
        assert stream.getvalue() == ""  # a quick build shows nothing
        now[0] = 0.6
        bar.tick()
        assert stream.getvalue() == "\rreading seeds [##--] 2/4"
        now[0] = 0.65
        bar.tick()  # throttled
        bar.tick()  # the last one is always drawn
        assert stream.getvalue().endswith("\rreading seeds [####] 4/4")
    assert stream.getvalue().endswith("\r" + " " * len("reading seeds [####] 4/4") + "\r")


def test_progress_without_a_total_counts() -> None:
    stream = io.StringIO()
    bar = Progress(stream, total=None, delay=0, clock=lambda: 1.0)
    bar.tick()
    assert stream.getvalue() == "\rreading seeds: 1"
    bar.close()
    bar.close()
    assert stream.getvalue() == "\rreading seeds: 1\r                \r"


# --------------------------------------------------------------------------- build --check


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def listing(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """What `build --check` must list, found by comparing two real output trees."""
    kinds = {name: "added" for name in after.keys() - before.keys()}
    kinds |= {name: "removed" for name in before.keys() - after.keys()}
    kinds |= {n: "changed" for n in before.keys() & after.keys() if before[n] != after[n]}
    return [f"  {kind:<8} {name}" for name, kind in sorted(kinds.items())]


def test_check_before_any_build_lists_every_file_as_added(ws: Path) -> None:
    result = run("build", "--check")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert not (ws / "out").exists()
    assert run("build", "--out", "reference").exit_code == 0
    expected = listing({}, tree(ws / "reference"))
    assert result.stdout.splitlines() == [
        f"out/ is stale: {len(expected)} files would change (run `syndicate build`)",
        *expected,
    ]
    assert "  added    .syndicate-manifest.json" in expected
    assert "  added    all/rss.xml" in expected


def test_check_after_a_build_is_up_to_date(ws: Path) -> None:
    assert run("build").exit_code == 0
    before = snapshot(ws / "out")
    result = run("build", "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"out/ is up to date ({len(files_in(ws / 'out'))} files)\n",
        "",
    )
    quiet = run("build", "--check", "-q")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert snapshot(ws / "out") == before


def test_check_lists_changed_and_removed_and_writes_nothing(ws: Path) -> None:
    assert run("build", "--out", "site").exit_code == 0
    old = tree(ws / "site")
    write_seed(ws / "seeds", "a.txt", seed_text("A, edited", "https://example.com/a"))
    (ws / "config" / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    before = snapshot(ws / "site")
    assert run("build", "--out", "reference").exit_code == 0
    expected = listing(old, tree(ws / "reference"))
    for name in ("atom.xml", "feed.json", "rss.xml"):
        assert f"  changed  all/{name}" in expected
        assert f"  removed  computer-vision/{name}" in expected
    assert "  changed  .syndicate-manifest.json" in expected
    for quiet in ([], ["-q"]):
        result = run("build", "--check", "--out", "site", *quiet)
        assert result.exit_code == 1
        assert result.stdout.splitlines() == [
            f"site/ is stale: {len(expected)} files would change (run `syndicate build`)",
            *expected,
        ]
    assert snapshot(ws / "site") == before
    assert run("build", "--out", "site").exit_code == 0
    assert run("build", "--check", "--out", "site").exit_code == 0


def test_an_edit_that_sets_the_mtime_back_is_built_and_checked(ws: Path) -> None:
    """`cp -p` or `touch -r` after an edit keeps a seed's size and mtime: `build` still
    writes the edit, and `build --check` agrees before and after."""
    for path in (ws / "seeds").iterdir():  # long past: a stat alone could be trusted
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert run("build", "-q").exit_code == 0
    assert run("build", "--check", "-q").exit_code == 0
    edit_keeping_size_and_mtime(ws / "seeds" / "a.txt", 'title: "A"', 'title: "Z"')
    check = run("build", "--check")
    assert check.exit_code == 1
    assert "  changed  all/rss.xml" in check.stdout.splitlines()
    built = run("build", "-q")
    assert (built.exit_code, built.stdout, built.stderr) == (0, "", "")
    assert b"<title>Z</title>" in (ws / "out" / "all" / "rss.xml").read_bytes()
    assert run("build", "--check", "-q").exit_code == 0


def test_a_smaller_seed_size_limit_rejects_a_seed_the_cache_had_read(ws: Path) -> None:
    """The parse cache answers for the limit it was filled with only: a seed read under a
    larger --max-seed-size is rejected unread under a smaller one, as without the cache."""
    big = seed_text("Big", "https://example.com/big", excerpt='"' + "x" * 3000 + '"')
    write_seed(ws / "seeds", "big.txt", big)
    for path in (ws / "seeds").iterdir():  # long past: a stat alone could be trusted
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert run("build", "-q", "--max-seed-size", "10000").exit_code == 0
    size = (ws / "seeds" / "big.txt").stat().st_size
    for args in ([], ["--no-cache"]):
        result = run("build", "-q", "--max-seed-size", "2000", *args)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (
            f"seeds/big.txt:1: file: file is {size:,} bytes, over the limit of 2,000"
            " (a larger limit: --max-seed-size)\n"
        ), args
        assert '"Big"' not in (ws / "out" / "all" / "feed.json").read_text("utf-8")


def test_check_notices_a_missing_manifest(ws: Path) -> None:
    assert run("build").exit_code == 0
    (ws / "out" / ".syndicate-manifest.json").unlink()
    result = run("build", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == ["  added    .syndicate-manifest.json"]


def test_check_with_a_rejected_seed_exits_1(ws: Path) -> None:
    assert run("build").exit_code == 0
    write_seed(ws / "seeds", "bad.txt", "")
    result = run("build", "--check")
    assert result.exit_code == 1
    assert result.stdout == f"out/ is up to date ({len(files_in(ws / 'out'))} files)\n"
    assert result.stderr == "seeds/bad.txt:1: front matter: file is empty\n"


def test_check_config_error_exits_2(ws: Path) -> None:
    assert run("build").exit_code == 0
    (ws / "config" / "feeds.yaml").write_text("site: {}\n", encoding="utf-8")
    result = run("build", "--check")
    assert (result.exit_code, result.stdout) == (2, "")
    # --check writes nothing anyway: no "nothing was written" after the problems
    assert result.stderr.splitlines() == [
        "config/feeds.yaml:1: feeds: required key is missing",
        "config/feeds.yaml:1: site.base_url: required key is missing",
        "config/feeds.yaml:1: site.title: required key is missing",
    ]


def test_check_missing_seeds_folder_exits_2(ws: Path) -> None:
    result = run("build", "--check", "--seeds", "nowhere")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: nowhere: seeds folder not found\n"


@pytest.mark.skipif(os.name == "nt", reason="a folder in use cannot be removed there")
def test_a_current_folder_that_was_removed_is_named_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    gone = tmp_path / "gone"
    gone.mkdir()
    script = (
        "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
        " from syndicate.cli import main; main(['build'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(gone)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: the current folder no longer exists: cd into your feeds repository again\n"
    )
