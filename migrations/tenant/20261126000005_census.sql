-- The municipal census (padrón) and residency verification. Document
-- numbers are stored only as HMAC-SHA256 under a key derived from the
-- deployment's secret and the council (see cabildo-engine's census module).
CREATE TABLE census (
    document_hash bytea PRIMARY KEY CHECK (length(document_hash) = 32),
    birth_date date NOT NULL,
    district_code text NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

-- Which account used which document: one document, one account, kept
-- across census imports.
CREATE TABLE census_claims (
    document_hash bytea PRIMARY KEY CHECK (length(document_hash) = 32),
    user_id uuid NOT NULL CONSTRAINT census_claims_user_key UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- Failed verification attempts (five a day per account at most).
CREATE TABLE verification_failures (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_failures_user_idx ON verification_failures (user_id, at);

CREATE TABLE census_imports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    residents bigint NOT NULL,
    rejected bigint NOT NULL,
    imported_by text NOT NULL CHECK (length(imported_by) <= 200),
    imported_at timestamptz NOT NULL DEFAULT now()
);
