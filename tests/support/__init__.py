"""Test-only helpers: a hand-built wheel catalogue, an offline index and a shelf sandbox."""
