"""`syndicate diff` and the flood guard in `build` and `check`.

The fixture, tests/golden/diff/: 16 seeds, built with before.yaml into out/; then the change
under review: after.yaml (feed `best` raises min_quality: items leave; feed `recent` drops its
published_after: 11 older items enter, past its flood_threshold of 3; feed `gone` is dropped;
feed `robots` is new) and an edited seed (14.txt: a corrected title).
Golden outputs: expected.* (`pytest --update-golden` rewrites them).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from syndicate.cli import main
from syndicate.review import diff, documents, feeds_in_out, floods
from syndicate.review.feeds_in_out import Item

from conftest import GOLDEN, SCHEMAS, build_into

FIXTURE = GOLDEN / "diff"
FLOOD = (
    "config/feeds.yaml:11: feeds.recent: warning: this change adds 11 items older than the "
    "newest item the feed already has (2024-01-16), the oldest from 2024-01-01: most feed "
    "readers will show them to subscribers as new (more than flood_threshold: 3). If that is "
    "not meant, narrow the rule (published_after, limit); if it is, raise flood_threshold for "
    "this feed"
)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """out/ built from the fixture's `before`, then seeds and config changed to `after`."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE / "seeds", tmp_path / "seeds")
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "feeds.yaml"
    shutil.copy(FIXTURE / "before.yaml", config)
    report = build_into(Path("seeds"), Path("config/feeds.yaml"), Path("out"))
    assert report.exit_code == 0 and not report.floods
    shutil.copy(FIXTURE / "after.yaml", config)
    shutil.copy(FIXTURE / "edited" / "14.txt", tmp_path / "seeds" / "14.txt")
    return tmp_path


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def golden(name: str, text: str, request: pytest.FixtureRequest) -> None:
    path = FIXTURE / name
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("output_format", "name"),
    [("text", "expected.txt"), ("markdown", "expected.md"), ("json", "expected.json")],
)
def test_diff_golden(
    project: Path, output_format: str, name: str, request: pytest.FixtureRequest
) -> None:
    before = tree(project / "out")
    result = run("diff", "--format", output_format, "--rows", "8")
    assert result.exit_code == 0, result.output
    golden(name, result.stdout, request)
    assert tree(project / "out") == before  # nothing written
    assert not (project / "config" / ".syndicate-cache").exists()


def test_diff_github_appends_the_markdown_to_the_step_summary(
    project: Path, request: pytest.FixtureRequest
) -> None:
    summary = project / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = run(
        "diff", "--format", "github", "--rows", "8", env={"GITHUB_STEP_SUMMARY": "summary.md"}
    )
    assert result.exit_code == 0, result.output
    golden("expected-github.txt", result.stdout, request)
    assert result.stdout.startswith(
        "::warning file=config/feeds.yaml,line=11,title=feeds.recent::this change adds 11 items"
    )
    markdown = run("diff", "--format", "markdown", "--rows", "8").stdout
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + markdown


def test_diff_github_without_a_step_summary_prints_the_markdown(project: Path) -> None:
    result = run("diff", "--format", "github", "--rows", "8", env={"GITHUB_STEP_SUMMARY": ""})
    markdown = run("diff", "--format", "markdown", "--rows", "8").stdout
    assert result.stdout.endswith(markdown)


def test_diff_json_matches_its_schema(project: Path) -> None:
    document = json.loads(run("diff", "--format", "json").stdout)
    schema = json.loads((SCHEMAS / "diff-output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    by_id = {feed["id"]: feed for feed in document["feeds"]}
    assert [(f, by_id[f]["status"]) for f in ("best", "recent", "robots", "gone")] == [
        ("best", "changed"),
        ("recent", "changed"),
        ("robots", "new"),
        ("gone", "removed"),
    ]
    assert by_id["best"]["summary"] == "best: +0 \u22124 ~1"
    assert by_id["recent"]["flood"]["count"] == 11


def test_exit_code(project: Path) -> None:
    assert run("diff", "--exit-code").exit_code == 1
    assert run("diff").exit_code == 0
    assert run("build", "-q").exit_code == 0
    quiet = run("diff", "--exit-code")
    assert quiet.exit_code == 0
    assert quiet.stdout == (
        "no feed changes: out/ is what a build would publish\nunchanged: best, recent, robots\n"
    )


def test_a_rejected_seed_exits_1_as_for_build(project: Path) -> None:
    assert run("build", "-q").exit_code == 0
    (project / "seeds" / "bad.txt").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    for args in (["diff"], ["diff", "--exit-code"], ["build", "-q"]):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "seeds/bad.txt:2: webUrl: required field is missing" in result.stderr


def test_config_error_exits_2(project: Path) -> None:
    config = project / "config" / "feeds.yaml"
    config.write_text(config.read_text().replace("min_quality: 60", "min_qualty: 60"))
    result = run("diff", "--exit-code")
    assert result.exit_code == 2
    assert result.stderr == (
        "config/feeds.yaml:10: feeds[0].min_qualty: unknown key 'min_qualty'"
        " (did you mean 'min_quality'?)\n"
    )


def test_flood_option_overrides_the_config(project: Path) -> None:
    assert "warning:" in run("diff").stdout
    assert "warning:" not in run("diff", "--flood", "11").stdout
    assert "this change adds 11 items" in run("diff", "--flood", "10").stdout


def test_build_warns_of_a_flood_once_with_exit_code_unchanged(project: Path) -> None:
    first = run("build")
    assert first.exit_code == 0
    assert first.stderr == FLOOD + "\n"
    assert "seeds: 16 read, 0 rejected, 0 warnings" in first.stdout
    second = run("build")  # out/ has the items now: nothing floods
    assert (second.exit_code, second.stderr) == (0, "")


def test_build_without_cache_and_build_check_warn_too(project: Path) -> None:
    check_only = run("build", "--check")
    assert check_only.exit_code == 1  # stale: as before
    assert check_only.stderr == FLOOD + "\n"
    result = run("build", "--no-cache")
    assert (result.exit_code, result.stderr) == (0, FLOOD + "\n")


def test_check_shows_the_flood(project: Path) -> None:
    text = run("check")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0] == FLOOD
    github = run("check", "--format", "github")
    assert github.stdout.splitlines()[0] == (
        "::warning file=config/feeds.yaml,line=11,title=feeds.recent::this change adds 11 items "
        "older than the newest item the feed already has (2024-01-16), the oldest from "
        "2024-01-01: most feed readers will show them to subscribers as new (more than "
        "flood_threshold: 3). If that is not meant, narrow the rule (published_after, limit); "
        "if it is, raise flood_threshold for this feed"
    )
    assert github.exit_code == 0


def test_check_compares_with_out_option(project: Path) -> None:
    assert "flood" not in run("check", "--out", "elsewhere").stdout


# ------------------------------------------------------------------------ reading back


def test_every_format_reads_back_the_same_items(project: Path) -> None:
    """The three documents of a feed carry the same items: whichever diff reads, same answer."""
    out = project / "out"
    for feed_id in ("best", "recent"):
        read = [feeds_in_out.read_out(out, feed_id, name).items for name in documents.PREFERENCE]
        assert read[0] == read[1] == read[2]
        assert len(read[0]) > 3
        assert all(item.summary and item.summary.startswith("Story number") for item in read[0])


def test_a_feed_file_that_is_not_a_feed_is_said_so(tmp_path: Path) -> None:
    with pytest.raises(feeds_in_out.UnreadableFeedError, match="not a JSON Feed"):
        feeds_in_out.parse("feed.json", b'{"title": "x"}')
    with pytest.raises(feeds_in_out.UnreadableFeedError, match="not an Atom feed"):
        feeds_in_out.parse("atom.xml", b"<rss/>")
    with pytest.raises(feeds_in_out.UnreadableFeedError, match="not a feed syndicate can read"):
        feeds_in_out.parse("rss.xml", b"<rss><channel><item>")
    item = b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": 1}]}'
    with pytest.raises(feeds_in_out.UnreadableFeedError, match=r"read \(no '[a-z_]+'\)$"):
        feeds_in_out.parse("feed.json", item)


def test_an_unreadable_feed_file_is_noted_and_the_next_format_read(project: Path) -> None:
    (project / "out" / "best" / "feed.json").write_text("{", encoding="utf-8")
    lines = run("diff").stdout.splitlines()
    at = lines.index("best: +0 \u22124 ~1  (9 \u2192 5 items)")
    assert lines[at + 1].startswith(
        "  note: out/best/feed.json: not a feed syndicate can read (Expecting"
    )
    for name in ("atom.xml", "rss.xml"):
        (project / "out" / "best" / name).write_text("<", encoding="utf-8")
    lines = run("diff").stdout.splitlines()
    at = lines.index("new feed best: +5 \u22120 ~0 (not in the output folder yet)")
    assert lines[at + 1].endswith("; compared as a new feed")
    assert "out/best/atom.xml: not a feed syndicate can read" in lines[at + 1]


def test_an_unreadable_file_of_an_unchanged_feed_is_noted_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE / "seeds", tmp_path / "seeds")
    (tmp_path / "config").mkdir()
    shutil.copy(FIXTURE / "before.yaml", tmp_path / "config" / "feeds.yaml")
    assert build_into(Path("seeds"), Path("config/feeds.yaml"), Path("out")).exit_code == 0
    (tmp_path / "out" / "best" / "feed.json").write_text("{", encoding="utf-8")
    text = run("diff").stdout.splitlines()
    assert text[0].startswith("no feed changes")
    assert text[-1].startswith("  note: best: out/best/feed.json: not a feed syndicate can read")
    markdown = run("diff", "--format", "markdown").stdout
    assert "Note on `best`: out/best/feed.json: not a feed syndicate can read" in markdown


def _item(url: str, day: int, **fields: object) -> Item:
    values: dict[str, object] = {
        "url": url,
        "title": url,
        "published": datetime(2024, 1, day, tzinfo=UTC),
        "summary": None,
        "enclosures": (),
        "related": (),
        **fields,
    }
    return Item(**values)  # type: ignore[arg-type]


def test_changes_name_each_field_and_keep_feed_order() -> None:
    before = [
        _item("e", 9),
        _item("d", 7, summary="old", enclosures=("i",)),
        _item("c", 5),
        _item("b", 3, related=(("r", "R"),)),
    ]
    after = [
        _item("f", 8),
        _item("d", 6, summary="new", enclosures=("j",)),
        _item("b", 3, related=(("r", "R2"),), title="B"),
        _item("a", 1),
    ]
    changes = diff.item_changes(before, after)
    assert [(c.kind, c.item.url, c.fields) for c in changes] == [
        ("removed", "e", ()),
        ("added", "f", ()),
        ("changed", "d", ("date", "summary", "enclosure")),
        ("removed", "c", ()),
        ("changed", "b", ("title", "related")),
        ("added", "a", ()),
    ]


def test_flood_counts_only_items_older_than_the_newest_one() -> None:
    before = [_item("new", 20)]
    added = [diff.ItemChange("added", _item(f"u{d}", d)) for d in range(10, 25)]
    flood = diff.flood_of(before, added, threshold=9)
    assert flood is not None
    assert (flood.count, flood.oldest.day, flood.newest_before.day) == (10, 10, 20)
    assert diff.flood_of(before, added, threshold=10) is None
    assert diff.flood_of([], added, threshold=0) is None  # a new feed has nobody to flood


def test_build_does_not_read_back_a_document_over_the_flood_limit(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed far over the size guard is not parsed again by build's flood guard (its memory
    would grow with the feed); `syndicate diff`, asked for, still compares it."""
    monkeypatch.setattr(floods, "FLOOD_MAX_BYTES", 10)
    assert "warning:" in run("diff").stdout
    built = run("build")
    assert (built.exit_code, built.stderr) == (0, "")
