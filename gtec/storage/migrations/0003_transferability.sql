-- Transferability matrix (alternance / KTP area). The seed rows are curated (data/wbl_transferability.csv,
-- status "estimate": project's assessment); partners' edits are appended here, never overwritten, so every
-- version is kept with who and when. The current matrix = seeds overlaid by the latest edit of each row_id.
-- New rows get row_id 'WS-<n>'. deleted = 1 hides a row (its history stays).
CREATE TABLE transferability_edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    row_id TEXT NOT NULL,
    system TEXT NOT NULL CHECK (system IN ('fr_appr', 'fr_eng', 'uk_ktp', 'be_wbl')),
    feature TEXT NOT NULL,
    difficulty TEXT NOT NULL CHECK (difficulty IN ('low', 'medium', 'high')),
    barriers TEXT NOT NULL DEFAULT '',
    actions TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    edited_at TEXT NOT NULL,
    edited_by TEXT NOT NULL,
    role TEXT NOT NULL
);
CREATE INDEX transferability_edits_row ON transferability_edits(row_id, id);
