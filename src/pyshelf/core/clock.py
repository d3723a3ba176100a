"""The one way pyshelf stamps time: UTC, ISO 8601, to the second (as stored and compared)."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
