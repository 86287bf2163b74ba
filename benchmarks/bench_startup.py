#!/usr/bin/env python3
"""Benchmark what every command pays before it starts (issue 13).

    python benchmarks/bench_startup.py [--rounds 15]

On a copy of the repository's own seeds/ and config/ (nothing in the repository is written),
each round runs, alternating, every command in its own process:

    floor            python -c pass: the interpreter alone
    --version        syndicate --version
    no-op build      syndicate build, nothing changed since the last build (replayed)
    check replayed   syndicate check after that build: answered from the build memo
    check cold       syndicate check --no-cache: the config and every seed checked again
    libraries        python importing what check cold cannot do without (click, PyYAML,
                     pydantic with one model built, its plugins off as syndicate runs it):
                     of syndicate, only that switch (pydantic_plugins.py)

It prints the median and min seconds of each and each command's median over the floor's, with
the targets beside them and whether the median meets its target; it exits 0 either way.

The package is byte-compiled first and the commands run without PYTHONDONTWRITEBYTECODE, as
an installed syndicate runs (otherwise every run compiles every module it imports). The copied
seeds are given an old mtime, as seeds are that have not changed for a while (a seed written
within two seconds of a build is read again by the next: see incremental/cache.py, RACY_NS).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"--version": 6.0, "no-op build": 9.0, "check replayed": 15.0, "check cold": 15.0}
OLD = 1_000_000_000  # an mtime long ago (2001), in seconds
# The libraries a cold check imports (the command line, the config's YAML with lines, the
# models): the part of "check cold" that is not ours. (The RSS and Atom writers' reference,
# feedgen with lxml, is imported only for what the writers cannot write straight.)
LIBRARIES = """
from syndicate import pydantic_plugins
pydantic_plugins.turn_off()  # as syndicate's program runs: no plugin, no plugin loader
import click, click.core, yaml
from pydantic import BaseModel
class Model(BaseModel):
    x: int
"""


def syndicate_command() -> list[str]:
    """The `syndicate` script beside this interpreter (as a user runs it), else `-m`."""
    script = Path(sys.executable).with_name("syndicate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syndicate"]


def byte_compiled_environment() -> dict[str, str]:
    """The environment the commands run in, the syndicate package byte-compiled for it."""
    import syndicate

    compileall.compile_dir(Path(syndicate.__file__).parent, quiet=1)
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr.decode()}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    syndicate = syndicate_command()
    variants = {
        "floor": [sys.executable, "-c", "pass"],
        "--version": [*syndicate, "--version"],
        "no-op build": [*syndicate, "build", "-q"],
        "check replayed": [*syndicate, "check", "-q"],  # after the no-op build: nothing changed
        "check cold": [*syndicate, "check", "-q", "--no-cache"],
        "libraries": [sys.executable, "-c", LIBRARIES],
    }
    env = byte_compiled_environment()
    with tempfile.TemporaryDirectory(prefix="syndicate-startup-") as folder:
        work = Path(folder)
        shutil.copytree(REPO_ROOT / "seeds", work / "seeds")
        shutil.copytree(REPO_ROOT / "config", work / "config", ignore=_cache_folder)
        for path in (work / "seeds").rglob("*"):
            os.utime(path, (OLD, OLD))
        timed(variants["no-op build"], work, env)  # the first writes out/, the cache, the memo
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, cmd in variants.items():
                times[name].append(timed(cmd, work, env))
    floor = statistics.median(times["floor"])
    print(f"{' '.join(syndicate)} on the repository's seeds/ and config/, {args.rounds} rounds")
    print(f"{'variant':<16}{'median s':>10}{'min s':>10}{'x floor':>10}   target")
    for name, runs in times.items():
        median = statistics.median(runs)
        ratio = "" if name == "floor" else f"{median / floor:.1f}"
        target = ""
        if name in TARGETS:
            met = "met" if median / floor <= TARGETS[name] else "NOT met"
            target = f"<= {TARGETS[name]:g}x  {met}"
        print(f"{name:<16}{median:>10.3f}{min(runs):>10.3f}{ratio:>10}   {target}")
    return 0


def _cache_folder(folder: str, names: list[str]) -> list[str]:
    """Not copied: the repository's own build memo and parse cache, if any."""
    return [name for name in names if name.startswith(".syndicate-cache")]


if __name__ == "__main__":
    sys.exit(main())
