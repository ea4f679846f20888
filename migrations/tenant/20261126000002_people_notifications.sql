-- The people a council reaches. Accounts (passwords, sessions) are added on
-- top of this table by a later migration.
CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CONSTRAINT users_email_key UNIQUE
        CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Preferred language; the council's default when NULL.
    language text CHECK (language ~ '^[a-z]{2}$'),
    newsletter_consent boolean NOT NULL DEFAULT false,
    newsletter_consent_at timestamptz,
    -- How notifications reach them by email.
    notify_email text NOT NULL DEFAULT 'daily'
        CHECK (notify_email IN ('immediate', 'daily', 'weekly', 'none')),
    district_code text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
    link text CHECK (link ~ '^(https?://|/)'),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    -- When an email (immediate or digest) was queued for it.
    emailed_at timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unemailed_idx ON notifications (user_id) WHERE emailed_at IS NULL;
