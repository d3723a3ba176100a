"""The hashes of a wheel's ``RECORD``: ``sha256=`` and the digest in urlsafe base64 without
padding, as the wheel specification writes them."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable


def expected_hash(value: str) -> tuple[str, str] | None:
    """(algorithm, encoded digest) of a ``RECORD`` hash column; None where there is nothing
    to check against: no hash (``RECORD`` itself, files an installer wrote) or an algorithm
    this Python cannot compute."""
    algorithm, _, digest = value.partition("=")
    if not digest or algorithm not in hashlib.algorithms_available:
        return None
    return algorithm, digest


def record_digest(algorithm: str, chunks: Iterable[bytes]) -> str:
    """The digest of the content ``chunks`` as ``RECORD`` writes it."""
    hasher = hashlib.new(algorithm)
    for chunk in chunks:
        hasher.update(chunk)
    return base64.urlsafe_b64encode(hasher.digest()).rstrip(b"=").decode("ascii")
