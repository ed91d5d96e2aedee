"""The pre-commit hook, through the real pre-commit framework (`pre-commit try-repo`).

The hook repository is a temporary git copy of the working tree (pyproject, README, src, rulesets and
the manifest), so uncommitted work is what gets installed; pre-commit builds its own virtualenv and
pip-installs the package into it, exactly as for a user. One PRE_COMMIT_HOME is shared by the runs,
so the environment is built once (about ten seconds).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None or shutil.which("git") is None,
    reason="pre-commit or git is not installed",
)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "edi-lint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "edi-lint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def test_manifest_fields():
    import yaml  # a dependency of pre-commit

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "edi-lint"]
    assert hook["entry"] == "edi-lint" and hook["language"] == "python" and hook["name"]
    assert hook["types"] == ["file"]
    import re

    pattern = re.compile(hook["files"])
    for name in ("a.837", "dir/b.x12", "c.edi", "d.837p"):
        assert pattern.search(name), name
    for name in ("a.837.expected", "notes.txt", "x12.py"):
        assert not pattern.search(name), name


@pytest.fixture(scope="module")
def hook_setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("precommit")
    source = base / "hook-src"
    source.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md", ".pre-commit-hooks.yaml"):  # the build hook too
        shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(REPO / "src", source / "src", ignore=ignore)
    if (REPO / "rulesets").is_dir():
        shutil.copytree(REPO / "rulesets", source / "rulesets", ignore=ignore)
    (source / "rulesets").mkdir(exist_ok=True)
    (source / "rulesets" / ".keep").touch()  # git keeps no empty directory; hatch force-includes it
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "hook source")

    work = base / "user-repo"
    work.mkdir()
    git(work, "init", "-q")
    shutil.copy2(FIXTURES / "sample.837", work / "bad.837")
    shutil.copy2(FIXTURES / "clean.837", work / "clean.x12")
    (work / "notes.txt").write_text("not X12 at all; the hook must not look at it\n")
    git(work, "add", "-A")
    return source, work, base / "pre-commit-home"


def try_repo(setup, *args: str) -> subprocess.CompletedProcess:
    source, work, home = setup
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(source), "edi-lint", *args],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )


def test_hook_passes_on_clean_file(hook_setup):
    run = try_repo(hook_setup, "--files", "clean.x12")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


def test_hook_fails_on_bad_file(hook_setup):
    run = try_repo(hook_setup, "--files", "bad.837")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert "PT001" in run.stdout and "bad.837" in run.stdout


def test_hook_all_files_selects_only_edi(hook_setup):
    run = try_repo(hook_setup, "--all-files", "--verbose")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "PT001" in run.stdout
    assert "notes.txt" not in run.stdout  # the files pattern kept it away from the linter


def test_hook_fails_loudly_on_a_typo_in_configuration(hook_setup):
    """A CI gate with a typo must not pass: an unknown code in configuration is exit 2 in the hook too."""
    _, work, _ = hook_setup
    config = work / "edi-lint.toml"
    config.write_text('select = ["PT0001"]\n')
    try:
        run = try_repo(hook_setup, "--files", "clean.x12")
    finally:
        config.unlink()
    assert run.returncode == 1 and "Failed" in run.stdout, run.stdout + run.stderr
    assert "no rule has the code or prefix PT0001; closest: PT001" in run.stdout
