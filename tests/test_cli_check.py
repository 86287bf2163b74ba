"""`syndicate check`: config and every seed validated at once, nothing written; three formats."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given
from hypothesis import strategies as st

from syndicate.cli import main, options, report
from syndicate.errors import Problem
from syndicate.words import readable_path, short_path

from conftest import SCHEMAS, SMALL_CONFIG, seed_text, write_seed

# SMALL_CONFIG: feed `all` is on line 7 (`  - id: all`).
TYPO_CONFIG = SMALL_CONFIG + "    limt: 3\n"  # line 10
EMPTY = "seeds/empty.txt:1: front matter: file is empty"
NO_DASHES = "seeds/nodash.txt:1: front matter: file does not start with a '---' line"


def run(*args: str, color: bool = False) -> Result:
    return CliRunner().invoke(main, list(args), color=color)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the default layout: seeds/ and config/feeds.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    write_seed(tmp_path / "seeds", "good.txt", seed_text())
    return tmp_path


def bad_seeds(ws: Path) -> None:
    write_seed(ws / "seeds", "empty.txt", "")
    write_seed(ws / "seeds", "nodash.txt", "no dashes\n")


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


# --------------------------------------------------------------------------- text


def test_all_good_exit_0_and_one_line(ws: Path) -> None:
    before = files(ws)
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == "checked config/feeds.yaml and 1 seed file: 0 errors, 0 warnings\n"
    assert result.stderr == ""
    assert files(ws) == before  # nothing written, no out/


def test_bad_seeds_exit_1_each_problem_a_line(ws: Path) -> None:
    bad_seeds(ws)
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{EMPTY}\n{NO_DASHES}\n"
        "checked config/feeds.yaml and 3 seed files (2 rejected): 2 errors, 0 warnings\n"
    )
    assert result.stderr == ""
    assert not (ws / "out").exists()


def test_config_error_exit_2_and_the_seeds_are_still_checked(ws: Path) -> None:
    bad_seeds(ws)
    (ws / "config" / "feeds.yaml").write_text(TYPO_CONFIG, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "config/feeds.yaml:10: feeds[0].limt: unknown key 'limt' (did you mean 'limit'?)",
        EMPTY,
        NO_DASHES,
        "checked config/feeds.yaml and 3 seed files (2 rejected): 3 errors, 0 warnings",
    ]


def test_warnings_alone_exit_0(ws: Path) -> None:
    config = SMALL_CONFIG.replace("    limit: 0\n", "    limit: 0\n    min_quality: 99\n")
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == (
        "config/feeds.yaml:7: feeds.all: warning: feed 'all' selected no items\n"
        "checked config/feeds.yaml and 1 seed file: 0 errors, 1 warning\n"
    )


def test_options_and_quiet(ws: Path) -> None:
    (ws / "elsewhere").mkdir()
    (ws / "config" / "feeds.yaml").rename(ws / "elsewhere" / "f.yaml")
    big = write_seed(ws / "other", "big.txt", seed_text(excerpt='"' + "x" * 400 + '"'))
    size = big.stat().st_size
    write_seed(ws / "other", "small.txt", seed_text(url="https://example.com/small"))
    result = run(
        "check", "--seeds", "other", "--config", "elsewhere/f.yaml", "--max-seed-size", "300"
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"other/big.txt:1: file: file is {size:,} bytes, over the limit of 300"
        " (a larger limit: --max-seed-size)",
        "checked elsewhere/f.yaml and 2 seed files (1 rejected): 1 error, 0 warnings",
    ]
    quiet = run("check", "-q", "--seeds", "other", "--config", "elsewhere/f.yaml")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert run("-q", "check", "--seeds", "other", "--config", "elsewhere/f.yaml").stdout == ""


def test_missing_seeds_folder_exit_2(ws: Path) -> None:
    result = run("check", "--seeds", "nowhere")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: nowhere: seeds folder not found\n"


def test_colour_on_a_terminal_only_and_same_text(ws: Path) -> None:
    bad_seeds(ws)
    plain = run("check")
    coloured = run("check", color=True)
    assert coloured.stdout != plain.stdout
    assert "\x1b[" in coloured.stdout
    assert click.unstyle(coloured.stdout) == plain.stdout


def test_no_color_environment_variable(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad_seeds(ws)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check", color=True).stdout


@given(
    st.builds(
        Problem,
        path=st.text(min_size=1),
        line=st.integers(1, 10**6),
        field=st.text(min_size=1),
        message=st.text(),
        severity=st.sampled_from(["error", "warning"]),
    )
)
@example(Problem("0" * 201, 1, "0", ""))  # a path shortened for reading
def test_styled_text_is_exactly_the_problem_line(problem: Problem) -> None:
    """Styles add nothing but styles; on a terminal a path too long to read is shortened in the
    middle, and a path's or field's control characters are escaped (`\\x0a`)."""
    path, field = readable_path(short_path(problem.path)), readable_path(problem.field)
    shown = dataclasses.replace(problem, path=path, field=field)
    assert click.unstyle(report.problem_text(problem, terminal=True)) == str(shown)


def test_a_long_path_is_shortened_on_a_terminal_only() -> None:
    """Hypothesis found it: a 200-character path (ENAMETOOLONG folders are thousands). A log
    or a pipe gets the whole path, for the tools that open it."""
    problem = Problem("seeds/" + "d/" * 150 + "x.txt", 1, "file", "too long")
    text = click.unstyle(report.problem_text(problem, terminal=True))
    assert text.startswith("seeds/.../") and text.endswith("/d/d/x.txt:1: file: too long")
    assert len(text) < 250
    assert click.unstyle(report.problem_text(problem)) == str(problem)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_problems_are_shortened_when_the_stream_is_a_terminal(
    monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    problem = Problem("seeds/" + "d/" * 150 + "x.txt", 1, "file", "too long")
    options.echo_problems([problem])
    shown = short_path(problem.path) if terminal else problem.path
    assert click.unstyle(stream.getvalue()) == f"{shown}:1: file: too long\n"


# --------------------------------------------------------------------------- github


def test_github_annotations(ws: Path) -> None:
    bad_seeds(ws)
    write_seed(ws / "seeds", "a,b:c.txt", "")
    (ws / "config" / "feeds.yaml").write_text(TYPO_CONFIG, encoding="utf-8")
    result = run("check", "--format", "github")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "::error file=config/feeds.yaml,line=10,title=feeds[0].limt::"
        "unknown key 'limt' (did you mean 'limit'?)",
        "::error file=seeds/a%2Cb%3Ac.txt,line=1,title=front matter::file is empty",
        "::error file=seeds/empty.txt,line=1,title=front matter::file is empty",
        "::error file=seeds/nodash.txt,line=1,title=front matter::"
        "file does not start with a '---' line",
        "checked config/feeds.yaml and 4 seed files (3 rejected): 4 errors, 0 warnings",
    ]


def test_github_warning_and_fatal_error(ws: Path) -> None:
    config = SMALL_CONFIG.replace("    limit: 0\n", "    limit: 0\n    min_quality: 99\n")
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    result = run("check", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "::warning file=config/feeds.yaml,line=7,title=feeds.all::feed 'all' selected no items"
    )
    missing = run("check", "--format", "github", "--seeds", "nowhere")
    assert missing.exit_code == 2
    assert missing.stdout == "::error title=syndicate::nowhere: seeds folder not found\n"
    assert missing.stderr == "error: nowhere: seeds folder not found\n"


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    problem = Problem("a,b:c%.txt", 3, "x:y,z", "50% done\r\nnext: line, more")
    assert report.github_annotation(problem) == (
        "::error file=a%2Cb%3Ac%25.txt,line=3,title=x%3Ay%2Cz::50%25 done%0D%0Anext: line, more"
    )
    warning = Problem("p", 1, "f", "m", "warning")
    assert report.github_annotation(warning) == "::warning file=p,line=1,title=f::m"


@given(st.text(), st.text(min_size=1))
def test_github_escaping_round_trips(message: str, path: str) -> None:
    line = report.github_annotation(Problem(path, 1, "f", message))
    properties, data = line.removeprefix("::error ").split("::", 1)
    assert "\n" not in line and "\r" not in line

    codes = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}

    def unescape(text: str) -> str:
        return re.sub("%25|%0D|%0A|%3A|%2C", lambda m: codes[m.group()], text)

    assert unescape(data) == message
    fields = dict(part.split("=", 1) for part in properties.split(","))
    assert unescape(fields["file"]) == readable_path(path)


def test_a_bidi_override_in_a_field_is_shown_as_an_escape() -> None:
    """U+202E would show `qual\u202eity` reversed on a terminal: written as `\\u202e`."""
    problem = Problem("seeds/a\u202etxt.md", 5, "qual\u202eity", "unknown field", "warning")
    assert click.unstyle(report.problem_text(problem)) == (
        "seeds/a\\u202etxt.md:5: qual\\u202eity: warning: unknown field"
    )


def test_github_annotation_shows_control_characters_of_a_name_as_escapes() -> None:
    """A file name's escape sequence would restyle or hide text in the CI log; a line break
    would end the annotation: both are written as `\\x1b`, `\\x0a`."""
    problem = Problem("seeds/\x1b[8mhidden\n.txt", 1, "ti\x1btle", "m")
    assert report.github_annotation(problem) == (
        "::error file=seeds/\\x1b[8mhidden\\x0a.txt,line=1,title=ti\\x1btle::m"
    )


# --------------------------------------------------------------------------- json


def _json(result: Result) -> list[dict[str, object]]:
    schema = json.loads((SCHEMAS / "check-output.schema.json").read_text("utf-8"))
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    return document  # type: ignore[no-any-return]


def test_json_good_is_an_empty_list(ws: Path) -> None:
    result = run("check", "--format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", "")
    assert _json(result) == []


def test_json_lists_every_problem(ws: Path) -> None:
    bad_seeds(ws)
    (ws / "config" / "feeds.yaml").write_text(TYPO_CONFIG, encoding="utf-8")
    result = run("check", "--format", "json")
    assert result.exit_code == 2
    assert _json(result) == [
        {
            "file": "config/feeds.yaml",
            "line": 10,
            "field": "feeds[0].limt",
            "severity": "error",
            "message": "unknown key 'limt' (did you mean 'limit'?)",
        },
        {
            "file": "seeds/empty.txt",
            "line": 1,
            "field": "front matter",
            "severity": "error",
            "message": "file is empty",
        },
        {
            "file": "seeds/nodash.txt",
            "line": 1,
            "field": "front matter",
            "severity": "error",
            "message": "file does not start with a '---' line",
        },
    ]


def test_json_warning(ws: Path) -> None:
    (ws / "seeds" / "link.txt").symlink_to("/etc/hostname")
    result = run("check", "--format", "json")
    assert result.exit_code == 0
    assert _json(result) == [
        {
            "file": "seeds/link.txt",
            "line": 1,
            "field": "file",
            "severity": "warning",
            "message": "symbolic link points outside the seeds folder; not followed",
        }
    ]


def test_schema_rejects_what_check_must_not_print() -> None:
    schema = json.loads((SCHEMAS / "check-output.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    good = {"file": "f", "line": 1, "field": "x", "severity": "error", "message": "m"}
    for bad in ({**good, "line": 0}, {**good, "severity": "fatal"}, {"file": "f"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], schema)


def test_unknown_format_is_a_usage_error(ws: Path) -> None:
    result = run("check", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


# ------------------------------------------------- answered from the last build's memo

# Every warning check reports: a placeholder base_url (check's own), a feed that selects
# nothing, and the size guard's (a feed over max_feed_bytes and over max_feed_items).
WARNING_CONFIG = """\
site:
  title: "Test site"
  base_url: "https://example.invalid/feeds/"
  language: en
feeds:
  - id: all
    title: "Everything"
    limit: 0
    max_feed_bytes: 100
    max_feed_items: 1
  - id: none
    title: "Nothing"
    topics: ["No such topic"]
"""


def settled_build(ws: Path, *args: str) -> Result:
    """A build (with the cache) of seeds made old, so that its memo holds for the next command."""
    for path in (ws / "seeds").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    return run("build", "-q", *args)


def replayed_and_cold(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Result, Result]:
    """`check ARGS` answered from the memo (checking is made to fail), then `check --no-cache`."""
    from syndicate.review import check

    with monkeypatch.context() as patched:

        def no_checking(*_: object, **__: object) -> None:
            raise AssertionError("checked again: not answered from the memo")

        patched.setattr(check, "check", no_checking)
        replayed = run("check", *args)
    return replayed, run("check", "--no-cache", *args)


def same(one: Result, other: Result) -> None:
    assert one.exception is None or isinstance(one.exception, SystemExit), one.exception
    assert (one.stdout, one.stderr, one.exit_code) == (other.stdout, other.stderr, other.exit_code)


OUTPUTS = [(), ("-q",), ("-v",), ("--format", "json"), ("--format", "github")]


@pytest.mark.parametrize("args", OUTPUTS)
@pytest.mark.parametrize("kind", ["good", "bad seeds", "warnings"])
def test_after_an_unchanged_build_check_answers_from_the_memo_as_a_cold_check(
    ws: Path, monkeypatch: pytest.MonkeyPatch, kind: str, args: tuple[str, ...]
) -> None:
    if kind == "bad seeds":
        bad_seeds(ws)
    if kind == "warnings":
        write_seed(ws / "seeds", "other.txt", seed_text("Another", "https://example.com/2"))
        (ws / "config" / "feeds.yaml").write_text(WARNING_CONFIG, encoding="utf-8")
    settled_build(ws)
    before = files(ws)
    replayed, cold = replayed_and_cold(monkeypatch, *args)
    same(replayed, cold)
    assert replayed.exit_code == {"good": 0, "bad seeds": 1, "warnings": 0}[kind]
    assert files(ws) == before  # nothing written
    if kind == "warnings" and args != ("-q",):
        shown = replayed.stdout
        for what in ("site.base_url", "selected no items", "max_feed_bytes", "max_feed_items"):
            assert what in shown


def test_a_check_that_matches_no_build_checks_again(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No build yet, a build with other options (--strict, another --out): checked again."""
    from syndicate.review import check

    calls: list[object] = []
    real = check.check

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(check, "check", counted)
    assert run("check").exit_code == 0
    settled_build(ws, "--strict")
    assert run("check").exit_code == 0
    settled_build(ws, "--out", "elsewhere")
    assert run("check").exit_code == 0
    assert len(calls) == 3
    settled_build(ws)
    assert run("check").exit_code == 0
    assert len(calls) == 3


@pytest.mark.parametrize("change", ["seed", "new seed", "config", "out"])
def test_a_change_since_the_build_is_checked_again(
    ws: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    settled_build(ws)
    if change == "seed":
        write_seed(ws / "seeds", "good.txt", "---\ntitle: [\n---\n")
    elif change == "new seed":
        bad_seeds(ws)
    elif change == "config":
        (ws / "config" / "feeds.yaml").write_text(WARNING_CONFIG, encoding="utf-8")
    else:
        (ws / "out" / "all" / "rss.xml").write_text("changed", encoding="utf-8")
    cold = run("check", "--no-cache")
    assert run("check").stdout == cold.stdout
    if change != "out":
        assert cold.stdout != "checked config/feeds.yaml and 1 seed file: 0 errors, 0 warnings\n"


def test_a_memo_without_checks_answer_is_checked_again(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memo written without what check adds (an older head): checked, not misreported."""
    from syndicate.incremental import cache, memo

    (ws / "config" / "feeds.yaml").write_text(WARNING_CONFIG, encoding="utf-8")
    settled_build(ws)
    folder = ws / "config" / cache.CACHE_DIR
    frames = [bytes(f) for f in cache.read_frames(folder / memo.MEMO_FILE, "memo") or []]
    head = cache.decode(frames[0])
    assert len(head) == 7 and head[6]  # the placeholder's warning is kept
    cache.write_frames(folder / memo.MEMO_FILE, [cache.encode(head[:6]), *frames[1:]], "memo")
    assert memo.load(folder) is not None
    replayed = run("check")
    assert "site.base_url" in replayed.stdout
    same(replayed, run("check", "--no-cache"))


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_config_named_otherwise_is_not_answered_from_the_memo(ws: Path, command: str) -> None:
    """The problems name the config as given: a build's memo of `config/feeds.yaml` does not
    answer for `/abs/.../config/feeds.yaml` (same file, same bytes)."""
    (ws / "config" / "feeds.yaml").write_text(WARNING_CONFIG, encoding="utf-8")
    settled_build(ws)
    spelled = (ws / "config" / "feeds.yaml").absolute().as_posix()
    result = run(command, "--config", spelled)
    assert f"{spelled}:3: site.base_url: warning" in result.stdout + result.stderr or (
        command == "build"  # build does not report the placeholder: its other warnings
        and f"{spelled}:11: feeds.none: warning" in result.stdout + result.stderr
    )
    assert "\nconfig/feeds.yaml:" not in "\n" + result.stdout + result.stderr


def test_without_a_memo_check_does_not_list_the_seeds_twice(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No build yet (a fresh clone in CI): nothing to answer from, so the seam is not asked."""
    from syndicate.incremental.seam import Past

    def no_past(*_: object) -> None:
        raise AssertionError("the build memo was looked for by listing the seeds")

    monkeypatch.setattr(Past, "open", no_past)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "checked config/feeds.yaml and 1 seed file: 0 errors, 0 warnings\n"
