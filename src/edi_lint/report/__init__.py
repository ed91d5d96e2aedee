"""Reporters: one module per output format, each a pure `render(results, rules, *, cwd)`.

`results` are FileResults in input order (findings inside each already sorted); `rules` is
the rule catalogue keyed by code; `cwd` is the directory paths are made relative to (sarif,
github; None means the process working directory). Every renderer returns the whole output
as one string ending in a newline (jsonl/concise/github return "" when there is nothing).

Stability: json, jsonl, sarif and junit are committed surfaces (fields are only added);
github tracks GitHub's format; text, concise and html are for humans, do not parse them. The html
format also needs claim records (`Settings.keep_claims`), which the engine keeps only when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from edi_lint.findings import FileResult
from edi_lint.rules.base import RuleInfo

Renderer = Callable[..., str]

# Format name -> module holding its `render`. Imported on first use: a pre-commit run that prints
# text should not pay for lxml, SARIF or JSON machinery.
FORMAT_MODULES: dict[str, str] = {
    "text": "text",
    "concise": "concise",
    "json": "json_report",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "html": "html",
}


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"edi_lint.report.{FORMAT_MODULES[name]}")
    return module.render


class _Formats(Mapping):
    """Read-only mapping name -> render function, importing each module lazily."""

    def __getitem__(self, name: str) -> Renderer:
        return renderer(name)

    def __iter__(self):
        return iter(FORMAT_MODULES)

    def __len__(self) -> int:
        return len(FORMAT_MODULES)


FORMATS: Mapping[str, Renderer] = _Formats()

# Names other linters (ruff) use for the same formats.
ALIASES: dict[str, str] = {"full": "text", "json-lines": "jsonl"}


# Options reach the renderer as keywords: text takes colour, show_source, statistics; html takes
# split. `full` is text with the source of each finding.


def _options(fmt: str, options: dict) -> dict:
    return {**options, "show_source": True} if fmt == "full" else options


def chunks(fmt: str, results: list[FileResult], rules: Mapping[str, RuleInfo], cwd: str | None = None,
           **options):
    """`render`'s text in pieces, for writing as it is made: json, jsonl, sarif and text stream their
    findings one at a time; the other formats give their whole text at once."""
    name = _known(fmt)
    module = importlib.import_module(f"edi_lint.report.{FORMAT_MODULES[name]}")
    streamed = getattr(module, "chunks", None)
    if streamed is None:
        return iter((module.render(results, rules, cwd=cwd, **_options(fmt, options)),))
    return streamed(results, rules, cwd=cwd, **_options(fmt, options))


def _known(fmt: str) -> str:
    name = ALIASES.get(fmt, fmt)
    if name not in FORMAT_MODULES:
        known = ", ".join(FORMAT_MODULES)
        raise ValueError(f"unknown output format {fmt!r} (use one of: {known})")
    return name


def render(
    fmt: str,
    results: list[FileResult],
    rules: Mapping[str, RuleInfo],
    cwd: str | None = None,
    **options,
) -> str:
    """`options` go to the renderer as keywords (text: colour, show_source, statistics; html: `split`,
    the pre-flight split's summary)."""
    return renderer(_known(fmt))(results, rules, cwd=cwd, **_options(fmt, options))


__all__ = ["ALIASES", "FORMATS", "FORMAT_MODULES", "chunks", "render", "renderer"]
