"""Finding what a change builds from source: uv is asked only about the packages no
generation on disk holds as a wheel that fits, and the target's tags are waited for only to
judge a wheel built for another Python."""

from __future__ import annotations

from pathlib import Path

from tests.support.dists import write_dist_info

from pyshelf.change.source_builds import source_builds
from pyshelf.core.lockfile import parse_lock
from pyshelf.core.source_builds import SourceBuild
from pyshelf.engine.processes import Compiled
from pyshelf.layout import Layout

LOCK = parse_lock("leaf==1.0\nlegacy==1.0\nnew==2.0\nmine @ file:///src/mine\n")
CP313 = frozenset({"cp313-cp313-linux_x86_64", "py3-none-any"})


class Index:
    """Stands in for uv: a pylock of the pins it is given, each with an sdist, and with a
    wheel unless it is one of ``sdist_only``."""

    def __init__(self, *sdist_only: str) -> None:
        self.sdist_only = sdist_only
        self.asked: list[str] = []
        self.pylocks: dict[tuple[str, str], str] = {}

    def compile(self, requirements_in: Path, lock_out: Path, python: str, **options: object
                ) -> Compiled:
        assert options["output_format"] == "pylock.toml" and options["no_deps"]
        pins = parse_lock(requirements_in.read_text())
        self.asked += sorted(pins.packages)
        text = 'lock-version = "1.0"\n'
        for package in pins.packages.values():
            text += (f'[[packages]]\nname = "{package.name}"\nversion = "{package.version}"\n'
                     f'sdist = {{ url = "http://index/{package.name}.tar.gz" }}\n')
            if package.name not in self.sdist_only:
                text += f'wheels = [{{ url = "http://index/{package.name}-{package.version}'\
                        '-py3-none-any.whl" }]\n'
        return Compiled(text, [])


def generation(root: Path, minor: str, *held: tuple[str, str, str]) -> Path:
    """A generation on Python ``minor`` holding (name, version, wheel tag) each."""
    site = root / "lib" / f"python{minor}" / "site-packages"
    site.mkdir(parents=True)
    for name, version, tag in held:
        info = write_dist_info(site, name, version)
        (info / "WHEEL").write_text(f"Wheel-Version: 1.0\nTag: {tag}\n")
    return root


def no_tags() -> frozenset[str]:
    raise AssertionError("the target's tags were waited for")


def test_on_the_same_python_only_what_the_shelf_lacks_is_looked_up(tmp_path):
    current = generation(tmp_path / "gens" / "1", "3.13", ("leaf", "1.0", "py3-none-any"),
                         ("legacy", "1.0", "cp313-cp313-linux_x86_64"),
                         ("new", "1.0", "py3-none-any"))
    index = Index("new")

    found = source_builds(index, Layout(tmp_path), LOCK, "python3", "3.13.1",
                          [current], no_tags)

    assert found == [SourceBuild("new", "new", "2.0")]
    assert index.asked == ["new"]  # not the local project, not what is installed


def test_nothing_is_asked_when_every_package_is_held(tmp_path):
    current = generation(tmp_path / "gens" / "1", "3.13", ("leaf", "1.0", "py3-none-any"),
                         ("legacy", "1.0", "cp313-cp313-linux_x86_64"),
                         ("new", "2.0", "py3-none-any"))
    index = Index()

    assert source_builds(index, Layout(tmp_path), LOCK, "python3", "3.13.0",
                         [current], no_tags) == []
    assert index.asked == []


def test_a_move_builds_what_has_no_wheel_unless_a_wheel_held_fits_the_new_python(tmp_path):
    old = generation(tmp_path / "gens" / "1", "3.12", ("leaf", "1.0", "py3-none-any"),
                     ("legacy", "1.0", "cp312-cp312-linux_x86_64"))
    index = Index("leaf", "legacy", "new")

    found = source_builds(index, Layout(tmp_path), LOCK, "python3.13", "3.13",
                          [old], lambda: CP313)

    # leaf's pure wheel, built once from source, is in uv's cache; legacy's is for 3.12
    assert found == [SourceBuild("legacy", "legacy", "1.0"), SourceBuild("new", "new", "2.0")]
    assert index.asked == ["leaf", "legacy", "new"]


def test_a_generation_built_on_the_new_python_before_holds_its_builds(tmp_path):
    old = generation(tmp_path / "gens" / "1", "3.12", ("legacy", "1.0", "cp312-cp312-x"))
    before = generation(tmp_path / "gens" / "2", "3.13", ("legacy", "1.0", "cp313-cp313-x"),
                        ("leaf", "1.0", "py3-none-any"), ("new", "2.0", "py3-none-any"))
    index = Index()

    assert source_builds(index, Layout(tmp_path), LOCK, "python3.13", "3.13.0",
                         [old, before], no_tags) == []
    assert index.asked == []
