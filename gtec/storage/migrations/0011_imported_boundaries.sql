-- Imported boundaries (issue 13): layers people bring (zones d'emploi, Travel To Work Areas, a study area). Each
-- import is an immutable version (file SHA-256, who, when, report, CRS of the file) holding its features in WGS84,
-- simplified to the map budget, as GeoJSON geometry text. current_version names the version shown; a rollback
-- points it back, versions are never edited. Layer ids shown to the app are WS-LAYER-<id>.

CREATE TABLE boundary_layers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    current_version INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE boundary_versions (
    id INTEGER PRIMARY KEY,
    layer_id INTEGER NOT NULL REFERENCES boundary_layers(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    features INTEGER NOT NULL,
    vertices INTEGER NOT NULL,
    source_crs TEXT NOT NULL DEFAULT '',
    code_column TEXT NOT NULL,
    name_column TEXT NOT NULL DEFAULT '',
    min_lon REAL,
    min_lat REAL,
    max_lon REAL,
    max_lat REAL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    report TEXT NOT NULL,
    UNIQUE (layer_id, number)
);

CREATE TABLE boundary_features (
    version_id INTEGER NOT NULL REFERENCES boundary_versions(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    PRIMARY KEY (version_id, code)
);
