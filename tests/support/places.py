"""Places no shell config, bin dir or launcher can be, and a user that file permissions
stop, for the tests showing that a setting pointed at such a place changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.support.sandbox import Sandbox, pyshelf_script

# What a test can make at a path, as root too, that nothing can be written through.
UNUSABLE = ("directory", "dangling symlink", "symlink loop")

# The one word of pyshelf's sentence about each.
WORDS = {"directory": "is a directory", "dangling symlink": "does not exist",
         "symlink loop": "symlink loop", "unreadable": "permission denied"}

NOBODY = 65534


def make_unusable(path: Path, kind: str) -> None:
    """A directory; a symlink into a folder that does not exist (so neither the file nor its
    folder can be made through it); or two symlinks pointing at each other."""
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling symlink":
        path.symlink_to(path.parent / "gone" / path.name)
    elif kind == "symlink loop":
        other = path.with_name(path.name + ".loop")
        path.symlink_to(other)
        other.symlink_to(path)
    else:
        raise ValueError(kind)


def unprivileged(argv: list[str]) -> list[str]:
    """``argv`` run by someone file permissions apply to: root reads every file, so as root
    it runs as nobody; anyone else runs it as themselves."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("setpriv") is None:
        pytest.skip("running as another user needs setpriv(1)")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def run_unprivileged(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(unprivileged([str(pyshelf_script()), *args]), env=sandbox.env,
                          cwd=sandbox.home, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120, check=False)


def hand_over(path: Path) -> None:
    """Give ``path`` and everything in it to whoever :func:`run_unprivileged` runs as."""
    if os.geteuid() != 0:
        return
    for folder, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.lchown(Path(folder) / name, NOBODY, NOBODY)
    os.lchown(path, NOBODY, NOBODY)


def unreadable_file(path: Path) -> None:
    """A file its owner may read, owned by someone other than who runs pyshelf."""
    path.write_text("# someone else's\n")
    path.chmod(0o600)
    if os.geteuid() != 0:
        path.chmod(0o200)  # its owner is the one running pyshelf: only the mode can stop them
