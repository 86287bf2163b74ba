"""Golden files: each case in tests/golden/<case>/ (seeds/, feeds.yaml) is built and compared
byte for byte with its out/ and problems.txt.

Regenerate after an intended change:  python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import GOLDEN, build_into

CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "feeds.yaml").is_file())


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _diff(name: str, expected: bytes, actual: bytes) -> str:
    lines = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(),
        actual.decode("utf-8", "replace").splitlines(),
        f"golden/{name}",
        f"built/{name}",
        lineterm="",
        n=2,
    )
    return "\n".join(list(lines)[:80])


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    folder = GOLDEN / case
    out = tmp_path / "out"
    report = build_into(folder / "seeds", folder / "feeds.yaml", out)
    problems = "".join(f"{p}\n" for p in report.problems).replace(str(folder) + "/", "")
    built = _tree(out)
    built["problems.txt"] = problems.encode("utf-8")

    if request.config.getoption("--update-golden"):
        shutil.rmtree(folder / "out", ignore_errors=True)
        for name, data in built.items():
            target = folder / ("problems.txt" if name == "problems.txt" else f"out/{name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        pytest.skip("golden files updated")

    expected = _tree(folder / "out")
    expected["problems.txt"] = (folder / "problems.txt").read_bytes()
    assert sorted(built) == sorted(expected), "a different set of files was built"
    for name in sorted(expected):
        assert built[name] == expected[name], _diff(name, expected[name], built[name])


def test_every_case_has_each_format() -> None:
    for case in CASES:
        names = {p.name for p in (GOLDEN / case / "out").rglob("*") if p.is_file()}
        assert {"rss.xml", "atom.xml", "feed.json"} <= names, case
