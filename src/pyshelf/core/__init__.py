"""The pure model: records, parsed requests, plans, graphs and locks (no I/O beyond
reading files it is handed)."""
