"""Which modules are compiled while a store entry is filled: those a generation may reach
through a real folder of links, whose bytecode compiled later it would not see."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pyshelf.layout import Layout
from pyshelf.package_store.bytecode import busy, compiled_at_fill, interrupted

SITE = "lib/python3.12/site-packages"
PKGUTIL = b"__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
PKG_RESOURCES = b"__import__('pkg_resources').declare_namespace(__name__)\n"


def _chosen(files: dict[str, bytes]) -> list[str]:
    contents = {f"{SITE}/{name}": content for name, content in files.items()}
    recorded = [*contents, f"{SITE}/pkg-1.0.dist-info/RECORD", "bin/tool"]
    chosen = compiled_at_fill(SITE, recorded, read=lambda path: contents[path])
    return [path.removeprefix(f"{SITE}/") for path in chosen]


def test_top_level_modules_are_compiled_at_fill_and_regular_packages_later() -> None:
    assert _chosen({"six.py": b"", "black/__init__.py": b"", "black/nodes.py": b"",
                    "black/linegen/__init__.py": b"", "black/linegen/x.py": b"",
                    "_black_version.py": b"", "black/data.txt": b""}) \
        == ["six.py", "_black_version.py"]


def test_namespace_packages_are_compiled_down_to_their_regular_packages() -> None:
    assert _chosen({"google/protobuf/__init__.py": b"", "google/protobuf/message.py": b"",
                    "nsp/helper.py": b"", "zope/__init__.py": PKG_RESOURCES,
                    "zope/interface/__init__.py": b"", "backports/__init__.py": PKGUTIL,
                    "backports/tarfile.py": b""}) \
        == ["nsp/helper.py", "zope/__init__.py", "backports/__init__.py",
            "backports/tarfile.py"]


def test_a_package_whose_init_cannot_be_read_counts_as_a_namespace() -> None:
    def unreadable(path: str) -> bytes:
        raise OSError(path)

    recorded = [f"{SITE}/odd/__init__.py", f"{SITE}/odd/mod.py"]
    assert compiled_at_fill(SITE, recorded, read=unreadable) == recorded


KEY = "0123456789abcdef"


def _marker(tmp_path: Path, *, thawed: bool = False) -> tuple[Layout, Path]:
    layout = Layout(tmp_path)
    layout.bytecode.mkdir()
    marker = layout.bytecode / KEY
    marker.write_text("/usr/bin/python3\n")
    if thawed:
        (layout.bytecode / f"{KEY}.thawed").touch()
    return layout, marker


def _holding(marker: Path) -> int:
    """A descriptor holding ``marker``'s lock, as the compiling child holds it."""
    fd = os.open(marker, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_an_entry_a_child_is_compiling_is_busy_until_it_lets_go(tmp_path: Path) -> None:
    layout, marker = _marker(tmp_path)
    assert busy(layout) == set()
    fd = _holding(marker)
    assert busy(layout) == {KEY}
    os.close(fd)
    assert busy(layout) == set()


def test_an_open_entry_is_interrupted_only_when_no_child_holds_it(tmp_path: Path) -> None:
    layout, marker = _marker(tmp_path, thawed=True)
    fd = _holding(marker)
    assert interrupted(layout) == []
    os.close(fd)
    assert interrupted(layout) == [marker]


def test_an_entry_waiting_for_its_compile_is_not_interrupted(tmp_path: Path) -> None:
    layout, _ = _marker(tmp_path)
    assert interrupted(layout) == []
