-- Proposals and budget projects placed on the map (docs/meetings.md):
-- a proposal gets an address (a project already has its location text)
-- and both an optional point, chosen on a map or found from the address.
ALTER TABLE proposals
    ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    ADD CHECK ((latitude IS NULL) = (longitude IS NULL));
ALTER TABLE budget_projects
    ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90),
    ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180),
    ADD CHECK ((latitude IS NULL) = (longitude IS NULL));

-- An assembly's documents (its rules, reports, minutes as signed): PDF
-- files staff upload, kept in the council's storage under `file`.
CREATE TABLE assembly_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    assembly_id uuid NOT NULL REFERENCES assemblies (id) ON DELETE CASCADE,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    file text NOT NULL CONSTRAINT assembly_documents_file_key UNIQUE
        CHECK (file ~ '^[0-9a-f]{32}\.pdf$'),
    bytes bigint NOT NULL CHECK (bytes > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assembly_documents_assembly_idx ON assembly_documents (assembly_id, created_at);
