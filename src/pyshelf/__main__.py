"""Allow ``python -m pyshelf``."""

from pyshelf.cli import main

raise SystemExit(main())
