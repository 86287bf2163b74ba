"""The fast path's validator: the Seed model's, with most URLs checked inside pydantic-core.

The seed model checks each URL with `_url` (models.py), a Python function: about ten calls a
seed, a quarter of its validation. Most URLs are already in the form `_url` returns unchanged
(`urls.CLEAN_URL`: http(s), a host name whose last label starts with a letter, URI characters
with '%' only before two hex digits). This validator is the model's own schema with each URL
first matched against that pattern by pydantic-core, and given to `_url` only when it does not
match: the same Seed for every document, in about three quarters of the time.

Only the fast path (seeds/reading.py, `_parse_fast`) uses it: its errors are never shown, a
document it refuses is read again by the reference path, whose messages are the model's.
tests/test_fast_path.py holds its seeds to the model's; tests/test_urls.py holds every URL the
pattern accepts to `_url` returning it as it is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from syndicate.seeds import models
from syndicate.seeds.urls import CLEAN_URL, MAX_URL_LENGTH

# The pattern as pydantic-core runs it (Rust's regex crate): anchored, as it searches.
_CLEAN_STR = {
    "type": "str",
    "strict": True,
    "pattern": f"^(?:{CLEAN_URL})$",
    "regex_engine": "rust-regex",
    "max_length": MAX_URL_LENGTH,
}
_MODELS: tuple[type[BaseModel], ...] = (
    models.Seed,
    models.Related,
    models.Provider,
    models.Image,
)


def validate(raw: dict[Any, Any]) -> models.Seed:
    """`Seed.model_validate(raw)`, faster; ValidationError when the model refuses `raw`."""
    seed: models.Seed = _validator().validate_python(raw)
    return seed


def prepare() -> None:
    """Build the validator now: before worker processes start, which inherit it."""
    _validator()


@cache
def _validator() -> SchemaValidator:
    """Built once (about 1.5 ms): before the workers start (`prepare`), or when the fast path
    first needs it (after yamlsrc.FAST_AFTER documents)."""
    schema = _with_clean_urls(models.Seed.__pydantic_core_schema__)
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


def _with_clean_urls(node: Any) -> Any:
    """A copy of the core schema `node` where each `_url` validator is tried after the clean
    pattern (a left-to-right union: the first that accepts the value gives it)."""
    if isinstance(node, dict):
        if node.get("type") == "function-before" and node["function"]["function"] is models._url:
            return {"type": "union", "mode": "left_to_right", "choices": [_CLEAN_STR, node]}
        return {key: _with_clean_urls(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_clean_urls(value) for value in node]
    return node
