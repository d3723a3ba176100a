"""A PEP 751 lock as uv writes it, and each of its package tables, for the tests of the lock
pyshelf puts together."""

from __future__ import annotations

# uv's `pip compile --format pylock.toml` of three pins, as uv 0.13 writes it (URLs and
# hashes shortened).
UV_PYLOCK = """\
lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.11.7"

[[packages]]
name = "black"
version = "24.8.0"
sdist = { url = "https://files.example/black-24.8.0.tar.gz", upload-time = 2024-08-02T17:43:18Z, size = 644810, hashes = { sha256 = "25" } }
wheels = [
    { url = "https://files.example/black-24.8.0-cp311-cp311-manylinux_2_17_x86_64.whl", size = 1738774, hashes = { sha256 = "62" } },
    { url = "https://files.example/black-24.8.0-py3-none-any.whl", size = 206504, hashes = { sha256 = "97" } },
]

[[packages]]
name = "qlproj"
directory = { path = "/home/me/src/qlproj", editable = true }

[[packages]]
name = "typing-extensions"
version = "4.12.2"
wheels = [{ url = "https://files.example/typing_extensions-4.12.2-py3-none-any.whl", size = 37438, hashes = { sha256 = "04" } }]
"""  # noqa: E501

# The same tables, each on its own: uv writes them one blank line apart, after its header.
TABLES = {name: chunk.rstrip("\n") + "\n" for name, chunk in zip(
    ("black", "qlproj", "typing-extensions"), UV_PYLOCK.split("\n\n")[1:], strict=True)}
