"""`syndicate init`: a feeds repository that checks and builds, and that is never overwritten."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from syndicate import __version__, scaffold, schema

from conftest import ROOT, run
from feedcheck import read_back

FILES = [
    "config/feeds.yaml",
    "config/feeds.schema.json",
    "seeds/README.md",
    ".gitignore",
    ".github/workflows/feeds.yml",
    ".pre-commit-config.yaml",
]
PLACEHOLDER_WARNING = (
    "config/feeds.yaml:14: site.base_url: warning: base_url 'https://your-site.invalid/' is a"
    " placeholder: set it to the address where out/ will be served (for GitHub Pages,"
    " https://OWNER.github.io/REPOSITORY/); feed links and ids are made from it\n"
)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_then_two_seeds_check_and_build(here: Path) -> None:
    result = run("init", "feeds")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote 6 files in feeds/:\n"
        + "".join(f"  {path}\n" for path in FILES)
        + "Next: set site.base_url in config/feeds.yaml (where out/ will be served), add seed"
        " files to seeds/, then run in feeds/:\n"
        "  syndicate check\n"
        "  syndicate build\n"
        "  git init && git add . && git commit -m 'Feeds repository'\n"
    )
    assert sorted(snapshot(here / "feeds")) == sorted(FILES)
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, here / "feeds" / "seeds")
    os.chdir(here / "feeds")

    check = run("check")
    assert (check.exit_code, check.stderr) == (0, "")
    # The placeholder is the one warning; seeds/README.md is not read as a seed.
    assert check.stdout == (
        PLACEHOLDER_WARNING + "checked config/feeds.yaml and 2 seed files: 0 errors, 1 warning\n"
    )

    build = run("build")
    assert (build.exit_code, build.stderr) == (0, PLACEHOLDER_WARNING), build.output
    again = run("build")  # replayed: nothing changed, and the placeholder is still said
    assert (again.exit_code, again.stderr) == (0, PLACEHOLDER_WARNING), again.output
    counts = read_back(Path("seeds"), Path("config/feeds.yaml"), Path("out"))
    assert counts == {"all": 1, "top-stories": 1}  # one of the two seeds is published
    for feed in counts:
        assert sorted(p.name for p in Path("out", feed).iterdir()) == [
            "atom.xml",
            "feed.json",
            "index.html",
            "rss.xml",
        ]
    assert Path("config/.syndicate-cache").is_dir()
    assert ".syndicate-cache/" in Path(".gitignore").read_text("utf-8").splitlines()


def test_init_inside_a_git_repository_does_not_say_git_init(here: Path) -> None:
    (here / ".git").mkdir()
    result = run("init", "feeds")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("  git add . && git commit -m 'Feeds repository'\n")


def test_build_says_the_placeholder_on_a_full_an_incremental_and_a_replayed_build(
    here: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run("init").exit_code == 0
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, "seeds")
    hour_ago = time.time() - 3600  # not just written: a build may trust their stats
    for path in [*Path("seeds").iterdir(), Path("config/feeds.yaml")]:
        os.utime(path, (hour_ago, hour_ago))
    for step, says in [
        ("full", "built 10 files"),
        ("replayed", "nothing changed since the last build"),
        ("incremental", "incremental build"),
    ]:
        if step == "incremental":
            seed = sorted(Path("seeds").glob("*.txt"))[0]
            seed.write_text(seed.read_text("utf-8").replace("title: ", "title: New ", 1), "utf-8")
        caplog.clear()
        build = run("build", "-v")
        assert build.exit_code == 0, build.output
        assert says in caplog.text, (step, caplog.text)
        assert build.stderr.count("placeholder") == 1, (step, build.stderr)
        assert PLACEHOLDER_WARNING in build.stderr, (step, build.stderr)
    check = run("check")
    assert check.stdout.count("placeholder") == 1, check.stdout
    assert "seeds: 2 read, 0 rejected, 0 warnings\n" in build.stdout  # the config's, not theirs
    gate = run("build", "--check")  # the CI and pre-commit gate says it too
    assert (gate.exit_code, gate.stderr) == (0, PLACEHOLDER_WARNING), gate.output


def test_check_is_quiet_once_base_url_is_set(here: Path) -> None:
    assert run("init").exit_code == 0
    config = Path("config/feeds.yaml")
    text = config.read_text("utf-8")
    config.write_text(text.replace("https://your-site.invalid/", "https://news.example.org/"))
    result = run("check")
    assert (result.exit_code, result.stdout) == (
        0,
        "config/feeds.yaml:26: feeds.all: warning: feed 'all' selected no items\n"
        "config/feeds.yaml:30: feeds.top-stories: warning: feed 'top-stories' selected no"
        " items\n"
        "checked config/feeds.yaml and 0 seed files: 0 errors, 2 warnings\n",
    )


def test_placeholder_is_any_host_under_invalid(here: Path) -> None:
    assert run("init").exit_code == 0
    config = Path("config/feeds.yaml")
    text = config.read_text("utf-8")
    config.write_text(text.replace("your-site.invalid/", "FEEDS.Example.INVALID:8080/x/"))
    result = run("check", "-q")
    assert result.exit_code == 0
    assert "base_url 'https://FEEDS.Example.INVALID:8080/x/' is a placeholder" in result.stdout


def test_init_again_exits_2_and_changes_nothing(here: Path) -> None:
    assert run("init").exit_code == 0
    before = snapshot(here)
    result = run("init")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == (
            "error: 5 files exist already in the current folder:\n"
            + "".join(f"  {path}\n" for path in FILES if path != ".gitignore")  # (kept: below)
            + "nothing was written; `syndicate init --force` overwrites them (all but"
            " config/feeds.yaml, which holds your feeds)\n"
        )
    )
    assert snapshot(here) == before


def test_one_existing_file_stops_everything(here: Path) -> None:
    Path(".pre-commit-config.yaml").write_text("repos: []\n")
    result = run("init", "--pages")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: 1 file exists already in the current folder:\n"
        "  .pre-commit-config.yaml\n"
        "nothing was written; `syndicate init --force` overwrites them\n"
    )
    assert sorted(snapshot(here)) == [".pre-commit-config.yaml"]
    assert Path(".pre-commit-config.yaml").read_text() == "repos: []\n"


def test_a_gitignore_of_the_repository_is_kept_and_completed(here: Path) -> None:
    """`init` in a repository that has a .gitignore: its lines stay, the cache's is added
    once, however often init runs."""
    Path(".gitignore").write_text("node_modules/\n*.log", encoding="utf-8")  # no last newline
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "  .gitignore  (yours, kept: .syndicate-cache/ added)\n" in result.stdout
    text = Path(".gitignore").read_text("utf-8")
    assert text.startswith("node_modules/\n*.log\n#")
    assert text.splitlines().count(".syndicate-cache/") == 1
    again = run("init", "--force")
    assert "  .gitignore  (yours, kept: nothing to add)\n" in again.stdout
    assert Path(".gitignore").read_text("utf-8") == text


def test_force_overwrites_all_but_the_config(here: Path) -> None:
    """`init --pages --force` in a repository adds Pages to the workflow: the feeds stay."""
    assert run("init").exit_code == 0
    Path("config/feeds.yaml").write_text("edited\n")
    Path(".pre-commit-config.yaml").write_text("edited\n")
    Path("seeds/README.md").unlink()
    result = run("init", "--pages", "--force")
    assert result.exit_code == 0, result.output
    assert "  .pre-commit-config.yaml  (overwritten)\n" in result.stdout
    assert "  seeds/README.md\n" in result.stdout  # written again, not overwritten
    assert "config/feeds.yaml  (overwritten)" not in result.stdout
    assert (
        "kept config/feeds.yaml: it holds your feeds (delete it to start again)\n" in result.stdout
    )
    assert Path("config/feeds.yaml").read_text() == "edited\n"
    written = {planned.path: planned.text for planned in scaffold.plan(pages=True)}
    del written["config/feeds.yaml"]
    for path, text in written.items():
        assert Path(path).read_text("utf-8") == text
    assert "deploy" in Path(".github/workflows/feeds.yml").read_text("utf-8")


def test_force_replaces_a_link_not_its_target(here: Path) -> None:
    assert run("init").exit_code == 0
    outside = here.parent / f"{here.name}-elsewhere.txt"
    outside.write_text("keep me\n")
    Path(".gitignore").unlink()
    Path(".gitignore").symlink_to(outside)
    assert run("init", "--force").exit_code == 0
    assert outside.read_text() == "keep me\n"
    assert not Path(".gitignore").is_symlink()


def test_scaffold_contents(here: Path) -> None:
    assert run("init").exit_code == 0
    config = Path("config/feeds.yaml").read_text("utf-8")
    assert config.startswith("# yaml-language-server: $schema=feeds.schema.json\n")
    assert Path("config/feeds.schema.json").read_text("utf-8") == schema.render()
    assert run("schema").stdout == schema.render()
    hooks = yaml.safe_load(Path(".pre-commit-config.yaml").read_text("utf-8"))
    assert hooks["repos"] == [
        {
            "repo": f"https://github.com/{scaffold.REPOSITORY}",
            "rev": f"v{__version__}",
            "hooks": [{"id": "syndicate-check"}],
        }
    ]
    # The hook ids it names are this repository's.
    offered = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert "syndicate-check" in {hook["id"] for hook in offered}


def _workflow(*options: str) -> dict[str, object]:
    assert run("init", *options).exit_code == 0
    workflow = yaml.safe_load(Path(".github/workflows/feeds.yml").read_text("utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def _uses(job: object) -> list[str]:
    assert isinstance(job, dict)
    return [step["uses"] for step in job["steps"] if "uses" in step]


def test_workflow_uses_the_action_at_this_version(here: Path) -> None:
    jobs = _workflow()["jobs"]
    assert isinstance(jobs, dict)
    assert sorted(jobs) == ["check", "publish"]
    action = f"{scaffold.REPOSITORY}@v{__version__}"
    assert _uses(jobs["check"]) == ["actions/checkout@v4", action]
    assert _uses(jobs["publish"]) == ["actions/checkout@v4", action]
    check_step = jobs["check"]["steps"][1]
    assert check_step["with"] == {"command": "check --format github", "summary": "true"}
    text = Path(".github/workflows/feeds.yml").read_text("utf-8")
    assert "pip install ." not in text and "pages" not in text.lower()
    # a rejected seed fails the build step after every good feed was built: still committed
    build, commit = jobs["publish"]["steps"][1:]
    assert (build["with"], "if" in build) == ({"command": "build"}, False)
    assert commit["if"] == "${{ !cancelled() }}"


def test_pages_adds_the_deploy_job(here: Path) -> None:
    jobs = _workflow("--pages")["jobs"]
    assert isinstance(jobs, dict)
    assert sorted(jobs) == ["check", "deploy", "publish"]
    assert _uses(jobs["publish"])[-1] == "actions/upload-pages-artifact@v3"
    assert jobs["publish"]["steps"][-1]["with"] == {"path": "out"}
    assert _uses(jobs["deploy"]) == ["actions/deploy-pages@v4"]
    assert jobs["deploy"]["needs"] == "publish"
    # after a rejected seed too (the build step failed, the good feeds were built)
    assert jobs["publish"]["steps"][-1]["if"] == jobs["deploy"]["if"] == "${{ !cancelled() }}"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"


def test_repository_workflow_is_the_scaffold_with_the_local_action(here: Path) -> None:
    scaffolded = _workflow()
    own = yaml.safe_load((ROOT / ".github/workflows/feeds.yml").read_text("utf-8"))
    action = f"{scaffold.REPOSITORY}@v{__version__}"
    text = yaml.safe_dump(scaffolded).replace(f"uses: {action}", "uses: ./")
    assert yaml.safe_load(text) == own


def test_readme_files_in_seeds_are_not_seeds(here: Path) -> None:
    assert run("init").exit_code == 0
    readme = Path("seeds/README.md").read_text("utf-8")
    Path("seeds/topic").mkdir()
    # Not even a README that holds a valid seed's front matter is read.
    seed = (ROOT / "seeds").glob("*.txt").__next__().read_text("utf-8")
    Path("seeds/topic/readme.TXT").write_text(seed)
    Path("seeds/topic/README").write_text(readme)
    result = run("check")
    assert (result.exit_code, result.stdout) == (
        0,
        PLACEHOLDER_WARNING + "config/feeds.yaml:26: feeds.all: warning: feed 'all' selected no"
        " items\n"
        "config/feeds.yaml:30: feeds.top-stories: warning: feed 'top-stories' selected no items\n"
        "checked config/feeds.yaml and 0 seed files: 0 errors, 3 warnings\n",
    )


def test_init_refuses_a_file_as_folder(here: Path) -> None:
    Path("feeds").write_text("")
    result = run("init", "feeds")
    assert result.exit_code == 2
    assert "'feeds' is a file" in result.stderr
