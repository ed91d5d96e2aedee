"""Third-party plugins end to end: the demo package in tests/plugin_pkg is installed for the test run
into a temporary site directory (its module plus a *.dist-info with the entry points its own
pyproject.toml declares, which is what `pip install --target` writes), then discovered through
importlib.metadata: named but not imported until enabled by configuration, and refused on a code clash.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_rules_cases import build_837

PLUGIN_PKG = Path(__file__).resolve().parent / "plugin_pkg"


@pytest.fixture
def plugin_site(tmp_path, monkeypatch):
    project = tomllib.loads((PLUGIN_PKG / "pyproject.toml").read_text())["project"]
    site = tmp_path / "site"
    shutil.copytree(PLUGIN_PKG / "src" / "edi_lint_demo_plugin", site / "edi_lint_demo_plugin")
    dist = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    entry_points = project["entry-points"]["edi_lint.rulesets"]
    (dist / "entry_points.txt").write_text(
        "[edi_lint.rulesets]\n" + "".join(f"{name} = {value}\n" for name, value in entry_points.items()))
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in [n for n in sys.modules if n.startswith("edi_lint_demo_plugin")]:
        del sys.modules[name]


def commercial_837() -> bytes:
    """97026 (GP, clean) and 97110 without KX, filed with a commercial payer."""
    return build_837([(r"\*{6}MB~", "******CI~"), (r"MEDICARE PART B", "ACME HEALTH")]).encode()


def lint(tmp_path, *args, config: str | None = None):
    from edi_lint.cli import main

    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "claim.837").write_bytes(commercial_837())
    if config is not None:
        (work / "edi-lint.toml").write_text(config)
    result = CliRunner().invoke(main, [str(work / "claim.837"), "--format", "json", "-q", *args])
    return result


def rules_found(result) -> set[str]:
    assert result.exit_code in (0, 1), result.output
    return {f["rule"] for f in json.loads(result.stdout)["findings"]}


def test_discovered_and_named_but_not_imported_until_enabled(plugin_site):
    """Installed plugins are named by --list-rules, but their code runs only once enabled (issue 11)."""
    from edi_lint.cli import main
    from edi_lint.engine import Settings
    from edi_lint.rules.registry import load_registry

    registry = load_registry(Settings(), list_plugins=True)
    assert {"demo-payer", "demo-declarative"} <= set(registry.not_enabled())
    assert "DEMO001" not in registry.all_infos and not registry.is_active("DEMO001")
    assert not [n for n in sys.modules if n.startswith("edi_lint_demo_plugin")]
    result = CliRunner().invoke(main, ["--list-rules", "--format", "json", "--isolated"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert "DEMO001" not in rows and rows["PT001"]["active"] is True
    for row in rows.values():
        assert {"id", "name", "severity", "summary", "ruleset", "tags"} <= set(row)
    table = CliRunner().invoke(main, ["--list-rules", "--isolated"]).stdout
    assert "installed plugins not enabled" in table and "demo-payer" in table
    enabled = load_registry(Settings(plugins=("demo-payer",)), list_plugins=True)
    assert enabled.is_active("DEMO001") and "demo-payer" not in enabled.not_enabled()


def test_inactive_until_enabled(plugin_site, tmp_path):
    found = rules_found(lint(tmp_path, config=""))
    assert not {"DEMO001", "DEMO101"} & found


def test_enabled_in_configuration_fires(plugin_site, tmp_path):
    result = lint(tmp_path, config='plugins = ["demo-payer", "demo-declarative"]\n')
    found = rules_found(result)
    assert {"DEMO001", "DEMO101"} <= found
    messages = {f["rule"]: f["message"] for f in json.loads(result.stdout)["findings"]}
    assert messages["DEMO101"] == "97026 is not covered by this commercial payer (ACME HEALTH)"


def test_enabled_plugin_rules_reach_worker_processes(plugin_site, tmp_path):
    from edi_lint.cli import main

    work = tmp_path / "jobs"
    work.mkdir()
    for n in range(2):
        (work / f"c{n}.837").write_bytes(commercial_837())
    (work / "edi-lint.toml").write_text('plugins = ["demo-payer"]\n')
    result = CliRunner().invoke(main, [str(work / "c0.837"), str(work / "c1.837"), "--jobs", "2", "--format",
                                       "json", "-q"])
    findings = json.loads(result.stdout)["findings"]
    assert sorted(Path(f["path"]).name for f in findings if f["rule"] == "DEMO001") == ["c0.837", "c1.837"]


def test_code_collision_is_an_error(plugin_site, tmp_path):
    result = lint(tmp_path, config='plugins = ["demo-clash"]\n')
    assert result.exit_code == 2
    assert "PT001" in result.output and "demo-clash" in result.output and "physical-therapy" in result.output


def test_enabling_a_missing_plugin_is_an_error(plugin_site, tmp_path):
    result = lint(tmp_path, config='plugins = ["no-such-plugin"]\n')
    assert result.exit_code == 2
    assert "no-such-plugin" in result.output and "demo-payer" in result.output


def test_prefix_claimed_by_a_plugin_is_enforced(plugin_site, tmp_path):
    ruleset = tmp_path / "intruder.toml"
    ruleset.write_text('[ruleset]\nname = "intruder"\n[[rule]]\ncode = "DEMO099"\nname = "x"\nsummary = "x"\n'
                       'forbid = { procedure = "97026" }\nmessage = "x"\n')
    result = lint(tmp_path, "--ruleset", str(ruleset), config='plugins = ["demo-payer"]\n')
    assert result.exit_code == 2
    assert "DEMO0" in result.output and "DEMO099" in result.output


def test_missing_shipped_rulesets_stop_the_run_instead_of_passing_every_claim(monkeypatch):
    """A source tree copied without rulesets/ (or a broken install) linted with no declarative rule at all:
    the 97026 rules gone, "All checks passed" on a claim that breaks them, exit 0 for a gate. Now one line, exit 2."""
    from conftest import FIXTURES
    from edi_lint.cli import main
    from edi_lint.rules import declarative

    monkeypatch.setattr(declarative, "shipped_ruleset_paths", lambda: [])
    result = CliRunner().invoke(main, [str(FIXTURES / "sample.837")])
    assert result.exit_code == 2 and "shipped rulesets are missing" in result.output
    assert "Traceback" not in result.output and "All checks passed" not in result.output
