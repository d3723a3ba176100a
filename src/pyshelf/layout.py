"""Where every file and folder of a shelf lives: the home's, and the launcher in the bin dir.

One place computes paths so that no other module builds them by hand; moving a file is then a
one-line change and a test can point a whole shelf anywhere by choosing its home. Paths
inside one of its venvs are ``venv/paths.py``'s.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from pyshelf.core.records import NamedTuple
from pyshelf.venv import paths
from pyshelf.xdg import base_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

THAWED = ".thawed"  # a bytecode marker's companion while its entry is writable


def default_home(environ: Mapping[str, str]) -> Path:
    """The shelf home: ``PYSHELF_HOME``, else ``$XDG_DATA_HOME/pyshelf`` (``~/.local/share``)."""
    if environ.get("PYSHELF_HOME"):
        return Path(environ["PYSHELF_HOME"]).expanduser().absolute()
    return base_dir("XDG_DATA_HOME", environ, Path.home()) / "pyshelf"


def entries(folder: Path) -> list[Path]:
    """Everything in ``folder``, whatever it is (none if it cannot be listed)."""
    return [folder / name for name in _names(folder)]


def home_entries(folder: Path) -> list[Path]:
    """The entries of one of the home's folders, or none when it is a symlink: a listing
    taken through one would name, and lead deletions to, things outside the home."""
    return [folder / name for name in home_names(folder)]


def home_names(folder: Path) -> list[str]:
    """The names :func:`home_entries` lists, without a path made for each: every command's
    check for an interrupted pyshelf reads the store's listing, and only names."""
    return [] if folder.is_symlink() else _names(folder)


def _names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as found:
            return [entry.name for entry in found]
    except OSError:
        return []


def generation_link(gen_id: int) -> str:
    """What ``env`` holds when it points at ``gens/<id>``: relative, so the home can move."""
    return str(Path("gens") / str(gen_id))


def default_bin_dir() -> Path:
    """Where apps' launch links go; ``~/.local/bin`` is already on PATH on most systems."""
    return Path.home() / ".local" / "bin"


LAUNCHER = "pyshelf"


def launcher_path(bin_dir: Path) -> Path:
    """The launcher ``host/launcher.py`` writes into the bin dir (or finds another
    installer's ``pyshelf`` in its place)."""
    return bin_dir / LAUNCHER


ISOLATED_LINKS = "pyshelf-isolated"


class Layout(NamedTuple):
    """The paths of one shelf, all derived from its home."""

    home: Path

    @property
    def state_db(self) -> Path:
        return self.home / "state.db"

    @property
    def gens(self) -> Path:
        return self.home / "gens"

    @property
    def env(self) -> Path:
        """The symlink to the current generation, the one path the shell block mentions."""
        return self.home / "env"

    @property
    def env_bin(self) -> Path:
        return paths.bin_dir(self.env)

    @property
    def work(self) -> Path:
        """Scratch space for resolving; on the shelf's filesystem so renames stay atomic."""
        return self.home / "work"

    @property
    def store(self) -> Path:
        """Installed distributions, each once, that generations are composed of by links."""
        return self.home / "store"

    @property
    def bytecode(self) -> Path:
        """One file per store entry whose bytecode is still to be compiled, named by its
        key and holding the interpreter to compile it with; ``<key>`` + ``THAWED`` while a
        child has the entry's folders open."""
        return self.home / "bytecode"

    @property
    def trash(self) -> Path:
        """Collected generations wait here to be deleted, outside ``gens/``."""
        return self.home / "trash"

    @property
    def app(self) -> Path:
        """pyshelf's own copies; ``app/current`` is the one the launcher runs."""
        return self.home / "app"

    @property
    def app_current(self) -> Path:
        return self.app / "current"

    @property
    def isolated(self) -> Path:
        """Environments of isolated apps, each used by the generations that link it."""
        return self.home / "isolated"

    def isolated_links(self, gen_id: int) -> Path:
        """Inside a generation: one symlink per isolated app to its environment, so that
        switching ``env`` switches the apps' versions too."""
        return self.gen_dir(gen_id) / ISOLATED_LINKS

    def isolated_link_target(self, gen_id: int, env_dir: str) -> Path:
        """What an isolated app's link in ``gens/<id>`` holds: relative, so the home can
        move."""
        return Path(os.path.relpath(self.isolated / env_dir, self.isolated_links(gen_id)))

    def current_isolated(self, app: str) -> Path:
        """An isolated app's environment as the current generation links it, through
        ``env``, so links made through it follow every switch."""
        return self.env / ISOLATED_LINKS / app

    @property
    def runs(self) -> Path:
        """``pyshelf run``'s throw-away environments, one per request; never on the shelf."""
        return self.home / "runs"

    @property
    def lock_file(self) -> Path:
        return self.home / "lock"

    @contextmanager
    def scratch(self, label: str) -> Iterator[Path]:
        """A fresh folder under ``work/`` for one process's uv input and output, removed
        afterwards whatever happens (refused when ``work`` is a symlink). The removal
        module is imported here: a report, which makes no scratch, does without it."""
        from pyshelf.removal import real_folder, remove

        folder = real_folder(self.home, self.work.name) / f"{label}-{os.getpid()}"
        remove(self.home, folder, ignore_errors=True)
        folder.mkdir()
        try:
            yield folder
        finally:
            remove(self.home, folder, ignore_errors=True)

    def gen_dir(self, gen_id: int) -> Path:
        return self.gens / str(gen_id)

    def gen_python(self, gen_id: int) -> Path:
        return paths.python(self.gen_dir(gen_id))

