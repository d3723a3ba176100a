"""Checking store entries: broken links of a composed venv, and files against RECORD."""

from __future__ import annotations

import base64
import hashlib
import shutil
from pathlib import Path

from tests.unit.package_store.test_compose import SITE, fresh_venv, make_entry

from pyshelf.core.record_hash import expected_hash, record_digest
from pyshelf.package_store.compose import compose, read_composition, shebangs
from pyshelf.package_store.verify import broken_links, damaged_files, entry_behind
from pyshelf.venv import paths


def record_line(path: str, content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
    return f"{path},sha256={digest.decode()},{len(content)}\n"


def entry_with_record(store: Path, files: dict[str, str], unhashed: tuple[str, ...] = ()):
    info = f"{SITE}/pkg-1.0.dist-info"
    lines = [record_line(relative.removeprefix(f"{SITE}/").replace("bin/", "../../../bin/"),
                         content.encode()) for relative, content in files.items()]
    lines += [f"{relative.removeprefix(f'{SITE}/')},," for relative in unhashed]
    record = "".join(lines) + "pkg-1.0.dist-info/RECORD,,\n"
    return make_entry(store, "pkg", {**files, **dict.fromkeys(unhashed, "anything"),
                                     f"{info}/METADATA": "Name: pkg\nVersion: 1.0\n",
                                     f"{info}/RECORD": record})


def test_the_digest_is_urlsafe_base64_without_padding_as_the_wheel_spec_says():
    content = b"print('hi')\n"
    expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")

    assert record_digest("sha256", [content[:4], content[4:]]) == expected.decode()
    assert expected_hash(f"sha256={expected.decode()}") == ("sha256", expected.decode())
    assert expected_hash("") is None  # RECORD itself, or a file listed without a hash
    assert expected_hash("nosuchhash=abc") is None


def test_a_sound_entry_has_no_damaged_file(tmp_path):
    entry = entry_with_record(tmp_path / "store", {f"{SITE}/pkg/__init__.py": "x = 1\n",
                                                   "bin/tool": "#!/bin/sh\necho hi\n"},
                              unhashed=(f"{SITE}/pkg/written.txt",))

    assert damaged_files(entry) == []


def test_a_changed_or_missing_file_is_named_relative_to_the_entry(tmp_path):
    entry = entry_with_record(tmp_path / "store", {f"{SITE}/pkg/__init__.py": "x = 1\n",
                                                   f"{SITE}/pkg/other.py": "y = 2\n"})
    changed, gone = entry.path / SITE / "pkg/__init__.py", entry.path / SITE / "pkg/other.py"
    (entry.path / SITE / "pkg").chmod(0o755)
    changed.write_text("x = 2\n")
    gone.unlink()

    assert damaged_files(entry) == [f"{SITE}/pkg/__init__.py", f"{SITE}/pkg/other.py"]


def test_a_console_script_of_the_scratch_venv_is_not_held_to_its_record_hash(tmp_path):
    header = shebangs(paths.python(Path("/stage-1")))[0].decode()
    entry = entry_with_record(tmp_path / "store", {"bin/tool": f"{header}import sys\n"})
    (entry.path / "bin").chmod(0o755)
    (entry.path / "bin/tool").write_text(f"{header}import os\n")

    assert damaged_files(entry) == []


def test_a_link_into_a_removed_entry_is_broken_and_names_it(tmp_path):
    store = tmp_path / "store"
    kept = make_entry(store, "kept", {f"{SITE}/kept/__init__.py": ""})
    gone = make_entry(store, "gone", {f"{SITE}/gone/__init__.py": "",
                                      f"{SITE}/gone-1.0.dist-info/METADATA": "Name: gone\n"})
    venv = fresh_venv(tmp_path)
    (venv / "bin/python").symlink_to("/no/such/python")  # the interpreter check's concern
    compose(venv, [kept, gone])
    gone.path.chmod(0o755)
    shutil.rmtree(gone.path)

    broken = broken_links(venv)

    assert {entry_behind(link, store) for link in broken} == {gone.path.name, None}
    assert sorted(link.relative_to(venv).as_posix() for link in broken) == [
        f".s/{gone.path.name}", "bin/python", f"{SITE}/gone",
        f"{SITE}/gone-1.0.dist-info/METADATA"]


def test_the_composition_records_the_size_of_what_the_venv_holds_itself(tmp_path):
    store = tmp_path / "store"
    one = make_entry(store, "one", {f"{SITE}/one/__init__.py": "x" * 5000,
                                    "etc/one.conf": "copied"})
    venv = fresh_venv(tmp_path)

    compose(venv, [one])
    composition = read_composition(venv)

    # the link to the store, the link to one/ and the copied file
    assert composition is not None and composition.files == 3
    assert composition.bytes is not None and 6 <= composition.bytes < 5000
