-- Acts are queued for the participation dashboard instead of counted as
-- they are made: a support or a first submitted ballot now adds one row
-- to a table without indexes, where it used to update three aggregates
-- (the person's week, the process, the participant: three rows and four
-- index entries, docs/benchmarks.md "Ballots"). `participation_fold()`
-- moves the queue into the aggregates in one statement; the dashboard
-- runs it before reading its figures, and the worker once a day
-- (`dashboard.fold` jobs), so the queue holds at most about a day of acts.
--
-- Folding deletes the acts it counts, in the same statement that adds
-- them to the aggregates, so an act is counted exactly once however many
-- folds run at once: a fold that finds an act already deleted by another
-- skips it, and acts committed after a fold's snapshot wait for the next.
CREATE TABLE participation_acts (
    user_id uuid NOT NULL,
    at timestamptz NOT NULL,
    process_id uuid,
    kind text NOT NULL
);

CREATE OR REPLACE FUNCTION participation_record(who uuid, at timestamptz, process uuid, kind text)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO participation_acts (user_id, at, process_id, kind) VALUES (who, at, process, kind);
$$;

-- The week is the council's local week when the act was made, in the time
-- zone set when it is folded (a day at most later). The participant's
-- district is the person's when folded; `participants_district()` keeps
-- it current afterwards. Acts of a person deleted in between still count
-- in their week, as they did when counted at once.
CREATE FUNCTION participation_fold() RETURNS bigint LANGUAGE sql AS $$
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
