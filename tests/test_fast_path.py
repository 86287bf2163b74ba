"""The fast parse path (yaml-rs) must read every seed it accepts exactly as the reference
(PyYAML with line numbers) does; anything else must fall back to the reference."""

from __future__ import annotations

import copy
import itertools
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from syndicate.seeds import (
    discovery,
    fast_validation,
    fieldnames,
    frontmatter,
    models,
    reading,
    repairs,
    urls,
    yamlsrc,
)

from conftest import make_corpus

pytest.importorskip("yaml_rs")

FILE = discovery.SeedFile(Path("x.txt"), "x.txt", "x.txt")
HEAD = 'title: "T"\nwebUrl: "https://e.com/a"\npublishedDateTime: 2020-01-01T00:00:00Z\n'


@pytest.fixture(autouse=True)
def _fast_from_the_first_document() -> None:
    """These tests hold the fast path to the reference from their first document on."""
    yamlsrc.expect_many()


def test_a_process_reads_its_first_documents_with_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Until the fast path has paid for its parser and guard (FAST_AFTER documents), unless
    the process said it will read many."""
    monkeypatch.setattr(yamlsrc, "_loaded", itertools.count())
    text = HEAD + "quality: 89\n"
    first = [yamlsrc.load_fast(text) for _ in range(yamlsrc.FAST_AFTER)]
    assert first == [None] * yamlsrc.FAST_AFTER
    assert yamlsrc.load_fast(text) == yamlsrc.load(text)
    monkeypatch.setattr(yamlsrc, "_loaded", itertools.count())
    yamlsrc.expect_many()
    assert yamlsrc.load_fast(text) == yamlsrc.load(text)


def test_a_process_about_to_read_many_compiles_only_the_guard_it_uses() -> None:
    """Beside RE2, Python's guard answers only for documents RE2 refuses: it is compiled
    when the first such document comes, not before the workers start (4 ms of each build)."""
    program = (
        "from syndicate.seeds import yamlsrc\n"
        "yamlsrc.expect_many()\n"
        "print(yamlsrc._re2_guard() is not None, yamlsrc._plain_document.cache_info().currsize)\n"
        "print(yamlsrc.is_plain('a: [b'), yamlsrc._plain_document.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "0", "False", "1"]


def both(yaml_text: str) -> tuple[reading.LoadedSeed | None, reading.LoadedSeed]:
    matter = frontmatter.FrontMatter(yaml_text, 2)
    return reading._parse_fast(FILE, yaml_text), reading._parse_reference(FILE, matter)


def assert_same(yaml_text: str) -> bool:
    fast, reference = both(yaml_text)
    if fast is None:
        return False
    assert reference.problems == [], (yaml_text, reference.problems)
    assert fast.seed == reference.seed, yaml_text
    return True


EDGE_CASES = [
    "published: yes",
    "published: Yes",
    "published: on",
    "published: TRUE",
    "published: True",
    "quality: 017",
    "quality: 0o17",
    "quality: 0x1F",
    "quality: 1_000",
    "quality: 1e3",
    "quality: 1.5e3",
    "quality: 12:30",
    "quality: 89.0",
    'quality: "89"',
    "quality: -5",
    "heat: ~",
    "heat: null",
    "heat: Null",
    "heat:",
    "category: =",
    "category: <<",
    "category: .inf",
    "category: 1.2.3",
    "category: El País",
    "category: a: b",
    "category: x # comment",
    "category: !!str 5",
    "category: &a x",
    'excerpt: "a\\x01b"',
    'excerpt: "tab\\there"',
    'excerpt: "quote \\" inside"',
    'excerpt: "line\\nbreak"',
    'excerpt: "unicode \\u00e9"',
    'excerpt: "multi\n  line"',
    "excerpt: plain\n  continued",
    "topics: [AI, yes]",
    "topics:\n  - AI\n  - no",
    "topics:\n  - 017",
    "topics:\n\t- AI",
    "topics: AI",
    'images:\n  - url: "https://e.com/i.png"\n    width: 0',
    "on: 1",
    "true: 1",
    "y: 1",
    "excerpt: |\n  block",
    "excerpt: >\n  folded",
    'excerpt: "🧑‍💻 \U0001fffe"',
    'excerpt: "\x85"',
    'excerpt: ""',
    "publishedDateTime: 2020-01-01",
    # a date-time without a zone: repaired (as UTC) with a warning, by the reference path
    "publishedDateTime: 2020-01-01T00:00:00",
    'publishedDateTime: "2020-01-01 10:30"',
    'related:\n  - title: "R"\n    webUrl: "https://e.com/r"\n'
    "    publishedDateTime: 2020-01-01T00:00:00",
    "extra: 2020-01-01 10:00:00",
    "published: yes\r",
    "published: true\r",
    "topics:\r\n  - no\r\n  - AI\r",
    'excerpt: "a\rb"',
    "excerpt: a\rb",
    "category: x\r\nheat: 1\r",
    "published: ~ \r",
    'excerpt: "\U0001fffe"',
    'excerpt: "\U0010ffff"',
    'excerpt: "\ufdd0"',
    # PyYAML reads U+2028 and U+2029 as line breaks (folding the spaces after them, or ending
    # a plain scalar), yaml-rs as text
    'excerpt: "a\u2028 b"',
    "excerpt: a\u2029 b",
    "category: a\u2028b",
    "topics:\n  - a\u2029",
    "excerpt: a\x0bb",
    " " * 64 + "\ncategory: x",
    "topics:\n" + "  " + "- " * 9 + "AI",
    "topics:\n" + "  " + "- " * 8 + "AI",
]


@pytest.mark.parametrize("extra", EDGE_CASES)
def test_edge_cases_read_the_same_or_fall_back(extra: str) -> None:
    text = (
        HEAD.replace("publishedDateTime: 2020-01-01T00:00:00Z\n", "")
        if extra.startswith("publishedDateTime")
        else HEAD
    )
    assert_same(text + extra + "\n")


def test_plain_seeds_take_the_fast_path() -> None:
    assert assert_same(HEAD + 'quality: 89\npublished: true\ntopics:\n  - AI\n  - "Robots"\n')


def test_corpus_reads_the_same(tmp_path: Path) -> None:
    make_corpus(tmp_path, 1500, seed=5)
    fast = 0
    guard = yamlsrc._re2_guard()
    for path in sorted(tmp_path.glob("*.txt")):
        text = frontmatter.split(frontmatter.decode(path.read_bytes())).yaml_text
        assert yamlsrc.is_plain(text) == plain_by_lines(text), path.name
        if guard is not None and yamlsrc.is_plain(text):  # RE2 alone says so: no slow guard
            assert guard.Match(text.encode()), path.name
        fast += assert_same(text)
    assert fast > 1400, f"only {fast} of 1500 seeds took the fast path"


def url_checks(raw: dict[str, object]) -> int:
    """How many times the fast path's validator asks the model's `_url` about a value."""
    calls = 0

    def count(frame: types.FrameType, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "call" and frame.f_code is models._url.__code__

    sys.setprofile(count)
    try:
        fast_validation.validate(raw)
    finally:
        sys.setprofile(None)
    return calls


def test_the_fast_validator_gives_the_model_seed(tmp_path: Path) -> None:
    """The same Seed as the model's, for seeds whose URLs are clean and for those `_url`
    changes (references to '&', characters percent-encoded); URLs only these are asked of
    `_url`. The models it was built from stay as they were."""
    fast_validation._validator.cache_clear()
    make_corpus(tmp_path, 300, seed=11)
    asked = 0
    for path in sorted(tmp_path.glob("*.txt")):
        text = frontmatter.split(frontmatter.decode(path.read_bytes())).yaml_text
        raw = yamlsrc.load(text)
        assert isinstance(raw, dict)
        expected = models.Seed.model_validate(raw)
        seed = fast_validation.validate(raw)
        assert type(seed) is models.Seed and seed == expected, path.name
        asked += url_checks(raw)
    assert asked > 0  # the corpus has URLs `_url` rewrites
    clean = yamlsrc.load(HEAD + "ampWebUrl: https://e.com/amp?a=1&b=%2F#x\n")
    assert url_checks(clean) == 0
    assert url_checks({**clean, "webUrl": "https://e.com/a&amp;b"}) == 1
    assert fast_validation.validate({**clean, "webUrl": "https://e.com/a&amp;b"}).web_url == (
        "https://e.com/a&b"
    )
    with pytest.raises(ValidationError):
        fast_validation.validate({**clean, "webUrl": "ftp://e.com/"})
    assert all(model.__pydantic_complete__ for model in fast_validation._MODELS)
    with pytest.raises(ValidationError, match="not an absolute http"):
        models.Seed.model_validate({**clean, "webUrl": "ftp://e.com/"})


TOKENS = [
    "a",
    "yes",
    "no",
    "on",
    "017",
    "1e3",
    "1_0",
    "12:30",
    "~",
    "null",
    "-1",
    "1.5",
    '"x"',
    '"a\\nb"',
    "&a",
    "*a",
    "!t",
    "[1]",
    "{a: 1}",
    "# c",
    "|",
    ">",
    ":",
    " ",
    "- ",
    "é",
    "2020-01-01",
    "True",
    ".inf",
    "=",
    "<<",
    "\t",
    '"',
    "'q'",
    "\r",
    "\r\n",
    "\n  ",
    "\u2028",
    "\u2029",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["quality", "category", "heat", "published", "topics", "excerpt", "- ", "  - "]
            ),
            st.lists(st.sampled_from(TOKENS), max_size=4).map("".join),
        ),
        max_size=4,
    )
)
def test_random_documents_read_the_same_or_fall_back(lines: list[tuple[str, str]]) -> None:
    body = "".join(
        f"{key}{value}\n" if key.endswith(" ") else f"{key}: {value}\n" for key, value in lines
    )
    text = HEAD + body
    try:
        yamlsrc.load(text)
    except yamlsrc.YamlError:
        assert both(text)[0] is None
        return
    assert_same(text)


def plain_by_lines(text: str) -> bool:
    """The guard as it was first written, a Python loop over lines: yamlsrc.is_plain (one
    regular expression, three times faster) must never accept what this rejects."""
    if re.search(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff\t]", text
    ):
        return False
    if any(ord(char) & 0xFFFF >= 0xFFFE and ord(char) > 0xFFFF for char in text):
        return False
    words = "yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|true|True|TRUE|false|False|FALSE"
    safe_plain = re.compile(
        "(?:true|false|True|False|null|~"
        "|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?"
        "|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9:.]+(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
        f"|(?!(?:{words}|null|Null|NULL)$)[^\\W\\d_](?:(?!: | \\#)[^\\n])*(?<!:))"
    )
    special_keys = {*words.split("|"), "null", "Null", "NULL"}
    for line in text.split("\n"):
        rest = line.lstrip(" ")
        if len(line) - len(rest) >= 64:
            return False
        items = 0
        while rest[:2] == "- ":
            rest = rest[2:].lstrip(" ")
            items += 1
            if items > 8:
                return False
        if not rest:
            continue
        value = rest
        if rest[0] != '"':
            key, colon, after = rest.partition(":")
            if colon and (not after or after[0] == " "):
                if not key.isidentifier() or key in special_keys:
                    return False
                value = after.strip(" ")
                if not value:
                    continue
        value = value.rstrip(" ")
        if value[0] == '"':
            if "\\" in value:
                if not re.fullmatch(r'"(?:[^"\\]|\\["\\/nt])*"', value):
                    return False
            elif value.count('"') != 2 or value[-1] != '"':
                return False
        elif not safe_plain.fullmatch(value):
            return False
    return True


GUARD_TOKENS = [*TOKENS, "key: ", "- ", "\n", "é", "\U0001fffe", "#", "a:b", " :", "'"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(GUARD_TOKENS), max_size=12))
@example(["2020-01-01", " :"])  # found by this test: a date-time pattern that ended in ':'
def test_guard_accepts_nothing_the_line_loop_rejects(tokens: list[str]) -> None:
    text = "".join(tokens)
    if yamlsrc.is_plain(text):
        # The loop read CR LF line ends inconsistently; the guard takes them as line ends.
        assert plain_by_lines(re.sub("\r(?=\n|$)", "", text)), text


# The RE2 guard (google-re2, in the same extra) answers first; what it rejects goes to
# _PLAIN_DOCUMENT. It must accept nothing _PLAIN_DOCUMENT rejects, so is_plain's answers are
# _PLAIN_DOCUMENT's whichever engine gave them.
RE2_TOKENS = [
    *GUARD_TOKENS,
    *sorted(yamlsrc._WORDS),
    *(f"{word}:" for word in ("yes", "n", "Null", "no_", "y1")),
    "a::b",
    "a :b",
    "::",
    "½",
    "\x85",
    "\ufffe",
    "\U0010ffff",
    "\\",
    '\\"',
    "\\n",
    "\\x",
    "&a",
    "*a",
    "!t",
    "[",
    "{",
    "|",
    "%",
    " " * 63,
    " " * 64,
    "_k: ",
    "T00:00:00Z",
    "+01:00",
    ".5",
    "-5",
    "0",
]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(RE2_TOKENS), max_size=12))
def test_re2_guard_accepts_nothing_the_reference_guard_rejects(tokens: list[str]) -> None:
    guard = yamlsrc._re2_guard()
    if guard is None:
        pytest.skip("google-re2 is not installed")
    text = "".join(tokens)
    if guard.Match(text.encode()):
        assert yamlsrc._plain_by_re(text), text
    assert yamlsrc.is_plain(text) == yamlsrc._plain_by_re(text), text


@given(st.text(alphabet="yesnoYESNOftrualFTRUAL_1é", max_size=7))
@example("")
def test_none_of_is_every_name_but_the_words(name: str) -> None:
    names = re.compile(yamlsrc._none_of(yamlsrc._WORDS, yamlsrc._LETTERS, yamlsrc._LETTERS))
    expected = name != "" and name.isascii() and name.isalpha() and name not in yamlsrc._WORDS
    assert (names.fullmatch(name) is not None) == expected, name
    keys = re.compile(
        yamlsrc._none_of(yamlsrc._WORDS, yamlsrc._LETTERS | {"_"}, yamlsrc._KEY_CHARS)
    )
    is_key = re.fullmatch("[A-Za-z_][A-Za-z0-9_]*", name) is not None
    assert (keys.fullmatch(name) is not None) == (is_key and name not in yamlsrc._WORDS), name


def test_none_of_every_word_and_its_neighbours() -> None:
    names = re.compile(yamlsrc._none_of(yamlsrc._WORDS, yamlsrc._LETTERS, yamlsrc._LETTERS))
    for word in yamlsrc._WORDS:
        assert names.fullmatch(word) is None, word
        for near in (word[:-1], word + "s", "x" + word, word.swapcase()):
            expected = near != "" and near not in yamlsrc._WORDS
            assert (names.fullmatch(near) is not None) == expected, near


def test_re2_guard_is_asked_once_enough_documents_were_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[bytes] = []

    class Guard:
        def Match(self, data: bytes) -> list[int]:  # noqa: N802 - re2.Set's name
            asked.append(data)
            return [0]

    monkeypatch.setattr(yamlsrc, "_checked", itertools.count())
    monkeypatch.setattr(yamlsrc, "_re2_guard", Guard)
    for _ in range(yamlsrc.RE2_AFTER):
        assert yamlsrc.is_plain("a: b")
    assert asked == []
    assert yamlsrc.is_plain("a: [")  # this stub accepts anything; re would not
    assert asked == [b"a: ["]


_FIELDS = fieldnames.SEED | fieldnames.RELATED | fieldnames.IMAGE | fieldnames.PROVIDER
_TYPOS = ["publishd", "Quality", "wdith", "provder", "somethingNew", "URL", "nmae"]
_KEYS = st.sampled_from([*sorted(_FIELDS), *_TYPOS])
_objects = st.recursive(
    st.just(1),
    lambda inner: st.one_of(
        st.dictionaries(_KEYS, inner, max_size=4),
        st.lists(st.dictionaries(_KEYS, inner, max_size=4), max_size=3),
    ),
    max_leaves=12,
)


# What the fast validator asks of the data in pydantic-core, as first written in Python: whether
# the reference path would repair the data or warn about it before validation (for data
# without unwanted characters, which the fast path's guard leaves out).
def needs_the_reference(data: dict[str, object]) -> bool:
    related = as_list(data.get("related"))
    if len(related) > repairs.MAX_RELATED or unknown_field(data):
        return True
    dated = [data, *(r for r in related if isinstance(r, dict))]
    return any(len(as_list(d.get("images"))) > repairs.MAX_IMAGES for d in dated)


def unknown_field(data: dict[object, object], fields: frozenset[str] = fieldnames.SEED) -> bool:
    if not fields.issuperset(data):
        return True
    for name, inner, many in fieldnames._NESTED[fields]:
        value = data.get(name)
        items = as_list(value) if many else [value]
        if any(isinstance(item, dict) and unknown_field(item, inner) for item in items):
            return True
    return False


def as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


@settings(max_examples=500)
@given(data=st.dictionaries(_KEYS, _objects, max_size=6))
@example(data={"related": {"ampWebUrl": 1, "Quality": 1}})  # a mapping where a list is wanted
def test_a_seed_with_a_misspelt_field_is_one_the_definition_sends_to_the_reference(
    data: dict[str, object],
) -> None:
    """The definition sends every seed the reference path would warn about there."""
    if list(fieldnames.near_misses(data)):
        assert unknown_field(data)


IMAGE = {"url": "https://e.com/i.png", "width": 10, "isCached": True}
PROVIDER = {"name": "P", "domain": "e.com", "images": [IMAGE]}
RELATED = {"title": "R", "webUrl": "https://e.com/r", "provider": PROVIDER, "images": [IMAGE]}
SEED = {
    "title": "T",
    "webUrl": "https://e.com/a",
    "publishedDateTime": "2020-01-01T00:00:00Z",
    "provider": PROVIDER,
    "images": [IMAGE],
    "related": [RELATED],
    "secured": "opaque",
}
# A value each field would take (a field given by its Python name, `web_url`, is read by the
# model, and is a misspelt field to the reference path).
VALUES = {
    "web_url": "https://e.com/b",
    "is_cached": True,
    "published_date_time": "2020-01-02T00:00:00Z",
    "title": "U",
    "quality": 1,
}
_EXTRA_KEYS = st.sampled_from(
    [*_TYPOS, "web_url", "is_cached", "published_date_time", "secured", "title", "quality"]
)
_WHERE = st.sampled_from(
    ["", "provider", "images", "related", "related.provider", "related.images"]
)


@settings(max_examples=400)
@given(
    extra=st.lists(st.tuples(_WHERE, _EXTRA_KEYS), max_size=2),
    images=st.integers(0, repairs.MAX_IMAGES + 2),
    related=st.integers(0, repairs.MAX_RELATED + 2),
    related_images=st.integers(0, repairs.MAX_IMAGES + 2),
)
def test_the_fast_validator_is_the_definition_and_the_model(
    extra: list[tuple[str, str]], images: int, related: int, related_images: int
) -> None:
    """It gives a seed exactly when the definition above lets the data through and the model
    accepts it, and then the model's seed."""
    data = copy.deepcopy(SEED)
    data["images"] = [dict(IMAGE) for _ in range(images)]
    data["related"] = [copy.deepcopy(RELATED) for _ in range(related)]
    for item in data["related"]:
        item["images"] = [dict(IMAGE) for _ in range(related_images)]
    for where, key in extra:
        for target in objects_at(data, where):
            target[key] = VALUES.get(key, "x")
    try:
        expected = None if needs_the_reference(data) else models.Seed.model_validate(data)
    except ValidationError:
        expected = None
    try:
        seed = fast_validation.validate(dict(data))
    except ValidationError:
        seed = None
    assert seed == expected


@pytest.mark.parametrize(
    ("where", "key"),
    [("", "web_url"), ("images", "is_cached"), ("related", "published_date_time"), ("", "x")],
)
def test_a_field_by_its_python_name_is_left_to_the_reference(where: str, key: str) -> None:
    data = copy.deepcopy(SEED)
    for target in objects_at(data, where):
        target[key] = VALUES.get(key, "x")
    models.Seed.model_validate(data)  # the model reads it
    assert needs_the_reference(data)
    with pytest.raises(ValidationError, match="extra_forbidden"):
        fast_validation.validate(data)


def objects_at(data: dict[str, object], where: str) -> list[dict[str, object]]:
    found: list[object] = [data]
    for part in where.split(".") if where else []:
        found = [
            inner
            for outer in found
            if isinstance(outer, dict)
            for inner in (as_list(outer.get(part)) or [outer.get(part)])
        ]
    return [target for target in found if isinstance(target, dict)]


_TEXT = st.text(alphabet="aZ9 \t\u200b\u00ad\ufeffé-“.:/", max_size=8)
_HOSTS = st.one_of(
    st.from_regex(f"(?:{urls.CLEAN_HOST})", fullmatch=True),
    st.text(alphabet="aZ9_-.:0xé", max_size=12),
)
_URLS = st.one_of(
    st.from_regex(urls.CLEAN_URL, fullmatch=True), st.text(alphabet="htps:/a.é&;%#0x", max_size=20)
)


@settings(max_examples=500)
@given(title=_TEXT, name=_TEXT, domain=_HOSTS, url=_URLS)
def test_the_fast_validator_reads_any_value_as_the_model_does(
    title: str, name: str, domain: str, url: str
) -> None:
    """A title, a provider's name and domain, a URL: the fast validator's checks in
    pydantic-core take a value only as the model's Python checks would give it, and leave
    every other value to them (a seed the model refuses, the fast validator refuses)."""
    data = copy.deepcopy(SEED)
    data["title"], data["webUrl"] = title, url
    data["provider"] = {"name": name, "domain": domain}
    try:
        expected = models.Seed.model_validate(data)
    except ValidationError:
        expected = None
    try:
        seed = fast_validation.validate(data)
    except ValidationError:
        seed = None
    assert seed == expected
