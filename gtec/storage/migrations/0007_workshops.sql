-- Co-creation workshops (issue 14): a session (one code of workshop_sessions) with its details and phase, up to six
-- parallel workshops, participants known by the SHA-256 of a random token, contributions with their edit history,
-- tags, dot votes within a per-session budget and agree/disagree/pass reactions.

CREATE TABLE workshop_meta (
    code TEXT PRIMARY KEY REFERENCES workshop_sessions(code),
    held_on TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    vote_budget INTEGER NOT NULL DEFAULT 5 CHECK (vote_budget BETWEEN 1 AND 50),
    moderation TEXT NOT NULL DEFAULT 'post' CHECK (moderation IN ('pre', 'post')),
    phase TEXT NOT NULL DEFAULT 'waiting' CHECK (phase IN ('waiting', 'contribute', 'vote', 'closed')),
    phase_ends_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE workshop_tracks (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL REFERENCES workshop_sessions(code),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    prompt TEXT NOT NULL DEFAULT '',
    facilitator TEXT NOT NULL DEFAULT '',
    UNIQUE (code, position)
);

CREATE TABLE workshop_participants (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL REFERENCES workshop_sessions(code),
    token_sha256 TEXT NOT NULL UNIQUE,
    nickname TEXT NOT NULL DEFAULT '',
    stakeholder TEXT NOT NULL CHECK (stakeholder IN
        ('institution', 'company', 'jobseeker_learner', 'training_body', 'elected_official', 'other')),
    track_id INTEGER REFERENCES workshop_tracks(id),
    votes_used INTEGER NOT NULL DEFAULT 0 CHECK (votes_used >= 0),
    joined_at TEXT NOT NULL
);
CREATE INDEX workshop_participants_code ON workshop_participants(code);

CREATE TABLE workshop_contributions (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL REFERENCES workshop_sessions(code),
    track_id INTEGER NOT NULL REFERENCES workshop_tracks(id),
    participant_id INTEGER REFERENCES workshop_participants(id),
    author_label TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    family_id TEXT,
    territory_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'visible', 'hidden', 'merged')),
    merged_into INTEGER REFERENCES workshop_contributions(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX workshop_contributions_code ON workshop_contributions(code, track_id);

CREATE TABLE workshop_contribution_history (
    id INTEGER PRIMARY KEY,
    contribution_id INTEGER NOT NULL REFERENCES workshop_contributions(id),
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);

CREATE TABLE workshop_tags (
    contribution_id INTEGER NOT NULL REFERENCES workshop_contributions(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (contribution_id, tag)
);

CREATE TABLE workshop_votes (
    contribution_id INTEGER NOT NULL REFERENCES workshop_contributions(id),
    participant_id INTEGER NOT NULL REFERENCES workshop_participants(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (contribution_id, participant_id)
);
CREATE INDEX workshop_votes_participant ON workshop_votes(participant_id);

CREATE TABLE workshop_reactions (
    contribution_id INTEGER NOT NULL REFERENCES workshop_contributions(id),
    participant_id INTEGER NOT NULL REFERENCES workshop_participants(id),
    reaction TEXT NOT NULL CHECK (reaction IN ('agree', 'disagree', 'pass')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (contribution_id, participant_id)
);
CREATE INDEX workshop_reactions_participant ON workshop_reactions(participant_id);
