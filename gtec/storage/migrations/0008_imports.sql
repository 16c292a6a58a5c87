-- Imports (issue 13): datasets people bring, each import an immutable version (file SHA-256, who, when, report),
-- its values at the file's level and the values derived at the levels above (aggregation rule of the indicator).
-- current_version names the version shown; a rollback points it back, versions are never edited.

CREATE TABLE import_datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    producer TEXT NOT NULL DEFAULT '',
    licence TEXT NOT NULL DEFAULT '',
    current_version INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE import_versions (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES import_datasets(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    report TEXT NOT NULL,
    mapping TEXT NOT NULL DEFAULT '{}',
    rules TEXT NOT NULL DEFAULT '{}',
    UNIQUE (dataset_id, number)
);

CREATE TABLE import_values (
    version_id INTEGER NOT NULL REFERENCES import_versions(id) ON DELETE CASCADE,
    territory_id TEXT NOT NULL,
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    value REAL,
    secret INTEGER NOT NULL DEFAULT 0,
    derived INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (version_id, territory_id, indicator, period)
);
CREATE INDEX import_values_indicator ON import_values(version_id, indicator, period);
