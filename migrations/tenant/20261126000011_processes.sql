-- Participatory processes and their phases. Each phase enables components
-- (debates, proposals …); who may create and support is a rule of the
-- process, decided on the server with the database clock, and frozen once
-- participation has started (changes after that go through an audited
-- override).
CREATE TABLE processes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL CONSTRAINT processes_slug_key UNIQUE
        CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
    description_markdown text NOT NULL DEFAULT '' CHECK (length(description_markdown) <= 100000),
    -- NULL: the whole city; else one district's code.
    district_code text,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    create_rule text NOT NULL DEFAULT 'registered' CHECK (create_rule IN ('registered', 'verified', 'district')),
    support_rule text NOT NULL DEFAULT 'verified' CHECK (support_rule IN ('registered', 'verified', 'district')),
    organisations_may_support boolean NOT NULL DEFAULT false,
    support_threshold integer NOT NULL DEFAULT 100 CHECK (support_threshold BETWEEN 1 AND 10000000),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE process_phases (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    components text[] NOT NULL DEFAULT '{}'
        CHECK (components <@ ARRAY['debates', 'proposals', 'surveys', 'budget', 'consultation', 'meetings']),
    CHECK (ends_at > starts_at)
);
CREATE INDEX process_phases_process_idx ON process_phases (process_id, starts_at);
