"""One module per command; each parses nothing and prints through ``ui``."""
