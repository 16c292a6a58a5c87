-- Hardening (issue 10): case-insensitive uniqueness of user-named objects through a key column computed in
-- Python (gtec.storage.workspace.name_key: Unicode case folding, not SQLite's ASCII-only NOCASE), a version
-- per editable row (optimistic concurrency), and the 'throttled' outcome of the sign-in ledger.

ALTER TABLE custom_territories ADD COLUMN name_key TEXT;
UPDATE custom_territories SET name_key = lower(trim(name)) || CASE
    WHEN EXISTS (SELECT 1 FROM custom_territories o WHERE lower(trim(o.name)) = lower(trim(custom_territories.name))
                 AND o.id < custom_territories.id) THEN '#' || id ELSE '' END;
DROP INDEX custom_territories_name;
CREATE UNIQUE INDEX custom_territories_name_key ON custom_territories(name_key);
ALTER TABLE custom_territories ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

ALTER TABLE scenarios ADD COLUMN name_key TEXT;
UPDATE scenarios SET name_key = lower(trim(name)) || CASE
    WHEN EXISTS (SELECT 1 FROM scenarios o WHERE lower(trim(o.name)) = lower(trim(scenarios.name)) AND o.id < scenarios.id)
    THEN '#' || id ELSE '' END;
CREATE UNIQUE INDEX scenarios_name_key ON scenarios(name_key);
ALTER TABLE scenarios ADD COLUMN version INTEGER NOT NULL DEFAULT 1;


CREATE TABLE login_attempts_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    username TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'throttled', 'reset'))
);
INSERT INTO login_attempts_v2(id, at, username, client, outcome) SELECT id, at, username, client, outcome FROM login_attempts;
DROP TABLE login_attempts;
ALTER TABLE login_attempts_v2 RENAME TO login_attempts;
CREATE INDEX login_attempts_username ON login_attempts(username, client, at);
CREATE INDEX login_attempts_client ON login_attempts(client, at);
