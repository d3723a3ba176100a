"""``shelf.toml`` and its lock: the shelf's intent as a file a person owns, edits, syncs and
shares."""
