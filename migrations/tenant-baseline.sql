-- The tenant migrations up to 20261206000001 applied to an empty schema, as one
-- script that new councils run instead (see crates/cabildo-tenancy/src/baseline.rs).
-- Written by scripts/squash-tenant-migrations with pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1): do not edit.
-- version: 20261206000001
-- digest: 1cf8874ac14ff0ef1c801c3dafc85f35c5f9df7e58bbd726c3c6822e3a07aef7

SET LOCAL statement_timeout = 0;

SET LOCAL lock_timeout = 0;

SET LOCAL idle_in_transaction_session_timeout = 0;

SET LOCAL client_encoding = 'UTF8';

SET LOCAL standard_conforming_strings = on;

SET LOCAL check_function_bodies = false;

SET LOCAL xmloption = content;

SET LOCAL client_min_messages = warning;

SET LOCAL row_security = off;

CREATE FUNCTION cabildo_baseline.audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION cabildo_baseline.debates_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.search := search_vector(NEW.title, NEW.body);
    RETURN NEW;
END $$;

CREATE FUNCTION cabildo_baseline.participants_district() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE participants SET district_code = NEW.district_code WHERE user_id = NEW.id;
    RETURN NULL;
END $$;

CREATE FUNCTION cabildo_baseline.participation_authored() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM participation_record(NEW.author_id, NEW.created_at, NEW.process_id, TG_ARGV[0]);
    RETURN NULL;
END $$;

CREATE FUNCTION cabildo_baseline.participation_fold() RETURNS bigint
    LANGUAGE sql
    AS $$
    WITH taken AS (
        DELETE FROM participation_acts RETURNING user_id, at, process_id, kind),
    acts AS (
        SELECT user_id, date_trunc('week', at AT TIME ZONE (SELECT time_zone FROM settings))::date AS week,
               process_id, kind
        FROM taken),
    weeks AS (
        INSERT INTO participation_weeks (week, user_id, proposals, debates, comments, supports, ballots)
        SELECT week, user_id, count(*) FILTER (WHERE kind = 'proposal'), count(*) FILTER (WHERE kind = 'debate'),
               count(*) FILTER (WHERE kind = 'comment'), count(*) FILTER (WHERE kind = 'support'),
               count(*) FILTER (WHERE kind = 'ballot')
        FROM acts GROUP BY week, user_id
        ON CONFLICT (week, user_id) DO UPDATE SET
            proposals = participation_weeks.proposals + EXCLUDED.proposals,
            debates = participation_weeks.debates + EXCLUDED.debates,
            comments = participation_weeks.comments + EXCLUDED.comments,
            supports = participation_weeks.supports + EXCLUDED.supports,
            ballots = participation_weeks.ballots + EXCLUDED.ballots),
    processes AS (
        INSERT INTO participation_processes (process_id, user_id)
        SELECT DISTINCT a.process_id, a.user_id FROM acts a JOIN processes p ON p.id = a.process_id
        ON CONFLICT DO NOTHING),
    people AS (
        INSERT INTO participants (user_id, district_code, last_week)
        SELECT u.id, u.district_code, a.week
        FROM (SELECT user_id, max(week) AS week FROM acts GROUP BY user_id) a JOIN users u ON u.id = a.user_id
        ON CONFLICT (user_id) DO UPDATE SET
            last_week = greatest(participants.last_week, EXCLUDED.last_week),
            district_code = EXCLUDED.district_code
        WHERE participants.last_week < EXCLUDED.last_week
           OR participants.district_code IS DISTINCT FROM EXCLUDED.district_code)
    SELECT count(*) FROM taken;
$$;

CREATE FUNCTION cabildo_baseline.participation_record(who uuid, at timestamp with time zone, process uuid, kind text) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO participation_acts (user_id, at, process_id, kind) VALUES (who, at, process, kind);
$$;

CREATE FUNCTION cabildo_baseline.participation_supported() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM participation_record(NEW.user_id, NEW.created_at,
        (SELECT process_id FROM proposals WHERE id = NEW.proposal_id), 'support');
    RETURN NULL;
END $$;

CREATE FUNCTION cabildo_baseline.participation_voted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.submitted_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.submitted_at IS NULL) THEN
        PERFORM participation_record(NEW.user_id, NEW.submitted_at,
            (SELECT b.process_id FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
             WHERE h.id = NEW.heading_id), 'ballot');
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION cabildo_baseline.process_count() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
DECLARE
    delta integer := TG_ARGV[1]::integer;
    process uuid;
BEGIN
    IF delta < 0 THEN
        process := OLD.process_id;
    ELSE
        process := NEW.process_id;
    END IF;
    EXECUTE format('UPDATE processes SET %1$I = %1$I + $1 WHERE id = $2', TG_ARGV[0])
        USING delta, process;
    RETURN NULL;
END $_$;

CREATE FUNCTION cabildo_baseline.processes_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.search := search_vector(
        concat_ws(' ', NEW.title,
                  (SELECT string_agg(t.value ->> 'title', ' ') FROM jsonb_each(NEW.translations) t)),
        concat_ws(' ', NEW.summary, NEW.description_markdown,
                  (SELECT string_agg(f.value, ' ')
                   FROM jsonb_each(NEW.translations) t, jsonb_each_text(t.value) f
                   WHERE f.key <> 'title')));
    RETURN NEW;
END $$;

CREATE FUNCTION cabildo_baseline.proposals_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.search := search_vector(NEW.title, NEW.summary || ' ' || NEW.body);
    RETURN NEW;
END $$;

CREATE FUNCTION cabildo_baseline.search_configs() RETURNS regconfig[]
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(array_agg(DISTINCT CASE l
               WHEN 'en' THEN 'pg_catalog.english'
               WHEN 'ca' THEN 'pg_catalog.catalan'
               WHEN 'eu' THEN 'pg_catalog.basque'
               ELSE 'pg_catalog.spanish' END::regconfig), ARRAY['pg_catalog.spanish'::regconfig])
    FROM settings, unnest(languages) AS l
$$;

CREATE FUNCTION cabildo_baseline.search_headline_config() RETURNS regconfig
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE default_language
               WHEN 'en' THEN 'pg_catalog.english'
               WHEN 'ca' THEN 'pg_catalog.catalan'
               WHEN 'eu' THEN 'pg_catalog.basque'
               ELSE 'pg_catalog.spanish' END::regconfig
    FROM settings
$$;

CREATE FUNCTION cabildo_baseline.search_query(q text) RETURNS tsquery
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    config regconfig;
    plain text := search.unaccent(q);
    found tsquery;
BEGIN
    FOREACH config IN ARRAY search_configs() LOOP
        found := coalesce(found || websearch_to_tsquery(config, q), websearch_to_tsquery(config, q))
                 || websearch_to_tsquery(config, plain);
    END LOOP;
    RETURN found;
END $$;

CREATE FUNCTION cabildo_baseline.search_vector(title text, body text) RETURNS tsvector
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    config regconfig;
    plain_title text := search.unaccent(title);
    plain_body text := search.unaccent(body);
    v tsvector := '';
BEGIN
    FOREACH config IN ARRAY search_configs() LOOP
        v := v || setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config, plain_title), 'A')
               || setweight(to_tsvector(config, body), 'B') || setweight(to_tsvector(config, plain_body), 'B');
    END LOOP;
    RETURN v;
END $$;

SET LOCAL default_tablespace = '';

SET LOCAL default_table_access_method = heap;

CREATE TABLE cabildo_baseline.account_tokens (
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    new_email text,
    CONSTRAINT account_tokens_new_email_check CHECK (((new_email = lower(new_email)) AND ((length(new_email) >= 3) AND (length(new_email) <= 254)))),
    CONSTRAINT account_tokens_purpose_check CHECK (((purpose = ANY (ARRAY['confirm'::text, 'reset'::text, 'email'::text])) AND ((purpose = 'email'::text) = (new_email IS NOT NULL)))),
    CONSTRAINT account_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

CREATE TABLE cabildo_baseline.api_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_tokens_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT api_tokens_token_hash_check CHECK ((length(token_hash) = 32))
);

CREATE TABLE cabildo_baseline.assemblies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    purpose text DEFAULT ''::text NOT NULL,
    kind text NOT NULL,
    district_code text,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    published_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assemblies_check CHECK (((kind <> 'district'::text) OR (district_code IS NOT NULL))),
    CONSTRAINT assemblies_kind_check CHECK ((kind = ANY (ARRAY['district'::text, 'sector'::text, 'citizens'::text]))),
    CONSTRAINT assemblies_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT assemblies_purpose_check CHECK ((length(purpose) <= 20000)),
    CONSTRAINT assemblies_slug_check CHECK ((slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'::text)),
    CONSTRAINT assemblies_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 200000)))
);

CREATE TABLE cabildo_baseline.assembly_documents (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    assembly_id uuid NOT NULL,
    title text NOT NULL,
    file text NOT NULL,
    bytes bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assembly_documents_bytes_check CHECK ((bytes > 0)),
    CONSTRAINT assembly_documents_file_check CHECK ((file ~ '^[0-9a-f]{32}\.pdf$'::text)),
    CONSTRAINT assembly_documents_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200)))
);

CREATE TABLE cabildo_baseline.assembly_draws (
    assembly_id uuid NOT NULL,
    seed text NOT NULL,
    seats integer NOT NULL,
    log jsonb NOT NULL,
    drawn_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assembly_draws_log_check CHECK ((jsonb_typeof(log) = 'array'::text)),
    CONSTRAINT assembly_draws_seats_check CHECK (((seats >= 1) AND (seats <= 1000))),
    CONSTRAINT assembly_draws_seed_check CHECK (((length(seed) >= 1) AND (length(seed) <= 200)))
);

CREATE TABLE cabildo_baseline.assembly_members (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    assembly_id uuid NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    organisation_id uuid,
    name text NOT NULL,
    representative text DEFAULT ''::text NOT NULL,
    role text NOT NULL,
    term_starts date NOT NULL,
    term_ends date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assembly_members_check CHECK (((term_ends IS NULL) OR (term_ends >= term_starts))),
    CONSTRAINT assembly_members_kind_check CHECK ((kind = ANY (ARRAY['resident'::text, 'organisation'::text, 'staff'::text]))),
    CONSTRAINT assembly_members_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT assembly_members_representative_check CHECK ((length(representative) <= 200)),
    CONSTRAINT assembly_members_role_check CHECK ((role = ANY (ARRAY['president'::text, 'secretary'::text, 'member'::text])))
);

CREATE TABLE cabildo_baseline.assembly_volunteers (
    assembly_id uuid NOT NULL,
    user_id uuid NOT NULL,
    ticket integer NOT NULL,
    sex text NOT NULL,
    since timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT assembly_volunteers_sex_check CHECK ((sex = ANY (ARRAY['female'::text, 'male'::text, 'other'::text, 'unsaid'::text]))),
    CONSTRAINT assembly_volunteers_ticket_check CHECK ((ticket >= 1))
);

CREATE TABLE cabildo_baseline.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    subject text,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT audit_log_action_check CHECK ((action ~ '^[a-z][a-z0-9_.]{0,63}$'::text)),
    CONSTRAINT audit_log_actor_check CHECK (((length(actor) >= 1) AND (length(actor) <= 300))),
    CONSTRAINT audit_log_subject_check CHECK ((length(subject) <= 300))
);

ALTER TABLE cabildo_baseline.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME cabildo_baseline.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE cabildo_baseline.budget_ballots (
    heading_id uuid NOT NULL,
    user_id uuid NOT NULL,
    submitted_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    projects uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    CONSTRAINT budget_ballots_projects_check CHECK ((array_position(projects, NULL::uuid) IS NULL))
);

CREATE TABLE cabildo_baseline.budget_headings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    budget_id uuid NOT NULL,
    name text NOT NULL,
    district_code text,
    amount_cents bigint NOT NULL,
    max_projects integer,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    count_error text,
    count_failed_at timestamp with time zone,
    CONSTRAINT budget_headings_amount_cents_check CHECK (((amount_cents > 0) AND (amount_cents <= '100000000000000000'::bigint))),
    CONSTRAINT budget_headings_count_error_check CHECK (((length(count_error) >= 1) AND (length(count_error) <= 2000))),
    CONSTRAINT budget_headings_max_projects_check CHECK ((max_projects > 0)),
    CONSTRAINT budget_headings_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT budget_headings_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 10000)))
);

CREATE TABLE cabildo_baseline.budget_project_updates (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    project_id uuid NOT NULL,
    body text NOT NULL,
    image text,
    status text NOT NULL,
    progress smallint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT budget_project_updates_body_check CHECK (((length(body) >= 1) AND (length(body) <= 20000))),
    CONSTRAINT budget_project_updates_progress_check CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT budget_project_updates_status_check CHECK ((status = ANY (ARRAY['planned'::text, 'in_progress'::text, 'done'::text])))
);

CREATE TABLE cabildo_baseline.budget_projects (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    number bigint NOT NULL,
    budget_id uuid NOT NULL,
    heading_id uuid NOT NULL,
    author_id uuid,
    proposal_id uuid,
    title text NOT NULL,
    description text NOT NULL,
    location text DEFAULT ''::text NOT NULL,
    image text,
    estimated_cost_cents bigint NOT NULL,
    official_cost_cents bigint,
    feasibility text DEFAULT 'pending'::text NOT NULL,
    feasibility_explanation text DEFAULT ''::text NOT NULL,
    reviewed_at timestamp with time zone,
    on_ballot boolean DEFAULT false NOT NULL,
    supports_count integer DEFAULT 0 NOT NULL,
    paper_votes integer DEFAULT 0 NOT NULL,
    execution_status text,
    progress smallint DEFAULT 0 NOT NULL,
    hidden_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    latitude double precision,
    longitude double precision,
    CONSTRAINT budget_projects_check CHECK (((feasibility <> 'unfeasible'::text) OR (length(feasibility_explanation) > 0))),
    CONSTRAINT budget_projects_check1 CHECK (((NOT on_ballot) OR (feasibility = 'feasible'::text))),
    CONSTRAINT budget_projects_check2 CHECK (((latitude IS NULL) = (longitude IS NULL))),
    CONSTRAINT budget_projects_description_check CHECK (((length(description) >= 1) AND (length(description) <= 20000))),
    CONSTRAINT budget_projects_estimated_cost_cents_check CHECK (((estimated_cost_cents > 0) AND (estimated_cost_cents <= '100000000000000000'::bigint))),
    CONSTRAINT budget_projects_execution_status_check CHECK ((execution_status = ANY (ARRAY['planned'::text, 'in_progress'::text, 'done'::text]))),
    CONSTRAINT budget_projects_feasibility_check CHECK ((feasibility = ANY (ARRAY['pending'::text, 'feasible'::text, 'unfeasible'::text, 'needs_info'::text]))),
    CONSTRAINT budget_projects_feasibility_explanation_check CHECK ((length(feasibility_explanation) <= 20000)),
    CONSTRAINT budget_projects_latitude_check CHECK (((latitude >= ('-90'::integer)::double precision) AND (latitude <= (90)::double precision))),
    CONSTRAINT budget_projects_location_check CHECK ((length(location) <= 500)),
    CONSTRAINT budget_projects_longitude_check CHECK (((longitude >= ('-180'::integer)::double precision) AND (longitude <= (180)::double precision))),
    CONSTRAINT budget_projects_official_cost_cents_check CHECK (((official_cost_cents > 0) AND (official_cost_cents <= '100000000000000000'::bigint))),
    CONSTRAINT budget_projects_paper_votes_check CHECK ((paper_votes >= 0)),
    CONSTRAINT budget_projects_progress_check CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT budget_projects_supports_count_check CHECK ((supports_count >= 0)),
    CONSTRAINT budget_projects_title_check CHECK (((length(title) >= 3) AND (length(title) <= 200))),
    CONSTRAINT budget_projects_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 200000)))
)
WITH (fillfactor='85');

ALTER TABLE cabildo_baseline.budget_projects ALTER COLUMN number ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME cabildo_baseline.budget_projects_number_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE cabildo_baseline.budget_results (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    heading_id uuid NOT NULL,
    rule text NOT NULL,
    tie text NOT NULL,
    completion text NOT NULL,
    input_digest text NOT NULL,
    ballots integer NOT NULL,
    outcome jsonb NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    recount_reason text,
    superseded_at timestamp with time zone,
    CONSTRAINT budget_results_ballots_check CHECK ((ballots >= 0)),
    CONSTRAINT budget_results_input_digest_check CHECK ((input_digest ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT budget_results_recount_reason_check CHECK (((length(recount_reason) >= 1) AND (length(recount_reason) <= 2000)))
);

CREATE TABLE cabildo_baseline.budget_supports (
    project_id uuid NOT NULL,
    user_id uuid NOT NULL,
    heading_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE cabildo_baseline.budgets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    title text NOT NULL,
    currency text DEFAULT 'EUR'::text NOT NULL,
    voting_style text DEFAULT 'knapsack'::text NOT NULL,
    min_spend_percent smallint DEFAULT 0 NOT NULL,
    voters text DEFAULT 'verified'::text NOT NULL,
    max_supports integer,
    ballots_changeable boolean DEFAULT true NOT NULL,
    rule text DEFAULT 'greedy'::text NOT NULL,
    tie text DEFAULT 'id'::text NOT NULL,
    completion text DEFAULT 'exhaustive'::text NOT NULL,
    accepting_at timestamp with time zone NOT NULL,
    reviewing_at timestamp with time zone NOT NULL,
    selecting_at timestamp with time zone NOT NULL,
    balloting_at timestamp with time zone NOT NULL,
    tallying_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT budgets_check CHECK (((accepting_at <= reviewing_at) AND (reviewing_at <= selecting_at) AND (selecting_at <= balloting_at) AND (balloting_at < tallying_at) AND (tallying_at <= finished_at))),
    CONSTRAINT budgets_completion_check CHECK ((completion = ANY (ARRAY['exhaustive'::text, 'until-over-budget'::text]))),
    CONSTRAINT budgets_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT budgets_max_supports_check CHECK ((max_supports > 0)),
    CONSTRAINT budgets_min_spend_percent_check CHECK (((min_spend_percent >= 0) AND (min_spend_percent <= 100))),
    CONSTRAINT budgets_rule_check CHECK ((rule = ANY (ARRAY['greedy'::text, 'mes'::text, 'mes-greedy'::text]))),
    CONSTRAINT budgets_tie_check CHECK ((tie = ANY (ARRAY['id'::text, 'cheapest'::text]))),
    CONSTRAINT budgets_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200))),
    CONSTRAINT budgets_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 10000))),
    CONSTRAINT budgets_voters_check CHECK ((voters = ANY (ARRAY['registered'::text, 'verified'::text]))),
    CONSTRAINT budgets_voting_style_check CHECK ((voting_style = ANY (ARRAY['knapsack'::text, 'approval'::text])))
);

CREATE TABLE cabildo_baseline.census (
    document_hash bytea NOT NULL,
    birth_date date NOT NULL,
    district_code text NOT NULL,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT census_document_hash_check CHECK ((length(document_hash) = 32))
);

CREATE TABLE cabildo_baseline.census_claims (
    document_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    claimed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT census_claims_document_hash_check CHECK ((length(document_hash) = 32))
);

CREATE TABLE cabildo_baseline.census_imports (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    residents bigint NOT NULL,
    rejected bigint NOT NULL,
    imported_by text NOT NULL,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT census_imports_imported_by_check CHECK ((length(imported_by) <= 200))
);

CREATE TABLE cabildo_baseline.census_staged (
    upload_id uuid NOT NULL,
    document_hash bytea NOT NULL,
    birth_date date NOT NULL,
    district_code text NOT NULL,
    CONSTRAINT census_staged_document_hash_check CHECK ((length(document_hash) = 32))
);

CREATE TABLE cabildo_baseline.census_uploads (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamp with time zone DEFAULT now() NOT NULL,
    residents bigint DEFAULT 0 NOT NULL,
    duplicates bigint DEFAULT 0 NOT NULL,
    rejected bigint DEFAULT 0 NOT NULL,
    first_rejected jsonb DEFAULT '[]'::jsonb NOT NULL,
    confirmed_at timestamp with time zone,
    CONSTRAINT census_uploads_uploaded_by_check CHECK ((length(uploaded_by) <= 200))
);

CREATE TABLE cabildo_baseline.comment_votes (
    comment_id uuid NOT NULL,
    user_id uuid NOT NULL,
    value smallint NOT NULL,
    CONSTRAINT comment_votes_value_check CHECK ((value = ANY (ARRAY['-1'::integer, 1])))
);

CREATE TABLE cabildo_baseline.comments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid,
    target_kind text NOT NULL,
    target_id uuid NOT NULL,
    parent_id uuid,
    root_id uuid NOT NULL,
    depth smallint DEFAULT 0 NOT NULL,
    author_id uuid NOT NULL,
    body text NOT NULL,
    alignment smallint DEFAULT 0 NOT NULL,
    official boolean DEFAULT false NOT NULL,
    upvotes integer DEFAULT 0 NOT NULL,
    downvotes integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    edited_at timestamp with time zone,
    deleted_at timestamp with time zone,
    hidden_at timestamp with time zone,
    CONSTRAINT comments_alignment_check CHECK ((alignment = ANY (ARRAY['-1'::integer, 0, 1]))),
    CONSTRAINT comments_body_check CHECK ((length(body) <= 5000)),
    CONSTRAINT comments_depth_check CHECK (((depth >= 0) AND (depth <= 5))),
    CONSTRAINT comments_downvotes_check CHECK ((downvotes >= 0)),
    CONSTRAINT comments_target_kind_check CHECK ((target_kind = ANY (ARRAY['process'::text, 'debate'::text, 'proposal'::text, 'meeting'::text]))),
    CONSTRAINT comments_upvotes_check CHECK ((upvotes >= 0))
)
WITH (fillfactor='90');

CREATE TABLE cabildo_baseline.consultation_ballots (
    consultation_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    choices jsonb NOT NULL,
    receipt_hash bytea NOT NULL,
    cast_on date NOT NULL,
    withdrawn_on date,
    CONSTRAINT consultation_ballots_check CHECK ((withdrawn_on >= cast_on)),
    CONSTRAINT consultation_ballots_receipt_hash_check CHECK ((length(receipt_hash) = 32))
);

CREATE TABLE cabildo_baseline.consultation_options (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    question_id uuid NOT NULL,
    "position" integer NOT NULL,
    text text NOT NULL,
    CONSTRAINT consultation_options_position_check CHECK (("position" >= 0)),
    CONSTRAINT consultation_options_text_check CHECK (((length(text) >= 1) AND (length(text) <= 300)))
);

CREATE TABLE cabildo_baseline.consultation_paper (
    consultation_id uuid NOT NULL,
    station text NOT NULL,
    question_id uuid NOT NULL,
    option_id uuid,
    count integer NOT NULL,
    CONSTRAINT consultation_paper_count_check CHECK ((count >= 0)),
    CONSTRAINT consultation_paper_station_check CHECK (((length(station) >= 1) AND (length(station) <= 100)))
);

CREATE TABLE cabildo_baseline.consultation_questions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    consultation_id uuid NOT NULL,
    "position" integer NOT NULL,
    text text NOT NULL,
    max_choices integer DEFAULT 1 NOT NULL,
    CONSTRAINT consultation_questions_max_choices_check CHECK (((max_choices >= 1) AND (max_choices <= 50))),
    CONSTRAINT consultation_questions_position_check CHECK (("position" >= 0)),
    CONSTRAINT consultation_questions_text_check CHECK (((length(text) >= 1) AND (length(text) <= 1000)))
);

CREATE TABLE cabildo_baseline.consultation_roll (
    consultation_id uuid NOT NULL,
    document_hash bytea NOT NULL,
    district_code text NOT NULL,
    voted_on date,
    channel text,
    revote_tag bytea,
    CONSTRAINT consultation_roll_channel_check CHECK ((channel = ANY (ARRAY['online'::text, 'assisted'::text, 'station'::text]))),
    CONSTRAINT consultation_roll_check CHECK (((voted_on IS NULL) = (channel IS NULL))),
    CONSTRAINT consultation_roll_document_hash_check CHECK ((length(document_hash) = 32)),
    CONSTRAINT consultation_roll_revote_tag_check CHECK ((length(revote_tag) = 32))
);

CREATE TABLE cabildo_baseline.consultations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    title text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    district_code text,
    min_age integer DEFAULT 16 NOT NULL,
    revoting boolean DEFAULT false NOT NULL,
    opens_at timestamp with time zone NOT NULL,
    closes_at timestamp with time zone NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    opened_at timestamp with time zone,
    genesis bytea,
    closed_at timestamp with time zone,
    head bytea,
    results jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT consultations_check CHECK ((closes_at > opens_at)),
    CONSTRAINT consultations_check1 CHECK (((status = 'draft'::text) = (opened_at IS NULL))),
    CONSTRAINT consultations_check2 CHECK (((status = 'closed'::text) = (closed_at IS NOT NULL))),
    CONSTRAINT consultations_description_check CHECK ((length(description) <= 20000)),
    CONSTRAINT consultations_genesis_check CHECK ((length(genesis) = 32)),
    CONSTRAINT consultations_head_check CHECK ((length(head) = 32)),
    CONSTRAINT consultations_min_age_check CHECK (((min_age >= 0) AND (min_age <= 120))),
    CONSTRAINT consultations_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'open'::text, 'closed'::text]))),
    CONSTRAINT consultations_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200)))
);

CREATE TABLE cabildo_baseline.debates (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    author_id uuid NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    district_code text,
    comments_count integer DEFAULT 0 NOT NULL,
    last_activity_at timestamp with time zone DEFAULT now() NOT NULL,
    pinned boolean DEFAULT false NOT NULL,
    closed_at timestamp with time zone,
    hidden_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    search tsvector,
    CONSTRAINT debates_body_check CHECK (((length(body) >= 1) AND (length(body) <= 20000))),
    CONSTRAINT debates_comments_count_check CHECK ((comments_count >= 0)),
    CONSTRAINT debates_title_check CHECK (((length(title) >= 3) AND (length(title) <= 200)))
)
WITH (fillfactor='85');

CREATE TABLE cabildo_baseline.districts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    population integer DEFAULT 0 NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT districts_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT districts_population_check CHECK ((population >= 0))
);

CREATE TABLE cabildo_baseline.follows (
    user_id uuid NOT NULL,
    target_kind text NOT NULL,
    target_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT follows_target_kind_check CHECK ((target_kind = ANY (ARRAY['process'::text, 'debate'::text, 'proposal'::text, 'project'::text, 'meeting'::text])))
);

CREATE TABLE cabildo_baseline.legal_pages (
    kind text NOT NULL,
    language text NOT NULL,
    body text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by uuid,
    CONSTRAINT legal_pages_body_check CHECK (((length(body) >= 1) AND (length(body) <= 100000))),
    CONSTRAINT legal_pages_kind_check CHECK ((kind = ANY (ARRAY['legal-notice'::text, 'privacy'::text, 'terms'::text, 'accessibility'::text, 'cookies'::text]))),
    CONSTRAINT legal_pages_language_check CHECK ((language ~ '^[a-z]{2}$'::text))
);

CREATE TABLE cabildo_baseline.meeting_agreements (
    meeting_id uuid NOT NULL,
    "position" integer NOT NULL,
    text text NOT NULL,
    proposal_id uuid,
    CONSTRAINT meeting_agreements_position_check CHECK ((("position" >= 0) AND ("position" <= 99))),
    CONSTRAINT meeting_agreements_text_check CHECK (((length(text) >= 1) AND (length(text) <= 5000)))
);

CREATE TABLE cabildo_baseline.meeting_registrations (
    meeting_id uuid NOT NULL,
    user_id uuid NOT NULL,
    status text NOT NULL,
    code text NOT NULL,
    since timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    attended_at timestamp with time zone,
    CONSTRAINT meeting_registrations_code_check CHECK ((code ~ '^[A-Z0-9]{8}$'::text)),
    CONSTRAINT meeting_registrations_status_check CHECK ((status = ANY (ARRAY['invited'::text, 'registered'::text, 'waiting'::text, 'cancelled'::text])))
);

CREATE TABLE cabildo_baseline.meetings (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid,
    assembly_id uuid,
    title text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    agenda text[] DEFAULT '{}'::text[] NOT NULL,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    address text DEFAULT ''::text NOT NULL,
    latitude double precision,
    longitude double precision,
    online_url text DEFAULT ''::text NOT NULL,
    capacity integer,
    registration text NOT NULL,
    published_at timestamp with time zone,
    cancelled_at timestamp with time zone,
    cancel_reason text DEFAULT ''::text NOT NULL,
    minutes text DEFAULT ''::text NOT NULL,
    minutes_published_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    comments_count integer DEFAULT 0 NOT NULL,
    CONSTRAINT meetings_address_check CHECK ((length(address) <= 300)),
    CONSTRAINT meetings_agenda_check CHECK ((cardinality(agenda) <= 50)),
    CONSTRAINT meetings_cancel_reason_check CHECK ((length(cancel_reason) <= 1000)),
    CONSTRAINT meetings_capacity_check CHECK (((capacity >= 1) AND (capacity <= 100000))),
    CONSTRAINT meetings_check CHECK (((process_id IS NULL) <> (assembly_id IS NULL))),
    CONSTRAINT meetings_check1 CHECK (((ends_at > starts_at) AND (ends_at <= (starts_at + '14 days'::interval)))),
    CONSTRAINT meetings_check2 CHECK (((address <> ''::text) OR (online_url <> ''::text))),
    CONSTRAINT meetings_check3 CHECK (((latitude IS NULL) = (longitude IS NULL))),
    CONSTRAINT meetings_comments_count_check CHECK ((comments_count >= 0)),
    CONSTRAINT meetings_description_check CHECK ((length(description) <= 20000)),
    CONSTRAINT meetings_latitude_check CHECK (((latitude >= ('-90'::integer)::double precision) AND (latitude <= (90)::double precision))),
    CONSTRAINT meetings_longitude_check CHECK (((longitude >= ('-180'::integer)::double precision) AND (longitude <= (180)::double precision))),
    CONSTRAINT meetings_minutes_check CHECK ((length(minutes) <= 100000)),
    CONSTRAINT meetings_online_url_check CHECK (((online_url = ''::text) OR ((online_url ~ '^https://[^\s]+$'::text) AND (length(online_url) <= 500)))),
    CONSTRAINT meetings_registration_check CHECK ((registration = ANY (ARRAY['open'::text, 'invitation'::text, 'none'::text]))),
    CONSTRAINT meetings_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200))),
    CONSTRAINT meetings_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 200000)))
);

CREATE TABLE cabildo_baseline.newsletter_recipients (
    newsletter_id uuid NOT NULL,
    user_id uuid,
    email text NOT NULL,
    name text,
    language text,
    batch integer NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    error text,
    sent_at timestamp with time zone,
    CONSTRAINT newsletter_recipients_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text])))
);

CREATE TABLE cabildo_baseline.newsletters (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    subject text NOT NULL,
    body_markdown text NOT NULL,
    audience text NOT NULL,
    status text DEFAULT 'sending'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT newsletters_audience_check CHECK ((audience ~ '^(all|district:[a-z0-9-]{1,40})$'::text)),
    CONSTRAINT newsletters_body_markdown_check CHECK (((length(body_markdown) >= 1) AND (length(body_markdown) <= 100000))),
    CONSTRAINT newsletters_status_check CHECK ((status = ANY (ARRAY['test'::text, 'sending'::text, 'sent'::text]))),
    CONSTRAINT newsletters_subject_check CHECK (((length(subject) >= 1) AND (length(subject) <= 200)))
);

CREATE TABLE cabildo_baseline.notifications (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    link text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    read_at timestamp with time zone,
    emailed_at timestamp with time zone,
    subject text,
    state text,
    words text,
    CONSTRAINT notifications_body_check CHECK ((length(body) <= 5000)),
    CONSTRAINT notifications_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_.]{0,63}$'::text)),
    CONSTRAINT notifications_link_check CHECK ((link ~ '^(https?://|/)'::text)),
    CONSTRAINT notifications_state_check CHECK ((state ~ '^[a-z][a-z0-9_]{0,39}$'::text)),
    CONSTRAINT notifications_subject_check CHECK ((length(subject) <= 300)),
    CONSTRAINT notifications_title_check CHECK (((length(title) >= 1) AND (length(title) <= 300))),
    CONSTRAINT notifications_words_check CHECK ((length(words) <= 1000))
);

CREATE TABLE cabildo_baseline.organisations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    registry_number text NOT NULL,
    contact_name text NOT NULL,
    contact_phone text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    rejection_reason text,
    reviewed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisations_contact_name_check CHECK (((length(contact_name) >= 1) AND (length(contact_name) <= 100))),
    CONSTRAINT organisations_contact_phone_check CHECK (((length(contact_phone) >= 6) AND (length(contact_phone) <= 30))),
    CONSTRAINT organisations_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT organisations_registry_number_check CHECK (((length(registry_number) >= 1) AND (length(registry_number) <= 50))),
    CONSTRAINT organisations_rejection_reason_check CHECK ((length(rejection_reason) <= 500)),
    CONSTRAINT organisations_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'verified'::text, 'rejected'::text])))
);

CREATE TABLE cabildo_baseline.participants (
    user_id uuid NOT NULL,
    district_code text,
    last_week date NOT NULL
);

CREATE TABLE cabildo_baseline.participation_acts (
    user_id uuid NOT NULL,
    at timestamp with time zone NOT NULL,
    process_id uuid,
    kind text NOT NULL
);

CREATE TABLE cabildo_baseline.participation_processes (
    process_id uuid NOT NULL,
    user_id uuid NOT NULL
);

CREATE TABLE cabildo_baseline.participation_weeks (
    week date NOT NULL,
    user_id uuid NOT NULL,
    proposals integer DEFAULT 0 NOT NULL,
    debates integer DEFAULT 0 NOT NULL,
    comments integer DEFAULT 0 NOT NULL,
    supports integer DEFAULT 0 NOT NULL,
    ballots integer DEFAULT 0 NOT NULL
);

CREATE TABLE cabildo_baseline.places (
    address text NOT NULL,
    latitude double precision,
    longitude double precision,
    looked_up_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT places_address_check CHECK (((length(address) >= 1) AND (length(address) <= 300))),
    CONSTRAINT places_check CHECK (((latitude IS NULL) = (longitude IS NULL))),
    CONSTRAINT places_latitude_check CHECK (((latitude >= ('-90'::integer)::double precision) AND (latitude <= (90)::double precision))),
    CONSTRAINT places_longitude_check CHECK (((longitude >= ('-180'::integer)::double precision) AND (longitude <= (180)::double precision)))
);

CREATE TABLE cabildo_baseline.poll_votes (
    poll_id uuid NOT NULL,
    user_id uuid NOT NULL,
    option integer NOT NULL,
    CONSTRAINT poll_votes_option_check CHECK ((option >= 0))
);

CREATE TABLE cabildo_baseline.polls (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid,
    question text NOT NULL,
    options text[] NOT NULL,
    opens_at timestamp with time zone NOT NULL,
    closes_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT polls_check CHECK ((closes_at > opens_at)),
    CONSTRAINT polls_options_check CHECK (((cardinality(options) >= 2) AND (cardinality(options) <= 10))),
    CONSTRAINT polls_question_check CHECK (((length(question) >= 1) AND (length(question) <= 300)))
);

CREATE TABLE cabildo_baseline.process_phases (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    title text NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    components text[] DEFAULT '{}'::text[] NOT NULL,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT process_phases_check CHECK ((ends_at > starts_at)),
    CONSTRAINT process_phases_components_check CHECK ((components <@ ARRAY['debates'::text, 'proposals'::text, 'surveys'::text, 'budget'::text, 'consultation'::text, 'meetings'::text])),
    CONSTRAINT process_phases_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200))),
    CONSTRAINT process_phases_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 10000)))
);

CREATE TABLE cabildo_baseline.processes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    summary text DEFAULT ''::text NOT NULL,
    description_markdown text DEFAULT ''::text NOT NULL,
    district_code text,
    status text DEFAULT 'draft'::text NOT NULL,
    create_rule text DEFAULT 'registered'::text NOT NULL,
    support_rule text DEFAULT 'verified'::text NOT NULL,
    organisations_may_support boolean DEFAULT false NOT NULL,
    support_threshold integer DEFAULT 100 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    comments_count integer DEFAULT 0 NOT NULL,
    search tsvector,
    image text,
    translations jsonb DEFAULT '{}'::jsonb NOT NULL,
    threads_count integer DEFAULT 0 NOT NULL,
    polls_count integer DEFAULT 0 NOT NULL,
    meetings_count integer DEFAULT 0 NOT NULL,
    CONSTRAINT processes_comments_count_check CHECK ((comments_count >= 0)),
    CONSTRAINT processes_create_rule_check CHECK ((create_rule = ANY (ARRAY['registered'::text, 'verified'::text, 'district'::text]))),
    CONSTRAINT processes_description_markdown_check CHECK ((length(description_markdown) <= 100000)),
    CONSTRAINT processes_image_check CHECK ((image ~ '^[0-9a-f]{32}\.(png|jpg|webp|gif)$'::text)),
    CONSTRAINT processes_meetings_count_check CHECK ((meetings_count >= 0)),
    CONSTRAINT processes_polls_count_check CHECK ((polls_count >= 0)),
    CONSTRAINT processes_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$'::text)),
    CONSTRAINT processes_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'published'::text, 'archived'::text]))),
    CONSTRAINT processes_summary_check CHECK ((length(summary) <= 1000)),
    CONSTRAINT processes_support_rule_check CHECK ((support_rule = ANY (ARRAY['registered'::text, 'verified'::text, 'district'::text]))),
    CONSTRAINT processes_support_threshold_check CHECK (((support_threshold >= 1) AND (support_threshold <= 10000000))),
    CONSTRAINT processes_threads_count_check CHECK ((threads_count >= 0)),
    CONSTRAINT processes_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200))),
    CONSTRAINT processes_translations_check CHECK (((jsonb_typeof(translations) = 'object'::text) AND (pg_column_size(translations) <= 400000)))
);

CREATE TABLE cabildo_baseline.proposals (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    author_id uuid NOT NULL,
    title text NOT NULL,
    summary text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    district_code text,
    status text DEFAULT 'published'::text NOT NULL,
    answer text,
    answered_at timestamp with time zone,
    supports_count integer DEFAULT 0 NOT NULL,
    comments_count integer DEFAULT 0 NOT NULL,
    qualified_at timestamp with time zone,
    shuffle integer DEFAULT (floor((random() * (2147483647)::double precision)))::integer NOT NULL,
    hidden_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search tsvector,
    image text,
    address text DEFAULT ''::text NOT NULL,
    latitude double precision,
    longitude double precision,
    CONSTRAINT proposals_address_check CHECK ((length(address) <= 300)),
    CONSTRAINT proposals_answer_check CHECK ((length(answer) <= 20000)),
    CONSTRAINT proposals_body_check CHECK ((length(body) <= 20000)),
    CONSTRAINT proposals_check CHECK (((latitude IS NULL) = (longitude IS NULL))),
    CONSTRAINT proposals_comments_count_check CHECK ((comments_count >= 0)),
    CONSTRAINT proposals_image_check CHECK ((image ~ '^[0-9a-f]{32}\.(png|jpg|webp|gif)$'::text)),
    CONSTRAINT proposals_latitude_check CHECK (((latitude >= ('-90'::integer)::double precision) AND (latitude <= (90)::double precision))),
    CONSTRAINT proposals_longitude_check CHECK (((longitude >= ('-180'::integer)::double precision) AND (longitude <= (180)::double precision))),
    CONSTRAINT proposals_status_check CHECK ((status = ANY (ARRAY['published'::text, 'evaluating'::text, 'accepted'::text, 'rejected'::text, 'withdrawn'::text]))),
    CONSTRAINT proposals_summary_check CHECK (((length(summary) >= 1) AND (length(summary) <= 1000))),
    CONSTRAINT proposals_supports_count_check CHECK ((supports_count >= 0)),
    CONSTRAINT proposals_title_check CHECK (((length(title) >= 3) AND (length(title) <= 200)))
)
WITH (fillfactor='85');

CREATE TABLE cabildo_baseline.reports (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    target_kind text NOT NULL,
    target_id uuid NOT NULL,
    reporter_id uuid NOT NULL,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    resolution text,
    CONSTRAINT reports_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 1000))),
    CONSTRAINT reports_resolution_check CHECK ((resolution = ANY (ARRAY['hidden'::text, 'dismissed'::text, 'restored'::text]))),
    CONSTRAINT reports_target_kind_check CHECK ((target_kind = ANY (ARRAY['debate'::text, 'proposal'::text, 'comment'::text, 'project'::text])))
);

CREATE TABLE cabildo_baseline.sessions (
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    user_agent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT sessions_token_hash_check CHECK ((length(token_hash) = 32)),
    CONSTRAINT sessions_user_agent_check CHECK ((length(user_agent) <= 200))
);

CREATE TABLE cabildo_baseline.settings (
    id boolean DEFAULT true NOT NULL,
    languages text[] DEFAULT ARRAY['es'::text, 'en'::text] NOT NULL,
    default_language text DEFAULT 'es'::text NOT NULL,
    time_zone text DEFAULT 'Europe/Madrid'::text NOT NULL,
    primary_colour text DEFAULT '#1d4f91'::text NOT NULL,
    accent_colour text DEFAULT '#f2b705'::text NOT NULL,
    welcome jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    legal jsonb DEFAULT '{}'::jsonb NOT NULL,
    name_article text DEFAULT ''::text NOT NULL,
    logo text,
    contact jsonb DEFAULT '{}'::jsonb NOT NULL,
    public_dashboard boolean DEFAULT false NOT NULL,
    coat_of_arms text,
    favicon text,
    CONSTRAINT settings_accent_colour_check CHECK ((accent_colour ~ '^#[0-9a-f]{6}$'::text)),
    CONSTRAINT settings_check CHECK ((default_language = ANY (languages))),
    CONSTRAINT settings_coat_of_arms_check CHECK ((coat_of_arms ~ '^[a-z0-9][a-z0-9._-]{0,99}$'::text)),
    CONSTRAINT settings_contact_check CHECK ((jsonb_typeof(contact) = 'object'::text)),
    CONSTRAINT settings_favicon_check CHECK ((favicon ~ '^[a-z0-9][a-z0-9._-]{0,99}$'::text)),
    CONSTRAINT settings_id_check CHECK (id),
    CONSTRAINT settings_logo_check CHECK ((logo ~ '^[a-z0-9][a-z0-9._-]{0,99}$'::text)),
    CONSTRAINT settings_name_article_check CHECK ((name_article = ANY (ARRAY[''::text, 'el'::text, 'la'::text, 'los'::text, 'las'::text]))),
    CONSTRAINT settings_primary_colour_check CHECK ((primary_colour ~ '^#[0-9a-f]{6}$'::text))
);

CREATE TABLE cabildo_baseline.staff_invitations (
    token_hash bytea NOT NULL,
    email text NOT NULL,
    role text NOT NULL,
    invited_by text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT staff_invitations_email_check CHECK (((email = lower(email)) AND ((length(email) >= 3) AND (length(email) <= 254)))),
    CONSTRAINT staff_invitations_invited_by_check CHECK ((length(invited_by) <= 300)),
    CONSTRAINT staff_invitations_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'moderator'::text, 'evaluator'::text]))),
    CONSTRAINT staff_invitations_token_hash_check CHECK ((length(token_hash) = 32))
);

CREATE TABLE cabildo_baseline.staff_roles (
    user_id uuid NOT NULL,
    role text NOT NULL,
    granted_by text NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT staff_roles_granted_by_check CHECK ((length(granted_by) <= 300)),
    CONSTRAINT staff_roles_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'moderator'::text, 'evaluator'::text])))
);

CREATE TABLE cabildo_baseline.supports (
    proposal_id uuid NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE cabildo_baseline.survey_questions (
    survey_id uuid NOT NULL,
    "position" integer NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    required boolean DEFAULT true NOT NULL,
    options text[] DEFAULT '{}'::text[] NOT NULL,
    rows text[] DEFAULT '{}'::text[] NOT NULL,
    min_choices integer DEFAULT 0 NOT NULL,
    max_choices integer DEFAULT 1 NOT NULL,
    scale_max integer DEFAULT 5 NOT NULL,
    shown_if_question integer,
    shown_if_options integer[] DEFAULT '{}'::integer[] NOT NULL,
    CONSTRAINT survey_questions_check CHECK (((shown_if_question IS NULL) OR (shown_if_question < "position"))),
    CONSTRAINT survey_questions_kind_check CHECK ((kind = ANY (ARRAY['single'::text, 'multiple'::text, 'ranking'::text, 'scale'::text, 'short_text'::text, 'long_text'::text, 'matrix'::text]))),
    CONSTRAINT survey_questions_max_choices_check CHECK ((max_choices >= 1)),
    CONSTRAINT survey_questions_min_choices_check CHECK ((min_choices >= 0)),
    CONSTRAINT survey_questions_position_check CHECK ((("position" >= 0) AND ("position" <= 99))),
    CONSTRAINT survey_questions_scale_max_check CHECK ((scale_max = ANY (ARRAY[5, 10]))),
    CONSTRAINT survey_questions_text_check CHECK (((length(text) >= 1) AND (length(text) <= 1000)))
);

CREATE TABLE cabildo_baseline.survey_respondents (
    survey_id uuid NOT NULL,
    user_id uuid,
    visitor bytea,
    CONSTRAINT survey_respondents_check CHECK (((user_id IS NULL) <> (visitor IS NULL))),
    CONSTRAINT survey_respondents_visitor_check CHECK ((length(visitor) = 32))
);

CREATE TABLE cabildo_baseline.survey_responses (
    survey_id uuid NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid,
    answers jsonb NOT NULL,
    answered_on date NOT NULL
);

CREATE TABLE cabildo_baseline.survey_text_reviews (
    survey_id uuid NOT NULL,
    response_id uuid NOT NULL,
    "position" integer NOT NULL,
    approved boolean NOT NULL,
    reviewed_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE cabildo_baseline.surveys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    process_id uuid NOT NULL,
    title text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    audience text NOT NULL,
    anonymous boolean DEFAULT false NOT NULL,
    editable boolean DEFAULT false NOT NULL,
    results_while_open boolean DEFAULT true NOT NULL,
    published_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT surveys_audience_check CHECK ((audience = ANY (ARRAY['anyone'::text, 'registered'::text, 'verified'::text, 'district'::text]))),
    CONSTRAINT surveys_check CHECK ((NOT (anonymous AND editable))),
    CONSTRAINT surveys_check1 CHECK ((NOT (anonymous AND (audience = 'anyone'::text)))),
    CONSTRAINT surveys_description_check CHECK ((length(description) <= 20000)),
    CONSTRAINT surveys_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200)))
);

CREATE TABLE cabildo_baseline.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    language text,
    newsletter_consent boolean DEFAULT false NOT NULL,
    newsletter_consent_at timestamp with time zone,
    notify_email text DEFAULT 'daily'::text NOT NULL,
    district_code text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    nickname text,
    password_hash text,
    email_confirmed_at timestamp with time zone,
    terms_accepted_at timestamp with time zone,
    verified_at timestamp with time zone,
    deleted_at timestamp with time zone,
    platform_account text,
    blocked_at timestamp with time zone,
    blocked_reason text,
    nickname_skeleton text,
    calendar_key integer DEFAULT 0 NOT NULL,
    CONSTRAINT users_blocked_reason_check CHECK ((length(blocked_reason) <= 2000)),
    CONSTRAINT users_email_check CHECK (((email = lower(email)) AND ((length(email) >= 3) AND (length(email) <= 254)))),
    CONSTRAINT users_language_check CHECK ((language ~ '^[a-z]{2}$'::text)),
    CONSTRAINT users_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT users_nickname_check CHECK (((length(nickname) >= 3) AND (length(nickname) <= 30))),
    CONSTRAINT users_notify_email_check CHECK ((notify_email = ANY (ARRAY['immediate'::text, 'daily'::text, 'weekly'::text, 'none'::text]))),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~~ '$argon2id$%'::text)),
    CONSTRAINT users_platform_account_check CHECK (((platform_account = lower(platform_account)) AND (length(platform_account) <= 254)))
);

CREATE TABLE cabildo_baseline.verification_failures (
    user_id uuid NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL
);

INSERT INTO cabildo_baseline.settings (id, languages, default_language, time_zone, primary_colour, accent_colour, welcome, updated_at, legal, name_article, logo, contact, public_dashboard, coat_of_arms, favicon) VALUES (true, '{es,en}', 'es', 'Europe/Madrid', '#1d4f91', '#f2b705', '{}', '2026-12-06 00:14:23.284383+00', '{}', '', NULL, '{}', false, NULL, NULL);

SELECT pg_catalog.setval('cabildo_baseline.audit_log_id_seq', 1, false);

SELECT pg_catalog.setval('cabildo_baseline.budget_projects_number_seq', 1, false);

ALTER TABLE ONLY cabildo_baseline.account_tokens
    ADD CONSTRAINT account_tokens_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY cabildo_baseline.api_tokens
    ADD CONSTRAINT api_tokens_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY cabildo_baseline.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.assemblies
    ADD CONSTRAINT assemblies_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.assemblies
    ADD CONSTRAINT assemblies_slug_key UNIQUE (slug);

ALTER TABLE ONLY cabildo_baseline.assembly_documents
    ADD CONSTRAINT assembly_documents_file_key UNIQUE (file);

ALTER TABLE ONLY cabildo_baseline.assembly_documents
    ADD CONSTRAINT assembly_documents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.assembly_draws
    ADD CONSTRAINT assembly_draws_pkey PRIMARY KEY (assembly_id);

ALTER TABLE ONLY cabildo_baseline.assembly_members
    ADD CONSTRAINT assembly_members_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.assembly_volunteers
    ADD CONSTRAINT assembly_volunteers_pkey PRIMARY KEY (assembly_id, user_id);

ALTER TABLE ONLY cabildo_baseline.assembly_volunteers
    ADD CONSTRAINT assembly_volunteers_ticket_key UNIQUE (assembly_id, ticket);

ALTER TABLE ONLY cabildo_baseline.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budget_ballots
    ADD CONSTRAINT budget_ballots_pkey PRIMARY KEY (heading_id, user_id);

ALTER TABLE ONLY cabildo_baseline.budget_headings
    ADD CONSTRAINT budget_headings_district_key UNIQUE NULLS NOT DISTINCT (budget_id, district_code);

ALTER TABLE ONLY cabildo_baseline.budget_headings
    ADD CONSTRAINT budget_headings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budget_project_updates
    ADD CONSTRAINT budget_project_updates_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_number_key UNIQUE (number);

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_proposal_key UNIQUE (proposal_id);

ALTER TABLE ONLY cabildo_baseline.budget_results
    ADD CONSTRAINT budget_results_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budget_supports
    ADD CONSTRAINT budget_supports_pkey PRIMARY KEY (project_id, user_id);

ALTER TABLE ONLY cabildo_baseline.budgets
    ADD CONSTRAINT budgets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.budgets
    ADD CONSTRAINT budgets_process_key UNIQUE (process_id);

ALTER TABLE ONLY cabildo_baseline.census_claims
    ADD CONSTRAINT census_claims_pkey PRIMARY KEY (document_hash);

ALTER TABLE ONLY cabildo_baseline.census_claims
    ADD CONSTRAINT census_claims_user_key UNIQUE (user_id);

ALTER TABLE ONLY cabildo_baseline.census_imports
    ADD CONSTRAINT census_imports_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.census
    ADD CONSTRAINT census_pkey PRIMARY KEY (document_hash);

ALTER TABLE ONLY cabildo_baseline.census_staged
    ADD CONSTRAINT census_staged_pkey PRIMARY KEY (upload_id, document_hash);

ALTER TABLE ONLY cabildo_baseline.census_uploads
    ADD CONSTRAINT census_uploads_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.comment_votes
    ADD CONSTRAINT comment_votes_pkey PRIMARY KEY (comment_id, user_id);

ALTER TABLE ONLY cabildo_baseline.comments
    ADD CONSTRAINT comments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.consultation_ballots
    ADD CONSTRAINT consultation_ballots_pkey PRIMARY KEY (consultation_id, id);

ALTER TABLE ONLY cabildo_baseline.consultation_ballots
    ADD CONSTRAINT consultation_ballots_receipt_hash_key UNIQUE (receipt_hash);

ALTER TABLE ONLY cabildo_baseline.consultation_options
    ADD CONSTRAINT consultation_options_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.consultation_options
    ADD CONSTRAINT consultation_options_question_id_position_key UNIQUE (question_id, "position");

ALTER TABLE ONLY cabildo_baseline.consultation_paper
    ADD CONSTRAINT consultation_paper_consultation_id_station_question_id_opti_key UNIQUE NULLS NOT DISTINCT (consultation_id, station, question_id, option_id);

ALTER TABLE ONLY cabildo_baseline.consultation_questions
    ADD CONSTRAINT consultation_questions_consultation_id_position_key UNIQUE (consultation_id, "position");

ALTER TABLE ONLY cabildo_baseline.consultation_questions
    ADD CONSTRAINT consultation_questions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.consultation_roll
    ADD CONSTRAINT consultation_roll_pkey PRIMARY KEY (consultation_id, document_hash);

ALTER TABLE ONLY cabildo_baseline.consultations
    ADD CONSTRAINT consultations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.debates
    ADD CONSTRAINT debates_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.districts
    ADD CONSTRAINT districts_code_key UNIQUE (code);

ALTER TABLE ONLY cabildo_baseline.districts
    ADD CONSTRAINT districts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.follows
    ADD CONSTRAINT follows_pkey PRIMARY KEY (user_id, target_kind, target_id);

ALTER TABLE ONLY cabildo_baseline.legal_pages
    ADD CONSTRAINT legal_pages_pkey PRIMARY KEY (kind, language);

ALTER TABLE ONLY cabildo_baseline.meeting_agreements
    ADD CONSTRAINT meeting_agreements_pkey PRIMARY KEY (meeting_id, "position");

ALTER TABLE ONLY cabildo_baseline.meeting_registrations
    ADD CONSTRAINT meeting_registrations_code_key UNIQUE (meeting_id, code);

ALTER TABLE ONLY cabildo_baseline.meeting_registrations
    ADD CONSTRAINT meeting_registrations_pkey PRIMARY KEY (meeting_id, user_id);

ALTER TABLE ONLY cabildo_baseline.meetings
    ADD CONSTRAINT meetings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.newsletter_recipients
    ADD CONSTRAINT newsletter_recipients_pkey PRIMARY KEY (newsletter_id, email);

ALTER TABLE ONLY cabildo_baseline.newsletters
    ADD CONSTRAINT newsletters_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.organisations
    ADD CONSTRAINT organisations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.organisations
    ADD CONSTRAINT organisations_user_key UNIQUE (user_id);

ALTER TABLE ONLY cabildo_baseline.participants
    ADD CONSTRAINT participants_pkey PRIMARY KEY (user_id);

ALTER TABLE ONLY cabildo_baseline.participation_processes
    ADD CONSTRAINT participation_processes_pkey PRIMARY KEY (process_id, user_id);

ALTER TABLE ONLY cabildo_baseline.participation_weeks
    ADD CONSTRAINT participation_weeks_pkey PRIMARY KEY (week, user_id);

ALTER TABLE ONLY cabildo_baseline.places
    ADD CONSTRAINT places_pkey PRIMARY KEY (address);

ALTER TABLE ONLY cabildo_baseline.poll_votes
    ADD CONSTRAINT poll_votes_pkey PRIMARY KEY (poll_id, user_id);

ALTER TABLE ONLY cabildo_baseline.polls
    ADD CONSTRAINT polls_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.process_phases
    ADD CONSTRAINT process_phases_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.processes
    ADD CONSTRAINT processes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.processes
    ADD CONSTRAINT processes_slug_key UNIQUE (slug);

ALTER TABLE ONLY cabildo_baseline.proposals
    ADD CONSTRAINT proposals_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.reports
    ADD CONSTRAINT reports_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY cabildo_baseline.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.staff_invitations
    ADD CONSTRAINT staff_invitations_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY cabildo_baseline.staff_roles
    ADD CONSTRAINT staff_roles_pkey PRIMARY KEY (user_id, role);

ALTER TABLE ONLY cabildo_baseline.supports
    ADD CONSTRAINT supports_pkey PRIMARY KEY (proposal_id, user_id);

ALTER TABLE ONLY cabildo_baseline.survey_questions
    ADD CONSTRAINT survey_questions_pkey PRIMARY KEY (survey_id, "position");

ALTER TABLE ONLY cabildo_baseline.survey_respondents
    ADD CONSTRAINT survey_respondents_survey_id_user_id_key UNIQUE (survey_id, user_id);

ALTER TABLE ONLY cabildo_baseline.survey_respondents
    ADD CONSTRAINT survey_respondents_survey_id_visitor_key UNIQUE (survey_id, visitor);

ALTER TABLE ONLY cabildo_baseline.survey_responses
    ADD CONSTRAINT survey_responses_pkey PRIMARY KEY (survey_id, id);

ALTER TABLE ONLY cabildo_baseline.survey_responses
    ADD CONSTRAINT survey_responses_survey_id_user_id_key UNIQUE (survey_id, user_id);

ALTER TABLE ONLY cabildo_baseline.survey_text_reviews
    ADD CONSTRAINT survey_text_reviews_pkey PRIMARY KEY (survey_id, response_id, "position");

ALTER TABLE ONLY cabildo_baseline.surveys
    ADD CONSTRAINT surveys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY cabildo_baseline.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE ONLY cabildo_baseline.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

CREATE INDEX account_tokens_user_idx ON cabildo_baseline.account_tokens USING btree (user_id, purpose) WHERE (used_at IS NULL);

CREATE INDEX api_tokens_user_idx ON cabildo_baseline.api_tokens USING btree (user_id);

CREATE INDEX assembly_documents_assembly_idx ON cabildo_baseline.assembly_documents USING btree (assembly_id, created_at);

CREATE INDEX assembly_members_assembly_idx ON cabildo_baseline.assembly_members USING btree (assembly_id, term_starts);

CREATE INDEX audit_log_at_idx ON cabildo_baseline.audit_log USING btree (at DESC);

CREATE INDEX budget_ballots_person_idx ON cabildo_baseline.budget_ballots USING btree (user_id);

CREATE INDEX budget_project_updates_project_idx ON cabildo_baseline.budget_project_updates USING btree (project_id, created_at DESC);

CREATE INDEX budget_projects_budget_idx ON cabildo_baseline.budget_projects USING btree (budget_id, number);

CREATE INDEX budget_projects_heading_idx ON cabildo_baseline.budget_projects USING btree (heading_id, number);

CREATE UNIQUE INDEX budget_results_current_key ON cabildo_baseline.budget_results USING btree (heading_id) WHERE (superseded_at IS NULL);

CREATE INDEX budget_supports_person_idx ON cabildo_baseline.budget_supports USING btree (user_id, heading_id);

CREATE INDEX comments_author_idx ON cabildo_baseline.comments USING btree (author_id);

CREATE INDEX comments_process_idx ON cabildo_baseline.comments USING btree (process_id);

CREATE INDEX comments_roots_idx ON cabildo_baseline.comments USING btree (target_kind, target_id, created_at) WHERE (parent_id IS NULL);

CREATE INDEX comments_target_idx ON cabildo_baseline.comments USING btree (target_kind, target_id, root_id, created_at);

CREATE INDEX consultations_process_idx ON cabildo_baseline.consultations USING btree (process_id);

CREATE INDEX debates_active_idx ON cabildo_baseline.debates USING btree (process_id, pinned DESC, last_activity_at DESC, id) WHERE (hidden_at IS NULL);

CREATE INDEX debates_author_idx ON cabildo_baseline.debates USING btree (author_id);

CREATE INDEX debates_newest_idx ON cabildo_baseline.debates USING btree (process_id, pinned DESC, created_at DESC, id) WHERE (hidden_at IS NULL);

CREATE INDEX debates_search_idx ON cabildo_baseline.debates USING gin (search);

CREATE INDEX follows_target_idx ON cabildo_baseline.follows USING btree (target_kind, target_id);

CREATE INDEX meeting_agreements_proposal_idx ON cabildo_baseline.meeting_agreements USING btree (proposal_id) WHERE (proposal_id IS NOT NULL);

CREATE INDEX meeting_registrations_line_idx ON cabildo_baseline.meeting_registrations USING btree (meeting_id, since) WHERE (status = 'waiting'::text);

CREATE INDEX meeting_registrations_user_idx ON cabildo_baseline.meeting_registrations USING btree (user_id);

CREATE INDEX meetings_assembly_idx ON cabildo_baseline.meetings USING btree (assembly_id, starts_at);

CREATE INDEX meetings_process_idx ON cabildo_baseline.meetings USING btree (process_id, starts_at);

CREATE INDEX meetings_starts_idx ON cabildo_baseline.meetings USING btree (starts_at) WHERE (published_at IS NOT NULL);

CREATE INDEX newsletter_recipients_pending_idx ON cabildo_baseline.newsletter_recipients USING btree (newsletter_id, batch) WHERE (status = 'pending'::text);

CREATE INDEX notifications_unemailed_idx ON cabildo_baseline.notifications USING btree (user_id) WHERE (emailed_at IS NULL);

CREATE INDEX notifications_user_idx ON cabildo_baseline.notifications USING btree (user_id, created_at DESC, id DESC);

CREATE INDEX organisations_pending_idx ON cabildo_baseline.organisations USING btree (created_at) WHERE (status = 'pending'::text);

CREATE INDEX participation_weeks_user_idx ON cabildo_baseline.participation_weeks USING btree (user_id, week);

CREATE INDEX polls_process_idx ON cabildo_baseline.polls USING btree (process_id, closes_at);

CREATE INDEX process_phases_process_idx ON cabildo_baseline.process_phases USING btree (process_id, starts_at);

CREATE INDEX processes_search_idx ON cabildo_baseline.processes USING gin (search);

CREATE INDEX proposals_author_idx ON cabildo_baseline.proposals USING btree (author_id);

CREATE INDEX proposals_newest_idx ON cabildo_baseline.proposals USING btree (process_id, created_at DESC, id) WHERE (hidden_at IS NULL);

CREATE INDEX proposals_search_idx ON cabildo_baseline.proposals USING gin (search);

CREATE INDEX proposals_shuffle_idx ON cabildo_baseline.proposals USING btree (process_id, shuffle, id) WHERE (hidden_at IS NULL);

CREATE INDEX reports_open_idx ON cabildo_baseline.reports USING btree (created_at) WHERE (resolved_at IS NULL);

CREATE UNIQUE INDEX reports_open_key ON cabildo_baseline.reports USING btree (target_kind, target_id, reporter_id) WHERE (resolved_at IS NULL);

CREATE INDEX sessions_user_idx ON cabildo_baseline.sessions USING btree (user_id);

CREATE INDEX supports_user_idx ON cabildo_baseline.supports USING btree (user_id, created_at DESC);

CREATE INDEX surveys_process_idx ON cabildo_baseline.surveys USING btree (process_id);

CREATE UNIQUE INDEX users_nickname_key ON cabildo_baseline.users USING btree (lower(nickname));

CREATE UNIQUE INDEX users_nickname_skeleton_key ON cabildo_baseline.users USING btree (nickname_skeleton);

CREATE UNIQUE INDEX users_platform_account_key ON cabildo_baseline.users USING btree (platform_account) WHERE (platform_account IS NOT NULL);

CREATE INDEX verification_failures_user_idx ON cabildo_baseline.verification_failures USING btree (user_id, at);

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON cabildo_baseline.audit_log FOR EACH STATEMENT EXECUTE FUNCTION cabildo_baseline.audit_log_is_append_only();

CREATE TRIGGER budget_ballots_participation AFTER INSERT OR UPDATE OF submitted_at ON cabildo_baseline.budget_ballots FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.participation_voted();

CREATE TRIGGER comments_participation AFTER INSERT ON cabildo_baseline.comments FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.participation_authored('comment');

CREATE TRIGGER comments_thread_in AFTER INSERT ON cabildo_baseline.comments FOR EACH ROW WHEN (((new.target_kind = 'process'::text) AND (new.parent_id IS NULL))) EXECUTE FUNCTION cabildo_baseline.process_count('threads_count', '1');

CREATE TRIGGER comments_thread_moved_in AFTER UPDATE OF target_kind, parent_id, process_id ON cabildo_baseline.comments FOR EACH ROW WHEN (((new.target_kind = 'process'::text) AND (new.parent_id IS NULL) AND ((old.target_kind IS DISTINCT FROM 'process'::text) OR (old.parent_id IS NOT NULL) OR (old.process_id IS DISTINCT FROM new.process_id)))) EXECUTE FUNCTION cabildo_baseline.process_count('threads_count', '1');

CREATE TRIGGER comments_thread_moved_out AFTER UPDATE OF target_kind, parent_id, process_id ON cabildo_baseline.comments FOR EACH ROW WHEN (((old.target_kind = 'process'::text) AND (old.parent_id IS NULL) AND ((new.target_kind IS DISTINCT FROM 'process'::text) OR (new.parent_id IS NOT NULL) OR (new.process_id IS DISTINCT FROM old.process_id)))) EXECUTE FUNCTION cabildo_baseline.process_count('threads_count', '-1');

CREATE TRIGGER comments_thread_out AFTER DELETE ON cabildo_baseline.comments FOR EACH ROW WHEN (((old.target_kind = 'process'::text) AND (old.parent_id IS NULL))) EXECUTE FUNCTION cabildo_baseline.process_count('threads_count', '-1');

CREATE TRIGGER debates_participation AFTER INSERT ON cabildo_baseline.debates FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.participation_authored('debate');

CREATE TRIGGER debates_search BEFORE INSERT OR UPDATE OF title, body ON cabildo_baseline.debates FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.debates_search();

CREATE TRIGGER meetings_process_in AFTER INSERT ON cabildo_baseline.meetings FOR EACH ROW WHEN ((new.process_id IS NOT NULL)) EXECUTE FUNCTION cabildo_baseline.process_count('meetings_count', '1');

CREATE TRIGGER meetings_process_moved_in AFTER UPDATE OF process_id ON cabildo_baseline.meetings FOR EACH ROW WHEN (((new.process_id IS NOT NULL) AND (old.process_id IS DISTINCT FROM new.process_id))) EXECUTE FUNCTION cabildo_baseline.process_count('meetings_count', '1');

CREATE TRIGGER meetings_process_moved_out AFTER UPDATE OF process_id ON cabildo_baseline.meetings FOR EACH ROW WHEN (((old.process_id IS NOT NULL) AND (old.process_id IS DISTINCT FROM new.process_id))) EXECUTE FUNCTION cabildo_baseline.process_count('meetings_count', '-1');

CREATE TRIGGER meetings_process_out AFTER DELETE ON cabildo_baseline.meetings FOR EACH ROW WHEN ((old.process_id IS NOT NULL)) EXECUTE FUNCTION cabildo_baseline.process_count('meetings_count', '-1');

CREATE TRIGGER polls_process_in AFTER INSERT ON cabildo_baseline.polls FOR EACH ROW WHEN ((new.process_id IS NOT NULL)) EXECUTE FUNCTION cabildo_baseline.process_count('polls_count', '1');

CREATE TRIGGER polls_process_moved_in AFTER UPDATE OF process_id ON cabildo_baseline.polls FOR EACH ROW WHEN (((new.process_id IS NOT NULL) AND (old.process_id IS DISTINCT FROM new.process_id))) EXECUTE FUNCTION cabildo_baseline.process_count('polls_count', '1');

CREATE TRIGGER polls_process_moved_out AFTER UPDATE OF process_id ON cabildo_baseline.polls FOR EACH ROW WHEN (((old.process_id IS NOT NULL) AND (old.process_id IS DISTINCT FROM new.process_id))) EXECUTE FUNCTION cabildo_baseline.process_count('polls_count', '-1');

CREATE TRIGGER polls_process_out AFTER DELETE ON cabildo_baseline.polls FOR EACH ROW WHEN ((old.process_id IS NOT NULL)) EXECUTE FUNCTION cabildo_baseline.process_count('polls_count', '-1');

CREATE TRIGGER processes_search BEFORE INSERT OR UPDATE OF title, summary, description_markdown, translations ON cabildo_baseline.processes FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.processes_search();

CREATE TRIGGER proposals_participation AFTER INSERT ON cabildo_baseline.proposals FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.participation_authored('proposal');

CREATE TRIGGER proposals_search BEFORE INSERT OR UPDATE OF title, summary, body ON cabildo_baseline.proposals FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.proposals_search();

CREATE TRIGGER supports_participation AFTER INSERT ON cabildo_baseline.supports FOR EACH ROW EXECUTE FUNCTION cabildo_baseline.participation_supported();

CREATE TRIGGER users_participants_district AFTER UPDATE OF district_code ON cabildo_baseline.users FOR EACH ROW WHEN ((old.district_code IS DISTINCT FROM new.district_code)) EXECUTE FUNCTION cabildo_baseline.participants_district();

ALTER TABLE ONLY cabildo_baseline.account_tokens
    ADD CONSTRAINT account_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.assembly_documents
    ADD CONSTRAINT assembly_documents_assembly_id_fkey FOREIGN KEY (assembly_id) REFERENCES cabildo_baseline.assemblies(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.assembly_draws
    ADD CONSTRAINT assembly_draws_assembly_id_fkey FOREIGN KEY (assembly_id) REFERENCES cabildo_baseline.assemblies(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.assembly_members
    ADD CONSTRAINT assembly_members_assembly_id_fkey FOREIGN KEY (assembly_id) REFERENCES cabildo_baseline.assemblies(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.assembly_members
    ADD CONSTRAINT assembly_members_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES cabildo_baseline.organisations(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.assembly_members
    ADD CONSTRAINT assembly_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.assembly_volunteers
    ADD CONSTRAINT assembly_volunteers_assembly_id_fkey FOREIGN KEY (assembly_id) REFERENCES cabildo_baseline.assemblies(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.assembly_volunteers
    ADD CONSTRAINT assembly_volunteers_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_ballots
    ADD CONSTRAINT budget_ballots_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.budget_headings
    ADD CONSTRAINT budget_headings_budget_id_fkey FOREIGN KEY (budget_id) REFERENCES cabildo_baseline.budgets(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_headings
    ADD CONSTRAINT budget_headings_district_code_fkey FOREIGN KEY (district_code) REFERENCES cabildo_baseline.districts(code);

ALTER TABLE ONLY cabildo_baseline.budget_project_updates
    ADD CONSTRAINT budget_project_updates_project_id_fkey FOREIGN KEY (project_id) REFERENCES cabildo_baseline.budget_projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_author_id_fkey FOREIGN KEY (author_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_budget_id_fkey FOREIGN KEY (budget_id) REFERENCES cabildo_baseline.budgets(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_heading_id_fkey FOREIGN KEY (heading_id) REFERENCES cabildo_baseline.budget_headings(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_projects
    ADD CONSTRAINT budget_projects_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES cabildo_baseline.proposals(id);

ALTER TABLE ONLY cabildo_baseline.budget_results
    ADD CONSTRAINT budget_results_heading_id_fkey FOREIGN KEY (heading_id) REFERENCES cabildo_baseline.budget_headings(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_supports
    ADD CONSTRAINT budget_supports_heading_id_fkey FOREIGN KEY (heading_id) REFERENCES cabildo_baseline.budget_headings(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_supports
    ADD CONSTRAINT budget_supports_project_id_fkey FOREIGN KEY (project_id) REFERENCES cabildo_baseline.budget_projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.budget_supports
    ADD CONSTRAINT budget_supports_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.budgets
    ADD CONSTRAINT budgets_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.census_claims
    ADD CONSTRAINT census_claims_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.census_staged
    ADD CONSTRAINT census_staged_upload_id_fkey FOREIGN KEY (upload_id) REFERENCES cabildo_baseline.census_uploads(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.comment_votes
    ADD CONSTRAINT comment_votes_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES cabildo_baseline.comments(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.comment_votes
    ADD CONSTRAINT comment_votes_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.comments
    ADD CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.comments
    ADD CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES cabildo_baseline.comments(id);

ALTER TABLE ONLY cabildo_baseline.comments
    ADD CONSTRAINT comments_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_ballots
    ADD CONSTRAINT consultation_ballots_consultation_id_fkey FOREIGN KEY (consultation_id) REFERENCES cabildo_baseline.consultations(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_options
    ADD CONSTRAINT consultation_options_question_id_fkey FOREIGN KEY (question_id) REFERENCES cabildo_baseline.consultation_questions(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_paper
    ADD CONSTRAINT consultation_paper_consultation_id_fkey FOREIGN KEY (consultation_id) REFERENCES cabildo_baseline.consultations(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_paper
    ADD CONSTRAINT consultation_paper_option_id_fkey FOREIGN KEY (option_id) REFERENCES cabildo_baseline.consultation_options(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_paper
    ADD CONSTRAINT consultation_paper_question_id_fkey FOREIGN KEY (question_id) REFERENCES cabildo_baseline.consultation_questions(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_questions
    ADD CONSTRAINT consultation_questions_consultation_id_fkey FOREIGN KEY (consultation_id) REFERENCES cabildo_baseline.consultations(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultation_roll
    ADD CONSTRAINT consultation_roll_consultation_id_fkey FOREIGN KEY (consultation_id) REFERENCES cabildo_baseline.consultations(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.consultations
    ADD CONSTRAINT consultations_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE RESTRICT;

ALTER TABLE ONLY cabildo_baseline.debates
    ADD CONSTRAINT debates_author_id_fkey FOREIGN KEY (author_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.debates
    ADD CONSTRAINT debates_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.follows
    ADD CONSTRAINT follows_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.legal_pages
    ADD CONSTRAINT legal_pages_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES cabildo_baseline.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.meeting_agreements
    ADD CONSTRAINT meeting_agreements_meeting_id_fkey FOREIGN KEY (meeting_id) REFERENCES cabildo_baseline.meetings(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.meeting_agreements
    ADD CONSTRAINT meeting_agreements_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES cabildo_baseline.proposals(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.meeting_registrations
    ADD CONSTRAINT meeting_registrations_meeting_id_fkey FOREIGN KEY (meeting_id) REFERENCES cabildo_baseline.meetings(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.meeting_registrations
    ADD CONSTRAINT meeting_registrations_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.meetings
    ADD CONSTRAINT meetings_assembly_id_fkey FOREIGN KEY (assembly_id) REFERENCES cabildo_baseline.assemblies(id) ON DELETE RESTRICT;

ALTER TABLE ONLY cabildo_baseline.meetings
    ADD CONSTRAINT meetings_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE RESTRICT;

ALTER TABLE ONLY cabildo_baseline.newsletter_recipients
    ADD CONSTRAINT newsletter_recipients_newsletter_id_fkey FOREIGN KEY (newsletter_id) REFERENCES cabildo_baseline.newsletters(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.newsletter_recipients
    ADD CONSTRAINT newsletter_recipients_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.organisations
    ADD CONSTRAINT organisations_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.participation_processes
    ADD CONSTRAINT participation_processes_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.poll_votes
    ADD CONSTRAINT poll_votes_poll_id_fkey FOREIGN KEY (poll_id) REFERENCES cabildo_baseline.polls(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.poll_votes
    ADD CONSTRAINT poll_votes_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.polls
    ADD CONSTRAINT polls_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.process_phases
    ADD CONSTRAINT process_phases_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.proposals
    ADD CONSTRAINT proposals_author_id_fkey FOREIGN KEY (author_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.proposals
    ADD CONSTRAINT proposals_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.reports
    ADD CONSTRAINT reports_reporter_id_fkey FOREIGN KEY (reporter_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.staff_roles
    ADD CONSTRAINT staff_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.supports
    ADD CONSTRAINT supports_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES cabildo_baseline.proposals(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.supports
    ADD CONSTRAINT supports_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id);

ALTER TABLE ONLY cabildo_baseline.survey_questions
    ADD CONSTRAINT survey_questions_survey_id_fkey FOREIGN KEY (survey_id) REFERENCES cabildo_baseline.surveys(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.survey_respondents
    ADD CONSTRAINT survey_respondents_survey_id_fkey FOREIGN KEY (survey_id) REFERENCES cabildo_baseline.surveys(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.survey_respondents
    ADD CONSTRAINT survey_respondents_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.survey_responses
    ADD CONSTRAINT survey_responses_survey_id_fkey FOREIGN KEY (survey_id) REFERENCES cabildo_baseline.surveys(id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.survey_responses
    ADD CONSTRAINT survey_responses_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY cabildo_baseline.survey_text_reviews
    ADD CONSTRAINT survey_text_reviews_survey_id_response_id_fkey FOREIGN KEY (survey_id, response_id) REFERENCES cabildo_baseline.survey_responses(survey_id, id) ON DELETE CASCADE;

ALTER TABLE ONLY cabildo_baseline.surveys
    ADD CONSTRAINT surveys_process_id_fkey FOREIGN KEY (process_id) REFERENCES cabildo_baseline.processes(id) ON DELETE RESTRICT;

ALTER TABLE ONLY cabildo_baseline.verification_failures
    ADD CONSTRAINT verification_failures_user_id_fkey FOREIGN KEY (user_id) REFERENCES cabildo_baseline.users(id) ON DELETE CASCADE;
