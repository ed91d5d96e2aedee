"""edi-lint: a linter for HIPAA X12 837P (005010X222A1) claim files.

Public API (see `edi_lint.api` for the full description):

    import edi_lint
    report = edi_lint.lint("batch.837")          # or bytes, a directory, a list of paths
    report.findings, report.claims, report.exit_code, report.to_json()
    edi_lint.split("in.837", "ok.837", "held.837")
    edi_lint.acknowledge("in.837", ack_999="in.999", ack_277ca="in.277")

Names are imported on first use, so `import edi_lint` (and the CLI start-up) stays cheap.

`edi_lint.COMPILED` is True in the optional compiled build (`EDI_LINT_COMPILE=1 pip install .`, see
hatch_build.py), whose hot-path modules are Cython extension modules; `edi_lint._compiled.MODULES` lists them.
"""

from __future__ import annotations

__all__ = ["AckOptions", "ClaimStatus", "ClaimVerdict", "FileResult", "Finding", "Report", "Severity", "acknowledge",
           "lint", "split"]

_HOMES = {
    "lint": "edi_lint.api",
    "split": "edi_lint.api",
    "acknowledge": "edi_lint.api",
    "AckOptions": "edi_lint.acks",
    "Report": "edi_lint.api",
    "ClaimStatus": "edi_lint.api",
    "Finding": "edi_lint.findings",
    "FileResult": "edi_lint.findings",
    "ClaimVerdict": "edi_lint.findings",
    "Severity": "edi_lint.findings",
}


def __getattr__(name: str):
    if name == "COMPILED":
        value = globals()["COMPILED"] = _is_compiled_build()
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'edi_lint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def _is_compiled_build() -> bool:
    """Whether this installation is the compiled build: hatch_build.py writes `_compiled.py` only there
    (not named `_compiled`: importing the submodule `edi_lint._compiled` sets that attribute)."""
    import os

    return os.path.isfile(os.path.join(os.path.dirname(__file__), "_compiled.py"))


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__ + ["COMPILED"])
