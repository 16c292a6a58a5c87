-- Training offer (issue 18): each import of the territory's training-offer file is an immutable version (file
-- SHA-256, who, when, the producer's source declaration, the validation report) with its rows as read, each row
-- placed on its commune (successor commune when merged) and mapped to occupation families by the curated
-- crosswalk. training_offer holds the one pointer to the current version (a rollback moves it back; versions are
-- never edited). training_mappings are the families an admin gave by hand to a training the crosswalk could not
-- map, keyed by the training's identity (title, provider, commune) so they carry over to the next versions.

CREATE TABLE training_offer (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    current_version INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE training_versions (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    producer TEXT NOT NULL DEFAULT '',
    vintage TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('official', 'estimate', 'imported', 'illustrative')),
    note TEXT NOT NULL DEFAULT '',
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    report TEXT NOT NULL
);

CREATE TABLE training_rows (
    version_id INTEGER NOT NULL REFERENCES training_versions(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    row_key TEXT NOT NULL,
    title TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    commune_code TEXT NOT NULL DEFAULT '',
    commune_id TEXT,
    level INTEGER,
    route TEXT,
    places REAL,
    places_low REAL,
    places_high REAL,
    leavers REAL,
    places_text TEXT NOT NULL DEFAULT '',
    formacode TEXT NOT NULL DEFAULT '',
    nsf TEXT NOT NULL DEFAULT '',
    rome TEXT NOT NULL DEFAULT '',
    rncp TEXT NOT NULL DEFAULT '',
    families TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER,
    PRIMARY KEY (version_id, line)
);
CREATE INDEX training_rows_key ON training_rows(version_id, row_key);

CREATE TABLE training_mappings (
    row_key TEXT PRIMARY KEY,
    families TEXT NOT NULL,
    title TEXT NOT NULL,
    mapped_by TEXT NOT NULL,
    mapped_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
