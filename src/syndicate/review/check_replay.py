"""`syndicate check` answered from the build memo: when nothing a build depends on changed
since the last build (the test a no-op build replays on, `Past.unchanged`), a check would find
what that build found, so no seed is read and neither the config models nor the writers are
imported.

Why it is the same answer: the memo holds the build's problems in order (discovery's, the
seeds', the feeds', the size guard's, measured on the files the build wrote, which are what a
check renders), the seeds read and rejected, and the config's own warnings that only `check`
reports. A config that does not load leaves no memo. The flood guard compares out/ with what a
build would write: the memo holds only while every file the build wrote is as it left it, so
there is no flood to report.
"""

from __future__ import annotations

from syndicate.errors import Problem
from syndicate.incremental.seam import Past
from syndicate.review.check_result import CheckResult
from syndicate.run import BuildOptions


def replayed(options: BuildOptions) -> CheckResult | None:
    """What `check` would report, from the last build's memo; None when it must check.
    Nothing is written: the memo is not forgotten when it no longer holds."""
    if not options.use_cache:
        return None
    from syndicate.incremental import memo

    if not (options.cache_folder / memo.MEMO_FILE).is_file():
        return None  # no build to answer from: the seeds are not even listed
    with Past.open(options) as past:
        last = past.unchanged()
    if last is None or last.check_problems is None:
        return None
    rows = [*last.check_problems, *last.report.problems]
    return CheckResult(
        problems=[Problem.from_row(row) for row in rows],
        seeds_read=last.report.seeds_read,
        seeds_rejected=last.report.seeds_rejected,
    )
