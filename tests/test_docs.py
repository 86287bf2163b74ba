"""The README and docs/ stay true: every relative link and #anchor resolves (anchors as GitHub
makes them from headings), the README stays short, its command table names only commands and
options that `--help` shows, and its quick-start commands are the ones `.ci/run` runs."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndicate.cli import COMMANDS, main

from conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
CI_RUN = ROOT / ".ci" / "run"
MAX_README_LINES = 250
# Every Markdown file a reader reaches from the README.
PAGES = [README, *sorted(DOCS.glob("*.md")), *sorted((ROOT / "benchmarks").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_INLINE_LINK = re.compile(r"\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def prose(text: str) -> str:
    """The text without fenced code blocks and code spans, where links are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower case, punctuation dropped,
    spaces made dashes."""
    text = _CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link shows its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings; a repeated one gets -1, -2... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for match in _HEADING.finditer(_FENCE.sub("", path.read_text("utf-8"))):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[str]:
    text = prose(path.read_text("utf-8"))
    return _INLINE_LINK.findall(text) + _REFERENCE_LINK.findall(text)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of `path` that names no file in `root` (the repository), or no
    heading."""
    broken = []
    for target in links(path):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
            broken.append(f"{target}: no heading with anchor #{anchor} in {resolved.name}")
    return broken


# --------------------------------------------------------------------------- links


def test_the_link_checker_sees_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other page\n\n## Exit status: 0, 1 or 2\n", "utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# A `code` heading\n\n## Same\n\n## Same\n\n"
        "[ok](other.md#exit-status-0-1-or-2) [ok](#a-code-heading) [ok](#same-1)\n"
        "[bad](other.md#exit-status) [bad](missing.md) [bad](#nowhere)\n"
        "![bad image\nalt](images/none.png) [web](https://example.org/#x)\n"
        "`[not a link](nowhere.md)`\n\n```\n[not a link](nowhere.md)\n```\n",
        "utf-8",
    )
    assert anchors(page) == {"a-code-heading", "same", "same-1"}
    assert [b.split(":")[0] for b in broken_links(page, tmp_path)] == [
        "other.md#exit-status",
        "missing.md",
        "#nowhere",
        "images/none.png",
    ]
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "page.md").write_text("[up](../other.md) [out](../../x.md)", "utf-8")
    assert broken_links(tmp_path / "inner" / "page.md", tmp_path) == [
        "../../x.md: outside the repository"
    ]


def test_github_slugs() -> None:
    assert slug("Why is my item not in the feed?") == "why-is-my-item-not-in-the-feed"
    assert slug("Latest: 100,000 seeds") == "latest-100000-seeds"
    assert slug("`syndicate build` and [links](x.md)") == "syndicate-build-and-links"
    assert slug("Start-up: lazy imports") == "start-up-lazy-imports"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert links(page), f"{page.name} links to nothing"
    assert broken_links(page) == []


def test_the_readme_links_every_doc() -> None:
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for target in links(README)
        if not target.startswith(("http:", "https:", "#"))
    }
    assert [p.name for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked] == []


PARENT_PATH = re.compile(r"(?:\.\./)+[\w.-]+")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def test_the_docs_stand_alone() -> None:
    """The repository explains itself: no doc names a path outside it (in prose, a `../x` that
    leaves the repository from the doc's folder; code spans hold paths relative to out/),
    a folder of the machine it was written on, or the contract it once pointed to."""
    for page in PAGES:
        text = page.read_text("utf-8")
        for path in PARENT_PATH.findall(CODE.sub("", text)):
            where = (page.parent / path).resolve()
            assert where.is_relative_to(ROOT), f"{page.name}: {path} is outside the repository"
        for outside in ("/work/", "FEEDS.md"):
            assert outside not in text, f"{page.name} refers to {outside}"


def test_the_preview_picture_is_small() -> None:
    picture = DOCS / "images" / "preview.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 150_000


# --------------------------------------------------------------------------- README


def test_the_readme_is_short() -> None:
    lines = README.read_text("utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move detail into docs/"


def section(title: str) -> str:
    """The README's text under `## title`, up to the next heading of that level."""
    text = README.read_text("utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no section '## {title}'"
    return match.group(1)


def sh_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)]


def cells(row: str) -> list[str]:
    """A table row's cells; a | inside a code span does not split."""
    parts, current, in_code = [], "", False
    for char in row.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def command_table() -> list[tuple[list[str], list[list[str]]]]:
    """(command words, options as word lists) for each row of the README's command table."""
    rows = [line for line in section("Commands").splitlines() if line.startswith("|")]
    assert cells(rows[0]) == ["command", "what it does", "key options"]
    assert set(rows[1]) <= set("|-: ")
    table = []
    for row in rows[2:]:
        command, _, options = cells(row)
        words = shlex.split(command.strip("`"))
        spans = [shlex.split(span) for span in re.findall(r"`([^`]+)`", options)]
        table.append((words, [words[i:] for i, w in enumerate(words) if w.startswith("-")]))
        table[-1][1].extend(span for span in spans if span[0].startswith("-"))
    return table


def help_text(path: list[str]) -> str:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, f"syndicate {' '.join(path)} --help: {result.output}"
    return result.output


def test_the_command_table_names_real_commands_and_options() -> None:
    table = command_table()
    assert len(table) >= len(COMMANDS)
    for words, options in table:
        assert words[0] == "syndicate", words
        # The command's words: up to the first option or placeholder (SEED_PATH_OR_URL).
        path = []
        for word in words[1:]:
            if word.startswith("-") or not word.islower():
                break
            path.append(word)
        shown = help_text(path)
        if path:
            listed = help_text(path[:-1]).split("Commands:")[1]
            assert re.search(rf"^  {path[-1]}\b", listed, re.M), f"no command {path}"
        for option in options:
            name = option[0]
            assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", shown), (
                f"`syndicate {' '.join(path)} --help` has no option {name}"
            )
            # A value given in lower case is a choice (`--format github`): --help lists it.
            if len(option) > 1 and option[1].islower():
                assert re.search(rf"{re.escape(name)} \[[^\]]*\b{option[1]}\b", shown), option


def test_the_command_table_shows_every_command() -> None:
    commands = {words[1] for words, _ in command_table() if not words[1].startswith("-")}
    assert commands == set(COMMANDS)


# --------------------------------------------------------------------------- quick start


def ci_lines() -> list[str]:
    return [
        line.strip()
        for line in CI_RUN.read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_install_steps_are_what_ci_runs() -> None:
    (block,) = sh_blocks(section("Install"))
    for step in block.split("&&"):
        assert step.strip() in ci_lines(), f"{step.strip()!r} is not a line of .ci/run"


def test_the_test_command_is_what_ci_runs() -> None:
    _, tests = sh_blocks(section("Quick start"))
    assert tests == "python -m pip install -e '.[test]' && python -m pytest"
    assert ci_lines()[-1] == tests


def test_the_build_command_builds_the_committed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's first command installs an extra that exists and builds, from the
    repository's seeds/ and config/, exactly the committed out/."""
    build, _ = sh_blocks(section("Quick start"))
    install, run = (shlex.split(part) for part in build.split("&&"))
    assert install[:4] == ["python", "-m", "pip", "install"]
    assert install[:4] == shlex.split(ci_lines()[-1].split("&&")[0])[:4]
    target = install[-1]
    assert target.startswith(".[") and target.endswith("]")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]
    assert target[2:-1] in extras
    assert run[0] == "syndicate"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [*run[1:], "--check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("out/ is up to date")
