-- Personal access tokens for API clients: scoped to this council (they
-- live in its schema), stored as the SHA-256 of the token, revocable.
CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE CHECK (length(token_hash) = 32),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
