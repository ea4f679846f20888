-- A budget project's title and description in the council's other
-- languages (language → field → text), written by staff.
ALTER TABLE budget_projects ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 200000);
