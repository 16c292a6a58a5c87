-- Access control (issue 6): accounts for facilitators and admins, the sign-in ledger used for rate limiting,
-- and workshop session codes that let participants contribute without an account.

-- Passwords are stored as "scrypt$n=...,r=...,p=...$salt$hash" (parameters kept with the hash so they can be raised).
CREATE TABLE accounts (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('facilitator', 'admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);

-- Every sign-in attempt (kept so that a server restart does not reset the rate limit).
-- outcome: 'success', 'failure' (wrong username, password or code), 'locked' (refused without checking)
-- or 'reset' (an admin lifted the lock: earlier failures no longer count).
CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    username TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'reset'))
);
CREATE INDEX login_attempts_username ON login_attempts(username, at);
CREATE INDEX login_attempts_client ON login_attempts(client, at);

-- Workshop sessions: a facilitator creates one, participants join with its code until it closes.
CREATE TABLE workshop_sessions (
    code TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closes_at TEXT NOT NULL
);
