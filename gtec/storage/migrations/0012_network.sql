-- Partner network (issue 16, gtec.network): organisations (merged ones kept as aliases of the survivor), their
-- contacts (only the personal data needed, a legal basis; erasure blanks every personal column and keeps an
-- anonymous row), collaborations between organisations, and the interaction log the reciprocity indicator counts.
-- Portable SQL: integer ids filled by the database and read with RETURNING id, uniqueness through *_key columns.
-- The roadmap (0013) links its actions to organisations(id).

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    match_key TEXT NOT NULL DEFAULT '',
    org_type TEXT NOT NULL,
    country TEXT NOT NULL,
    territory_id TEXT NOT NULL DEFAULT '',
    naf TEXT NOT NULL DEFAULT '',
    size TEXT NOT NULL DEFAULT '',
    siren TEXT NOT NULL DEFAULT '',
    other_id TEXT NOT NULL DEFAULT '',
    merged_into INTEGER REFERENCES organisations(id),
    merged_by TEXT NOT NULL DEFAULT '',
    merged_at TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organisations_territory ON organisations(territory_id);
CREATE INDEX organisations_siren ON organisations(siren);
CREATE INDEX organisations_merged ON organisations(merged_into);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    full_name TEXT NOT NULL DEFAULT '',
    job_role TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    consent_date TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    erased_at TEXT NOT NULL DEFAULT '',
    erased_by TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_organisation ON contacts(organisation_id);

CREATE TABLE collaborations (
    id INTEGER PRIMARY KEY,
    collab_type TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE collaboration_parties (
    collaboration_id INTEGER NOT NULL REFERENCES collaborations(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (collaboration_id, organisation_id)
);
CREATE INDEX collaboration_parties_org ON collaboration_parties(organisation_id);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    occurred_on TEXT NOT NULL,
    interaction_type TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    anonymous_participants INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_date ON interactions(occurred_on);

CREATE TABLE interaction_organisations (
    interaction_id INTEGER NOT NULL REFERENCES interactions(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (interaction_id, organisation_id)
);
CREATE INDEX interaction_organisations_org ON interaction_organisations(organisation_id, interaction_id);

CREATE TABLE interaction_participants (
    interaction_id INTEGER NOT NULL REFERENCES interactions(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    PRIMARY KEY (interaction_id, contact_id)
);
CREATE INDEX interaction_participants_contact ON interaction_participants(contact_id);
