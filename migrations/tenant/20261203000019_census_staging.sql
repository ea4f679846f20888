-- A census file uploaded from the staff console is first read into a
-- staging area and shown to the admin (counts, first errors, districts);
-- only their confirmation replaces the census. Staged residents are
-- stored as in `census` (keyed hashes, never document numbers) and are
-- removed on confirmation, on cancellation, or a day later.
CREATE TABLE census_uploads (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    uploaded_by text NOT NULL CHECK (length(uploaded_by) <= 200),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    residents bigint NOT NULL DEFAULT 0,
    duplicates bigint NOT NULL DEFAULT 0,
    rejected bigint NOT NULL DEFAULT 0,
    -- The first refused lines: [{"line": 3, "reason": "document_letter"}].
    first_rejected jsonb NOT NULL DEFAULT '[]',
    confirmed_at timestamptz
);

CREATE TABLE census_staged (
    upload_id uuid NOT NULL REFERENCES census_uploads (id) ON DELETE CASCADE,
    document_hash bytea NOT NULL CHECK (length(document_hash) = 32),
    birth_date date NOT NULL,
    district_code text NOT NULL,
    PRIMARY KEY (upload_id, document_hash)
);
