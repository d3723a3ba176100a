"""Allow ``python -m pyshelf``."""

from pyshelf.cli import run

run()
