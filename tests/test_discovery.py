"""File discovery like ruff's, through the real command: include/extend-include, exclude and
extend-exclude, --force-exclude, default skips, .gitignore, --show-files/--show-settings, and a
loud failure when a folder holds nothing to lint."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from edi_lint.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def shown(*args: str) -> list[str]:
    result = invoke(*args, "--show-files")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """claims/ holding claim files under the names people give them, and folders to skip."""
    sample, clean = (FIXTURES / "sample.837").read_bytes(), (FIXTURES / "clean.837").read_bytes()
    files = {"claims/a.837": sample, "claims/b.837p": clean, "claims/c.txt": sample, "claims/d.dat": clean,
             "claims/notes.md": b"# notes\n", "claims/.git/x.837": clean, "claims/.venv/y.837": clean,
             "claims/node_modules/z.837": clean, "claims/archive/old.837": sample}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_skip_tool_folders_and_take_837p(tree):
    assert shown("claims") == ["claims/a.837", "claims/archive/old.837", "claims/b.837p"]


def test_a_folder_of_txt_claims_fails_loudly_and_says_where_it_looked(tree):
    (tree / "txt").mkdir()
    shutil.copy2(tree / "claims/c.txt", tree / "txt/c.txt")
    result = invoke("txt")
    assert result.exit_code == 2
    assert "All checks passed" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "nothing to lint: no file in txt matches *.837, *.837p, *.x12, *.edi (1 other file skipped)" in line
    assert "--extend-include" in line and "--allow-empty" in line
    assert invoke("txt", "--allow-empty").exit_code == 0
    (tree / "edi-lint.toml").write_text("allow-empty = true\n")
    assert invoke("txt").exit_code == 0


def test_extend_include_from_the_command_line_and_configuration(tree):
    assert shown("claims", "--extend-include", "*.txt,*.dat") == [
        "claims/a.837", "claims/archive/old.837", "claims/b.837p", "claims/c.txt", "claims/d.dat"]
    (tree / "edi-lint.toml").write_text('extend-include = ["*.txt"]\n')
    assert "claims/c.txt" in shown("claims")
    (tree / "edi-lint.toml").write_text('include = ["*.dat"]\n')
    assert shown("claims") == ["claims/d.dat"]


def test_a_partial_run_says_what_it_skipped(tree):
    result = invoke("claims")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Skipped 3 files in claims whose names match no include pattern (*.837, *.837p, *.x12, *.edi); "
        "see --show-files, extend-include.")
    assert "Skipped" not in invoke("claims", "--format", "json").stdout


def test_exclude_extend_exclude_and_force_exclude(tree):
    assert shown("claims", "--extend-exclude", "archive/") == ["claims/a.837", "claims/b.837p"]
    (tree / "edi-lint.toml").write_text('extend-exclude = ["archive/", "b.*"]\n')
    assert shown("claims") == ["claims/a.837"]
    # a file named on the command line is linted anyway, unless --force-exclude
    assert shown("claims/archive/old.837") == ["claims/archive/old.837"]
    assert shown("claims/archive/old.837", "claims/a.837", "--force-exclude") == ["claims/a.837"]
    # --exclude replaces the defaults and the configuration's exclude
    assert "claims/node_modules/z.837" in shown("claims", "--exclude", "archive/")


def test_gitignore_is_respected_inside_a_repository(tree):
    shutil.rmtree(tree / "claims" / ".git")  # else claims/ is a repository of its own
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("claims/archive/\n*.837p\n")
    assert shown("claims") == ["claims/a.837"]
    assert shown("claims", "--no-respect-gitignore") == ["claims/a.837", "claims/archive/old.837", "claims/b.837p"]
    (tree / "edi-lint.toml").write_text("respect-gitignore = false\n")
    assert len(shown("claims")) == 3


def test_gitignore_outside_a_repository_does_not_apply(tree):
    (tree / ".gitignore").write_text("*.837\n")
    assert "claims/a.837" in shown("claims")


def test_show_settings_names_the_configuration_and_the_selection(tree):
    (tree / "edi-lint.toml").write_text('ignore = ["PT007"]\nextend-include = ["*.txt"]\nfail-on = "warning"\n')
    out = invoke("--show-settings").stdout
    assert f"configuration = {tree / 'edi-lint.toml'}" in out
    assert 'ignore = ["PT007"]' in out and "fail-on = warning" in out and 'extend-include = ["*.txt"]' in out
    assert 'exclude = [".git"' in out and "force-exclude = false" in out


def test_bad_discovery_values_in_configuration_are_exit_2(tree):
    (tree / "edi-lint.toml").write_text('force-exclude = "yes"\n')
    result = invoke("claims")
    assert result.exit_code == 2 and "(key 'force-exclude'): expected true or false" in result.stderr


def test_the_api_finds_the_same_files(tree):
    import edi_lint

    report = edi_lint.lint("claims")
    assert [f.path for f in report.files] == ["claims/a.837", "claims/archive/old.837", "claims/b.837p"]
    doc = json.loads(report.to_json())
    assert len(doc["files"]) == 3


def test_nothing_to_lint_counts_what_gitignore_kept_away(tree):
    shutil.rmtree(tree / "claims" / ".git")
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("claims/\n")  # claim files with PHI are often kept out of git
    result = invoke("claims")
    assert result.exit_code == 2
    assert "excluded by exclude patterns or .gitignore (--no-respect-gitignore)" in result.stderr
    assert invoke("claims", "--no-respect-gitignore", "-q").exit_code == 1
    import edi_lint  # a library call does not depend on version control

    assert len(edi_lint.lint("claims").files) == 3


def test_show_settings_default_selection_says_ig_runs(tree):
    """IG validation runs by default (README: "IG codes ... run by default"); --show-settings said
    "(IG off)" for the default selection, which would lead a user to think the guide is not checked."""
    out = invoke("--show-settings").stdout
    select = next(line for line in out.splitlines() if line.startswith("select = "))
    assert "IG off" not in select and "IG included" in select
