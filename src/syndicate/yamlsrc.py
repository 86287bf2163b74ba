"""Safe YAML loading that remembers the line of every key and list item.

Dates stay strings (the models parse them), duplicate keys and aliases are errors,
and no tag can construct a Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

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
    """Malformed or unsafe YAML, with the 1-based line where it was noticed."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise YamlError(
                "YAML anchors and aliases (&name, *name) are not allowed", node.start_mark.line + 1
            )
        return super().construct_object(node, deep=deep)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise YamlError("YAML merge keys (<<) are not allowed", line)
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in result
        except TypeError:
            raise YamlError("a mapping key must be a plain value", line) from None
        if duplicate:
            first = result.lines[key]
            raise YamlError(f"duplicate key {key!r} (first given on line {first})", line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(node.start_mark.line + 1)
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.lines.append(child.start_mark.line + 1)
    return result


def _construct_undefined(loader: _Loader, node: yaml.Node) -> Any:
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    raise YamlError(f"unsupported YAML tag {tag}", node.start_mark.line + 1)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)
_Loader.add_constructor(None, _construct_undefined)


def load(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document; `first_line` is the file line where `text` starts."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except YamlError as exc:
        raise YamlError(exc.message, exc.line + offset) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlError(f"invalid YAML: {message}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", first_line) from None
    finally:
        loader.dispose()


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
