-- A budget's title and its headings' names in the council's other
-- languages (language → field → text), as for processes.
ALTER TABLE budgets ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 10000);
ALTER TABLE budget_headings ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(translations) = 'object' AND pg_column_size(translations) <= 10000);
