-- Associations and other organisations: an account that speaks for one,
-- verified or rejected by staff. Whether organisations may support or vote
-- is a process setting (by default they debate and comment only).
CREATE TABLE organisations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL CONSTRAINT organisations_user_key UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    registry_number text NOT NULL CHECK (length(registry_number) BETWEEN 1 AND 50),
    contact_name text NOT NULL CHECK (length(contact_name) BETWEEN 1 AND 100),
    contact_phone text NOT NULL CHECK (length(contact_phone) BETWEEN 6 AND 30),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
    rejection_reason text CHECK (length(rejection_reason) <= 500),
    reviewed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisations_pending_idx ON organisations (created_at) WHERE status = 'pending';
