"""How `syndicate diff` looks: text for a terminal, markdown for a pull request, JSON for a
program. Formatting only, no I/O; the item lists are in feed order (review/diff.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from syndicate.words import plural

if TYPE_CHECKING:
    from syndicate.review.diff import Diff, FeedDiff, ItemChange


MARK = {"added": "+", "removed": "\u2212", "changed": "~"}
DEFAULT_ROWS = 25


def headline(diff: Diff) -> str:
    changed = len(diff.changed)
    if not changed:
        return f"no feed changes: {diff.out_dir.rstrip('/')}/ is what a build would publish"
    return f"{plural(changed, 'feed')} of {len(diff.feeds)} would change in {diff.out_dir}/"


def _feed_head(feed: FeedDiff) -> str:
    if feed.status == "new":
        return f"new feed {feed.summary} (not in the output folder yet)"
    if feed.status == "removed":
        return f"removed feed {feed.summary} (no longer in the config: a build deletes it)"
    return f"{feed.summary}  ({feed.before} \u2192 {feed.after} items)"


def _what(change: ItemChange) -> str:
    if change.kind != "changed":
        return change.kind
    return ", ".join(change.fields)


# ------------------------------------------------------------------------------ text


def text(diff: Diff) -> str:
    lines = [headline(diff)]
    for feed in diff.changed:
        lines.append(_feed_head(feed))
        if feed.note:
            lines.append(f"  note: {feed.note}")
        if feed.flood is not None:
            lines.append(f"  warning: {feed.flood.message()}")
        for change in feed.changes:
            item = change.item
            what = f"  ({_what(change)})" if change.kind == "changed" else ""
            lines.append(f"  {MARK[change.kind]} {item.day}  {_one_line(item.title)}{what}")
            lines.append(f"      {item.url}")
            if "title" in change.fields and change.before is not None:
                lines.append(f"      title was: {_one_line(change.before.title)}")
    unchanged = [f.id for f in diff.feeds if f.status == "unchanged"]
    if unchanged:
        lines.append(f"unchanged: {', '.join(unchanged)}")
    lines += [f"  note: {feed.id}: {feed.note}" for feed in _unchanged_with_notes(diff)]
    return "\n".join(lines)


def _unchanged_with_notes(diff: Diff) -> list[FeedDiff]:
    """The unchanged feeds with a note (a file of out/ that could not be read was skipped)."""
    return [f for f in diff.feeds if f.status == "unchanged" and f.note]


def _one_line(value: str) -> str:
    return " ".join(value.split())


# ------------------------------------------------------------------------------ markdown

# Inline markdown (GitHub's): emphasis, code, links, tables, strikethrough. Text never starts a
# line here, so block markers (#, -, 1.) need no escape.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~>])")


def _md(value: str) -> str:
    """Text as markdown text: one line, markdown's characters escaped, HTML neutralised."""
    flat = _one_line(value).replace("&", "&amp;").replace("<", "&lt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _md_url(url: str) -> str:
    """A link target in <...>, which markdown takes as it is (spaces and parentheses too)."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _md_link(title: str, url: str) -> str:
    return f"[{_md(title) or _md(url)}]({_md_url(url)})"


def markdown(diff: Diff, rows: int = DEFAULT_ROWS) -> str:
    """A summary table, then per changed feed its flood warning and a table of at most `rows`
    items ("and K more")."""
    lines = [f"### syndicate diff: {_md(headline(diff))}", ""]
    if diff.changed:
        lines += [
            "| feed | | added | removed | changed | items |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for feed in diff.changed:
            flag = "\u26a0\ufe0f flood" if feed.flood else feed.status
            lines.append(
                f"| `{feed.id}` | {flag} | {feed.count('added')} | {feed.count('removed')} "
                f"| {feed.count('changed')} | {feed.before} \u2192 {feed.after} |"
            )
        lines.append("")
    for feed in diff.changed:
        lines += _md_feed(feed, rows)
    unchanged = [f"`{f.id}`" for f in diff.feeds if f.status == "unchanged"]
    if unchanged:
        lines += [f"Unchanged: {', '.join(unchanged)}.", ""]
    for feed in _unchanged_with_notes(diff):
        lines += [f"Note on `{feed.id}`: {_md(feed.note or '')}", ""]
    return "\n".join(lines)


def _md_feed(feed: FeedDiff, rows: int) -> list[str]:
    head = _md(_feed_head(feed))
    lines = [f"#### {head}", ""]
    if feed.title:
        lines += [f"**{_md(feed.title)}**", ""]
    if feed.note:
        lines += [f"Note: {_md(feed.note)}", ""]
    if feed.flood is not None:
        lines += ["> [!WARNING]", f"> **Feed flood:** {_md(feed.flood.message())}", ""]
    if feed.changes:
        lines += ["| | date | item | what |", "|---|---|---|---|"]
        for change in feed.changes[:rows]:
            item = change.item
            lines.append(
                f"| {MARK[change.kind]} | {item.day} | {_md_link(item.title, item.url)} "
                f"| {_md(_what(change))} |"
            )
        hidden = len(feed.changes) - rows
        if hidden > 0:
            lines.append(f"| | | *and {hidden} more* | |")
        lines.append("")
    return lines


# ------------------------------------------------------------------------------ json


def as_json(diff: Diff) -> str:
    return json.dumps(_json_diff(diff), indent=2, ensure_ascii=False)


def _json_diff(diff: Diff) -> dict[str, Any]:
    return {
        "config": diff.config_path,
        "out": diff.out_dir,
        "changed": bool(diff.changed),
        "feeds": [_json_feed(feed) for feed in diff.feeds],
    }


def _json_feed(feed: FeedDiff) -> dict[str, Any]:
    flood = feed.flood
    return {
        "id": feed.id,
        "title": feed.title,
        "status": feed.status,
        "line": feed.line,
        "summary": feed.summary,
        "added": feed.count("added"),
        "removed": feed.count("removed"),
        "changed": feed.count("changed"),
        "items_before": feed.before,
        "items_after": feed.after,
        "flood": None
        if flood is None
        else {
            "count": flood.count,
            "oldest": flood.oldest.isoformat(),
            "newest_before": flood.newest_before.isoformat(),
            "threshold": flood.threshold,
            "message": flood.message(),
        },
        "note": feed.note,
        "items": _json_items(feed.changes),
    }


def _json_items(changes: Sequence[ItemChange]) -> list[dict[str, Any]]:
    return [
        {
            "change": change.kind,
            "url": change.item.url,
            "title": change.item.title,
            "date": change.item.published.isoformat(),
            "fields": list(change.fields),
            **(
                {"title_before": change.before.title}
                if change.before is not None and "title" in change.fields
                else {}
            ),
        }
        for change in changes
    ]
