-- Custom territories (maps area): a named set of EPCIs or communes composed by a facilitator.
-- Shown everywhere as territory id 'WS-<id>'. Members are reference-store ids (FR-EPCI-..., FR-COM-...);
-- their values and outlines are computed from the reference store, so a rebuild never loses them.
CREATE TABLE custom_territories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    member_level TEXT NOT NULL CHECK (member_level IN ('epci', 'commune')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX custom_territories_name ON custom_territories(name COLLATE NOCASE);

CREATE TABLE custom_territory_members (
    territory_id INTEGER NOT NULL REFERENCES custom_territories(id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    PRIMARY KEY (territory_id, member_id)
);
