-- A ballot is one row holding its projects (sorted, no repeats), keyed by
-- heading and person: casting a first ballot writes one row and its two
-- index entries instead of a ballot, a line per project and a second
-- version of the ballot when it was submitted (docs/benchmarks.md,
-- "Ballots"). Tallies, exports and the person's data unnest the array.
ALTER TABLE budget_ballots ADD COLUMN projects uuid[] NOT NULL DEFAULT '{}'
    CHECK (array_position(projects, NULL) IS NULL AND cardinality(projects) <= 1000);
UPDATE budget_ballots b
SET projects = ARRAY(SELECT l.project_id FROM budget_ballot_lines l WHERE l.ballot_id = b.id ORDER BY l.project_id);
DROP TABLE budget_ballot_lines;
ALTER TABLE budget_ballots DROP CONSTRAINT budget_ballots_pkey,
    DROP CONSTRAINT budget_ballots_person_key,
    DROP COLUMN id,
    ADD CONSTRAINT budget_ballots_pkey PRIMARY KEY (heading_id, user_id);
