"""The fixed set of releases the end-to-end tests resolve against.

Each entry exists to exercise one behaviour (upgrades, transitive dependencies, markers and
extras, conflicts, name normalisation, missing dependencies, Python-version exclusion), so
changing one silently changes what a test proves: add entries rather than edit them.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path

from .sdists import build_sdist
from .tinybackend_source import BACKEND
from .wheels import Dist, build_wheel, cli_dist

__all__ = ["CATALOGUE", "SDISTS", "TINYBACKEND", "build_catalogue"]

# A stdlib-only PEP 517 backend, so local projects and sdists build without the network.
TINYBACKEND = Dist("tinybackend", "1.0", modules=(("tinybackend.py", BACKEND),))

# An app that shows what it was given: its version, its arguments, whether alpha can be
# imported next to it; it exits with the status after --exit.
ARGV_TOOL = """import importlib.util, json, sys

VERSION = {version!r}


def main():
    args = sys.argv[1:]
    print(json.dumps({{"version": VERSION, "args": args,
                      "alpha": importlib.util.find_spec("alpha") is not None}}))
    return int(args[args.index("--exit") + 1]) if "--exit" in args else 0
"""


# An app that needs shared 2.0 and says which shared it runs with: for isolated apps.
SHARED_USER = """import importlib.metadata


def main():
    print("shared-user {version} with shared", importlib.metadata.version("shared"))
"""


def _shared_user(version: str) -> Dist:
    return Dist("shared-user", version, requires=("shared==2.0",),
                scripts=(("shared-user", "shared_user:main"),),
                modules=(("shared_user.py", SHARED_USER.format(version=version)),))


def _bulky() -> Dist:
    """A wheel over the size (1 MiB) from which uv announces its download: random, so it
    does not compress, and from a fixed seed, so it is the same file every run."""
    data = base64.b64encode(random.Random(0).randbytes(1_500_000)).decode()
    return Dist("bulky", "1.0", modules=(("bulky.py", f"DATA = {data!r}\n"),))


def _argv_tool(version: str) -> Dist:
    return Dist("argv-tool", version, scripts=(("argv-tool", "argv_tool:main"),),
                modules=(("argv_tool.py", ARGV_TOOL.format(version=version)),))


CATALOGUE: tuple[Dist, ...] = (
    # Two releases each, for install-pinned / upgrade / rollback tests.
    Dist("alpha", "1.0"),
    Dist("alpha", "2.0"),
    Dist("gamma", "1.0"),
    Dist("gamma", "1.1"),
    # A console script with one dependency.
    cli_dist("beta", "1.0", scripts=("beta",), requires=("gamma>=1.0",)),
    # A two-level dependency chain behind a console script.
    cli_dist("app-tool", "1.0", scripts=("app-tool",), requires=("helper-lib>=1.0",)),
    cli_dist("app-tool", "1.1", scripts=("app-tool",), requires=("helper-lib>=1.0",)),
    Dist("helper-lib", "1.0", requires=("leaf>=1.0",)),
    Dist("leaf", "1.0"),
    # Extras and environment markers: epsilon only with [fast], zeta never, eta always.
    Dist(
        "delta",
        "1.0",
        extras=("fast",),
        requires=(
            'epsilon>=1.0; extra == "fast"',
            'zeta>=1.0; python_version < "3"',
            'eta>=1.0; sys_platform != "nonexistent-platform"',
        ),
    ),
    Dist("epsilon", "1.0"),
    Dist("zeta", "1.0"),
    Dist("eta", "1.0"),
    # Unsatisfiable together.
    Dist("left", "1.0", requires=("shared==1.0",)),
    Dist("right", "1.0", requires=("shared==2.0",)),
    Dist("shared", "1.0"),
    Dist("shared", "2.0"),
    # Published under a non-normalised name; imports as mixed_case_name.
    Dist("Mixed_Case.Name", "1.0"),
    # Depends on a project the index does not have.
    Dist("needs-missing", "1.0", requires=("does-not-exist-anywhere>=1",)),
    # No release installable on any current Python.
    Dist("future-only", "1.0", requires_python=">=4"),
    # Needs pip, which the index lacks and base interpreters usually have.
    Dist("needs-pip", "1.0", requires=("pip>=1",)),
    # A dependency kept below its newest release by the one package that needs it.
    Dist("hold-lib", "1.0"),
    Dist("hold-lib", "2.0"),
    Dist("holder", "1.0", requires=("hold-lib<2",)),
    # moved-lib is held below 3.0 by mover 2.0, not by mover 1.0's older <2
    Dist("moved-lib", "1.0"),
    Dist("moved-lib", "2.0"),
    Dist("moved-lib", "3.0"),
    Dist("mover", "1.0", requires=("moved-lib<2",)),
    Dist("mover", "2.0", requires=("moved-lib<3",)),
    # blacky's newest needs clicky>=8, which clicky-pinner on a shelf rules out
    Dist("clicky", "7.0"),
    Dist("clicky", "8.0"),
    Dist("clicky-pinner", "1.0", requires=("clicky<8",)),
    Dist("blacky", "1.0", requires=("clicky",)),
    Dist("blacky", "2.0", requires=("clicky>=8",)),
    # Shows its arguments and surroundings, for `pyshelf run`.
    _argv_tool("1.0"),
    _argv_tool("2.0"),
    # Conflicts with left (shared==1.0), so it must live in an environment of its own.
    _shared_user("1.0"),
    _shared_user("1.1"),
    # A library whose dependency brings a command along, for `pyshelf expose`.
    Dist("uses-argv-tool", "1.0", requires=("argv-tool",)),
    # Ships commands named like the two the bin dir keeps for pyshelf itself.
    cli_dist("lookalike", "1.0", scripts=("lookalike", "pyshelf", "pyshelf-python")),
    # An app and its dependency that both ship the command `rst-writer` (which says whose
    # it is by its version).
    cli_dist("rst-writer", "1.0", scripts=("rst-writer",), requires=("rst-base",)),
    cli_dist("rst-base", "2.0", scripts=("rst-writer", "rst-base")),
    # The same pair the other way round: the app sorts before its dependency, so that only
    # the app being the one asked for puts its `cmd-shared` (1.0) in bin over the lib's (3.0).
    cli_dist("cmd-app", "1.0", scripts=("cmd-shared",), requires=("cmd-lib",)),
    cli_dist("cmd-lib", "3.0", scripts=("cmd-shared",)),
    # Asks for delta's extra: once it goes, so does epsilon, unless delta[fast] is asked for.
    Dist("wants-fast", "1.0", requires=("delta[fast]",)),
    # Its newest release needs moved-lib>=2: a shelf holding moved-lib 1.0 with nothing
    # keeping it there moves moved-lib rather than take lifter 1.0.
    Dist("lifter", "1.0", requires=("moved-lib",)),
    Dist("lifter", "2.0", requires=("moved-lib>=2",)),
    # Two halves of one namespace package (nsp/ has no __init__.py), for the package store.
    Dist("nsp-a", "1.0", modules=(("nsp/a/__init__.py", "NAME = 'a'\n"),)),
    Dist("nsp-b", "1.0", modules=(("nsp/b/__init__.py", "NAME = 'b'\n"),)),
    # Data files installed under the prefix: share/ (linked) and etc/ (copied into each
    # generation), and a .pth file whose import line runs at every start.
    Dist("data-pack", "1.0",
         modules=(("data_pack/__init__.py", "__version__ = '1.0'\n"),
                  ("data_pack.pth", "import os; os.environ['DATA_PACK_PTH'] = 'ran'\n")),
         data=(("share/data-pack/readme.txt", "shared data 1.0\n"),
               ("etc/data-pack/settings.ini", "[data-pack]\ncolour = blue\n"))),
    # Bytecode compiled at filling and after: a regular package (reached through one link
    # to its folder), a top-level module and a pkgutil-style namespace package (reached
    # through real folders of links when another distribution shares them).
    Dist("byte-pack", "1.0",
         modules=(("byte_pack/__init__.py", "from byte_pack.core import VALUE\n"),
                  ("byte_pack/core.py", "VALUE = 42\n"),
                  ("byte_pack_top.py", "TOP = 'top'\n"),
                  ("bns/__init__.py", "__path__ = __import__('pkgutil').extend_path("
                                      "__path__, __name__)\n"),
                  ("bns/inner.py", "INNER = 'inner'\n"))),
    TINYBACKEND,
    # A download large enough that uv names it while it runs.
    _bulky(),
)


# Releases published as a source distribution only, which uv builds with tinybackend.
SDISTS: tuple[Dist, ...] = (
    Dist("source-only", "1.0"),
)


def build_catalogue(wheel_dir: Path) -> None:
    for dist in CATALOGUE:
        build_wheel(dist, wheel_dir)
    for dist in SDISTS:
        build_sdist(dist, wheel_dir)
