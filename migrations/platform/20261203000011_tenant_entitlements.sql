-- What the council's plan allows, copied from the plan when the council
-- is put on it (`cabildo billing assign`), so that it travels with the
-- council's record through every cache; NULL (councils never put on a
-- plan, such as the operators' own) allows everything. A trial plan's end.
ALTER TABLE platform.tenants
    ADD COLUMN entitlements jsonb,
    ADD COLUMN trial_ends_at timestamptz;
