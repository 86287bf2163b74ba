"""`syndicate schema` and the files that tie syndicate into editors and CI: the committed config
schema, the YAML language server line, the GitHub workflow, the pre-commit hooks, the README."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from syndicate.cli import COMMANDS, main
from syndicate.render.writers import WRITERS
from syndicate.schema import MODELINE
from syndicate.seeds import yamlsrc

from conftest import GOLDEN, ROOT

CONFIG = ROOT / "config" / "feeds.yaml"
SCHEMA_FILE = ROOT / "config" / "feeds.schema.json"
WORKFLOW = ROOT / ".github" / "workflows" / "feeds.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
README = ROOT / "README.md"


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text("utf-8"))
    return loaded


def as_editor_reads(text: str) -> Any:
    """YAML as the YAML language server sees it: YAML 1.2, so dates stay strings."""
    return json.loads(json.dumps(yamlsrc.load(text)))


# --------------------------------------------------------------------------- schema


def test_committed_schema_is_what_syndicate_schema_prints() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == SCHEMA_FILE.read_text("utf-8"), (
        "config/feeds.schema.json is stale: run `syndicate schema > config/feeds.schema.json`"
    )


def test_config_names_its_schema_on_the_first_line() -> None:
    first = CONFIG.read_text("utf-8").splitlines()[0]
    assert first == MODELINE == "# yaml-language-server: $schema=feeds.schema.json"
    assert (CONFIG.parent / first.split("$schema=", 1)[1]).resolve() == SCHEMA_FILE


def test_schema_is_draft_07_for_the_yaml_language_server() -> None:
    document = schema()
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(document)
    assert "$defs" not in json.dumps(document)  # draft-07 resolves #/definitions/...


@pytest.mark.parametrize(
    "path", [CONFIG, *sorted(GOLDEN.glob("*/feeds.yaml"))], ids=lambda p: p.parent.name
)
def test_good_configs_validate(path: Path) -> None:
    jsonschema.validate(
        as_editor_reads(path.read_text("utf-8")), schema(), jsonschema.Draft7Validator
    )


GOOD = """\
site: {title: T, base_url: "https://example.org/"}
feeds:
  - {id: a, title: A}
"""


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        ("feeds:\n  - {id: a, title: A, min_qualty: 60}\n", "min_qualty"),
        ("feeds:\n  - {id: a, title: A, formats: [rss, rdf]}\n", "rdf"),
        ("feeds:\n  - {id: A_1, title: A}\n", "A_1"),
        ("feeds:\n  - {id: a, title: A, limit: -1}\n", "-1"),
        ("feeds:\n  - {id: a, title: A, topics: []}\n", "[]"),
        ('feeds:\n  - {id: a, title: A, published_only: "yes"}\n', "yes"),
        ("feeds: []\n", "[]"),
        ("feed:\n  - {id: a, title: A}\n", "feed"),
    ],
)
def test_an_editor_sees_what_check_reports(edit: str, what: str, tmp_path: Path) -> None:
    text = GOOD.replace("feeds:\n  - {id: a, title: A}\n", edit)
    errors = list(jsonschema.Draft7Validator(schema()).iter_errors(as_editor_reads(text)))
    assert errors, f"the schema accepts {edit!r}"
    assert any(what in e.message for e in errors), [e.message for e in errors]
    (tmp_path / "feeds.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    result = CliRunner().invoke(
        main,
        ["check", "--config", str(tmp_path / "feeds.yaml"), "--seeds", str(tmp_path / "seeds")],
    )
    assert result.exit_code == 2, result.stdout


def test_formats_are_listed_for_completion() -> None:
    feed = schema()["definitions"]["FeedConfig"]["properties"]["formats"]
    assert feed["items"] == {"type": "string", "enum": list(WRITERS)}


def test_rules_carry_their_descriptions() -> None:
    feed = schema()["definitions"]["FeedConfig"]["properties"]
    assert feed["min_quality"]["description"] == "Keep items whose quality is at least this."


# --------------------------------------------------------------------------- CI and hooks


def parses(command: str) -> None:
    """The command line is accepted by syndicate's parser (options, choices), without running."""
    words = shlex.split(command)
    assert words[0] == "syndicate", command
    with click.Context(main, info_name="syndicate") as ctx:
        name, sub, rest = main.resolve_command(ctx, words[1:])
        assert sub is not None, command
        with sub.make_context(name, rest, parent=ctx):
            pass


def test_parses_rejects_a_wrong_command() -> None:
    with pytest.raises(click.UsageError):
        parses("syndicate check --format xml")
    with pytest.raises(click.UsageError):
        parses("syndicate biuld")


def workflow_commands() -> list[str]:
    """The syndicate commands of the workflow: its `run:` lines, and the action's `command`."""
    jobs = yaml.safe_load(WORKFLOW.read_text("utf-8"))["jobs"]
    commands = []
    for step in [step for job in jobs.values() for step in job["steps"]]:
        if step.get("uses") == "./":  # the action of this repository (action.yml)
            commands.append(f"syndicate {step['with']['command']}")
        lines = [line.strip() for line in step.get("run", "").splitlines()]
        commands += [line for line in lines if line.startswith("syndicate ")]
    return commands


def test_workflow_checks_builds_and_commits() -> None:
    assert workflow_commands() == ["syndicate check --format github", "syndicate build"]
    text = WORKFLOW.read_text("utf-8")
    assert "git add --all -- out" in text and "git push" in text
    gate = (ROOT / "docs/hosting.md").read_text("utf-8")
    assert "command: build --check" in gate  # the documented alternative gate
    for command in [*workflow_commands(), "syndicate build --check"]:
        parses(command)


def test_pre_commit_hooks() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text("utf-8"))}
    assert sorted(hooks) == ["syndicate-build-check", "syndicate-check"]
    assert hooks["syndicate-check"]["entry"] == "syndicate check"
    assert hooks["syndicate-build-check"]["entry"] == "syndicate build --check"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        re.compile(hook["files"])
        parses(hook["entry"])


# --------------------------------------------------------------------------- README and docs


def docs_commands() -> list[str]:
    """Every `syndicate ...` line of the shell blocks of the README and docs/ (after `$ `
    or `&& `)."""
    commands = []
    for page in (README, *sorted((ROOT / "docs").glob("*.md"))):
        for block in re.findall(r"```sh\n(.*?)```", page.read_text("utf-8"), re.S):
            for line in block.splitlines():
                for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line.strip().removeprefix("$ ")):
                    part = part.split(" > ")[0].split(" #")[0].strip()
                    if part.startswith("syndicate "):
                        commands.append(part)
    return commands


def test_docs_commands_parse() -> None:
    commands = docs_commands()
    for command in commands:
        parses(command)
    names = {shlex.split(c)[1] for c in commands}
    assert set(COMMANDS) - names == set(), "commands the README and docs/ never show"


def test_docs_show_the_ci_commands() -> None:
    commands = docs_commands()
    for wanted in ("syndicate check --format github", "syndicate build --check"):
        assert wanted in commands
