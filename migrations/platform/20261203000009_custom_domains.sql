-- Own domains that councils add themselves (`/staff/domains`).
--
-- A domain may be claimed by several councils while unverified (so that
-- nobody can block a council by claiming its domain first); each claim has
-- its own DNS token, and only one claim per host can ever be verified: the
-- council that proved control of the DNS.
ALTER TABLE platform.tenant_hosts DROP CONSTRAINT tenant_hosts_pkey;
ALTER TABLE platform.tenant_hosts ADD PRIMARY KEY (host, tenant_id);
CREATE UNIQUE INDEX tenant_hosts_verified_idx ON platform.tenant_hosts (host)
    WHERE verified_at IS NOT NULL;

-- The value the council publishes in a TXT record at `_cabildo.{host}`.
-- Rows typed in by operators before self-service have none and are
-- verified by hand.
ALTER TABLE platform.tenant_hosts
    ADD COLUMN token text CHECK (token ~ '^[0-9a-f]{32}$'),
    -- The outcome of the last DNS check, as a stable code
    -- (`verified`, `txt_missing`, `not_pointing`, `lookup_failed`).
    ADD COLUMN checked_at timestamptz,
    ADD COLUMN check_result text CHECK (length(check_result) <= 40);

-- The domain the council's site is served on: its subdomain and other
-- verified domains redirect here permanently, and links in mail use it.
-- Always one of the council's verified hosts (kept so by
-- `cabildo_tenancy::domains`, in the transaction that changes either).
ALTER TABLE platform.tenants ADD COLUMN primary_host text
    CHECK (primary_host = lower(primary_host) AND length(primary_host) <= 253);
