-- Stakeholder needs surveys and the roadmap of actions (issue 16, gtec.needs and gtec.roadmap).
-- Portable SQL: integer ids filled by the database and read with RETURNING id, uniqueness through *_key columns,
-- no COLLATE NOCASE. Questions live in the code (gtec/needs/bank.py); a survey stores the ids it asks.

CREATE TABLE needs_surveys (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('needs', 'company')),
    mode TEXT NOT NULL CHECK (mode IN ('tokens', 'open')),
    link_code TEXT NOT NULL UNIQUE,
    groups_json TEXT NOT NULL,
    questions_json TEXT NOT NULL,
    territory_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);

-- Personal answer tokens handed out one per respondent: only their SHA-256 is kept.
CREATE TABLE needs_tokens (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX needs_tokens_survey ON needs_tokens(survey_id);

-- One row per respondent: respondent_key is the token's hash (personal or per-browser) or the import row key.
CREATE TABLE needs_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES needs_surveys(id),
    respondent_key TEXT NOT NULL,
    group_code TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('link', 'import')),
    import_batch TEXT NOT NULL DEFAULT '',
    submitted_at TEXT NOT NULL,
    UNIQUE (survey_id, respondent_key)
);
CREATE INDEX needs_responses_survey ON needs_responses(survey_id);

CREATE TABLE needs_answers (
    response_id INTEGER NOT NULL REFERENCES needs_responses(id),
    question_id TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (response_id, question_id)
);

-- Roadmap actions. owner_org_id points at organisations(id) of the partner network (0012) when set; the
-- free-text owner_name is kept beside it (shown when no organisation is linked).
CREATE TABLE roadmap_actions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    group_code TEXT NOT NULL,
    owner_org_id INTEGER,
    owner_name TEXT NOT NULL DEFAULT '',
    territory_id TEXT NOT NULL DEFAULT '',
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),
    indicator TEXT NOT NULL DEFAULT '',
    baseline REAL,
    target REAL,
    origin_kind TEXT NOT NULL DEFAULT 'direct'
        CHECK (origin_kind IN ('direct', 'workshop', 'exchange', 'needs_cell', 'practice', 'import')),
    origin_ref TEXT NOT NULL DEFAULT '',
    origin_label TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX roadmap_actions_territory ON roadmap_actions(territory_id);
