"""The distribution, as a user gets it: the wheel and sdist build and pass `twine check`; the
wheel, alone in a fresh venv, runs `syndicate init`, `check` and `build`; the action and the
scaffolded workflow parse, name only commands that exist, and their steps that need no GitHub
run in a temporary git repository holding only seeds/ and config/.

Slower than the rest (a wheel build and two venvs, about a minute): `-m "not packaging"` skips
them while iterating; the default run and .ci/run include them.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from syndicate import __version__, scaffold

from conftest import ROOT

pytestmark = pytest.mark.packaging

RENDER_FILES = sorted(
    p.relative_to(ROOT / "src").as_posix()
    for folder in ("templates", "static")
    for p in (ROOT / "src/syndicate/render" / folder).iterdir()
)
SCAFFOLD_FILES = sorted(
    p.relative_to(ROOT / "src").as_posix()
    for p in (ROOT / "src/syndicate/scaffold/files").iterdir()
)


def sh(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist, built from a copy of the tracked files (the checkout's own
    build/ and egg-info are left alone)."""
    root = tmp_path_factory.mktemp("dist")
    source = root / "source"
    tracked = sh("git", "ls-files", "-z", cwd=ROOT).split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    sh(sys.executable, "-m", "build", "--outdir", root / "dist", source)
    return root / "dist"


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("syndicate_feeds-*.whl")
    return wheel


def fresh_venv(folder: Path) -> Path:
    """A new venv with nothing but pip; its bin folder."""
    sh(sys.executable, "-m", "venv", folder)
    return folder / "bin"


def test_build_and_twine_check(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"syndicate_feeds-{__version__}-py3-none-any.whl",
        f"syndicate_feeds-{__version__}.tar.gz",
    ]
    out = sh(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert out.count("PASSED") == 2


def test_wheel_and_sdist_contents(dist: Path) -> None:
    with zipfile.ZipFile(wheel_of(dist)) as wheel:
        names = set(wheel.namelist())
        info = f"syndicate_feeds-{__version__}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
    assert set(RENDER_FILES + SCAFFOLD_FILES) <= names
    assert f"{info}/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]
    for line in [
        "Name: syndicate-feeds",
        f"Version: {__version__}",
        "Requires-Python: >=3.11",
        "License-Expression: MIT",
        "Description-Content-Type: text/markdown",
        f"Project-URL: Source, https://github.com/{scaffold.REPOSITORY}",
    ]:
        assert line in metadata.splitlines(), line
    assert "Classifier: Programming Language :: Python :: 3.11" in metadata
    with tarfile.open(next(dist.glob("*.tar.gz"))) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    base = {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"}
    assert base | {f"src/{n}" for n in RENDER_FILES + SCAFFOLD_FILES} <= members


def test_the_wheel_alone_inits_checks_and_builds(dist: Path, tmp_path: Path) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    sh(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel_of(dist))
    syndicate = bin_dir / "syndicate"
    assert sh(syndicate, "--version") == f"syndicate, version {__version__}\n"
    work = tmp_path / "work"
    work.mkdir()
    # The package comes from the venv, not from this checkout.
    where = sh(bin_dir / "python", "-c", "import syndicate; print(syndicate.__file__)", cwd=work)
    assert where.startswith(str(tmp_path / "venv")), where
    sh(syndicate, "init", "feeds", cwd=work)
    feeds = work / "feeds"
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, feeds / "seeds")
    checked = sh(syndicate, "check", cwd=feeds)
    assert checked.endswith("checked config/feeds.yaml and 2 seed files: 0 errors, 1 warning\n")
    sh(syndicate, "build", cwd=feeds)
    page = (feeds / "out/all/index.html").read_text("utf-8")
    assert "Microsoft" in page or "<li" in page  # rendered from the installed templates
    assert (feeds / "out/feeds.opml").is_file() and (feeds / "out/all/rss.xml").is_file()
    # The stylesheet ships in the wheel too.
    config = feeds / "config/feeds.yaml"
    config.write_text(config.read_text("utf-8").replace("site:\n", "site:\n  stylesheet: true\n"))
    sh(syndicate, "build", cwd=feeds)
    assert (feeds / "out/feed.xsl").read_bytes() == (
        ROOT / "src/syndicate/render/static/feed.xsl"
    ).read_bytes()


# ------------------------------------------------------------------ action and workflow

# The GitHub expressions the run steps' env may use, and what they stand for here.
KNOWN_ACTIONS = {
    "actions/checkout@v4",
    "actions/setup-python@v5",
    "actions/cache@v4",
    "actions/upload-pages-artifact@v3",
    "actions/deploy-pages@v4",
}
SHELL_WORDS = {"if", "then", "else", "elif", "fi", "case", "esac", "in", "do", "done", "!", "{"}


def load(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def steps_of(document: dict[str, object]) -> list[dict[str, object]]:
    if "runs" in document:
        runs = document["runs"]
        assert isinstance(runs, dict) and runs["using"] == "composite"
        return list(runs["steps"])
    jobs = document["jobs"]
    assert isinstance(jobs, dict)
    return [step for job in jobs.values() for step in job["steps"]]


def commands(script: str) -> set[str]:
    """The command names of a bash script: the first word of each command, of each command
    substitution and of each case branch (a line-based reading, enough for these scripts)."""
    names = set()
    for line in script.splitlines():
        code = line.strip()
        if not code or code.startswith("#"):
            continue
        code = re.sub(r"'[^']*'", "''", code)  # single-quoted text is never a command
        code = re.sub(r"^[\w*|\s-]+\)\s", "", code)  # a case branch's pattern
        for piece in re.split(r"\$\(|&&|\|\||[|;(){}`]", code):
            words = piece.replace('"', "").split()
            while words and (words[0] in SHELL_WORDS or re.match(r"^\w+=", words[0])):
                words.pop(0)
            if words and re.fullmatch(r"[A-Za-z_][\w.-]*", words[0]):
                names.add(words[0])
    return names


def test_commands_are_found_in_the_action() -> None:
    found = set()
    for step in steps_of(load(ROOT / "action.yml")):
        found |= commands(str(step.get("run", "")))
    assert found == {
        "cut", "dirname", "echo", "grep", "printf", "python", "read", "sed", "sha256sum",
        "syndicate", "true",
    }  # fmt: skip


def scaffolded(tmp_path: Path, pages: bool) -> Path:
    folder = tmp_path / ("pages" if pages else "plain")
    scaffold.write(folder, scaffold.plan(pages))
    return folder / ".github/workflows/feeds.yml"


@pytest.mark.parametrize("pages", [False, True])
def test_every_run_step_names_existing_commands(tmp_path: Path, pages: bool) -> None:
    venv_bin = Path(sys.executable).parent  # this venv has syndicate installed
    for document in [load(ROOT / "action.yml"), load(scaffolded(tmp_path, pages))]:
        for step in steps_of(document):
            if "uses" in step:
                uses = step["uses"]
                assert uses in KNOWN_ACTIONS or uses.startswith(f"{scaffold.REPOSITORY}@v")
                continue
            script = str(step["run"])
            sh("bash", "-n", "-c", script)
            for name in sorted(commands(script)):
                found = subprocess.run(
                    ["bash", "-c", f'PATH="{venv_bin}:$PATH" type -t {shlex.quote(name)}'],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert found.stdout.strip(), f"{step.get('name')}: {name} not found"


def expression(text: str, values: dict[str, str]) -> str:
    """${{ name }} replaced by values[name]; any other expression fails the test."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        assert name in values, f"the test does not know {name!r}"
        return values[name]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_step(
    step: dict[str, object],
    values: dict[str, str],
    cwd: Path,
    env: dict[str, str],
    status: int = 0,
) -> str:
    """A `run:` step as the runner runs it: bash -e, with its env, GITHUB_OUTPUT collected."""
    output = cwd.parent / "github-output"
    output.write_text("")
    step_env = {k: expression(str(v), values) for k, v in dict(step.get("env") or {}).items()}
    script = expression(str(step["run"]), values)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**env, **step_env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == status, f"{step.get('name')}:\n{done.stdout}\n{done.stderr}"
    for line in output.read_text().splitlines():
        key, _, val = line.partition("=")
        values[f"steps.{step.get('id')}.outputs.{key}"] = val
    return done.stdout


def test_steps_run_in_a_feeds_repository(dist: Path, tmp_path: Path) -> None:
    # A feeds repository: seeds/ and config/ only (what `syndicate init` and an editor made),
    # pushed to a local "origin" so that the workflow's `git push` has somewhere to go.
    repo, origin = tmp_path / "repo", tmp_path / "origin.git"
    scaffold.write(repo, [f for f in scaffold.plan() if f.path.startswith("config/")])
    shutil.copytree(ROOT / "seeds", repo / "seeds")
    config = repo / "config/feeds.yaml"
    config.write_text(config.read_text("utf-8").replace("your-site.invalid", "news.example.org"))
    sh("git", "init", "--quiet", "--bare", "--initial-branch=main", origin)
    git = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org"]
    sh("git", "init", "--quiet", "--initial-branch=main", repo)
    sh(*git, "-C", repo, "add", ".")
    sh(*git, "-C", repo, "commit", "--quiet", "-m", "Seeds and config")
    sh("git", "-C", repo, "remote", "add", "origin", origin)
    sh("git", "-C", repo, "push", "--quiet", "-u", "origin", "main")
    assert not (repo / "pyproject.toml").exists()

    bin_dir = fresh_venv(tmp_path / "venv")
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    action = {str(s.get("id") or s.get("name")): s for s in steps_of(load(ROOT / "action.yml"))}
    inputs = {"version": str(wheel_of(dist)), "seeds": "seeds", "config": "config/feeds.yaml"}
    inputs |= {"out": "out", "summary": "true", "python-version": "3.12"}
    values = {f"inputs.{k}": v for k, v in inputs.items()}
    values["github.action_path"] = str(ROOT)

    def action_steps(command: str) -> str:
        values["inputs.command"] = command
        printed = ""
        for step_id in ["plan", "install", "syndicate ${{ inputs.command }}", "Job summary"]:
            printed += run_step(action[step_id], values, repo, env)
        return printed

    # Pull request: the check, with annotations, and the job summary.
    assert action_steps("check --format github") == (
        f"syndicate, version {__version__}\n"
        "checked config/feeds.yaml and 2 seed files: 0 errors, 0 warnings\n"
    )
    assert values["steps.plan.outputs.spec"] == str(wheel_of(dist))
    assert values["steps.install.outputs.version"] == __version__
    assert values["steps.plan.outputs.syndicate-cache"] == "config/.syndicate-cache"
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert summary.startswith("### Feeds\n\n```\n") and summary.endswith("```\n")
    assert re.search(r"^all +.*\n^top-stories ", summary, re.MULTILINE), summary

    # main: build, then the workflow's "Commit out/ if it changed" step, twice.
    action_steps("build")
    assert (repo / "out/all/rss.xml").is_file()
    assert (repo / "config/.syndicate-cache").is_dir()
    workflow = load(scaffolded(tmp_path, pages=False))
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    publish = jobs["publish"]["steps"]
    (commit,) = [step for step in publish if step.get("name") == "Commit out/ if it changed"]
    env_git = {**env, "GIT_CONFIG_NOSYSTEM": "1"}
    printed = run_step(commit, values, repo, env_git)
    assert printed == ""
    log = sh("git", "-C", origin, "log", "--format=%an %s", "main")
    assert log == "github-actions[bot] Rebuild out/\nEditor Seeds and config\n"
    committed = sh("git", "-C", origin, "ls-tree", "-r", "--name-only", "main")
    assert "out/all/rss.xml" in committed.splitlines()
    assert not [n for n in committed.splitlines() if ".syndicate-cache" in n]

    # Nothing changed: the build rewrites nothing, and nothing is committed.
    action_steps("build")
    assert run_step(commit, values, repo, env_git) == "out/ is up to date\n"
    assert sh("git", "-C", origin, "rev-list", "--count", "main") == "2\n"

    # `build --check` passes on the committed out/, fails on a stale one.
    action_steps("build --check")
    (repo / "out/all/rss.xml").write_text("stale")
    values["inputs.command"] = "build --check"
    run_step(action["syndicate ${{ inputs.command }}"], values, repo, env, status=1)
