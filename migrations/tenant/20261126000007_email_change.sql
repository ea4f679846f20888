-- Changing one's email address: the new address is confirmed by a link
-- sent to it before it replaces the old one.
ALTER TABLE account_tokens ADD COLUMN new_email text
    CHECK (new_email = lower(new_email) AND length(new_email) BETWEEN 3 AND 254);
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('confirm', 'reset', 'email') AND (purpose = 'email') = (new_email IS NOT NULL));
