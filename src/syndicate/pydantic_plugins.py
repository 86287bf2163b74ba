"""Pydantic's plugins off for the `syndicate` program, and pydantic not looking for them.

At the first model it builds, pydantic imports its plugin loader, which imports
`importlib.metadata` (with `email`, `zipfile`, `csv`, `socket`...) whether plugins are on or
off, then, unless `PYDANTIC_DISABLE_PLUGINS` turns them all off, looks for plugins among every
installed distribution and loads those it finds. syndicate's models want none: the program
turns them off unless the environment says otherwise (set it empty to let them all in), and
where they are all off, stands in for the loader so that nothing is imported for it (about a
tenth of a cold `syndicate check`'s time, docs/speed.md).

The stand-in answers `get_plugins()` as the loader would with every plugin off (no plugin);
anything else pydantic asks of it is answered by the real loader, imported then.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import Any

VARIABLE = "PYDANTIC_DISABLE_PLUGINS"
LOADER = "pydantic.plugin._loader"
ALL_OFF = ("__all__", "1", "true")  # the values with which pydantic's loader loads none


def turn_off() -> None:
    """Plugins off unless the environment says otherwise; if all are off, no loader import."""
    os.environ.setdefault(VARIABLE, "__all__")
    if os.environ[VARIABLE] in ALL_OFF and LOADER not in sys.modules:
        sys.modules[LOADER] = _NoPlugins(LOADER)


class _NoPlugins(types.ModuleType):
    """pydantic's plugin loader, every plugin off."""

    @staticmethod
    def get_plugins() -> tuple[()]:
        return ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of any module (`__path__`)
            raise AttributeError(name)
        if sys.modules.get(LOADER) is self:
            del sys.modules[LOADER]
        return getattr(importlib.import_module(LOADER), name)
