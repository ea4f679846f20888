-- Whether the council publishes its participation figures at
-- /participation (off until its admins switch it on).
ALTER TABLE settings ADD COLUMN public_dashboard boolean NOT NULL DEFAULT false;
