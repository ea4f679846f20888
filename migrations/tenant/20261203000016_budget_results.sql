-- A heading's published results, stored when they are first shown after
-- the budget finishes, so that no later change to a project or a ballot
-- can move the winners. A recount (an audited admin action) supersedes the
-- current row and keeps it: at most one current row per heading.
CREATE TABLE budget_results (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    heading_id uuid NOT NULL REFERENCES budget_headings (id) ON DELETE CASCADE,
    rule text NOT NULL,
    tie text NOT NULL,
    completion text NOT NULL,
    -- SHA-256 of the election as a Pabulib file: what was counted.
    input_digest text NOT NULL CHECK (input_digest ~ '^[0-9a-f]{64}$'),
    ballots integer NOT NULL CHECK (ballots >= 0),
    outcome jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    -- Why this count replaced the one before (null for the first).
    recount_reason text CHECK (length(recount_reason) BETWEEN 1 AND 2000),
    superseded_at timestamptz
);
CREATE UNIQUE INDEX budget_results_current_key ON budget_results (heading_id) WHERE superseded_at IS NULL;
