-- Participatory budgets: one budget per process, split into headings (one
-- city-wide and/or one per district), projects with their feasibility
-- review and supports, ballots and their lines, paper votes, and the
-- execution of the winners.
--
-- Money is stored in cents (bigint). The budget's phases are six dates in
-- order; the phase open now is read with the database clock. Votes are not
-- counters: results count the lines of submitted ballots when they are
-- computed, so casting a ballot writes only the ballot's own rows and never
-- waits on other voters.

CREATE TABLE budgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL CONSTRAINT budgets_process_key UNIQUE REFERENCES processes (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    -- knapsack: a ballot's total cost fits in its heading's amount;
    -- approval: at most the heading's max_projects projects.
    voting_style text NOT NULL DEFAULT 'knapsack' CHECK (voting_style IN ('knapsack', 'approval')),
    -- Knapsack only: a ballot must spend at least this share to be submitted.
    min_spend_percent smallint NOT NULL DEFAULT 0 CHECK (min_spend_percent BETWEEN 0 AND 100),
    -- Who may vote (a district heading also needs the census district).
    voters text NOT NULL DEFAULT 'verified' CHECK (voters IN ('registered', 'verified')),
    -- Supports one person may give per heading in the selecting phase.
    max_supports integer CHECK (max_supports > 0),
    ballots_changeable boolean NOT NULL DEFAULT true,
    rule text NOT NULL DEFAULT 'greedy' CHECK (rule IN ('greedy', 'mes', 'mes-greedy')),
    tie text NOT NULL DEFAULT 'id' CHECK (tie IN ('id', 'cheapest')),
    completion text NOT NULL DEFAULT 'exhaustive' CHECK (completion IN ('exhaustive', 'until-over-budget')),
    accepting_at timestamptz NOT NULL,
    reviewing_at timestamptz NOT NULL,
    selecting_at timestamptz NOT NULL,
    balloting_at timestamptz NOT NULL,
    tallying_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (accepting_at <= reviewing_at AND reviewing_at <= selecting_at AND selecting_at <= balloting_at
           AND balloting_at < tallying_at AND tallying_at <= finished_at)
);

CREATE TABLE budget_headings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- NULL: city-wide; else the district whose residents vote here.
    district_code text REFERENCES districts (code),
    amount_cents bigint NOT NULL CHECK (amount_cents > 0 AND amount_cents <= 100000000000000000),
    max_projects integer CHECK (max_projects > 0),
    CONSTRAINT budget_headings_district_key UNIQUE NULLS NOT DISTINCT (budget_id, district_code)
);

CREATE TABLE budget_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The public number (also the project id in Pabulib exports).
    number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT budget_projects_number_key UNIQUE,
    budget_id uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    heading_id uuid NOT NULL REFERENCES budget_headings (id) ON DELETE CASCADE,
    author_id uuid REFERENCES users (id),
    proposal_id uuid CONSTRAINT budget_projects_proposal_key UNIQUE REFERENCES proposals (id),
    title text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    location text NOT NULL DEFAULT '' CHECK (length(location) <= 500),
    image text,
    estimated_cost_cents bigint NOT NULL CHECK (estimated_cost_cents > 0 AND estimated_cost_cents <= 100000000000000000),
    official_cost_cents bigint CHECK (official_cost_cents > 0 AND official_cost_cents <= 100000000000000000),
    feasibility text NOT NULL DEFAULT 'pending' CHECK (feasibility IN ('pending', 'feasible', 'unfeasible', 'needs_info')),
    feasibility_explanation text NOT NULL DEFAULT '' CHECK (length(feasibility_explanation) <= 20000),
    reviewed_at timestamptz,
    -- Staff put feasible projects on the ballot.
    on_ballot boolean NOT NULL DEFAULT false,
    supports_count integer NOT NULL DEFAULT 0 CHECK (supports_count >= 0),
    paper_votes integer NOT NULL DEFAULT 0 CHECK (paper_votes >= 0),
    execution_status text CHECK (execution_status IN ('planned', 'in_progress', 'done')),
    progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    hidden_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (feasibility <> 'unfeasible' OR length(feasibility_explanation) > 0),
    CHECK (NOT on_ballot OR feasibility = 'feasible')
) WITH (fillfactor = 85);
CREATE INDEX budget_projects_heading_idx ON budget_projects (heading_id, number);
CREATE INDEX budget_projects_budget_idx ON budget_projects (budget_id, number);

CREATE TABLE budget_supports (
    project_id uuid NOT NULL REFERENCES budget_projects (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    heading_id uuid NOT NULL REFERENCES budget_headings (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX budget_supports_person_idx ON budget_supports (user_id, heading_id);

-- One ballot per person and heading (the unique key); every change to a
-- ballot first locks its row, so one person's parallel requests take turns
-- and each sees the lines the previous one left.
--
-- Ballots and their lines have no foreign key to the heading or the
-- projects: every voter's insert would take a KEY SHARE lock on the same
-- few heading and project rows, and thousands of voters at once then queue
-- on those rows' shared-lock bookkeeping (measured: 351 ballots/s with the
-- keys). The ballot code checks heading and projects in the same
-- transaction instead, projects are never deleted (they are hidden), and a
-- heading is deleted only with its ballots (budgets::setup::update).
CREATE TABLE budget_ballots (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    heading_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    submitted_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT budget_ballots_person_key UNIQUE (heading_id, user_id)
);
CREATE INDEX budget_ballots_person_idx ON budget_ballots (user_id);

CREATE TABLE budget_ballot_lines (
    ballot_id uuid NOT NULL REFERENCES budget_ballots (id) ON DELETE CASCADE,
    project_id uuid NOT NULL,
    PRIMARY KEY (ballot_id, project_id)
);
CREATE INDEX budget_ballot_lines_project_idx ON budget_ballot_lines (project_id);

-- Dated updates on a winner's execution, with an optional photo.
CREATE TABLE budget_project_updates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id uuid NOT NULL REFERENCES budget_projects (id) ON DELETE CASCADE,
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    image text,
    status text NOT NULL CHECK (status IN ('planned', 'in_progress', 'done')),
    progress smallint NOT NULL CHECK (progress BETWEEN 0 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_project_updates_project_idx ON budget_project_updates (project_id, created_at DESC);

-- People follow projects too: authors and followers are told of reviews
-- and execution updates.
ALTER TABLE follows DROP CONSTRAINT follows_target_kind_check,
    ADD CONSTRAINT follows_target_kind_check CHECK (target_kind IN ('process', 'debate', 'proposal', 'project'));
