"""One registry of every known rule, whichever way it came in.

Sources, in order: the built-in Python rules (and the engine's own ENV001/STR001), the declarative
rulesets shipped in `rulesets/` (inside the wheel as `edi_lint/_rulesets`), ruleset files named by
`--ruleset` or configuration, and plugins from the entry-point group `edi_lint.rulesets`.
Plugins are discovered and named but inactive until enabled (`plugins = ["name"]`); a plugin's
module is imported only when it is enabled, so its rules are listed once it is.

A rule code claimed by two sources, or a code inside another source's declared prefix, is a
RegistryError: never a silent override.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import ModuleType

from edi_lint.rules.api import BUILTIN, Rule
from edi_lint.rules.base import RuleInfo
from edi_lint.rules.deprecated import DEPRECATED, deprecated_info
from edi_lint.rules.ig_codes import RULES as IG_RULES
from edi_lint.rules.structure import ENGINE_RULES

ENTRY_POINT_GROUP = "edi_lint.rulesets"


class RegistryError(Exception):
    """Rules that cannot be put together: a collision, a bad ruleset file, a missing plugin."""


class Source:
    """One way rules came in. (Plain classes here: a dataclass costs every run a millisecond to create.)"""

    def __init__(self, name: str, kind: str, origin: str, rules: list[Rule], infos: list[RuleInfo] | None = None,
                 prefix: str | None = None, active: bool = True, prefix_exceptions: tuple[str, ...] = ()):
        self.name = name
        self.kind = kind  # "built-in", "ruleset" or "plugin"
        self.origin = origin  # module, file path or entry point
        self.rules = rules
        self.infos = infos if infos is not None else []  # rules the engine emits itself (no check)
        self.prefix = prefix
        self.active = active
        self.prefix_exceptions = prefix_exceptions  # codes under `prefix` that another source owns (a moved rule)

    def copy(self) -> "Source":
        return Source(self.name, self.kind, self.origin, self.rules, self.infos, self.prefix, self.active,
                      self.prefix_exceptions)

    def describe(self) -> str:
        return f"{self.kind} {self.name!r} ({self.origin})"


class Registry:
    def __init__(self, sources: list[Source], rules: dict[str, Rule], infos: dict[str, RuleInfo],
                 all_infos: dict[str, RuleInfo], origin: dict[str, Source]):
        self.sources = sources
        self.rules = rules  # active rules with a check, by code
        self.infos = infos  # every active rule's facts, sorted by code
        self.all_infos = all_infos  # every loaded rule (plugins not enabled are not loaded), sorted by code
        self.origin = origin  # code -> the source that defines it

    def is_active(self, code: str) -> bool:
        return code in self.infos

    def not_enabled(self) -> list[str]:
        """Installed plugins that are not enabled (named only: their modules are never imported)."""
        return [s.name for s in self.sources if s.kind == "plugin" and not s.active]


def builtin_rules() -> dict[str, Rule]:
    """Python rules shipped in the package, keyed by code."""
    from edi_lint.rules import codesets, external_codes, integrity, situational  # noqa: F401  (register on import)

    return {rule.code: rule for rule in BUILTIN}


_shipped_cache: dict = {}


def _shipped_sources(payer_profiles) -> list[Source]:
    from edi_lint.rules.declarative import load_ruleset, shipped_ruleset_paths

    paths = shipped_ruleset_paths()
    if not paths:  # a source tree or a broken install without them: the 97026 rules would vanish in silence
        raise RegistryError("edi-lint's shipped rulesets are missing (no edi_lint/_rulesets in the package, no "
                            "rulesets/ beside its source): the installation is incomplete; reinstall edi-lint")
    key = (tuple((str(p), p.stat().st_mtime_ns) for p in paths), repr(_profile_key(payer_profiles)))
    cached = _shipped_cache.get(key)
    if cached is None:
        cached = []
        for path in paths:
            ruleset = load_ruleset(path, payer_profiles, cached=True)
            cached.append(Source(ruleset.name, "ruleset", _shown_path(path), ruleset.rules, prefix=ruleset.prefix,
                                  prefix_exceptions=ruleset.prefix_exceptions))
        _shipped_cache.clear()
        _shipped_cache[key] = cached
    return [s.copy() for s in cached]


def _profile_key(profiles):
    if isinstance(profiles, dict):
        return sorted((k, repr(v)) for k, v in profiles.items())
    return repr(profiles)


def _shown_path(path: Path) -> str:
    parts = path.parts
    for marker in ("_rulesets", "rulesets"):
        if marker in parts:
            return "/".join(parts[parts.index(marker):])
    return str(path)


def discover_plugins() -> dict[str, object]:
    """Installed plugins by entry-point name (not loaded)."""
    from importlib.metadata import entry_points

    found: dict[str, object] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def _load_plugin(name: str, ep, payer_profiles) -> Source:
    from edi_lint.rules.declarative import Ruleset, RulesetError, load_ruleset

    origin = f"entry point {ep.value}"
    try:
        obj = ep.load()
    except Exception as error:  # a broken plugin is named, never a traceback
        raise RegistryError(f"plugin {name!r} ({origin}) cannot be loaded: {type(error).__name__}: {error}") from None
    prefix = getattr(obj, "prefix", None)
    if isinstance(obj, ModuleType):
        obj = getattr(obj, "rules", None) or getattr(obj, "get_rules", None)
        if obj is None:
            raise RegistryError(f"plugin {name!r} ({origin}): the module has no 'rules' or 'get_rules'")
    if callable(obj) and not isinstance(obj, (list, tuple, Rule)):
        try:
            obj = obj()
        except Exception as error:
            raise RegistryError(f"plugin {name!r} ({origin}) failed to provide its rules: "
                                f"{type(error).__name__}: {error}") from None
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    rules: list[Rule] = []
    for item in items:
        if isinstance(item, Rule):
            rules.append(item)
        elif isinstance(item, Ruleset):
            rules.extend(item.rules)
            prefix = prefix or item.prefix
        elif isinstance(item, (str, Path)):
            try:
                ruleset = load_ruleset(item, payer_profiles)
            except RulesetError as error:
                raise RegistryError(f"plugin {name!r}: {error}") from None
            rules.extend(ruleset.rules)
            prefix = prefix or ruleset.prefix
        else:
            raise RegistryError(f"plugin {name!r} ({origin}) provided {type(item).__name__}, not a Rule or a "
                                "ruleset path")
    rules = [Rule(dataclasses.replace(r.info, ruleset=name), r.check, r.segment_ids)
             if r.info.ruleset == "core" else r for r in rules]
    return Source(name, "plugin", origin, rules, prefix=prefix)


def _claim(sources: list[Source]) -> dict[str, Source]:
    """code -> source, raising on any code or prefix claimed twice."""
    owner: dict[str, Source] = {}
    for source in sources:
        codes = [r.code for r in source.rules] + [i.code for i in source.infos]
        for code in codes:
            if code in owner and owner[code] is not source:
                raise RegistryError(f"rule code {code} is defined by both {owner[code].describe()} and "
                                    f"{source.describe()}; rename one of them")
            if code in owner:
                raise RegistryError(f"rule code {code} is defined twice in {source.describe()}")
            owner[code] = source
    for source in sources:
        if not source.prefix:
            continue
        for code, other in owner.items():
            if other is not source and code.startswith(source.prefix) and code not in source.prefix_exceptions:
                raise RegistryError(f"{source.describe()} claims the code prefix {source.prefix}, but "
                                    f"{code} belongs to {other.describe()}")
        for other in sources:
            if other is not source and other.prefix and other.prefix.startswith(source.prefix):
                raise RegistryError(f"the code prefix {other.prefix} of {other.describe()} overlaps the prefix "
                                    f"{source.prefix} of {source.describe()}")
    return owner


def load_registry(settings=None, *, list_plugins: bool = False) -> Registry:
    """Every rule source for these settings. Raises RegistryError (or RulesetError) when they clash."""
    from edi_lint.rules.declarative import RulesetError, load_ruleset

    payer_profiles = getattr(settings, "payer_profiles", None) or {}
    enabled = tuple(getattr(settings, "plugins", ()) or ())
    from edi_lint.codesets import CodeSetError
    from edi_lint.rules.external_codes import user_code_set_rules
    from edi_lint.rules.ncci import ncci_rules

    try:  # CS014/CS015 and TH010 check against the user's licensed code-set files (code-sets.* in configuration)
        code_sets = getattr(settings, "code_sets", None) or {}
        configured = user_code_set_rules(code_sets) + ncci_rules(code_sets)
    except CodeSetError as error:
        raise RegistryError(str(error)) from None
    sources = [Source("core", "built-in", "edi_lint.rules", list(builtin_rules().values()) + configured,
                      infos=list(ENGINE_RULES.values())),
               # implementation-guide validation (SNIP 1-2): on by default, native engine (or pyx12)
               Source("ig", "built-in", "edi_lint.ig", [], infos=list(IG_RULES.values()), prefix="IG")]
    try:
        sources += _shipped_sources(payer_profiles)
        for path in getattr(settings, "rulesets", ()) or ():
            ruleset = load_ruleset(path, payer_profiles)
            sources.append(Source(ruleset.name, "ruleset", str(path), ruleset.rules, prefix=ruleset.prefix,
                                  prefix_exceptions=ruleset.prefix_exceptions))
    except RulesetError as error:
        raise RegistryError(str(error)) from None
    inactive: list[Source] = []
    if enabled or list_plugins:
        installed = discover_plugins()
        missing = [name for name in enabled if name not in installed]
        if missing:
            have = ", ".join(sorted(installed)) or "none"
            raise RegistryError(f"plugin {missing[0]!r} is enabled but not installed (entry-point group "
                                f"{ENTRY_POINT_GROUP}; installed plugins: {have})")
        for name, ep in sorted(installed.items()):
            if name in enabled:
                sources.append(_load_plugin(name, ep, payer_profiles))
            elif list_plugins:  # named, never imported: a plugin's code runs only once it is enabled
                inactive.append(Source(name, "plugin", f"entry point {ep.value}", [], active=False))
    origin = _claim(sources)
    rules: dict[str, Rule] = {}
    infos: dict[str, RuleInfo] = {}
    for source in sources:
        for info in source.infos:
            infos[info.code] = info
        for rule in source.rules:
            rules[rule.code] = rule
            infos[rule.code] = rule.info
    for code, replacement in DEPRECATED.items():
        if code in infos:
            infos[code] = deprecated_info(infos[code])
            twin = infos.get(replacement)
            if twin is not None:  # the IG code reports the retired rule's defect: its 277CA status too
                infos[replacement] = dataclasses.replace(
                    twin, claim_status=twin.claim_status or infos[code].claim_status,
                    status_entity=twin.status_entity or infos[code].status_entity)
    ordered = dict(sorted(infos.items()))
    return Registry(sources + inactive, rules, ordered, dict(ordered), origin)


def all_rule_infos(settings=None) -> dict[str, RuleInfo]:
    """Every active rule's facts, for --list-rules, --explain and the SARIF driver."""
    return load_registry(settings).infos
