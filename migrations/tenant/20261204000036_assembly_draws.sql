-- Citizens' assemblies drawn by lot (docs/meetings.md): verified
-- residents volunteer and get a public ticket number; the draw picks
-- tickets by a published seed, stratified by the census, and its log (per
-- stratum: residents, volunteers, seats, tickets drawn) is public. The
-- log names tickets, never people.
CREATE TABLE assembly_volunteers (
    assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Public number, in the order people volunteered.
    ticket integer NOT NULL CHECK (ticket >= 1),
    -- Stated for balancing women and men; 'other' and 'unsaid' are drawn
    -- without it.
    sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unsaid')),
    since timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assembly_id, user_id),
    CONSTRAINT assembly_volunteers_ticket_key UNIQUE (assembly_id, ticket)
);

CREATE TABLE assembly_draws (
    assembly_id uuid PRIMARY KEY REFERENCES assemblies (id) ON DELETE CASCADE,
    seed text NOT NULL CHECK (length(seed) BETWEEN 1 AND 200),
    seats integer NOT NULL CHECK (seats BETWEEN 1 AND 1000),
    -- [{district, age_band, census, volunteers, due, drawn: [tickets]}]
    log jsonb NOT NULL CHECK (jsonb_typeof(log) = 'array'),
    drawn_at timestamptz NOT NULL DEFAULT now()
);
