"""How results look on a terminal, in a CI log and to a program: formatting only, no I/O.

`cli.py` decides where each piece goes (stdout or stderr) and whether colour is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from syndicate.errors import Problem
from syndicate.words import plural, readable, readable_path, short_path

if TYPE_CHECKING:
    from syndicate.publish.websub import Delivery, HubResult
    from syndicate.review.check import Staleness
    from syndicate.run import BuildReport

# ------------------------------------------------------------------------------- problems

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def problem_text(problem: Problem, terminal: bool = False) -> str:
    """`PATH:LINE: field: message`, styled (click.echo drops the style when not a terminal).

    Without styles this is `str(problem)`, the form every command uses, with a file name's
    bytes that are not UTF-8 as `\\xfe` and a control character of a path or field as `\\x0a`
    (see readable_path). On a `terminal`, a path over 200 characters is shortened in the
    middle; a log or a pipe gets it whole, for the tools that open it.
    """
    prefix = "warning: " if problem.severity == "warning" else ""
    path = readable_path(short_path(problem.path) if terminal else problem.path)
    return (
        click.style(f"{path}:{problem.line}:", bold=True)
        + " "
        + click.style(f"{readable_path(problem.field)}:", fg="cyan")
        + " "
        + click.style(f"{prefix}{readable(problem.message)}", fg=_SEVERITY_COLOUR[problem.severity])
    )


def detail_text(problem: Problem) -> str:
    """The raw detail of a problem, under it (-v): `    detail: invalid YAML: ...`."""
    return click.style(f"    detail: {problem.detail}", dim=True)


def _escape_data(text: str) -> str:
    return readable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command: `::error file=P,line=N,title=FIELD::MESSAGE`."""
    properties = ",".join(
        f"{key}={_escape_property(value)}"
        for key, value in (
            ("file", readable_path(problem.path)),
            ("line", str(problem.line)),
            ("title", readable_path(problem.field)),
        )
    )
    return f"::{problem.severity} {properties}::{_escape_data(problem.message)}"


def github_error(message: str) -> str:
    """An annotation for an error that belongs to no file (the seeds folder is missing...)."""
    return f"::error title=syndicate::{_escape_data(message)}"


def problem_dict(problem: Problem) -> dict[str, str | int]:
    return {
        "file": problem.path,
        "line": problem.line,
        "field": problem.field,
        "severity": problem.severity,
        "message": problem.message,
    }


def problems_json(problems: Iterable[Problem]) -> str:
    """A JSON list, valid UTF-8: a file name's byte that is not UTF-8 is the lone surrogate
    Python reads it as (0xFE: `\\udcfe`, as `surrogateescape` maps it), written as an escape."""
    text = json.dumps([problem_dict(p) for p in problems], indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def counts(problems: Sequence[Problem]) -> str:
    """`1 error, 2 warnings`."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


# ------------------------------------------------------------------------------- tables


def table(header: Sequence[str], rows: Iterable[Sequence[object]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; the columns in `right` are right-aligned."""
    cells = [list(header)] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(parts).rstrip())
    return lines


def feed_problems(report: BuildReport, feed_id: str) -> int:
    """Problems reported about one feed (the build names them `feeds.<id>`)."""
    name = f"feeds.{feed_id}"
    return sum(
        p.field == name or p.field.startswith(f"{name}.")
        for p in [*report.problems, *report.floods]
    )


def _of_feed(problem: Problem, feed_fields: set[str]) -> bool:
    return problem.field in feed_fields or any(
        problem.field.startswith(f"{name}.") for name in feed_fields
    )


def _in_folder(names: list[str], feed_id: str) -> int:
    """How many of the output files `names` are in the feed's folder `out/<id>/`."""
    return sum(name.startswith(f"{feed_id}/") for name in names)


def _not_read(report: BuildReport, feed_fields: set[str]) -> int:
    """The seed files found but not read (a link loop, a folder named like a seed, a folder
    that cannot be listed): their errors are the discovery's, on paths of their own, where
    every rejected seed has errors on its path."""
    paths = {p.path for p in report.problems if p.severity == "error"}
    paths -= {p.path for p in report.problems if _of_feed(p, feed_fields)}
    return max(len(paths) - report.seeds_rejected, 0)


def summary(report: BuildReport, verbose: bool = False) -> str:
    """The closing summary of a build: seeds, then one row per feed, then files.

    The first line starts `seeds: N read, M rejected`; the last is `files: ...`, every file,
    the site's own (index, OPML...) included; a feed's row counts the files in `out/<id>/`.
    """
    # A feed's problems (it selects nothing, it floods) are counted on its own row only; the
    # site's (a placeholder base_url) are the config's, not the seeds'.
    feed_fields = {f"feeds.{feed.id}" for feed in report.feeds}
    warnings = sum(
        p.severity == "warning" and not _of_feed(p, feed_fields) and not _of_site(p)
        for p in [*report.problems, *report.floods]
    )
    unread = _not_read(report, feed_fields)
    lines = [
        f"seeds: {report.seeds_read} read, {report.seeds_rejected} rejected"
        + (f", {unread} not read" if unread else "")
        + f", {plural(warnings, 'warning')}",
    ]
    rows = [
        (
            feed.id,
            feed.items,
            _in_folder(report.written, feed.id),
            _in_folder(report.unchanged, feed.id),
            feed_problems(report, feed.id),
        )
        for feed in report.feeds
    ]
    header = ("feed", "items", "written", "unchanged", "problems")
    lines += ["  " + line for line in table(header, rows, right={1, 2, 3, 4})]
    if verbose:
        lines += [f"  written: {name}" for name in report.written]
        lines += [f"  removed: {name}" for name in report.removed]
    lines.append(
        f"files: {len(report.written)} written, {len(report.unchanged)} unchanged"
        f", {len(report.removed)} removed"
    )
    return "\n".join(lines)


def _of_site(problem: Problem) -> bool:
    return problem.field.startswith("site.")


def staleness(out_dir: Path, stale: Staleness, unchanged: int) -> str:
    """What `build --check` says: up to date, or stale and the files a build would touch."""
    shown = out_dir.as_posix().rstrip("/") + "/"
    if not stale.stale:
        return f"{shown} is up to date ({plural(unchanged, 'file')})"
    lines = stale.lines()
    head = f"{shown} is stale: {plural(len(lines), 'file')} would change (run `syndicate build`)"
    return "\n".join([head, *(f"  {line}" for line in lines)])


# ------------------------------------------------------------------------------- ping


def ping_lines(results: Sequence[HubResult], quiet: bool = False) -> list[str]:
    """Per hub a line `hub URL: N of M accepted`, then a line per topic; then the total.

    Quiet: only the topics that failed, each with its hub.
    """
    if quiet:
        return [
            f"failed  {result.hub}  {_delivery(d)}"
            for result in results
            for d in result.deliveries
            if not d.accepted
        ]
    lines = []
    for result in results:
        lines.append(f"hub {result.hub}: {result.accepted} of {len(result.deliveries)} accepted")
        lines += [
            f"  {'ok    ' if d.accepted else 'failed'}  {_delivery(d)}" for d in result.deliveries
        ]
    accepted = sum(r.accepted for r in results)
    total = sum(len(r.deliveries) for r in results)
    lines.append(
        f"pinged {plural(len(results), 'hub')}: {accepted} of {plural(total, 'notification')}"
        " accepted"
    )
    return lines


def _delivery(delivery: Delivery) -> str:
    tries = f" ({plural(delivery.attempts, 'attempt')})" if delivery.attempts > 1 else ""
    return f"{delivery.topic}  {delivery.detail}{tries}"
