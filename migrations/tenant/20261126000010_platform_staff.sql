-- A council account through which a consultant or operator acts (entered
-- by hand-off from the platform site): the platform account's email, so
-- that the audit log can name them.
ALTER TABLE users ADD COLUMN platform_account text
    CHECK (platform_account = lower(platform_account) AND length(platform_account) <= 254);
CREATE UNIQUE INDEX users_platform_account_key ON users (platform_account) WHERE platform_account IS NOT NULL;
