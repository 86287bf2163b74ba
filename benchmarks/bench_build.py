#!/usr/bin/env python3
"""Benchmark `syndicate build` against its floors and against Hugo (issue 4).

    python benchmarks/bench_build.py [--count 10000] [--rounds 3] [--seed 0] [--corpus DIR]
                                     [--keep] [--jobs N] [--no-hugo]

Generates a corpus with benchmarks/corpus.py (or reuses --corpus DIR), writes a config of 27
feeds (one per topic of the corpus, plus published-only, min_quality and provider feeds;
limit 50; RSS, Atom and JSON Feed each), then measures, alternating the variants within each
round, every command in its own process:

    read floor     read every seed file's bytes
    stat floor     list and stat every seed file (the floor of noticing a change)
    parse floor    PyYAML CSafeLoader over every seed's front matter, results discarded
                   (and yaml_rs, when syndicate's YAML loader uses it)
    start-up       `syndicate build --help`: the interpreter and syndicate's imports
    cold build     no parse cache, fresh output folder
    no-op rebuild  cache present, same output folder, nothing changed
    one changed    one seed's title edited (an item of the published feed), then rebuilt
    hugo cold      `hugo --quiet` on the same seeds (benchmarks/hugo/), when hugo is on PATH

It prints a table (median and min seconds, peak memory) and the ratios of issue 4, with the
issue's targets beside them for reference. It judges nothing and exits 0. It needs only the
project's own dependencies (and, optionally, hugo).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
HUGO_SITE = BENCH_DIR / "hugo"

SEED_SUFFIXES = (".txt", ".md", ".yaml", ".yml")
CACHE_DIR_NAME = ".syndicate-cache"  # beside the config file
PUBLISHED_FEED = "published"
EDITED_TITLE = b'title: "Benchmark edit: one seed changed"'

# corpus.py's TOPIC_WEIGHTS, plus "AI", which ends most topic lists.
TOPICS = (
    "AI",
    "Machine Learning",
    "Computer Vision",
    "Deep Learning",
    "NLP",
    "Robotics",
    "Autonomous Vehicles",
    "Healthcare AI",
    "AI Ethics",
    "Facial Recognition",
    "Image Recognition",
    "Generative AI",
    "Speech Recognition",
    "Reinforcement Learning",
    "AI Chips",
    "Edge AI",
    "Data Science",
    "AWS AI",
    "Microsoft AI",
    "Google AI",
    "AI in Autos",
    "Chatbots",
    "AI Policy",
    "Drones",
)

READ, STAT, PARSE, PARSE_RS = "read floor", "stat floor", "parse floor", "parse floor yaml_rs"
# The short variants (about a second each) run this many times per round, and their medians
# are over every run: one run of a second is at the mercy of a moment's load elsewhere.
SHORT_REPEATS = 3
SHORT_FLOORS = ("stat",)
COLD, NOOP, CHANGED, HUGO = "cold build", "no-op rebuild", "one changed", "hugo cold"
STARTUP = "start-up (--help)"
FLOOR_KINDS = {"read": READ, "stat": STAT, "parse": PARSE, "parse-rs": PARSE_RS}

# (label, numerator, denominator, issue 4 target)
RATIOS = (
    ("cold / hugo", COLD, HUGO, "<= 0.5"),
    ("cold / parse floor", COLD, PARSE, "<= 1.3"),
    ("cold / yaml_rs parse floor", COLD, PARSE_RS, "<= 1.3 (syndicate's parser)"),
    ("no-op / hugo", NOOP, HUGO, "<= 0.06"),
    ("no-op / stat floor", NOOP, STAT, "<= 3"),
    ("one changed / no-op", CHANGED, NOOP, "<= 1.3"),
)


# --------------------------------------------------------------------------- floors
# These run in a child process (`bench_build.py --floor KIND DIR`), as syndicate does.


def iter_seed_entries(root: str) -> Iterator[os.DirEntry[str]]:
    """Seed files below `root` as syndicate finds them: by suffix, hidden ones skipped."""
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from iter_seed_entries(entry.path)
            elif entry.name.lower().endswith(SEED_SUFFIXES):
                yield entry


_OPENING = re.compile(r"---[ \t]*\r?(?:\n|\Z)")
_CLOSING = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def front_matter(text: str) -> str | None:
    """The YAML between a first line `---` and the next line `---` (as syndicate splits it)."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    closing = _CLOSING.search(text, opening.end())
    return None if closing is None else text[opening.end() : closing.start()]


def yaml_parser(kind: str) -> Callable[[str], object]:
    """`parse`: PyYAML's CSafeLoader; `parse-rs`: yaml_rs, PyYAML for what it rejects."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def pyyaml(text: str) -> object:
        return yaml.load(text, Loader=loader)

    if kind != "parse-rs":
        return pyyaml
    import yaml_rs

    def fast(text: str) -> object:
        try:
            return yaml_rs.loads(text, parse_datetime=False)
        except Exception:
            return pyyaml(text)

    return fast


def run_floor(kind: str, root: str) -> int:
    """One floor over every seed file of `root`; prints how many files it handled."""
    parse = yaml_parser(kind) if kind.startswith("parse") else None
    count = 0
    for entry in iter_seed_entries(root):
        if kind == "stat":
            entry.stat()
        elif parse is None:
            Path(entry.path).read_bytes()
        else:
            text = Path(entry.path).read_bytes().decode("utf-8-sig", errors="replace")
            yaml_text = front_matter(text)
            if yaml_text is not None:
                parse(yaml_text)
        count += 1
    print(f"{kind}: {count} files")
    return 0


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the process and the children it waited for
    rss_mb: float  # peak RSS of the largest single process (wait4's ru_maxrss)
    tree_mb: float  # peak of the sum over the process tree (PSS, sampled); 0 when unknown
    status: int
    ok: bool  # exit status accepted and no Python traceback in the output


# Reading smaps_rollup walks a process's page tables: ~13 ms of CPU per sample of a cold build
# at 100,000 seeds (3 processes). Every 0.1 s that took 10% of a core from a build that keeps
# both cores busy (and nothing from a one-process floor); every 0.5 s it takes 2-3%.
SAMPLE_INTERVAL = 0.5


class TreeMemory(threading.Thread):
    """Samples the summed memory of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.peak_kb = max(self.peak_kb, tree_kb(self.pid))

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024


def tree_kb(pid: int) -> int:
    """PSS (else RSS) in KiB of `pid` and its descendants, from /proc; 0 when unavailable."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += process_kb(current)
        stack.extend(children(current))
    return total


def process_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        pass
    return found


def measure(cmd: Sequence[str], log: Path, ok_status: Container[int] = (0,)) -> Run:
    """Run `cmd` to completion; wall time, peak RSS (wait4) and sampled tree memory."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        offset = out.tell()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        _, wait_status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        tree_mb = sampler.stop()
    proc.returncode = status = os.waitstatus_to_exitcode(wait_status)
    with log.open("rb") as written:
        written.seek(offset)
        crashed = b"Traceback (most recent call last)" in written.read()
    ok = status in ok_status and not crashed
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, tree_mb, status, ok)


@dataclass(slots=True)
class Results:
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, variant: str, run: Run) -> None:
        self.runs.setdefault(variant, []).append(run)

    def ok(self, variant: str) -> list[Run]:
        """The runs of `variant` that completed; failed runs count in no figure."""
        return [r for r in self.runs.get(variant, []) if r.ok]

    def median(self, variant: str) -> float | None:
        runs = self.ok(variant)
        return statistics.median(r.seconds for r in runs) if runs else None

    def peak_mb(self, variant: str) -> float | None:
        runs = self.ok(variant)
        return max(max(r.rss_mb, r.tree_mb) for r in runs) if runs else None


# --------------------------------------------------------------------------- setup


@dataclass(slots=True)
class Workspace:
    root: Path
    corpus: Path
    config: Path
    out: Path
    logs: Path
    hugo_site: Path
    hugo_public: Path
    hugo_cache: Path

    @classmethod
    def create(cls, root: Path, corpus: Path | None) -> Workspace:
        logs = root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return cls(
            root=root,
            corpus=corpus or root / "corpus",
            config=root / "feeds.yaml",
            out=root / "out",
            logs=logs,
            hugo_site=root / "hugo-site",
            hugo_public=root / "hugo-public",
            hugo_cache=root / "hugo-cache",
        )

    @property
    def cache(self) -> Path:
        return self.config.parent / CACHE_DIR_NAME


def generate_corpus(target: Path, count: int, seed: int) -> None:
    # Imported here, not above: the floors run this script too, and must not pay for it.
    from corpus import generate  # benchmarks/corpus.py, beside this script

    started = time.perf_counter()
    done = generate(target, count, seed, jobs=os.cpu_count() or 1)
    print(f"wrote {done} seed files to {target} in {time.perf_counter() - started:.1f}s")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def config_data() -> dict[str, Any]:
    """About 25 feeds in all three formats, limit 50: the workload of issue 4."""
    feeds: list[dict[str, Any]] = [
        {"id": PUBLISHED_FEED, "title": "Everything published", "published_only": True},
        {"id": "top-stories", "title": "Top stories", "min_quality": 80, "published_only": True},
        {"id": "bbc", "title": "From the BBC", "providers": ["BBC"]},
    ]
    feeds += [{"id": f"topic-{slug(t)}", "title": t, "topics": [t]} for t in TOPICS]
    return {
        "site": {
            "title": "AI News benchmark",
            "base_url": "https://example.org/news/",
            "description": "syndicate benchmark feeds",
            "language": "en",
        },
        "defaults": {"limit": 50, "formats": ["rss", "atom", "json"]},
        "feeds": feeds,
    }


def write_config(path: Path) -> None:
    import yaml

    path.write_text(yaml.safe_dump(config_data(), sort_keys=False, allow_unicode=True))


def build_options() -> set[str]:
    """The options of this checkout's `syndicate build` (the parse cache may not exist yet)."""
    cmd = [sys.executable, "-m", "syndicate", "build", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return set(re.findall(r"(--[a-z][a-z-]*)", done.stdout))


def make_hugo_site(ws: Workspace) -> int:
    """benchmarks/hugo/ plus every seed copied unchanged to content/posts/ (not timed)."""
    shutil.rmtree(ws.hugo_site, ignore_errors=True)
    shutil.copytree(HUGO_SITE, ws.hugo_site)
    posts = ws.hugo_site / "content" / "posts"
    posts.mkdir(parents=True)
    count = 0
    for entry in iter_seed_entries(str(ws.corpus)):
        rel = Path(entry.path).relative_to(ws.corpus).with_suffix(".md")
        shutil.copyfile(entry.path, posts / "__".join(rel.parts))
        count += 1
    return count


# --------------------------------------------------------------------------- the edited seed


def top_level_value(data: bytes, key: bytes) -> bytes | None:
    prefix = key + b":"
    for line in data.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None


def seed_url(data: bytes) -> str | None:
    raw = top_level_value(data, b"webUrl")
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    if text.startswith('"'):
        try:
            text = json.loads(text)
        except ValueError:
            return None
    for ref in ("&#038;", "&#x26;", "&amp;"):
        text = text.replace(ref, "&")
    return text


def pick_seed(ws: Workspace) -> tuple[Path, str]:
    """A seed whose item leads the published feed (so the edit changes output), else the middle."""
    paths = sorted(Path(e.path) for e in iter_seed_entries(str(ws.corpus)))
    feed = ws.out / PUBLISHED_FEED / "feed.json"
    try:
        urls = [item["url"] for item in json.loads(feed.read_text())["items"]]
    except (OSError, ValueError, KeyError):
        urls = []
    rank = {url: i for i, url in reversed(list(enumerate(urls)))}
    holders: dict[str, list[Path]] = {}
    for path in paths:
        url = seed_url(path.read_bytes())
        if url is not None and url in rank:
            holders.setdefault(url, []).append(path)
    for url in sorted(holders, key=rank.__getitem__):
        if len(holders[url]) == 1:
            return holders[url][0], f"item {rank[url] + 1} of feed '{PUBLISHED_FEED}'"
    return paths[len(paths) // 2], "the middle seed file (no published item found)"


def edited(data: bytes) -> bytes:
    """`data` with its top-level title replaced (continuation lines of the old one dropped)."""
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        if line.startswith(b"title:"):
            end = i + 1
            while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
                end += 1
            cr = b"\r" if line.endswith(b"\r") else b""
            return b"\n".join([*lines[:i], EDITED_TITLE + cr, *lines[end:]])
    return data.replace(b"\n", b"\n" + EDITED_TITLE + b"\n", 1)


# --------------------------------------------------------------------------- the benchmark


@dataclass(slots=True)
class Bench:
    ws: Workspace
    rounds: int
    jobs: int | None
    hugo: str | None
    options: set[str]
    floors: list[str]
    results: Results = field(default_factory=Results)
    notes: list[str] = field(default_factory=list)
    cold_flags: list[str] = field(default_factory=list)
    edited_seed: Path | None = None

    def floor_cmd(self, kind: str) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), "--floor", kind, str(self.ws.corpus)]

    def build_cmd(self, *flags: str) -> list[str]:
        ws = self.ws
        cmd = [sys.executable, "-m", "syndicate", "build", "--seeds", str(ws.corpus)]
        cmd += ["--config", str(ws.config), "--out", str(ws.out), "-q", *flags]
        if self.jobs is not None and "--jobs" in self.options:
            cmd += ["--jobs", str(self.jobs)]
        return cmd

    def hugo_cmd(self) -> list[str]:
        ws = self.ws
        assert self.hugo is not None
        cmd = [self.hugo, "--quiet", "--source", str(ws.hugo_site)]
        return [*cmd, "--destination", str(ws.hugo_public), "--cacheDir", str(ws.hugo_cache)]

    def record(self, variant: str, cmd: list[str], ok_status: Container[int] = (0,)) -> Run:
        log = self.ws.logs / f"{slug(variant)}.log"
        run = measure(cmd, log, ok_status)
        self.results.add(variant, run)
        if not run.ok:
            tail = log.read_text(errors="replace").splitlines()[-5:]
            print(f"  ! {variant}: exit {run.status}, not counted; {log}:", *tail, sep="\n    ")
        return run

    def record_build(self, variant: str, *flags: str) -> Run:
        """A build; exit 1 (some seed reported) is a completed build too."""
        return self.record(variant, self.build_cmd(*flags), ok_status=(0, 1))

    def cold(self) -> None:
        shutil.rmtree(self.ws.out, ignore_errors=True)
        shutil.rmtree(self.ws.cache, ignore_errors=True)
        self.record_build(COLD, *self.cold_flags)

    def noop(self) -> None:
        if self.cold_flags:  # the cold build did not write the cache: warm it up, not timed
            measure(self.build_cmd(), self.ws.logs / "warm-up.log")
        self.record_build(NOOP)

    def one_changed(self) -> None:
        if self.edited_seed is None:
            self.edited_seed, why = pick_seed(self.ws)
            self.notes.append(f"one changed: edits the title of {self.edited_seed.name} ({why})")
        path = self.edited_seed
        original, stat = path.read_bytes(), path.stat()
        try:
            path.write_bytes(edited(original))
            self.record_build(CHANGED)
        finally:
            path.write_bytes(original)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    def hugo_cold(self) -> None:
        for folder in (self.ws.hugo_public, self.ws.hugo_cache, self.ws.hugo_site / "resources"):
            shutil.rmtree(folder, ignore_errors=True)
        self.record(HUGO, self.hugo_cmd())

    def check_cache_folder(self) -> None:
        """After the first cold build: is the cache where we delete it? Adapt if not."""
        if "--no-cache" not in self.options:
            self.notes.append("this syndicate has no --no-cache: every build reads every seed")
        elif not self.ws.cache.exists():
            self.cold_flags = ["--no-cache"]
            self.notes.append(
                f"no {CACHE_DIR_NAME}/ beside the config after a build: cold builds use "
                "--no-cache, and an untimed build warms the cache before each no-op rebuild"
            )

    def round(self, number: int) -> None:
        print(f"round {number}/{self.rounds}", flush=True)
        for kind in self.floors:
            for _ in range(SHORT_REPEATS if kind in SHORT_FLOORS else 1):
                self.record(FLOOR_KINDS[kind], self.floor_cmd(kind))
        for _ in range(SHORT_REPEATS):
            self.record(STARTUP, [sys.executable, "-m", "syndicate", "build", "--help"])
        self.cold()
        if number == 1:
            self.check_cache_folder()
        for repeat in range(SHORT_REPEATS):
            if repeat:  # the seed was restored: bring the cache and memo back, not timed
                measure(self.build_cmd(), self.ws.logs / "restore.log")
            self.noop()
            self.one_changed()
        if self.hugo:
            self.hugo_cold()

    def run(self) -> None:
        measure(self.floor_cmd("read"), self.ws.logs / "warm-up.log")  # page cache, not timed
        before = load_average()
        for number in range(1, self.rounds + 1):
            self.round(number)
        self.notes.append(f"load average (1, 5, 15 min): {before} before, {load_average()} after")


# --------------------------------------------------------------------------- report


def machine_lines() -> list[str]:
    cpu = proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    mem_kb = proc_field("/proc/meminfo", "MemTotal").split(" ")[0]
    ram = f", {int(mem_kb) / 1024**2:.1f} GiB RAM" if mem_kb.isdigit() else ""
    return [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {cpu}, {os.cpu_count()} cores{ram}, {platform.platform()}",
        f"python {platform.python_version()}; syndicate {git_describe()}",
    ]


def proc_field(path: str, name: str) -> str:
    """The value of the first `name: value` line of a /proc file, or ''."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def git_describe() -> str:
    cmd = ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "(not a git checkout)"


@dataclass(frozen=True, slots=True)
class Parsers:
    floor: str  # the PyYAML loader of the parse floor
    base: str  # the PyYAML loader syndicate's loader derives from ("?" when unknown)
    fast: tuple[str, ...]  # faster parsers syndicate.seeds.yamlsrc imported

    def note(self) -> str:
        note = f"parse floor: PyYAML {self.floor}; syndicate's YAML loader is based on {self.base}"
        if self.base != self.floor:
            note += " (not the floor's loader)"
        if self.fast:
            note += f" and uses {', '.join(self.fast)} where it can (its floor is measured too)"
        return note


def probe_parsers() -> Parsers:
    """Which YAML parsers the parse floor and (best effort) this syndicate use."""
    probe = (
        "import yaml, syndicate.seeds.yamlsrc as m\n"
        "base = getattr(m, '_BaseLoader', None)\n"
        "fast = [p.__name__ for p in [m._fast_parser()] if p is not None]\n"
        "print(getattr(yaml, 'CSafeLoader', yaml.SafeLoader).__name__,"
        " getattr(base, '__name__', '?'), *fast)\n"
    )
    cmd = [sys.executable, "-c", probe]
    words = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.split()
    if len(words) < 2:
        return Parsers("CSafeLoader", "?", ())
    return Parsers(words[0], words[1], tuple(words[2:]))


def corpus_line(corpus: Path) -> str:
    sizes = [entry.stat().st_size for entry in iter_seed_entries(str(corpus))]
    return f"corpus: {len(sizes)} seed files, {sum(sizes) / 1e6:.0f} MB, in {corpus}"


COLUMNS = "{:<20}{:>10}{:>10}{:>8}{:>13}{:>9}{:>6}"


def table(results: Results) -> list[str]:
    """Median and min seconds, median CPU seconds and peak memory over the runs that
    completed, per variant."""
    names = ("variant", "median s", "min s", "cpu s", "peak RSS MB", "tree MB", "ok")
    lines = [COLUMNS.format(*names)]
    for variant, runs in results.runs.items():
        done = results.ok(variant)
        counted = f"{len(done)}/{len(runs)}"
        if not done:
            lines.append(COLUMNS.format(variant, "n/a", "n/a", "n/a", "n/a", "n/a", counted))
            continue
        seconds = [r.seconds for r in done]
        figures = (
            f"{statistics.median(seconds):.3f}",
            f"{min(seconds):.3f}",
            f"{statistics.median(r.cpu_seconds for r in done):.1f}",
            f"{max(r.rss_mb for r in done):.0f}",
            f"{max(r.tree_mb for r in done):.0f}" if any(r.tree_mb for r in done) else "-",
        )
        lines.append(COLUMNS.format(variant, *figures, counted))
    return lines


def ratio_lines(results: Results) -> list[str]:
    lines = [f"{'ratio (medians)':<28}{'value':>9}   issue 4 target"]
    for label, top, bottom, target in RATIOS:
        if bottom not in results.runs and bottom == PARSE_RS:
            continue  # syndicate does not use yaml_rs
        a, b = results.median(top), results.median(bottom)
        value = f"{a / b:.3f}" if a is not None and b else "n/a"
        lines.append(f"{label:<28}{value:>9}   {target}")
    cold = results.peak_mb(COLD)
    rebuild = max((m for m in (results.peak_mb(NOOP), results.peak_mb(CHANGED)) if m), default=None)
    for label, mb, target in (
        ("peak MB cold", cold, "<= 400"),
        ("peak MB rebuild", rebuild, "<= 250"),
    ):
        lines.append(f"{label:<28}{f'{mb:.0f}' if mb else 'n/a':>9}   {target}")
    return lines


# --------------------------------------------------------------------------- big feeds (17)

BASE_50 = "limit 50 (base)"
LIMIT_0 = "base + limit 0"
ARCHIVED = "base + archive"
FLAT_SMALL = 10_000
ONE_SMALL = f"one feed limit {FLAT_SMALL:,}"
ONE_ALL = "one feed limit 0"
BIG_FEED = "everything"
ITEM_BUDGET_US = 50  # issue 17: at most 50 us per extra item and format


@dataclass(slots=True)
class BigFeeds:
    """Cold builds of the limit-50 config alone, with a `limit: 0` feed of every seed, with an
    archived feed of every seed (limit 50, RFC 5005 pages of 50), and of one feed alone over
    the whole corpus with `limit: 10000` and with `limit: 0` (is the peak flat in the items of
    a feed? Both read the same seeds, so only the feed's size differs)."""

    bench: Bench
    items: dict[str, int] = field(default_factory=dict)  # variant: items of its big feed

    def config(self, variant: str) -> dict[str, Any]:
        data = config_data()
        feed: dict[str, Any] = {"id": BIG_FEED, "title": "Every seed", "published_only": False}
        if variant == LIMIT_0:
            data["feeds"].append({**feed, "limit": 0})
        elif variant == ARCHIVED:
            data["feeds"].append({**feed, "archive": True})
        elif variant in (ONE_SMALL, ONE_ALL):
            data["feeds"] = [{**feed, "limit": FLAT_SMALL if variant == ONE_SMALL else 0}]
        return data

    def build(self, variant: str) -> None:
        import yaml

        ws = self.bench.ws
        ws.config.write_text(yaml.safe_dump(self.config(variant), sort_keys=False))
        shutil.rmtree(ws.out, ignore_errors=True)
        shutil.rmtree(ws.cache, ignore_errors=True)
        self.bench.record(variant, self.bench.build_cmd("--no-cache"), ok_status=(0, 1))
        if variant not in self.items:
            self.items[variant] = _items_of(ws.out / BIG_FEED / "feed.json")

    def run(self) -> None:
        ws = self.bench.ws
        measure(self.bench.floor_cmd("read"), ws.logs / "warm-up.log")  # page cache, not timed
        for number in range(1, self.bench.rounds + 1):
            print(f"round {number}/{self.bench.rounds}", flush=True)
            for variant in (BASE_50, LIMIT_0, ARCHIVED, ONE_SMALL, ONE_ALL):
                self.build(variant)

    def report(self, args: argparse.Namespace) -> None:
        results = self.bench.results
        print("", *machine_lines(), corpus_line(self.bench.ws.corpus), sep="\n")
        print(f"{args.rounds} round(s), medians; cold builds (--no-cache), --jobs {args.jobs}")
        print("", *table(results), "", sep="\n")
        base_s, base_mb = results.median(BASE_50), results.peak_mb(BASE_50)
        base_cpu = _median_cpu(results, BASE_50)
        print(
            f"{'variant':<18}{'items':>9}{'extra s':>9}{'items/s/format':>16}{'budget s':>10}"
            f"{'extra cpu s':>13}{'items/cpu s/format':>20}{'peak MB':>9}{'x base':>8}"
        )
        for variant, formats in ((LIMIT_0, 3), (ARCHIVED, 2)):  # RSS has no archive pages
            seconds, mb = results.median(variant), results.peak_mb(variant)
            items = self.items.get(variant, 0)
            if seconds is None or mb is None or base_s is None or base_mb is None:
                print(f"{variant:<18}  n/a")
                continue
            extra = max(items - 50, 0) * formats
            rate = extra / (seconds - base_s) if seconds > base_s else float("inf")
            budget = base_s + extra * ITEM_BUDGET_US / 1e6
            cpu = _median_cpu(results, variant) - base_cpu
            cpu_rate = extra / cpu if cpu > 0 else float("inf")
            print(
                f"{variant:<18}{items:>9,}{seconds - base_s:>9.1f}{rate:>16,.0f}"
                f"{budget:>10.1f}{cpu:>13.1f}{cpu_rate:>20,.0f}{mb:>9.0f}{mb / base_mb:>8.2f}"
            )
        print(
            "targets (issue 17): peak <= 400 MB and <= 2x base; time <= budget "
            "(base + 50 us per extra item and format)"
        )
        print("\nflat memory: one feed alone, every seed read (peak beside the feed's items)")
        for variant, label in ((ONE_SMALL, f"limit {FLAT_SMALL:,}"), (ONE_ALL, "limit 0")):
            mb = results.peak_mb(variant)
            times = f"{mb / base_mb:>7.2f}x base" if mb and base_mb else ""
            items = self.items.get(variant, 0)
            print(f"  {label:<16}{items:>9,} items   peak {mb or 0:>5.0f} MB{times}")
        print(f"  {'base (limit 50)':<34}peak {base_mb or 0:>5.0f} MB")


def _median_cpu(results: Results, variant: str) -> float:
    runs = results.ok(variant)
    return statistics.median(r.cpu_seconds for r in runs) if runs else 0.0


def _items_of(feed_json: Path) -> int:
    """The items of a built feed, the current JSON Feed's and, when archived, its pages',
    counted line by line: syndicate writes `items` last, and each item's `{` on a line of its
    own, indented by 4 spaces. (Loading 300 MB of JSON here would raise the peak RSS that the
    children of this process inherit across fork.)"""
    if not feed_json.is_file():
        return 0  # the variant has no such feed
    count = 0
    for path in [feed_json, *sorted((feed_json.parent / "archive").glob("*.json"))]:
        with path.open("rb") as lines:
            for line in lines:  # the members before `items` may hold objects too
                if line == b'  "items": [\n':
                    count += sum(1 for line in lines if line == b"    {\n")
    return count


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Benchmark syndicate build (cold, no-op, one changed) against floors and Hugo.",
    )
    ap.add_argument("--count", type=int, default=10000, help="seeds to generate (default 10000)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; medians over them (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="corpus.py random seed (default 0)")
    ap.add_argument("--corpus", type=Path, help="reuse this seed folder instead of generating one")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--jobs", type=int, help="passed to syndicate build --jobs when it has it")
    ap.add_argument("--no-hugo", action="store_true", help="skip Hugo even when it is installed")
    ap.add_argument(
        "--big-feeds",
        action="store_true",
        help="instead: cold builds with a limit-0 feed and an archived feed over the whole "
        "corpus beside the limit-50 config, and one feed alone of limit 10,000 and of limit 0 "
        "over the whole corpus (issue 17)",
    )
    ap.add_argument("--floor", choices=sorted(FLOOR_KINDS), help=argparse.SUPPRESS)
    ap.add_argument("floor_dir", nargs="?", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.count < 1 or (args.jobs is not None and args.jobs < 1):
        ap.error("--count, --rounds and --jobs must be at least 1")
    if args.corpus is not None and not args.corpus.is_dir():
        ap.error(f"--corpus {args.corpus}: not a folder")
    return args


def setup(args: argparse.Namespace, root: Path) -> Bench:
    ws = Workspace.create(root, args.corpus.resolve() if args.corpus else None)
    if args.corpus is None:
        generate_corpus(ws.corpus, args.count, args.seed)
    write_config(ws.config)
    hugo = None if args.no_hugo else shutil.which("hugo")
    parsers = probe_parsers()
    compiled = compile_syndicate()
    floors = ["read", "stat", "parse"] + (["parse-rs"] if "yaml_rs" in parsers.fast else [])
    bench = Bench(ws, args.rounds, args.jobs, hugo, build_options(), floors)
    bench.notes.append(parsers.note())
    if compiled:
        bench.notes.append(compiled)
    if hugo:
        pages = make_hugo_site(ws)
        bench.notes.append(f"hugo: {hugo_version(hugo)}; {pages} pages, RSS for home + topics")
    else:
        bench.notes.append(
            "hugo: skipped (" + ("--no-hugo" if args.no_hugo else "not on PATH") + ")"
        )
    if args.jobs is not None and "--jobs" not in bench.options:
        bench.notes.append(f"--jobs {args.jobs} ignored: this syndicate build has no --jobs")
    return bench


def compile_syndicate() -> str | None:
    """Byte-compile syndicate's modules, as `pip install` does for a regular install: from an
    editable install with PYTHONDONTWRITEBYTECODE set (as on some CI images), Python would
    otherwise compile every module again in every run. Returns a note when it had to."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("syndicate")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    stale = [
        source
        for source in package.glob("*.py")
        if not importlib.util.cache_from_source(str(source))
        or not Path(importlib.util.cache_from_source(str(source))).is_file()
        or Path(importlib.util.cache_from_source(str(source))).stat().st_mtime
        < source.stat().st_mtime
    ]
    if not stale:
        return None
    compileall.compile_dir(str(package), quiet=1)
    return f"byte-compiled syndicate's modules first ({len(stale)} had no current .pyc)"


def hugo_version(hugo: str) -> str:
    done = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False)
    return done.stdout.split("+")[0].split("-")[0].strip() or "unknown version"


def report(bench: Bench, args: argparse.Namespace) -> None:
    jobs = f"--jobs {args.jobs}" if args.jobs is not None else "default --jobs"
    header = [
        *machine_lines(),
        corpus_line(bench.ws.corpus),
        f"config: {len(config_data()['feeds'])} feeds x 3 formats, limit 50; {jobs}; "
        f"{args.rounds} round(s), medians; stat floor, start-up, no-op and one changed "
        f"{SHORT_REPEATS} times a round",
        *bench.notes,
        "peak RSS MB: largest single process (wait4); tree MB: summed PSS of the process and "
        f"its children, sampled every {SAMPLE_INTERVAL} s",
    ]
    print("", *header, "", *table(bench.results), "", *ratio_lines(bench.results), sep="\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.floor:
        return run_floor(args.floor, args.floor_dir or ".")
    root = Path(tempfile.mkdtemp(prefix="syndicate-bench-"))
    try:
        bench = setup(args, root)
        if args.big_feeds:
            big = BigFeeds(bench)
            big.run()
            big.report(args)
        else:
            bench.run()
            report(bench, args)
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
