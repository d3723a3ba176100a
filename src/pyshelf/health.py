"""Facts about a shelf's health, shared by ``status`` (which shows them) and ``doctor`` (which
checks and repairs them). Everything here reads the filesystem and the database; the one
process started is the person's own shell, for ``doctor`` only, to learn what a new terminal
gets: its startup files may take a second, which a glance at ``status`` must not wait for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyshelf.engine.interpreter import InterpreterCheck, check_interpreter
from pyshelf.errors import PyshelfError
from pyshelf.generations.folders import gen_entries, generation_ids_on_disk
from pyshelf.generations.recovery import env_target
from pyshelf.host.shell_block import ShellKind, has_block, shell_kind_for_path, why_new_shell_skips
from pyshelf.host.shell_setup import modifies_shell
from pyshelf.layout import generation_link
from pyshelf.shelf import Shelf

if TYPE_CHECKING:
    from pyshelf.engine.processes import NewShell


def interpreter_health(shelf: Shelf, gen_id: int) -> InterpreterCheck:
    return check_interpreter(shelf.state.interpreter(gen_id), shelf.layout.gen_python(gen_id))


@dataclass(frozen=True)
class ShellHealth:
    config: Path | None
    blocks: int  # complete pyshelf blocks in the config
    problem: str | None  # why the config could not be read, if it could not
    new_shell: NewShell | None  # None: not started (status), or it could not be
    shelf_python3: Path
    kind: ShellKind = "bash"  # the shell started to look, chosen by the config's name
    managed: bool = True  # False: modify_shell is off, and PATH is the person's to set

    @property
    def finds_shelf_python(self) -> bool:
        """Whether the shell's python3 is the one in the shelf's bin (compared by folder:
        the file itself is a symlink to the base interpreter, like every venv's)."""
        found = self.new_shell.python3 if self.new_shell else None
        if not found:
            return False
        return (Path(found).name == self.shelf_python3.name and
                os.path.realpath(Path(found).parent) == os.path.realpath(self.shelf_python3.parent))

    def new_shell_has(self, directory: Path | str) -> bool:
        if self.new_shell is None:
            return False
        wanted = os.path.realpath(directory)
        return any(entry and os.path.realpath(entry) == wanted for entry in self.new_shell.path)

    def skipped_because(self) -> str | None:
        """Why the new shell never reads the config by itself (None if it does): the one
        cause of a missing block's effect that no edit inside the config can cure."""
        if self.config is None:
            return None
        return why_new_shell_skips(self.config, self.kind, Path.home(), os.environ)


def shell_health(shelf: Shelf, *, probe: bool = True) -> ShellHealth:
    """The shell config's facts and, with ``probe``, what a new shell gets."""
    shelf_python3 = shelf.layout.env_bin / "python3"
    config = shelf.setting("shell_config")
    if not config:
        return ShellHealth(None, 0, None, None, shelf_python3)
    rc = Path(config)
    blocks, problem = 0, None
    try:
        blocks = has_block(rc.read_bytes())
    except FileNotFoundError:
        pass
    except (OSError, PyshelfError) as exc:
        problem = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
    kind = shell_kind_for_path(rc)
    new_shell = _probe(shelf, kind) if probe else None
    return ShellHealth(rc, blocks, problem, new_shell, shelf_python3, kind,
                       managed=modifies_shell(shelf))


def _probe(shelf: Shelf, kind: ShellKind) -> NewShell | None:
    import shutil

    from pyshelf.engine.processes import probe_new_shell

    executable = shutil.which(kind)
    return probe_new_shell(executable, _path_without_shelf(shelf)) if executable else None


def _path_without_shelf(shelf: Shelf) -> str:
    """This process's PATH minus the shelf's own directories, so the probe shows what the
    startup files add rather than what this terminal already had."""
    ours = {os.path.realpath(shelf.layout.env_bin)}
    if shelf.setting("bin_dir"):
        ours.add(os.path.realpath(str(shelf.setting("bin_dir"))))
    entries = os.environ.get("PATH", "").split(":")
    return ":".join(e for e in entries if e and os.path.realpath(e) not in ours)


def env_in_place(shelf: Shelf) -> bool:
    """``env`` leads to the current generation, which is on disk: only then can what a shell
    or an app link finds through it say anything about the shell or the link (otherwise the
    generations check names the one cause)."""
    current = shelf.state.current_generation_id()
    return (current is not None and shelf.layout.gen_dir(current).is_dir()
            and env_target(shelf.layout) == generation_link(current))


def unknown_generations(shelf: Shelf) -> list[int]:
    """Directories in ``gens/`` the database does not know as on disk."""
    states = shelf.state.generation_states()
    return [g for g in generation_ids_on_disk(shelf.layout) if states.get(g) != "ready"]


def foreign_entries(shelf: Shelf) -> list[Path]:
    """What lies in ``gens/`` that no pyshelf made: symlinks, files, oddly named folders."""
    return sorted(e for e in gen_entries(shelf.layout)
                  if e.is_symlink() or not e.is_dir() or not e.name.isdigit())


def missing_generations(shelf: Shelf) -> list[int]:
    """Generations the database believes are on disk but are not."""
    on_disk = set(generation_ids_on_disk(shelf.layout))
    return [g for g, s in shelf.state.generation_states().items()
            if s == "ready" and g not in on_disk]
