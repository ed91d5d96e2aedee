"""Reporters: one module per output format, each a pure `render(results, rules, *, cwd)`.

`results` are FileResults in input order (findings inside each already sorted); `rules` is
the rule catalogue keyed by code; `cwd` is the directory paths are made relative to (sarif,
github; None means the process working directory). Every renderer returns the whole output
as one string ending in a newline (jsonl/concise/github return "" when there is nothing).

Stability: json, jsonl, sarif and junit are committed surfaces (fields are only added);
github tracks GitHub's format; text and concise are for humans, do not parse them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from edi_lint.findings import FileResult
from edi_lint.report import concise, github, json_report, jsonl, junit, sarif, text
from edi_lint.rules.base import RuleInfo

Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "concise": concise.render,
    "json": json_report.render,
    "jsonl": jsonl.render,
    "sarif": sarif.render,
    "junit": junit.render,  # imports lxml only when called
    "github": github.render,
}

# Names other linters (ruff) use for the same formats.
ALIASES: dict[str, str] = {"full": "text", "json-lines": "jsonl"}


def render(
    fmt: str,
    results: list[FileResult],
    rules: Mapping[str, RuleInfo],
    cwd: str | None = None,
) -> str:
    name = ALIASES.get(fmt, fmt)
    try:
        renderer = FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"unknown output format {fmt!r} (use one of: {known})") from None
    return renderer(results, rules, cwd=cwd)


__all__ = ["ALIASES", "FORMATS", "render"]
