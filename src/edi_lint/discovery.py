"""Which files a run lints, the way ruff finds Python files.

* A file named on the command line is linted whatever its name, unless `--force-exclude` is given
  and an exclude pattern matches it (so a pre-commit hook that passes every staged file obeys
  `exclude` too).
* A directory is walked, sorted: a file is linted when its name or path matches `include` plus
  `extend-include`, and neither it nor a folder above it matches `exclude` plus `extend-exclude`,
  the DEFAULT_EXCLUDE folders (`.git`, `.venv`, `node_modules` ...), or a `.gitignore` (unless
  `respect-gitignore = false` / `--no-respect-gitignore`).
* Patterns are gitignore-style (matched by the pathspec library, not by hand): `*.txt` matches at
  any depth, `claims/*.dat` relative to the project root (the configuration file's folder, else
  the working directory), `legacy/` a folder.

Claim files are often named `*.txt`, `*.dat` or `*.clm`: `extend-include = ["*.txt"]`. Files the
walk passed over because no include pattern names them are counted (`skipped`), so a run that
lints nothing, or less than the folder holds, can say so.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

DEFAULT_INCLUDE = ("*.837", "*.837p", "*.x12", "*.edi")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".direnv", "node_modules",
                   "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "site-packages",
                   "__pypackages__")


class FileSelection(NamedTuple):
    """The patterns a run selects files with (configuration, then the command line). (A NamedTuple
    and a plain class here: a dataclass costs every run a millisecond or two to create at import.)"""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    extend_include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    root: str = "."  # patterns with a '/' are relative to this folder

    @property
    def includes(self) -> tuple[str, ...]:
        return tuple(self.include) + tuple(self.extend_include)

    @property
    def excludes(self) -> tuple[str, ...]:
        return tuple(self.exclude) + tuple(self.extend_exclude)


class Found:
    def __init__(self) -> None:
        self.files: list[str] = []
        self.folders: list[str] = []  # the directories walked (as given)
        self.skipped = 0  # files in them that no include pattern names
        self.excluded = 0  # files and folders left out by exclude patterns or .gitignore


def _spec(patterns):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


class _Matcher:
    """Patterns compiled on first use: a run that names its files (a pre-commit hook) never needs
    them, nor the pathspec import."""

    def __init__(self, selection: FileSelection):
        self.selection = selection
        self.root = os.path.abspath(selection.root)
        self.gitignore = selection.respect_gitignore
        self._ignores: dict = {}  # folder -> its .gitignore spec or None; ("repo", folder) -> work tree top

    @cached_property
    def include(self):
        return _spec(self.selection.includes)

    @cached_property
    def exclude(self):
        return _spec(self.selection.excludes)

    def _relative(self, path: str, base: str) -> str:
        relative = os.path.relpath(path, base).replace(os.sep, "/")
        return relative if not relative.startswith("../") else os.path.basename(path)

    def included(self, path: str, base: str) -> bool:
        return self.include.match_file(self._relative(path, base))

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        """Exclude patterns (relative to the root), then each .gitignore from the root down."""
        absolute = os.path.abspath(path)
        relative = self._relative(absolute, self.root) + ("/" if is_dir else "")
        if self.exclude.match_file(relative) or self.exclude.match_file(os.path.basename(absolute)
                                                                        + ("/" if is_dir else "")):
            return True
        if not self.gitignore:
            return False
        top = self._repository(os.path.dirname(absolute))
        if top is None:  # as git (and ruff): .gitignore files count inside a repository only
            return False
        folder = os.path.dirname(absolute)
        while True:
            spec = self._gitignore(folder)
            if spec is not None:
                inner = os.path.relpath(absolute, folder).replace(os.sep, "/") + ("/" if is_dir else "")
                if spec.match_file(inner):
                    return True
            if folder == top:
                return False
            folder = os.path.dirname(folder)

    def _repository(self, folder: str) -> str | None:
        """The top folder of the git work tree holding `folder`, or None."""
        key = ("repo", folder)
        if key not in self._ignores:
            parent = os.path.dirname(folder)
            if os.path.exists(os.path.join(folder, ".git")):
                self._ignores[key] = folder
            else:
                self._ignores[key] = None if parent == folder else self._repository(parent)
        return self._ignores[key]

    def _gitignore(self, folder: str):
        if folder not in self._ignores:
            path = os.path.join(folder, ".gitignore")
            spec = None
            try:
                with open(path, encoding="utf-8", errors="replace") as stream:
                    spec = _spec(stream.read().splitlines())
            except OSError:
                pass
            self._ignores[folder] = spec
        return self._ignores[folder]


def find_files(paths, selection: FileSelection) -> Found:
    """The files to lint for these command-line paths, in order, each once."""
    matcher = _Matcher(selection)
    found = Found()
    seen: set[str] = set()

    def add(name: str) -> None:
        key = name if name == "-" else os.path.normcase(os.path.abspath(name))
        if key not in seen:
            seen.add(key)
            found.files.append(name)

    for raw in paths:
        raw = os.fspath(raw)
        if raw == "-" or not os.path.isdir(raw):
            if raw != "-" and selection.force_exclude and matcher.excluded(raw):
                found.excluded += 1
                continue
            add(raw)
            continue
        found.folders.append(raw)
        base = os.path.abspath(raw)
        inside: list[str] = []
        for folder, subfolders, names in os.walk(raw):
            kept = []
            for sub in sorted(subfolders):
                if matcher.excluded(os.path.join(folder, sub), is_dir=True):
                    found.excluded += 1
                else:
                    kept.append(sub)
            subfolders[:] = kept
            for name in sorted(names):
                path = str(Path(folder, name))  # "claims/a.837", not "./claims/a.837", as given
                if not os.path.isfile(path):
                    continue
                if matcher.excluded(path):
                    found.excluded += 1
                elif matcher.included(path, base):
                    inside.append(path)
                else:
                    found.skipped += 1
        for path in sorted(inside, key=lambda p: Path(p).parts):  # a/b, a/c/d, a/e: as a sorted listing
            add(path)
    return found
