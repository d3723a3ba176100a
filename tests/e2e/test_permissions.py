"""What pyshelf and its uv create follows the person's umask, and is never world-writable.

The shelf holds code the person runs (site-packages, console scripts, the launcher on PATH):
a file any local user can rewrite there is a way into the person's account.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.support.sandbox import Sandbox, pyshelf_script


def run_with_umask(sandbox: Sandbox, mask: int, *args: str) -> None:
    """Run pyshelf as a shell with umask ``mask`` would, and require it to succeed."""
    proc = subprocess.run(
        ["sh", "-c", f'umask {mask:03o}; exec "$0" "$@"', str(pyshelf_script()), *args],
        env=sandbox.env, cwd=sandbox.home, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120, check=False,
    )
    assert proc.returncode == 0, f"{args}: {proc.stderr}"


def set_up(sandbox: Sandbox, mask: int) -> None:
    run_with_umask(sandbox, mask, "init", "--python", str(sandbox.base_python), "--yes")
    run_with_umask(sandbox, mask, "install", "beta", "--yes")


def created_by_pyshelf(sandbox: Sandbox) -> Iterator[Path]:
    """Every file and directory under the shelf home and the bin dir, and the folders
    pyshelf made to hold them (symlinks are left out: their mode means nothing)."""
    for parent in (sandbox.shelf_home, sandbox.bin_dir):
        folder = parent
        while folder != sandbox.home:  # ~/.local and ~/.local/share are pyshelf's too
            yield folder
            folder = folder.parent
        for root, dirs, files in os.walk(parent):
            for name in dirs + files:
                path = Path(root) / name
                if not path.is_symlink():
                    yield path


def test_nothing_is_world_writable_under_umask_000(sandbox: Sandbox) -> None:
    set_up(sandbox, 0o000)
    paths = list(created_by_pyshelf(sandbox))
    assert any(p.name == "pyshelf-lock.txt" for p in paths)  # the walk saw the generation
    # uv's own gens/<N>/.lock included: uv makes it 0o666 on purpose, pyshelf takes the bit off
    writable = sorted(str(p) for p in paths if p.lstat().st_mode & stat.S_IWOTH)
    assert writable == []
    # ... and the umask only lost "others write": the group keeps what the person allowed.
    assert stat.S_IMODE(sandbox.shelf_home.stat().st_mode) == 0o775


def test_a_strict_umask_is_kept(sandbox: Sandbox) -> None:
    set_up(sandbox, 0o077)
    gen = (sandbox.shelf_home / "env").readlink()
    # Only what pyshelf writes itself: uv hard-links package files from its cache, and those
    # keep the mode they got when the cache (shared by every test) was filled.
    own = [sandbox.shelf_home / "state.db", sandbox.shelf_home / gen / "pyshelf-lock.txt",
           sandbox.bin_dir / "pyshelf", sandbox.shelf_home, sandbox.shelf_home / "gens"]
    modes = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in own}
    assert {p: m for p, m in modes.items() if int(m, 8) & 0o077} == {}


def test_no_file_in_the_home_is_world_writable_after_every_kind_of_environment(sandbox):
    """``find -perm -o+w`` over the whole home: generations, isolated apps' environments and
    ``pyshelf run``'s, whose uv lock files uv makes 0o666."""
    set_up(sandbox, 0o000)
    run_with_umask(sandbox, 0o000, "install", "--isolated", "shared-user", "--yes")
    run_with_umask(sandbox, 0o000, "run", "argv-tool")

    found = subprocess.run(["find", str(sandbox.shelf_home), "-perm", "-o+w", "!", "-type", "l"],
                           capture_output=True, text=True, check=True).stdout.split()

    assert any((sandbox.shelf_home / "runs").iterdir())
    assert found == []
