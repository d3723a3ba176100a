"""Composing a venv from store entries, and carrying what tools wrote, on folders made here."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pyshelf.package_store.carry import carry, written_by_tools
from pyshelf.package_store.compose import compose, read_composition
from pyshelf.package_store.entries import (
    ENTRY_FILE,
    LAYOUT,
    StoreEntry,
    freeze,
    measure,
    read_entry,
    relocate_scripts,
)
from pyshelf.venv.shebangs import RELOCATABLE_HEADER

SITE = "lib/python3.12/site-packages"


def make_entry(store: Path, name: str, files: dict[str, str], *, prefix: str = "/stage-1"
               ) -> StoreEntry:
    path = store / f"{name}-1.0-{'0' * 16}"
    for relative, content in files.items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(content)
    (path / ENTRY_FILE).write_text(json.dumps(
        {"name": name, "version": "1.0", "prefix": prefix, "site": SITE, "url": ""}))
    freeze(path)
    return StoreEntry(path=path, name=name, version="1.0", prefix=prefix, site=SITE, url="")


def make_short_entry(store: Path, name: str, key: str, files: dict[str, str]) -> StoreEntry:
    """An entry as pyshelf fills it now: named by its key, with its aliases."""
    path = store / key
    info = f"{name}-1.0.dist-info"
    for relative, content in {**files, f"{SITE}/{info}/METADATA": f"Name: {name}\n"}.items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(content)
    (path / ".p").symlink_to(SITE)
    (path / ".i").symlink_to(f".p/{info}")
    if (path / SITE / "__pycache__").is_dir():
        (path / ".c").symlink_to(".p/__pycache__")
    (path / ENTRY_FILE).write_text(json.dumps(
        {"name": name, "version": "1.0", "prefix": "/stage-1", "site": SITE, "url": "",
         "layout": LAYOUT, "dist_info": info}))
    freeze(path)
    entry = read_entry(path)
    assert entry is not None
    return entry


def fresh_venv(tmp_path: Path, name: str = "venv") -> Path:
    venv = tmp_path / name
    (venv / SITE).mkdir(parents=True)
    (venv / "bin").mkdir()
    return venv


def test_a_folder_one_entry_has_is_one_link_and_a_shared_one_is_merged(tmp_path):
    store = tmp_path / "store"
    one = make_entry(store, "one", {f"{SITE}/one/__init__.py": "", f"{SITE}/ns/a.py": "a"})
    two = make_entry(store, "two", {f"{SITE}/ns/b.py": "b", f"{SITE}/ns/sub/c.py": "c"})
    venv = fresh_venv(tmp_path)

    compose(venv, [one, two])

    site = venv / SITE
    assert (site / "one").is_symlink()
    assert (site / "ns").is_dir() and not (site / "ns").is_symlink()
    assert (site / "ns" / "a.py").read_text() == "a"
    assert (site / "ns" / "b.py").read_text() == "b"
    assert (site / "ns" / "sub").is_symlink()  # only two has it
    assert (site / "ns" / "sub" / "c.py").read_text() == "c"
    assert all(not p.readlink().is_absolute() for p in site.rglob("*") if p.is_symlink())
    assert read_composition(venv).entries == [one.path.name, two.path.name]


def test_scripts_name_the_venvs_python_and_the_later_entry_wins(tmp_path):
    store = tmp_path / "store"
    dep = make_entry(store, "dep", {"bin/tool": "#!/stage-1/bin/python\nprint('dep')\n"})
    app = make_entry(store, "app", {"bin/tool": "#!/stage-1/bin/python\nprint('app')\n",
                                    "bin/binary": "\x7fELF not a script"})
    venv = fresh_venv(tmp_path)

    compose(venv, [dep, app])

    tool = venv / "bin" / "tool"
    assert not tool.is_symlink()
    assert tool.read_text() == f"#!{venv}/bin/python\nprint('app')\n"
    assert os.access(tool, os.X_OK)
    assert (venv / "bin" / "binary").is_symlink()


def test_etc_is_copied_and_kernels_stay_real_folders(tmp_path):
    store = tmp_path / "store"
    entry = make_entry(store, "jup", {
        "etc/jupyter/conf.d/jup.json": "{}",
        "share/jupyter/kernels/python3/kernel.json": "{}",
        "share/jupyter/lab/static/app.js": "js",
    })
    venv = fresh_venv(tmp_path)

    composition = compose(venv, [entry])

    config = venv / "etc/jupyter/conf.d/jup.json"
    assert config.is_file() and not config.is_symlink()
    assert list(composition.copied) == ["etc/jupyter/conf.d/jup.json"]
    assert not (venv / "share/jupyter/kernels/python3").is_symlink()
    assert (venv / "share/jupyter/kernels/python3/kernel.json").is_symlink()
    assert (venv / "share/jupyter/lab").is_symlink()


def test_what_tools_wrote_is_carried_and_what_the_composition_put_is_not(tmp_path):
    store = tmp_path / "store"
    entry = make_entry(store, "jup", {
        "etc/jupyter/conf.d/jup.json": "{}",
        "etc/jupyter/untouched.json": "{}",
        "share/jupyter/kernels/python3/kernel.json": "{}",
    })
    old = fresh_venv(tmp_path, "old")
    compose(old, [entry])
    (old / "etc/jupyter/conf.d/jup.json").write_text('{"disabled": true}')
    (old / "etc/jupyter/labconfig").mkdir()
    (old / "etc/jupyter/labconfig/page_config.json").write_text("{}")
    kernel = old / "share/jupyter/kernels/mine"
    kernel.mkdir()
    (kernel / "kernel.json").write_text('{"argv": []}')

    assert written_by_tools(old) == [
        "etc/jupyter/conf.d/jup.json", "etc/jupyter/labconfig/page_config.json",
        "share/jupyter/kernels/mine/kernel.json"]
    new = fresh_venv(tmp_path, "new")
    compose(new, [entry])
    carry(old, new)

    assert (new / "etc/jupyter/conf.d/jup.json").read_text() == '{"disabled": true}'
    assert (new / "etc/jupyter/labconfig/page_config.json").read_text() == "{}"
    assert (new / "share/jupyter/kernels/mine/kernel.json").read_text() == '{"argv": []}'
    assert written_by_tools(new) == written_by_tools(old)


def test_an_older_venv_carries_only_files_no_record_lists(tmp_path):
    old = fresh_venv(tmp_path, "old")
    info = old / SITE / "jup-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: jup\nVersion: 1.0\n")
    (info / "RECORD").write_text("../../../etc/jupyter/shipped.json,,\n")
    (old / "etc/jupyter").mkdir(parents=True)
    (old / "etc/jupyter/shipped.json").write_text("{}")
    (old / "etc/jupyter/written.json").write_text("{}")

    assert written_by_tools(old) == ["etc/jupyter/written.json"]


def test_a_symlink_in_the_store_is_no_entry_whatever_it_leads_to(tmp_path):
    outside = make_short_entry(tmp_path / "elsewhere", "one", "a" * 16, {f"{SITE}/one.py": ""})
    store = tmp_path / "store"
    store.mkdir()
    (store / outside.path.name).symlink_to(outside.path)

    assert read_entry(store / outside.path.name) is None


def test_the_size_recorded_is_what_a_walk_of_the_venv_measures(tmp_path):
    """Measured while placing, not by a walk: a link split when a second entry shares its
    folder, a script and a link replaced by a later entry's, copied files and the venv's
    own files all count as a walk would count them."""
    store = tmp_path / "store"
    one = make_entry(store, "one", {f"{SITE}/ns/a.py": "a", "bin/tool": "#!/stage-1/bin/python\n1",
                                    "share/doc/one/x": "x", "etc/one.conf": "conf"})
    two = make_entry(store, "two", {f"{SITE}/ns/b.py": "b", "bin/tool": "#!/stage-1/bin/python\n22",
                                    "bin/binary": "\x7fELF", "share/doc/one/x": "longer x"})
    venv = fresh_venv(tmp_path)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib64").symlink_to("lib")

    composition = compose(venv, [one, two])

    (venv / "pyshelf-composition.json").unlink()  # written after it measured
    assert (composition.bytes, composition.files) == measure(venv)


def test_links_to_new_entries_are_short_enough_to_live_in_the_inode(tmp_path):
    """ext4 keeps a symlink target of up to 59 bytes in the inode; a longer one takes a
    4 KiB block, and a generation has hundreds of links."""
    store = tmp_path / "home" / "store"
    pyc = "__pycache__/{}.cpython-312.pyc"
    six = make_short_entry(store, "six", "0123456789abcdef", {
        f"{SITE}/six.py": "six = 6", f"{SITE}/{pyc.format('six')}": "bytecode of six",
        "bin/six-tool": RELOCATABLE_HEADER.decode() + "print('six')\n"})
    typing = make_short_entry(store, "typing-extensions", "fedcba9876543210", {
        f"{SITE}/typing_extensions.py": "te = 1",
        f"{SITE}/{pyc.format('typing_extensions')}": "bytecode of te",
        f"{SITE}/sphinxcontrib/serializinghtml/__init__.py": "ns"})
    venv = fresh_venv(tmp_path / "home" / "gens", "1")

    compose(venv, [six, typing])

    site = venv / SITE
    links = [p for p in venv.rglob("*") if p.is_symlink() and p.name != "python"]
    assert links and max(len(str(p.readlink())) for p in links) <= 59
    assert str((venv / ".s" / "012345").readlink()) == "../../../store/0123456789abcdef"
    assert (site / "six.py").read_text() == "six = 6"
    assert not (site / "__pycache__").is_symlink()  # both have one: merged
    assert (site / pyc.format("typing_extensions")).read_text() == "bytecode of te"
    assert (site / "six-1.0.dist-info").is_dir()
    assert not (site / "six-1.0.dist-info").is_symlink()
    assert (site / "six-1.0.dist-info/METADATA").read_text() == "Name: six\n"
    assert (site / "sphinxcontrib/serializinghtml/__init__.py").read_text() == "ns"
    tool = venv / "bin" / "six-tool"
    assert tool.is_symlink() and tool.read_bytes().startswith(RELOCATABLE_HEADER)
    assert read_composition(venv).entries == ["0123456789abcdef", "fedcba9876543210"]


def test_a_stored_script_finds_its_python_beside_it_and_its_file_is_never_rewritten(
        tmp_path):
    """The script a scratch venv got is replaced by a new file (it may be a hard link
    into uv's cache) that names no venv; what names no python is left alone."""
    bin_dir = tmp_path / "entry" / "bin"
    bin_dir.mkdir(parents=True)
    tool, binary = bin_dir / "tool", bin_dir / "binary"
    tool.write_text("#!/work/stage-1/bin/python\nprint('tool')\n")
    binary.write_bytes(b"\x7fELF")
    cached = tmp_path / "cache-copy"
    os.link(tool, cached)

    relocate_scripts(bin_dir, Path("/work/stage-1/bin/python"))

    assert tool.read_bytes() == RELOCATABLE_HEADER + b"print('tool')\n"
    assert cached.read_text() == "#!/work/stage-1/bin/python\nprint('tool')\n"
    assert binary.read_bytes() == b"\x7fELF"
    assert os.access(tool, os.X_OK)


def _links(venv: Path) -> dict[str, str]:
    return {p.relative_to(venv).as_posix(): str(p.readlink()) for p in venv.rglob("*")
            if p.is_symlink()}


def _two_entries(store: Path) -> tuple[StoreEntry, StoreEntry]:
    return (make_short_entry(store, "six", "0123456789abcdef", {
                f"{SITE}/six.py": "six = 6", f"{SITE}/google/six/__init__.py": "g"}),
            make_short_entry(store, "protobuf", "fedcba9876543210", {
                f"{SITE}/google/protobuf/__init__.py": "pb", "bin/protoc": "#!/bin/sh\n"}))


def test_a_venv_takes_the_links_the_previous_one_has_as_hard_links_of_them(tmp_path):
    """Making a link is allocating an inode; naming the previous venv's link again is not:
    what both venvs hold is the same link, what only the new one holds is made."""
    store = tmp_path / "home" / "store"
    six, protobuf = _two_entries(store)
    requests = make_short_entry(store, "requests", "aaaaaa9876543210",
                                {f"{SITE}/requests/__init__.py": "r"})
    before = fresh_venv(tmp_path / "home" / "gens", "1")
    compose(before, [six, protobuf])
    fresh = fresh_venv(tmp_path / "home" / "gens", "2")
    compose(fresh, [six, protobuf, requests])
    after = fresh_venv(tmp_path / "home" / "gens", "3")

    compose(after, [six, protobuf, requests], previous=before)

    assert _links(after) == _links(fresh)  # the same venv as one composed from nothing
    shared = {p for p in _links(before) if p != "bin/python"}
    assert shared and shared < set(_links(after))
    for relative in shared:
        assert os.lstat(after / relative).st_ino == os.lstat(before / relative).st_ino
    for relative in set(_links(after)) - shared:
        assert os.lstat(after / relative).st_nlink == 1
    assert (after / SITE / "google/protobuf/__init__.py").read_text() == "pb"


def test_what_the_previous_venv_has_instead_of_a_link_is_never_taken(tmp_path):
    """A previous venv changed by hand (a file where a link was, a link saying something
    else, a link where a real folder was) gives nothing: those links are made anew, and the
    previous venv is left as it is."""
    store = tmp_path / "home" / "store"
    six, protobuf = _two_entries(store)
    before = fresh_venv(tmp_path / "home" / "gens", "1")
    compose(before, [six, protobuf])
    expected = _links(before)
    site = before / SITE
    (site / "six.py").unlink()
    (site / "six.py").write_text("not a link")
    (site / "six-1.0.dist-info/METADATA").unlink()
    (site / "six-1.0.dist-info/METADATA").symlink_to("../../../../.s/012345/.p/six.py")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "six").mkdir(parents=True)
    (elsewhere / "six" / "__init__.py").symlink_to("../../../../../.s/012345/.p/six.py")
    (site / "google").rename(tmp_path / "google-was")
    (site / "google").symlink_to(elsewhere)
    changed = {p: (p.is_symlink(), str(p.readlink()) if p.is_symlink() else p.read_bytes())
               for p in before.rglob("*") if not p.is_dir() or p.is_symlink()}
    after = fresh_venv(tmp_path / "home" / "gens", "2")

    compose(after, [six, protobuf], previous=before)

    assert _links(after) == expected
    assert (after / SITE / "six.py").read_text() == "six = 6"
    for relative in ("six.py", "six-1.0.dist-info/METADATA", "google/six"):
        assert os.lstat(after / SITE / relative).st_nlink == 1
    assert changed == {p: (p.is_symlink(), str(p.readlink()) if p.is_symlink()
                           else p.read_bytes())
                       for p in before.rglob("*") if not p.is_dir() or p.is_symlink()}
    assert not any(elsewhere.rglob("google*"))


def test_entries_whose_keys_begin_alike_get_links_of_their_own(tmp_path):
    store = tmp_path / "home" / "store"
    one = make_short_entry(store, "one", "abcdef0000000001", {f"{SITE}/one.py": "1"})
    two = make_short_entry(store, "two", "abcdef0000000002", {f"{SITE}/two.py": "2"})
    venv = fresh_venv(tmp_path / "home" / "gens", "1")

    compose(venv, [one, two])

    assert sorted(p.name for p in (venv / ".s").iterdir()) == ["abcdef", "abcdef0000000002"]
    assert (venv / SITE / "one.py").read_text() == "1"
    assert (venv / SITE / "two.py").read_text() == "2"
