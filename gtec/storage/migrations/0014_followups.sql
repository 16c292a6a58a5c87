-- Workshop and practice follow-ups (issues 14 and 15).
-- 1. A facilitator may post a contribution in a session; it is marked as such on the wall, in the report and the
--    CSV (by_facilitator = 1, participant_id stays NULL: the facilitator is not a participant and never votes).
-- 2. Each recommendation of a peer exchange is a follow-up item with a stable text id (uid, e.g. EXF-12) that the
--    roadmap (gtec/roadmap) will point at when it turns the item into an action; the integer id may differ between
--    backends, the uid never changes.
-- 3. A practice edit keeps who last changed it and when (the version column of 0009 guards concurrent edits).
-- 4. Closing an exchange records when and by whom.
-- Portable SQL (SQLite and PostgreSQL): ADD COLUMN with a constant default, || concatenation, CAST to TEXT.

ALTER TABLE workshop_contributions ADD COLUMN by_facilitator INTEGER NOT NULL DEFAULT 0;

ALTER TABLE exchange_followups ADD COLUMN uid TEXT;
UPDATE exchange_followups SET uid = 'EXF-' || CAST(id AS TEXT) WHERE uid IS NULL;
CREATE UNIQUE INDEX exchange_followups_uid ON exchange_followups(uid);

ALTER TABLE practices ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE practices ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

ALTER TABLE exchanges ADD COLUMN closed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE exchanges ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
