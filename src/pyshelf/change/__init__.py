"""The change pipeline: intent -> lock -> a built generation."""
