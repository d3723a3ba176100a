"""Apps outside the shared environment: isolated apps, one-off runs, the bin dir's links."""
