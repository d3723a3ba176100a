"""Real CPython interpreters of different minor versions, and a C extension built for each.

The Python-upgrade tests need compiled code that truly belongs to one minor version: a
module built from C source against that interpreter's headers, packed in a wheel tagged
``cp3X-cp3X-<platform>``, which no other minor version can import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.wheels import Dist, build_wheel

__all__ = ["EXTENSION", "CPython", "build_extension_wheel", "two_cpythons"]

EXTENSION = "tinyext"

_SOURCE = r"""
#include <Python.h>

static PyObject *built_for(PyObject *self, PyObject *unused) {
    return PyUnicode_FromFormat("%d.%d", PY_MAJOR_VERSION, PY_MINOR_VERSION);
}

static PyMethodDef methods[] = {
    {"built_for", built_for, METH_NOARGS, "The Python version this module was built for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "NAME", NULL, -1, methods};

PyMODINIT_FUNC PyInit_NAME(void) { return PyModule_Create(&module); }
"""

_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({"
    "'impl': sys.implementation.name, 'version': list(sys.version_info[:3]),"
    "'include': sysconfig.get_paths()['include'],"
    "'suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
    "'platform': sysconfig.get_platform()}))"
)


@dataclass(frozen=True)
class CPython:
    executable: Path
    version: tuple[int, int, int]
    include: Path
    suffix: str  # e.g. .cpython-312-x86_64-linux-gnu.so
    platform: str  # e.g. linux-x86_64

    @property
    def minor(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    @property
    def tag(self) -> str:
        abi = f"cp{self.version[0]}{self.version[1]}"
        return f"{abi}-{abi}-{self.platform.replace('-', '_').replace('.', '_')}"


def _candidates() -> list[Path]:
    """pyenv's interpreters (``$PYENV_ROOT`` or ``~/.pyenv``), then ``python3.X`` on PATH."""
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    found = [p for root in roots for p in sorted((root / "versions").glob("*/bin/python3.*"))
             if p.name.count(".") == 1 and p.name.split(".")[1].isdigit()]
    found += [Path(p) for minor in range(10, 20) if (p := shutil.which(f"python3.{minor}"))]
    return found


def _describe(executable: Path) -> CPython | None:
    try:
        result = subprocess.run([str(executable), "-I", "-c", _PROBE], capture_output=True,
                                text=True, timeout=30, check=True)
        facts = json.loads(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    include = Path(facts["include"])
    if facts["impl"] != "cpython" or not (include / "Python.h").is_file() or not facts["suffix"]:
        return None
    return CPython(executable, tuple(facts["version"]), include, facts["suffix"],
                   facts["platform"])


def a_python_older_than(minor: tuple[int, int]) -> Path | None:
    """A Python 3 too old for pyshelf, as an activated old venv would put first on PATH."""
    for candidate in _candidates():
        version = tuple(int(part) for part in candidate.name.removeprefix("python").split("."))
        if (3, 0) <= version < minor and candidate.is_file():
            return candidate
    return None


def two_cpythons() -> tuple[CPython, CPython] | str:
    """The two newest CPython minor versions (3.10 or newer) that can build extensions, oldest
    first; or why there are not two."""
    if not (shutil.which("cc") or shutil.which("gcc")):
        return "no C compiler (cc or gcc) on PATH"
    by_minor: dict[tuple[int, int], CPython] = {}
    for candidate in _candidates():
        described = _describe(candidate)
        if described and described.version[:2] >= (3, 10):
            by_minor.setdefault(described.version[:2], described)
    if len(by_minor) < 2:
        return (f"needs two CPython minor versions with headers, found "
                f"{sorted(by_minor) or 'none'}")
    older, newer = sorted(by_minor)[-2:]
    return by_minor[older], by_minor[newer]


def build_extension_wheel(python: CPython, outdir: Path, name: str = EXTENSION,
                          version: str = "1.0") -> Path:
    """Extension module ``name`` compiled for ``python`` and packed as its platform wheel."""
    compiler = shutil.which("cc") or shutil.which("gcc") or "cc"
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{name}.c"
        source.write_text(_SOURCE.replace("NAME", name))
        built = Path(work) / f"{name}{python.suffix}"
        subprocess.run([compiler, "-shared", "-fPIC", "-O1", f"-I{python.include}",
                        str(source), "-o", str(built)], check=True, capture_output=True)
        binary = built.read_bytes()
    dist = Dist(name, version, binaries=((built.name, binary),), tag=python.tag)
    return build_wheel(dist, outdir)
