-- Saved foresight scenarios (issue 5). Parameter values are stored as plain "name=value;..." text, validated
-- against gtec.scenario.PARAMETERS when read back (a parameter added later takes its default).
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    territory_id TEXT NOT NULL,
    horizon INTEGER NOT NULL,
    params TEXT NOT NULL,
    preset TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX scenarios_updated ON scenarios(updated_at);
