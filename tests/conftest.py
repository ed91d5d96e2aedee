"""Shared test helpers: where fixtures and the optional real-world corpus live."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "real"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared real-world corpus (../shared/corpus/real) is not present")
    return CORPUS


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory holding sample.837 and clean.837, so report paths are relative."""
    for name in ("sample.837", "clean.837"):
        shutil.copy2(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def linter():
    from edi_lint.application import build_linter
    from edi_lint.engine import Settings

    return build_linter(Settings())


def bench_module(name: str):
    """A module of bench/ (the file generator, the mutator), which is not a package: loaded from its file
    once per test session and name."""
    import importlib.util
    import sys

    key = f"bench_{name}_for_tests"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[key]


def read_expected(path: Path) -> list[tuple[str, str | None, int | None]]:
    """Parse a fixture's hand-written `.expected` file: `RULE CLM01 LX01` per line, `-` for none."""
    rows = []
    for raw in path.read_text().splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        rule, claim, line = (text.split() + ["-", "-"])[:3]
        rows.append((rule, None if claim == "-" else claim, None if line == "-" else int(line)))
    return rows


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """The command's defaults depend on the environment (GITHUB_ACTIONS=true picks --format github,
    NO_COLOR/FORCE_COLOR colour): tests start from none of them, also when CI sets them."""
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
