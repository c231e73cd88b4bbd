"""Episode pool: ingest finished episodes into a pool directory with an SQLite catalog."""
