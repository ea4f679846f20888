-- The same participation record, with the participant's district read by
-- INSERT … SELECT rather than by a subquery in VALUES, which Citus refuses
-- (docs/scale-out.md). The person always exists: every caller is a trigger
-- on a row they wrote.
CREATE OR REPLACE FUNCTION participation_record(who uuid, at timestamptz, process uuid, kind text)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    this_week date := date_trunc('week', at AT TIME ZONE (SELECT time_zone FROM settings))::date;
BEGIN
    INSERT INTO participation_weeks (week, user_id, proposals, debates, comments, supports, ballots)
    VALUES (this_week, who,
            (kind = 'proposal')::int, (kind = 'debate')::int, (kind = 'comment')::int,
            (kind = 'support')::int, (kind = 'ballot')::int)
    ON CONFLICT (week, user_id) DO UPDATE SET
        proposals = participation_weeks.proposals + EXCLUDED.proposals,
        debates = participation_weeks.debates + EXCLUDED.debates,
        comments = participation_weeks.comments + EXCLUDED.comments,
        supports = participation_weeks.supports + EXCLUDED.supports,
        ballots = participation_weeks.ballots + EXCLUDED.ballots;
    IF process IS NOT NULL THEN
        INSERT INTO participation_processes (process_id, user_id) VALUES (process, who)
        ON CONFLICT DO NOTHING;
    END IF;
    INSERT INTO participants (user_id, district_code, last_week)
    SELECT id, district_code, this_week FROM users WHERE id = who
    ON CONFLICT (user_id) DO UPDATE SET
        last_week = greatest(participants.last_week, EXCLUDED.last_week),
        district_code = EXCLUDED.district_code
    WHERE participants.last_week < EXCLUDED.last_week
       OR participants.district_code IS DISTINCT FROM EXCLUDED.district_code;
END $$;
