-- Plans, applied from `plans/*.toml` by `cabildo billing plans apply`:
-- the checked definition (names, price, entitlements) as JSON. A plan that
-- leaves the folder stays for the councils on it, no longer offered.
CREATE TABLE platform.plans (
    slug text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9-]{1,39}$'),
    position integer NOT NULL,
    definition jsonb NOT NULL,
    offered boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);
