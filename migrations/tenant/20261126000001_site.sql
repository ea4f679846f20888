-- Site settings and districts of one council. Runs with search_path set to
-- the council's schema: name nothing schema-qualified here.

-- Exactly one row.
CREATE TABLE settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    languages text[] NOT NULL DEFAULT ARRAY['es', 'en'],
    default_language text NOT NULL DEFAULT 'es',
    time_zone text NOT NULL DEFAULT 'Europe/Madrid',
    primary_colour text NOT NULL DEFAULT '#1d4f91' CHECK (primary_colour ~ '^#[0-9a-f]{6}$'),
    accent_colour text NOT NULL DEFAULT '#f2b705' CHECK (accent_colour ~ '^#[0-9a-f]{6}$'),
    -- Home page welcome text by language: {"es": "…", "en": "…"}.
    welcome jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (default_language = ANY (languages))
);
INSERT INTO settings DEFAULT VALUES;

CREATE TABLE districts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL CONSTRAINT districts_code_key UNIQUE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    population integer NOT NULL DEFAULT 0 CHECK (population >= 0),
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
