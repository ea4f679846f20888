-- Results are counted by the worker once a budget finishes (the
-- `budget.count` job, see `budgets::tally`); a heading it could not count
-- says why, for staff, until a count is published.
ALTER TABLE budget_headings
    ADD COLUMN count_error text CHECK (length(count_error) BETWEEN 1 AND 2000),
    ADD COLUMN count_failed_at timestamptz;
