"""The peers: each tool driven through its command line, in an area of its own."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from uv import find_uv_bin

from peerbench.pythons import Python
from peerbench.running import Command, execute

PYSHELF = Path(sys.executable).parent / "pyshelf"
UV = Path(find_uv_bin())


@dataclass
class Settings:
    """What every peer shares: interpreters, index, limits and the cleaned environment."""

    scratch: Path
    old: Python
    new: Python | None
    trkpac_python: Python | None
    index_url: str | None
    timeout: float
    env: dict[str, str]


class PeerUnavailable(Exception):
    """The peer cannot take part on this machine; the report says why."""


def delete_tree(root: Path) -> None:
    """``shutil.rmtree`` once every folder is writable: pyshelf's store entries are
    read-only folders, which nobody but root could empty otherwise."""
    for folder, _, _ in os.walk(root):
        Path(folder).chmod(0o700)
    shutil.rmtree(root, ignore_errors=True)


class Peer(ABC):
    """One tool, driven through its command line in its own area under the scratch directory.

    ``fresh`` starts a run: a new empty HOME (the previous one is deleted, so the disk walks
    stay short) and whatever the tool needs before its first install. Caches and the tool
    itself live beside the HOMEs and outlast the runs.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    apps_only: ClassVar[bool] = False
    # Driven by pip: each run takes ten to a hundred times as long as pyshelf's, so it gets
    # fewer timed runs (--slow-runs); no target rests on the median of its slow operations.
    slow: ClassVar[bool] = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.area = settings.scratch / self.key
        self.runs = 0
        self.home = self.area / "home-0"
        self.home.mkdir(parents=True)
        (self.area / "bin").mkdir()
        self.log: list[Command] = []
        self.commands: dict[str, list[Command]] = {}

    def environment(self) -> dict[str, str]:
        env = dict(self.settings.env)
        path = [str(self.area / "bin"), str(self.home / ".local" / "bin"), env.get("PATH", "")]
        env.update(HOME=str(self.home), PATH=os.pathsep.join(path),
                   PIP_CACHE_DIR=str(self.area / "pip-cache"),
                   UV_CACHE_DIR=str(self.area / "uv-cache"))
        env.update(self.tool_environment())
        return env

    def tool_environment(self) -> dict[str, str]:
        """Variables this tool needs to keep everything inside the run's HOME."""
        return {}

    def run(self, *argv: str | Path, answers: tuple[tuple[str, str], ...] = (),
            stdout_to: Path | None = None) -> str:
        command = Command(tuple(str(arg) for arg in argv), self.home, answers, stdout_to)
        self.log.append(command)
        return execute(command, self.environment(), self.settings.timeout)

    def install_tool(self, python: Python, requirement: str, *, seed: bool = False) -> None:
        """Put the tool into a venv of its own in the area, from the index (not timed)."""
        self.run(UV, "venv", "-q", *(["--seed"] if seed else []), "--python", python.path,
                 self.tool_bin.parent)
        self.run(UV, "pip", "install", "-q", "--python", self.tool_bin / "python", requirement)

    @property
    def tool_bin(self) -> Path:
        """Where ``install_tool`` puts the tool's commands."""
        return self.area / "tool" / "bin"

    def prepare(self) -> None:  # noqa: B027 (a hook: tools already at hand need nothing)
        """Install the tool itself; raise PeerUnavailable when it cannot run here."""

    def versions(self) -> dict[str, str]:
        """The versions of the tool, for the machine facts."""
        return {}

    def notes(self) -> list[str]:
        """What the reader must know to read this peer's numbers."""
        return []

    def fresh(self) -> None:
        delete_tree(self.home)
        self.runs += 1
        self.home = self.area / f"home-{self.runs}"
        self.home.mkdir()
        self.setup()

    def setup(self) -> None:  # noqa: B027 (a hook: some tools start from an empty HOME)
        """Make the empty setup a person starts from (an empty shelf, an empty venv)."""

    def settle(self) -> None:  # noqa: B027 (a hook: most tools leave nothing running)
        """Wait for what the tool's last command left running to finish, as the seconds
        before a person's next command would."""

    def disk_roots(self) -> list[Path]:
        """Where the install's disk use is counted: the whole area, caches included."""
        return [self.area]

    @abstractmethod
    def install(self, packages: tuple[str, ...]) -> None: ...

    @abstractmethod
    def list(self) -> None: ...

    @abstractmethod
    def add(self, package: str) -> None: ...

    @abstractmethod
    def remove(self, package: str) -> None: ...

    @abstractmethod
    def undo(self, package: str) -> None: ...

    @abstractmethod
    def rebuild(self, python: Python) -> None: ...


class Pyshelf(Peer):
    key = "pyshelf"
    title = "pyshelf"

    @property
    def shelf_home(self) -> Path:
        return self.home / ".local" / "share" / "pyshelf"

    def shelf(self, *args: str | Path) -> str:
        return self.run(PYSHELF, "--home", self.shelf_home, *args)

    def versions(self) -> dict[str, str]:
        return {"pyshelf": self.run(PYSHELF, "--version").strip()}

    def notes(self) -> list[str]:
        return ["undo is `pyshelf undo`: a switch back to the generation before the removal.",
                "each pyshelf command is timed once the trash is empty and no store entry "
                "waits for its bytecode: the deletion and the compile a change leaves to "
                "detached children have ended, as they have by a person's next command."]

    def setup(self) -> None:
        self.shelf("init", "--python", self.settings.old.path, "--yes", "--no-modify-shell",
                   "--bin-dir", self.shelf_home / "bin")

    def install(self, packages: tuple[str, ...]) -> None:
        self.shelf("install", "--yes", *packages)

    def list(self) -> None:
        self.shelf("list")

    def add(self, package: str) -> None:
        self.shelf("install", "--yes", package)

    def remove(self, package: str) -> None:
        self.shelf("remove", "--yes", package)

    def undo(self, package: str) -> None:
        self.shelf("undo", "--yes")

    def rebuild(self, python: Python) -> None:
        self.shelf("rebuild", "--yes", "--python", python.path)

    def settle(self) -> None:
        """Wait (a minute at most) until the trash is empty and no store entry waits for
        its bytecode: a change leaves the deletion of collected generations and the
        compile of its new entries to detached children, which would otherwise share the
        two cores with the next timed command (and ``gc`` would time the deletion as its
        own)."""
        busy = [self.shelf_home / "trash", self.shelf_home / "bytecode"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(f.is_dir() and any(f.iterdir())
                                                  for f in busy):
            time.sleep(0.01)

    def rollback(self, generation: int) -> None:
        self.shelf("rollback", "--yes", "--to", str(generation))

    def status(self) -> None:
        self.shelf("status")

    def gc(self) -> None:
        self.shelf("gc")

    def keep_generations(self, count: int) -> None:
        self.shelf("config", "set", "keep_generations", str(count))

    def package_count(self) -> int:
        return int(json.loads(self.shelf("list", "--json"))["summary"]["total"])

    def current_generation(self) -> int:
        """The generation ``env`` leads to (``gens/N``), read from the link itself."""
        return int((self.shelf_home / "env").readlink().name)

    def generation_dir(self, generation: int) -> Path:
        return self.shelf_home / "gens" / str(generation)

    def generations_on_disk(self) -> set[int]:
        return {int(entry.name) for entry in (self.shelf_home / "gens").iterdir()
                if entry.name.isdigit()}

    def pinned_generations(self) -> set[int]:
        return {int(snapshot["generation"])
                for snapshot in json.loads(self.shelf("snapshots", "--json"))}

    def lock(self) -> Path:
        return self.shelf_home / "env" / "pyshelf-lock.txt"

    def reference_rebuild(self, python: Python) -> None:
        """What the rebuild costs at least: a venv and a sync of the very same lock, by uv."""
        venv = self.home / "reference"
        self.run(UV, "venv", "-q", "--python", python.path, venv)
        self.run(UV, "pip", "sync", "-q", "--python", venv / "bin" / "python", self.lock())


class Pipx(Peer):
    apps_only = True
    backend: ClassVar[str]

    def tool_environment(self) -> dict[str, str]:
        data = self.home / ".local" / "share"
        return {"PIPX_DEFAULT_BACKEND": self.backend, "PIPX_HOME": str(data / "pipx"),
                "PIPX_BIN_DIR": str(self.home / ".local" / "bin"),
                "PIPX_MAN_DIR": str(data / "man"),
                "PIPX_SHARED_LIBS": str(self.area / "pipx-shared")}

    def prepare(self) -> None:
        self.install_tool(self.settings.old, "pipx>=1.18,<1.19")

    def versions(self) -> dict[str, str]:
        return {"pipx": self.pipx("--version").strip()}

    def notes(self) -> list[str]:
        return ["pipx's shared pip (`PIPX_SHARED_LIBS`) is kept across runs, as a person's "
                "is after their first pipx install; undo is installing the package again."]

    def pipx(self, *args: str | Path) -> str:
        return self.run(self.tool_bin / "pipx", *args)

    def install(self, packages: tuple[str, ...]) -> None:
        self.pipx("install", "--python", self.settings.old.path, *packages)

    def list(self) -> None:
        self.pipx("list")

    def add(self, package: str) -> None:
        self.pipx("install", "--python", self.settings.old.path, package)

    def remove(self, package: str) -> None:
        self.pipx("uninstall", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.pipx("reinstall-all", "--python", python.path)


class PipxPip(Pipx):
    key = "pipx-pip"
    title = "pipx (pip)"
    backend = "pip"
    slow = True


class PipxUv(Pipx):
    key = "pipx-uv"
    title = "pipx (uv)"
    backend = "uv"

    def prepare(self) -> None:
        super().prepare()
        (self.area / "bin" / "uv").symlink_to(UV)  # pipx finds its uv backend on PATH


class UvTool(Peer):
    key = "uv-tool"
    title = "uv tool"
    apps_only = True

    def tool_environment(self) -> dict[str, str]:
        return {"UV_TOOL_DIR": str(self.home / ".local" / "share" / "uv" / "tools"),
                "UV_TOOL_BIN_DIR": str(self.home / ".local" / "bin")}

    def notes(self) -> list[str]:
        return ["uv tool installs one package per command, so install runs one command per "
                "package; undo is installing the package again."]

    def uv_tool(self, *args: str | Path) -> str:
        return self.run(UV, "tool", *args)

    def install(self, packages: tuple[str, ...]) -> None:
        for package in packages:
            self.add(package)

    def list(self) -> None:
        self.uv_tool("list")

    def add(self, package: str) -> None:
        self.uv_tool("install", "--python", self.settings.old.path, package)

    def remove(self, package: str) -> None:
        self.uv_tool("uninstall", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.uv_tool("upgrade", "--all", "--reinstall", "--python", python.path)


class Trkpac(Peer):
    key = "py-trkpac"
    title = "py-trkpac"
    slow = True
    # Every confirmation yes; every numbered choice its first option, which goes ahead
    # (upgrade, or make a dependency explicit, as pyshelf does).
    ANSWERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("[Y/n] ", "y"), ("[y/N] ", "y"), ("Choice: ", "1"))

    def prepare(self) -> None:
        python = self.settings.trkpac_python
        if python is None:
            raise PeerUnavailable("py-trkpac needs Python 3.13 or newer, and none was found")
        self.install_tool(python, "py-trkpac", seed=True)  # it runs pip from its own venv

    def versions(self) -> dict[str, str]:
        return {"py-trkpac": self.trkpac("--version").strip()}

    def notes(self) -> list[str]:
        python = self.settings.trkpac_python
        where = f"{python.path} ({python.minor})" if python else "its own interpreter"
        return [f"py-trkpac installs with the interpreter it runs on, {where}, not the old "
                "Python, and its rebuild reinstalls for that same interpreter: it cannot move "
                "a setup from one Python to another. Its questions are answered as they come: "
                "`y` to each confirmation, `1` (upgrade, or make a dependency explicit) to "
                "each choice. Undo is installing the package again. It records a requirement "
                "with extras (`python-lsp-server[all]`) as a dependency, so its rebuild does "
                "not reinstall that package."]

    def trkpac(self, *args: str | Path) -> str:
        # It finds its database only at ~/python-libraries, so that is the target.
        return self.run(self.tool_bin / "py-trkpac", *args, answers=self.ANSWERS)

    def setup(self) -> None:
        self.trkpac("init", "--target", self.home / "python-libraries", "--no-launcher")

    def install(self, packages: tuple[str, ...]) -> None:
        self.trkpac("install", *packages)

    def list(self) -> None:
        self.trkpac("list")

    def add(self, package: str) -> None:
        self.trkpac("install", package)

    def remove(self, package: str) -> None:
        self.trkpac("remove", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        self.trkpac("rebuild")


class VenvPip(Peer):
    key = "venv-pip"
    title = "venv + pip"
    slow = True

    def notes(self) -> list[str]:
        return ["venv + pip: `pip uninstall` takes only the named package and leaves its "
                "dependencies behind; undo is `pip install` again; rebuild is a freeze, a "
                "new venv on the new Python and `pip install -r` of the freeze."]

    def pip(self, venv: Path, *args: str | Path, stdout_to: Path | None = None) -> str:
        return self.run(venv / "bin" / "pip", *args, stdout_to=stdout_to)

    @property
    def venv(self) -> Path:
        return self.home / "venv"

    def setup(self) -> None:
        self.run(self.settings.old.path, "-m", "venv", self.venv)

    def install(self, packages: tuple[str, ...]) -> None:
        self.pip(self.venv, "install", *packages)

    def list(self) -> None:
        self.pip(self.venv, "list")

    def add(self, package: str) -> None:
        self.pip(self.venv, "install", package)

    def remove(self, package: str) -> None:
        self.pip(self.venv, "uninstall", "-y", package)

    def undo(self, package: str) -> None:
        self.add(package)

    def rebuild(self, python: Python) -> None:
        frozen = self.home / "requirements.txt"
        self.pip(self.venv, "freeze", stdout_to=frozen)
        moved = self.home / "venv-new"
        self.run(python.path, "-m", "venv", moved)
        self.pip(moved, "install", "-r", frozen)


PEERS: tuple[type[Peer], ...] = (Pyshelf, PipxPip, PipxUv, UvTool, Trkpac, VenvPip)
