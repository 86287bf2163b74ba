"""What `syndicate check` found: plain data, importing nothing heavy (a replayed check makes it
from the build memo without the config models)."""

from __future__ import annotations

from dataclasses import dataclass, field

from syndicate.errors import Problem


@dataclass(slots=True)
class CheckResult:
    """Every problem of the config and of every seed, and what stopped the check, if anything."""

    problems: list[Problem] = field(default_factory=list)
    seeds_read: int = 0
    seeds_rejected: int = 0
    config_failed: bool = False
    fatal: str | None = None  # an error that belongs to no file (no seeds folder...)

    @property
    def exit_code(self) -> int:
        if self.config_failed or self.fatal:
            return 2
        return 1 if any(p.severity == "error" for p in self.problems) else 0
