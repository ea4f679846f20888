-- The council's logo: a stored picture's name (under /media/), shown in
-- the header of every page of its site. Uploaded from the council's
-- settings; none until then.
ALTER TABLE settings ADD COLUMN logo text CHECK (logo ~ '^[a-z0-9][a-z0-9._-]{0,99}$');
