"""Optional compiled build: `EDI_LINT_COMPILE=1 pip install .` compiles the hot-path modules with Cython.

Without that variable this hook does nothing and the wheel is the pure-Python one (`py3-none-any`): a
plain `pip install .` needs no C compiler, no Cython and nothing else new. With it, the modules listed
in COMPILED_MODULES are compiled from their unchanged `.py` sources (Cython's pure-Python mode, no
`.pyx` copies) into extension modules placed next to those sources in the wheel, which then becomes a
platform wheel. An extension module takes import precedence over the `.py` of the same name, so the
sources stay in the wheel (for tracebacks and reading) without being used. The build also writes
`edi_lint/_compiled.py`, which lists the compiled modules: `edi_lint.COMPILED` and `edi-lint --version`
("(compiled)") read it.

When compilation was asked for and fails (no compiler, no Python headers, a Cython error), the build
fails with the compiler's error: the user asked for the compiled build, and a silent pure-Python
fallback would hide that they did not get it. Install without EDI_LINT_COMPILE for the pure build.
Editable installs (`pip install -e`) are never compiled (a warning says so): the sources would be
shadowed by stale extension modules as soon as they are edited.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ENV = "EDI_LINT_COMPILE"

# Chosen by profile (`edi-lint --format json` on `bench/gen837.py 10000 --seed 1`): the modules whose own
# code (not the builtins they call) takes the run's time. Left out:
# - rules/declarative.py: its reference checks are closures that tests inspect through `__closure__`, which
#   Cython's functions do not have (behaviour a test relies on changes);
# - rules/marks.py: next by profile, but Cython 3.2 and 3.3 crash compiling it (an AssertionError in the
#   compiler on `a, b, c, d = self._positions[4 * row:4 * row + 4]`; 3.0 and 3.1 compile it);
# - the generated-code rule compiler (rules/straightline.py), configuration, reports and start-up-only modules,
#   which are not hot.
COMPILED_MODULES = [
    "edi_lint/x12/tokenizer.py",
    "edi_lint/x12/walker.py",
    "edi_lint/x12/validator.py",
    "edi_lint/x12/element_checks.py",
    "edi_lint/document.py",
    "edi_lint/claims.py",
    "edi_lint/engine.py",
    "edi_lint/rules/situational.py",
    "edi_lint/rules/external_codes.py",
    "edi_lint/rules/codesets.py",
    "edi_lint/rules/ncci.py",
    "edi_lint/rules/integrity.py",
]

# Same semantics as the Python source: annotations are not C types (an `int` or `float` annotation would
# otherwise be enforced or turned into a C number), Python 3 language level, functions that behave like
# Python functions (binding: __doc__, __name__, introspection by the rule registry).
DIRECTIVES = {"language_level": 3, "annotation_typing": False, "binding": True, "embedsignature": False}


def compile_requested() -> bool:
    return os.environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


class CompileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """Build requirements added only when compiling, so the pure build needs nothing new."""
        return ["Cython>=3.0", "setuptools>=64"] if compile_requested() else []

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or not compile_requested():
            return
        if version == "editable":
            self.app.display_warning(f"{ENV} is ignored for an editable install: the pure-Python sources are used")
            return
        self._work = Path(tempfile.mkdtemp(prefix="edi-lint-compile-"))
        built = compile_modules(Path(self.root) / "src", self._work)
        for relative, path in built.items():
            build_data["force_include"][str(path)] = relative
        names = sorted(m[:-3].replace("/", ".") for m in COMPILED_MODULES)
        marker = self._work / "_compiled.py"
        marker.write_text('"""Written by hatch_build.py: the modules of this installation compiled with Cython."""\n\n'
                          f"MODULES = {tuple(names)!r}\n", encoding="utf-8")
        build_data["force_include"][str(marker)] = "edi_lint/_compiled.py"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self.app.display_info(f"{ENV}: compiled {len(built)} modules with Cython")

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def compile_modules(src: Path, work: Path) -> dict[str, Path]:
    """Cythonize and build COMPILED_MODULES; {path in the wheel: built extension module}. Raises on failure."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extensions = [
        Extension(module[:-3].replace("/", "."), [module],
                  extra_compile_args=[] if sys.platform == "win32" else ["-g0"])
        for module in COMPILED_MODULES
    ]
    jobs = os.cpu_count() or 1
    # Cython finds each module's package from the __init__.py files beside the sources; the C files go
    # to the work directory, never into the source tree.
    cwd = os.getcwd()
    os.chdir(src)  # relative source paths: the C files then mirror the package under build_dir
    try:
        extensions = cythonize(extensions, compiler_directives=DIRECTIVES, build_dir=str(work / "c"), quiet=True,
                               nthreads=jobs if jobs > 1 else 0, force=True)
    finally:
        os.chdir(cwd)
    for extension in extensions:
        extension.sources = [s if os.path.isabs(s) else str(src / s) for s in extension.sources]
    dist = Distribution({"name": "edi-lint", "ext_modules": extensions})
    command = build_ext(dist)
    command.build_lib = str(work / "lib")
    command.build_temp = str(work / "tmp")
    command.parallel = jobs
    command.ensure_finalized()
    command.run()
    built = {}
    for extension in extensions:
        path = Path(command.get_ext_fullpath(extension.name))
        if not path.is_file():
            raise RuntimeError(f"{ENV}: {extension.name} was not built ({path} is missing)")
        built[str(path.relative_to(work / "lib")).replace(os.sep, "/")] = path
    return built
