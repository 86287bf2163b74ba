"""Plain words for the common mistakes, as golden files: each case in tests/messages/<case>/
(seeds/, feeds.yaml) is checked with `syndicate check -v` (the plain message, then with -v
the parser's or validator's own words) and `syndicate check`, and the output compared with
its check.txt.

Regenerate after an intended change:  python -m pytest tests/test_messages.py --update-golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate.cli import main

MESSAGES = Path(__file__).resolve().parent / "messages"
CASES = sorted(p.name for p in MESSAGES.iterdir() if (p / "feeds.yaml").is_file())


def _check(case: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["check", "--seeds", "seeds", "--config", "feeds.yaml", *args]
    )
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("case", CASES)
def test_messages(
    case: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(MESSAGES / case)
    verbose_code, verbose = _check(case, "-v")
    code, plain = _check(case)
    built = f"$ syndicate check -v  # exit {verbose_code}\n{verbose}"
    expected_path = MESSAGES / case / "check.txt"
    if request.config.getoption("--update-golden"):
        expected_path.write_text(built, encoding="utf-8")
        pytest.skip("golden messages updated")
    assert built == expected_path.read_text("utf-8")
    # Without -v: the same lines, less the details.
    assert code == verbose_code
    assert plain.splitlines() == [
        line for line in verbose.splitlines() if not line.startswith("    detail: ")
    ]
    # No message is pydantic's or PyYAML's own wording: those are details.
    for line in plain.splitlines():
        for raw in ("Input should", "String should", "should have at least", "invalid YAML"):
            assert raw not in line, line


def test_every_case_has_its_golden_file() -> None:
    assert len(CASES) >= 15
    for case in CASES:
        assert (MESSAGES / case / "check.txt").is_file(), case


def test_two_bad_fields_every_problem_in_every_format(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each problem of a seed on its own line with its own line number: text, github, json,
    build, explain; the summaries count the seed once."""
    monkeypatch.chdir(MESSAGES / "seed-two-bad-fields")
    title = "seeds/x.txt:2: title: must not be empty"
    quality = "seeds/x.txt:5: quality: must be a whole number, got 'high'"
    image = (
        "seeds/x.txt:7: images[0].url: warning: not an absolute http(s) URL: "
        "'javascript:alert(1)'; dropped images[0]"
    )
    empty = "feeds.yaml:5: feeds.all: warning: feed 'all' selected no items"
    code, text = _check("", "-q")
    assert (code, text.splitlines()) == (1, [title, quality, image, empty])

    code, github = _check("", "--format", "github", "-q")
    assert code == 1
    assert github.splitlines() == [
        "::error file=seeds/x.txt,line=2,title=title::must not be empty",
        "::error file=seeds/x.txt,line=5,title=quality::must be a whole number, got 'high'",
        "::warning file=seeds/x.txt,line=7,title=images[0].url::not an absolute http(s) URL: "
        "'javascript:alert(1)'; dropped images[0]",
        "::warning file=feeds.yaml,line=5,title=feeds.all::feed 'all' selected no items",
    ]
    code, output = _check("", "--format", "json")
    assert [(p["line"], p["field"], p["severity"]) for p in json.loads(output)] == [
        (2, "title", "error"),
        (5, "quality", "error"),
        (7, "images[0].url", "warning"),
        (5, "feeds.all", "warning"),
    ]
    code, text = _check("")
    assert text.splitlines()[-1] == (
        "checked feeds.yaml and 1 seed file (1 rejected): 2 errors, 2 warnings"
    )

    out = tmp_path / "out"
    args = ["--seeds", "seeds", "--config", "feeds.yaml"]
    build = CliRunner().invoke(main, ["build", *args, "--out", str(out), "--no-cache"])
    assert build.exit_code == 1
    assert build.stderr.splitlines() == [title, quality, image, empty]
    # The seed counted once; the feed's warning on the feed's row only.
    assert build.stdout.splitlines()[:3] == [
        "seeds: 1 read, 1 rejected, 1 warning",
        "  feed  items  written  unchanged  problems",
        "  all       0        4          0         1",
    ]

    explain = CliRunner().invoke(main, ["explain", "seeds/x.txt", *args])
    assert explain.exit_code == 1
    assert explain.stderr.splitlines() == [title, quality, image]
    assert explain.stdout == "seeds/x.txt: rejected, so it is in no feed\n"


def test_strict_tells_every_problem_of_the_seed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(MESSAGES / "seed-two-bad-fields")
    args = ["--seeds", "seeds", "--config", "feeds.yaml", "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, ["build", "--strict", "--no-cache", *args])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "seeds/x.txt:2: title: must not be empty",
        "seeds/x.txt:5: quality: must be a whole number, got 'high'",
        "seeds/x.txt:7: images[0].url: warning: not an absolute http(s) URL: "
        "'javascript:alert(1)'; dropped images[0]",
        "--strict: stopped at the first bad seed; nothing was written",
    ]
    assert not (tmp_path / "out").exists()
