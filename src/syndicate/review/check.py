"""`syndicate check` and `syndicate build --check`: what a build would say, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from syndicate import build
from syndicate.config import Config, placeholder_problems
from syndicate.config import load as load_config
from syndicate.errors import ConfigError, Problem, SyndicateError
from syndicate.publish import output
from syndicate.review import floods
from syndicate.review.check_result import CheckResult

if TYPE_CHECKING:
    from syndicate.review import diff

__all__ = ["CheckResult", "Staleness", "changes", "check", "stale"]


def check(options: build.BuildOptions, on_seed: build.OnSeed | None = None) -> CheckResult:
    """Validate the config and every seed, as `build` would, without writing anything.

    Unlike `build`, a bad config does not stop the seeds from being checked: an editor sees
    every problem at once. With a good config the feeds are built in memory too, so the
    warnings about feeds (a feed that selects nothing) are reported as well, and so is a
    base_url that is still the placeholder of `syndicate init`.
    """
    options = replace(options, use_cache=False)  # nothing read from or written to the cache
    result = CheckResult()
    try:
        config = load_config(options.config_path)
        shown = options.config_path.as_posix()
        result.problems.extend(placeholder_problems(config, shown))
        report, files = build.prepare(options, on_seed, config=config, with_pages=False)
        report.problems.extend(_size_warnings(config, options, report, files))
        report.floods = _floods(options, config, files)
    except ConfigError as exc:
        result.problems.extend(exc.problems)
        result.config_failed = True
        report = build.BuildReport()
        try:
            build.load_candidates(options, report, on_seed)
        except SyndicateError as seeds_error:
            result.fatal = str(seeds_error)
    except SyndicateError as exc:
        result.fatal = str(exc)
        return result
    result.problems.extend([*report.problems, *report.floods])
    result.seeds_read, result.seeds_rejected = report.seeds_read, report.seeds_rejected
    return result


def _size_warnings(
    config: Config,
    options: build.BuildOptions,
    report: build.BuildReport,
    files: dict[str, output.Content],
) -> list[Problem]:
    """The size guard's warnings, each feed file's size counted as it is rendered."""

    def size_of(name: str) -> int | None:
        return output.content_size(files[name]) if name in files else None

    return build.size_warnings(config, options, report, size_of)


@dataclass(slots=True)
class Staleness:
    """How the output folder differs from what a build would write (paths inside it)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    leftover: list[str] = field(default_factory=list)  # temporary files a stopped build left

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.leftover)

    def lines(self) -> list[str]:
        """`added    PATH` ... sorted by path, for the listing of `build --check`."""
        entries = [(name, "added") for name in self.added]
        entries += [(name, "changed") for name in self.changed]
        entries += [(name, "removed") for name in self.removed]
        entries += [(name, "leftover") for name in self.leftover]
        return [f"{kind:<8} {name}" for name, kind in sorted(entries)]


def stale(
    options: build.BuildOptions, on_seed: build.OnSeed | None = None
) -> tuple[build.BuildReport, Staleness]:
    """Build in memory and compare with the output folder; nothing is written.

    ConfigError, StrictModeError and SyndicateError propagate as from `build.build`.
    """
    config = load_config(options.config_path)
    report, files = build.prepare(options, on_seed, config=config)
    report.problems[:0] = placeholder_problems(config, options.config_path.as_posix())  # as build
    out, topics = options.out_dir, report.hub_topics
    sizes: dict[str, int] = {}  # each file rendered once: compared and measured
    plan = output.plan(out, files, topics, sizes=sizes)
    report.problems.extend(build.size_warnings(config, options, report, sizes.get))
    report.floods = _floods(options, config, files)
    result = Staleness(removed=list(plan.removed), leftover=output.leftovers(out))
    # The manifest and the changes record: a build rewrites them when they would differ.
    own = output.records(out, files, plan, topics)
    for name in [*plan.written, *output.stale_records(out, own)]:
        (result.changed if (out / name).is_file() else result.added).append(name)
    report.written, report.unchanged, report.removed = plan.written, plan.unchanged, plan.removed
    return report, result


def _floods(
    options: build.BuildOptions, config: Config, files: dict[str, output.Content]
) -> list[Problem]:
    """The flood guard's warnings, were these files written into the output folder."""
    return floods.flood_problems(config, options.config_path.as_posix(), options.out_dir, files)


def changes(
    options: build.BuildOptions,
    flood_threshold: int | None = None,
    on_seed: build.OnSeed | None = None,
) -> tuple[build.BuildReport, diff.Diff]:
    """`syndicate diff`: build in memory and compare every feed's items with out/'s.

    ConfigError and SyndicateError propagate as from `build.build`; nothing is written.
    """
    from syndicate.review import diff  # here: build and check need it only for a flood

    config = load_config(options.config_path)
    report, files = build.prepare(options, on_seed, config=config, with_pages=False)
    found = diff.compare(
        config, options.config_path.as_posix(), options.out_dir, files, flood_threshold
    )
    report.floods = found.problems()
    return report, found
