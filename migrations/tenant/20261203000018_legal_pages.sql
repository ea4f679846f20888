-- Legal pages of the council's site (legal notice, privacy policy, terms of
-- use, accessibility statement, cookie statement). Until staff edit one, a
-- default text filled from `settings.legal` is shown; a row per edited
-- language.
ALTER TABLE settings ADD COLUMN legal jsonb NOT NULL DEFAULT '{}';

CREATE TABLE legal_pages (
    kind text NOT NULL CHECK (kind IN ('legal-notice', 'privacy', 'terms', 'accessibility', 'cookies')),
    language text NOT NULL CHECK (language ~ '^[a-z]{2}$'),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (kind, language)
);
