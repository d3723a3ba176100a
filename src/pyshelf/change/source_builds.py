"""The packages a change will build from source, found before its plan is shown.

Most changes build nothing: every package they keep is installed already, from a wheel uv
still has in its cache. So only the packages no generation on disk holds at their locked
version are looked up, with one ``uv pip compile --no-deps`` of their pins into a PEP 751
lock, from uv's cache (which the resolve just filled) before the index. uv lists there only
the wheels the target interpreter can install, judged by its own tags as it judges them when
it installs, so a package listed with an sdist alone is one it builds. The target's tags are
waited for only to judge a wheel another Python's generation holds; the pure part is
:mod:`pyshelf.core.source_builds`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from pathlib import Path

from pyshelf.core.graph import same_version
from pyshelf.core.lockfile import load_toml
from pyshelf.core.model import Lock, LockedPackage
from pyshelf.core.source_builds import SourceBuild, builds, tags_fit, without_wheel
from pyshelf.engine.interpreter import same_minor
from pyshelf.engine.processes import Engine
from pyshelf.errors import PyshelfError
from pyshelf.layout import Layout
from pyshelf.venv import dist_info, paths


def source_builds(engine: Engine, layout: Layout, lock: Lock, python: str, version: str,
                  generations: Sequence[Path], target_tags: Callable[[], Set[str]]
                  ) -> list[SourceBuild]:
    """The index packages of ``lock`` that uv will build for ``python`` (Python
    ``version``). A wheel one of ``generations`` (folders on disk, the current one first)
    holds at the locked version is in uv's cache, a build from source included: a
    generation on the target's minor version holds only wheels that fit it, one on another
    holds those that fit ``target_tags()``."""
    wanted = {name: package for name, package in lock.packages.items() if package.url is None}
    same = [gen_dir for gen_dir in generations
            if any(same_minor(held, version) for held in paths.python_versions(gen_dir))]
    for gen_dir in same:
        wanted = _not_held(wanted, gen_dir, None)
        if not wanted:
            return []
    from pyshelf.change.resolve import pylock  # only what no generation holds is asked

    text = pylock(engine, layout, wanted.values(), python, label="source-builds",
                  no_deps=True, prefer_cache=True, quiet=True)
    try:
        no_wheel = without_wheel(load_toml(text))
    except ValueError as exc:
        raise PyshelfError("uv wrote a pylock.toml that pyshelf cannot read.",
                           detail=text) from exc
    wanted = {name: package for name, package in wanted.items() if name in no_wheel}
    for gen_dir in (gen_dir for gen_dir in generations if gen_dir not in same):
        if not wanted:
            break
        wanted = _not_held(wanted, gen_dir, target_tags())
    return builds(wanted.values())


def _not_held(wanted: Mapping[str, LockedPackage], gen_dir: Path, tags: Set[str] | None
              ) -> dict[str, LockedPackage]:
    """``wanted`` less the packages ``gen_dir`` holds at their locked version, installed
    from a wheel that fits ``tags`` (None: any wheel it holds fits)."""
    site = paths.site_packages(gen_dir)
    if site is None:
        return dict(wanted)
    held = set()
    for folder in dist_info.folders(site):
        name, version = dist_info.name_and_version(folder)
        package = wanted.get(name)
        if package is not None and same_version(package.version, version) and (
                tags is None or tags_fit(dist_info.wheel_tags(folder), tags)):
            held.add(name)
    return {name: package for name, package in wanted.items() if name not in held}
