"""Field names a seed misspells: `publishd: true` or `qualty: 95` would be an unknown field,
ignored, and the item would silently leave (or join) a feed. Unknown fields are tolerated
(an aggregator may add some); one that is close to a field's name gets a warning with the name
meant, on its line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from syndicate.seeds.models import Image, Provider, Related, Seed

Loc = tuple[str | int, ...]


def _names(model: type[BaseModel]) -> frozenset[str]:
    """The fields of `model` as seeds spell them (camelCase)."""
    return frozenset(field.alias or name for name, field in model.model_fields.items())


IMAGE, PROVIDER = _names(Image), _names(Provider)
RELATED = _names(Related)
# A seed's fields that no model has: opaque, never written, but no typo.
OPAQUE = frozenset({"secured"})
SEED = _names(Seed) | OPAQUE
# Of each object, the fields that hold objects: (name, fields of each, a list of them?).
_NESTED: dict[frozenset[str], tuple[tuple[str, frozenset[str], bool], ...]] = {
    SEED: (("provider", PROVIDER, False), ("images", IMAGE, True), ("related", RELATED, True)),
    RELATED: (("provider", PROVIDER, False), ("images", IMAGE, True)),
    PROVIDER: (("images", IMAGE, True),),
    IMAGE: (),
}
CUTOFF = 0.8  # difflib's ratio: `publishd` or `qualty`, not `type` for `title`


def near_misses(
    data: dict[Any, Any], fields: frozenset[str] = SEED, loc: Loc = ()
) -> Iterator[tuple[Loc, str]]:
    """(loc, message) for each unknown field of `data` and the objects in it that is close to
    one of its model's fields."""
    folded = {name.casefold(): name for name in fields}  # `webURL` is `webUrl` misspelt
    for key in data:
        if isinstance(key, str) and key not in fields:
            meant = difflib.get_close_matches(key.casefold(), folded, n=1, cutoff=CUTOFF)
            if meant:
                name = folded[meant[0]]
                yield (*loc, key), f"unknown field {key!r} (did you mean {name!r}?); ignored"
    for name, inner, many in _NESTED[fields]:
        value = data.get(name)
        if many:  # (a mapping where a list is wanted is an error of its own)
            for index, item in enumerate(value if isinstance(value, list) else []):
                if isinstance(item, dict):
                    yield from near_misses(item, inner, (*loc, name, index))
        elif isinstance(value, dict):
            yield from near_misses(value, inner, (*loc, name))
