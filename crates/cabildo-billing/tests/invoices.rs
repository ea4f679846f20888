//! Invoice mode against a real PostgreSQL: details checked, gapless
//! numbers under concurrency, issued invoices immutable, rectifying
//! invoices, payments, dunning for invoices past due, and every Facturae
//! file valid against the Facturae 3.2.2 schema (xmllint).

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

use cabildo_billing::invoices::{self, Buyer, Entity, Period, Refusal, Seller};
use cabildo_billing::{councils, plans};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Tenancy, Tenant};
use std::path::{Path, PathBuf};
use time::Month::{December, November, October};
use time::{Date, Month};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seller() -> Seller {
    Seller::from_file(&root().join("billing/seller.toml")).expect("billing/seller.toml")
}

fn toledo_details() -> Buyer {
    Buyer {
        entity: Entity {
            legal_name: "Ayuntamiento de Toledo".into(),
            tax_id: "p4516800b".into(),
            address: "Plaza del Consistorio 1".into(),
            postcode: "45071".into(),
            town: "Toledo".into(),
            province: "Toledo".into(),
        },
        dir3_accounting: " l01451680 ".into(),
        dir3_management: "L01451680".into(),
        dir3_processing: "L01451680".into(),
    }
}

fn day(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).expect("date")
}

/// A council on the Municipio plan (190 € a month, 21 % VAT).
async fn on_municipio(tenancy: &Tenancy, slug: &str) -> Tenant {
    let shipped = plans::read_plans(&root().join("plans")).expect("plans/");
    plans::apply(tenancy, &shipped).await.expect("plans");
    let tenant = council(tenancy, slug).await.expect("council");
    councils::assign(tenancy, &tenant, "municipio")
        .await
        .expect("assign")
        .expect("plan");
    tenant
}

/// Validates `xml` with xmllint against the shipped Facturae 3.2.2 schema.
fn schema_errors(xml: &str, name: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("cabildo-facturae-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("folder");
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).expect("write");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/Facturaev3_2_2.xsd");
    let run = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint (Debian's libxml2-utils; scripts/lib.sh installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    (!run.status.success()).then(|| String::from_utf8_lossy(&run.stderr).into_owned())
}

#[tokio::test]
async fn an_invoiced_council_gets_numbered_invoices_valid_for_face() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = on_municipio(&tenancy, "toledo").await;
    let seller = seller();
    let november = Period::Month(2026, November);
    assert_eq!(
        invoices::issue(&tenancy, &toledo, &seller, november, day(2026, December, 1))
            .await
            .expect("issue"),
        Err(Refusal::NotInvoiced),
        "not before an operator puts it in invoice mode"
    );

    // Details are checked: a wrong NIF check letter, a short DIR3 code.
    let mut wrong = toledo_details();
    wrong.entity.tax_id = "P4516800K".into();
    let refused = invoices::set_buyer(&tenancy, &toledo, wrong).await;
    assert!(format!("{:?}", refused.expect_err("wrong NIF")).contains("tax_id"));
    let mut short = toledo_details();
    short.dir3_processing = "L0145".into();
    assert!(invoices::set_buyer(&tenancy, &toledo, short).await.is_err());
    let stored = invoices::set_buyer(&tenancy, &toledo, toledo_details())
        .await
        .expect("details");
    assert_eq!(stored.entity.tax_id, "P4516800B");
    assert_eq!(stored.dir3_accounting, "L01451680");

    let first = invoices::issue(&tenancy, &toledo, &seller, november, day(2026, December, 1))
        .await
        .expect("issue")
        .expect("issued");
    assert_eq!(first.code(), "F2026-000001");
    assert_eq!(
        (first.net_cents, first.vat_cents, first.total_cents),
        (19_000, 3_990, 22_990)
    );
    assert_eq!(
        first.lines[0].description,
        "Plan Municipio de Cabildo: noviembre de 2026"
    );
    assert_eq!(first.due_on, day(2026, December, 31));
    assert_eq!(
        invoices::issue(&tenancy, &toledo, &seller, november, day(2026, December, 2))
            .await
            .expect("again"),
        Err(Refusal::AlreadyIssued),
        "one invoice per period"
    );
    let xml = invoices::facturae(&first);
    if let Some(errors) = schema_errors(&xml, "ordinary") {
        panic!("not valid Facturae 3.2.2:\n{errors}\n{xml}");
    }
    for part in [
        "<RoleTypeCode>01</RoleTypeCode>",
        "<RoleTypeCode>02</RoleTypeCode>",
        "<RoleTypeCode>03</RoleTypeCode>",
        "<CentreCode>L01451680</CentreCode>",
        "<TaxIdentificationNumber>ESP4516800B</TaxIdentificationNumber>",
        "<InvoiceTotal>229.90</InvoiceTotal>",
    ] {
        assert!(xml.contains(part), "{part} in {xml}");
    }
    // The check can fail: a file missing a mandatory element is refused.
    let broken = xml.replace("<InvoiceIssuerType>EM</InvoiceIssuerType>", "");
    assert!(
        schema_errors(&broken, "broken").is_some(),
        "xmllint must refuse it"
    );

    // Immutable once issued: neither changed nor deleted, even by SQL.
    let changed = sqlx::query("UPDATE platform.invoices SET net_cents = 1, total_cents = 3991")
        .execute(tenancy.pool())
        .await;
    assert!(changed.is_err(), "an issued invoice never changes");
    let deleted = sqlx::query("DELETE FROM platform.invoices")
        .execute(tenancy.pool())
        .await;
    assert!(deleted.is_err(), "nor goes");

    // A correction: the rectifying invoice negates it whole, in series R.
    let rectifying = invoices::rectify(
        &tenancy,
        "F2026-000001",
        "Precio equivocado",
        day(2026, December, 3),
    )
    .await
    .expect("rectify")
    .expect("rectified");
    assert_eq!(rectifying.code(), "R2026-000001");
    assert_eq!(rectifying.total_cents, -22_990);
    assert_eq!(
        rectifying.rectifies,
        Some(("F2026-000001".into(), "Precio equivocado".into()))
    );
    let xml = invoices::facturae(&rectifying);
    if let Some(errors) = schema_errors(&xml, "rectifying") {
        panic!("not valid Facturae 3.2.2:\n{errors}\n{xml}");
    }
    assert!(xml.contains("<InvoiceClass>OR</InvoiceClass>") && xml.contains("<Corrective>"));
    assert_eq!(
        invoices::rectify(&tenancy, "F2026-000001", "Otra vez", day(2026, December, 3))
            .await
            .expect("again"),
        Err(Refusal::NotRectifiable)
    );

    // A yearly invoice of the same council: the next number.
    let year = invoices::issue(
        &tenancy,
        &toledo,
        &seller,
        Period::Year(2027),
        day(2026, December, 4),
    )
    .await
    .expect("issue")
    .expect("issued");
    assert_eq!(year.code(), "F2026-000002");
    assert_eq!(year.net_cents, 190_000);

    // Another council is not affected, and sees none of these.
    let talavera = council(&tenancy, "talavera").await.expect("council");
    assert!(
        invoices::list(&tenancy, Some(&talavera))
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        invoices::list(&tenancy, Some(&toledo))
            .await
            .expect("list")
            .len(),
        3
    );
}

#[tokio::test]
async fn numbers_stay_gapless_when_many_councils_are_invoiced_at_once() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let seller = seller();
    let mut councils = Vec::new();
    for n in 0..12 {
        let tenant = on_municipio(&tenancy, &format!("pueblo{n}")).await;
        invoices::set_buyer(&tenancy, &tenant, toledo_details())
            .await
            .expect("details");
        councils.push(tenant);
    }
    // Each council twice at once: one of each pair is refused, and its
    // number is given back (the counter rolls back with it).
    let mut tasks = Vec::new();
    for tenant in councils.iter().chain(&councils) {
        let (tenancy, tenant, seller) = (tenancy.clone(), tenant.clone(), seller.clone());
        tasks.push(tokio::spawn(async move {
            invoices::issue(
                &tenancy,
                &tenant,
                &seller,
                Period::Month(2026, October),
                day(2026, November, 2),
            )
            .await
            .expect("issue")
        }));
    }
    let mut issued = Vec::new();
    for task in tasks {
        if let Ok(invoice) = task.await.expect("task") {
            issued.push(invoice.number);
        }
    }
    issued.sort_unstable();
    assert_eq!(
        issued,
        (1..=12).collect::<Vec<i32>>(),
        "1 to 12, no gap, no repeat"
    );
}

#[tokio::test]
async fn an_invoice_past_due_starts_dunning_and_its_payment_ends_it() {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let toledo = on_municipio(&tenancy, "toledo").await;
    invoices::set_buyer(&tenancy, &toledo, toledo_details())
        .await
        .expect("details");
    let long_ago = time::OffsetDateTime::now_utc().date() - time::Duration::days(45);
    let invoice = invoices::issue(
        &tenancy,
        &toledo,
        &seller(),
        Period::Month(2026, October),
        long_ago,
    )
    .await
    .expect("issue")
    .expect("issued");
    assert!(invoice.due_on < time::OffsetDateTime::now_utc().date());
    let started = invoices::sweep(&tenancy, 30).await.expect("sweep");
    assert_eq!(started, vec![toledo.id]);
    assert!(
        invoices::sweep(&tenancy, 30)
            .await
            .expect("again")
            .is_empty(),
        "once"
    );
    let status = councils::status(&tenancy, &toledo).await.expect("status");
    let due = invoice.due_on.midnight().assume_utc();
    assert_eq!(status.overdue_since, Some(due));
    assert_eq!(status.held_from, Some(due + time::Duration::days(30)));
    let served = tenancy.get_tenant(&toledo.slug).await.expect("council");
    assert!(
        served
            .entitlements
            .expect("entitlements")
            .held_from
            .is_some()
    );

    assert_eq!(
        invoices::record_payment(&tenancy, &invoice.code(), long_ago, "TRF-1")
            .await
            .expect("pay"),
        Ok(())
    );
    assert_eq!(
        invoices::record_payment(&tenancy, &invoice.code(), long_ago, "TRF-2")
            .await
            .expect("pay"),
        Err(Refusal::AlreadyPaid)
    );
    let paid = invoices::get(&tenancy, &invoice.code())
        .await
        .expect("get")
        .expect("invoice");
    assert_eq!(paid.paid, Some((long_ago, "TRF-1".into())));
    let status = councils::status(&tenancy, &toledo).await.expect("status");
    assert_eq!(
        (status.overdue_since, status.held_from),
        (None, None),
        "lifted"
    );
}
