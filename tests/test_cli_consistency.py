"""The command line behaves alike across commands: -q after every command name, the config
error trailer only where something would have been written, help that matches the docs, and
hints spelled as the seeds spell them."""

from __future__ import annotations

import gc
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from syndicate.cli import COMMANDS, LazyGroup, main

from conftest import SMALL_CONFIG, seed_text, write_seed


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feeds.yaml").write_text(SMALL_CONFIG, encoding="utf-8")
    write_seed(tmp_path / "seeds", "a.txt", seed_text(topics="[Computer Vision]"))
    return tmp_path


def _leaves() -> list[list[str]]:
    """Every runnable command, as the words that name it (`cache clear`)."""
    found = []
    group = LazyGroup()
    context = click.Context(main)
    for name in COMMANDS:
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            found += [[name, sub] for sub in command.commands]
        else:
            found.append([name])
    return found


@pytest.mark.parametrize("words", _leaves(), ids=" ".join)
def test_quiet_and_verbose_after_every_command_name(words: list[str]) -> None:
    for flag in ("-q", "--quiet", "-v", "--verbose"):
        result = CliRunner().invoke(main, [*words, flag, "--help"])
        assert result.exit_code == 0, (words, flag, result.output)
        assert "-q, --quiet" in result.output


def test_cache_clear_quiet(ws: Path) -> None:
    assert CliRunner().invoke(main, ["build", "-q"]).exit_code == 0
    cache = ws / "config" / ".syndicate-cache"
    assert list(cache.glob("*.marshal"))
    result = CliRunner().invoke(main, ["cache", "clear", "-q"])
    assert (result.exit_code, result.output) == (0, "")
    assert not list(cache.glob("*.marshal"))
    again = CliRunner().invoke(main, ["cache", "clear"])
    assert again.output == f"no cache in {Path('config/.syndicate-cache')}\n"


def test_build_help_tells_exit_statuses_as_the_docs(ws: Path) -> None:
    text = " ".join(CliRunner().invoke(main, ["build", "--help"]).output.split())
    assert "0 all fine (warnings allowed: a repaired value, a feed that selects nothing)" in text
    assert "1 some seed was rejected" in text
    assert "some seed or feed was reported" not in text


def test_a_feed_that_selects_nothing_exits_0(ws: Path) -> None:
    config = SMALL_CONFIG + '  - id: robots\n    title: "Robots"\n    topics: [Robotics]\n'
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "seeds: 1 read, 0 rejected, 0 warnings"
    assert result.stdout.splitlines()[3] == "  robots      0        4          0         1"


def test_did_you_mean_is_spelled_as_the_seeds_spell_the_topic(ws: Path) -> None:
    config = SMALL_CONFIG + '  - id: cv\n    title: "CV"\n    topics: [Computer Visoin]\n'
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-q"])
    assert result.stdout == (
        "config/feeds.yaml:10: feeds.cv: warning: feed 'cv' selected no items; no seed has topic"
        " 'Computer Visoin' (did you mean 'Computer Vision'?)\n"
    )


def test_a_rule_value_close_to_what_seeds_have_is_a_typo_warning(ws: Path) -> None:
    """A topic, provider or category no seed has, close to one they have: a warning on the
    value's line, whether the feed selects something or not, in every rule that names them;
    a value not close to anything (a topic for seeds to come) is no typo."""
    write_seed(
        ws / "seeds",
        "b.txt",
        seed_text(
            "B",
            "https://example.com/b",
            topics="[Robotics, AI Policy]",
            category="News",
            provider="{name: The Verge, domain: theverge.com}",
        ),
    )
    config = SMALL_CONFIG + (
        "  - id: top\n"
        '    title: "Top"\n'
        '    exclude_topics: ["Computer Vison", "AI Polcy", "Quantum"]\n'
        "    exclude_providers:\n"
        "      - theverge.con\n"
        "      - The Vrege\n"
        "  - id: two\n"
        '    title: "Two"\n'
        "    topics: [robotcs, Computer Vision]\n"
        "  - id: cats\n"
        '    title: "Cats"\n'
        "    categories: [newz]\n"
    )
    (ws / "config" / "feeds.yaml").write_text(config, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "-q"])
    assert result.exit_code == 0
    warning = "config/feeds.yaml:{}: feeds.{}: warning: no seed has {} (did you mean {}?), so"
    assert result.stdout.splitlines() == [
        warning.format(12, "top.exclude_topics", "topic 'Computer Vison'", "'Computer Vision'")
        + " this value excludes nothing",
        warning.format(12, "top.exclude_topics", "topic 'AI Polcy'", "'AI Policy'")
        + " this value excludes nothing",
        warning.format(14, "top.exclude_providers", "provider 'theverge.con'", "'theverge.com'")
        + " this value excludes nothing",
        warning.format(15, "top.exclude_providers", "provider 'The Vrege'", "'the verge'")
        + " this value excludes nothing",
        warning.format(18, "two.topics", "topic 'robotcs'", "'Robotics'")
        + " this value selects nothing",
        "config/feeds.yaml:19: feeds.cats: warning: feed 'cats' selected no items",
        warning.format(21, "cats.categories", "category 'newz'", "'news'")
        + " this value selects nothing",
    ]


def test_config_error_trailer_only_from_commands_that_write(ws: Path) -> None:
    (ws / "config" / "feeds.yaml").write_text(SMALL_CONFIG + "    limt: 3\n", encoding="utf-8")
    trailer = "config error: nothing was written"
    for words in (["build"], ["build", "--check"], ["check"], ["feeds"], ["explain", "a.txt"]):
        result = CliRunner().invoke(main, words)
        assert result.exit_code == 2, words
        assert "feeds[0].limt: unknown key 'limt' (did you mean 'limit'?)" in result.output
        assert (trailer in result.output) == (words == ["build"]), words


def test_a_command_runs_with_the_cyclic_collector_off_and_gives_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its passes cost a command 5 to 15 ms and find little (cli.long_lived); the calling
    process (here pytest) gets the collector back as it was."""
    states: list[bool] = []
    real_echo = click.echo

    def echo(*args: object, **kwargs: object) -> None:
        states.append(gc.isenabled())
        real_echo(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(click, "echo", echo)
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    assert states and not any(states)
    assert gc.isenabled()
