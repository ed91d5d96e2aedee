"""Configuration files: `[tool.edi-lint]` in pyproject.toml, or edi-lint.toml / .edi-lint.toml.

Discovery follows ruff: for each linted file, the closest directory at or above it holding
`.edi-lint.toml`, `edi-lint.toml` or a `pyproject.toml` with a `[tool.edi-lint]` table wins; files
are not merged. The run's own settings (--list-rules, standard input) come from the working
directory's configuration; the exit code is the worst verdict of each file under its own
configuration's fail-on, whatever the order of the arguments; the application layer
(`application.Linters`) gives every other file a linter built from its own closest file plus the
command line. `--config PATH` names one file for every input, and `--isolated` ignores every
configuration file.

Keys mirror the command line:

    [tool.edi-lint]
    select = ["PT", "ENV"]            # codes or prefixes (or "ALL"); the command line's --select wins
    extend-select = ["PT009"]
    ignore = ["PT007"]                # added to --ignore
    fail-on = "warning"               # error, warning, info or never; --fail-on wins
    plugins = ["acme-payer-edits"]    # entry points of group edi_lint.rulesets to enable
    rulesets = ["rules/local.toml"]   # extra declarative ruleset files, relative to this file
    extend-include = ["*.txt"]        # which files a directory holds to lint (discovery.py); also
    extend-exclude = ["archive/"]     # include, exclude, force-exclude, respect-gitignore, allow-empty

    [tool.edi-lint.per-file-ignores]
    "legacy/*.837" = ["BAL001"]

    [tool.edi-lint.severity]
    PT009 = "warning"

    [tool.edi-lint.payers.acme]       # a payer family rules can name in `payers = ["acme"]`
    names = ["ACME HEALTH"]           # fragments of the NM1*PR payer name
    ids = ["12345"]                   # NM1*PR payer ids
    filing = ["CI"]                   # SBR09 codes

    [tool.edi-lint.acknowledgments]   # who sends the 999/277CA (--ack-999, --ack-277ca); all optional
    sender-qualifier = "ZZ"           # ISA05 (default: the input's ISA07)
    sender-id = "MYCLEARINGHOUSE"     # ISA06 (default: the input's ISA08, its receiver)
    application-sender = "MYCH"       # GS02 (default: the input's GS03)
    control-number = 1001             # ISA13/GS06 of the first ack (default: the input's ISA13)
    source-entity = "AY"              # 277CA information source: AY clearinghouse or PR payer

A bad file or value is a ConfigError naming the file and key; the command line turns it into
exit code 2.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from edi_lint.findings import Severity
from edi_lint.small_files import CONFIG_LIMIT, read_text
from edi_lint.settings import Settings

CONFIG_FILES = (".edi-lint.toml", "edi-lint.toml", "pyproject.toml")
SELECTOR = re.compile(r"ALL|[A-Z]{1,8}[0-9]{0,4}")
CODE = re.compile(r"[A-Z]{1,8}[0-9]{1,4}")
KEYS = ("select", "extend-select", "ignore", "fail-on", "plugins", "rulesets", "per-file-ignores", "severity",
        "payers", "acknowledgments", "include", "extend-include", "exclude", "extend-exclude", "force-exclude",
        "respect-gitignore", "allow-empty", "code-sets", "ig-engine")
IG_ENGINES = ("native", "pyx12")  # native: validated while walking; pyx12: the slow cross-check engine
ACK_KEYS = {"sender-qualifier": str, "sender-id": str, "application-sender": str, "control-number": int,
            "date": str, "time": str, "source-entity": str}
PATTERN_KEYS = ("include", "extend-include", "exclude", "extend-exclude")  # gitignore-style globs
FLAG_KEYS = ("force-exclude", "respect-gitignore", "allow-empty")
CODE_SET_KEYS = ("taxonomy", "cpt", "hcpcs", "ncci")  # files a user names (rules CS014, CS015, TH010)
PAYER_KEYS = ("names", "ids", "filing")


class ConfigError(Exception):
    def __init__(self, path, message: str, key: str | None = None):
        self.path, self.message, self.key = str(path), message, key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" (key '{self.key}')" if self.key else ""
        return f"{self.path}: invalid configuration{where}: {self.message}"


class Config:
    """One configuration file's values; None (or empty) where the file says nothing. (A plain class:
    a dataclass of this size costs every run a few milliseconds to create at import.)"""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    plugins: tuple[str, ...] = ()
    rulesets: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (glob, base dir, codes)
    # Which files a run lints (discovery.py); None: the default
    include: tuple[str, ...] | None = None
    extend_include: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool | None = None
    respect_gitignore: bool | None = None
    allow_empty: bool | None = None
    ig_engine: str | None = None

    def __init__(self, path: Path | None = None):
        self.path = path
        self.severity: dict[str, Severity] = {}
        self.payers: dict[str, dict] = {}
        self.acknowledgments: dict = {}
        self.code_sets: dict[str, str] = {}


def _has_table(path: Path) -> bool:
    import tomllib  # here and in load_config: a run with no configuration file does not import it

    try:
        data = tomllib.loads(read_text(path, CONFIG_LIMIT))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # a broken pyproject.toml is reported by load_config, not skipped silently
    return isinstance(data.get("tool"), dict) and "edi-lint" in data["tool"]


def find_config(start: str | Path) -> Path | None:
    """The closest configuration file at or above `start` (a directory or a file).

    Above the project root (the first directory holding `.git`, else the user's home, else `start`'s
    own directory) a file counts only when it and its directory belong to the current user and no
    one else can write them: a world-writable /tmp/edi-lint.toml must not switch checks off.
    """
    here = Path(start).resolve()
    if not _is(here, stat.S_ISDIR):
        here = here.parent
    root = project_root(here)
    above = False
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if _is(candidate, stat.S_ISREG) and (name != "pyproject.toml" or _has_table(candidate)):
                problem = _untrusted(folder, candidate) if above else None
                if problem is None:
                    return candidate
                _note_ignored(candidate, problem)
        above = above or folder == root
    return None


def project_root(folder: Path) -> Path:
    """The first directory at or above `folder` holding `.git`, else the user's home if it is above,
    else `folder` itself."""
    try:
        home = Path.home().resolve()
    except (RuntimeError, OSError):
        home = None
    for candidate in (folder, *folder.parents):
        if _is(candidate / ".git", None) or candidate == home:
            return candidate
    return folder


def _is(path: Path, kind) -> bool:
    """Whether `path` exists (and is of `kind`, e.g. stat.S_ISREG); False when it cannot be looked at."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return kind is None or kind(mode)


def _untrusted(folder: Path, candidate: Path) -> str | None:
    """Why a configuration file above the project root is not used, or None when it may be."""
    if not hasattr(os, "geteuid"):
        return None  # no owners to check (Windows)
    me = os.geteuid()
    for path, what in ((folder, "its directory"), (candidate, "the file")):
        try:
            info = path.stat()
        except OSError:
            return f"{what} cannot be looked at"
        if info.st_uid != me:
            return f"{what} belongs to another user"
        if info.st_mode & 0o022:
            return f"{what} is writable by other users"
    return None


_noted: set[str] = set()


def _note_ignored(candidate: Path, reason: str) -> None:
    if str(candidate) not in _noted:
        _noted.add(str(candidate))
        from edi_lint import logs

        logs.event("info", "config_ignored", config=str(candidate),
                   reason=f"above the project root and {reason}")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = read_text(path, CONFIG_LIMIT)
    except OSError as error:
        raise ConfigError(path, f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, "the file is not UTF-8 text") from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, f"not valid TOML: {error}") from None
    prefix = ""
    if path.name == "pyproject.toml" or ("tool" in data and "edi-lint" in data.get("tool", {})):
        tool = data.get("tool")
        if not isinstance(tool, dict) or "edi-lint" not in tool:
            raise ConfigError(path, "no [tool.edi-lint] table in this file", "tool.edi-lint")
        data = tool["edi-lint"]
        prefix = "tool.edi-lint."
        if not isinstance(data, dict):
            raise ConfigError(path, "[tool.edi-lint] must be a table", "tool.edi-lint")
    return _parse(data, path, prefix)


def _codes(value, path, key, pattern=SELECTOR) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, "expected a list of rule codes or prefixes, e.g. [\"PT\", \"ENV001\"]", key)
    codes = tuple(v.strip().upper() for v in value)
    for code in codes:
        if not pattern.fullmatch(code):
            raise ConfigError(path, f"{code!r} is not a rule code or prefix (capital letters then digits, e.g. PT001)",
                              key)
    return codes


def _names(value, path, key) -> tuple[str, ...]:
    if isinstance(value, str):  # one name, as select = "PT" is one code
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(path, "expected a list of names", key)
    return tuple(v.strip() for v in value)


def _parse(data: dict, path: Path, prefix: str) -> Config:
    config = Config(path=path)
    base = path.parent.resolve()
    for raw_key, value in data.items():
        key = raw_key.replace("_", "-")
        shown = prefix + raw_key
        if key not in KEYS:
            raise ConfigError(path, f"unknown key; known keys: {', '.join(KEYS)}", shown)
        if key == "select":
            config.select = _codes(value, path, shown)
        elif key == "extend-select":
            config.extend_select = _codes(value, path, shown)
        elif key == "ignore":
            config.ignore = _codes(value, path, shown)
        elif key == "fail-on":  # any case, as the Python API and severity tables take it
            level = value.strip().lower() if isinstance(value, str) else value
            if level not in ("error", "warning", "info", "never"):
                raise ConfigError(path, f"{value!r} is not error, warning, info or never", shown)
            config.fail_on = level
        elif key == "ig-engine":
            if value not in IG_ENGINES:
                raise ConfigError(path, f"{value!r} is not one of {', '.join(IG_ENGINES)}", shown)
            config.ig_engine = value
        elif key == "plugins":
            config.plugins = _names(value, path, shown)
        elif key == "rulesets":
            config.rulesets = tuple(str((base / p).resolve()) for p in _names(value, path, shown))
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(path, "expected a table of \"glob\" = [codes]", shown)
            config.per_file_ignores = tuple(
                (pattern, str(base), _codes(codes, path, f"{shown}.{pattern}")) for pattern, codes in value.items())
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(path, "expected a table of CODE = \"error\" | \"warning\" | \"info\"", shown)
            for code, level in value.items():
                sub = f"{shown}.{code}"
                if not CODE.fullmatch(code):
                    raise ConfigError(path, f"{code!r} is not a rule code (e.g. PT009)", sub)
                try:
                    config.severity[code] = Severity.parse(level) if isinstance(level, str) else Severity.parse("?")
                except ValueError:
                    raise ConfigError(path, f"{level!r} is not error, warning or info", sub) from None
        elif key in PATTERN_KEYS:
            setattr(config, key.replace("-", "_"), _names(value, path, shown))
        elif key in FLAG_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(path, "expected true or false", shown)
            setattr(config, key.replace("-", "_"), value)
        elif key == "payers":
            if not isinstance(value, dict):
                raise ConfigError(path, "expected tables [payers.<family>] with names, ids and filing", shown)
            for family, profile in value.items():
                sub = f"{shown}.{family}"
                if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", family):
                    raise ConfigError(path, "a payer family name is kebab-case, e.g. acme-health", sub)
                if not isinstance(profile, dict) or not profile:
                    raise ConfigError(path, "expected a table with names, ids and/or filing", sub)
                for item, entries in profile.items():
                    if item not in PAYER_KEYS:
                        raise ConfigError(path, f"unknown key; use {', '.join(PAYER_KEYS)}", f"{sub}.{item}")
                    _names(entries, path, f"{sub}.{item}")
                config.payers[family] = {k: tuple(v) for k, v in profile.items()}
        elif key == "acknowledgments":
            if not isinstance(value, dict):
                raise ConfigError(path, f"expected a table with {', '.join(ACK_KEYS)}", shown)
            for item, setting in value.items():
                kind = ACK_KEYS.get(item.replace("_", "-"))
                if kind is None:
                    raise ConfigError(path, f"unknown key; use {', '.join(ACK_KEYS)}", f"{shown}.{item}")
                if not isinstance(setting, kind) or isinstance(setting, bool):
                    raise ConfigError(path, f"expected {'a number' if kind is int else 'a string'}",
                                      f"{shown}.{item}")
                config.acknowledgments[item.replace("_", "-")] = setting
        elif key == "code-sets":
            if not isinstance(value, dict):
                raise ConfigError(path, f"expected a table of {', '.join(CODE_SET_KEYS)} = \"file.csv\"", shown)
            for name, file in value.items():
                sub = f"{shown}.{name}"
                if name not in CODE_SET_KEYS:
                    raise ConfigError(path, f"unknown code set; use {', '.join(CODE_SET_KEYS)}", sub)
                if not isinstance(file, str) or not file.strip():
                    raise ConfigError(path, "expected the path of a CSV or text file", sub)
                config.code_sets[name] = str((base / file).resolve())
    return config


def discover(paths, config_path: str | None = None, isolated: bool = False) -> Config:
    """The configuration of the run itself: --config, else the one closest to the working directory
    (never to the first path, so the order of the arguments changes nothing), else none. Each
    linted file still gets the configuration closest to it (application.Linters)."""
    if config_path:
        return load_config(config_path)
    if isolated:
        return Config()
    found = find_config(os.getcwd())
    return load_config(found) if found is not None else Config()


def build_settings(paths=(), *, config_path: str | None = None, isolated: bool = False, select=(), ignore=(),
                   extend_select=(), fail_on: str | None = None, rulesets=(), config: Config | None = None,
                   ig_engine: str | None = None) -> Settings:
    """Settings for a run: the configuration file, then the command line on top of it."""
    if config is None:
        config = discover(paths, config_path, isolated)
    level = fail_on or config.fail_on or "error"
    return Settings(
        select=tuple(select) or (config.select or ()),
        ignore=tuple(config.ignore) + tuple(ignore),
        extend_select=tuple(config.extend_select) + tuple(extend_select),
        severity=dict(config.severity),
        fail_on=None if level == "never" else Severity.parse(level),
        plugins=tuple(config.plugins),
        # the same file named in configuration and with --ruleset is one ruleset, not a collision
        rulesets=tuple(dict.fromkeys(tuple(config.rulesets) + tuple(str(Path(p).resolve()) for p in rulesets))),
        payer_profiles=dict(config.payers),
        acknowledgments=dict(config.acknowledgments),
        code_sets=dict(config.code_sets),
        per_file_ignores=tuple(config.per_file_ignores),
        config_file=str(config.path) if config.path else None,
        ig_engine=ig_engine or config.ig_engine or "native",
    )


def unknown_selector(code: str, known_codes) -> str | None:
    """Why `code` selects nothing ("no rule has the code or prefix ...; closest: ..."), or None
    when it is ALL, a known code or the prefix of one."""
    known = list(known_codes)
    if code == "ALL" or any(k.startswith(code) for k in known):
        return None
    import difflib

    prefixes = sorted({re.match(r"[A-Z]+", k).group(0) for k in known if re.match(r"[A-Z]+", k)})
    close = difflib.get_close_matches(code, known + prefixes, n=3, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else "; see edi-lint --list-rules"
    return f"no rule has the code or prefix {code}{hint}"


def check_against_registry(settings, known_codes) -> None:
    """Every code the configuration names must exist: a typo would otherwise silently select,
    ignore or re-grade nothing."""
    path = getattr(settings, "config_file", None) or "configuration"
    known = list(known_codes)
    for key in ("select", "extend_select", "ignore"):
        for code in getattr(settings, key):
            problem = unknown_selector(code, known)
            if problem:
                raise ConfigError(path, problem, key.replace("_", "-"))
    for pattern, _base, codes in settings.per_file_ignores:
        for code in codes:
            problem = unknown_selector(code, known)
            if problem:
                raise ConfigError(path, problem, f"per-file-ignores.{pattern}")
    for code in settings.severity:
        if code not in known:
            raise ConfigError(path, f"no rule has the code {code}; see edi-lint --list-rules", f"severity.{code}")
