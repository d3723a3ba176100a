"""What tools wrote into an environment's writable folders, carried into the next one.

``jupyter labextension disable`` rewrites ``etc/jupyter/...``, ``ipykernel install
--sys-prefix`` adds ``share/jupyter/kernels/...``: state a person made with the shelf's tools,
which a change must not lose. In those folders (:data:`compose.WRITABLE`) a file is the
environment's own when the composition did not put it there, or put it there with other
contents; for a venv installed whole (an older generation) when no package's ``RECORD``
lists it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pyshelf.package_store.compose import WRITABLE, file_digest, read_composition, write_own_file
from pyshelf.venv import dist_info, paths


def written_by_tools(venv: Path) -> list[str]:
    """Prefix-relative paths of the files tools wrote into ``venv``'s writable folders."""
    files = [path for part in WRITABLE for path in _regular_files(venv / part)]
    if not files:
        return []
    composition = read_composition(venv)
    if composition is not None:
        def tools_wrote(path: Path) -> bool:
            digest = composition.copied.get(path.relative_to(venv).as_posix())
            return digest is None or digest != file_digest(path)
    else:
        recorded = _recorded(venv)

        def tools_wrote(path: Path) -> bool:
            return path not in recorded
    return sorted(path.relative_to(venv).as_posix() for path in files if tools_wrote(path))


def carry(previous: Path, venv: Path) -> list[str]:
    """Copy into ``venv`` what tools wrote into ``previous``; the paths carried."""
    carried = written_by_tools(previous)
    for relative in carried:
        source, target = previous / relative, venv / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() and target.is_dir():
            continue  # a package's folder stands there now; it is not overwritten
        write_own_file(target, source.read_bytes(), os.lstat(source).st_mode)
    return carried


def kept_line(carried: Sequence[str], environment: str) -> str:
    """What a change says it kept, so that a person who changed a setting sees it was not
    lost (and where to look if it should have been)."""
    return (f"Kept {len(carried)} file(s) that tools wrote into {environment}: "
            f"{', '.join(carried)}.")


def _regular_files(folder: Path) -> list[Path]:
    """Real files below ``folder``, not following links (a link is the store's)."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not Path(root, d).is_symlink()]
        found += [Path(root, name) for name in files if not Path(root, name).is_symlink()]
    return found


def _recorded(venv: Path) -> set[Path]:
    site = paths.site_packages(venv)
    if site is None:
        return set()
    return {path for folder in dist_info.folders(site)
            for path in dist_info.recorded_files(folder)}
