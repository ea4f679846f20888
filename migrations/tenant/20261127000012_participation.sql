-- What citizens write and do in a process: debates, proposals and their
-- supports, threaded comments and their votes, reports for moderation,
-- follows. Counters (supports, comments, votes) live on the rows they
-- count and are changed in the same transaction as the row that changes
-- them; counters are in no index and tables keep free space, so a counter
-- update is a heap-only (HOT) update. Search vectors use the council's usual
-- languages (Spanish and English stemming side by side, accents ignored:
-- the configurations in the shared `search` schema) and are set by
-- triggers only when the texts change (a generated column would be
-- recomputed on every counter update).

ALTER TABLE users
    ADD COLUMN blocked_at timestamptz,
    ADD COLUMN blocked_reason text CHECK (length(blocked_reason) <= 2000);

ALTER TABLE processes
    ADD COLUMN comments_count integer NOT NULL DEFAULT 0 CHECK (comments_count >= 0),
    ADD COLUMN search tsvector;
CREATE INDEX processes_search_idx ON processes USING gin (search);

-- The search vector of a title and a text.
CREATE FUNCTION search_vector(title text, body text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector('search.spanish', title), 'A') || setweight(to_tsvector('search.english', title), 'A')
        || setweight(to_tsvector('search.spanish', body), 'B') || setweight(to_tsvector('search.english', body), 'B')
$$;
CREATE FUNCTION processes_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := search_vector(NEW.title, NEW.summary || ' ' || NEW.description_markdown);
    RETURN NEW;
END $$;
CREATE TRIGGER processes_search BEFORE INSERT OR UPDATE OF title, summary, description_markdown ON processes
    FOR EACH ROW EXECUTE FUNCTION processes_search();
UPDATE processes SET title = title;

CREATE TABLE debates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users (id),
    title text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    district_code text,
    comments_count integer NOT NULL DEFAULT 0 CHECK (comments_count >= 0),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    pinned boolean NOT NULL DEFAULT false,
    closed_at timestamptz,
    hidden_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    search tsvector
) WITH (fillfactor = 85);
CREATE INDEX debates_newest_idx ON debates (process_id, pinned DESC, created_at DESC, id) WHERE hidden_at IS NULL;
CREATE INDEX debates_active_idx ON debates (process_id, pinned DESC, last_activity_at DESC, id) WHERE hidden_at IS NULL;
CREATE INDEX debates_author_idx ON debates (author_id);
CREATE INDEX debates_search_idx ON debates USING gin (search);
CREATE FUNCTION debates_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := search_vector(NEW.title, NEW.body);
    RETURN NEW;
END $$;
CREATE TRIGGER debates_search BEFORE INSERT OR UPDATE OF title, body ON debates
    FOR EACH ROW EXECUTE FUNCTION debates_search();

CREATE TABLE proposals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    author_id uuid NOT NULL REFERENCES users (id),
    title text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 1000),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    district_code text,
    status text NOT NULL DEFAULT 'published'
        CHECK (status IN ('published', 'evaluating', 'accepted', 'rejected', 'withdrawn')),
    answer text CHECK (length(answer) <= 20000),
    answered_at timestamptz,
    supports_count integer NOT NULL DEFAULT 0 CHECK (supports_count >= 0),
    comments_count integer NOT NULL DEFAULT 0 CHECK (comments_count >= 0),
    qualified_at timestamptz,
    -- A random number fixed at creation: the "random" order reads these in
    -- order from a point the visitor's seed picks, so each visitor's order
    -- is stable and comes from an index.
    shuffle integer NOT NULL DEFAULT (floor(random() * 2147483647))::integer,
    hidden_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search tsvector
) WITH (fillfactor = 85);
CREATE INDEX proposals_newest_idx ON proposals (process_id, created_at DESC, id) WHERE hidden_at IS NULL;
CREATE INDEX proposals_shuffle_idx ON proposals (process_id, shuffle, id) WHERE hidden_at IS NULL;
CREATE INDEX proposals_author_idx ON proposals (author_id);
CREATE INDEX proposals_search_idx ON proposals USING gin (search);
CREATE FUNCTION proposals_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := search_vector(NEW.title, NEW.summary || ' ' || NEW.body);
    RETURN NEW;
END $$;
CREATE TRIGGER proposals_search BEFORE INSERT OR UPDATE OF title, summary, body ON proposals
    FOR EACH ROW EXECUTE FUNCTION proposals_search();

-- One support per person and proposal: the primary key is what makes 50
-- parallel clicks count once.
CREATE TABLE supports (
    proposal_id uuid NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX supports_user_idx ON supports (user_id, created_at DESC);

CREATE TABLE comments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    target_kind text NOT NULL CHECK (target_kind IN ('process', 'debate', 'proposal')),
    target_id uuid NOT NULL,
    parent_id uuid REFERENCES comments (id),
    -- The first comment of the thread (itself for a top-level comment):
    -- pages of comments are pages of threads.
    root_id uuid NOT NULL,
    depth smallint NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 5),
    author_id uuid NOT NULL REFERENCES users (id),
    body text NOT NULL CHECK (length(body) <= 5000),
    alignment smallint NOT NULL DEFAULT 0 CHECK (alignment IN (-1, 0, 1)),
    official boolean NOT NULL DEFAULT false,
    upvotes integer NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    downvotes integer NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    edited_at timestamptz,
    deleted_at timestamptz,
    hidden_at timestamptz
) WITH (fillfactor = 90);
CREATE INDEX comments_target_idx ON comments (target_kind, target_id, root_id, created_at);
CREATE INDEX comments_roots_idx ON comments (target_kind, target_id, created_at) WHERE parent_id IS NULL;
CREATE INDEX comments_author_idx ON comments (author_id);
CREATE INDEX comments_process_idx ON comments (process_id);

CREATE TABLE comment_votes (
    comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    value smallint NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE reports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    target_kind text NOT NULL CHECK (target_kind IN ('debate', 'proposal', 'comment')),
    target_id uuid NOT NULL,
    reporter_id uuid NOT NULL REFERENCES users (id),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolution text CHECK (resolution IN ('hidden', 'dismissed', 'restored'))
);
-- One open report per person and item.
CREATE UNIQUE INDEX reports_open_key ON reports (target_kind, target_id, reporter_id) WHERE resolved_at IS NULL;
CREATE INDEX reports_open_idx ON reports (created_at) WHERE resolved_at IS NULL;

CREATE TABLE follows (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind text NOT NULL CHECK (target_kind IN ('process', 'debate', 'proposal')),
    target_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, target_kind, target_id)
);
CREATE INDEX follows_target_idx ON follows (target_kind, target_id);
