"""Noticing, from the filesystem alone, that the shelf's interpreter moved or went away."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pyshelf.core.model import Interpreter
from pyshelf.engine.interpreter import (
    check_interpreter,
    identity,
    interpreter_to_keep,
    is_launcher_script,
    minor_version_of,
)


def install(prefix: Path, minor: str) -> Path:
    """A fake installation: ``bin/pythonX.Y`` and its standard library folder."""
    (prefix / "lib" / f"python{minor}").mkdir(parents=True)
    (prefix / "lib" / f"python{minor}" / "os.py").touch()
    executable = prefix / "bin" / f"python{minor}"
    executable.parent.mkdir(parents=True)
    executable.touch(mode=0o755)
    return executable


@pytest.fixture
def chosen(tmp_path: Path) -> tuple[Path, Interpreter, Path]:
    """``/usr/bin/python3`` -> a 3.12 install, recorded; and a venv python linking to it."""
    real = install(tmp_path / "py312", "3.12")
    link = tmp_path / "python3"
    link.symlink_to(real)
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.symlink_to(link)
    return link, Interpreter(str(link), str(real), "cpython", "3.12.4"), venv_python


def test_unchanged_interpreter_is_ok(chosen):
    _, recorded, venv_python = chosen
    check = check_interpreter(recorded, venv_python)
    assert (check.state, check.warning()) == ("ok", None)


def test_another_minor_version_is_named(chosen, tmp_path):
    link, recorded, venv_python = chosen
    link.unlink()
    link.symlink_to(install(tmp_path / "py313", "3.13"))

    check = check_interpreter(recorded, venv_python)

    assert (check.state, check.now_minor) == ("changed", "3.13")
    assert check.warning() == (
        f"The shelf was built on Python 3.12.4, but {link} now leads to Python 3.13 "
        f"({tmp_path / 'py313/bin/python3.13'}), so the shelf's packages do not load; run "
        "`pyshelf rebuild` to rebuild them for it.")


def test_a_new_build_of_the_same_minor_version_is_fine(chosen, tmp_path):
    link, recorded, venv_python = chosen
    link.unlink()
    link.symlink_to(install(tmp_path / "py3125", "3.12"))

    assert check_interpreter(recorded, venv_python).state == "ok"


def test_an_interpreter_whose_version_cannot_be_told_counts_as_changed(chosen, tmp_path):
    link, recorded, venv_python = chosen
    other = tmp_path / "custom" / "bin" / "mypython"
    other.parent.mkdir(parents=True)
    other.touch(mode=0o755)
    link.unlink()
    link.symlink_to(other)

    check = check_interpreter(recorded, venv_python)

    assert (check.state, check.now_minor) == ("changed", None)
    assert "now leads to another interpreter" in str(check.warning())


def test_a_removed_interpreter_is_missing(chosen):
    link, recorded, venv_python = chosen
    link.unlink()

    check = check_interpreter(recorded, venv_python)

    assert check.state == "missing"
    assert "is gone" in str(check.warning())


def test_minor_version_from_the_standard_library_folder(tmp_path):
    executable = install(tmp_path / "py", "3.11").with_name("python3")
    executable.touch(mode=0o755)

    assert minor_version_of(executable) == "3.11"
    assert minor_version_of(Path("/bin/true")) is None


def shim(tmp_path: Path, target: Path) -> Path:
    script = tmp_path / "shims" / "python3"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
    script.chmod(0o755)
    return script


def test_what_counts_is_where_the_venv_leads_not_the_kept_path(chosen, tmp_path):
    link, recorded, venv_python = chosen
    kept_shim = Interpreter(str(shim(tmp_path, link)), recorded.resolved, "cpython", "3.12.4")

    check = check_interpreter(kept_shim, venv_python)
    Path(kept_shim.path).unlink()  # the shim can go; the shelf still runs

    assert (check.state, check.runs) == ("ok", str(link))
    assert check_interpreter(kept_shim, venv_python).state == "ok"
    assert check.describe() == f"{link} (Python 3.12.4)"


def test_launcher_scripts_are_told_from_interpreters(chosen, tmp_path):
    link, _, _ = chosen

    assert is_launcher_script(str(shim(tmp_path, link)))
    assert not is_launcher_script(str(link))  # a symlink to an interpreter
    assert not is_launcher_script(str(tmp_path / "nothing-here"))


def test_only_a_launcher_script_is_started_to_find_its_interpreter(chosen, tmp_path):
    link, _, _ = chosen
    started: list[str] = []

    def describe(python: str) -> SimpleNamespace:
        started.append(python)
        return SimpleNamespace(executable="/opt/py/bin/python3.12")

    assert interpreter_to_keep(str(link), describe) == str(link)  # followed as it moves
    assert started == []
    script = str(shim(tmp_path, link))
    assert interpreter_to_keep(script, describe) == "/opt/py/bin/python3.12"
    assert started == [script]


def test_an_interpreter_replaced_in_place_has_another_identity(tmp_path: Path) -> None:
    executable = install(tmp_path / "py312", "3.12")
    executable.write_bytes(b"\x7fELF one build")
    link = tmp_path / "python3"
    link.symlink_to(executable)
    before = identity(str(link))

    assert before is not None and identity(str(link)) == before
    replacement = executable.with_name("new")
    replacement.write_bytes(b"\x7fELF another build")
    replacement.replace(executable)  # as a package manager installs a file
    assert identity(str(link)) not in (None, before)


def test_a_launcher_script_or_a_missing_file_has_no_identity(tmp_path: Path) -> None:
    shim = tmp_path / "python3"
    shim.write_text("#!/bin/sh\nexec python3.12 \"$@\"\n")

    assert identity(str(shim)) is None
    assert identity(str(tmp_path / "gone")) is None
