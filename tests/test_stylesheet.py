"""`site.stylesheet: true`: RSS and Atom files carry `<?xml-stylesheet?>` pointing at the bundled
out/feed.xsl; the XSL itself is applied (lxml's libxslt, as a browser would) and the page it
makes is parsed: every item shows, as text, and only http(s) links come out of it."""

from __future__ import annotations

import json
from html import unescape
from importlib import resources
from pathlib import Path

import feedparser
import html5lib
import pytest
from lxml import etree

from syndicate.render import pages

from conftest import GOLDEN, build_into, seed_text, write_seed
from feedcheck import atom_schema

ESCAPING = GOLDEN / "escaping"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The escaping case (markup in every text), with the stylesheet on and an archived feed."""
    root = tmp_path_factory.mktemp("stylesheet")
    text = (ESCAPING / "feeds.yaml").read_text("utf-8")
    text = text.replace("  language: en-GB\n", "  language: en-GB\n  stylesheet: true\n")
    text += "  - id: archived\n    title: Archived\n    limit: 1\n    archive: true\n"
    (root / "feeds.yaml").write_text(text, encoding="utf-8")
    build_into(ESCAPING / "seeds", root / "feeds.yaml", root / "out")
    return root / "out"


def stylesheet_of(path: Path) -> Path:
    """The file the document's xml-stylesheet instruction names, resolved against it."""
    root = etree.parse(str(path)).getroot()
    instruction = root.getprevious()
    assert isinstance(instruction, etree._ProcessingInstruction), path
    assert instruction.target == "xml-stylesheet"
    assert instruction.get("type") == "text/xsl"
    href = instruction.get("href")
    assert href is not None and "://" not in href  # relative: same origin wherever served
    return (path.parent / href).resolve()


def xml_documents(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml"))


def test_every_rss_and_atom_file_names_the_bundled_xsl(out: Path) -> None:
    documents = xml_documents(out)
    assert {p.name for p in documents} >= {"rss.xml", "atom.xml", "1.xml"}
    bundled = resources.files("syndicate.render").joinpath("static", pages.STYLESHEET).read_bytes()
    assert (out / pages.STYLESHEET).read_bytes() == bundled
    for path in documents:
        assert stylesheet_of(path) == (out / pages.STYLESHEET).resolve()
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        if path.name != "rss.xml":
            assert atom_schema().validate(etree.parse(str(path))), path
    for path in out.rglob("*.json"):
        assert b"xml-stylesheet" not in path.read_bytes()


def transformed(path: Path) -> etree._Element:
    """The page a browser would show: the XSL applied, then parsed as HTML5."""
    transform = etree.XSLT(etree.parse(str(stylesheet_of(path))))
    html = str(transform(etree.parse(str(path))))
    document: etree._Element = html5lib.parse(html, treebuilder="lxml")
    return document


def text_of(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_the_page_shows_every_item_as_text(out: Path, name: str) -> None:
    page = transformed(out / "all" / name)
    parsed = feedparser.parse((out / "all" / name).read_bytes())
    headings = [text_of(h) for h in page.iter(f"{XHTML}h2")]
    assert headings == [" ".join(entry.title.split()) for entry in parsed.entries]
    assert any("<script>" in heading for heading in headings)  # shown as text
    tags = {element.tag for element in page.iter() if isinstance(element.tag, str)}
    assert f"{XHTML}script" not in tags and f"{XHTML}iframe" not in tags
    for link in page.iter(f"{XHTML}a"):
        assert link.get("href", "").startswith(("http://", "https://")), link.get("href")
    (field,) = page.iter(f"{XHTML}input")
    assert field.get("value") == f"https://example.org/feeds/all/{name}"
    shown = [[text_of(p) for p in a.findall(f"{XHTML}p")[1:]] for a in page.iter(f"{XHTML}article")]
    expected = summaries(out / "all" / name)
    assert None in expected  # an item without an excerpt: no paragraph (no raw HTML shown)
    assert shown == [[] if text is None else [" ".join(text.split())] for text in expected]


def summaries(path: Path) -> list[str | None]:
    """Each item's excerpt as text, None without one: the Atom summary; the RSS description,
    which is HTML (our escaped text), unescaped, when content:encoded holds the body (else the
    description is the body)."""
    tree = etree.parse(str(path))
    if path.name == "rss.xml":
        return [
            unescape(item.findtext("description") or "")
            if item.find(f"{CONTENT}encoded") is not None
            else None
            for item in tree.iter("item")
        ]
    return [entry.findtext(f"{ATOM}summary") for entry in tree.iter(f"{ATOM}entry")]


def test_an_archive_page_links_older_newer_and_latest(out: Path) -> None:
    pages_ = sorted((out / "archived/archive").glob("*.xml"))
    assert len(pages_) >= 2
    first = transformed(pages_[0])
    links = {text_of(a): a.get("href") for a in first.iter(f"{XHTML}a")}
    assert links["Latest items"] == "https://example.org/feeds/archived/atom.xml"
    assert links["Newer items"] == "https://example.org/feeds/archived/archive/2.xml"
    assert "Older items" not in links
    (field,) = first.iter(f"{XHTML}input")
    assert field.get("value") == "https://example.org/feeds/archived/atom.xml"


def rss_article(folder: Path, excerpt: str) -> etree._Element:
    """The page of an RSS feed of one item with this excerpt: its article."""
    write_seed(folder / "seeds", "a.txt", seed_text("T", excerpt=json.dumps(excerpt)))
    (folder / "feeds.yaml").write_text(
        'site: {title: T, base_url: "https://example.org/", stylesheet: true}\n'
        "feeds:\n  - {id: a, title: A, formats: [rss]}\n",
        encoding="utf-8",
    )
    build_into(folder / "seeds", folder / "feeds.yaml", folder / "out")
    (article,) = transformed(folder / "out/a/rss.xml").iter(f"{XHTML}article")
    return article


def test_unescaping_rss_text(tmp_path: Path) -> None:
    excerpt = "a &lt; b & c > d &amp;amp; <b>bold</b> &"
    article = rss_article(tmp_path, excerpt)
    assert text_of(article.findall(f"{XHTML}p")[-1]) == excerpt
    assert not list(article.iter(f"{XHTML}b"))


def test_unescaping_thousands_of_ampersands(tmp_path: Path) -> None:
    """The unescaping nests about log2(length) deep: XSLT processors stop near 3,000."""
    excerpt = "&" * 5000 + " <x> " + "a & " * 2000
    article = rss_article(tmp_path, excerpt)
    assert "".join(article.findall(f"{XHTML}p")[-1].itertext()) == excerpt.strip()


def test_no_stylesheet_by_default(tmp_path: Path) -> None:
    build_into(ESCAPING / "seeds", ESCAPING / "feeds.yaml", tmp_path)
    assert not (tmp_path / pages.STYLESHEET).exists()
    for path in xml_documents(tmp_path):
        assert b"xml-stylesheet" not in path.read_bytes()
