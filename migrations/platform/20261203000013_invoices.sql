-- Invoice mode. A council in it has its invoice details (who pays, its
-- NIF and FACe's three DIR3 codes); invoices are numbered per series
-- (F ordinary, R rectifying) and year without gaps, carry the seller's
-- and buyer's details as they were when issued, and never change after:
-- only the payment may be recorded, once.
CREATE TABLE platform.invoice_buyers (
    tenant_id uuid PRIMARY KEY REFERENCES platform.tenants (id) ON DELETE CASCADE,
    details jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE platform.invoice_series (
    series text NOT NULL CHECK (series IN ('F', 'R')),
    year int NOT NULL,
    last int NOT NULL,
    PRIMARY KEY (series, year)
);

CREATE TABLE platform.invoices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    series text NOT NULL CHECK (series IN ('F', 'R')),
    year int NOT NULL,
    number int NOT NULL CHECK (number > 0),
    tenant_id uuid NOT NULL REFERENCES platform.tenants (id),
    issued_on date NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL CHECK (period_end >= period_start),
    seller jsonb NOT NULL,
    buyer jsonb NOT NULL,
    lines jsonb NOT NULL,
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    vat_percent int NOT NULL,
    net_cents bigint NOT NULL,
    vat_cents bigint NOT NULL,
    total_cents bigint NOT NULL CHECK (total_cents = net_cents + vat_cents),
    due_on date NOT NULL,
    rectifies uuid UNIQUE REFERENCES platform.invoices (id),
    reason text,
    paid_on date,
    payment_reference text,
    UNIQUE (series, year, number),
    CHECK ((series = 'R') = (rectifies IS NOT NULL))
);
-- One ordinary invoice per council and period.
CREATE UNIQUE INDEX invoices_one_per_period ON platform.invoices (tenant_id, period_start, period_end)
    WHERE rectifies IS NULL;
CREATE INDEX invoices_tenant ON platform.invoices (tenant_id, issued_on DESC);

CREATE FUNCTION platform.invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued invoice is never deleted (rectify it)';
    END IF;
    IF OLD.paid_on IS NOT NULL
       OR (to_jsonb(NEW) - 'paid_on' - 'payment_reference')
          IS DISTINCT FROM (to_jsonb(OLD) - 'paid_on' - 'payment_reference') THEN
        RAISE EXCEPTION 'an issued invoice is never changed (rectify it)';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON platform.invoices
    FOR EACH ROW EXECUTE FUNCTION platform.invoices_immutable();
