-- Jobs that do not say retry twelve times (about two hours of backoff),
-- as the code's default: eight gave up within ten minutes of an outage.
ALTER TABLE platform.jobs ALTER COLUMN max_attempts SET DEFAULT 12;
