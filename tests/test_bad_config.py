"""Bad config: exit 2, every problem as `FILE:LINE: key: message`, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from syndicate.cli import main

from badinput import Workspace, mtimes, seed_text, tree

SITE = """\
site:
  title: "Test site"
  base_url: "https://example.org/news/"
"""
# Lines 1-3 are SITE; line 4 `feeds:`, line 5 `- id: a`, line 6 title, line 7 onwards: extra.
ONE_FEED = SITE + 'feeds:\n  - id: a\n    title: "A"\n'
ID_PATTERN = "feed ids are lowercase letters, digits and '-' (for example 'venture-beat')"


def _case(name: str, text: str, *expected: str, **kwargs: Any) -> Any:
    return pytest.param(text, expected, id=name, **kwargs)


CONFIG_ERRORS = [
    # Unknown keys: named, with their line, and a suggestion.
    _case(
        "feed-typo",
        ONE_FEED + "    min_qualty: 60\n",
        "feeds.yaml:7: feeds[0].min_qualty: unknown key 'min_qualty' (did you mean 'min_quality'?)",
    ),
    _case(
        "defaults-typo",
        SITE + "defaults:\n  publshed_only: true\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:5: defaults.publshed_only: unknown key 'publshed_only' "
        "(did you mean 'published_only'?)",
    ),
    _case(
        "site-typo",
        SITE + "  titel: x\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:4: site.titel: unknown key 'titel' (did you mean 'title'?)",
    ),
    _case(
        "author-typo",
        SITE + "  author:\n    name: Ed\n    mail: ed@example.org\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:6: site.author.mail: unknown key 'mail' (did you mean 'email'?)",
    ),
    _case(
        "top-level-typo",
        SITE + 'feed:\n  - id: a\n    title: "A"\n',
        "feeds.yaml:4: feed: unknown key 'feed' (did you mean 'feeds'?)",
        "feeds.yaml:1: feeds: required key is missing",
    ),
    _case(
        "unknown-key-lists-allowed",
        ONE_FEED + "    colour: blue\n",
        "feeds.yaml:7: feeds[0].colour: unknown key 'colour'; allowed: *min_quality*",
    ),
    _case(
        "feed-key-in-defaults",
        SITE + "defaults:\n  title: x\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:5: defaults.title: unknown key 'title'; allowed: *",
    ),
    # Wrong types.
    _case(
        "limit-text",
        ONE_FEED + "    limit: ten\n",
        "feeds.yaml:7: feeds[0].limit: must be a whole number, got 'ten'",
    ),
    _case(
        "limit-negative",
        ONE_FEED + "    limit: -1\n",
        "feeds.yaml:7: feeds[0].limit: limit must be 0 (no limit) or more, got -1",
    ),
    _case(
        "min-quality-quoted",
        ONE_FEED + "    min_quality: '60'\n",
        "feeds.yaml:7: feeds[0].min_quality: must be a whole number, got '60': write it without"
        " quotes",
    ),
    _case(
        "published-only-text",
        ONE_FEED + "    published_only: 'yes'\n",
        "feeds.yaml:7: feeds[0].published_only: must be true or false, got 'yes'",
    ),
    _case(
        "topics-string",
        ONE_FEED + "    topics: AI\n",
        "feeds.yaml:7: feeds[0].topics: must be a list (one '- item' per line, or [a, b]),"
        " got 'AI'",
    ),
    _case(
        "formats-string",
        ONE_FEED + "    formats: rss\n",
        "feeds.yaml:7: feeds[0].formats: must be a list (one '- item' per line, or [a, b]),"
        " got 'rss'",
    ),
    _case(
        "title-number",
        SITE + "feeds:\n  - id: a\n    title: 5\n",
        "feeds.yaml:6: feeds[0].title: must be text, got 5: put it in quotes to keep it as text",
    ),
    _case(
        "feed-not-a-mapping",
        SITE + "feeds:\n  - a\n",
        "feeds.yaml:5: feeds[0]: must be a mapping of 'key: value' lines, got 'a'",
    ),
    _case(
        "defaults-not-a-mapping",
        SITE + "defaults: 5\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:4: defaults: must be a mapping of 'key: value' lines, got 5",
    ),
    _case(
        "bad-default-value",
        SITE + "defaults:\n  limit: many\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:5: defaults.limit: must be a whole number, got 'many'",
    ),
    _case(
        "empty-exclude-topic",
        ONE_FEED + "    exclude_topics: ['  ']\n",
        "feeds.yaml:7: feeds[0].exclude_topics: names must not be empty",
    ),
    _case(
        "invisible-topic-name",
        ONE_FEED + '    topics: ["\\u200b"]\n',
        "feeds.yaml:7: feeds[0].topics: names must not be empty",
    ),
    _case(
        "bad-published-after",
        ONE_FEED + "    published_after: last week\n",
        "feeds.yaml:7: feeds[0].published_after: *",
    ),
    _case(
        "published-after-iso-week",
        ONE_FEED + "    published_after: 2020-W01-1T00:00:00Z\n",
        "feeds.yaml:7: feeds[0].published_after: not a valid date-time: '2020-W01-1T00:00:00Z';"
        " write it as 2020-06-11T22:56:00Z (date, T, time, Z or an offset such as +02:00)",
    ),
    # Feed ids.
    _case(
        "id-dotdot",
        SITE + 'feeds:\n  - id: "../x"\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got '../x'",
    ),
    _case(
        "id-absolute",
        SITE + 'feeds:\n  - id: "/etc"\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got '/etc'",
    ),
    _case(
        "id-slash",
        SITE + 'feeds:\n  - id: "a/b"\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got 'a/b'",
    ),
    _case(
        "id-upper",
        SITE + "feeds:\n  - id: UPPER\n    title: X\n",
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got 'UPPER'",
    ),
    _case(
        "id-dot",
        SITE + 'feeds:\n  - id: "."\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got '.'",
    ),
    _case(
        "id-empty",
        SITE + 'feeds:\n  - id: ""\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got ''",
    ),
    _case(
        "id-backslash",
        SITE + 'feeds:\n  - id: "a\\\\b"\n    title: X\n',
        f"feeds.yaml:5: feeds[0].id: {ID_PATTERN}, got 'a\\\\b'",
    ),
    _case(
        "id-number",
        SITE + "feeds:\n  - id: 12\n    title: X\n",
        "feeds.yaml:5: feeds[0].id: must be text, got 12: put it in quotes to keep it as text",
    ),
    _case(
        "id-missing",
        SITE + "feeds:\n  - title: X\n",
        "feeds.yaml:5: feeds[0].id: required key is missing",
    ),
    # base_url.
    _case(
        "base-url-ftp",
        ONE_FEED.replace("https://example.org/news/", "ftp://example.org/news/"),
        "feeds.yaml:3: site.base_url: not an absolute http(s) URL: 'ftp://example.org/news/'",
    ),
    _case(
        "base-url-no-scheme",
        ONE_FEED.replace("https://example.org/news/", "example.org/news/"),
        "feeds.yaml:3: site.base_url: not an absolute http(s) URL: 'example.org/news/'",
    ),
    _case(
        "base-url-relative",
        ONE_FEED.replace("https://example.org/news/", "/news/"),
        "feeds.yaml:3: site.base_url: not an absolute http(s) URL: '/news/'",
    ),
    _case(
        "base-url-javascript",
        ONE_FEED.replace("https://example.org/news/", "javascript:x//"),
        "feeds.yaml:3: site.base_url: not an absolute http(s) URL: 'javascript:x//'",
    ),
    _case(
        "base-url-no-slash",
        ONE_FEED.replace("https://example.org/news/", "https://example.org/news"),
        "feeds.yaml:3: site.base_url: must end with '/': 'https://example.org/news'",
    ),
    _case(
        "base-url-missing",
        'site:\n  title: "T"\nfeeds:\n  - id: a\n    title: A\n',
        "feeds.yaml:1: site.base_url: required key is missing",
    ),
    # Feed lists and rules.
    _case(
        "no-feeds",
        SITE + "feeds: []\n",
        "feeds.yaml:4: feeds: list at least one feed (each starts with '- id: ...')",
    ),
    _case("feeds-missing", SITE, "feeds.yaml:1: feeds: required key is missing"),
    _case(
        "feeds-null",
        SITE + "feeds:\n",
        (
            "feeds.yaml:4: feeds: must be a list (one '- item' per line, or [a, b]),"
            " got nothing (an empty value)"
        ),
    ),
    # A key with no value, where None would mean "rule not applied": the feed would widen.
    _case(
        "rule-without-value",
        ONE_FEED + "    topics:\n",
        "feeds.yaml:7: feeds[0].topics: has no value: write one, or leave the key out",
    ),
    _case(
        "quality-null",
        ONE_FEED + "    min_quality: ~\n",
        "feeds.yaml:7: feeds[0].min_quality: has no value: write one, or leave the key out",
    ),
    _case(
        "defaults-rule-without-value",
        SITE + "defaults:\n  providers:\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:5: defaults.providers: has no value: write one, or leave the key out",
    ),
    _case(
        "site-description-without-value",
        SITE + "  description:\n" + ONE_FEED[len(SITE) :],
        "feeds.yaml:4: site.description: has no value: write one, or leave the key out",
    ),
    # Text that is only white space (feed readers would show nothing).
    _case(
        "blank-feed-title",
        SITE + 'feeds:\n  - id: a\n    title: "  \\t "\n',
        "feeds.yaml:6: feeds[0].title: is blank: write some text",
    ),
    _case(
        "invisible-feed-title",
        SITE + 'feeds:\n  - id: a\n    title: "\\u200b\\u2060"\n',
        "feeds.yaml:6: feeds[0].title: is blank: write some text",
    ),
    _case(
        "blank-author-name",
        SITE + '  author:\n    name: "\\u00a0"\n' + ONE_FEED[len(SITE) :],
        "feeds.yaml:5: site.author.name: is blank: write some text",
    ),
    _case(
        "yaml-set-tag",
        ONE_FEED + "    topics: !!set {a, b}\n",
        "feeds.yaml:7: config: unsupported YAML tag !!set",
    ),
    _case(
        "unclosed-quote-closed-by-the-next-line",
        SITE.replace('"Test site"', '"Test site') + 'feeds:\n  - id: a\n    title: "A"\n',
        "feeds.yaml:2: config: a quoted value starts here and ends on line 3, where YAML then"
        " stops: close the quote on this line",
    ),
    _case(
        "line-separator-in-a-title-before-the-problem",
        SITE + 'feeds:\n  - id: a\n    title: "A\u2028B"\n    limit: x\n',
        "feeds.yaml:7: feeds[0].limit: must be a whole number, got 'x'",
    ),
    _case(
        "yaml-anchor-without-alias",
        ONE_FEED + "    topics: &t [a, b]\n",
        "feeds.yaml:7: config: YAML anchors and aliases (&name, *name) are not"
        " allowed: put a value that starts with '&' or '*' in quotes",
    ),
    _case(
        "yaml-bool-tag-on-yes",
        ONE_FEED + "    published_only: !!bool yes\n",
        "feeds.yaml:7: feeds[0].published_only: the tag !!bool needs true or false, not 'yes'",
    ),
    _case(
        "yaml-int-tag-on-octal",
        ONE_FEED + "    min_quality: !!int '017'\n",
        "feeds.yaml:7: feeds[0].min_quality: the tag !!int needs a whole number such as 17 or -3,"
        " not '017'",
    ),
    _case(
        "yaml-map-tag-on-list",
        ONE_FEED + "    topics: !!map [a, b]\n",
        "feeds.yaml:7: feeds[0].topics: the tag !!map needs key: value lines, not a list",
    ),
    _case(
        "published-only-no",
        ONE_FEED + "    published_only: no\n",
        "feeds.yaml:7: feeds[0].published_only: must be true or false, got 'no'",
    ),
    _case(
        "min-quality-sexagesimal",
        ONE_FEED + "    min_quality: 1:20\n",
        "feeds.yaml:7: feeds[0].min_quality: must be a whole number, got '1:20'",
    ),
    _case(
        "empty-topics",
        ONE_FEED + "    topics: []\n",
        "feeds.yaml:7: feeds[0].topics: is an empty list: list at least one, or leave the key out",
    ),
    _case(
        "unknown-format",
        ONE_FEED + "    formats: [rss, pdf]\n",
        "feeds.yaml:7: feeds[0].formats: unknown format 'pdf'; choose from rss, atom, json",
    ),
    _case(
        "no-formats",
        ONE_FEED + "    formats: []\n",
        "feeds.yaml:7: feeds[0].formats: list at least one format: rss, atom, json",
    ),
    _case(
        "format-twice",
        ONE_FEED + "    formats: [rss, rss]\n",
        "feeds.yaml:7: feeds[0].formats: formats are listed twice",
    ),
    # YAML.
    _case(
        "yaml-syntax",
        ONE_FEED + "    topics: [AI\n",
        # the line of the '[' (YAML notices on the next)
        "feeds.yaml:7: config: a [list] is not closed: add the ']' (and separate its items"
        " with ',')",
    ),
    _case(
        "yaml-tab",
        ONE_FEED + "\tlimit: 1\n",
        (
            "feeds.yaml:7: config: a tab character: YAML indents with spaces; replace the tab"
            " with spaces"
        ),
    ),
    _case(
        "yaml-duplicate-key",
        ONE_FEED + "    title: B\n",
        "feeds.yaml:7: feeds[0].title: duplicate key 'title' (first given on line 6)",
    ),
    _case(
        "yaml-alias",
        SITE + "defaults: &d {limit: 1}\nfeeds:\n  - id: a\n    title: A\n"
        "  - id: b\n    title: *d\n",
        "feeds.yaml:4: config: YAML anchors and aliases (&name, *name) are not"
        " allowed: put a value that starts with '&' or '*' in quotes",
    ),
    _case(
        "yaml-python-tag",
        ONE_FEED + "    limit: !!python/object/apply:os.system [id]\n",
        "feeds.yaml:7: config: unsupported YAML tag !!python/object/apply:os.system",
    ),
    _case("yaml-huge-integer", ONE_FEED + "    limit: " + "9" * 5000 + "\n", "feeds.yaml:7: *"),
    _case(
        "yaml-deep-nesting",
        ONE_FEED + "    topics: " + "[" * 5000 + "]" * 5000 + "\n",
        "feeds.yaml:7: *",
    ),
    _case("empty-config", "", "feeds.yaml:1: config: must be a mapping with site: and feeds:"),
    _case(
        "list-config", "- site\n", "feeds.yaml:1: config: must be a mapping with site: and feeds:"
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONFIG_ERRORS)
def test_config_error_exits_2_and_writes_nothing(
    ws: Workspace, text: str, expected: tuple[str, ...]
) -> None:
    ws.write_config(text)
    run = ws.build()
    assert run.code == 2, run.report()
    assert run.stdout == ""
    assert run.lines[-1] == "config error: nothing was written", run.report()
    assert len(run.lines) == len(expected) + 1, run.report()
    assert not ws.out.exists()
    assert sorted(p.name for p in ws.root.iterdir()) == ["feeds.yaml", "seeds"]
    run.expect(*expected)


DUPLICATE_IDS = ONE_FEED + '  - id: b\n    title: "B"\n  - id: a\n    title: "A again"\n'


def test_duplicate_feed_id(ws: Workspace) -> None:
    ws.write_config(DUPLICATE_IDS)
    run = ws.build()
    assert run.code == 2
    assert not ws.out.exists()
    run.expect("feeds.yaml:9: feeds[2].id: feed id 'a' is used twice (first on line 5)")


def test_duplicate_feed_id_is_reported_once(ws: Workspace) -> None:
    ws.write_config(DUPLICATE_IDS)
    run = ws.build()
    assert run.lines == [
        "feeds.yaml:9: feeds[2].id: feed id 'a' is used twice (first on line 5)",
        "config error: nothing was written",
    ]


def test_every_config_problem_is_reported_at_once(ws: Workspace) -> None:
    ws.write_config(
        SITE.replace("https://example.org/news/", "https://example.org/news")
        + "feeds:\n  - id: a\n    title: A\n    limt: 5\n  - id: B\n    title: B\n"
        "    topics: []\n"
    )
    run = ws.build()
    assert run.code == 2
    assert run.lines == [
        "feeds.yaml:3: site.base_url: must end with '/': 'https://example.org/news'",
        "feeds.yaml:7: feeds[0].limt: unknown key 'limt' (did you mean 'limit'?)",
        f"feeds.yaml:8: feeds[1].id: {ID_PATTERN}, got 'B'",
        "feeds.yaml:10: feeds[1].topics: is an empty list: list at least one, or leave the key out",
        "config error: nothing was written",
    ]


def test_config_error_leaves_a_previous_output_untouched(ws: Workspace) -> None:
    assert ws.build().code == 0
    before, stamps = tree(ws.out), mtimes(ws.out)
    ws.write_config(ONE_FEED + "    min_qualty: 1\n")
    run = ws.build()
    assert run.code == 2
    assert (tree(ws.out), mtimes(ws.out)) == (before, stamps)


def test_missing_config_file(ws: Workspace) -> None:
    run = Workspace(ws.root, ws.seeds, Path("missing.yaml"), ws.out).build()
    assert run.code == 2
    assert run.lines == [
        "missing.yaml:1: config: config file not found: no missing.yaml in"
        f" {Path.cwd().as_posix()}/; run syndicate in the folder that holds it, or give its"
        " path with --config FILE",
        "config error: nothing was written",
    ]
    assert not ws.out.exists()


def test_default_config_not_found_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a folder without config/: the message names where it looked and --config."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for command in (["build"], ["check"], ["feeds"], ["explain", "x.txt"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, (command, result.output)
        assert (
            f"config/feeds.yaml:1: config: config file not found: no feeds.yaml in "
            f"{elsewhere.as_posix()}/config/; run syndicate in the folder that holds it, or give"
            " its path with --config FILE"
        ) in result.output.splitlines(), (command, result.output)
        written = "config error: nothing was written" in result.output
        assert written == (command == ["build"]), command


def test_config_path_is_a_folder(ws: Workspace) -> None:
    Path("conf.d").mkdir()
    run = Workspace(ws.root, ws.seeds, Path("conf.d"), ws.out).build()
    assert run.code == 2
    assert run.lines[0] == "conf.d:1: config: config path is a folder"
    assert not ws.out.exists()


def test_config_not_utf8(ws: Workspace) -> None:
    ws.config.write_bytes(ONE_FEED.replace("Test site", "Caf\xe9").encode("latin-1"))
    run = ws.build()
    assert run.code == 2
    run.expect("feeds.yaml:2: config: file is not UTF-8 (byte 0xe9 at offset 19): save it as UTF-8")


def test_unsafe_feed_id_writes_nothing_outside(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    for bad in ("../x", "../../x", "/tmp/x"):
        ws.write_config(SITE + f'feeds:\n  - id: "{bad}"\n    title: X\n')
        run = Workspace(ws.root, ws.seeds, ws.config, Path("inner/out")).build()
        assert run.code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml", "inner", "seeds"]
    assert not list((tmp_path / "inner").iterdir())


# --------------------------------------------------------------------------- defaults


def _item_ids(ws: Workspace, feed: str) -> list[str]:
    document = json.loads((ws.out / feed / "feed.json").read_text("utf-8"))
    return [item["id"].rsplit("/", 1)[1] for item in document["items"]]


def test_defaults_apply_to_each_feed_unless_it_sets_the_rule(ws: Workspace) -> None:
    for path in ws.seeds.iterdir():
        path.unlink()
    stories = {  # name: (quality, published, topics, day)
        "a": (90, "true", "[Computer Vision]", 11),
        "b": (10, "true", "[NLP]", 12),
        "c": (90, "false", "[Computer Vision]", 13),
        "d": (95, "true", "[Robotics]", 14),
    }
    for name, (quality, published, topics, day) in stories.items():
        ws.seed(
            f"{name}.txt",
            seed_text(
                url=f"https://example.com/{name}",
                date=f"2020-06-{day}T10:00:00Z",
                extra=f"quality: {quality}\npublished: {published}\ntopics: {topics}\n",
            ),
        )
    ws.write_config(
        SITE
        + """\
defaults:
  limit: 1
  published_only: true
  min_quality: 50
  formats: [json]
feeds:
  - id: plain
    title: "Defaults only"
  - id: override
    title: "Every rule set"
    limit: 0
    published_only: false
    min_quality: 0
    formats: [json, rss]
  - id: partial
    title: "Sets min_quality only"
    min_quality: 5
  - id: topical
    title: "Adds a rule"
    topics: [computer vision]
    limit: 5
"""
    )
    run = ws.build()
    assert run.code == 0, run.report()
    assert _item_ids(ws, "plain") == ["d"]
    assert _item_ids(ws, "override") == ["d", "c", "b", "a"]
    assert _item_ids(ws, "partial") == ["d"]
    assert _item_ids(ws, "topical") == ["a"]
    assert sorted(tree(ws.out)) == [
        ".syndicate-manifest.json",
        "feeds.opml",
        "index.html",
        "override/feed.json",
        "override/index.html",
        "override/rss.xml",
        "partial/feed.json",
        "partial/index.html",
        "plain/feed.json",
        "plain/index.html",
        "topical/feed.json",
        "topical/index.html",
    ]
