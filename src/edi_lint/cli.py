"""The `edi-lint` command: options -> settings -> lint each input -> reporter -> exit code.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 a usage or
configuration error, or an input that could not be linted at all. The options are a click command
(`main`); the console script (`run`) reads a plain lint of named files without click, whose import
alone costs more than linting a claim.
"""

from __future__ import annotations

import errno
import functools
import gc
import os
import sys
from itertools import chain

from edi_lint.findings import one_line, printable, printable_lines

FORMAT_NAMES = ["text", "full", "concise", "json", "jsonl", "json-lines", "sarif", "junit", "github", "html"]
PLAIN_FORMAT_OPTIONS = ("--format", "--output-format", "-f")


def run() -> None:
    """The `edi-lint` console script. A plain lint (file names, at most one --format: pre-commit's
    call) goes straight to `execute`; anything else is parsed by the click command (`main`)."""
    global _collector_paused
    gc.disable()  # start-up makes thousands of objects that live as long as the run: see _resume_collector
    _collector_paused = True
    args = sys.argv[1:]
    options = plain_options(args)
    if options is None:
        command()()
        return
    try:
        execute(**options)
    except (Exception, KeyboardInterrupt) as error:  # reported as the click command reports it
        _as_click_reports(error, args)
    sys.exit(0)


_collector_paused = False


def _resume_collector() -> None:
    """The garbage collector, paused by `run` while modules, rules and settings load, is resumed for
    the lint with what start-up made frozen: the collector never walks those objects again (in a
    one-claim run its passes over them cost more than the lint)."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def plain_options(args: list[str]) -> dict | None:
    """The options of a plain lint as click would parse them, or None when the arguments hold anything
    else (another option, `-`, `--`, no file) for click to parse. Importing click and building the
    command costs more than linting a claim, and a plain lint of a few files is the common call."""
    if os.name == "nt" or any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None  # click expands Windows wildcards, and shell completion is click's
    paths: list[str] = []
    output_format = None
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name not in PLAIN_FORMAT_OPTIONS[:2] or not equals:
            if arg not in PLAIN_FORMAT_OPTIONS:
                return None
            value = next(rest, None)
        if output_format is not None or value not in FORMAT_NAMES:
            return None
        output_format = value
    if not paths:
        return None
    return {**PLAIN_DEFAULTS, "paths": tuple(paths), "output_format": output_format}


# Every option's value when the command line does not give it (`command`'s defaults; a test compares)
PLAIN_DEFAULTS = {
    "output_file": None, "select": (), "extend_select": (), "ignore": (), "fail_on": None, "exit_zero": False,
    "jobs": 1, "list_rules": False, "explain": None, "config_path": None, "isolated": False, "rulesets": (),
    "accepted": None, "rejected": None, "ack_999": None, "ack_277ca": None, "baseline": None,
    "write_baseline": None, "log_format": "console", "verbose": 0, "quiet": 0, "show_phi": False, "colour": "auto",
    "show_source": False, "statistics": False, "stdin_filename": None, "extend_include": (), "exclude": (),
    "extend_exclude": (), "force_exclude": False, "respect_gitignore": None, "allow_empty": False,
    "show_files": False, "show_settings": False, "ig_engine": None,
}


@functools.cache
def command():
    """The click command: every option's name, type, default and help; its parsing, --help and
    errors are click's. Built on first use: a plain lint never imports click (see `run`)."""
    import click

    @click.command(help=execute.__doc__, context_settings={"help_option_names": ["-h", "--help"]})
    @click.argument("paths", nargs=-1, metavar="PATH...")
    @click.option("--format", "--output-format", "-f", "output_format", type=click.Choice(FORMAT_NAMES), default=None,
                  help="Output format.  [default: text; github when GITHUB_ACTIONS=true]")
    @click.option("--output-file", "-o", type=click.Path(dir_okay=False, writable=True),
                  help="Write the report here instead of standard output.")
    @click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated).")
    @click.option("--extend-select", multiple=True, help="Add rule codes or prefixes to the selection.")
    @click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
    @click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
                  help="Lowest severity that makes the exit code 1.  [default: error, or fail-on from configuration]")
    @click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
    @click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Lint files in this many parallel processes (output is identical).")
    @click.option("--list-rules", is_flag=True, help="List every rule and exit.")
    @click.option("--explain", metavar="CODE", help="Explain one rule and exit.")
    @click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Read configuration from this file instead of the closest pyproject.toml [tool.edi-lint], "
                  "edi-lint.toml or .edi-lint.toml.")
    @click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
    @click.option("--ruleset", "rulesets", multiple=True, type=click.Path(dir_okay=False), metavar="PATH",
                  help="Also load this declarative ruleset file (repeatable).")
    @click.option("--accepted", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Pre-flight split: write claims with no finding at or above --fail-on here (one input).")
    @click.option("--rejected", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Pre-flight split: write every other claim here (with --accepted).")
    @click.option("--ack-999", "ack_999", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Write the 999 acknowledgment (with a TA1 when due) for the one input here.")
    @click.option("--ack-277ca", "ack_277ca", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Write the 277CA claim acknowledgment for the one input here.")
    @click.option("--baseline", "baseline", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Report only findings not recorded in this baseline file.")
    @click.option("--write-baseline", type=click.Path(dir_okay=False), metavar="PATH",
                  help="Record today's findings in this baseline file (exit 0 unless a file failed).")
    @click.option("--log-format", type=click.Choice(["console", "json"]), default="console", show_default=True,
                  help="Format of the log events on stderr.")
    @click.option("--verbose", "-v", count=True, help="More log events on stderr (-v per file, -vv debug).")
    @click.option("--quiet", "-q", count=True, help="Fewer log events (-q errors only, -qq none); no progress.")
    @click.option("--ig-engine", type=click.Choice(["native", "pyx12"]), default=None,
                  help="Implementation-guide (IG) validator: native (default) or pyx12 (slow cross-check).")
    @click.option("--show-phi", is_flag=True,
                  help="HTML report: show patient names, member ids, birth dates and addresses (masked by default).")
    @click.option("--color", "colour", type=click.Choice(["auto", "always", "never"]), default="auto",
                  show_default=True, help="Colour the text report and logs (auto: at a terminal, unless NO_COLOR).")
    @click.option("--show-source", is_flag=True,
                  help="Text report: show each segment at fault, a caret under the element.")
    @click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them (json: a "
                  "statistics object).")
    @click.option("--stdin-filename", metavar="PATH", help="The name of standard input (-) in reports; its "
                  "configuration "
                  "is the one closest to this path.")
    @click.option("--extend-include", multiple=True, metavar="GLOB", help="Also lint files with these names in "
                  "directories (claim files named *.txt, *.dat ...; comma-separated or repeated).")
    @click.option("--exclude", multiple=True, metavar="GLOB", help="Skip these files and folders (gitignore-style), "
                  "instead of configuration's exclude and the defaults (.git, .venv, node_modules ...).")
    @click.option("--extend-exclude", multiple=True, metavar="GLOB", help="Skip these too.")
    @click.option("--force-exclude", is_flag=True, help="Apply exclusions to files named on the command line as well.")
    @click.option("--respect-gitignore/--no-respect-gitignore", default=None,
                  help="Skip files a .gitignore names.  [default: respect]")
    @click.option("--allow-empty", is_flag=True, help="Exit 0 when there is nothing to lint (else exit 2).")
    @click.option("--show-files", is_flag=True, help="List the files that would be linted, and exit.")
    @click.option("--show-settings", is_flag=True, help="Show the settings and file selection in force, and exit.")
    @click.option("--version", "-V", is_flag=True, expose_value=False, is_eager=True, help="Show the version and exit.",
                  callback=lambda ctx, _, value: show_version(ctx) if value and not ctx.resilient_parsing else None)
    def main(**options) -> None:
        execute(**options)

    return main


def _as_click_reports(error: BaseException, args: list[str]) -> None:
    """Hand an error of a plain lint to click's own main, so that its message, usage line and exit code
    are exactly those of the same error raised by the click command."""
    main = command()

    def raise_it(**_options):
        raise error

    again = _click().Command(main.name, params=main.params, callback=raise_it, context_settings=main.context_settings)
    again.main(args)


def __getattr__(name: str):
    """`main`, the click command, is imported on first use: a plain lint never needs click."""
    if name == "main":
        return command()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _click():
    """click, for what only some runs do (print a listing, report an error)."""
    import click

    return click


def fatal(message: str):
    """A bad configuration, ruleset or plugin, or an output that cannot be written: one line, exit code 2."""
    error = _click().ClickException(message)
    error.exit_code = 2
    return error


def execute(paths, output_format, output_file, select, extend_select, ignore, fail_on, exit_zero, jobs,
         list_rules, explain, config_path, isolated, rulesets, accepted, rejected, ack_999, ack_277ca, baseline,
         write_baseline, log_format, verbose, quiet, show_phi, colour, show_source, statistics, stdin_filename,
         extend_include, exclude, extend_exclude, force_exclude, respect_gitignore, allow_empty, show_files,
         show_settings, ig_engine):
    """Lint HIPAA X12 837P (005010X222A1) files.

    PATH may be files, directories (searched for *.837, *.837p, *.x12, *.edi, and the names
    extend-include adds) or - for standard input.
    """
    from edi_lint import application, logs, progress
    from edi_lint.terminal import use_colour

    log = logs.configure(log_format, verbose, quiet, colour=colour)  # before the configuration is looked for: -v says which
    for option, value in (("--output-file", output_file), ("--config", config_path), ("--baseline", baseline),
                          ("--write-baseline", write_baseline), ("--accepted", accepted), ("--rejected", rejected),
                          ("--ack-999", ack_999), ("--ack-277ca", ack_277ca), ("--stdin-filename", stdin_filename)):
        if value == "":  # an unset shell variable ("$OUT"): silently taken as not given before
            raise _click().UsageError(f"{option} needs a path, got an empty string")
    chosen_format = output_format
    if output_format is None:  # yamllint's convention: annotations when run as a GitHub Actions step
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if statistics and output_format not in ("text", "full", "json"):
        raise _click().UsageError("--statistics goes with --format text, full or json")
    # an option the chosen report cannot honour is a mistake to say, not to ignore: a biller asking for
    # patient names would otherwise get a report without them and no word why
    if show_phi and output_format != "html":
        raise _click().UsageError("--show-phi goes with --format html (only the HTML report shows patient data)")
    if show_source and chosen_format not in (None, "text", "full"):  # the GitHub default just has no source
        raise _click().UsageError("--show-source goes with --format text or full")
    try:
        settings, registry, overrides = application.load(
            paths, config_path=config_path, isolated=isolated, select=application.split_codes(select),
            ignore=application.split_codes(ignore), extend_select=application.split_codes(extend_select),
            fail_on=fail_on, rulesets=rulesets, list_plugins=bool(list_rules or explain), ig_engine=ig_engine)
    except application.SetupError as error:
        raise fatal(one_line(str(error))) from None
    if list_rules:
        _click().echo(render_rule_list(registry, settings, output_format), nl=False)
        return
    if explain:
        info = registry.all_infos.get(explain.strip().upper())
        if info is None:
            raise _click().UsageError(f"unknown rule code {printable(explain)!r}; see edi-lint --list-rules"
                                   + _not_enabled_note(registry))
        _click().echo(render_explanation(info))
        return
    try:
        selection, allow_empty = application.file_selection(
            config_path=config_path, isolated=isolated, extend_include=patterns(extend_include),
            exclude=patterns(exclude), extend_exclude=patterns(extend_exclude), force_exclude=force_exclude,
            respect_gitignore=respect_gitignore, allow_empty=allow_empty)
    except application.SetupError as error:
        raise fatal(str(error)) from None
    if show_settings:
        _click().echo(render_settings(settings, selection, allow_empty), nl=False)
        return
    if not paths:
        raise _click().UsageError("no PATH given: pass files, directories or - for standard input")
    try:
        if output_file:
            application.check_writable(output_file, "--output-file")
    except application.CannotWrite as error:
        raise fatal(str(error)) from None
    settings.keep_claims, settings.show_phi = output_format == "html", show_phi  # claim cards need records
    try:
        found = application.find_inputs(paths, selection, allow_empty)
    except application.NothingToLint as error:
        raise fatal(printable(str(error))) from None
    files = found.files
    try:
        application.check_outputs_apart(
            files, [("--output-file", output_file), ("--write-baseline", write_baseline)],
            others=[("--accepted", accepted), ("--rejected", rejected), ("--ack-999", ack_999),
                    ("--ack-277ca", ack_277ca)],
            kept=[("--baseline", baseline)] if output_file else [])
    except application.UsageError as error:
        raise _click().UsageError(one_line(str(error))) from None
    if show_files:
        _click().echo("".join(f"{name}\n" for name in files), nl=False)
        return
    if not files:  # --allow-empty
        _click().echo("Nothing to lint.")
        return
    bar = progress.Progress(files) if progress.wanted(files, quiet=quiet > 0, log_format=log_format) else None
    cwd = os.getcwd()
    _resume_collector()
    try:
        results, extra = application.run(files, settings, overrides, jobs=jobs, accepted=accepted, rejected=rejected,
                                         baseline=baseline, write_baseline=write_baseline, log=log, progress=bar,
                                         ack_999=ack_999, ack_277ca=ack_277ca, stdin_filename=stdin_filename)
    except application.UsageError as error:
        raise _click().UsageError(one_line(str(error))) from None
    except application.CannotWrite as error:
        raise fatal(one_line(str(error))) from None
    if statistics and output_format == "json":
        from edi_lint.report.statistics import statistics as count

        extra["statistics"] = count(results)
    text_options = {"colour": use_colour(sys.stdout, colour) if not output_file else colour == "always",
                    "show_source": show_source, "statistics": statistics,
                    # what was linted came from standard input, not from the file of that name
                    "unreadable": (stdin_filename,) if stdin_filename and "-" in files else ()}
    if log.enabled("info"):
        log.info("run_finished", files=len(results), findings=sum(len(r.findings) for r in results))
    pieces = render(output_format, results, extra, registry.infos, cwd, text_options)
    if found.skipped and output_format in ("text", "full"):
        pieces = chain(pieces, [skipped_note(found, selection)])
    split = accepted is not None or rejected is not None
    try:
        if output_file:
            application.write_text(output_file, pieces, "--output-file")
        else:
            _write_stdout(pieces)
    except application.CannotWrite as error:
        if split:  # exit 2 promises that no output is left to be forwarded
            from edi_lint.preflight import remove_outputs

            remove_outputs(accepted, rejected)
        raise fatal(one_line(str(error))) from None
    if extra and output_format == "concise" and not quiet:  # where the split put the claims, beside the log
        sys.stderr.write(summary_lines(extra))
    if output_format in ("jsonl", "json-lines") and not log.enabled("info"):
        # JSON Lines holds findings and nothing else, so the report cannot name a file that could not
        # be linted: its file_error event (info, as every other format names the file) is a warning here
        from edi_lint.logs import safe_error

        for result in results:
            if result.status == "error":
                log.warning("file_error", path=result.path, error=safe_error(result.error))
    code = application.split_exit_code(results, extra.get("split")) if split else application.exit_code(results)
    if write_baseline and code == 1:
        code = 0  # the findings were just recorded
    sys.exit(2 if code == 2 else (0 if exit_zero else code))


def show_version(ctx) -> None:
    """--version, as click's version_option prints it; "(compiled)" for the Cython build (hatch_build.py)."""
    import edi_lint

    build = " (compiled)" if edi_lint.COMPILED else ""
    _click().echo(f"edi-lint, version {installed_version()}{build}", color=ctx.color)
    ctx.exit()


def installed_version() -> str:
    """The installed distribution's version, read from its METADATA on sys.path as importlib.metadata
    finds it, but without importing importlib.metadata (which alone costs more than linting a claim);
    that module is the fallback for any other kind of installation."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("edi_lint-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8") as stream:
                        for line in stream:
                            if line.startswith("Version:"):
                                return line[len("Version:"):].strip()
                            if not line.strip():  # end of the headers
                                break
                except OSError:
                    pass
    from importlib.metadata import version

    return version("edi-lint")


def _write_stdout(pieces) -> None:
    """The report on standard output; a closed or full one (`>&-`, /dev/full, a closed pipe) is a
    one-line error (exit 2), not a traceback."""
    from edi_lint.application import CannotWrite

    stream = sys.stdout
    try:
        if stream is None:
            raise OSError(errno.EBADF, "standard output is closed")
        stream.writelines(pieces)
        stream.flush()
    except OSError as error:
        try:  # nothing more can reach it; keep the interpreter's exit-time flush quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, AttributeError, ValueError):
            pass
        raise CannotWrite(f"cannot write the report to standard output: {error.strerror or error}") from None


def render_rule_list(registry, settings, output_format: str) -> str:
    """Every known rule as this configuration runs it: its severity after overrides, and whether it
    is selected (`no`: ignored, or off by default like IG; `inactive`: a plugin not enabled)."""
    from edi_lint.engine import Linter

    linter = Linter(registry.rules, registry.infos, settings)
    infos = registry.all_infos

    def state(code: str) -> str:
        return "inactive" if not registry.is_active(code) else ("yes" if code in linter.active else "no")

    if output_format in ("json", "jsonl", "json-lines"):
        import json

        rows = [
            {"id": i.code, "name": i.name, "severity": linter.severity_of(i).label, "summary": i.summary,
             "ruleset": i.ruleset, "scope": i.scope, "tags": list(i.tags), "source": i.source,
             "procedures": list(i.procedures), "active": registry.is_active(i.code),
             "selected": i.code in linter.active, "default_severity": i.severity.label,
             "origin": registry.origin[i.code].describe() if i.code in registry.origin else None}
            for i in infos.values()
        ]
        return json.dumps(rows, indent=2) + "\n"
    width = max(len(i.name) for i in infos.values())
    sets = max(len(i.ruleset) for i in infos.values())
    lines = [f"{'code':8} {'name':{width}} {'severity':8} {'ruleset':{sets}} {'active':8} summary"]
    for i in infos.values():  # names and summaries may come from any ruleset file: escaped
        lines.append(f"{i.code:8} {printable(i.name):{width}} {linter.severity_of(i).label:8} "
                     f"{printable(i.ruleset):{sets}} {state(i.code):8} {one_line(i.summary)}")
    note = _not_enabled_note(registry)
    if note:
        lines += ["", note.lstrip("; ")]
    return "\n".join(lines) + "\n"


def _not_enabled_note(registry) -> str:
    names = registry.not_enabled() if registry is not None else []
    if not names:
        return ""
    return ("; installed plugins not enabled (their rules are listed once enabled with plugins = [...] in the "
            "configuration): " + ", ".join(printable(n) for n in names))


SEVERITY_MEANING = {
    "error": "the payer or clearinghouse rejects or denies the claim, or the file breaks the guide",
    "warning": "a likely denial or coverage risk that depends on facts the file does not show",
    "info": "hygiene: payers accept it, but it hides real problems",
}


def render_explanation(info) -> str:
    """A rule's facts for the terminal; every field may come from a ruleset file, so all are escaped."""
    parts = [f"{info.code} {printable(info.name)} ({info.severity.label}, ruleset {printable(info.ruleset)})", "",
             printable_lines(info.summary)]
    if info.explanation:
        parts += ["", printable_lines(info.explanation)]
    reason = info.severity_reason or SEVERITY_MEANING.get(info.severity.label, "")
    parts += ["", f"Severity: {info.severity.label}, because {printable_lines(reason)}" if reason
              else f"Severity: {info.severity.label}"]
    if not info.default_on:
        parts += [f"Off by default: enable it with --extend-select {info.code} (or extend-select in configuration)."]
    if info.source:
        parts += ["", f"Source: {printable_lines(info.source)}"]
    if info.example_bad:
        parts += ["", f"Fails:  {printable(info.example_bad)}"]
    if info.example_good:
        parts += [f"Passes: {printable(info.example_good)}"]
    from edi_lint.acks.codes import describe

    parts += ["", describe(info)]
    return "\n".join(parts)


def render(output_format: str, results, extra: dict, infos, cwd: str, text_options: dict):
    """The report in pieces, written as they are made; `--format json` carries the split, baseline
    and statistics objects, text formats a summary of the split and baseline."""
    from edi_lint.report import chunks

    if extra and output_format == "json":  # the json contract plus "split" / "baseline" / "statistics"
        from edi_lint.report.json_report import chunks as json_chunks

        yield from json_chunks(results, extra=extra)
        return
    if output_format in ("text", "full"):
        yield from chunks(output_format, results, infos, cwd=cwd, **text_options)
    elif output_format == "html":
        yield from chunks(output_format, results, infos, cwd=cwd, split=extra.get("split"))
    else:
        yield from chunks(output_format, results, infos, cwd=cwd)
    if extra and output_format in ("text", "full"):  # concise is findings only: its summary goes to stderr
        yield summary_lines(extra)


def patterns(values) -> tuple[str, ...]:
    """`--exclude a,b --exclude c` -> ('a', 'b', 'c')."""
    return tuple(p.strip() for value in values for p in value.split(",") if p.strip())


def skipped_note(found, selection) -> str:
    """A word about the files a directory walk passed over, so a partial run is never silent."""
    return (f"Skipped {found.skipped} file{'s' if found.skipped != 1 else ''} in {', '.join(found.folders)} whose "
            f"names match no include pattern ({', '.join(selection.includes)}); see --show-files, "
            "extend-include.\n")


def render_settings(settings, selection, allow_empty: bool) -> str:
    """--show-settings: what this run would use, one `key = value` per line."""
    rows = [
        ("configuration", settings.config_file or "none (defaults)"),
        ("select", list(settings.select) or "every rule on by default (IG included; deprecated aliases off)"),
        ("extend-select", list(settings.extend_select)),
        ("ignore", list(settings.ignore)),
        ("fail-on", settings.fail_on.label if settings.fail_on is not None else "never"),
        ("severity", {code: level.label for code, level in settings.severity.items()}),
        ("per-file-ignores", {pattern: list(codes) for pattern, _, codes in settings.per_file_ignores}),
        ("rulesets", list(settings.rulesets)),
        ("plugins", list(settings.plugins)),
        ("include", list(selection.include)),
        ("extend-include", list(selection.extend_include)),
        ("exclude", list(selection.exclude)),
        ("extend-exclude", list(selection.extend_exclude)),
        ("force-exclude", selection.force_exclude),
        ("respect-gitignore", selection.respect_gitignore),
        ("allow-empty", allow_empty),
        ("project root", selection.root),
    ]
    note = ("# each linted file uses the configuration closest to it; these are the working directory's "
            "(or --config's)\n")
    import json

    return note + "".join(f"{key} = {json.dumps(value) if not isinstance(value, str) else printable(value)}\n"
                          for key, value in rows)


def summary_lines(extra: dict) -> str:
    """Human lines after the text report: where the split put the claims, what the baseline did."""
    lines = []
    split = extra.get("split")
    if split:
        lines.append(f"Pre-flight split: {split['accepted']} claim(s) accepted -> {printable(split['accepted_path'])}, "
                     f"{split['rejected']} rejected -> {printable(split['rejected_path'])}"
                     + (f" ({len(split['incomplete'])} cut off by truncation)" if split["incomplete"] else "") + ".")
        orphans = split.get("orphan_segments")
        if orphans:
            lines.append(f"{len(orphans)} segment(s) outside any claim that the guide has no place for were carried "
                         "to the rejected file, holding back the claims around them (segment #"
                         + ", #".join(map(str, orphans[:10])) + (" ..." if len(orphans) > 10 else "") + ").")
    base = extra.get("baseline")
    if base and base.get("unmatched") and not base["suppressed"] and not base["fixed"]:
        lines.append(f"Baseline {printable(base['path'])} matched nothing: its {base['unmatched']} recorded finding(s) name "
                     "files not linted here (paths in a baseline are relative to its own folder).")
    elif base:
        lines.append(f"Baseline {printable(base['path'])}: {base['suppressed']} known finding(s) hidden"
                     + (f", {len(base['fixed'])} "
                        + ("entry no longer occurs" if len(base["fixed"]) == 1 else "entries no longer occur")
                        + " (prune with --write-baseline)" if base["fixed"] else "") + ".")
    return "".join(line + "\n" for line in lines)

