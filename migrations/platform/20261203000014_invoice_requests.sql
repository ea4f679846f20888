-- A council's admins ask to pay against invoices, with the details the
-- invoices need (who pays, its NIF, FACe's DIR3 codes). The request waits
-- here for an operator, who accepts it (the council enters invoice mode
-- with these details and the row goes) or declines it with a reason the
-- admins see until they ask again.
CREATE TABLE platform.invoice_requests (
    tenant_id uuid PRIMARY KEY REFERENCES platform.tenants (id) ON DELETE CASCADE,
    details jsonb NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    declined_at timestamptz,
    decline_reason text,
    CHECK ((declined_at IS NULL) = (decline_reason IS NULL))
);
