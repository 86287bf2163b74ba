"""The writers' fast paths give the bytes of their references: RSS items and Atom entries
written straight (render/writers/_items.py) against feedgen, JSON Feed items against Pydantic,
preview page items in Python against the Jinja macro; and an entry the fast path cannot render
with certainty goes to the reference."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import astuple
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from syndicate.render import pages
from syndicate.render.entry import Archive, Entry, FeedView, Person, Picture, RelatedLink
from syndicate.render.writers import _items, atom, jsonfeed, rss

ROOT = Path(__file__).resolve().parents[1]
Write = Callable[[FeedView, BinaryIO], None]
WRITERS: dict[str, tuple[Write, Write]] = {
    "rss": (rss.write, rss.write_feedgen),
    "atom": (atom.write, atom.write_feedgen),
    "json": (jsonfeed.write, jsonfeed.write_pydantic),
}

# Text hard on writers: markup, references, CDATA ends, quotes, line breaks, tabs, astral
# characters, characters XML allows (DEL, NEL, U+2028) and does not (NUL, VT, U+FFFE, a lone
# surrogate), empty strings and arbitrary unicode.
_XML_TRICKY = ("&", "<", ">", '"', "'", "]]>", "&amp;", "\r", "\n", "\r\n", "\t", "🧑‍💻", "é")
_XML_TRICKY += ("\x7f", "\x85", "\u2028", " ")
_NOT_XML = ("\x00", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff")
text = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from(_XML_TRICKY + _NOT_XML + ("",))), max_size=5
).map("".join)
# Mostly text XML can hold and not empty, so that the fast paths are exercised, not only the
# fallback.
_XML_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
clean = st.lists(
    st.one_of(st.text(_XML_CHARS, max_size=8), st.sampled_from(_XML_TRICKY)),
    min_size=1,
    max_size=5,
).map(lambda parts: "".join(parts) or "x")
offsets = st.one_of(
    st.just(UTC),
    st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m))),
    st.integers(-3600, 3600).map(lambda s: timezone(timedelta(seconds=s))),
)
on_the_second = st.builds(
    lambda d, minutes: d.replace(tzinfo=timezone(timedelta(minutes=minutes)), microsecond=0),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
    st.sampled_from((0, 0, 60, -330, 23 * 60 + 59)),
)
any_moment = st.builds(
    lambda d, tz, micro: d.replace(tzinfo=tz, microsecond=micro),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
    offsets,
    st.sampled_from((0, 0, 0, 500, 500000)),
)
size = st.one_of(st.none(), st.integers(0, 5000))


def entries(
    texts: st.SearchStrategy[str], moment: st.SearchStrategy[datetime]
) -> st.SearchStrategy[Entry]:
    """Entries of `texts` (for every text field) dated `moment`."""
    url = st.one_of(
        st.sampled_from(("https://example.com/a?x=1&y=2", 'http://ex.org/<p>"q"\'', "https://x/")),
        texts.map(lambda t: "https://example.com/" + t),
    )
    person = st.builds(
        Person, texts, st.one_of(st.none(), url), st.one_of(st.none(), url), st.none()
    )
    picture = st.builds(
        Picture,
        url,
        st.sampled_from(("image/jpeg", "image/png", "image/svg+xml")),
        size,
        size,
        st.one_of(st.none(), texts),
    )
    related = st.builds(
        RelatedLink, url, texts, st.one_of(st.none(), moment), st.one_of(st.none(), texts)
    )
    return st.builds(
        Entry,
        url=url,
        title=texts,
        summary=st.one_of(st.none(), texts),
        content_html=texts,
        published=moment,
        author=st.one_of(st.none(), person),
        tags=st.lists(texts, max_size=4).map(tuple),
        images=st.lists(picture, max_size=4).map(tuple),
        related=st.lists(related, max_size=4).map(tuple),
        unpublished=st.booleans(),
    )


# Most entries are ones the fast paths render (so that they are held to the reference), some
# have anything anywhere (so that the fallback is).
entry = st.one_of(
    entries(clean, on_the_second),
    entries(clean, on_the_second),
    entries(st.one_of(clean, clean, text, st.just("")), any_moment),
)


def _view(entries: list[Entry], extras: dict[str, object] | None = None) -> FeedView:
    fields: dict[str, object] = {
        "id": "f",
        "title": "F & <co>",
        "description": "About F",
        "language": "en",
        "home_url": "https://example.org/",
        "feed_base": "https://example.org/f/",
        "author": Person("Site", "https://example.org/"),
        "generator": "syndicate",
        "version": "1.0",
        "entries": tuple(entries),
    }
    return FeedView(**{**fields, **(extras or {})})  # type: ignore[arg-type]


views = st.builds(
    lambda entries, extras: _view(entries, extras),
    st.lists(entry, max_size=4),
    st.fixed_dictionaries(
        {},
        optional={
            "title": st.one_of(clean, text),
            "description": st.one_of(st.just(""), clean, text),
            "language": st.one_of(st.none(), st.just("en-GB"), clean),
            "author": st.one_of(
                st.none(),
                st.builds(
                    Person,
                    st.one_of(clean, text),
                    st.one_of(st.none(), st.just("https://example.org/a?b=1&c=<2>")),
                    st.one_of(st.none(), st.just("https://example.org/avatar.png")),
                ),
            ),
            "icon": st.just("https://example.org/icon.png"),
            "logo": st.just("https://example.org/logo.png"),
            "hubs": st.just(("https://hub.example/", "https://hub2.example/?a=1&b=2")),
            "stylesheet": st.just("feed.xsl"),
            "archive": st.sampled_from((Archive(0), Archive(3), Archive(3, 1), Archive(3, 3))),
        },
    ),
)


def _written(write: Write, view: FeedView) -> bytes | Exception:
    """The bytes `write` gives, or the error it raises (the fallback raises the reference's)."""
    buffer = io.BytesIO()
    try:
        write(view, buffer)
    except (ValueError, UnicodeError) as error:
        return error
    return buffer.getvalue()


def _same(fast: bytes | Exception, reference: bytes | Exception) -> None:
    if isinstance(reference, Exception):
        assert isinstance(fast, Exception), fast
        assert type(fast) is type(reference) and str(fast) == str(reference)
    else:
        assert fast == reference


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", WRITERS)
@FAST
@given(view=views)
def test_fast_writers_give_the_reference_bytes(name: str, view: FeedView) -> None:
    fast, reference = WRITERS[name]
    _same(_written(fast, view), _written(reference, view))


@FAST
@given(item=entry)
def test_a_preview_item_in_python_is_the_macro(item: Entry) -> None:
    try:
        reference: str | Exception = _macro(item)
    except ValueError as error:
        reference = error
    if isinstance(reference, Exception):
        with pytest.raises(ValueError, match="not an http"):
            pages.item_html(item)
    else:
        html = pages.item_html(item)
        assert isinstance(html, Markup)
        assert html == reference


@FAST
@given(moment=any_moment)
def test_preview_dates_formatted_by_hand_are_strftime_s(moment: datetime) -> None:
    """`iso` and `human_date` (the pages' date filters, which item_html shares with the macro)
    format by hand what strftime writes of the UTC time."""
    utc = moment.astimezone(UTC)
    assert pages.iso(moment) == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    month = pages.MONTHS[utc.month - 1]
    assert pages.human_date(moment) == f"{utc.day} {month} {utc.year}, {utc:%H:%M} UTC"


def _macro(item: Entry) -> str:
    module = pages._environment().get_template("_macros.html").module
    return str(module.preview_item(item))  # type: ignore[attr-defined]


def _entry(**fields: object) -> Entry:
    base: dict[str, object] = {
        "url": "https://example.com/a",
        "title": "A",
        "summary": "S",
        "content_html": "<p>A</p>",
        "published": datetime(2021, 3, 3, 23, 36, 7, tzinfo=UTC),
        "author": Person("Ex"),
        "tags": ("AI",),
        "images": (Picture("https://example.com/i.png", "image/png", 10, None, "T"),),
        "related": (RelatedLink("https://other.example/r", "R", None, "Other"),),
    }
    return Entry(**{**base, **fields})  # type: ignore[arg-type]


def test_an_ordinary_entry_takes_the_fast_paths() -> None:
    entry = _entry()
    assert _items.rss_item(entry) is not None
    assert _items.atom_entry(entry) is not None
    assert jsonfeed.item_json(entry) is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"title": ""},
        {"url": ""},
        {"content_html": ""},
        {"title": "bell \x07"},
        {"summary": "nul \x00"},
        {"content_html": "\ufffe"},
        {"tags": ("AI", "")},
        {"author": Person("")},
        {"images": (Picture("", "image/png", None, None, None),)},
        {"related": (RelatedLink("", "R", None, None),)},
        {"published": datetime(2021, 3, 3)},  # naive
    ],
    ids=lambda fields: next(iter(fields)) + "=" + repr(next(iter(fields.values())))[:12],
)
def test_feed_items_the_fast_path_cannot_render_go_to_feedgen(fields: dict[str, object]) -> None:
    entry = _entry(**fields)
    assert _items.rss_item(entry) is None
    assert _items.atom_entry(entry) is None
    view = _view([entry])  # alone: a naive date does not compare with the others
    for name in ("rss", "atom"):
        fast, reference = WRITERS[name]
        _same(_written(fast, view), _written(reference, view))


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "surrogate \ud800"},
        {"published": datetime(2021, 3, 3, 1, 2, 3, 500, tzinfo=UTC)},
        {"published": datetime(2021, 3, 3, tzinfo=timezone(timedelta(seconds=30)))},
        {"published": datetime(2021, 3, 3)},  # naive
    ],
    ids=["surrogate", "microseconds", "offset-seconds", "naive"],
)
def test_json_items_the_fast_path_cannot_render_go_to_pydantic(fields: dict[str, object]) -> None:
    entry = _entry(**fields)
    assert jsonfeed.item_json(entry) is None
    view = _view([entry])
    _same(_written(jsonfeed.write, view), _written(jsonfeed.write_pydantic, view))


@pytest.mark.parametrize("writer", [rss, atom, jsonfeed])
def test_the_writers_write_an_ordinary_entry_without_the_reference(
    writer: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # neither the items' reference nor the document's head's
    for reference in ["_models"] if writer is jsonfeed else ["_element", "_document"]:
        monkeypatch.setattr(writer, reference, _no_reference)
    data = _written(writer.write, _view([_entry(), _entry(url="https://example.com/b")]))  # type: ignore[attr-defined]
    assert isinstance(data, bytes) and b"example.com/b" in data


def test_rendering_an_ordinary_feed_imports_no_reference() -> None:
    """The references (feedgen with lxml, the JSON Feed models) are imported only when used."""
    probe = (
        "import io, sys\n"
        "from datetime import UTC, datetime\n"
        "from syndicate.render.entry import Entry, FeedView, Person, Picture, RelatedLink\n"
        "from syndicate.render.writers import WRITERS\n"
        "entry = Entry('https://example.com/a', 'A', 'S', '<p>A</p>',\n"
        "    datetime(2021, 3, 3, tzinfo=UTC), Person('Ex'), ('AI',),\n"
        "    (Picture('https://example.com/i.png', 'image/png', 10, None, 'T'),),\n"
        "    (RelatedLink('https://other.example/r', 'R', None, 'Other'),))\n"
        "view = FeedView('f', 'F', 'About F', 'en', 'https://example.org/',\n"
        "    'https://example.org/f/', Person('Site'), 'syndicate', '1.0', (entry,),\n"
        "    hubs=('https://hub.example/',))\n"
        "for writer in WRITERS.values():\n"
        "    writer.write(view, io.BytesIO())\n"
        "reference = ('feedgen', 'lxml', 'syndicate.render.writers._jsonfeed_models')\n"
        "print(sorted(m for m in reference if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"


@pytest.mark.parametrize(
    "fields",
    [
        {"title": ""},
        {"title": "bell \x07"},
        {"title": "surrogate \ud800"},
        {"description": ""},
        {"description": "\ufffe"},
        {"language": "e\x00"},
        {"home_url": ""},
        {"author": Person("")},
        {"author": Person("A", "https://example.org/\x1f")},
        {"hubs": ("https://hub.example/\x0b",)},
        {"generator": ""},
        {"version": ""},
        {"entries": (_entry(published=datetime(2021, 3, 3)),)},  # naive
    ],
    ids=lambda fields: next(iter(fields)) + "=" + repr(next(iter(fields.values())))[:12],
)
@pytest.mark.parametrize("name", ["rss", "atom"])
def test_feed_heads_the_fast_path_cannot_render_are_feedgen_s(
    name: str, fields: dict[str, object]
) -> None:
    """What feedgen refuses (an error) or writes its own way, the writers take from feedgen."""
    view = _view([_entry()], fields)
    fast, reference = WRITERS[name]
    _same(_written(fast, view), _written(reference, view))


def _no_reference(*args: object) -> object:
    raise AssertionError("the reference was used")


def test_a_root_with_other_prefixes_writes_every_item_with_feedgen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast items use the prefixes feedgen declares; should they change, feedgen writes
    (where the head is feedgen's: the fast head declares the fast items' prefixes)."""
    monkeypatch.setattr(rss, "rss_head", lambda *args: None)
    monkeypatch.setattr(rss, "RSS_PREFIXES", {"media": "urn:other"})
    monkeypatch.setattr(rss, "rss_item", _no_fast_path)
    view = _view([_entry()])
    assert _written(rss.write, view) == _written(rss.write_feedgen, view)


def _no_fast_path(entry: Entry) -> bytes | None:
    raise AssertionError("the fast path was used")


@FAST
@given(item=entry)
def test_an_entry_row_is_its_fields_and_reads_back(item: Entry) -> None:
    """`Entry.row`, written out by hand, is what `dataclasses.astuple` gives for each part."""
    row = item.row()
    assert row[:5] == (
        item.url,
        item.title,
        item.summary,
        item.content_html,
        item.published.isoformat(),
    )
    assert row[5] == (None if item.author is None else astuple(item.author))
    assert row[6:8] == (item.tags, tuple(astuple(image) for image in item.images))
    assert row[9] is item.unpublished
    assert Entry.from_row(row) == item


def test_a_preview_item_with_a_link_that_is_not_http_is_refused_as_by_the_macro() -> None:
    for item in (
        _entry(url="ftp://example.com/a"),
        _entry(related=(RelatedLink("x:y", "R", None, None),)),
    ):
        with pytest.raises(ValueError, match="not an http"):
            _macro(item)
        with pytest.raises(ValueError, match="not an http"):
            pages.item_html(item)
