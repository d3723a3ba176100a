"""Installed distributions as an installer leaves them: ``<name>-<version>.dist-info``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_dist_info"]


def write_dist_info(site: Path, name: str, version: str, *requires: str) -> Path:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n\nThe long description.\n")
    return info
