-- The TOML file `tenants apply` last wrote a council's settings from, if
-- any: its settings page says that applying the file again overwrites
-- what admins change there.
ALTER TABLE platform.tenants ADD COLUMN definition_file text
    CHECK (length(definition_file) BETWEEN 1 AND 1000);
