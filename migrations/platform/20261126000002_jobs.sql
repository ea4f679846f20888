-- The durable job queue. Jobs are enqueued in the same transaction as the
-- change that causes them, including from inside a tenant transaction: the
-- council role may insert jobs (only some columns), never read them, and
-- the council a job belongs to is taken from the inserting role by a
-- column default the role cannot override.

-- The PostgreSQL role of each council, recorded at provisioning.
ALTER TABLE platform.tenants ADD COLUMN db_role text CONSTRAINT tenants_db_role_key UNIQUE;
-- Councils provisioned before this migration: the same name the code
-- builds (names.rs, RoleNamespace and RoleName).
UPDATE platform.tenants SET db_role =
    (CASE WHEN current_database() ~ '^[a-z][a-z0-9_]{0,19}$' THEN current_database()
          ELSE 'db' || substr(md5(current_database()), 1, 12) END)
    || '_t_' || replace(slug, '-', '_');

CREATE FUNCTION platform.tenant_id_of_role(role_name name) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, platform
    AS $$ SELECT id FROM platform.tenants WHERE db_role = role_name::text $$;
REVOKE ALL ON FUNCTION platform.tenant_id_of_role(name) FROM PUBLIC;

CREATE TABLE platform.jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL DEFAULT platform.tenant_id_of_role(current_user)
        REFERENCES platform.tenants (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    payload jsonb NOT NULL DEFAULT '{}',
    -- Enqueuing the same key twice for one council adds one job.
    unique_key text CHECK (length(unique_key) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 8 CHECK (max_attempts BETWEEN 1 AND 100),
    run_at timestamptz NOT NULL DEFAULT now(),
    locked_by text,
    locked_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE UNIQUE INDEX jobs_unique_key_idx ON platform.jobs (tenant_id, unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_ready_idx ON platform.jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_running_idx ON platform.jobs (locked_at) WHERE status = 'running';
CREATE INDEX jobs_tenant_idx ON platform.jobs (tenant_id);

-- Wake workers (LISTEN cabildo_jobs) once per inserting statement.
CREATE FUNCTION platform.notify_jobs() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog
    AS $$ BEGIN PERFORM pg_notify('cabildo_jobs', ''); RETURN NULL; END $$;
CREATE TRIGGER jobs_notify AFTER INSERT ON platform.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_jobs();

-- Existing councils may enqueue (new ones get this at provisioning).
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT db_role FROM platform.tenants t
             WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = t.db_role) LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA platform TO %I', r.db_role);
        EXECUTE format('GRANT EXECUTE ON FUNCTION platform.tenant_id_of_role(name) TO %I', r.db_role);
        EXECUTE format('GRANT INSERT (kind, payload, unique_key, max_attempts, run_at) ON platform.jobs TO %I', r.db_role);
    END LOOP;
END $$;
