#!/usr/bin/env python3
"""Benchmark what every command pays before it starts (issue 13).

    python benchmarks/bench_startup.py [--rounds 15]

On a copy of the repository's own seeds/ and config/ (nothing in the repository is written),
each round runs, alternating, every command in its own process:

    floor            python -c pass: the interpreter alone
    --version        syndicate --version
    no-op build      syndicate build, nothing changed since the last build (replayed)
    check            syndicate check

It prints the median and min seconds of each and each command's median over the floor's, with
the targets beside them. It judges nothing and exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"--version": 6.0, "no-op build": 9.0, "check": 15.0}  # x the floor


def syndicate_command() -> list[str]:
    """The `syndicate` script beside this interpreter (as a user runs it), else `-m`."""
    script = Path(sys.executable).with_name("syndicate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syndicate"]


def timed(cmd: Sequence[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        "check": [*syndicate, "check", "-q"],
    }
    with tempfile.TemporaryDirectory(prefix="syndicate-startup-") as folder:
        work = Path(folder)
        shutil.copytree(REPO_ROOT / "seeds", work / "seeds")
        shutil.copytree(REPO_ROOT / "config", work / "config")
        timed(variants["no-op build"], work)  # the first build writes out/, the cache, the memo
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, cmd in variants.items():
                times[name].append(timed(cmd, work))
    floor = statistics.median(times["floor"])
    print(f"{' '.join(syndicate)} on the repository's seeds/ and config/, {args.rounds} rounds")
    print(f"{'variant':<14}{'median s':>10}{'min s':>10}{'x floor':>10}   target")
    for name, runs in times.items():
        median = statistics.median(runs)
        ratio = "" if name == "floor" else f"{median / floor:.1f}"
        target = f"<= {TARGETS[name]:g}x" if name in TARGETS else ""
        print(f"{name:<14}{median:>10.3f}{min(runs):>10.3f}{ratio:>10}   {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
