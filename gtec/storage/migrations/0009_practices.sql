-- Peer learning (issue 15): a practices library with bilingual full-text search, structured peer exchanges with
-- their question threads, meeting, findings and follow-up items, and secure exchange spaces (members, messages,
-- encrypted documents, access log). The search index is an FTS5 table kept in sync by triggers; its tokenizer
-- folds case and accents ("métier" is found by "metier" and "METIER").

CREATE TABLE practices (
    id INTEGER PRIMARY KEY,
    title_fr TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    summary_fr TEXT NOT NULL DEFAULT '',
    summary_en TEXT NOT NULL DEFAULT '',
    description_fr TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL CHECK (country IN ('FR', 'UK', 'BE', 'OTHER')),
    territory_id TEXT NOT NULL DEFAULT '',
    theme TEXT NOT NULL,
    stakeholders TEXT NOT NULL DEFAULT '[]',
    families TEXT NOT NULL DEFAULT '[]',
    results TEXT NOT NULL DEFAULT '',
    indicator_id TEXT NOT NULL DEFAULT '',
    indicator_before TEXT NOT NULL DEFAULT '',
    indicator_after TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '',
    barriers TEXT NOT NULL DEFAULT '',
    contact_org TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('project_document', 'partner', 'peer_reviewed')),
    seed_key TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX practices_country ON practices(country);
CREATE INDEX practices_theme ON practices(theme);

CREATE VIRTUAL TABLE practices_fts USING fts5(
    title_fr, title_en, summary_fr, summary_en, description_fr, description_en, results, conditions, barriers,
    contact_org,
    tokenize = "unicode61 remove_diacritics 2"
);

CREATE TRIGGER practices_fts_insert AFTER INSERT ON practices BEGIN
    INSERT INTO practices_fts(rowid, title_fr, title_en, summary_fr, summary_en, description_fr, description_en,
        results, conditions, barriers, contact_org)
    VALUES (new.id, new.title_fr, new.title_en, new.summary_fr, new.summary_en, new.description_fr,
        new.description_en, new.results, new.conditions, new.barriers, new.contact_org);
END;

CREATE TRIGGER practices_fts_update AFTER UPDATE ON practices BEGIN
    DELETE FROM practices_fts WHERE rowid = old.id;
    INSERT INTO practices_fts(rowid, title_fr, title_en, summary_fr, summary_en, description_fr, description_en,
        results, conditions, barriers, contact_org)
    VALUES (new.id, new.title_fr, new.title_en, new.summary_fr, new.summary_en, new.description_fr,
        new.description_en, new.results, new.conditions, new.barriers, new.contact_org);
END;

CREATE TRIGGER practices_fts_delete AFTER DELETE ON practices BEGIN
    DELETE FROM practices_fts WHERE rowid = old.id;
END;

CREATE TABLE practice_comments (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    created_at TEXT NOT NULL
);
CREATE INDEX practice_comments_practice ON practice_comments(practice_id);

-- Structured peer exchanges: a host partner brings a practice or a challenge, peers from other countries.
CREATE TABLE exchanges (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('practice', 'challenge')),
    practice_id INTEGER REFERENCES practices(id),
    host_org TEXT NOT NULL,
    host_country TEXT NOT NULL,
    challenge TEXT NOT NULL DEFAULT '',
    phase TEXT NOT NULL DEFAULT 'questions' CHECK (phase IN ('questions', 'met', 'closed')),
    meeting_date TEXT NOT NULL DEFAULT '',
    meeting_mode TEXT NOT NULL DEFAULT '' CHECK (meeting_mode IN ('', 'online', 'on_site')),
    attendees TEXT NOT NULL DEFAULT '[]',
    findings TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE exchange_peers (
    id INTEGER PRIMARY KEY,
    exchange_id INTEGER NOT NULL REFERENCES exchanges(id),
    org TEXT NOT NULL,
    country TEXT NOT NULL,
    UNIQUE (exchange_id, org)
);

CREATE TABLE exchange_posts (
    id INTEGER PRIMARY KEY,
    exchange_id INTEGER NOT NULL REFERENCES exchanges(id),
    parent_id INTEGER REFERENCES exchange_posts(id),
    author TEXT NOT NULL,
    org TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX exchange_posts_exchange ON exchange_posts(exchange_id);

CREATE TABLE exchange_followups (
    id INTEGER PRIMARY KEY,
    exchange_id INTEGER NOT NULL REFERENCES exchanges(id),
    recommendation TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    created_at TEXT NOT NULL
);
CREATE INDEX exchange_followups_exchange ON exchange_followups(exchange_id);

-- Secure exchange spaces: documents are stored encrypted under the data directory, never in a served folder.
CREATE TABLE spaces (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE space_members (
    id INTEGER PRIMARY KEY,
    space_id INTEGER NOT NULL REFERENCES spaces(id),
    username TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX space_members_space ON space_members(space_id, username);

CREATE TABLE space_messages (
    id INTEGER PRIMARY KEY,
    space_id INTEGER NOT NULL REFERENCES spaces(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE space_documents (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    space_id INTEGER NOT NULL REFERENCES spaces(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size > 0),
    sha256 TEXT NOT NULL,
    inline_ok INTEGER NOT NULL DEFAULT 0,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX space_documents_space ON space_documents(space_id);

CREATE TABLE space_access_log (
    id INTEGER PRIMARY KEY,
    space_id INTEGER NOT NULL,
    document_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('read', 'download', 'denied')),
    at TEXT NOT NULL
);
CREATE INDEX space_access_log_space ON space_access_log(space_id);
