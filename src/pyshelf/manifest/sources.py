"""Where ``sync --from`` takes a manifest from: a file, a folder (a git checkout of
dotfiles) holding ``shelf.toml`` and perhaps its lock, or an http(s) URL.

A URL is fetched with the standard library, trusting what uv is told to trust (the
``certificate_file`` setting, else ``SSL_CERT_FILE`` and its stand-ins) and going through
the proxies the environment names, as uv does.
"""

from __future__ import annotations

import os
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pyshelf.errors import PyshelfError
from pyshelf.manifest.files import LOCK_NAME, MANIFEST_NAME, read_text

_CERTIFICATE_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT")
_TIMEOUT = 30  # seconds; a manifest is small


@dataclass(frozen=True)
class Source:
    text: str
    name: str  # the path or URL, as messages name it
    folder: Path | None  # where relative paths start; None for a URL
    lock_text: str | None
    lock_name: str


def fetch(source: str, certificate_file: str | None) -> Source:
    if urlsplit(source).scheme in ("http", "https"):
        return _from_url(source, certificate_file)
    return _from_path(Path(source).expanduser().absolute())


def _from_path(path: Path) -> Source:
    manifest = path / MANIFEST_NAME if path.is_dir() else path
    text = read_text(manifest)
    if text is None:
        where = f"{path} holds no {MANIFEST_NAME}" if path.is_dir() else f"There is no {path}"
        raise PyshelfError(f"{where}; nothing was changed.")
    lock = manifest.with_name(LOCK_NAME)
    return Source(text, str(manifest), manifest.parent, read_text(lock), str(lock))


def _from_url(url: str, certificate_file: str | None) -> Source:
    manifest = url if urlsplit(url).path.endswith(".toml") else urljoin(
        url if url.endswith("/") else url + "/", MANIFEST_NAME)
    lock = urljoin(manifest, LOCK_NAME)
    context = _tls(certificate_file)
    text = _get(manifest, context)
    if text is None:
        raise PyshelfError(f"{manifest} was not found (HTTP 404); nothing was changed.")
    return Source(text, manifest, None, _get(lock, context), lock)


def _tls(certificate_file: str | None) -> ssl.SSLContext:
    cafile = certificate_file or next(
        (os.environ[v] for v in _CERTIFICATE_VARIABLES if os.environ.get(v)), None)
    return ssl.create_default_context(cafile=cafile)


def _get(url: str, context: ssl.SSLContext) -> str | None:
    """The body at ``url`` as text; None for a 404 (a lock a URL need not have)."""
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=_TIMEOUT) as response:
            body: bytes = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise PyshelfError(f"{url} could not be fetched (HTTP {exc.code} {exc.reason}); "
                           "nothing was changed.") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PyshelfError(f"{url} could not be fetched ({reason}); nothing was "
                           "changed.") from exc
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PyshelfError(f"{url} is not UTF-8 text; nothing was changed.") from exc
