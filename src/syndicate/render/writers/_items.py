"""RSS items and Atom entries written straight as bytes: the bytes `_feedgen.write_document`
cuts out of the whole document for the entry that feedgen and our extension build (element
order, namespace prefixes, lxml's escaping and pretty-printing), without building elements.

`rss_item` and `atom_entry` return None for an entry they cannot render with certainty (a
character XML does not allow, an empty field that feedgen treats its own way, a naive date):
the writer then renders that entry with feedgen, the reference (`rss.write_feedgen`,
`atom.write_feedgen`). `tests/test_writers_fast.py` holds both to the same bytes.

The items use the prefixes the writers' root elements declare (`RSS_PREFIXES`, `ATOM_XMLNS`):
a writer checks them once per document and uses feedgen for every item when they differ.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from syndicate.render.entry import Entry

# The namespace prefixes an RSS item uses, as feedgen and our extension declare them.
RSS_PREFIXES = {
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
# feedgen's Atom elements have no namespace: the root declares Atom's as an `xmlns` attribute,
# and entries are written without prefixes.
ATOM_XMLNS = "http://www.w3.org/2005/Atom"

# What lxml refuses in text or attributes (XML's Char production): lone surrogates (which UTF-8
# cannot encode), U+FFFE, U+FFFF and the control characters but tab and line breaks. In UTF-8
# bytes, a byte below 0x20 is only ever that character.
_CONTROLS = bytes(c for c in range(0x20) if c not in b"\t\n\r")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_TEXT_SPECIAL = re.compile("[&<>\r]").search
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\t\n\r]').search


def xml_text(value: str) -> str:
    """Element text as libxml2 writes it: `&`, `<`, `>` and carriage returns as references."""
    if _TEXT_SPECIAL(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def xml_attribute(value: str) -> str:
    """An attribute value as libxml2 writes it between double quotes."""
    if _ATTRIBUTE_SPECIAL(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace('"', "&quot;")
    return value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def our_attribute(value: str) -> str:
    """An attribute our extension writes (`_feedgen._sub`): tabs and line breaks as spaces,
    then escaped."""
    if _ATTRIBUTE_SPECIAL(value) is None:
        return value
    value = value.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return xml_attribute(value)


def _certain(entry: Entry) -> bool:
    """Whether the fast path renders `entry` as feedgen does, but for the characters (see
    `xml_bytes`): no empty field that feedgen leaves out or writes as an empty element, an aware
    date."""
    if not (entry.url and entry.title and entry.content_html):
        return False
    if entry.published.utcoffset() is None or (entry.author and not entry.author.name):
        return False
    return (
        all(entry.tags)
        and all(p.url and p.mime_type for p in entry.images)
        and all(link.url for link in entry.related)
    )


def xml_bytes(text: str) -> bytes | None:
    """`text` in UTF-8 when XML can hold every character of it (lxml refuses any other), else
    None. Every character of the entry's fields that the item holds is in `text`: escaping
    changes only `&<>"` and tabs and line breaks."""
    if "\ufffe" in text or "\uffff" in text:  # (instant in text of narrower characters)
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return data if len(data.translate(None, _CONTROLS)) == len(data) else None


def rfc822(moment: datetime) -> str:
    """feedgen's `formatRFC2822` (strftime in the C locale), with the names from a table."""
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    offset = moment.utcoffset()
    if moment.year < 1000 or offset is None or offset.seconds % 60 or offset.microseconds:
        return f"{day}, {moment:%d} {month} {moment:%Y %H:%M:%S %z}"
    minutes = offset.days * 1440 + offset.seconds // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return (
        f"{day}, {moment.day:02d} {month} {moment.year} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


def rss_description(entry: Entry) -> str:
    """An RSS item's description, HTML to readers: the excerpt escaped (so that it stays
    text), the body being in content:encoded; without an excerpt, the body itself, and no
    content:encoded (the Best Practices Profile: no content:encoded without a description)."""
    return escape(entry.summary, quote=False) if entry.summary else entry.content_html


def rss_item(entry: Entry) -> bytes | None:
    """The `<item>` of `entry` in an RSS channel, or None (use feedgen)."""
    if not _certain(entry):
        return None
    url = xml_text(entry.url)
    parts = [
        "    <item>\n      <title>",
        xml_text(entry.title),
        "</title>\n      <link>",
        url,
        "</link>\n",
    ]
    parts += ("      <description>", xml_text(rss_description(entry)), "</description>\n")
    parts += ('      <guid isPermaLink="true">', url, "</guid>\n")
    for tag in entry.tags:
        parts += ("      <category>", xml_text(tag), "</category>\n")
    images = entry.images
    if images:
        lead = images[0]
        parts += (
            '      <enclosure url="',
            xml_attribute(lead.url),
            '" length="0" type="',
            xml_attribute(lead.mime_type),
            '"/>\n',
        )
    parts += ("      <pubDate>", rfc822(entry.published), "</pubDate>\n")
    if entry.author:
        parts += ("      <dc:creator>", xml_text(entry.author.name), "</dc:creator>\n")
    if entry.summary:  # see rss_description
        parts += ("      <content:encoded>", xml_text(entry.content_html), "</content:encoded>\n")
    for index, picture in enumerate(images):
        size = _size(picture.width, picture.height)
        picture_url = our_attribute(picture.url)
        parts += (
            '      <media:content url="',
            picture_url,
            '" type="',
            our_attribute(picture.mime_type),
            '" medium="image"',
            size,
        )
        if picture.title:
            parts += (
                '>\n        <media:title type="plain">',
                xml_text(picture.title),
                "</media:title>\n      </media:content>\n",
            )
        else:
            parts.append("/>\n")
        if index == 0:
            parts += ('      <media:thumbnail url="', picture_url, '"', size, "/>\n")
    parts += _related_links(entry, '      <atom:link rel="related" href="')
    parts.append("    </item>\n")
    return xml_bytes("".join(parts))


def _size(width: int | None, height: int | None) -> str:
    """The width and height attributes our extension writes (none for 0 or None)."""
    size = f' width="{width}"' if width else ""
    return size + f' height="{height}"' if height else size


def atom_entry(entry: Entry) -> bytes | None:
    """The `<entry>` of `entry` in an Atom feed, or None (use feedgen)."""
    if not _certain(entry):
        return None
    url = xml_text(entry.url)
    published = entry.published.isoformat()
    parts = [
        "  <entry>\n    <id>",
        url,
        "</id>\n    <title>",
        xml_text(entry.title),
        "</title>\n    <updated>",
        published,
        "</updated>\n",
    ]
    author = entry.author
    if author is not None:
        parts += ("    <author>\n      <name>", xml_text(author.name), "</name>\n")
        if author.email:
            parts += ("      <email>", xml_text(author.email), "</email>\n")
        if author.url:
            parts += ("      <uri>", xml_text(author.url), "</uri>\n")
        parts.append("    </author>\n")
    parts += ('    <content type="html">', xml_text(entry.content_html), "</content>\n")
    if entry.summary:
        parts += ("    <summary>", xml_text(entry.summary), "</summary>\n")
    for tag in entry.tags:
        parts += ('    <category term="', xml_attribute(tag), '"/>\n')
    parts += ("    <published>", published, "</published>\n")
    alternate = our_attribute(entry.url)
    parts += ('    <link rel="alternate" type="text/html" href="', alternate, '"/>\n')
    for picture in entry.images:
        parts += (
            '    <link rel="enclosure" type="',
            our_attribute(picture.mime_type),
            '" href="',
            our_attribute(picture.url),
            '"',
        )
        if picture.title:
            parts += (' title="', our_attribute(picture.title), '"')
        parts.append("/>\n")
    parts += _related_links(entry, '    <link rel="related" href="')
    parts.append("  </entry>\n")
    return xml_bytes("".join(parts))


def _related_links(entry: Entry, opening: str) -> list[str]:
    """The pieces of an item's related links (RSS's atom:link, Atom's link), each line begun
    with `opening` (indent, element and `href="`)."""
    parts: list[str] = []
    for link in entry.related:
        parts += (opening, our_attribute(link.url), '"')
        if link.title:
            parts += (' title="', our_attribute(link.title), '"')
        parts.append("/>\n")
    return parts
