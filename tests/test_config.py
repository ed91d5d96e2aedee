"""Configuration: discovery (closest file wins), keys mirroring the command line, and exit-2 errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_rules_cases import build_837

# a claim with PT010 (warning: rendering taxonomy unknown, no 2310B PRV) and PT001 (error: no GP)
CLAIM = build_837([(r"SV1\*HC:97026:GP\*30\*UN\*1\*\*\*1", "SV1*HC:97026*30*UN*1***1"),
                   (r"PRV\*PE\*PXC\*225100000X~\n", "")]).encode()


def run(*args, cwd: Path | None = None):
    from edi_lint.cli import main

    return CliRunner().invoke(main, [*args, "--format", "json", "-q"])


def rules_of(result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return sorted(f["rule"] for f in json.loads(result.stdout)["findings"])


def severities(result) -> dict[str, str]:
    return {f["rule"]: f["severity"] for f in json.loads(result.stdout)["findings"]}


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "claims" / "legacy").mkdir(parents=True)
    for name in ("claims/a.837", "claims/legacy/old.837"):
        (tmp_path / name).write_bytes(CLAIM)
    return tmp_path


def test_no_configuration(project):
    assert rules_of(run(str(project / "claims" / "a.837"), "--isolated")) == ["PT001", "PT010"]


def test_pyproject_table_is_found_from_the_linted_file_upward(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.edi-lint]\nignore = ["PT010"]\n')
    assert rules_of(run(str(project / "claims" / "a.837"))) == ["PT001"]


def test_pyproject_without_the_table_is_skipped(project):
    (project / "pyproject.toml").write_text('[tool.edi-lint]\nignore = ["PT010"]\n')
    (project / "claims" / "pyproject.toml").write_text('[project]\nname = "y"\n')
    assert rules_of(run(str(project / "claims" / "a.837"))) == ["PT001"]


def test_closest_file_wins_without_merging(project):
    (project / "pyproject.toml").write_text('[tool.edi-lint]\nignore = ["PT010"]\n')
    (project / "claims" / ".edi-lint.toml").write_text('select = ["PT010"]\n')
    assert rules_of(run(str(project / "claims" / "a.837"))) == ["PT010"]
    (project / "claims" / "edi-lint.toml").write_text('select = ["PT001"]\n')  # .edi-lint.toml comes first
    assert rules_of(run(str(project / "claims" / "a.837"))) == ["PT010"]


def test_isolated_and_explicit_config(project, tmp_path):
    (project / "edi-lint.toml").write_text('ignore = ["PT"]\n')
    assert rules_of(run(str(project / "claims" / "a.837"))) == []
    assert rules_of(run(str(project / "claims" / "a.837"), "--isolated")) == ["PT001", "PT010"]
    other = tmp_path / "other.toml"
    other.write_text('select = ["PT010"]\n')
    assert rules_of(run(str(project / "claims" / "a.837"), "--config", str(other))) == ["PT010"]


def test_keys_mirror_the_command_line(project):
    (project / "edi-lint.toml").write_text(
        'select = ["PT001"]\nextend-select = ["PT010"]\nfail-on = "never"\n\n[severity]\nPT010 = "info"\n')
    result = run(str(project / "claims" / "a.837"))
    assert rules_of(result) == ["PT001", "PT010"] and result.exit_code == 0  # fail-on never
    assert severities(result) == {"PT001": "error", "PT010": "info"}
    # the command line wins: --select replaces, --ignore adds, --fail-on overrides
    result = run(str(project / "claims" / "a.837"), "--select", "PT010", "--fail-on", "info")
    assert rules_of(result) == ["PT010"] and result.exit_code == 1
    assert rules_of(run(str(project / "claims" / "a.837"), "--ignore", "PT001")) == ["PT010"]


def test_values_are_read_as_the_command_line_reads_them(project):
    """fail-on in any case (the API and the severity table take "Warning"), and a single name where a
    list is expected, as select = "PT" is one code: neither is a reason to refuse the file."""
    (project / "edi-lint.toml").write_text('fail-on = "Warning"\nexclude = "legacy"\n\n[severity]\nPT001 = "warning"\n')
    result = run(str(project / "claims"), "--config", str(project / "edi-lint.toml"))  # files are chosen by it too
    assert result.exit_code == 1, result.output  # PT001 is a warning now, and warnings fail
    assert {Path(f["path"]).name for f in json.loads(result.stdout)["findings"]} == {"a.837"}  # legacy/ excluded
    (project / "edi-lint.toml").write_text('fail-on = "Never"\n')
    assert run(str(project / "claims" / "a.837")).exit_code == 0


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text(
        '[tool.edi-lint.per-file-ignores]\n"claims/legacy/*.837" = ["PT001"]\n"a.837" = ["PT010"]\n')
    result = run(str(project / "claims" / "a.837"), str(project / "claims" / "legacy" / "old.837"))
    found = sorted((Path(f["path"]).name, f["rule"]) for f in json.loads(result.stdout)["findings"])
    assert found == [("a.837", "PT001"), ("old.837", "PT010")]


def test_payer_profiles_from_configuration(project):
    ruleset = project / "acme.toml"
    ruleset.write_text('[ruleset]\nname = "acme"\n[[rule]]\ncode = "ACME001"\nname = "acme-97026"\nsummary = "x"\n'
                       'payers = ["acme"]\nprocedures = ["97026"]\nforbid = { procedure = "97026" }\n'
                       'message = "{procedure} billed to {payer_name}"\n')
    (project / "claims" / "acme.837").write_bytes(CLAIM.replace(b"MEDICARE PART B", b"ACME HEALTH"))
    (project / "edi-lint.toml").write_text(
        'select = ["ACME"]\nrulesets = ["acme.toml"]\n\n[payers.acme]\nnames = ["ACME"]\n')
    result = run(str(project / "claims" / "acme.837"), str(project / "claims" / "a.837"))
    found = [(Path(f["path"]).name, f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("acme.837", "97026 billed to ACME HEALTH")]


@pytest.mark.parametrize("text, key, words", [
    ('selct = ["PT"]\n', "selct", "unknown key"),
    ('select = ["pt-1"]\n', "select", "not a rule code"),
    ('fail-on = "sometimes"\n', "fail-on", "not error, warning, info or never"),
    ('[severity]\nPT010 = "loud"\n', "severity.PT010", "not error, warning or info"),
    ('[severity]\nPT999 = "info"\n', "severity.PT999", "no rule has the code"),
    ('plugins = ["demo", " "]\n', "plugins", "list of names"),
    ('fail-on = 2\n', "fail-on", "not error, warning, info or never"),
    ('[payers.acme]\nnamez = ["ACME"]\n', "payers.acme.namez", "unknown key"),
    ('select = [\n', None, "not valid TOML"),
    ('rulesets = ["missing.toml"]\n', None, "cannot read the file"),
])
def test_bad_configuration_exits_2_naming_file_and_key(project, text, key, words):
    config = project / "edi-lint.toml"
    config.write_text(text)
    result = run(str(project / "claims" / "a.837"))
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    if key is not None:
        assert str(config) in result.output and f"key '{key}'" in result.output


def test_pyproject_key_is_named_with_its_table(project):
    (project / "pyproject.toml").write_text('[tool.edi-lint]\nignor = ["PT"]\n')
    result = run(str(project / "claims" / "a.837"))
    assert result.exit_code == 2 and "key 'tool.edi-lint.ignor'" in result.output


def test_explicit_pyproject_without_table_is_an_error(tmp_path):
    config = tmp_path / "pyproject.toml"
    config.write_text('[project]\nname = "x"\n')
    result = run("--list-rules", "--config", str(config))
    assert result.exit_code == 2 and "no [tool.edi-lint] table" in result.output


def test_settings_survive_pickling_for_worker_processes(project):
    import pickle

    from edi_lint.config import build_settings

    (project / "edi-lint.toml").write_text('ignore = ["PT010"]\n[per-file-ignores]\n"*.837" = ["PT002"]\n'
                                           '[payers.acme]\nids = ["A1"]\n')
    settings = build_settings(config_path=str(project / "edi-lint.toml"))
    copy = pickle.loads(pickle.dumps(settings))
    assert copy.ignore == ("PT010",) and copy.payer_profiles == {"acme": {"ids": ("A1",)}}
    assert copy.ignored_for(str(project / "claims" / "a.837")) == ("PT002",)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_file_gets_its_closest_configuration(project, jobs):
    (project / "edi-lint.toml").write_text('ignore = ["PT001"]\n')
    (project / "claims" / "legacy" / "edi-lint.toml").write_text('ignore = ["PT010"]\n[severity]\nPT001 = "info"\n')
    (project / "claims" / "b.837").write_bytes(CLAIM)
    result = run(str(project / "claims" / "a.837"), str(project / "claims" / "legacy" / "old.837"),
                 str(project / "claims" / "b.837"), "--jobs", jobs)
    found = [(Path(f["path"]).name, f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("a.837", "PT010", "warning"), ("old.837", "PT001", "info"), ("b.837", "PT010", "warning")]
    # --select replaces every file's select; each file's own ignore still applies on top (as in ruff)
    result = run(str(project / "claims" / "a.837"), str(project / "claims" / "legacy" / "old.837"),
                 "--select", "PT001", "--jobs", jobs)
    assert [Path(f["path"]).name for f in json.loads(result.stdout)["findings"]] == ["old.837"]


def test_a_broken_nested_configuration_fails_only_its_files(project):
    (project / "claims" / "legacy" / "edi-lint.toml").write_text('selekt = ["PT"]\n')
    result = run(str(project / "claims" / "a.837"), str(project / "claims" / "legacy" / "old.837"))
    assert result.exit_code == 2
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert files["a.837"]["status"] == "linted"
    assert files["old.837"]["status"] == "error" and "selekt" in files["old.837"]["error"]
