-- Citizen accounts on top of `users`: nickname, password, confirmation,
-- terms acceptance; single-use tokens sent by mail; login sessions. People
-- without a password (reached before they had an account) stay valid rows.
ALTER TABLE users
    ADD COLUMN nickname text CHECK (length(nickname) BETWEEN 3 AND 30),
    ADD COLUMN password_hash text CHECK (password_hash LIKE '$argon2id$%'),
    ADD COLUMN email_confirmed_at timestamptz,
    ADD COLUMN terms_accepted_at timestamptz,
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN deleted_at timestamptz;
-- Nicknames are unique whatever their case.
CREATE UNIQUE INDEX users_nickname_key ON users (lower(nickname));

-- Links sent by mail (confirm an address, reset a password): only the
-- SHA-256 of the token is kept.
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent text CHECK (length(user_agent) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
