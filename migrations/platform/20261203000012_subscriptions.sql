-- Paying for a plan. A council's subscription as Stripe last reported it
-- (one per council; card details stay with Stripe), and every Stripe
-- event id applied, stored in the same transaction as its effect so that
-- a replayed event changes nothing.
CREATE TABLE platform.subscriptions (
    tenant_id uuid PRIMARY KEY REFERENCES platform.tenants (id) ON DELETE CASCADE,
    stripe_customer text NOT NULL UNIQUE,
    stripe_subscription text UNIQUE,
    -- Stripe's status: trialing, active, past_due, unpaid, canceled,
    -- incomplete, incomplete_expired, paused; NULL before a checkout ends.
    status text,
    -- Paid up to (the current period's end).
    paid_through timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE platform.stripe_events (
    id text PRIMARY KEY,
    type text NOT NULL,
    tenant_id uuid REFERENCES platform.tenants (id) ON DELETE SET NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Dunning: when a payment was first missed, and from when the council
-- may not create new things (the end of its grace period). Both clear
-- when it pays. Open phases are never cut.
ALTER TABLE platform.tenants
    ADD COLUMN overdue_since timestamptz,
    ADD COLUMN held_from timestamptz;
