-- Councils that sign up on the platform site. A sign-up is confirmed by
-- mail, may be held for an operator's approval, and is then provisioned
-- by the provisioner (the owner role: the serving role that faces the
-- internet cannot create roles). Its person becomes the council's first
-- admin and arrives signed in through a single-use welcome token.
CREATE TABLE platform.signups (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    council_name text NOT NULL CHECK (length(council_name) BETWEEN 1 AND 200),
    name_article text NOT NULL DEFAULT '' CHECK (name_article IN ('', 'el', 'la', 'los', 'las')),
    ine_code text NOT NULL CHECK (ine_code ~ '^[0-9]{5}$'),
    population integer NOT NULL CHECK (population BETWEEN 0 AND 10000000),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    person_name text NOT NULL CHECK (length(person_name) BETWEEN 1 AND 200),
    email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    -- Kept until the council is live, then cleared (it moves to the admin's
    -- council account).
    password_hash text CHECK (password_hash LIKE '$argon2id$%'),
    language text NOT NULL CHECK (language ~ '^[a-z]{2}$'),
    plan text NOT NULL DEFAULT 'default' CHECK (plan ~ '^[a-z][a-z0-9_-]{0,39}$'),
    status text NOT NULL DEFAULT 'unconfirmed'
        CHECK (status IN ('unconfirmed', 'held', 'confirmed', 'provisioning', 'live', 'rejected', 'failed')),
    -- Why it waits for an operator: 'domain' (not an accepted mail domain)
    -- or 'municipality' (its municipality already has a council).
    held_reason text CHECK (held_reason IN ('domain', 'municipality')),
    token_hash bytea NOT NULL CONSTRAINT signups_token_key UNIQUE CHECK (length(token_hash) = 32),
    welcome_hash bytea CONSTRAINT signups_welcome_key UNIQUE CHECK (length(welcome_hash) = 32),
    welcome_expires_at timestamptz,
    welcome_used_at timestamptz,
    tenant_id uuid REFERENCES platform.tenants (id) ON DELETE SET NULL,
    error text,
    decided_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    live_at timestamptz
);
CREATE INDEX signups_slug_idx ON platform.signups (slug);
CREATE INDEX signups_email_idx ON platform.signups (email, created_at);
CREATE INDEX signups_waiting_idx ON platform.signups (confirmed_at) WHERE status = 'confirmed';

-- The council's municipality (INE code) and plan, on the registry row:
-- billing will write the plan; everyone else reads it.
ALTER TABLE platform.tenants ADD COLUMN ine_code text CHECK (ine_code ~ '^[0-9]{5}$');
ALTER TABLE platform.tenants ADD COLUMN plan text NOT NULL DEFAULT 'default';

-- Platform jobs (mail about a sign-up, before any council exists) have no
-- council. Council roles still cannot set the column: their jobs always
-- get their own council from the default.
ALTER TABLE platform.jobs ALTER COLUMN tenant_id DROP NOT NULL;
