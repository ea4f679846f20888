-- People who work across councils: operators (run the platform) and
-- consultants (run processes for client councils). They log in on the
-- platform site and enter a council as staff through a single-use hand-off
-- token, without a second password. Councils' roles cannot read any of it.
CREATE TABLE platform.accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CONSTRAINT accounts_email_key UNIQUE
        CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role text NOT NULL CHECK (role IN ('operator', 'consultant')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Which councils a consultant serves, in which staff role.
CREATE TABLE platform.account_grants (
    account_id uuid NOT NULL REFERENCES platform.accounts (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('admin', 'moderator', 'evaluator')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, tenant_id, role)
);

CREATE TABLE platform.account_sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id uuid NOT NULL REFERENCES platform.accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX account_sessions_account_idx ON platform.account_sessions (account_id);

-- Entering a council: single use, within 60 seconds, on that council's host.
CREATE TABLE platform.handoffs (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id uuid NOT NULL REFERENCES platform.accounts (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('admin', 'moderator', 'evaluator')),
    host text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
