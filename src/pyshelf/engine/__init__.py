"""The programs pyshelf runs (uv, interpreters, other tools) and the interpreters it finds."""
