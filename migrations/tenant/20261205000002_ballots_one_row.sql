-- A ballot is one row holding its projects (sorted, no repeats), keyed by
-- heading and person: casting a first ballot writes one row and its two
-- index entries instead of a ballot, a line per project and a second
-- version of the ballot when it was submitted (docs/benchmarks.md,
-- "Ballots"). Tallies, exports and the person's data read the array; the
-- engine keeps a ballot to 1,000 projects.
--
-- This migration contracts in the same release as it expands (it drops
-- the lines, the ballot's id and its unique key): keeping the lines in
-- step for one more release would have cost every ballot the rows this
-- removes. Servers and workers of the release before therefore fail every
-- ballot request and count between this migration and their replacement
-- (an error, nothing written: a count job is retried by the new workers).
-- deploy/README.md says how to roll it out.
--
-- One change per statement: Citus refuses ADD COLUMN with a constraint,
-- and ADD CONSTRAINT among other changes, on a distributed council.
ALTER TABLE budget_ballots ADD COLUMN projects uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE budget_ballots ADD CONSTRAINT budget_ballots_projects_check CHECK (array_position(projects, NULL) IS NULL);
UPDATE budget_ballots b
SET projects = ARRAY(SELECT l.project_id FROM budget_ballot_lines l WHERE l.ballot_id = b.id ORDER BY l.project_id);
DROP TABLE budget_ballot_lines;
ALTER TABLE budget_ballots DROP CONSTRAINT budget_ballots_pkey;
ALTER TABLE budget_ballots DROP CONSTRAINT budget_ballots_person_key;
ALTER TABLE budget_ballots DROP COLUMN id;
ALTER TABLE budget_ballots ADD CONSTRAINT budget_ballots_pkey PRIMARY KEY (heading_id, user_id);
