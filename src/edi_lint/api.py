"""The public Python API: lint paths or bytes, get findings and per-claim verdicts; split a file.

    import edi_lint

    report = edi_lint.lint("claims/batch-0412.837")            # a path, a directory, a list, or bytes
    report = edi_lint.lint(data, select=["PT"], fail_on="warning")
    report.exit_code        # 0 clean, 1 findings at or above fail_on, 2 an input could not be linted
    report.findings         # [edi_lint.Finding], every file, in file order
    report.files            # [edi_lint.FileResult], one per input: path, status, error, claims, service_lines
    report.claims           # [edi_lint.ClaimStatus]: path, claim_id, transaction, segment_index, accepted
    report.accepted / report.rejected   # the claim verdicts, partitioned
    report.to_json()        # the same JSON document as `edi-lint --format json` (with "claims")
    report.render("sarif")  # any CLI format: text, concise, json, jsonl, sarif, junit, github
    edi_lint.lint(path, keep_claims=True).render("html")   # the HTML claim report (patient data masked)

    report = edi_lint.split("in.837", "ok.837", "held.837")   # the pre-flight split, as the CLI does
    report.split            # {"accepted": 12, "rejected": 2, "incomplete": [], ...}

    # X12 acknowledgments (a 999 with a TA1 when due, a 277CA), with or without the split:
    edi_lint.acknowledge("in.837", ack_999="in.999", ack_277ca="in.277")
    edi_lint.split("in.837", "ok.837", "held.837", ack_999="in.999", ack_277ca="in.277",
                   ack_options=edi_lint.AckOptions(control_number=1001))

Arguments (keyword-only, all optional): `select`, `ignore`, `extend_select` (rule codes or prefixes,
a list or a comma-separated string, as on the command line), `fail_on` ("error", "warning", "info"
or "never"; default: the configuration's fail-on, else "error") and `config` (a pyproject.toml,
edi-lint.toml or .edi-lint.toml to apply, as `--config`; by default no configuration file is read,
so a library call does not depend on the working directory). `keep_claims=True` also keeps a record
of every claim (`FileResult.records`), which the "html" format needs; patient data in the records is
masked unless `show_phi=True`.

A claim is accepted when it has no finding at or above `fail_on` and no finding above claim level
(envelope, transaction, level) at or above `fail_on` covers it; `lint` and `split` give the same
verdicts. Findings are frozen dataclasses with `.to_dict()`; their messages are written never to
quote PHI (names, member ids, birth dates, addresses).
`lint` never writes anything; `split` writes only its two outputs (see `edi_lint.preflight`) and the
acknowledgments asked for; `acknowledge` writes only those. Acknowledging needs implementation-guide
validation, so it turns the IG family on whatever `select`/`ignore` say (see `edi_lint.acks`).
Errors in an input (not X12, not an 837P, unreadable) do not raise: that file gets
`status == "error"` and a one-line `error`, and `exit_code` is 2. Bad arguments raise ValueError;
an output (split, acknowledgment) that cannot be written raises OSError.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from edi_lint.findings import FileResult, Finding, Severity

PathLike = str | os.PathLike
Source = PathLike | bytes | bytearray | Iterable[PathLike]


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim's verdict: accepted when no finding at or above fail_on holds it back."""

    path: str
    claim_id: str
    transaction: str | None
    segment_index: int
    accepted: bool

    def to_dict(self) -> dict:
        return {"path": self.path, "claim_id": self.claim_id, "transaction": self.transaction,
                "segment_index": self.segment_index, "accepted": self.accepted}


@dataclass
class Report:
    files: list[FileResult]
    fail_on: Severity | None = Severity.ERROR
    split: dict | None = None  # set by split(): counts and output paths

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def claims(self) -> list[ClaimStatus]:
        return [ClaimStatus(r.path, v.claim_id, v.transaction, v.segment_index, v.accepted)
                for r in self.files for v in r.verdicts]

    @property
    def accepted(self) -> list[ClaimStatus]:
        return [c for c in self.claims if c.accepted]

    @property
    def rejected(self) -> list[ClaimStatus]:
        return [c for c in self.claims if not c.accepted]

    @property
    def exit_code(self) -> int:
        """For a split, the routing signal (0 only when every claim was accepted); else the lint verdict."""
        from edi_lint.application import exit_code, split_exit_code

        if self.split is not None:
            return split_exit_code(self.files, self.split)
        return exit_code(self.files)

    def to_dict(self) -> dict:
        from edi_lint.report.json_report import document

        doc = document(self.files)
        if self.split is not None:
            doc["split"] = dict(self.split)
        return doc

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def render(self, fmt: str = "text", cwd: str | None = None) -> str:
        from edi_lint.report import render
        from edi_lint.rules.registry import all_rule_infos

        options = {}
        if fmt == "html":
            if any(r.claims and not r.records for r in self.files):
                raise ValueError("the html format shows claims: lint with keep_claims=True")
            options["split"] = self.split
        return render(fmt, self.files, all_rule_infos(), cwd=cwd, **options)


def _prepare(select, ignore, extend_select, fail_on, config, acknowledging: bool = False, keep_claims=False,
             show_phi=False):
    """Settings and a linter as the CLI builds them: the named configuration file (if any), then
    the arguments. Raises ValueError for a bad argument, configuration, ruleset or plugin."""
    from edi_lint import application
    from edi_lint.engine import Linter

    if isinstance(fail_on, Severity):
        fail_on = fail_on.label
    if fail_on is not None:
        fail_on = str(fail_on).strip().lower()
        if fail_on != "never":
            Severity.parse(fail_on)  # ValueError for an unknown level
    try:
        settings, registry, _ = application.load(
            (), config_path=os.fspath(config) if config is not None else None, isolated=config is None,
            select=application.split_codes(select), ignore=application.split_codes(ignore),
            extend_select=application.split_codes(extend_select), fail_on=fail_on)
    except application.SetupError as error:
        raise ValueError(str(error)) from None
    settings.collect_verdicts = True
    if acknowledging:
        settings, _ = application.with_ig(settings)
    settings.keep_claims, settings.show_phi = keep_claims, show_phi
    return settings, Linter(registry.rules, registry.infos, settings)


def _inputs(source: Source) -> list[tuple[str, PathLike | bytes | FileResult]]:
    """(display name, path or bytes) pairs; directories expand to their claim files as the command
    line finds them with no configuration (*.837, *.837p, *.x12, *.edi; .git, .venv ... skipped),
    except that .gitignore is not read: a library call does not depend on version control. A
    directory with no claim file is an error result of its own (the command line's exit 2)."""
    from edi_lint.discovery import FileSelection, find_files

    if isinstance(source, (bytes, bytearray)):
        return [("<bytes>", bytes(source))]
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    pairs = []
    for item in source:
        try:
            is_dir = Path(item).is_dir()
        except OSError:  # a name too long, a folder we may not search: linting it reports the error
            is_dir = False
        if is_dir:
            selection = FileSelection(root=os.getcwd(), respect_gitignore=False)
            names = find_files([item], selection).files
            if not names:  # as the command line: nothing to lint is an input error, never a clean run
                patterns = ", ".join(selection.includes)
                pairs.append((str(item), FileResult(str(item), status="error", error=(
                    f"nothing to lint: no file in {item} matches {patterns}"))))
            pairs.extend((name, name) for name in names)
        else:
            pairs.append((str(item), item))
    return pairs


def lint(source: Source, *, select=None, ignore=None, extend_select=None,
         fail_on: str | Severity | None = None, config: PathLike | None = None, keep_claims: bool = False,
         show_phi: bool = False) -> Report:
    """Lint a path, a directory, a list of paths, or the bytes of one file; nothing is written."""
    from edi_lint.application import lint_input, with_final_verdicts

    settings, linter = _prepare(select, ignore, extend_select, fail_on, config, keep_claims=keep_claims,
                                show_phi=show_phi)
    files = [data if isinstance(data, FileResult) else
             with_final_verdicts(lint_input(linter, name, data), data, settings.fail_on)
             for name, data in _inputs(source)]
    return Report(files, settings.fail_on)


def split(source: PathLike | bytes, accepted_path: PathLike, rejected_path: PathLike, *, select=None,
          ignore=None, extend_select=None, fail_on: str | Severity | None = None,
          config: PathLike | None = None, ack_999: PathLike | None = None, ack_277ca: PathLike | None = None,
          ack_options=None, keep_claims: bool = False, show_phi: bool = False) -> Report:
    """Lint one file and write its accepted and rejected claims to two 837P interchanges, and the
    acknowledgments asked for (`ack_999`, `ack_277ca`: paths; `ack_options`: an `AckOptions`).

    Raises ValueError when the paths collide (input, accepted, rejected and acknowledgments must all
    differ). When the input cannot be linted at all, nothing is written and the report's exit_code is 2.
    """
    from edi_lint.application import (CannotWrite, UsageError, acknowledge_input, check_ack_paths, check_split_paths,
                                      split_file, split_input)

    name = "<bytes>" if isinstance(source, (bytes, bytearray)) else str(source)
    acknowledging = ack_999 is not None or ack_277ca is not None
    try:
        check_split_paths([name if name != "<bytes>" else "-"], accepted_path, rejected_path)
        if acknowledging:
            check_ack_paths([name], ack_999, ack_277ca, (accepted_path, rejected_path))
    except (UsageError, CannotWrite) as error:
        raise ValueError(str(error)) from None
    settings, linter = _prepare(select, ignore, extend_select, fail_on, config, acknowledging,
                                keep_claims=keep_claims, show_phi=show_phi)
    def acknowledge(result, data):
        if acknowledging:
            acknowledge_input(linter, result, data, settings.fail_on, ack_999, ack_277ca,
                              _options(ack_options, settings))

    try:
        if isinstance(source, (bytes, bytearray)):
            result, summary = split_input(linter, name, bytes(source), accepted_path, rejected_path,
                                          settings.fail_on)
            acknowledge(result, bytes(source))
        else:
            result, summary = split_file(linter, name, accepted_path, rejected_path, then=acknowledge)
    except CannotWrite as error:
        raise OSError(str(error)) from None
    if summary is None and acknowledging:  # the input could not be read or linted: no acknowledgment
        from edi_lint.preflight import remove_outputs

        remove_outputs(ack_999, ack_277ca)
    return Report([result], settings.fail_on, summary)


def acknowledge(source: PathLike | bytes, *, ack_999: PathLike | None = None, ack_277ca: PathLike | None = None,
                ack_options=None, select=None, ignore=None, extend_select=None,
                fail_on: str | Severity | None = None, config: PathLike | None = None) -> Report:
    """Lint one file and write its 999 (with a TA1 when due) and/or 277CA, without splitting it.

    Claim verdicts are the ones `split` gives. Raises ValueError for colliding paths or when no
    acknowledgment is asked for; an input that cannot be linted gets none (exit_code 2).
    """
    from edi_lint.application import (CannotWrite, UsageError, acknowledge_input, check_ack_paths, lint_input,
                                      with_final_verdicts)

    name = "<bytes>" if isinstance(source, (bytes, bytearray)) else str(source)
    if ack_999 is None and ack_277ca is None:
        raise ValueError("acknowledge needs ack_999 and/or ack_277ca")
    try:
        check_ack_paths([name], ack_999, ack_277ca)
    except (UsageError, CannotWrite) as error:
        raise ValueError(str(error)) from None
    settings, linter = _prepare(select, ignore, extend_select, fail_on, config, acknowledging=True)
    data = bytes(source) if isinstance(source, (bytes, bytearray)) else source
    result = with_final_verdicts(lint_input(linter, name, data), data, settings.fail_on)
    try:
        acknowledge_input(linter, result, data, settings.fail_on, ack_999, ack_277ca, _options(ack_options, settings))
    except CannotWrite as error:  # as split(): an output that cannot be written is an OSError
        raise OSError(str(error)) from None
    return Report([result], settings.fail_on)


def _options(given, settings):
    """`ack_options` as given, else the configuration's [acknowledgments] table."""
    from edi_lint.application import UsageError, ack_options_from

    if given is not None:
        return given
    try:
        return ack_options_from(settings)
    except UsageError as error:
        raise ValueError(str(error)) from None


def __getattr__(name: str):
    if name == "AckOptions":
        from edi_lint.acks import AckOptions

        return AckOptions
    raise AttributeError(name)


__all__ = ["AckOptions", "ClaimStatus", "Report", "acknowledge", "lint", "split"]
