-- Admin settings (gtec.access.settings): one row per declared setting that an admin changed from its default.
-- Values are JSON text; the declaration in gtec/access/settings.py gives the type, the default and the labels.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
