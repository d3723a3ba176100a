"""What is inside one environment: where its files are, the metadata its packages left, the
commands they installed, outside changes."""
