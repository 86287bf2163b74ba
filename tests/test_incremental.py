"""Incremental builds (incremental.py) write what a full build writes: after random sequences of
edits, a cached build into the same out/ equals an uncached build byte for byte, report
included; edits that no feed's selection sees render only the feeds that show the item; and
the parse cache's journal survives an append cut short."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate import build as syndicate_build
from syndicate.build import BuildOptions, BuildReport
from syndicate.errors import OutputError, StrictModeError
from syndicate.incremental import cache, memo, walk
from syndicate.incremental import update as incremental
from syndicate.publish import output
from syndicate.render import entry
from syndicate.review import check as review_check
from syndicate.review import check_replay
from syndicate.seeds import discovery, reading

from conftest import SMALL_CONFIG, build_into, edit_keeping_size_and_mtime, seed_text, write_seed

CONFIG = """\
site:
  title: "Incremental"
  base_url: "https://example.org/feeds/"
  websub_hubs: ["https://hub.example.net/"]
feeds:
  - id: all
    title: "Everything published"
    published_only: true
    limit: 4
  - id: ai
    title: "AI"
    topics: [AI]
    limit: 2
  - id: best
    title: "Best published"
    min_quality: 50
    published_only: true
  - id: bbc
    title: "BBC"
    providers: [BBC]
    formats: [atom]
  - id: archive
    title: "Archive"
    exclude_topics: [Robotics]
    limit: 2
    archive: true
    archive_page_size: 2
"""
# Other rules, several topics, a feed of every item (limit 0), and one that nothing passes.
OTHER_CONFIG = """\
site:
  title: "Incremental, other rules"
  base_url: "https://example.org/feeds/"
feeds:
  - id: every
    title: "Every item"
    limit: 0
  - id: two-topics
    title: "AI or NLP, recent"
    topics: [AI, nlp]
    published_after: "2024-01-04T00:00:00Z"
    limit: 3
  - id: news
    title: "News from anyone but Reuters"
    categories: [News]
    exclude_providers: [Reuters]
    formats: [json]
  - id: none
    title: "Nothing passes"
    min_quality: 1000
"""
# Rule values a seed's topic or provider is close to: warnings with a hint, which name what
# the seeds have, spelled as the first seed with it spells it (selection/hints.py).
HINTS_CONFIG = """\
site:
  title: "Incremental, hints"
  base_url: "https://example.org/feeds/"
feeds:
  - id: published
    title: "Published, no NLP"
    published_only: true
    exclude_topics: [NLPs]
  - id: robots
    title: "Robot stories"
    topics: [Robotic]
  - id: wire
    title: "Wire"
    providers: [Reuter]
"""
TOPICS = ("AI", "Robotics", "NLP")
SPELLINGS = ("ROBOTICS", "robotics", "Nlp")  # the same topics to selection, another spelling
PROVIDERS = ("BBC", "Reuters")
OLD = 1_000_000_000  # mtimes well before any build: only a real change is seen


def seed(number: int, title: str = "", quality: int = 0, published: bool = True,
         topics: tuple[str, ...] = ("AI",), provider: str = "BBC", url: int | None = None,
         day: int = 1, zone: str = "Z", category: str = "") -> str:  # fmt: skip
    lines = [
        "---",
        f'title: "Story {number} {title}"',
        f"webUrl: https://example.com/{number if url is None else url}",
        f"publishedDateTime: 2024-01-{day:02d}T10:00:00{zone}",
        f"quality: {quality}",
        f"published: {'true' if published else 'false'}",
        "topics: [" + ", ".join(topics) + "]",
        f"provider:\n  name: {provider}",
        f'excerpt: "About story {number}."',
        *([f"category: {category}"] if category else []),
        "---",
        "",
    ]
    return "\n".join(lines)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(path: Path, text: str, mtime: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))


@contextmanager
def counting_updates(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Records, per cached build that tried one, whether the incremental build was taken."""
    taken: list[bool] = []
    real = incremental.update

    def counted(*args: object, **kwargs: object) -> incremental.Update | None:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(result is not None)
        return result

    monkeypatch.setattr(incremental, "update", counted)
    yield taken


class Project:
    def __init__(self, root: Path, config: str = CONFIG) -> None:
        self.root = root
        self.seeds = root / "seeds"
        self.config = root / "feeds.yaml"
        self.config.write_text(config, encoding="utf-8")
        self.clock = OLD
        self.fields: dict[int, dict[str, Any]] = {}
        for number in range(8):
            self.fields[number] = {
                "quality": number * 10,
                "day": number + 1,
                "topics": (TOPICS[number % 3],),
                "provider": PROVIDERS[number % 2],
                "category": ("News", "Blog", "")[number % 3],
            }
            self.put(number)

    def put(self, number: int, text: str | None = None) -> None:
        self.clock += 1_000_000_000
        fields = self.fields.setdefault(number, {"day": number + 1})
        _write(self.seeds / f"{number:02d}.txt", text or seed(number, **fields), self.clock)

    def cached(self) -> BuildReport:
        return build_into(self.seeds, self.config, self.root / "out", use_cache=True)

    def check(self) -> BuildReport:
        """A cached build into out/ equals a full uncached one, files and report."""
        cached = self.cached()
        plain = build_into(self.seeds, self.config, self.root / "plain")
        assert _tree(self.root / "out") == _tree(self.root / "plain")
        assert [str(p) for p in cached.problems] == [str(p) for p in plain.problems]
        assert (cached.seeds_read, cached.seeds_rejected) == (
            plain.seeds_read,
            plain.seeds_rejected,
        )
        assert [(f.id, f.items, f.files) for f in cached.feeds] == [
            (f.id, f.items, f.files) for f in plain.feeds
        ]
        assert sorted([*cached.written, *cached.unchanged]) == sorted(
            [*plain.written, *plain.unchanged]
        )
        assert cached.hub_topics == plain.hub_topics
        return cached


EDITS = st.one_of(
    st.tuples(st.just("title"), st.integers(0, 9), st.text("abc xyz", min_size=1, max_size=8)),
    st.tuples(st.just("quality"), st.integers(0, 9), st.integers(-5, 100)),
    st.tuples(st.just("unpublish"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("topics"), st.integers(0, 9), st.sampled_from(TOPICS + SPELLINGS)),
    st.tuples(st.just("provider"), st.integers(0, 9), st.sampled_from(PROVIDERS)),
    st.tuples(st.just("same url"), st.integers(0, 9), st.integers(0, 9)),
    st.tuples(st.just("touch"), st.integers(0, 9), st.none()),
    st.tuples(st.just("remove"), st.integers(0, 9), st.none()),
    st.tuples(st.just("break"), st.integers(0, 9), st.none()),
    # the same instant written another way (a repair warning, or an offset): the same Candidate
    st.tuples(st.just("zone"), st.integers(0, 9), st.sampled_from(["", "+00:00", "Z"])),
    st.tuples(st.just("category"), st.integers(0, 9), st.sampled_from(["News", "Blog", ""])),
    st.tuples(st.just("day"), st.integers(0, 9), st.integers(1, 9)),
)


def _apply(project: Project, edit: tuple[str, int, object]) -> None:
    kind, number, value = edit
    path = project.seeds / f"{number:02d}.txt"
    fields = project.fields.setdefault(number, {"day": number + 1})
    if kind in ("title", "quality", "provider"):
        fields[kind] = value
    elif kind == "same url":
        fields["url"] = value
    elif kind == "unpublish":
        fields["published"] = not value
    elif kind == "topics":
        fields["topics"] = (value,)
    elif kind in ("zone", "category", "day"):
        fields[kind] = value
    if kind in ("title", "quality", "provider", "same url", "unpublish", "topics", "zone",
                "category", "day"):  # fmt: skip
        project.put(number)
    elif kind == "touch" and path.exists():
        project.clock += 1_000_000_000
        os.utime(path, ns=(project.clock, project.clock))
    elif kind == "remove":
        path.unlink(missing_ok=True)
    elif kind == "break":
        project.put(number, "---\ntitle: [unclosed\n---\n")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=st.sampled_from([CONFIG, OTHER_CONFIG, HINTS_CONFIG]),
    steps=st.lists(st.lists(EDITS, min_size=1, max_size=2), min_size=1, max_size=4),
    walk_aside=st.booleans(),  # the seeds walked in a child process (walk.py) or in place
)
def test_incremental_builds_equal_full_builds(
    config: str, steps: list[list[tuple[str, int, object]]], walk_aside: bool
) -> None:
    default = walk.WALK_ASIDE_MIN_SEEDS
    walk.WALK_ASIDE_MIN_SEEDS = 0 if walk_aside else default
    try:
        with tempfile.TemporaryDirectory() as folder:
            project = Project(Path(folder), config)
            project.check()
            for edits in steps:
                for edit in edits:
                    _apply(project, edit)
                project.check()
    finally:
        walk.WALK_ASIDE_MIN_SEEDS = default


# A placeholder base_url (check's own warning) and a size guard that warns.
WARNING_CONFIG = OTHER_CONFIG.replace("example.org", "example.invalid").replace(
    "    limit: 0\n", "    limit: 0\n    max_feed_items: 2\n"
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=st.sampled_from([CONFIG, OTHER_CONFIG, WARNING_CONFIG, HINTS_CONFIG]),
    steps=st.lists(st.lists(EDITS, min_size=1, max_size=2), min_size=1, max_size=3),
)
def test_check_answered_from_the_memo_equals_a_cold_check(
    config: str, steps: list[list[tuple[str, int, object]]]
) -> None:
    """After every cached build (full or incremental), `check` answered from its memo says
    what checking everything again says: problems, counts, exit status."""
    with tempfile.TemporaryDirectory() as folder:
        project = Project(Path(folder), config)
        options = BuildOptions(project.seeds, project.config, project.root / "out", use_cache=True)
        for edits in [[], *steps]:
            for edit in edits:
                _apply(project, edit)
            project.cached()
            replayed = check_replay.replayed(options)
            assert replayed is not None
            assert replayed == review_check.check(options)
    if config == WARNING_CONFIG:
        assert any(p.field == "site.base_url" for p in replayed.problems)
        assert any("max_feed_items" in p.message for p in replayed.problems)


def test_the_property_test_takes_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edits above reach the incremental build and the fallback to a full one."""
    project = Project(tmp_path)
    with counting_updates(monkeypatch) as taken:
        project.check()  # no memo yet: not tried
        _apply(project, ("title", 7, "x"))  # the newest: shown by several feeds
        project.check()
        _apply(project, ("quality", 7, 3))  # leaves "best": selection changes
        project.check()
        _apply(project, ("unpublish", 1, True))  # leaves "all"
        project.check()
        _apply(project, ("quality", 1, 99))  # unpublished Robotics from Reuters: no feed's
        project.check()
        _apply(project, ("touch", 2, None))  # same bytes
        project.check()
        _apply(project, ("zone", 3, ""))  # a naive date, repaired as UTC: the same instant
        report = project.check()
    assert taken == [True, False, False, True, True, True]
    assert [p.severity for p in report.problems] == ["warning"]
    assert report.problems[0].path.endswith("03.txt")


def test_a_title_edit_renders_only_the_feeds_that_show_the_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(tmp_path)
    project.check()
    out = tmp_path / "out"
    before = {name: (out / name).stat().st_mtime_ns for name in _tree(out)}

    def no_full_render(*args: object) -> None:
        raise AssertionError("an incremental build must not select and render every feed")

    monkeypatch.setattr(syndicate_build, "render", no_full_render)
    _apply(project, ("title", 7, "edited"))  # 07: the newest; quality 70; Robotics; Reuters
    report = project.cached()
    assert report.written == [
        "all/atom.xml",
        "all/feed.json",
        "all/index.html",
        "all/rss.xml",
        "best/atom.xml",
        "best/feed.json",
        "best/index.html",
        "best/rss.xml",
    ]
    changed = {name for name in _tree(out) if (out / name).stat().st_mtime_ns != before[name]}
    assert changed == {*report.written, output.CHANGES}
    assert b"Story 7 edited" in (out / "all" / "rss.xml").read_bytes()
    assert report.unchanged == sorted(set(_tree(out)) - changed - {output.MANIFEST})


def test_the_staging_processes_are_chosen_by_the_items_rendered_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental build counts only the items of the feeds it renders again (staging a few
    files in forked processes costs more than it saves); a full build counts every feed's."""
    project = Project(tmp_path)
    counted: list[int] = []
    real = output.jobs_for

    def jobs_for(items: int, jobs: int) -> int:
        counted.append(items)
        return real(items, jobs)

    monkeypatch.setattr(output, "jobs_for", jobs_for)
    full = project.check()
    assert counted[0] == sum(f.items for f in full.feeds)
    _apply(project, ("title", 7, "edited"))  # renders `all` and `best` again (see above)
    report = project.cached()
    shown = {f.id: f.items for f in report.feeds}
    assert counted[-1] == shown["all"] + shown["best"] < sum(shown.values())


def test_a_failed_build_leaves_no_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(tmp_path)
    project.check()
    memo_file = project.root / cache.CACHE_DIR / memo.MEMO_FILE
    assert memo_file.is_file()

    def failing_write(*args: object, **kwargs: object) -> None:
        raise OutputError("disk full")

    monkeypatch.setattr(output, "write_tree", failing_write)
    _apply(project, ("title", 7, "lost"))
    with pytest.raises(OutputError):
        project.cached()
    assert not memo_file.exists()
    monkeypatch.undo()
    project.check()  # a full build: the edit is not lost


def test_a_memo_without_its_selection_means_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(tmp_path)
    project.check()
    memo_file = project.root / cache.CACHE_DIR / memo.MEMO_FILE
    frames = [bytes(f) for f in cache.read_frames(memo_file, "memo") or ()]
    cache.write_frames(memo_file, frames[:2], "memo")  # the Selection cut off
    with counting_updates(monkeypatch) as taken:
        _apply(project, ("title", 7, "edited"))
        project.check()
    assert taken == [False]


def test_a_cache_rewritten_since_the_memo_means_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(tmp_path)
    project.check()
    store = cache.SeedCache(
        project.root / cache.CACHE_DIR,
        cache.fingerprint(project.seeds, discovery.DEFAULT_MAX_SEED_BYTES),
    )
    store.save(store.load(), 0)  # same rows, another file: not the one the memo knows
    with counting_updates(monkeypatch) as taken:
        _apply(project, ("title", 7, "edited"))
        project.check()
    assert taken == [False]


def test_entry_rows_round_trip() -> None:
    path = Path(__file__).parent.parent / "seeds"
    for file in sorted(path.iterdir()):
        loaded = reading.read(discovery.SeedFile(file, file.name, file.as_posix()))
        assert loaded.seed is not None
        item = entry.from_seed(loaded.seed)
        assert entry.Entry.from_row(item.row()) == item


# ------------------------------------------------------------------ the parse cache's journal


def _scan(name: str, quality: int) -> reading.Scan:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(seed(1, quality=quality), encoding="utf-8")
        return reading.scan(discovery.SeedFile(path, name, name), discovery.DEFAULT_MAX_SEED_BYTES)


def test_journal_appends_merges_and_ignores_a_cut_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cache, "SAVE_CHUNK", 2)
    monkeypatch.setattr(cache, "MAX_JOURNAL", 2)
    store = cache.SeedCache(tmp_path, "key")
    rows = {f"{n}.txt": _scan(f"{n}.txt", n) for n in range(5)}
    store.save(rows, 123)
    assert store.load() == rows
    expected = dict(rows)
    for step, change in enumerate([{"1.txt": None}, {"9.txt": _scan("9.txt", 9)},
                                    {"0.txt": _scan("0.txt", 50), "3.txt": None}]):  # fmt: skip
        store.update(change)
        for name, scan in change.items():
            if scan is None:
                expected.pop(name)
            else:
                expected[name] = scan
        assert store.load() == expected, step
        assert store.written_ns == 123  # updates keep the trust time of the last save
        assert store.rows_of(["0.txt", "1.txt", "9.txt"]) == {
            n: s for n, s in expected.items() if n in ("0.txt", "1.txt", "9.txt")
        }
    size = store.path.stat().st_size
    store.update({"4.txt": None})
    with store.path.open("r+b") as stream:  # the last append cut short
        stream.truncate(size + 20)
    with caplog.at_level(logging.WARNING):
        assert store.load() == expected
    assert "parse cache update cut short, ignored" in caplog.text


def test_recent_mtimes_are_looked_at_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeds written just now (within cache.RACY_NS of the build): each is read again and its
    digest compared; same-size same-mtime edits are still seen."""
    project = Project(tmp_path)
    for path in project.seeds.iterdir():
        os.utime(path)  # now
    with counting_updates(monkeypatch) as taken:
        project.check()
        path = project.seeds / "07.txt"
        stat = path.stat()
        path.write_text(path.read_text("utf-8").replace("Story 7", "Tale 7!"), "utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
        assert path.stat().st_size == stat.st_size
        project.check()
    assert taken == [True]
    assert b"Tale 7!" in (tmp_path / "out" / "all" / "rss.xml").read_bytes()


@pytest.mark.parametrize(
    ("memo_kept", "old", "new", "taken"),
    [
        (True, "Story 7", "Tale 7!", [True]),  # the memo sees it: an incremental build
        (True, "quality: 70", "quality: 10", [False]),  # out of `best`: a full build
        (False, "quality: 70", "quality: 10", []),  # the parse cache sees it
    ],
)
def test_an_edit_that_sets_the_mtime_back_is_seen(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    memo_kept: bool,
    old: str,
    new: str,
    taken: list[bool],
) -> None:
    """An edit that keeps the file's size and sets its old mtime back (`touch -r`, `cp -p`,
    an archive's stored times) on a seed whose mtime is long past: the ctime tells it, to the
    build memo and to the parse cache."""
    project = Project(tmp_path)
    project.check()
    assert project.cached().written == []  # the memo holds: the seeds are old
    if not memo_kept:
        (tmp_path / cache.CACHE_DIR / memo.MEMO_FILE).unlink()
    with counting_updates(monkeypatch) as tried:
        edit_keeping_size_and_mtime(project.seeds / "07.txt", old, new)
        project.check()  # out/ as a build without the cache makes it
    assert tried == taken


def test_strict_builds_stop_at_a_bad_seed_after_an_incremental_one(tmp_path: Path) -> None:
    project = Project(tmp_path)
    build_into(project.seeds, project.config, tmp_path / "out", use_cache=True, strict=True)
    _apply(project, ("title", 7, "fine"))
    build_into(project.seeds, project.config, tmp_path / "out", use_cache=True, strict=True)
    _apply(project, ("break", 1, None))  # in no feed once broken, but --strict stops
    with pytest.raises(StrictModeError):
        build_into(project.seeds, project.config, tmp_path / "out", use_cache=True, strict=True)


@given(
    count=st.integers(1, 1300),
    edits=st.lists(st.tuples(st.integers(0, 1299), st.booleans(), st.integers(-1, 5)), max_size=8),
)
def test_seen_differing_finds_exactly_the_changed_files(
    count: int, edits: list[tuple[int, bool, int]]
) -> None:
    """The block-wise comparison (memo.STATS_BLOCK) against a plain one, across block edges."""
    files = [
        discovery.SeedFile(f"s/{i:05}", f"{i:05}", f"{i:05}", 100 + i, 10**18 + i)
        for i in range(count)
    ]
    changed = list(files)
    for at, size_changed, delta in edits:
        at %= count
        size, mtime = changed[at].size, changed[at].mtime_ns
        changed[at] = changed[at]._replace(
            size=size + delta if size_changed else size,
            mtime_ns=mtime if size_changed else mtime + delta,
        )
    before, after = memo.Seen.of(files), memo.Seen.of(changed)
    expected = sorted({i for i, (a, b) in enumerate(zip(files, changed, strict=True)) if a != b})
    assert sorted(set(after.differing(before))) == expected
    assert after.sharing_names(before).names is before.names


def test_a_first_build_lists_seeds_without_stat_and_its_memo_holds_their_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With neither memo nor parse cache, discovery takes no stat (the reads do); the memo
    then holds the stats of the files as read, so the next build is a replay."""
    project = Project(tmp_path)
    seeds_dir, config, out = project.seeds, project.config, tmp_path / "out"
    listed: list[bool] = []
    real_discover = discovery.discover

    def recording_discover(root: Path, with_stats: bool = True) -> Any:
        listed.append(with_stats)
        return real_discover(root, with_stats)

    monkeypatch.setattr(discovery, "discover", recording_discover)
    build_into(seeds_dir, config, out, use_cache=True)
    last = memo.load(cache.default_folder(config))
    assert last is not None
    files, _ = real_discover(seeds_dir)
    assert last.seen == memo.Seen.of(files)
    assert all(file.size >= 0 for file in files)

    def no_build(*args: object) -> None:
        raise AssertionError("the second build must be replayed from the memo")

    monkeypatch.setattr(syndicate_build, "render", no_build)
    monkeypatch.setattr(incremental, "update", no_build)
    report = build_into(seeds_dir, config, out, use_cache=True)
    assert not report.written and report.unchanged
    assert listed == [False, True]


def test_an_incremental_build_reports_the_size_guard_once(tmp_path: Path) -> None:
    """The size guard's warnings come from the files as written, after the selection the memo
    keeps: an incremental build adds them again, so the memo must not keep them too."""
    seeds, out, config = tmp_path / "seeds", tmp_path / "out", tmp_path / "feeds.yaml"
    config.write_text(
        SMALL_CONFIG.replace("feeds:\n", "defaults:\n  max_feed_items: 1\nfeeds:\n", 1)
    )
    for number in range(3):
        write_seed(seeds, f"{number}.txt", seed_text(f"Story {number}", f"https://e.com/{number}"))
    full = build_into(seeds, config, out, use_cache=True)
    warned = [p for p in full.problems if "max_feed_items" in p.message]
    assert len(warned) == 1, full.problems
    write_seed(seeds, "1.txt", seed_text("Story 1 edited", "https://e.com/1"))
    updated = build_into(seeds, config, out, use_cache=True)
    assert b"Story 1 edited" in (out / "all" / "feed.json").read_bytes()
    assert [p for p in updated.problems if "max_feed_items" in p.message] == warned


def test_a_seed_no_feed_shows_can_bring_a_rule_value_warning(tmp_path: Path) -> None:
    """An unpublished seed's new topic is close to a rule's value: the warning a full build
    gives, an incremental one gives too."""
    config = HINTS_CONFIG.split("  - id: robots")[0].replace("[NLPs]", "[Quantum Computing]")
    project = Project(tmp_path, config)
    project.fields[1]["published"] = False
    project.put(1)
    assert project.check().problems == []
    project.fields[1]["topics"] = ("Quantum Computin",)
    project.put(1)
    (warning,) = project.check().problems
    assert "(did you mean 'Quantum Computin'?)" in warning.message


def test_a_topic_spelt_again_is_spelt_so_in_the_hint(tmp_path: Path) -> None:
    """The same topic to selection (`Robotics`, `ROBOTICS`): the hint spells it anew."""
    project = Project(tmp_path, HINTS_CONFIG)
    assert "did you mean 'Robotics'" in " ".join(str(p) for p in project.check().problems)
    for number, fields in project.fields.items():
        if fields["topics"] == ("Robotics",):
            fields["topics"] = ("ROBOTICS",)
            project.put(number)
    assert "did you mean 'ROBOTICS'" in " ".join(str(p) for p in project.check().problems)


def test_a_seed_read_again_unchanged_is_not_appended_to_the_cache_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seed edited since the cache was last written whole is read again (by digest) by each
    full build, its mtime being too recent to trust; its row, the same, is not appended again."""
    project = Project(tmp_path)
    project.check()
    appended: list[list[str]] = []
    real_update = cache.SeedCache.update

    def update(store: cache.SeedCache, changes: Any) -> None:
        appended.append(sorted(changes))
        real_update(store, changes)

    monkeypatch.setattr(cache.SeedCache, "update", update)
    for number, quality in [(1, 99), (2, 99)]:  # each leaves or joins "best": a full build
        path = project.seeds / f"{number:02d}.txt"
        path.write_text(seed(number, **{**project.fields[number], "quality": quality}), "utf-8")
        project.check()  # (now's mtime, after the cache's trust time)
    assert appended[-2:] == [["01.txt"], ["02.txt"]]


def test_a_new_seed_no_feed_shows_with_values_far_from_the_rules_is_built_incrementally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warnings about rule values change only for a value close to a rule's: another
    value, of a seed no feed shows, leaves the build incremental."""
    config = CONFIG.split("  - id: best")[0]  # all (published only) and ai (topics: [AI])
    project = Project(tmp_path, config)
    with counting_updates(monkeypatch) as taken:
        project.check()
        project.fields[20] = {"day": 9, "published": False, "topics": ("Gardening",)}
        project.put(20)  # unpublished, not AI: neither feed shows it
        project.check()
        project.fields[21] = {"day": 9, "published": False, "topics": ("Robotic",)}
        project.put(21)  # close to no rule's value either ('AI')
        project.check()
    assert taken == [True, True]
