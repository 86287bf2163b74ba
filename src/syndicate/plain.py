"""Plain words for the common mistakes: the one table from validation and YAML errors to what an
editor reads (what is wrong, how to fix it). The raw text of the error is kept as the
problem's detail, shown with -v.

- PYDANTIC maps a pydantic error type (and, where the field changes the advice, the field's
  name) to a message; `{got}` is the value given, other fields come from the error's context.
- YAML maps a phrase of PyYAML's message to a message; `{char}` is the character it names.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import ErrorDetails

# (error type, field name or "") -> message. The field's own entry wins over the type's.
PYDANTIC: dict[tuple[str, str], str] = {
    ("missing", ""): "required field is missing",
    ("string_type", ""): "must be text, got {got}",
    ("int_type", ""): "must be a whole number, got {got}",
    ("int_parsing", ""): "must be a whole number, got {got}",
    ("int_from_float", ""): "must be a whole number, got {got}",
    ("bool_type", ""): "must be true or false, got {got}",
    ("bool_parsing", ""): "must be true or false, got {got}",
    ("list_type", ""): "must be a list (one '- item' per line, or [a, b]), got {got}",
    ("dict_type", ""): "must be a mapping of 'key: value' lines, got {got}",
    ("model_type", ""): "must be a mapping of 'key: value' lines, got {got}",
    ("model_attributes_type", ""): "must be a mapping of 'key: value' lines, got {got}",
    ("string_too_short", ""): "must not be empty",
    ("string_too_long", ""): "must be at most {max_length} characters",
    ("too_short", ""): "is an empty list: list at least one, or leave the key out",
    ("too_long", ""): "must list at most {max_length}, got {actual_length}",
    ("greater_than", ""): "must be more than {gt}, got {got}",
    ("greater_than_equal", ""): "must be {ge} or more, got {got}",
    ("less_than", ""): "must be less than {lt}, got {got}",
    ("less_than_equal", ""): "must be {le} or less, got {got}",
    ("string_pattern_mismatch", ""): "is not in the expected form, got {got}",
    # Where the field changes the advice.
    ("greater_than_equal", "limit"): "limit must be 0 (no limit) or more, got {got}",
    ("greater_than_equal", "archive_page_size"): "must be 1 or more, got {got}",
    ("greater_than", "width"): "must be a width in pixels above 0, got {got}",
    ("greater_than", "height"): "must be a height in pixels above 0, got {got}",
    ("string_pattern_mismatch", "id"): (
        "feed ids are lowercase letters, digits and '-' (for example 'venture-beat'), got {got}"
    ),
    (
        "string_pattern_mismatch",
        "email",
    ): "must be an email address such as name@example.org, got {got}",
    (
        "string_pattern_mismatch",
        "language",
    ): "must be a language tag such as 'en' or 'en-GB', got {got}",
    ("string_pattern_mismatch", "domain"): "must be a domain name such as example.com, got {got}",
    ("too_short", "feeds"): "list at least one feed (each starts with '- id: ...')",
    ("too_short", "formats"): "list at least one format: rss, atom, json",
    ("too_short", "websub_hubs"): "list at least one hub URL, or leave websub_hubs out",
}


def shown(value: Any) -> str:
    """A value as a message shows it: repr, shortened; a mapping or a list by its kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"  # as YAML writes it, not Python's True
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_message(error: ErrorDetails) -> str:
    """What an editor reads for one pydantic error. Our own checks (value errors) already
    speak plainly: their text is kept."""
    kind = error["type"]
    raw = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("value_error", "assertion_error"):
        return raw
    loc = tuple(error["loc"])
    field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    template = PYDANTIC.get((kind, field)) or PYDANTIC.get((kind, ""))
    if template is None:
        return raw + (f", got {shown(error['input'])}" if "input" in error else "")
    values = dict(error.get("ctx") or {})
    values["got"] = shown(error["input"]) if "input" in error else "nothing"
    try:
        return template.format(**values) + _quoted_hint(error)
    except (KeyError, IndexError):
        return raw


# A quoted value that would be right unquoted ("60" for a number, "true" for true or false);
# and the other way round, a number or true/false where text is wanted (`title: 1984`).
_RIGHT_UNQUOTED = {"int_type": re.compile(r"0|[1-9][0-9]*"), "bool_type": re.compile(r"true|false")}


def _quoted_hint(error: ErrorDetails) -> str:
    pattern = _RIGHT_UNQUOTED.get(error["type"])
    value = error.get("input")
    if error["type"] == "string_type" and isinstance(value, int | float):  # and true/false
        return ": put it in quotes to keep it as text"
    if pattern is not None and isinstance(value, str) and pattern.fullmatch(value.strip()):
        return ": write it without quotes"
    return ""


def validation_detail(error: ErrorDetails) -> str:
    """The raw pydantic message, for -v."""
    detail = f"{error['msg']} [type={error['type']}]"
    if "input" in error:
        detail += f", input: {shown(error['input'])}"
    return detail


# PyYAML's (or libyaml's) phrase, a regular expression on "context problem", and the character
# at the error ("" for any) -> what to tell the editor; `{char}` is that character. (Compiled
# when a YAML error is met: not at every start.)
YAML: tuple[tuple[str, str, str], ...] = (
    (
        r"cannot start any token|found a tab character",
        "\t",
        "a tab character: YAML indents with spaces; replace the tab with spaces",
    ),
    (
        r"found a tab character",
        "",
        "a tab character: YAML indents with spaces; replace the tab with spaces",
    ),
    (
        r"cannot start any token",
        "",
        "{char} cannot start a value: put the value in quotes",
    ),
    (
        r"did not find expected '-' indicator",
        "",
        "a list item is indented differently from the items before it: start every"
        " '- ' of one list in the same column",
    ),
    (
        r"expected <block end>, but found|did not find expected key",
        "",
        "this line does not line up with the lines before it: start the keys of one"
        " mapping in the same column, with spaces (or close a quote left open above)",
    ),
    (
        r"mapping values are not allowed",
        "",
        "a ': ' where a value was expected: put a value that holds ': ' in quotes, or"
        " check the indentation",
    ),
    (
        r"could not find expected ':'",
        "",
        "a key without ': ' after it, or a value over several lines: write 'key: value',"
        " and put a multi-line value in quotes",
    ),
    (
        r"block sequence entries are not allowed",
        "",
        "a '-' where a value was expected: a list item starts its own line ('- item');"
        " put a value that starts with '-' in quotes",
    ),
    (
        r"while scanning a block scalar",
        "",
        "a value that starts with '|' or '>' (YAML's block text): put the value in quotes",
    ),
    (
        r"mapping keys are not allowed",
        "",
        "a '?' where a value was expected: put a value that starts with '?' in quotes",
    ),
    (
        r"while scanning an alias",
        "",
        "a value that starts with '*' (YAML's alias): put the value in quotes",
    ),
    (
        r"while scanning an anchor",
        "",
        "a value that starts with '&' (YAML's anchor): put the value in quotes",
    ),
    (
        r"exceeded maximum nesting depth",
        "",
        "lists or mappings nested too deeply ([ or {{ inside one another): flatten the value",
    ),
    (
        r"did not find expected ',' or '\]'",
        "",
        "a [list] is not closed: add the ']' (and separate its items with ',')",
    ),
    (
        r"did not find expected ',' or '\}'",
        "",
        "a {{mapping}} is not closed: add the '}}' (and separate its items with ',')",
    ),
    (
        r"while parsing a flow node did not find expected node content",
        "",
        "a [list] or {{mapping}} is not closed, or has a ',' with no item after it: close"
        " it with ']' or '}}'",
    ),
    (
        r"did not find expected node content",
        "",
        "{char} cannot start a value: put the value in quotes",
    ),
    (
        r"quoted scalar found unexpected end of stream",
        "",
        "a quoted value is not closed: add the closing quote",
    ),
    (
        r"found unknown escape character",
        "",
        "an unknown escape (a backslash) in a double-quoted value: write two backslashes"
        " for one, or use single quotes",
    ),
    (
        r"found invalid Unicode character escape code",
        "",
        "a \\u escape that is no character: \\ud800 to \\udfff are halves of a pair, as"
        " JSON writes an emoji (\\ud83d\\ude00); write the character itself, or one"
        " \\U escape of 8 digits (\\U0001F600)",
    ),
    (
        r"did not find expected <document start>",
        "",
        "a line '...' or '%' in the front matter, which is one YAML document: remove it",
    ),
)


def field_path(loc: tuple[str | int, ...], whole: str) -> str:
    """`feeds[1].limit`, `related[0].webUrl`: the path of a key in a document, as messages name
    it; `whole` (the document's name) for an empty path."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or whole


def yaml_message(raw: str, char: str = "", closed: str = "") -> str:
    """Plain words for a YAML syntax error: `raw` is the parser's context and problem, joined;
    `char` the character where it stopped (libyaml does not name it); `closed` the quote or
    bracket that ends a value just before it on its line (`title: "a" b`)."""
    if closed in ("'", '"'):
        return (
            f"more text after the closing {closed} of a quoted value: put the whole value in"
            " quotes (a quote inside it: \\\" between double quotes, '' between single ones)"
        )
    if closed:
        return (
            "more text after a [list] or {mapping}: a value that starts with '[' or '{'"
            " is one; put the value in quotes"
        )
    for pattern, wanted, message in YAML:
        if (not wanted or wanted == char) and re.search(pattern, raw):
            return message.format(char=repr(char) if char else "this character")
    return f"invalid YAML: {raw}"
