"""The pip a generation carries: the shims in bin and what ``python -m pip`` finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyshelf.host.pip_shim import TYPED_AS, write_pip_shims
from pyshelf.venv.dist_info import installed_versions


def _generation(home: Path) -> Path:
    gen = home / "gens" / "3"
    (gen / "bin").mkdir(parents=True)
    (gen / "lib" / "python3.12" / "site-packages").mkdir(parents=True)
    return gen


def test_python_m_pip_finds_a_stand_in_that_is_no_distribution(tmp_path: Path) -> None:
    gen = _generation(tmp_path)

    write_pip_shims(gen, tmp_path, tmp_path / "bin")

    site = gen / "lib" / "python3.12" / "site-packages"
    assert sorted(p.name for p in (site / "pip").iterdir()) == ["__init__.py", "__main__.py"]
    assert installed_versions(site) == {}
    for name in ("pip", "pip3", "pip3.12"):
        assert TYPED_AS in (gen / "bin" / name).read_text()


def test_a_real_pip_keeps_its_package_and_loses_only_its_main(tmp_path: Path) -> None:
    gen = _generation(tmp_path)
    package = gen / "lib" / "python3.12" / "site-packages" / "pip"
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '24.0'\n")
    main = package / "__main__.py"
    main.write_text("real pip\n")
    cached = tmp_path / "cache-copy"
    cached.hardlink_to(main)  # as uv links files from its cache

    write_pip_shims(gen, tmp_path, tmp_path / "bin")

    assert (package / "__init__.py").read_text() == "__version__ = '24.0'\n"
    assert "os.execv" in main.read_text()
    assert cached.read_text() == "real pip\n"


def test_the_stand_in_hands_over_to_the_shim_saying_how_it_was_typed(tmp_path: Path) -> None:
    gen = _generation(tmp_path)
    write_pip_shims(gen, tmp_path, tmp_path / "bin")
    main = gen / "lib" / "python3.12" / "site-packages" / "pip" / "__main__.py"
    record = tmp_path / "record"
    probe = (f"import os, sys, sysconfig\n"
             f"sysconfig.get_path = lambda name: {str(tmp_path)!r}\n"
             f"os.execv = lambda path, argv: open({str(record)!r}, 'w').write("
             f"repr((path, argv, os.environ[{TYPED_AS!r}])))\n"
             f"sys.argv = [{str(main)!r}, 'install', 'six']\n"
             f"sys.orig_argv = ['/usr/bin/python3', '-m', 'pip', 'install', 'six']\n"
             f"exec(compile(open({str(main)!r}).read(), 'main', 'exec'))\n")

    subprocess.run([sys.executable, "-c", probe], check=True)

    assert record.read_text() == repr((str(tmp_path / "pip"),
                                       [str(tmp_path / "pip"), "install", "six"],
                                       "python3 -m pip"))
