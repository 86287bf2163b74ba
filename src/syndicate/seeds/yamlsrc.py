"""Safe YAML loading that remembers the line of every key and list item.

Dates stay strings (the models parse them), duplicate keys and aliases are errors,
and no tag can construct a Python object.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

import yaml

from syndicate import plain

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A mapping from YAML with `lines[key]` = 1-based line of the key, `start` = its own line."""

    __slots__ = ("lines", "start")

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start
        self.lines: dict[Any, int] = {}


class LineList(list[Any]):
    """A sequence from YAML with `lines[i]` = 1-based line of item i."""

    __slots__ = ("lines", "start")

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start
        self.lines: list[int] = []


class YamlError(Exception):
    """Malformed or unsafe YAML, with the 1-based line where it was noticed; `detail` is the
    parser's own words when `message` is plainer (shown with -v)."""

    def __init__(self, message: str, line: int, detail: str = "", of_value: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.detail = detail
        # A value's own mistake (a tag it does not fit, too many digits): `loc` is its key
        # path, for the field a message names; the others are the document's.
        self.of_value = of_value
        self.loc: tuple[str | int, ...] = ()
        self.editor_line = False  # True: `line` counts line feeds only, as an editor does


_ANCHORS = (
    "YAML anchors and aliases (&name, *name) are not allowed: put a value that starts with '&'"
    " or '*' in quotes"
)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """CSafeLoader with the constructors below (anchors and aliases are refused earlier, on the
    parser's events: see _check_events)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict(node.start_mark.line + 1)
    # Each key's YAML value, with its type: Python's dict holds 1, 1.0 and true as one key,
    # YAML as three. A key that is not text is kept as spelled (no field has such a name: it is
    # an unknown key, named as the editor wrote it).
    seen: dict[tuple[type, Any], Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise YamlError("YAML merge keys (<<) are not allowed", line)
        value = loader.construct_object(key_node, deep=True)
        key = key_node.value if not isinstance(value, str) and key_node.id == "scalar" else value
        try:
            first = seen.get((type(value), value))
        except TypeError:
            raise YamlError("a mapping key must be a plain value", line) from None
        if first is None and key in result:  # "1" and 1: YAML's two keys, one spelling
            first = key
        if first is not None:
            where = f"first given on line {result.lines[first]}"
            if first == key:
                error = YamlError(f"duplicate key {key!r} ({where})", line, of_value=True)
            else:
                message = f"duplicate key: {first!r} and {key!r} are one key ({where})"
                error = YamlError(message, line, of_value=True)
            error.loc = (key,)  # the field a message names: the key given twice
            raise error
        seen[(type(value), value)] = key
        result[key] = _value_at(loader, value_node, key)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(node.start_mark.line + 1)
    for index, child in enumerate(node.value):
        result.append(_value_at(loader, child, index))
        result.lines.append(child.start_mark.line + 1)
    return result


def _value_at(loader: _Loader, node: yaml.Node, at: str | int) -> Any:
    """The value of `node`, under key or index `at`: a value's own mistake names its path."""
    try:
        return loader.construct_object(node, deep=True)
    except YamlError as exc:
        if exc.of_value:
            exc.loc = (at, *exc.loc)
        raise


def _construct_undefined(loader: _Loader, node: yaml.Node) -> Any:
    line = node.start_mark.line + 1
    tag = _tag_name(node)
    if tag.startswith("!") and not tag.startswith("!!") and isinstance(node, yaml.ScalarNode):
        message = f"unsupported YAML tag {tag}: to write a value that starts with '!', quote it"
        raise YamlError(message, line, of_value=True)
    if isinstance(node, yaml.ScalarNode) and node.value in _SPECIAL and not node.style:
        # `=` and `<<` alone: YAML 1.1 reads them as its value and merge keys (no tag written)
        message = f"{node.value!r} alone means something else in YAML: put it in quotes"
        raise YamlError(message, line, of_value=True)
    raise YamlError(f"unsupported YAML tag {tag}", line)


_SPECIAL = frozenset({"=", "<<"})


def _tag_name(node: yaml.Node) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


# Plain scalars YAML 1.1 reads as what the editor did not write stay text, so that a field that
# wants true/false or a number says so: `yes`, `no`, `on`, `off` (only true and false are
# booleans), `017` (octal 15 in YAML 1.1, 17 in YAML 1.2), `0x50`, `0b101`, `1_000`, `1:30`
# (sexagesimal 90). An explicit tag (`!!int '017'`) is held to the same spellings: a value the
# tag does not fit is an error, never YAML 1.1's reading of it.
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NULL = re.compile(r"~|null|Null|NULL|")
_NODE_KINDS: dict[type[yaml.Node], str] = {
    yaml.ScalarNode: "a single value",
    yaml.MappingNode: "key: value lines",
    yaml.SequenceNode: "a list",
}


def _node_of(node: yaml.Node, kind: type[yaml.Node]) -> None:
    """Refuse a tag on the wrong kind of node (`!!map [a]`, `!!str {a: 1}`)."""
    if not isinstance(node, kind):
        raise YamlError(
            f"the tag {_tag_name(node)} needs {_NODE_KINDS[kind]}, not {_NODE_KINDS[type(node)]}",
            node.start_mark.line + 1,
            of_value=True,
        )


def _scalar(
    patterns: tuple[re.Pattern[str], ...], wanted: str, build: Callable[[Any, Any], Any]
) -> Any:
    """A constructor for a typed scalar tag that accepts only the values matching `patterns`
    (the spellings the implicit resolvers below read), then `build`s it as PyYAML does."""

    def construct(loader: _Loader, node: yaml.Node) -> Any:
        _node_of(node, yaml.ScalarNode)
        if not any(pattern.fullmatch(node.value) for pattern in patterns):
            raise YamlError(
                f"the tag {_tag_name(node)} needs {wanted}, not {node.value!r}",
                node.start_mark.line + 1,
                of_value=True,
            )
        try:
            return build(loader, node)
        except ValueError:  # Python's limit on the digits of an int
            line = node.start_mark.line + 1
            raise YamlError("number has too many digits", line, of_value=True) from None

    return construct


def _text(loader: _Loader, node: yaml.Node) -> str:
    _node_of(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


def _mapping(loader: _Loader, node: yaml.Node) -> LineDict:
    _node_of(node, yaml.MappingNode)
    return _construct_mapping(loader, node)  # type: ignore[arg-type]


def _sequence(loader: _Loader, node: yaml.Node) -> LineList:
    _node_of(node, yaml.SequenceNode)
    return _construct_sequence(loader, node)  # type: ignore[arg-type]


_CORE = "tag:yaml.org,2002:"
for _kind, _patterns, _wanted in (
    ("bool", (_BOOL,), "true or false"),
    ("int", (_INT,), "a whole number such as 17 or -3"),
    ("float", (_FLOAT, _INT), "a number such as 0.5 or 2"),
    ("null", (_NULL,), "null or nothing"),
):
    _build = getattr(_BaseLoader, f"construct_yaml_{_kind}")
    _Loader.add_constructor(f"{_CORE}{_kind}", _scalar(_patterns, _wanted, _build))
_Loader.add_constructor(f"{_CORE}str", _text)
_Loader.add_constructor(f"{_CORE}timestamp", _text)  # dates stay text: the models read them
_Loader.add_constructor(f"{_CORE}map", _mapping)
_Loader.add_constructor(f"{_CORE}seq", _sequence)
_Loader.add_constructor(None, _construct_undefined)
# Tags that make Python values no seed or config field holds (a set has no stable order).
for _tag in ("set", "omap", "pairs", "binary"):
    _Loader.add_constructor(f"{_CORE}{_tag}", _construct_undefined)

# The implicit resolvers read plain scalars with the spellings above (null, dates, read as text,
# and merge keys, refused, resolve as PyYAML's do).
_RESOLVED_HERE = {f"{_CORE}{kind}" for kind in ("bool", "int", "float")}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _RESOLVED_HERE]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _kind, _pattern, _firsts in (
    ("bool", _BOOL, "tTfF"),
    ("int", _INT, "-+0123456789"),
    ("float", _FLOAT, "-+0123456789."),
):
    _Loader.add_implicit_resolver(
        f"{_CORE}{_kind}", re.compile(f"^(?:{_pattern.pattern})$"), list(_firsts)
    )


MAX_DEPTH = 100


def _check_events(text: str, first_line: int) -> None:
    """Deep nesting crashes libyaml's recursive composer (and Python's): refuse it first, and
    anchors (`&name`, even one no alias uses) and aliases (`*name`) with it, before anything
    is expanded.

    The event parser is a state machine, so counting depth over its events is safe."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if getattr(event, "anchor", None) is not None:  # an anchor, or an alias to one
            mark = event.start_mark
            raise YamlError(_ANCHORS, (mark.line if mark else 0) + first_line)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                line = (mark.line if mark else 0) + first_line
                raise YamlError(f"YAML is nested more than {MAX_DEPTH} levels deep", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


# YAML 1.1 (PyYAML, the reference) ends a line at NEL, U+2028 and U+2029 too; editors and
# GitHub do not. Values are read as PyYAML reads them (as a Python program that wrote the seed
# with PyYAML meant them), and every line number is then turned into the editor's.
_YAML11_BREAK = re.compile("[\x85\u2028\u2029]")
_ANY_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def load(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document; `first_line` is the file line where `text` starts."""
    if not _YAML11_BREAK.search(text):
        return _load(text, first_line)
    editor_line = _editor_lines("\n" * (first_line - 1) + text)
    try:
        data = _load(text, first_line)
    except YamlError as exc:
        if not exc.editor_line:
            exc.line = editor_line(exc.line)
        raise
    _relined(data, editor_line)
    return data


def _editor_lines(text: str) -> Callable[[int], int]:
    """From PyYAML's 1-based line numbers in `text` to an editor's (LF, CRLF or CR)."""
    lines = [1]
    for found in _ANY_BREAK.finditer(text):
        lines.append(lines[-1] + (found.group() in ("\n", "\r\n", "\r")))
    return lambda line: lines[min(max(line, 1), len(lines)) - 1]


def _relined(node: Any, editor_line: Callable[[int], int]) -> None:
    """Every line of the LineDicts and LineLists in `node` turned into the editor's."""
    if isinstance(node, LineDict):
        node.start = editor_line(node.start)
        node.lines = {key: editor_line(line) for key, line in node.lines.items()}
        for value in node.values():
            _relined(value, editor_line)
    elif isinstance(node, LineList):
        node.start = editor_line(node.start)
        node.lines = [editor_line(line) for line in node.lines]
        for item in node:
            _relined(item, editor_line)


def _load(text: str, first_line: int) -> Any:
    with contextlib.suppress(yaml.YAMLError):  # a syntax error: reported below, with its line
        _check_events(text, first_line)
    # Blank lines in front: every mark, key line and message line is a file line.
    padded = "\n" * (first_line - 1) + text
    loader = _Loader(padded)
    try:
        return loader.get_single_data()
    except YamlError:
        raise
    except yaml.reader.ReaderError as exc:
        index = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line = text.count("\n", 0, max(index, 0)) + first_line
        error = YamlError(f"invalid YAML: character U+{exc.character:04X} is not allowed", line)
        error.editor_line = True  # counted in line feeds already
        raise error from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context == "while scanning a quoted scalar" and exc.context_mark:
            mark = exc.context_mark  # the line where the quote left open starts, not the end
        elif exc.context == "while scanning a simple key" and exc.context_mark:
            mark = exc.context_mark  # the line without ': ', not the next one, where YAML stops
        line = mark.line + 1 if mark else first_line
        raw = " ".join(part for part in (exc.context, exc.problem) if part)
        if mark and "expected <document start>" in raw:  # noticed on the line after
            line = _document_marker_line(padded, mark.line) or line
        char = _char_at(padded, mark.line, mark.column) if mark else ""
        closed = _closed_before(padded, mark.line, mark.column) if mark else ""
        if exc.context and "flow" in exc.context:  # where the [ or { left open starts
            line = _unclosed_flow_line(padded) or line
        opened = _quote_closed_on(padded, line)
        if opened is not None:  # the likely cause: a quote left open on an earlier line
            message = (
                f"a quoted value starts here and ends on line {line}, where YAML then stops:"
                " close the quote on this line"
            )
            raise YamlError(message, opened, f"invalid YAML: {raw}") from None
        message = plain.yaml_message(raw, char, closed)
        raise YamlError(message, line, f"invalid YAML: {raw}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", first_line) from None
    except RecursionError:
        raise YamlError("YAML is nested too deeply", first_line) from None
    except Exception as exc:  # a constructor's surprise: one seed's error, never a crash
        raise YamlError("invalid YAML", first_line, f"invalid YAML: {exc!r}") from None
    finally:
        loader.dispose()


def _quote_closed_on(text: str, line: int) -> int | None:
    """The 1-based line where a quoted value starts that runs over several lines to end on
    `line` (where the parser stopped), or None. `title: "News` then `url: "https://..."`:
    the first quote closes at the second, and YAML stops at what follows it."""
    opened = None
    with contextlib.suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=_BaseLoader):
            start, end = token.start_mark.line + 1, token.end_mark.line + 1
            if start >= line:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            opened = start if quoted and start < end == line else None
    return opened


def _unclosed_flow_line(text: str) -> int | None:
    """The 1-based line of the innermost `[` or `{` still open where the parser stopped."""
    opened: list[int] = []
    with contextlib.suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                opened.append(token.start_mark.line + 1)
            elif opened and isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
                opened.pop()
    return opened[-1] if opened else None


def _document_marker_line(text: str, before: int) -> int | None:
    """The 1-based line of the last `...` or `%` line on or before 0-based line `before`: the
    line that ended the document, where libyaml notices the next one without a `---`."""
    lines = text.split("\n", before + 1)[: before + 1]
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith(("...", "%")):
            return index + 1
    return None


def _closed_before(text: str, line: int, column: int) -> str:
    """The quote or bracket that closes a value just before a parser's mark, on its line (more
    text after `"a"`, `[a]`: `title: "a" b`), or ""."""
    before = _line(text, line)[:column].rstrip(" ")
    if not before.lstrip(" -") or before[-1] not in _OPENERS:
        return ""  # the mark starts its line's content: an indentation mistake
    content = before.lstrip(" ")
    while content.startswith("- "):
        content = content[2:].lstrip(" ")
    _, colon, value = content.partition(": ")
    value = (value if colon else content).lstrip(" ")
    # closed only if the value opened there: not `title: see [1]: more`, a plain value
    return before[-1] if value.startswith(_OPENERS[before[-1]]) else ""


_OPENERS = {'"': '"', "'": "'", "]": "[", "}": "{"}  # what closes a value -> what opens it


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a parser's mark (0-based line and column), or ""."""
    return _line(text, line)[column : column + 1]


def _line(text: str, line: int) -> str:
    """The 0-based `line` of `text`, without its line feed ("" past the end)."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def line_of(data: Any, loc: tuple[str | int, ...], default: int = 1) -> int:
    """The line of the deepest key or item of `loc` that exists in `data`."""
    line = data.start if isinstance(data, LineDict | LineList) else default
    node = data
    for part in loc:
        if not _has(node, part):
            break
        line = node.lines[part]
        node = node[part]
    return line


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, LineDict):
        return part in node
    return isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node)


# The fast path reads only "plain" YAML: the block style the aggregator writes, where YAML 1.1
# (PyYAML, the reference) and YAML 1.2 (yaml-rs) are known to agree. Every line is a key, a list
# item or both, each value a double-quoted one-line string with simple escapes, or a plain
# scalar that cannot be read differently (no yes/no/on/off, octal, exponent, sexagesimal...).
# No anchors, tags, flow collections, comments, block scalars, tabs or unwanted characters.
# Anything else takes the reference path; a false alarm only costs time.
# The whole test is one regular expression (a loop over lines in Python cost 3x more).
MAX_INDENT = 64
MAX_ITEMS_ON_A_LINE = 8  # deep nesting crashes yaml_rs 0.1.6 (a segfault on 100,000 "- ")
_YAML11_WORDS = "yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|true|True|TRUE|false|False|FALSE"
_NULL_WORDS = "null|Null|NULL"
# Never inside a line: controls (tab and a lone CR too), C1, BMP noncharacters, and U+2028 and
# U+2029, which PyYAML reads as line breaks (folding the spaces after one in a quoted string,
# ending a plain scalar at one) and yaml-rs as text.
_UNWANTED = "\x00-\x08\t\x0b-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff"
# Noncharacters of planes 1-16: `in` on a string without astral characters returns at once.
_ASTRAL_NONCHARACTERS = tuple(
    chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)
)
_END = r"\r?$"
_QUOTED = f'"[^"\\\\\\n{_UNWANTED}]*+(?:\\\\["\\\\/nt][^"\\\\\\n{_UNWANTED}]*+)*+"'
# Plain scalars that both read alike whatever follows: some words, numbers, a date, or a
# date-time hh:mm[:ss[.fraction]] with a zone or none (never ending in ':'). Written for both
# engines (RE2 below has no possessive quantifiers; here they would change nothing).
_SAME_IN_BOTH = (
    "true|false|True|False|null|~"
    "|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?"
    "|[0-9]{4}-[0-9]{2}-[0-9]{2}"
    "(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)
_PLAIN = (
    f"(?:{_SAME_IN_BOTH}"
    f"|(?!(?:{_YAML11_WORDS}|{_NULL_WORDS}) *+{_END})"
    f"[^\\W\\d_](?:[^:\\n {_UNWANTED}]++|:(?=[^ \\r\\n])| ++(?=[^# \\r\\n]))*+"
    ")"
)
_VALUE = f"(?:{_QUOTED}|{_PLAIN})"
_KEY = f"(?!(?:{_YAML11_WORDS}|{_NULL_WORDS}):)[A-Za-z_][A-Za-z0-9_]*+:(?: ++{_VALUE})?"
_ITEMS = f"(?:- ++){{0,{MAX_ITEMS_ON_A_LINE}}}"
_LINE = f" {{0,{MAX_INDENT - 1}}}+(?! ){_ITEMS}(?:{_KEY}|{_VALUE})? *+\\r?"
_PLAIN_DOCUMENT = f"(?:{_LINE}\\n)*+{_LINE}"


@functools.cache
def _plain_document() -> re.Pattern[str]:
    """_PLAIN_DOCUMENT compiled: 4 ms, paid by a process that reads enough seeds (FAST_AFTER)."""
    return re.compile(_PLAIN_DOCUMENT, re.MULTILINE)


# The same guard for RE2 (google-re2), which runs it as a DFA in a quarter of the time (8 vs
# 32 us for a seed of make_corpus.py, 3.3 kB of YAML). RE2 has no lookaround, so "not one of
# the words" is spelled out (see _none_of), and the copy is a little stricter (a plain scalar
# starts with an ASCII letter; ':' or spaces inside one are followed by a character that
# continues it). So it accepts a subset of what _PLAIN_DOCUMENT accepts, and is_plain asks
# _PLAIN_DOCUMENT about what it rejects: the answer is _PLAIN_DOCUMENT's.
_WORDS = frozenset(f"{_YAML11_WORDS}|{_NULL_WORDS}".split("|"))
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_KEY_CHARS = _LETTERS | frozenset("0123456789_")


def _class(chars: frozenset[str]) -> str:
    """A character class of `chars` (letters, digits, '_': none needs escaping), runs as ranges."""
    codes = sorted(map(ord, chars))
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    parts = (chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in runs)
    return "[" + "".join(parts) + "]"


def _none_of(words: frozenset[str], first: frozenset[str], rest: frozenset[str]) -> str:
    """A pattern without lookaround for the non-empty strings of `first` then `rest`
    characters that are not in `words`: at each step of a trie of the words, end where no
    word ends, or take a character no word has next (then anything), or follow the trie."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict[str, Any], chars: frozenset[str], started: bool) -> str:
        nexts = sorted(char for char in node if char)
        choices = [] if "" in node or not started else [""]
        if others := chars - set(nexts):
            choices.append(f"{_class(others)}{_class(rest)}*")
        choices += [re.escape(char) + branch(node[char], rest, True) for char in nexts]
        return "(?:" + "|".join(choices) + ")"

    return branch(trie, first, False)


def _re2_document() -> str:
    """_PLAIN_DOCUMENT in RE2's syntax, with the differences told above."""
    # _UNWANTED's characters and ranges as RE2 escapes, and the astral noncharacters too
    unwanted = "".join("-" if char == "-" else f"\\x{{{ord(char):x}}}" for char in _UNWANTED)
    unwanted += "".join(f"\\x{{{ord(char):x}}}" for char in _ASTRAL_NONCHARACTERS)
    quoted = f'"[^"\\\\\\n{unwanted}]*(?:\\\\["\\\\/nt][^"\\\\\\n{unwanted}]*)*"'
    joined = f":[^: \\n{unwanted}]| +[^#: \\n{unwanted}]"  # ':' or spaces, and what follows
    more = f"[^: \\n{unwanted}]|{joined}"  # what continues a plain scalar
    not_letter = f"[^:A-Za-z \\n{unwanted}]|{joined}"  # the same, but a letter
    plain = (
        f"{_SAME_IN_BOTH}"
        f"|{_none_of(_WORDS, _LETTERS, _LETTERS)}"
        f"|[A-Za-z]+(?:{not_letter})(?:{more})*"
    )
    value = f"(?:{quoted}|{plain})"
    key = f"{_none_of(_WORDS, _LETTERS | {'_'}, _KEY_CHARS)}:(?: +{value})?"
    content = f"(?:- +){{1,{MAX_ITEMS_ON_A_LINE}}}(?:{key}|{value})?|{key}|{value}"
    line = f" {{0,{MAX_INDENT - 1}}}(?:(?:{content}) *)?\\r?"
    return f"(?:{line}\\n)*{line}"


@functools.cache
def _re2_guard() -> Any:
    """An RE2 set holding the guard, anchored at both ends (a set matches with the DFA only);
    None without google-re2."""
    # Imported here: importing and compiling cost 13 ms, for nothing in a build that reads a
    # few seeds. RE2's memory budget (8 MB): a match needing more DFA states fails, silently,
    # and _PLAIN_DOCUMENT decides.
    try:
        import re2
    except ImportError:  # pragma: no cover - depends on the install
        return None
    options = re2.Options()
    options.log_errors = False
    guard = re2.Set.FullMatchSet(options)
    guard.Add(_re2_document())
    guard.Compile()
    return guard


# The first documents go to the re guard only: RE2's pays off once a process has checked about
# as many documents as compiling it costs (10 ms at 24 us saved a document).
RE2_AFTER = 400
_checked = itertools.count()


def is_plain(text: str, utf8: bytes | None = None) -> bool:
    """Whether `text` is plain YAML, which the fast parser reads exactly as the reference.
    `utf8`: `text` in UTF-8, when the caller has it (RE2 reads bytes)."""
    guard = _re2_guard() if next(_checked) >= RE2_AFTER else None
    if guard is not None:
        try:
            if guard.Match(text.encode() if utf8 is None else utf8):
                return True
        except UnicodeEncodeError:  # a lone surrogate (no decoded file holds one)
            pass
    return _plain_by_re(text)


def _plain_by_re(text: str) -> bool:
    """is_plain with Python's re: the definition, and the answer where RE2 says no."""
    if not text.isascii() and any(char in text for char in _ASTRAL_NONCHARACTERS):
        return False
    return _plain_document().fullmatch(text) is not None


# The first documents a process reads take the reference path: the fast one pays off once it
# has saved what importing yaml_rs and compiling its guard cost (about 6 ms, at 0.5 ms saved a
# document). A process about to read many seeds says so first (`expect_many`).
FAST_AFTER = 12
_loaded = itertools.count()


def expect_many() -> None:
    """Take the fast path from the next document on, its parser imported and its guards
    compiled now: before worker processes are started, which inherit all that (each would
    otherwise pay it again, about 20 ms)."""
    global _loaded, _checked
    _loaded, _checked = itertools.count(FAST_AFTER), itertools.count(RE2_AFTER)
    # Python's guard only where RE2 is missing: beside RE2, it answers only for documents
    # RE2 refuses (none in a clean corpus), and compiles then (4 ms).
    if _fast_parser() is not None and _re2_guard() is None:
        _plain_document()


@functools.cache
def _fast_parser() -> Any:
    """yaml_rs, or None when it is not installed (the optional fast parser:
    pip install 'syndicate[fast]')."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - depends on the install
        return None
    return yaml_rs


def load_fast(text: str, utf8: bytes | None = None) -> dict[Any, Any] | None:
    """The mapping `load` would give, without line numbers, several times faster; None when
    this text must go through `load` (among a process's first documents, no fast parser
    installed, or not plain YAML). `utf8`: `text` in UTF-8, when the caller has it."""
    if next(_loaded) < FAST_AFTER:
        return None
    parser = _fast_parser()
    if parser is None or not is_plain(text, utf8):
        return None
    try:
        data = parser.loads(text, parse_datetime=False)
    except Exception:  # any complaint: the reference loader will explain it
        return None
    return data if isinstance(data, dict) else None
