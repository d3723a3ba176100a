"""The shelf's record: the SQLite database, settings, the writer lock, per-generation copies."""
