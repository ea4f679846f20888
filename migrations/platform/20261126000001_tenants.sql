-- The councils registry. Council data never lives here: each council has its
-- own schema (t_<slug>) and role, created by provisioning.
CREATE SCHEMA IF NOT EXISTS platform;
REVOKE ALL ON SCHEMA platform FROM PUBLIC;

CREATE TABLE platform.tenants (
    id uuid PRIMARY KEY,
    slug text NOT NULL
        CONSTRAINT tenants_slug_key UNIQUE
        CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'provisioning'
        CHECK (status IN ('provisioning', 'active', 'suspended', 'read_only', 'archived')),
    -- Highest tenant migration applied to the council's schema, and the error
    -- of the last failed attempt (NULL once a later attempt succeeds).
    schema_version bigint,
    migrate_error text,
    migrated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Custom domains. `{slug}.{base domain}` needs no row here.
CREATE TABLE platform.tenant_hosts (
    host text PRIMARY KEY CHECK (host = lower(host) AND length(host) <= 253),
    tenant_id uuid NOT NULL REFERENCES platform.tenants (id) ON DELETE CASCADE,
    verified_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_hosts_tenant_id_idx ON platform.tenant_hosts (tenant_id);
