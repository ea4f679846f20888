-- What a process holds, counted as it changes: its comment threads (any
-- state: a deleted comment stays in its thread as a placeholder), polls,
-- meetings and visible proposals. A process page asks for comments, polls
-- and meetings only when there are some, and the unfiltered proposal list
-- takes its total from here. Over 10,000 councils every statement a page
-- runs costs PostgreSQL catalog reads that no longer sit in the CPU's
-- caches (docs/benchmarks.md, "2026-12-06").
ALTER TABLE processes
    ADD COLUMN threads_count integer NOT NULL DEFAULT 0 CHECK (threads_count >= 0),
    ADD COLUMN polls_count integer NOT NULL DEFAULT 0 CHECK (polls_count >= 0),
    ADD COLUMN meetings_count integer NOT NULL DEFAULT 0 CHECK (meetings_count >= 0),
    ADD COLUMN proposals_count integer NOT NULL DEFAULT 0 CHECK (proposals_count >= 0);

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

-- A proposal is counted while visible (not hidden by moderation).
CREATE TRIGGER proposals_process_in AFTER INSERT ON proposals FOR EACH ROW
    WHEN (NEW.hidden_at IS NULL)
    EXECUTE FUNCTION process_count('proposals_count', '1');
CREATE TRIGGER proposals_process_out AFTER DELETE ON proposals FOR EACH ROW
    WHEN (OLD.hidden_at IS NULL)
    EXECUTE FUNCTION process_count('proposals_count', '-1');
CREATE TRIGGER proposals_process_shown_out AFTER UPDATE OF hidden_at, process_id ON proposals FOR EACH ROW
    WHEN (OLD.hidden_at IS NULL
          AND (NEW.hidden_at IS NOT NULL OR OLD.process_id IS DISTINCT FROM NEW.process_id))
    EXECUTE FUNCTION process_count('proposals_count', '-1');
CREATE TRIGGER proposals_process_shown_in AFTER UPDATE OF hidden_at, process_id ON proposals FOR EACH ROW
    WHEN (NEW.hidden_at IS NULL
          AND (OLD.hidden_at IS NOT NULL OR OLD.process_id IS DISTINCT FROM NEW.process_id))
    EXECUTE FUNCTION process_count('proposals_count', '1');

-- What the processes held before this migration.
UPDATE processes p SET
    threads_count = (SELECT count(*) FROM comments c
                     WHERE c.target_kind = 'process' AND c.target_id = p.id AND c.parent_id IS NULL),
    polls_count = (SELECT count(*) FROM polls o WHERE o.process_id = p.id),
    meetings_count = (SELECT count(*) FROM meetings m WHERE m.process_id = p.id),
    proposals_count = (SELECT count(*) FROM proposals r
                       WHERE r.process_id = p.id AND r.hidden_at IS NULL);
