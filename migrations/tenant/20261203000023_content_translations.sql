-- Texts staff write, in the council's other languages: language → field →
-- text, e.g. {"en": {"title": "…", "summary": "…", "description": "…"}}.
-- The plain columns hold the text in the council's default language; a
-- language missing here is shown in the default one (marked as such).
ALTER TABLE processes ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 400000);
ALTER TABLE process_phases ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 10000);
