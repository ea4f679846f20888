-- Surveys (a process component) and quick polls (docs/surveys.md).
--
-- A survey's questions are fixed once it is published, so answers refer
-- to options by their position. Who answered (survey_respondents) is kept
-- apart from what they answered (survey_responses); a response carries
-- its author only when the survey is not anonymous. Anonymous responses
-- have a random id and the day only, like consultation ballots.
CREATE TABLE surveys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE RESTRICT,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    -- Who may answer: anyone (one response per browser), registered
    -- people, verified residents, or verified residents of the process's
    -- district.
    audience text NOT NULL CHECK (audience IN ('anyone', 'registered', 'verified', 'district')),
    -- Responses not linked to the person (registered audiences only).
    anonymous boolean NOT NULL DEFAULT false,
    -- A person may change their response while the survey's phase is open
    -- (never for anonymous responses: nothing ties them to the person).
    editable boolean NOT NULL DEFAULT false,
    -- Results (charts, approved texts, export) are public while it runs;
    -- otherwise only once no survey phase is open any more.
    results_while_open boolean NOT NULL DEFAULT true,
    published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT (anonymous AND editable)),
    CHECK (NOT (anonymous AND audience = 'anyone'))
);
CREATE INDEX surveys_process_idx ON surveys (process_id);

CREATE TABLE survey_questions (
    survey_id uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position BETWEEN 0 AND 99),
    kind text NOT NULL CHECK (kind IN ('single', 'multiple', 'ranking', 'scale', 'short_text', 'long_text', 'matrix')),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    required boolean NOT NULL DEFAULT true,
    -- Choices (single, multiple, ranking) or a matrix's columns.
    options text[] NOT NULL DEFAULT '{}',
    -- A matrix's rows.
    rows text[] NOT NULL DEFAULT '{}',
    -- Multiple choice: how many may be ticked.
    min_choices integer NOT NULL DEFAULT 0 CHECK (min_choices >= 0),
    max_choices integer NOT NULL DEFAULT 1 CHECK (max_choices >= 1),
    -- Scale: 1 to scale_max (5 or 10).
    scale_max integer NOT NULL DEFAULT 5 CHECK (scale_max IN (5, 10)),
    -- Shown only when the answer to an earlier choice question includes
    -- one of these options.
    shown_if_question integer,
    shown_if_options integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (survey_id, position),
    CHECK (shown_if_question IS NULL OR shown_if_question < position)
);

CREATE TABLE survey_respondents (
    survey_id uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- A person's id, or a keyed hash of a browser's token for surveys
    -- anyone answers; never both.
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    visitor bytea CHECK (length(visitor) = 32),
    CHECK ((user_id IS NULL) <> (visitor IS NULL)),
    UNIQUE (survey_id, user_id),
    UNIQUE (survey_id, visitor)
);

CREATE TABLE survey_responses (
    survey_id uuid NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    -- The author, for surveys that are not anonymous (kept so they can
    -- edit it); none for anonymous ones and visitors.
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    -- {"<position>": {"choice": 1} | {"choices": [0, 2]} | {"order": [2, 0, 1]}
    --   | {"value": 4} | {"text": "…"} | {"rows": [0, null, 2]}}
    answers jsonb NOT NULL,
    answered_on date NOT NULL,
    PRIMARY KEY (survey_id, id),
    UNIQUE (survey_id, user_id)
);

-- Moderation of free-text answers: a text is published once approved.
-- A response's reviews go when it is edited.
CREATE TABLE survey_text_reviews (
    survey_id uuid NOT NULL,
    response_id uuid NOT NULL,
    position integer NOT NULL,
    approved boolean NOT NULL,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (survey_id, response_id, position),
    FOREIGN KEY (survey_id, response_id) REFERENCES survey_responses (survey_id, id) ON DELETE CASCADE
);

-- Quick polls: one question, on the home page (no process) or in a
-- process; registered people vote once and then see the results.
CREATE TABLE polls (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid REFERENCES processes (id) ON DELETE CASCADE,
    question text NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    options text[] NOT NULL CHECK (cardinality(options) BETWEEN 2 AND 10),
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL CHECK (closes_at > opens_at),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX polls_process_idx ON polls (process_id, closes_at);

CREATE TABLE poll_votes (
    poll_id uuid NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    option integer NOT NULL CHECK (option >= 0),
    PRIMARY KEY (poll_id, user_id)
);
