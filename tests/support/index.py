"""A PEP 503 simple repository on disk and a throw-away HTTP server for it.

The end-to-end tests drive the real uv against this index, so it must look enough like PyPI
for uv to resolve from it: normalised project URLs, ``#sha256=`` fragments and
``data-requires-python`` so that incompatible releases are skipped before download.
"""

from __future__ import annotations

import base64
import hashlib
import html
import shutil
import ssl
import threading
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.parser import HeaderParser
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)

__all__ = ["IndexServer", "served", "write_simple_index"]


def _project_of(filename: str) -> NormalizedName | None:
    try:
        return parse_wheel_filename(filename)[0]
    except InvalidWheelFilename:
        pass
    try:
        return parse_sdist_filename(filename)[0]
    except InvalidSdistFilename:
        return None


def _requires_python(path: Path) -> str | None:
    """Read Requires-Python from a wheel so the index can advertise it like PyPI does."""
    if path.suffix != ".whl":
        return None
    with zipfile.ZipFile(path) as zf:
        for member in zf.namelist():
            if member.count("/") == 1 and member.endswith(".dist-info/METADATA"):
                headers = HeaderParser().parsestr(zf.read(member).decode("utf-8"))
                return headers.get("Requires-Python")
    return None


def _page(title: str, links: list[str]) -> str:
    body = "\n".join(f"    {link}<br/>" for link in links)
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="1.0">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"{body}\n  </body>\n</html>\n"
    )


def write_simple_index(wheel_dir: Path, root: Path,
                       yanked: Mapping[str, str] | None = None) -> Path:
    """Copy the distributions in ``wheel_dir`` to ``root/files`` and index them in ``root/simple``.

    Links are absolute paths (``/files/...``) so they work from any page depth when served at
    the server root. ``yanked`` maps file names to the reason they are yanked (PEP 592).
    Returns the ``simple`` directory.
    """
    files_dir = root / "files"
    simple_dir = root / "simple"
    files_dir.mkdir(parents=True, exist_ok=True)
    simple_dir.mkdir(parents=True, exist_ok=True)

    projects: dict[str, list[Path]] = defaultdict(list)
    for src in sorted(wheel_dir.iterdir()):
        project = _project_of(src.name)
        if project is None or not src.is_file():
            continue
        dest = files_dir / src.name
        shutil.copyfile(src, dest)
        projects[project].append(dest)

    for project, files in sorted(projects.items()):
        links = []
        for path in sorted(files, key=lambda p: p.name):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            href = html.escape(f"/files/{path.name}#sha256={digest}", quote=True)
            attrs = f'href="{href}"'
            requires_python = _requires_python(path)
            if requires_python:
                attrs += f' data-requires-python="{html.escape(requires_python, quote=True)}"'
            if yanked and path.name in yanked:
                attrs += f' data-yanked="{html.escape(yanked[path.name], quote=True)}"'
            links.append(f"<a {attrs}>{html.escape(path.name)}</a>")
        project_dir = simple_dir / project
        project_dir.mkdir(exist_ok=True)
        (project_dir / "index.html").write_text(
            _page(f"Links for {project}", links), encoding="utf-8"
        )

    root_links = [f'<a href="{html.escape(p)}/">{html.escape(p)}</a>' for p in sorted(projects)]
    (simple_dir / "index.html").write_text(_page("Simple index", root_links), encoding="utf-8")
    return simple_dir


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that keeps pytest output clean and steers uv's HTTP cache.

    Index pages are marked for revalidation so uv never answers from a heuristically-fresh
    cache entry while a test has taken the server down; files are immutable, as on PyPI.
    """

    server: _IndexHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.server.auth and self.headers.get("Authorization") != self.server.auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="index"')
            self.end_headers()
            return
        super().do_GET()

    def end_headers(self) -> None:
        if self.path.startswith("/files/"):
            self.send_header("Cache-Control", "max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "max-age=0, must-revalidate")
        super().end_headers()


class _IndexHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]
    auth: str | None  # the Authorization header a request must carry

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients (uv) may hang up mid-download; a traceback on stderr would only be noise."""


class IndexServer:
    """Serves a directory over HTTP on 127.0.0.1 for the duration of a ``with`` block.

    ``stop()`` closes the listening socket so connections are refused, which is how tests make
    the index unreachable; ``start()`` rebinds the same port so ``url`` stays valid.
    """

    def __init__(self, root: Path, tls: ssl.SSLContext | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.root = root
        self.tls = tls  # serves HTTPS with this server context
        self.credentials = credentials  # HTTP basic authentication every request needs
        self.port = 0
        self.requests: list[str] = []
        self._server: _IndexHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("IndexServer has not been started yet")
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/simple/"

    @property
    def base_url(self) -> str:
        return self.url.removesuffix("simple/")

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            return
        handler = partial(_QuietHandler, directory=str(self.root))
        server = _IndexHTTPServer(("127.0.0.1", self.port), handler)
        server.requests = self.requests
        server.auth = None
        if self.credentials:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            server.auth = f"Basic {token}"
        if self.tls:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"index-server-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def down(self) -> _Down:
        """Context manager: the index is unreachable inside the block and back afterwards."""
        return _Down(self)

    def __enter__(self) -> IndexServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Down:
    def __init__(self, server: IndexServer) -> None:
        self._server = server

    def __enter__(self) -> IndexServer:
        self._server.stop()
        return self._server

    def __exit__(self, *exc_info: object) -> None:
        self._server.start()


@contextmanager
def served(wheels: Path, root: Path) -> Iterator[str]:
    """The wheels in ``wheels`` as a simple index written to ``root`` and served over HTTP
    while the ``with`` lasts; yields its URL."""
    write_simple_index(wheels, root)
    with IndexServer(root) as server:
        yield server.url
