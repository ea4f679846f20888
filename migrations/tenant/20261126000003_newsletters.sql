-- Newsletters to people who gave consent, delivered in batches with each
-- recipient's status recorded.
CREATE TABLE newsletters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body_markdown text NOT NULL CHECK (length(body_markdown) BETWEEN 1 AND 100000),
    -- 'all' or 'district:<code>'.
    audience text NOT NULL CHECK (audience ~ '^(all|district:[a-z0-9-]{1,40})$'),
    -- test: a single copy to an address; sending: recipients fixed, batches
    -- queued; sent: no recipient pending.
    status text NOT NULL DEFAULT 'sending' CHECK (status IN ('test', 'sending', 'sent')),
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);

CREATE TABLE newsletter_recipients (
    newsletter_id uuid NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    -- NULL for a test copy to an address.
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    email text NOT NULL,
    name text,
    language text,
    batch integer NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    error text,
    sent_at timestamptz,
    PRIMARY KEY (newsletter_id, email)
);
CREATE INDEX newsletter_recipients_pending_idx ON newsletter_recipients (newsletter_id, batch) WHERE status = 'pending';
