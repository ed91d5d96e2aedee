"""The application layer: the one call both front ends (cli.py, api.py) make to do the work.

    options -> settings (config.py) and rules (rules/registry.py) -> a linter per configuration
    file (Linters) -> inputs expanded -> each file linted in order, serially or in worker
    processes -> pre-flight split (preflight.py) -> baseline applied or written (baseline.py)
    -> results, which the front end renders

Nothing here prints, parses options or knows about click. What the caller must fix is raised as
UsageError (arguments that do not go together) or SetupError (a bad configuration, ruleset or
plugin), each with a one-line message: exit code 2 on the command line, ValueError in the API.
Imports point one way: front ends -> application -> engine, config, preflight, baseline.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

from edi_lint.config import (Config, ConfigError, build_settings, check_against_registry, find_config, load_config,
                             unknown_selector)
from edi_lint.discovery import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, FileSelection, Found, find_files
from edi_lint.engine import Linter
from edi_lint.findings import ClaimVerdict, FileResult, Severity
from edi_lint.rules.declarative import RulesetError
from edi_lint.rules.registry import Registry, RegistryError, load_registry
from edi_lint.settings import Settings

MAX_BATCH = 64  # files per worker task with --jobs


class UsageError(Exception):
    """Arguments that do not go together; the message is one line."""


class SetupError(Exception):
    """A bad configuration file, ruleset file or plugin; the message is one line."""


class NothingToLint(Exception):
    """No file to lint where the run looked; the message is one line."""


class CannotWrite(Exception):
    """An output (report, baseline) that cannot be written; the message is one line."""


def check_writable(path, option: str) -> None:
    """Raise CannotWrite before any work when `path` (given with `option`) could not be written."""
    target = os.fspath(path)
    if os.path.isdir(target):
        raise CannotWrite(f"cannot write {option} {target}: it is a directory")
    parent = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(parent):
        raise CannotWrite(f"cannot write {option} {target}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (os.path.exists(target) and not os.access(target, os.W_OK)):
        raise CannotWrite(f"cannot write {option} {target}: permission denied")


def check_outputs_apart(inputs, outputs, others=(), kept=()) -> None:
    """Raise UsageError when one of `outputs` ((option, path) pairs: the report, the baseline to
    write; None paths skipped) would be written over a linted input file, over another output
    (`outputs` or `others`, the split's and the acknowledgments', which check their own paths) or
    over a file in `kept` (read, never written: --baseline): the input is never modified, and one
    output must not replace another."""
    def given(pairs):
        return [(option, os.fspath(path)) for option, path in pairs if path is not None and os.fspath(path) != "-"]

    outputs = given(outputs)
    if not outputs:
        return
    from edi_lint.preflight import same_file

    others, kept = given(others), given(kept)
    for n, (option, path) in enumerate(outputs):
        for other_option, other in outputs[:n] + others:
            if same_file(path, other):
                raise UsageError(f"{option} and {other_option} name the same file {path}")
        for kept_option, kept_path in kept:
            if same_file(path, kept_path):
                raise UsageError(f"{option} {path} is the {kept_option} file; it would be overwritten")
        try:
            device = not stat.S_ISREG(os.stat(path).st_mode)  # /dev/stdout, a terminal: no claim file is written over
        except OSError:
            device = False  # not there yet: same_file compares the names
        for name in inputs:
            if name != "-" and (os.path.abspath(name) == os.path.abspath(path) if device else same_file(path, name)):
                raise UsageError(f"{option} {path} is an input file; the input is never modified")


def write_text(path, text, option: str) -> None:
    """Write an output file (a string, or pieces written as they come); an OS error becomes
    CannotWrite with one line."""
    try:
        with open(path, "w", encoding="utf-8") as out:
            if isinstance(text, str):
                out.write(text)
            else:
                out.writelines(text)
    except OSError as error:
        raise CannotWrite(f"cannot write {option} {os.fspath(path)}: {error.strerror or error}") from None


# -- options -----------------------------------------------------------------------------------


def split_codes(values) -> tuple[str, ...]:
    """`["PT001,PT002", "ENV"]` (or one comma-separated string) -> ('PT001', 'PT002', 'ENV')."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(code.strip().upper() for value in values for code in str(value).split(",") if code.strip())


def load(paths=(), *, config_path=None, isolated: bool = False, select=(), ignore=(), extend_select=(),
         fail_on: str | None = None, rulesets=(), list_plugins: bool = False, ig_engine: str | None = None
         ) -> tuple[Settings, Registry, dict | None]:
    """Settings and rules for a run, checked against each other, and the command-line values each
    file's own configuration is combined with (None when one configuration serves every file:
    `config_path` given, or `isolated`). Raises SetupError."""
    overrides = {"select": tuple(select), "ignore": tuple(ignore), "extend_select": tuple(extend_select),
                 "fail_on": fail_on, "rulesets": tuple(str(Path(p).resolve()) for p in rulesets),
                 "ig_engine": ig_engine}
    try:
        settings = build_settings(paths, config_path=config_path, isolated=isolated, select=select, ignore=ignore,
                                  extend_select=extend_select, fail_on=fail_on, rulesets=rulesets,
                                  ig_engine=ig_engine)
        registry = load_registry(settings, list_plugins=list_plugins)
        for option, codes in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
            for code in codes:
                problem = unknown_selector(code, registry.all_infos)
                if problem:
                    raise SetupError(f"{option} {code}: {problem}")
        check_against_registry(settings, registry.all_infos)
    except (ConfigError, RegistryError, RulesetError) as error:
        raise SetupError(str(error)) from None
    return settings, registry, (None if config_path or isolated else overrides)


def file_selection(*, config_path=None, isolated: bool = False, extend_include=(), exclude=(), extend_exclude=(),
                   force_exclude: bool = False, respect_gitignore: bool | None = None,
                   allow_empty: bool = False) -> tuple[FileSelection, bool]:
    """Which files the run lints (the run's configuration, then the command line: `exclude`
    replaces, the `extend_` lists add, flags given win) and whether finding none is allowed.
    Raises SetupError."""
    from edi_lint.config import discover

    try:
        config = discover((), config_path, isolated)
    except ConfigError as error:
        raise SetupError(str(error)) from None
    root = str(config.path.parent) if config.path is not None else os.getcwd()
    selection = FileSelection(
        include=config.include if config.include is not None else DEFAULT_INCLUDE,
        extend_include=tuple(config.extend_include) + tuple(extend_include),
        exclude=tuple(exclude) or (config.exclude if config.exclude is not None else DEFAULT_EXCLUDE),
        extend_exclude=tuple(config.extend_exclude) + tuple(extend_exclude),
        force_exclude=force_exclude or bool(config.force_exclude),
        respect_gitignore=respect_gitignore if respect_gitignore is not None else config.respect_gitignore is not False,
        root=root,
    )
    return selection, allow_empty or bool(config.allow_empty)


def find_inputs(paths, selection: FileSelection, allow_empty: bool = False) -> Found:
    """The files to lint; UsageError when there are none (unless `allow_empty`), saying where the
    run looked and for which names."""
    found = find_files(paths, selection)
    if found.files or allow_empty:
        return found
    patterns = ", ".join(selection.includes)
    if found.folders:
        where = ", ".join(found.folders)
        counts = []
        if found.skipped:
            counts.append(f"{found.skipped} other file{'s' if found.skipped != 1 else ''} skipped")
        if found.excluded:
            counts.append(f"{found.excluded} excluded by exclude patterns or .gitignore (--no-respect-gitignore)")
        detail = f" ({'; '.join(counts)})" if counts else ""
        raise NothingToLint(f"nothing to lint: no file in {where} matches {patterns}{detail}; name other claim "
                            "files with extend-include (e.g. --extend-include '*.txt'), or pass --allow-empty")
    raise NothingToLint("nothing to lint: every file given is excluded (--force-exclude); pass --allow-empty "
                        "to accept that")


def build_linter(settings: Settings) -> Linter:
    """A linter with every active rule for `settings`: built-in, shipped rulesets, ruleset files, plugins."""
    registry = load_registry(settings)
    return Linter(registry.rules, registry.infos, settings)


# -- inputs ------------------------------------------------------------------------------------


def lint_input(linter, name: str, data: str | os.PathLike | bytes | None = None) -> FileResult:
    """Lint one input: `data` bytes, standard input (name "-"), or the path `data` (default `name`).
    A missing path or a directory is an error result, never an exception."""
    if isinstance(data, bytes):
        return linter.lint_bytes(data, name)
    if data is None and name == "-":
        return linter.lint_stream(sys.stdin.buffer, "-")
    path = name if data is None else data
    try:
        os.stat(path)
    except FileNotFoundError:
        return FileResult(name, status="error", error="no such file or directory")
    except (OSError, ValueError) as error:  # a directory on the way that cannot be searched, say
        return FileResult(name, status="error", error=f"cannot read file: {getattr(error, 'strerror', None) or error}")
    if os.path.isdir(path):
        return FileResult(name, status="error", error="is a directory")
    return linter.lint_path(path, name)


class _BrokenConfiguration:
    """Stands in for a linter when the configuration closest to a file is broken: that file fails."""

    def __init__(self, error: Exception):
        self.error = error

    def lint_stream(self, stream, path: str) -> FileResult:
        return FileResult(path, status="error", error=str(self.error))

    def lint_path(self, path, name: str) -> FileResult:
        return self.lint_stream(None, name)

    def lint_bytes(self, data: bytes, name: str) -> FileResult:
        return self.lint_stream(None, name)


class Linters:
    """The linter for each file.

    Without `overrides`, `settings` serve every file. With them (the command line's values), each
    file gets the configuration file closest to it (ruff's rule: the closest file wins, no merging)
    plus the overrides, built once per configuration file; a broken one fails only its files.
    """

    def __init__(self, settings: Settings, overrides: dict | None = None, linter: Linter | None = None, log=None):
        self.settings = settings
        self.overrides = overrides
        self.log = log
        self._default = linter
        self._by_folder: dict[str, object] = {}
        self._by_config: dict[str | None, object] = {}
        self._config_by_folder: dict[str, str | None] = {}

    @property
    def default(self) -> Linter:
        if self._default is None:
            self._default = build_linter(self.settings)
        return self._default

    def config_for(self, path: str, must_exist: bool = True) -> str | None:
        """The configuration file that applies to `path`, or None when none does."""
        if self.overrides is None or path == "-" or (must_exist and not os.path.isfile(path)):
            return self.settings.config_file
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._config_by_folder:
            found = find_config(folder)
            self._config_by_folder[folder] = str(found) if found is not None else None
        return self._config_by_folder[folder]

    def for_path(self, path: str, must_exist: bool = True):
        if self.overrides is None or path == "-" or (must_exist and not os.path.isfile(path)):
            return self.default
        folder = os.path.dirname(os.path.abspath(path))
        hit = self._by_folder.get(folder)
        if hit is None:
            key = self.config_for(path, must_exist)
            if key == self.settings.config_file:
                hit = self.default
            else:
                hit = self._by_config.get(key)
                if hit is None:
                    hit = self._by_config[key] = self._scoped(Path(key) if key is not None else None)
            self._by_folder[folder] = hit
            if self.log is not None:
                self.log.debug("folder_config", path=folder, config=key or "none")
        return hit

    def _scoped(self, found: Path | None):
        try:
            config = load_config(found) if found is not None else Config()
            settings = build_settings(config=config, **self.overrides)
            settings.collect_verdicts = self.settings.collect_verdicts
            settings.keep_claims, settings.show_phi = self.settings.keep_claims, self.settings.show_phi
            registry = load_registry(settings)
            check_against_registry(settings, registry.all_infos)
        except ConfigError as error:
            return _BrokenConfiguration(error)
        except (RegistryError, RulesetError) as error:
            return _BrokenConfiguration(ConfigError(found or "configuration", str(error)))
        return Linter(registry.rules, registry.infos, settings)

    def lint(self, name: str, data=None) -> FileResult:
        return lint_input(self.for_path(name), name, data)

    def lint_stdin(self, display: str) -> FileResult:
        """Standard input, reported as `display` and linted under the configuration closest to it."""
        return self.for_path(display, must_exist=False).lint_stream(sys.stdin.buffer, display)


# -- running -----------------------------------------------------------------------------------


class _Counting:
    """A binary stream that reports how many bytes were read (drives the progress counter)."""

    def __init__(self, raw, report: Callable[[int], None]):
        self.raw = raw
        self.report = report
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        self.report(len(data))
        return data


_worker: Linters | None = None


def _init_worker(settings: Settings, overrides: dict | None) -> None:
    global _worker
    _worker = Linters(settings, overrides)


def _timed_worker(name: str) -> tuple[FileResult, float]:
    start = time.perf_counter()
    result = _worker.lint(name)
    return result, time.perf_counter() - start


def run_files(files: list[str], linters: Linters, jobs: int = 1, progress=None,
              on_result: Callable[[FileResult, float], None] | None = None,
              stdin_filename: str | None = None) -> list[FileResult]:
    """Lint every file in input order (with jobs > 1 in worker processes, same results), timing each
    one and advancing `progress` (a progress.Progress, or None); standard input is reported as
    `stdin_filename` when given."""
    results: list[FileResult] = []
    try:
        if jobs > 1 and len(files) > 1 and "-" not in files:
            from concurrent.futures import ProcessPoolExecutor

            from concurrent.futures.process import BrokenProcessPool

            # Small files cost less to lint than to send one by one: a task is a batch of files.
            batch = max(1, min(MAX_BATCH, len(files) // (jobs * 4)))
            with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                     initargs=(linters.settings, linters.overrides)) as pool:
                done = pool.map(_timed_worker, files, chunksize=batch)
                try:
                    for name, (result, elapsed) in zip(files, done):
                        results.append(result)
                        if progress is not None:
                            progress.file_done(name)
                        if on_result is not None:
                            on_result(result, elapsed)
                except BrokenProcessPool:  # a worker was killed (out of memory, a signal): say so per file
                    for name in files[len(results):]:
                        result = FileResult(name, status="error", error="not linted: a worker process died "
                                            "(killed, or out of memory); run without --jobs to lint it")
                        results.append(result)
                        if on_result is not None:
                            on_result(result, 0.0)
            return results
        for name in files:
            start = time.perf_counter()
            counted = 0
            if name == "-" and stdin_filename:
                result = linters.lint_stdin(stdin_filename)
            elif progress is not None and name != "-" and os.path.isfile(name):
                try:
                    raw = open(name, "rb")
                except OSError:
                    result = linters.lint(name)
                else:
                    with raw:
                        stream = _Counting(raw, progress.advance)
                        result = linters.for_path(name).lint_stream(stream, name)
                        counted = stream.count
            else:
                result = linters.lint(name)
            elapsed = time.perf_counter() - start
            results.append(result)
            if progress is not None:
                progress.file_done(name, counted)
            if on_result is not None:
                on_result(result, elapsed)
        return results
    finally:
        if progress is not None:
            progress.close()


def exit_code(results: list[FileResult]) -> int:
    """The worst per-file verdict: 2 when a file could not be linted, 1 when a file has a finding
    at or above its own configuration's fail-on, else 0."""
    if any(r.status == "error" for r in results):
        return 2
    if any(r.fail_on is not None and any(f.severity >= r.fail_on for f in r.findings) for r in results):
        return 1
    return 0


# -- claim verdicts and the pre-flight split ---------------------------------------------------


def with_final_verdicts(result: FileResult, data, fail_on: Severity | None) -> FileResult:
    """`result` (linted with collect_verdicts) with the split's verdicts: above-claim findings and
    orphan segments hold back what they cover (see preflight). `data` is the input's path or bytes."""
    from edi_lint.preflight import final_verdicts, scan

    if result.status == "error" or not (result.verdicts or any(f.claim_id is None for f in result.findings)):
        return result
    try:
        placement = None
        if any(f.claim_id is None for f in result.findings):  # orphans come with STR001: walk, as split does
            blocking = {f.segment_index for f in result.findings if fail_on is not None
                        and f.claim_id is None and f.severity >= fail_on and f.segment_index is not None}
            placement = scan(data, blocking, walk=True)
        result.verdicts = final_verdicts(data, result, fail_on, placement)
    except Exception:  # the input changed or broke between passes: hold everything
        result.verdicts = [ClaimVerdict(v.claim_id, v.transaction, v.segment_index, False) for v in result.verdicts]
    return result


def check_split_paths(inputs, accepted, rejected) -> None:
    """Raise UsageError when the split's paths collide or cannot be written."""
    from edi_lint.preflight import check_paths

    problem = check_paths(list(inputs), accepted, rejected)
    if problem:
        raise UsageError(problem)


def split_input(linter, name: str, data, accepted, rejected, fail_on: Severity | None
                ) -> tuple[FileResult, dict | None]:
    """Lint one input (path or bytes) with `linter` (collect_verdicts) and write both outputs.
    Returns the result (verdicts final) and the split summary, or None when the input could not be
    linted at all (then nothing is written)."""
    from edi_lint.preflight import remove_outputs, split_source

    result = lint_input(linter, name, data)
    if result.status == "error":
        remove_outputs(accepted, rejected)  # nothing usable, and nothing of an earlier run either
        return result, None
    outcome = split_source(data if data is not None else name, result, accepted, rejected, fail_on)
    return result, {"accepted_path": str(accepted), "rejected_path": str(rejected),
                    "accepted": outcome.accepted, "rejected": outcome.rejected,
                    "incomplete": list(outcome.incomplete), "orphan_segments": list(outcome.orphans)}


def split_file(linter, name: str, accepted, rejected, then=None) -> tuple[FileResult, dict | None]:
    """The split of one input named on the command line or by path in the API: read once into a
    private copy, linted and cut from that copy. On every failure (the input unreadable or not
    lintable: a result with status error; a full disk, SIGTERM or Ctrl-C: CannotWrite) no output is
    left behind, not even one from an earlier run, and no temporary file either. `then(result, copy)`
    runs while the copy exists, for whatever else must read the same bytes (acknowledgments)."""
    from edi_lint.preflight import UnreadableInput, remove_outputs, spooled

    directory = os.path.dirname(os.path.abspath(accepted))
    try:
        with _terminate_as_interrupt():
            try:
                with spooled(name, directory) as copy:
                    result, summary = split_input(linter, name, copy, accepted, rejected, linter.settings.fail_on)
                    if then is not None:
                        then(result, copy)
            except UnreadableInput as error:
                result, summary = FileResult(name, status="error", error=str(error)), None
    except OSError as error:
        remove_outputs(accepted, rejected)
        raise CannotWrite(f"the pre-flight split failed, nothing written: {error.strerror or error}") from None
    except KeyboardInterrupt:
        remove_outputs(accepted, rejected)
        raise CannotWrite("the pre-flight split was interrupted, nothing written") from None
    if summary is None:
        remove_outputs(accepted, rejected)
    return result, summary


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that every `finally` runs (temporary files removed)."""


def _raise_terminated(signum, frame):
    raise _Terminated()


class _terminate_as_interrupt:
    """While in this block, SIGTERM unwinds like Ctrl-C (in the main thread; elsewhere it is left alone)."""

    def __enter__(self):
        import signal

        self.previous = None
        try:
            self.previous = signal.signal(signal.SIGTERM, _raise_terminated)
        except (ValueError, AttributeError):  # not the main thread, or no SIGTERM here
            pass
        return self

    def __exit__(self, *exc):
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def split_exit_code(results: list[FileResult], split: dict | None) -> int:
    """The split's routing signal: 2 when nothing usable was written (no output left behind); 1 when
    any claim or orphan segment went to the rejected file, or a finding is at or above fail-on; 0 only
    when the accepted file holds every claim of the bytes that were linted."""
    if split is None or any(r.status == "error" for r in results):
        return 2
    if split["rejected"] or split["orphan_segments"] or exit_code(results):
        return 1
    return 0


def log_file(log, linters: Linters, result: FileResult, elapsed: float) -> None:
    """The per-file events, after `config_applied` (-v): which configuration file applied to it."""
    from edi_lint.logs import file_event

    if log.enabled("info"):
        log.info("config_applied", path=result.path, config=linters.config_for(result.path) or "none")
    file_event(log, result, elapsed)


def run_split(name: str, linters: Linters, accepted, rejected, log=None) -> tuple[list[FileResult], dict]:
    """The command line's split: lint `name` (a path or - for stdin), write both outputs, log what
    went where. Returns the results to report and extra JSON fields ({"split": {...}})."""
    start = time.perf_counter()
    result, summary = split_file(linters.for_path(name), name, accepted, rejected)
    if log is not None:
        log_file(log, linters, result, time.perf_counter() - start)
    if summary is None:
        if log is not None:
            log.error("split_not_written", path=name, accepted_path=str(accepted), rejected_path=str(rejected))
        return [result], {}
    if log is not None:
        log.info("split_written", path=name, accepted=summary["accepted"], rejected=summary["rejected"],
                 incomplete=len(summary["incomplete"]), accepted_path=str(accepted), rejected_path=str(rejected))
        orphans = summary["orphan_segments"]
        if orphans:
            log.warning("split_orphan_segments", path=name, count=len(orphans), entries=orphans[:50])
    return [result], {"split": summary}


# -- acknowledgments (999 with TA1, 277CA) -----------------------------------------------------


def with_ig(settings: Settings, overrides: dict | None = None) -> tuple[Settings, dict | None]:
    """Settings (and per-file overrides) with the IG family selected and not ignored: acknowledging
    needs implementation-guide validation, whatever --select/--ignore say."""
    def keep(codes):
        return tuple(p for p in codes if not (p.startswith("IG") or "IG".startswith(p)))

    settings = replace(settings, ignore=keep(settings.ignore), extend_select=tuple(settings.extend_select) + ("IG",))
    if overrides is not None:
        overrides = dict(overrides, ignore=keep(overrides.get("ignore", ())),
                         extend_select=tuple(overrides.get("extend_select", ())) + ("IG",))
    return settings, overrides


def check_ack_paths(inputs, ack_999, ack_277ca, others=()) -> None:
    """Raise UsageError when the acknowledgment paths collide with each other, the input or the
    split's outputs, CannotWrite when one cannot be written."""
    from edi_lint.preflight import same_file

    inputs = list(inputs)
    if len(inputs) != 1:
        raise UsageError(f"--ack-999/--ack-277ca acknowledge exactly one input file, got {len(inputs)}")
    targets = [p for p in (ack_999, ack_277ca) if p is not None]
    if len(targets) == 2 and same_file(*targets):
        raise UsageError("--ack-999 and --ack-277ca must be different files")
    for target in targets:
        if os.fspath(target) == "-":
            raise UsageError("--ack-999/--ack-277ca need file paths")
        if inputs[0] not in ("-", "<bytes>") and same_file(inputs[0], target):
            raise UsageError("an acknowledgment must not be written over the input file")
        if any(other is not None and same_file(other, target) for other in others):
            raise UsageError("an acknowledgment must not be written over --accepted/--rejected")
        check_writable(target, "--ack-999" if target is ack_999 else "--ack-277ca")


def ack_options_from(settings: Settings):
    """The acknowledgment options of the configuration's [acknowledgments] table. Raises UsageError."""
    from edi_lint.acks import AckOptions

    table = settings.acknowledgments
    sender = None
    if "sender-id" in table:
        sender = (table.get("sender-qualifier", "ZZ"), table["sender-id"])
    elif "sender-qualifier" in table:  # it qualifies sender-id; alone it would be silently ignored
        raise UsageError(f"{settings.config_file or 'configuration'}: [acknowledgments] sender-qualifier needs "
                         "sender-id (the acknowledgments otherwise answer as the input's receiver)")
    try:
        return AckOptions(sender=sender, application_sender=table.get("application-sender"),
                          control_number=table.get("control-number"), date=table.get("date"),
                          time=table.get("time"), source_entity=table.get("source-entity", "AY"))
    except ValueError as error:
        raise UsageError(f"{settings.config_file or 'configuration'}: [acknowledgments] {error}") from None


def acknowledge_input(linter, result: FileResult, data, fail_on: Severity | None, ack_999=None, ack_277ca=None,
                      options=None) -> None:
    """Write the acknowledgments of one linted input (`result` with final verdicts; `data` its path
    or bytes). Nothing is written for an input that could not be linted."""
    from edi_lint import acks

    if result.status == "error":
        from edi_lint.preflight import remove_outputs

        remove_outputs(ack_999, ack_277ca)  # none of an earlier run either
        return
    try:
        acks.write(data, result, fail_on, linter.infos, ack_999=ack_999, ack_277ca=ack_277ca, options=options)
    except OSError as error:
        raise CannotWrite(f"cannot write the acknowledgments: {error.strerror or error}") from None


def run_acknowledged(name: str, linters: Linters, accepted=None, rejected=None, ack_999=None, ack_277ca=None,
                     ack_options=None, log=None) -> tuple[list[FileResult], dict]:
    """Lint (or split) one input and write its acknowledgments: the command line's --ack-999/--ack-277ca."""
    from edi_lint.logs import file_event

    fail_on = linters.settings.fail_on
    linter = linters.for_path(name)
    start = time.perf_counter()
    extra: dict = {}
    if accepted is not None:  # the acknowledgments read the split's own copy of the input

        def acknowledge(result, copy):
            acknowledge_input(linter, result, copy, fail_on, ack_999, ack_277ca, ack_options)

        try:
            result, summary = split_file(linter, name, accepted, rejected, then=acknowledge)
        except CannotWrite:  # nothing usable is left: no acknowledgment of an earlier run either
            from edi_lint.preflight import remove_outputs

            remove_outputs(ack_999, ack_277ca)
            raise
        if summary is None:  # the input could not be read (the split's copy failed): as unlintable
            from edi_lint.preflight import remove_outputs

            remove_outputs(ack_999, ack_277ca)
        else:
            extra["split"] = summary
    else:
        data = sys.stdin.buffer.read() if name == "-" else name
        result = with_final_verdicts(lint_input(linter, name, data), data, fail_on)
        acknowledge_input(linter, result, data, fail_on, ack_999, ack_277ca, ack_options)
    if log is not None:
        file_event(log, result, time.perf_counter() - start)
    if log is not None and result.status != "error":
        log.info("acknowledgments_written", path=name, ack_999=str(ack_999) if ack_999 else None,
                 ack_277ca=str(ack_277ca) if ack_277ca else None)
    return [result], extra


# -- baselines ---------------------------------------------------------------------------------


def apply_baselines(results: list[FileResult], baseline=None, write_baseline=None, log=None
                    ) -> tuple[list[FileResult], dict]:
    """Write `write_baseline` from `results`, then hide the findings `baseline` records. Paths in a
    baseline are relative to its own directory. Returns the results to report and extra JSON
    fields ({"baseline": {...}}). Raises UsageError for a baseline that cannot be read."""
    from edi_lint import baseline as baselines

    extra: dict = {}
    if write_baseline:
        try:
            count = baselines.write(write_baseline, results, _folder_of(write_baseline))
        except OSError as error:
            raise CannotWrite(f"cannot write --write-baseline {write_baseline}: {error.strerror or error}") from None
        if log is not None:
            log.info("baseline_written", path=str(write_baseline), findings=count)
    if baseline:
        try:
            recorded = baselines.load(baseline)
        except baselines.BaselineError as error:
            raise UsageError(str(error)) from None
        results, applied = baselines.apply(results, recorded, _folder_of(baseline))
        extra["baseline"] = applied.to_dict(str(baseline))
        if log is not None:
            if applied.matched_nothing:
                log.warning("baseline_unmatched", path=str(baseline), count=applied.recorded)
            log.info("baseline_applied", path=str(baseline), suppressed=applied.suppressed, fixed=len(applied.fixed))
            if applied.fixed:
                log.warning("baseline_fixed", path=str(baseline), count=len(applied.fixed),
                            entries=[f"{e['rule']} {e['path']} line {e['line_number']} x{e['count']}"
                                     for e in applied.fixed])  # claim ids: in --format json only
    return results, extra


def _folder_of(path) -> str:
    return os.path.dirname(os.path.abspath(os.fspath(path)))


# -- one run -----------------------------------------------------------------------------------


def run(files: list[str], settings: Settings, overrides: dict | None = None, *, jobs: int = 1,
        accepted=None, rejected=None, baseline=None, write_baseline=None, log=None, progress=None,
        cwd: str | None = None, ack_999=None, ack_277ca=None, ack_options=None,
        stdin_filename: str | None = None) -> tuple[list[FileResult], dict]:
    """Lint `files` (or split the one file into `accepted`/`rejected`, and/or acknowledge it), then
    apply or write the baseline. Returns the results and the extra JSON fields ("split", "baseline")."""
    if write_baseline:
        check_writable(write_baseline, "--write-baseline")
    if log is not None:
        log.info("config_used", path=settings.config_file or "none")
        log.debug("inputs_found", count=len(files))
    if ack_999 is not None or ack_277ca is not None:
        if accepted is not None or rejected is not None:
            check_split_paths(files, accepted, rejected)
        check_ack_paths(files, ack_999, ack_277ca, (accepted, rejected))
        if baseline or write_baseline:
            raise UsageError("--baseline/--write-baseline cannot be combined with --ack-999/--ack-277ca")
        if ack_options is None:
            ack_options = ack_options_from(settings)
        settings, overrides = with_ig(replace(settings, collect_verdicts=True), overrides)
        return run_acknowledged(files[0], Linters(settings, overrides), accepted, rejected, ack_999, ack_277ca,
                                ack_options, log)
    if accepted is not None or rejected is not None:
        check_split_paths(files, accepted, rejected)
        if baseline or write_baseline:
            raise UsageError("--baseline/--write-baseline cannot be combined with --accepted/--rejected")
        results, extra = run_split(files[0], Linters(replace(settings, collect_verdicts=True), overrides, log=log),
                                   accepted, rejected, log)
    else:
        on_result = None
        if log is not None:
            def on_result(result, elapsed):
                log_file(log, linters, result, elapsed)
        linters = Linters(settings, overrides, log=log)
        if log is not None and log.enabled("debug"):
            log.debug("rules_selected", count=len(linters.default.active))
        results = run_files(files, linters, jobs, progress, on_result, stdin_filename)
        extra = {}
    if baseline or write_baseline:
        results, more = apply_baselines(results, baseline, write_baseline, log)
        extra.update(more)
    return results, extra
