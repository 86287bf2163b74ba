"""The fast path's validator: the Seed model's, with its extra checks done inside pydantic-core.

A seed read by the fast path (seeds/reading.py, `_parse_fast`) must be one the reference path
would read without a word: no field a model does not have (a misspelt one gets a warning), no
list past its cap (the rest is dropped, with a warning), and a seed the model accepts. Asked in
Python, that is a walk over the parsed data and, for each URL, a call to the model's `_url`
(about ten a seed): together a third of the seed's validation. This validator is the model's own
schema with both asked by pydantic-core:

- every model forbids a field it does not have (fields by their names in seeds only: a field
  spelt `web_url` is no field there), and the fields a seed holds that no model has
  (`secured`: fieldnames.OPAQUE) are taken out first;
- the lists repairs.py caps (`images`, `related`, `topics`: repairs.LIST_CAPS) hold at most
  so many items;
- each URL is first matched against the form `_url` returns unchanged (`urls.CLEAN_URL`: http(s),
  a host name whose last label starts with a letter, URI characters, '%' only before two hex
  digits), and given to `_url` only when it does not match; a provider's domain likewise
  (`urls.CLEAN_HOST`), and a text a reader must see (a title, a name) is taken as it is when it
  starts with an ASCII letter or digit, as `_visible` would.

The Seed it gives is the model's. Its errors are never shown: a seed it refuses is read again
by the reference path, whose checks and messages are the model's and repairs.py's.
tests/test_fast_path.py holds it to the model and to the Python definition of what the
reference path would warn about; tests/test_urls.py holds every URL the pattern accepts to
`_url` returning it as it is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from syndicate.seeds import models
from syndicate.seeds.fieldnames import OPAQUE
from syndicate.seeds.repairs import LIST_CAPS
from syndicate.seeds.urls import CLEAN_HOST, CLEAN_URL, MAX_URL_LENGTH

# The patterns as pydantic-core runs them (Rust's regex crate), anchored: it searches.
_CLEAN_URL = {
    "type": "str",
    "strict": True,
    "pattern": f"^(?:{CLEAN_URL})$",
    "regex_engine": "rust-regex",
    "max_length": MAX_URL_LENGTH,
}
_CLEAN_DOMAIN = {
    "type": "str",
    "strict": True,
    "pattern": f"^(?:{CLEAN_HOST})$",
    "regex_engine": "rust-regex",
    "max_length": models.MAX_DOMAIN,
}
# What words.invisible says no to at once: a text that starts with an ASCII letter or digit
# (after trimming, which the str schema does first).
_SHOWN_FIRST = "^[A-Za-z0-9]"
_MODELS: tuple[type[BaseModel], ...] = (
    models.Seed,
    models.Related,
    models.Provider,
    models.Image,
)
# The lists capped, by model: field name -> the most items a seed may hold unrepaired.
_CAPS: dict[type[BaseModel], dict[str, int]] = {
    models.Seed: LIST_CAPS[""],
    models.Related: LIST_CAPS["related"],
}


def validate(raw: dict[Any, Any]) -> models.Seed:
    """The model's Seed of `raw` (which loses its fieldnames.OPAQUE fields) when the reference
    path would read it without a warning; else ValidationError."""
    for name in OPAQUE:
        raw.pop(name, None)
    seed: models.Seed = _validator().validate_python(raw)
    return seed


def prepare() -> None:
    """Build the validator now: before worker processes start, which inherit it."""
    _validator()


@cache
def _validator() -> SchemaValidator:
    """Built once (about 1.5 ms): before the workers start (`prepare`), or when the fast path
    first needs it (after yamlsrc.FAST_AFTER documents)."""
    schema = _fast(models.Seed.__pydantic_core_schema__)
    # pydantic-core reuses the validator a complete model class already has, for the class
    # and its nested models, rather than build one from the schema it is given: the models
    # are marked incomplete while this one is built, so that it is built from `schema`.
    complete = [model.__pydantic_complete__ for model in _MODELS]
    try:
        for model in _MODELS:
            model.__pydantic_complete__ = False
        return SchemaValidator(schema)
    finally:
        for model, was in zip(_MODELS, complete, strict=True):
            model.__pydantic_complete__ = was


_FUNCTIONS = ("function-before", "function-after")


def _fast(node: Any) -> Any:
    """A copy of the core schema `node` with the changes told above."""
    if isinstance(node, list):
        return [_fast(value) for value in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    function = node["function"]["function"] if kind in _FUNCTIONS else None
    if function is models._url:
        return _first(_CLEAN_URL, node)
    if function is models._domain:
        return _first(_CLEAN_DOMAIN, node)
    if function is models._visible:  # a str schema (trimmed, measured), then _visible
        return _first({**node["schema"], "pattern": _SHOWN_FIRST}, node)
    copy = {key: _fast(value) for key, value in node.items()}
    if kind == "model":
        copy["config"] = {
            **copy["config"],
            "extra_fields_behavior": "forbid",
            "validate_by_name": False,
            "populate_by_name": False,  # its name before pydantic 2.11
        }
        fields = copy["schema"]["fields"]
        for name, most in _CAPS.get(node["cls"], {}).items():
            fields[name] = _capped(fields[name], most)
    return copy


def _first(choice: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`choice`, else `node`: a left-to-right union, where the first that accepts gives the value
    (`choice` accepts only values `node` gives unchanged)."""
    return {"type": "union", "mode": "left_to_right", "choices": [choice, node]}


def _capped(node: dict[str, Any], most: int) -> dict[str, Any]:
    """A copy of `node` (a model field, a default, a validator...: schemas around a list) whose
    list holds at most `most` items."""
    if node["type"] == "list":
        return {**node, "max_length": most}
    return {**node, "schema": _capped(node["schema"], most)}
