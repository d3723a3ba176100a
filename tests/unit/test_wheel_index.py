"""Proof that the offline index is something the real uv can resolve and install from.

If these fail, every end-to-end failure is suspect, so they check the harness the same way a
package manager would: verify hashes, follow the index's links and install with uv.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import urllib.error
import urllib.request
import zipfile
from email.parser import HeaderParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
import uv
from tests.support.catalogue import CATALOGUE
from tests.support.index import IndexServer, write_simple_index
from tests.support.wheels import Dist, build_wheel, cli_dist


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            d = dict(attrs)
            self.links.append((d.get("href") or "", d))


def _links(url: str) -> list[tuple[str, dict[str, str | None]]]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        parser = _Links()
        parser.feed(resp.read().decode("utf-8"))
    return parser.links


def _uv(cache_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_") and k != "VIRTUAL_ENV"}
    env["NO_COLOR"] = "1"
    env["UV_HTTP_RETRIES"] = "0"
    return subprocess.run(
        [uv.find_uv_bin(), *args, "--no-config", "--cache-dir", str(cache_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def venv_python(tmp_path: Path, uv_cache_dir: Path, base_python: Path) -> Path:
    venv = tmp_path / "venv"
    proc = _uv(uv_cache_dir, "venv", "--python", str(base_python), str(venv))
    assert proc.returncode == 0, proc.stderr
    return venv / "bin" / "python"


def _installed(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_record_hashes_and_sizes_verify(tmp_path: Path) -> None:
    dist = cli_dist(
        "Some.Tool", "2.5", scripts=("some-tool",), requires=('x>=1; extra == "e"',), extras=("e",)
    )
    wheel = build_wheel(dist, tmp_path)
    assert wheel.name == "some_tool-2.5-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        record_name = "some_tool-2.5.dist-info/RECORD"
        assert names[-1] == record_name
        rows = list(csv.reader(io.StringIO(zf.read(record_name).decode())))
        assert sorted(r[0] for r in rows) == sorted(names)
        for path, digest, size in rows:
            if path == record_name:
                assert (digest, size) == ("", "")
                continue
            data = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode()
            assert int(size) == len(data)
        meta = HeaderParser().parsestr(zf.read("some_tool-2.5.dist-info/METADATA").decode())
        assert meta["Metadata-Version"] == "2.1"
        assert meta["Name"] == "Some.Tool"
        assert meta.get_all("Requires-Dist") == ['x>=1; extra == "e"']
        assert meta.get_all("Provides-Extra") == ["e"]
        wheel_meta = HeaderParser().parsestr(zf.read("some_tool-2.5.dist-info/WHEEL").decode())
        assert wheel_meta["Tag"] == "py3-none-any"
        assert wheel_meta["Root-Is-Purelib"] == "true"
        entry_points = zf.read("some_tool-2.5.dist-info/entry_points.txt").decode()
        assert "some-tool = some_tool.cli:main_some_tool" in entry_points


def test_default_module_carries_version(tmp_path: Path) -> None:
    wheel = build_wheel(Dist("Mixed_Case.Name", "1.0"), tmp_path)
    assert wheel.name == "mixed_case_name-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("mixed_case_name/__init__.py").decode() == "__version__ = '1.0'\n"
        assert "entry_points.txt" not in " ".join(zf.namelist())


def test_same_dist_builds_identical_bytes(tmp_path: Path) -> None:
    dist = next(d for d in CATALOGUE if d.name == "delta")
    first = build_wheel(dist, tmp_path / "a").read_bytes()
    second = build_wheel(dist, tmp_path / "b").read_bytes()
    assert first == second
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_index_serves_normalised_project_with_valid_hash(wheel_index) -> None:
    root_names = [attrs.get("href") for _, attrs in _links(wheel_index.url)]
    assert "mixed-case-name/" in root_names
    assert "Mixed_Case.Name/" not in root_names

    links = _links(wheel_index.url + "mixed-case-name/")
    assert len(links) == 1
    href = links[0][0]
    path, _, fragment = href.partition("#sha256=")
    assert path.endswith("/mixed_case_name-1.0-py3-none-any.whl")
    url = urllib.request.urljoin(wheel_index.url + "mixed-case-name/", path)
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert hashlib.sha256(resp.read()).hexdigest() == fragment


def test_index_advertises_requires_python(wheel_index) -> None:
    ((_, attrs),) = _links(wheel_index.url + "future-only/")
    assert attrs["data-requires-python"] == ">=4"


def test_server_stop_makes_index_unreachable_and_start_restores_it(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build_wheel(Dist("alpha", "1.0"), wheels)
    write_simple_index(wheels, tmp_path / "root")
    with IndexServer(tmp_path / "root") as server:
        url = server.url
        assert _links(url + "alpha/")
        with server.down(), pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "alpha/", timeout=5)
        assert server.url == url
        assert _links(url + "alpha/")
    assert not server.running


def test_uv_installs_scripts_extras_and_markers(wheel_index, uv_cache_dir, venv_python) -> None:
    proc = _uv(
        uv_cache_dir,
        "pip", "install", "--index-url", wheel_index.url, "--python", str(venv_python),
        "beta", "delta[fast]",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr

    script = venv_python.parent / "beta"
    out = subprocess.run([str(script)], capture_output=True, text=True, check=True)
    assert out.stdout == "beta 1.0\n"

    installed = _installed(venv_python)
    assert installed.get("beta") == "1.0"
    assert installed.get("gamma") == "1.1"
    assert installed.get("delta") == "1.0"
    assert installed.get("epsilon") == "1.0"
    assert installed.get("eta") == "1.0"
    assert "zeta" not in installed


def test_uv_rejects_conflicting_requirements(wheel_index, uv_cache_dir, venv_python) -> None:
    proc = _uv(
        uv_cache_dir,
        "pip", "install", "--index-url", wheel_index.url, "--python", str(venv_python),
        "left", "right",
    )  # fmt: skip
    assert proc.returncode != 0
    assert "shared" in proc.stderr
    assert "left" not in _installed(venv_python)


@pytest.mark.parametrize(
    ("requirement", "reason"),
    [
        ("needs-missing", "does-not-exist-anywhere was not found"),
        ("future-only", "Python>=4"),
    ],
)
def test_uv_rejects_unsatisfiable_catalogue_entries(
    wheel_index, uv_cache_dir, venv_python, requirement, reason
) -> None:
    proc = _uv(
        uv_cache_dir,
        "pip", "install", "--index-url", wheel_index.url, "--python", str(venv_python),
        requirement,
    )  # fmt: skip
    assert proc.returncode != 0
    assert reason in proc.stderr


def test_index_down_forces_failure_unless_offline(
    wheel_index, uv_cache_dir, venv_python, tmp_path
) -> None:
    """The index pages demand revalidation, so 'unreachable' really means unreachable to uv."""

    def install(python: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return _uv(
            uv_cache_dir,
            "pip", "install", "--index-url", wheel_index.url, "--python", str(python),
            *extra, "alpha==1.0",
        )  # fmt: skip

    assert install(venv_python).returncode == 0
    fresh = tmp_path / "fresh"
    assert _uv(uv_cache_dir, "venv", "--python", str(venv_python), str(fresh)).returncode == 0
    fresh_python = fresh / "bin" / "python"
    with wheel_index.server.down():
        online = install(fresh_python)
        assert online.returncode != 0
        assert "Connection refused" in online.stderr
        assert install(fresh_python, "--offline").returncode == 0
    assert _installed(fresh_python).get("alpha") == "1.0"
