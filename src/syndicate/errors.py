"""What can go wrong, as data (Problem) or as exceptions that stop a command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input file, located as precisely as we can."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = "error"
    detail: str = ""  # the validator's or parser's own words, when `message` is plainer (-v)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"

    def row(self) -> tuple[str, int, str, str, str, str]:
        """As plain values, for the caches."""
        return (self.path, self.line, self.field, self.message, self.severity, self.detail)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Problem:
        path, line, field, message, severity, detail = row
        if severity not in ("error", "warning"):
            raise ValueError(f"bad severity {severity!r}")
        kind: Severity = "error" if severity == "error" else "warning"
        return cls(path, line, field, message, kind, detail)


class SyndicateError(Exception):
    """A user error that stops the command; shown without a traceback."""

    exit_code = 2


class ConfigError(SyndicateError):
    """The config cannot be used: nothing is built, exit status 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class OutputError(SyndicateError):
    """The output folder cannot be written: exit status 2. `problems` are those the build
    found in the seeds and config before it came to write: still told."""

    problems: tuple[Problem, ...] = ()


class StrictModeError(SyndicateError):
    """`--strict` met a bad seed: nothing is written, exit status 1. Every problem of that
    seed is told."""

    exit_code = 1

    def __init__(self, problem: Problem, *more: Problem) -> None:
        self.problem = problem
        self.problems = [problem, *more]
        super().__init__("\n".join(str(p) for p in self.problems))
