"""Structured logs on stderr, through structlog: `--log-format console|json`, `-v`, `-q`.

Levels: by default warnings and errors only (stale or unmatched baseline entries, a split not
written); `-v` adds the configuration used, one `file_linted` event per file and a `run_finished`
summary; `-vv` adds debug events (inputs found, rules selected, the configuration each folder
gets); `-q` keeps errors only, `-qq` nothing. A file that could not be linted is in the report
already, so its `file_error` event is info, not a second warning.

    config_used   path (the run's configuration file, or "none")       (info)
    file_linted   path, status, claims, service_lines, segments?, findings, errors, warnings, infos,
                  elapsed_s
    file_error    path, error (the one-line reason)                    (info)
    inputs_found  files, count                                          (debug)
    rules_selected count                                                (debug)
    folder_config path (a folder), config (its configuration file)      (debug)
    split_written path, accepted, rejected, incomplete, accepted_path, rejected_path
    baseline_*    counts and baseline entries (rule, path, line number; never values)

No protected health information, ever: events carry paths, counts, rule codes, timings and the
engine's one-line error reasons, never segment contents, names, member ids, dates or addresses.
Claim ids are not logged either (CLM01 is a patient account number); they appear only in the
report the user asked for. As a second guard, every key not in `SAFE_KEYS` is replaced by
"[redacted]", so a careless future event cannot leak a value.

structlog (about 60 ms to import) is imported only when the first event passes the level filter,
so a quiet, clean run never pays for it.
"""

from __future__ import annotations

import sys
from typing import Any

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
SAFE_KEYS = frozenset({
    "event", "level", "timestamp", "path", "status", "error", "claims", "service_lines", "findings",
    "errors", "warnings", "infos", "elapsed_s", "files", "accepted", "rejected", "incomplete",
    "accepted_path", "rejected_path", "baseline", "suppressed", "fixed", "entries", "new", "written",
    "fail_on", "jobs", "format", "rules", "count", "reason", "config",
})
REDACTED = "[redacted]"


def level_for(verbose: int = 0, quiet: int = 0) -> int:
    """-v/-q counts to a logging level number: 0 -> warning, -v info, -vv debug, -q error, -qq off."""
    score = verbose - quiet
    if score >= 2:
        return LEVELS["debug"]
    if score == 1:
        return LEVELS["info"]
    if score == 0:
        return LEVELS["warning"]
    if score == -1:
        return LEVELS["error"]
    return 100


def safe_error(message: str | None) -> str | None:
    """An engine error reason fit for a log: internal errors keep only the exception type."""
    if message and message.startswith("internal error while linting:"):
        return message.split(":", 2)[0] + ": " + message.split(":", 2)[1].strip()
    return message


def _redact(logger, method_name, event_dict: dict) -> dict:
    for key in list(event_dict):
        if key not in SAFE_KEYS:
            event_dict[key] = REDACTED
    return event_dict


def _escape(logger, method_name, event_dict: dict) -> dict:
    """For the console: control characters in values (a file name holding ESC or a newline) escaped."""
    from edi_lint.findings import printable

    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = printable(value)
        elif isinstance(value, list):
            event_dict[key] = [printable(v) if isinstance(v, str) else v for v in value]
    return event_dict


class Log:
    """A level check in front of a lazily built structlog logger."""

    def __init__(self, log_format: str = "console", level: int = LEVELS["warning"], stream=None,
                 colour: str = "auto"):
        self.format = log_format
        self.colour = colour
        self.level = level
        self.stream = stream
        self._logger = None

    def enabled(self, level: str) -> bool:
        return LEVELS[level] >= self.level

    def _build(self):
        import structlog

        stream = self.stream if self.stream is not None else sys.stderr
        processors: list[Any] = [
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
        ]
        if self.format == "json":
            processors.append(structlog.processors.JSONRenderer(sort_keys=False))
        else:
            from edi_lint.terminal import use_colour

            colors = use_colour(stream, self.colour)
            processors.append(_escape)
            processors.append(structlog.dev.ConsoleRenderer(colors=colors, sort_keys=False))
        return structlog.wrap_logger(
            structlog.PrintLogger(file=stream),
            processors=processors,
            wrapper_class=structlog.make_filtering_bound_logger(self.level if self.level <= 50 else 50),
            cache_logger_on_first_use=False,
        ).bind()

    def emit(self, level: str, event: str, **fields) -> None:
        if not self.enabled(level):
            return
        if self._logger is None:
            self._logger = self._build()
        getattr(self._logger, level)(event, **fields)

    def debug(self, event: str, **fields) -> None:
        self.emit("debug", event, **fields)

    def info(self, event: str, **fields) -> None:
        self.emit("info", event, **fields)

    def warning(self, event: str, **fields) -> None:
        self.emit("warning", event, **fields)

    def error(self, event: str, **fields) -> None:
        self.emit("error", event, **fields)


_active: Log | None = None  # the run's log, for the few events raised below the application layer


def configure(log_format: str = "console", verbose: int = 0, quiet: int = 0, stream=None, colour: str = "auto") -> Log:
    global _active
    _active = Log(log_format, level_for(verbose, quiet), stream, colour)
    return _active


def event(level: str, name: str, **fields) -> None:
    """An event from below the application layer (the grammar cache, configuration discovery), on
    the run's log when there is one."""
    if _active is not None:
        _active.emit(level, name, **fields)


def file_event(log: Log, result, elapsed: float) -> None:
    """The per-file events: `file_linted` (info), plus `file_error` (warning) when it failed."""
    if result.status == "error":
        log.info("file_error", path=result.path, error=safe_error(result.error))
    if not log.enabled("info"):
        return
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in result.findings:
        counts[finding.severity.label] += 1
    log.info(
        "file_linted", path=result.path, status=result.status, claims=result.claims,
        service_lines=result.service_lines, findings=len(result.findings), errors=counts["error"],
        warnings=counts["warning"], infos=counts["info"], elapsed_s=round(elapsed, 4),
    )
