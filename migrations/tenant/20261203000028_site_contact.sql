-- How people reach the council beyond its legal contact: a phone, its
-- social networks (network → https address) and the sender name of its
-- mail. Written by `tenants apply` and the settings page alike.
ALTER TABLE settings ADD COLUMN contact jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(contact) = 'object');
