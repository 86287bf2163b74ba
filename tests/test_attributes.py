"""XML attribute values as every reader decodes them: no numeric character reference in any
attribute of any XML file written (some parsers leave those undecoded), and every URL
attribute reads back as the item's URL, also with fast-xml-parser (Node.js) as JavaScript
readers use it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

import tricky
from conftest import GOLDEN, ROOT, build_into

Expected = dict[str, dict[str, object]]

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
# A start tag: attribute values never hold a raw `>` (the serializer escapes it).
_TAG = re.compile(rb"<[^>!?][^>]*>")
XML_SUFFIXES = {".xml", ".opml", ".xsl"}


def _xml_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in XML_SUFFIXES)


def _numeric_references_in_attributes(path: Path) -> list[str]:
    return [
        tag.decode("utf-8", "replace") for tag in _TAG.findall(path.read_bytes()) if b"&#" in tag
    ]


@pytest.fixture(scope="module")
def tricky_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expected]:
    folder = tmp_path_factory.mktemp("tricky")
    expected = tricky.make(folder / "seeds")
    (folder / "feeds.yaml").write_text(tricky.CONFIG, encoding="utf-8")
    report = build_into(folder / "seeds", folder / "feeds.yaml", folder / "out")
    assert not report.errors, report.errors
    return folder / "out", expected


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if (p / "out").is_dir()))
def test_golden_xml_attributes_have_no_numeric_reference(case: str) -> None:
    files = _xml_files(GOLDEN / case / "out")
    assert any(p.name == "rss.xml" for p in files)
    for path in files:
        assert _numeric_references_in_attributes(path) == [], path


def test_the_scan_finds_a_numeric_reference(tmp_path: Path) -> None:
    """The scan itself: what it must catch, it catches."""
    path = tmp_path / "x.xml"
    path.write_bytes(b'<a>&#x26;<b url="https://x.example/?a=1&#x26;b=2"/></a>')
    assert _numeric_references_in_attributes(path) == ['<b url="https://x.example/?a=1&#x26;b=2"/>']


def test_generated_corpus_xml_attributes_have_no_numeric_reference(
    tricky_out: tuple[Path, Expected],
) -> None:
    out, _expected = tricky_out
    files = _xml_files(out)
    assert len(files) >= 5
    raw = b"".join(p.read_bytes() for p in files)
    assert b"&amp;" in raw  # the corpus does put '&' in attributes
    for path in files:
        assert _numeric_references_in_attributes(path) == [], path


def _by_url(expected: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(e["url"]): e for e in expected.values()}


def test_every_url_attribute_reads_back_as_the_items_url(
    tricky_out: tuple[Path, Expected],
) -> None:
    out, expected = tricky_out
    items = _by_url(expected)
    checked = 0
    rss = etree.parse(str(out / "everything" / "rss.xml"))
    assert len(rss.findall("channel/item")) == len(items)
    for item in rss.findall("channel/item"):
        seed = items[item.findtext("link") or ""]
        assert item.findtext("title") == seed["title"]
        images = seed["images"]
        assert isinstance(images, list)
        enclosure = item.find("enclosure")
        assert (enclosure.get("url") if enclosure is not None else None) == (
            images[0] if images else None
        )
        assert [m.get("url") for m in item.findall(f"{MEDIA}content")] == images
        thumbnails = [m.get("url") for m in item.findall(f"{MEDIA}thumbnail")]
        assert thumbnails == images[:1]
        assert [a.get("href") for a in item.findall(f"{ATOM}link")] == [seed["related"]]
        checked += 1
    atom = etree.parse(str(out / "everything" / "atom.xml"))
    for entry in atom.getroot().findall(f"{ATOM}entry"):
        links = entry.findall(f"{ATOM}link")
        alternate = [x.get("href") for x in links if x.get("rel") == "alternate"]
        assert len(alternate) == 1
        seed = items[str(alternate[0])]
        assert entry.findtext(f"{ATOM}id") == seed["url"]
        assert [x.get("href") for x in links if x.get("rel") == "enclosure"] == seed["images"]
        assert [x.get("href") for x in links if x.get("rel") == "related"] == [seed["related"]]
        checked += 1
    assert checked == 2 * len(items)


# ------------------------------------------------------------------------------- node

PACKAGE = "fast-xml-parser@5"
_READ_ENCLOSURES = """
const { XMLParser } = require("fast-xml-parser");
const fs = require("fs");
// Default options, but attributes kept (by default the parser drops every attribute).
const parser = new XMLParser({ ignoreAttributes: false });
const doc = parser.parse(fs.readFileSync(process.argv[2], "utf8"));
const items = [].concat(doc.rss.channel.item || []);
console.log(JSON.stringify(items.map((item) => ({
  link: item.link,
  title: String(item.title),
  enclosure: item.enclosure ? item.enclosure["@_url"] : null,
}))));
"""


def _node_modules() -> Path:
    """fast-xml-parser installed with npm: where SYNDICATE_NODE_MODULES says (.ci/run installs it
    there), else into a cache folder beside the tests, once; skip when it cannot be had."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the fast-xml-parser reader test needs Node.js")
    given = os.environ.get("SYNDICATE_NODE_MODULES")
    folder = Path(given) if given else ROOT / ".node-cache"
    if not (folder / "node_modules" / "fast-xml-parser").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install fast-xml-parser")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), PACKAGE],
                capture_output=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            pytest.skip("npm install fast-xml-parser timed out (no npm registry?)")
        if done.returncode != 0:
            pytest.skip(f"npm install fast-xml-parser failed: {done.stderr[-300:]!r}")
    return folder / "node_modules"


def test_fast_xml_parser_reads_every_enclosure_url_and_title(
    tricky_out: tuple[Path, Expected], tmp_path: Path
) -> None:
    modules = _node_modules()
    out, expected = tricky_out
    items = _by_url(expected)
    script = tmp_path / "read.js"
    script.write_text(_READ_ENCLOSURES, encoding="utf-8")
    done = subprocess.run(
        ["node", str(script), str(out / "everything" / "rss.xml")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NODE_PATH": str(modules)},
        check=True,
    )
    read = json.loads(done.stdout)
    assert len(read) == len(items)
    with_ampersand = 0
    for item in read:
        seed = items[item["link"]]
        images = seed["images"]
        assert isinstance(images, list)
        assert item["enclosure"] == (images[0] if images else None)
        assert item["title"] == seed["title"]
        with_ampersand += "&" in (item["enclosure"] or "")
    assert with_ampersand >= 10  # the URLs that went wrong before: '&' in an attribute
