-- Participation figures kept as people act, so the dashboard reads a
-- few thousand aggregate rows instead of every act (bench/dashboard:
-- each figure read from the acts took 400-800 ms at 100,000 citizens).
-- Rows are per person, so concurrent acts of different people never wait
-- for each other. Acts are counted when made: a support withdrawn later
-- still counted as taking part that week.

-- Each person's acts per local week (the council's time zone when the
-- act was made).
CREATE TABLE participation_weeks (
    week date NOT NULL,
    user_id uuid NOT NULL,
    proposals integer NOT NULL DEFAULT 0,
    debates integer NOT NULL DEFAULT 0,
    comments integer NOT NULL DEFAULT 0,
    supports integer NOT NULL DEFAULT 0,
    ballots integer NOT NULL DEFAULT 0,
    PRIMARY KEY (week, user_id)
);
CREATE INDEX participation_weeks_user_idx ON participation_weeks (user_id, week);

-- Who took part in each process.
CREATE TABLE participation_processes (
    process_id uuid NOT NULL REFERENCES processes (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    PRIMARY KEY (process_id, user_id)
);

CREATE FUNCTION participation_record(who uuid, at timestamptz, process uuid, kind text)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participation_weeks (week, user_id, proposals, debates, comments, supports, ballots)
    VALUES (date_trunc('week', at AT TIME ZONE (SELECT time_zone FROM settings))::date, who,
            (kind = 'proposal')::int, (kind = 'debate')::int, (kind = 'comment')::int,
            (kind = 'support')::int, (kind = 'ballot')::int)
    ON CONFLICT (week, user_id) DO UPDATE SET
        proposals = participation_weeks.proposals + EXCLUDED.proposals,
        debates = participation_weeks.debates + EXCLUDED.debates,
        comments = participation_weeks.comments + EXCLUDED.comments,
        supports = participation_weeks.supports + EXCLUDED.supports,
        ballots = participation_weeks.ballots + EXCLUDED.ballots;
    INSERT INTO participation_processes (process_id, user_id) VALUES (process, who)
    ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION participation_authored() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM participation_record(NEW.author_id, NEW.created_at, NEW.process_id, TG_ARGV[0]);
    RETURN NULL;
END $$;
CREATE TRIGGER proposals_participation AFTER INSERT ON proposals
    FOR EACH ROW EXECUTE FUNCTION participation_authored('proposal');
CREATE TRIGGER debates_participation AFTER INSERT ON debates
    FOR EACH ROW EXECUTE FUNCTION participation_authored('debate');
CREATE TRIGGER comments_participation AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION participation_authored('comment');

CREATE FUNCTION participation_supported() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM participation_record(NEW.user_id, NEW.created_at,
        (SELECT process_id FROM proposals WHERE id = NEW.proposal_id), 'support');
    RETURN NULL;
END $$;
CREATE TRIGGER supports_participation AFTER INSERT ON supports
    FOR EACH ROW EXECUTE FUNCTION participation_supported();

-- A ballot counts once, when it is first submitted.
CREATE FUNCTION participation_voted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.submitted_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.submitted_at IS NULL) THEN
        PERFORM participation_record(NEW.user_id, NEW.submitted_at,
            (SELECT b.process_id FROM budget_headings h JOIN budgets b ON b.id = h.budget_id
             WHERE h.id = NEW.heading_id), 'ballot');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER budget_ballots_participation AFTER INSERT OR UPDATE OF submitted_at ON budget_ballots
    FOR EACH ROW EXECUTE FUNCTION participation_voted();

-- What happened before this migration.
WITH acts AS (
    SELECT author_id AS who, created_at AS at, process_id, 'proposal' AS kind FROM proposals
    UNION ALL SELECT author_id, created_at, process_id, 'debate' FROM debates
    UNION ALL SELECT author_id, created_at, process_id, 'comment' FROM comments
    UNION ALL SELECT s.user_id, s.created_at, p.process_id, 'support'
              FROM supports s JOIN proposals p ON p.id = s.proposal_id
    UNION ALL SELECT l.user_id, l.submitted_at, b.process_id, 'ballot'
              FROM budget_ballots l JOIN budget_headings h ON h.id = l.heading_id
              JOIN budgets b ON b.id = h.budget_id WHERE l.submitted_at IS NOT NULL)
INSERT INTO participation_weeks (week, user_id, proposals, debates, comments, supports, ballots)
SELECT date_trunc('week', at AT TIME ZONE (SELECT time_zone FROM settings))::date, who,
       count(*) FILTER (WHERE kind = 'proposal'), count(*) FILTER (WHERE kind = 'debate'),
       count(*) FILTER (WHERE kind = 'comment'), count(*) FILTER (WHERE kind = 'support'),
       count(*) FILTER (WHERE kind = 'ballot')
FROM acts GROUP BY 1, 2;
INSERT INTO participation_processes (process_id, user_id)
SELECT DISTINCT process_id, author_id FROM proposals
UNION SELECT process_id, author_id FROM debates
UNION SELECT process_id, author_id FROM comments
UNION SELECT p.process_id, s.user_id FROM supports s JOIN proposals p ON p.id = s.proposal_id
UNION SELECT b.process_id, l.user_id FROM budget_ballots l JOIN budget_headings h ON h.id = l.heading_id
      JOIN budgets b ON b.id = h.budget_id WHERE l.submitted_at IS NOT NULL;
