-- Assemblies (consejos) and meetings (docs/meetings.md).
--
-- An assembly is a standing body with members and terms; a meeting belongs
-- to a process or to an assembly (exactly one). People register for a
-- meeting and get an entry code; past the capacity they wait in line, and
-- a place given back goes to the first in line. Staff check codes at the
-- door (attended_at); minutes and agreements are published after, each
-- agreement optionally deciding on a proposal.
CREATE TABLE assemblies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL CONSTRAINT assemblies_slug_key UNIQUE
        CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    purpose text NOT NULL DEFAULT '' CHECK (length(purpose) <= 20000),
    -- A district council, a sector council, or a citizens' assembly
    -- chosen by lot.
    kind text NOT NULL CHECK (kind IN ('district', 'sector', 'citizens')),
    district_code text,
    translations jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 200000),
    published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'district' OR district_code IS NOT NULL)
);

CREATE TABLE assembly_members (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
    -- A resident, an organisation (through its representative) or a
    -- member of the council's staff.
    kind text NOT NULL CHECK (kind IN ('resident', 'organisation', 'staff')),
    -- Their account on the site, when they have one (members need not).
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    organisation_id uuid REFERENCES organisations (id) ON DELETE SET NULL,
    -- The name published: the person's, or the organisation's.
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- An organisation's representative (published with it).
    representative text NOT NULL DEFAULT '' CHECK (length(representative) <= 200),
    role text NOT NULL CHECK (role IN ('president', 'secretary', 'member')),
    term_starts date NOT NULL,
    -- The last day of the term; open-ended when NULL.
    term_ends date,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (term_ends IS NULL OR term_ends >= term_starts)
);
CREATE INDEX assembly_members_assembly_idx ON assembly_members (assembly_id, term_starts);

CREATE TABLE meetings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid REFERENCES processes (id) ON DELETE RESTRICT,
    assembly_id uuid REFERENCES assemblies (id) ON DELETE RESTRICT,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    -- The agenda, item by item.
    agenda text[] NOT NULL DEFAULT '{}' CHECK (cardinality(agenda) <= 50),
    translations jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 200000),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    -- Where: an address (with a point on the map when known), a link to
    -- join online, or both.
    address text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    online_url text NOT NULL DEFAULT ''
        CHECK (online_url = '' OR (online_url ~ '^https://[^\s]+$' AND length(online_url) <= 500)),
    -- Places for people registering; no limit when NULL.
    capacity integer CHECK (capacity BETWEEN 1 AND 100000),
    -- Open to anyone with an account, by invitation, or no registration
    -- at all (come along).
    registration text NOT NULL CHECK (registration IN ('open', 'invitation', 'none')),
    published_at timestamptz,
    cancelled_at timestamptz,
    cancel_reason text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 1000),
    minutes text NOT NULL DEFAULT '' CHECK (length(minutes) <= 100000),
    minutes_published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((process_id IS NULL) <> (assembly_id IS NULL)),
    CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '14 days'),
    CHECK (address <> '' OR online_url <> ''),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX meetings_starts_idx ON meetings (starts_at) WHERE published_at IS NOT NULL;
CREATE INDEX meetings_process_idx ON meetings (process_id, starts_at);
CREATE INDEX meetings_assembly_idx ON meetings (assembly_id, starts_at);

CREATE TABLE meeting_registrations (
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Invited (not yet accepted), registered (has a place), waiting (in
    -- line for one, in order of since), or cancelled by the person.
    status text NOT NULL CHECK (status IN ('invited', 'registered', 'waiting', 'cancelled')),
    -- The entry code shown at the door.
    code text NOT NULL CHECK (code ~ '^[A-Z0-9]{8}$'),
    since timestamptz NOT NULL DEFAULT clock_timestamp(),
    attended_at timestamptz,
    PRIMARY KEY (meeting_id, user_id),
    CONSTRAINT meeting_registrations_code_key UNIQUE (meeting_id, code)
);
CREATE INDEX meeting_registrations_user_idx ON meeting_registrations (user_id);
CREATE INDEX meeting_registrations_line_idx ON meeting_registrations (meeting_id, since)
    WHERE status = 'waiting';

-- What a meeting agreed, published with its minutes; an agreement may
-- decide on a proposal (its page then links the meeting).
CREATE TABLE meeting_agreements (
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position BETWEEN 0 AND 99),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
    proposal_id uuid REFERENCES proposals (id) ON DELETE SET NULL,
    PRIMARY KEY (meeting_id, position)
);
CREATE INDEX meeting_agreements_proposal_idx ON meeting_agreements (proposal_id)
    WHERE proposal_id IS NOT NULL;

-- The personal calendar feed's address is signed with the person's
-- calendar key number; resetting it (a new number) ends the old address.
ALTER TABLE users ADD COLUMN calendar_key integer NOT NULL DEFAULT 0;
