-- Workers are woken by the process that committed jobs (directly, and
-- through Redis pub/sub for other processes; see cabildo-tenancy's jobs.rs),
-- with polling as the fallback, instead of by a NOTIFY per inserting
-- statement: a transaction that sent a NOTIFY takes a database-wide lock at
-- commit, which cost council write transactions about 15 % of their
-- throughput.
DROP TRIGGER jobs_notify ON platform.jobs;
DROP FUNCTION platform.notify_jobs();
