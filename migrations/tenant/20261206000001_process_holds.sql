-- What a process holds, counted as it changes: its comment threads (any
-- state: a deleted comment stays in its thread as a placeholder), polls
-- and meetings. A process page asks for comments, polls and meetings only
-- when there are some: over 10,000 councils every statement a page runs
-- costs PostgreSQL catalog reads that no longer sit in the CPU's caches
-- (docs/benchmarks.md, "2026-12-06"). Proposals are not counted here: a
-- statement inserting thousands of them (the seed) would update the
-- process's row once per proposal, each update walking the row's growing
-- chain of versions.
ALTER TABLE processes ADD COLUMN threads_count integer NOT NULL DEFAULT 0;
ALTER TABLE processes ADD COLUMN polls_count integer NOT NULL DEFAULT 0;
ALTER TABLE processes ADD COLUMN meetings_count integer NOT NULL DEFAULT 0;
ALTER TABLE processes ADD CONSTRAINT processes_threads_count_check CHECK (threads_count >= 0);
ALTER TABLE processes ADD CONSTRAINT processes_polls_count_check CHECK (polls_count >= 0);
ALTER TABLE processes ADD CONSTRAINT processes_meetings_count_check CHECK (meetings_count >= 0);

-- process_count(column, delta): adds delta to the process's column; the
-- process is the old row's when delta is negative, the new row's
-- otherwise. Each table has a trigger per way a row comes in or goes out
-- of a count, their conditions in WHEN.
CREATE FUNCTION process_count() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$;

CREATE TRIGGER comments_thread_in AFTER INSERT ON comments FOR EACH ROW
    WHEN (NEW.target_kind = 'process' AND NEW.parent_id IS NULL)
    EXECUTE FUNCTION process_count('threads_count', '1');
CREATE TRIGGER comments_thread_out AFTER DELETE ON comments FOR EACH ROW
    WHEN (OLD.target_kind = 'process' AND OLD.parent_id IS NULL)
    EXECUTE FUNCTION process_count('threads_count', '-1');
CREATE TRIGGER comments_thread_moved_out AFTER UPDATE OF target_kind, parent_id, process_id
    ON comments FOR EACH ROW
    WHEN (OLD.target_kind = 'process' AND OLD.parent_id IS NULL
          AND (NEW.target_kind IS DISTINCT FROM 'process' OR NEW.parent_id IS NOT NULL
               OR NEW.process_id IS DISTINCT FROM OLD.process_id))
    EXECUTE FUNCTION process_count('threads_count', '-1');
CREATE TRIGGER comments_thread_moved_in AFTER UPDATE OF target_kind, parent_id, process_id
    ON comments FOR EACH ROW
    WHEN (NEW.target_kind = 'process' AND NEW.parent_id IS NULL
          AND (OLD.target_kind IS DISTINCT FROM 'process' OR OLD.parent_id IS NOT NULL
               OR OLD.process_id IS DISTINCT FROM NEW.process_id))
    EXECUTE FUNCTION process_count('threads_count', '1');

CREATE TRIGGER polls_process_in AFTER INSERT ON polls FOR EACH ROW
    WHEN (NEW.process_id IS NOT NULL)
    EXECUTE FUNCTION process_count('polls_count', '1');
CREATE TRIGGER polls_process_out AFTER DELETE ON polls FOR EACH ROW
    WHEN (OLD.process_id IS NOT NULL)
    EXECUTE FUNCTION process_count('polls_count', '-1');
CREATE TRIGGER polls_process_moved_out AFTER UPDATE OF process_id ON polls FOR EACH ROW
    WHEN (OLD.process_id IS NOT NULL AND OLD.process_id IS DISTINCT FROM NEW.process_id)
    EXECUTE FUNCTION process_count('polls_count', '-1');
CREATE TRIGGER polls_process_moved_in AFTER UPDATE OF process_id ON polls FOR EACH ROW
    WHEN (NEW.process_id IS NOT NULL AND OLD.process_id IS DISTINCT FROM NEW.process_id)
    EXECUTE FUNCTION process_count('polls_count', '1');

CREATE TRIGGER meetings_process_in AFTER INSERT ON meetings FOR EACH ROW
    WHEN (NEW.process_id IS NOT NULL)
    EXECUTE FUNCTION process_count('meetings_count', '1');
CREATE TRIGGER meetings_process_out AFTER DELETE ON meetings FOR EACH ROW
    WHEN (OLD.process_id IS NOT NULL)
    EXECUTE FUNCTION process_count('meetings_count', '-1');
CREATE TRIGGER meetings_process_moved_out AFTER UPDATE OF process_id ON meetings FOR EACH ROW
    WHEN (OLD.process_id IS NOT NULL AND OLD.process_id IS DISTINCT FROM NEW.process_id)
    EXECUTE FUNCTION process_count('meetings_count', '-1');
CREATE TRIGGER meetings_process_moved_in AFTER UPDATE OF process_id ON meetings FOR EACH ROW
    WHEN (NEW.process_id IS NOT NULL AND OLD.process_id IS DISTINCT FROM NEW.process_id)
    EXECUTE FUNCTION process_count('meetings_count', '1');

-- What the processes held before this migration.
UPDATE processes p SET
    threads_count = (SELECT count(*) FROM comments c
                     WHERE c.target_kind = 'process' AND c.target_id = p.id AND c.parent_id IS NULL),
    polls_count = (SELECT count(*) FROM polls o WHERE o.process_id = p.id),
    meetings_count = (SELECT count(*) FROM meetings m WHERE m.process_id = p.id);
