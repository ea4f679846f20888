-- Binding consultations (docs/consultations.md). The voter roll (who
-- voted) and the ballot box (what was voted) are kept apart with nothing
-- that links them: no shared id, no foreign key between them, dates to the
-- day only, and both tables rewritten in key order when the consultation
-- closes, so neither keeps the order in which votes arrived.
CREATE TABLE consultations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE RESTRICT,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    -- The electorate: verified residents of the census (of one district
    -- when set) aged at least min_age on the day voting opens.
    district_code text,
    min_age integer NOT NULL DEFAULT 16 CHECK (min_age BETWEEN 0 AND 120),
    -- Whether a voter may replace their ballot (with its receipt code).
    revoting boolean NOT NULL DEFAULT false,
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL CHECK (closes_at > opens_at),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    -- Set when voting opens: the electorate is frozen then.
    opened_at timestamptz,
    genesis bytea CHECK (length(genesis) = 32),
    -- Set at the close: the board's final head and the results.
    closed_at timestamptz,
    head bytea CHECK (length(head) = 32),
    results jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'draft') = (opened_at IS NULL)),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX consultations_process_idx ON consultations (process_id);

CREATE TABLE consultation_questions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    -- 1: choose one; more: choose up to that many. None is a blank vote.
    max_choices integer NOT NULL DEFAULT 1 CHECK (max_choices BETWEEN 1 AND 50),
    UNIQUE (consultation_id, position)
);

CREATE TABLE consultation_options (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    question_id uuid NOT NULL REFERENCES consultation_questions (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 300),
    UNIQUE (question_id, position)
);

-- The electorate, frozen when voting opens, which is also the voter roll:
-- voted_on is the day (in the council's time zone) of the last vote.
-- revote_tag is a hash of the voter's receipt code under another domain
-- than the ballot's receipt hash: it proves a re-vote comes from the
-- holder of the ballot it replaces without linking the two tables.
CREATE TABLE consultation_roll (
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    document_hash bytea NOT NULL CHECK (length(document_hash) = 32),
    district_code text NOT NULL,
    voted_on date,
    channel text CHECK (channel IN ('online', 'assisted', 'station')),
    revote_tag bytea CHECK (length(revote_tag) = 32),
    PRIMARY KEY (consultation_id, document_hash),
    CHECK ((voted_on IS NULL) = (channel IS NULL))
);

-- The ballot box: a random id, the choices, the hash of the voter's
-- receipt code, the day it was cast, and the day it was replaced by a
-- re-vote (it stays on the board, marked, and does not count).
CREATE TABLE consultation_ballots (
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    choices jsonb NOT NULL,
    receipt_hash bytea NOT NULL UNIQUE CHECK (length(receipt_hash) = 32),
    cast_on date NOT NULL,
    withdrawn_on date CHECK (withdrawn_on >= cast_on),
    PRIMARY KEY (consultation_id, id)
);

-- Paper ballots counted at a polling station, as totals per option; a
-- station's count is entered again to correct it. Blank ballots count
-- per question.
CREATE TABLE consultation_paper (
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    station text NOT NULL CHECK (length(station) BETWEEN 1 AND 100),
    question_id uuid NOT NULL REFERENCES consultation_questions (id) ON DELETE CASCADE,
    -- NULL: blank ballots for the question.
    option_id uuid REFERENCES consultation_options (id) ON DELETE CASCADE,
    count integer NOT NULL CHECK (count >= 0),
    UNIQUE NULLS NOT DISTINCT (consultation_id, station, question_id, option_id)
);
