"""Storage layer: SQL helpers, the read-only reference store, the workspace and its migrations."""
