"""How uv reaches the package index, and what went wrong there, in one sentence.

pyshelf runs uv with ``--no-config``, so that no stray ``uv.toml`` changes what a shelf
resolves; what a network needs (a proxy's certificate, the system's store, a keyring) comes
from the shelf's own settings instead, handed to uv in its environment, which every uv
command reads the same way. Proxies (``HTTPS_PROXY``, ``NO_PROXY``), ``SSL_CERT_FILE`` and
``~/.netrc`` reach uv unchanged.

uv reports a failed request as a chain of causes (``error: Failed to fetch: URL``, then
``cause:`` lines down to the root such as ``invalid peer certificate: UnknownIssuer``), and a
refused index as a ``hint:`` under a resolver error. Each kind of failure has its own remedy
(a certificate setting, credentials, the network), so each is named apart, always with the
host and uv's own root cause; credentials in the URL are never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

# What other tools read for a certificate bundle, which uv does not: pip's users often have
# one of these set by their organisation and no SSL_CERT_FILE.
_OTHER_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT")


class IndexAccess(NamedTuple):
    """The shelf's settings for reaching its index."""

    certificate_file: str | None = None
    system_certificates: bool = False
    keyring_provider: str = "disabled"

    def uv_environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """What uv's environment gains over ``environ``: the certificate bundle (the
        setting, else another tool's bundle variable when SSL_CERT_FILE is not set), the
        system's store, and keyring."""
        extra: dict[str, str] = {}
        bundle = self.certificate_file or next(
            (environ[name] for name in _OTHER_BUNDLE_VARIABLES
             if environ.get(name) and not environ.get("SSL_CERT_FILE")), None)
        if bundle:
            extra["SSL_CERT_FILE"] = bundle
        if self.system_certificates:
            extra["UV_SYSTEM_CERTS"] = "true"
        if self.keyring_provider != "disabled":
            extra["UV_KEYRING_PROVIDER"] = self.keyring_provider
        return extra

_URL = r"https?://[^\s)]+"  # patterns compile when a failure is read
_STATUS = r"\b([1-5]\d\d) ([A-Z][A-Za-z ]+?)\)?(?: error)?[.)]"

_CERTIFICATE = ("invalid peer certificate", "certificate verify failed", "UnknownIssuer",
                "BadSignature", "NotValidForName", "CertificateExpired", "self-signed",
                "self signed", "unable to get local issuer")
_DNS = ("dns error", "failed to lookup address", "Name or service not known",
        "nodename nor servname", "Temporary failure in name resolution")
_REFUSED = ("Connection refused", "tcp connect error", "Network is unreachable",
            "No route to host")
_TIMEOUT = ("operation timed out", "timed out", "deadline has elapsed")
_OTHER = ("Failed to fetch", "error sending request", "Could not connect",
          "connection closed before message completed", "error reading a body")


class IndexFailure(NamedTuple):
    """One failed conversation with an index: what kind, where, and uv's root cause."""

    kind: str  # certificate, dns, refused, timeout, credentials, forbidden, status, other
    host: str
    cause: str

    def sentence(self) -> str:
        where = f"The package index at {self.host}"
        return {
            "certificate": f"{where} sent a certificate that is not trusted ({self.cause}); "
                           "if a proxy or your organisation signs its traffic, trust its "
                           "certificate with `pyshelf config set certificate_file CA.pem`, or "
                           "the system's store with `pyshelf config set system_certificates "
                           "true`.",
            "dns": f"The package index host {self.host} could not be found ({self.cause}); "
                   "check the network, or the index_url setting.",
            "refused": f"{where} could not be connected to ({self.cause}); check the network, "
                       "a proxy (HTTPS_PROXY), or the index_url setting.",
            "timeout": f"{where} did not answer in time ({self.cause}); check the network or "
                       "a proxy (HTTPS_PROXY); UV_HTTP_TIMEOUT sets how long to wait.",
            "credentials": f"{where} needs credentials ({self.cause}); put them in ~/.netrc "
                           "or in the index_url, or let keyring supply them with `pyshelf "
                           "config set keyring_provider subprocess`.",
            "forbidden": f"{where} refused access ({self.cause}); check the index_url "
                         "setting and your credentials.",
            "status": f"{where} answered with an error ({self.cause}).",
        }.get(self.kind, f"{where} could not be reached ({self.cause}); check the network "
                         "or the index_url setting.")


def index_failure(stderr: str, index_url: str | None = None) -> IndexFailure | None:
    """The failure ``stderr`` reports, or None when uv failed for another reason."""
    causes = _causes(stderr)
    text = "\n".join(causes)
    host = _host(re.findall(_URL, text)) or _host([index_url] if index_url else []) or "?"
    root = causes[-1] if causes else ""
    status = re.search(_STATUS, text)
    if status and status.group(1) == "401":
        return IndexFailure("credentials", host, "401 Unauthorized")
    if status and status.group(1) == "403":
        return IndexFailure("forbidden", host, "403 Forbidden")
    for kind, markers in (("certificate", _CERTIFICATE), ("dns", _DNS),
                          ("refused", _REFUSED), ("timeout", _TIMEOUT)):
        if any(marker in text for marker in markers):
            return IndexFailure(kind, host, _root_cause(causes, markers))
    if status and "Failed to fetch" in text:
        return IndexFailure("status", host, f"{status.group(1)} {status.group(2).strip()}")
    if any(marker in text for marker in _OTHER):
        return IndexFailure("other", host, root)
    return None


def _causes(stderr: str) -> list[str]:
    """uv's error chain and hints, one entry each, without their ``error:`` labels."""
    found = []
    for line in stderr.splitlines():
        stripped = line.strip()
        for label in ("error:", "cause:", "Caused by:", "hint:"):
            if stripped.startswith(label):
                found.append(stripped[len(label):].strip())
                break
        else:
            if found and stripped:  # uv wraps long lines
                found[-1] += " " + stripped
    return found


def _root_cause(causes: list[str], markers: tuple[str, ...]) -> str:
    """The deepest cause that names the failure (the rest of the chain is uv's plumbing)."""
    for cause in reversed(causes):
        if any(marker in cause for marker in markers):
            return cause
    return causes[-1]


def _host(urls: list[str]) -> str | None:
    """``host:port`` of the first URL, without any credentials it carries."""
    for url in urls:
        parts = urlsplit(url)
        if parts.hostname:
            return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    return None
