//! Invoice mode as a council's admins see it: the invoices on the billing
//! page, each printable and as a Facturae file, and no other council's.

use crate::util::{Browser, TALAVERA, TOLEDO, logged_in, world};
use axum::http::{StatusCode, header};
use cabildo_billing::invoices::{self, Buyer, Entity, Period, Seller};
use cabildo_engine::staff::Role;

/// Toledo on the Municipio plan in invoice mode, and the demo's seller.
async fn invoiced_toledo(world: &crate::util::World) -> (cabildo_tenancy::Tenant, Seller) {
    crate::util::apply_plans(&world.tenancy).await;
    let toledo = world.council("toledo").await;
    (cabildo_billing::councils::assign(&world.tenancy, &toledo, "municipio").await)
        .expect("assign")
        .expect("plan");
    let buyer = Buyer {
        entity: Entity {
            legal_name: "Ayuntamiento de Toledo".into(),
            tax_id: "P4516800B".into(),
            address: "Plaza del Consistorio 1".into(),
            postcode: "45071".into(),
            town: "Toledo".into(),
            province: "Toledo".into(),
        },
        dir3_accounting: "L01451680".into(),
        dir3_management: "L01451680".into(),
        dir3_processing: "L01451680".into(),
    };
    (invoices::set_buyer(&world.tenancy, &toledo, buyer).await).expect("invoice mode");
    let seller = crate::util::repository().join("billing/seller.toml");
    (toledo, Seller::from_file(&seller).expect("seller"))
}

/// The text of a PDF (`pdftotext -layout`) and its metadata (`pdfinfo`),
/// which fail on a malformed file.
fn read_pdf(bytes: &[u8]) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("cabildo-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("invoice.pdf");
    std::fs::write(&file, bytes).expect("write");
    let run = |program: &str, args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("{program} (poppler-utils, installed by scripts/test): {e}")
            });
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let text = run(
        "pdftotext",
        &["-layout".as_ref(), file.as_os_str(), "-".as_ref()],
    );
    let info = run("pdfinfo", &[file.as_os_str()]);
    if let Some(keep) = std::env::var_os("CABILDO_KEEP_PDF") {
        std::fs::copy(&file, keep).expect("keep");
    }
    std::fs::remove_dir_all(&dir).expect("clean");
    (text, info)
}

#[tokio::test]
async fn admins_see_their_invoices_printable_and_as_facturae_and_no_others() {
    let world = world().await;
    let (toledo, seller) = invoiced_toledo(&world).await;
    let today = time::OffsetDateTime::now_utc().date();
    let invoice = invoices::issue(
        &world.tenancy,
        &toledo,
        &seller,
        Period::Month(2026, time::Month::November),
        today,
    )
    .await
    .expect("issue")
    .expect("issued");
    let code = invoice.code();

    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body.contains("El ayuntamiento paga por factura"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&code) && page.body.contains("Pendiente de pago"),
        "{}",
        page.body
    );
    let shown = admin
        .get(TOLEDO, &format!("/staff/billing/invoices/{code}"))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    for part in [
        "P4516800B",
        "L01451680",
        "229,90",
        "39,90",
        "Cabildo Participación S.L.",
    ] {
        assert!(shown.body.contains(part), "{part} in {}", shown.body);
    }
    assert_eq!(shown.headers[header::CACHE_CONTROL], "private, no-store");
    let xml = admin
        .get(TOLEDO, &format!("/staff/billing/invoices/{code}.xml"))
        .await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(
        xml.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("application/xml")
    );
    assert!(
        xml.body.contains("Facturaev3_2_2.xml")
            && xml.body.contains(&format!(
                "<InvoiceNumber>{}</InvoiceNumber>",
                invoice.number
            ))
    );

    // The PDF, drawn on the server, read back by poppler.
    let pdf = admin
        .get(TOLEDO, &format!("/staff/billing/invoices/{code}.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    let (text, info) = read_pdf(&pdf.bytes);
    for part in [
        format!("Factura {code}"),
        "P4516800B".to_owned(),
        "Oficina contable: L01451680".to_owned(),
        "Cabildo Participación S.L.".to_owned(),
        "IVA (21 %)".to_owned(),
        "229,90 €".to_owned(),
    ] {
        assert!(text.contains(&part), "{part} in {text}");
    }
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(
        info.contains(&format!("Title:           Factura {code}")),
        "{info}"
    );
    // In the admin's language.
    let english = admin
        .get(
            TOLEDO,
            &format!("/staff/billing/invoices/{code}.pdf?lang=en"),
        )
        .await;
    let (text, _) = read_pdf(&english.bytes);
    assert!(
        text.contains(&format!("Invoice {code}")) && text.contains("€229.90"),
        "{text}"
    );

    // Another council's admin: not found, as if it did not exist.
    let mut other = Browser::new(&world.app);
    logged_in(&world, &mut other, TALAVERA, "otra", "otra@example.org", 1).await;
    world
        .grant("talavera", "otra@example.org", Role::Admin)
        .await;
    for path in [
        format!("/staff/billing/invoices/{code}"),
        format!("/staff/billing/invoices/{code}.xml"),
        format!("/staff/billing/invoices/{code}.pdf"),
    ] {
        assert_eq!(
            other.get(TALAVERA, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert!(
        !other
            .get(TALAVERA, "/staff/billing")
            .await
            .body
            .contains(&code)
    );
    // A citizen of Toledo: the page is for admins.
    let mut citizen = Browser::new(&world.app);
    logged_in(
        &world,
        &mut citizen,
        TOLEDO,
        "vecino",
        "vecino@example.org",
        1,
    )
    .await;
    let refused = citizen
        .get(TOLEDO, &format!("/staff/billing/invoices/{code}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn operators_follow_every_councils_billing_and_record_payments() {
    use cabildo_engine::accounts::password;
    use cabildo_engine::platform::{self, AccountRole};
    let world = world().await;
    let (toledo, seller) = invoiced_toledo(&world).await;
    let long_ago = time::OffsetDateTime::now_utc().date() - time::Duration::days(45);
    let invoice = invoices::issue(
        &world.tenancy,
        &toledo,
        &seller,
        Period::Month(2026, time::Month::October),
        long_ago,
    )
    .await
    .expect("issue")
    .expect("issued");
    invoices::sweep(&world.tenancy, 30).await.expect("sweep");

    let hash = password::hash("operadora segura 2026").await;
    for (email, role) in [
        ("ops@cabildo.example", AccountRole::Operator),
        ("marta@consultora.example", AccountRole::Consultant),
    ] {
        platform::create_account(&world.tenancy, email, "Ops", role, &hash)
            .await
            .expect("account");
    }
    let log_in = async |email: &str| {
        let mut browser = Browser::new(&world.app);
        let login = [("email", email), ("password", "operadora segura 2026")];
        browser
            .submit(crate::util::BASE, "/login", "/login", &login)
            .await;
        browser
    };
    let mut ops = log_in("ops@cabildo.example").await;
    let page = ops.get(crate::util::BASE, "/console/billing").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Pago pendiente desde el"),
        "the overdue council first: {}",
        page.body
    );
    assert!(
        page.body.contains("Por factura") && page.body.contains(&invoice.code()),
        "{}",
        page.body
    );
    let csrf = crate::util::csrf_of(&page.body);
    let code = invoice.code();
    let mut record = async |on: &str, reference: &str| {
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("number", code.as_str()),
            ("on", on),
            ("reference", reference),
        ];
        ops.post(crate::util::BASE, "/console/billing/paid", &fields)
            .await
            .status
    };
    assert_eq!(
        record("2026-12-01", " ").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(record("2026-12-01", "TRF 77").await, StatusCode::SEE_OTHER);
    let status = cabildo_billing::councils::status(&world.tenancy, &toledo)
        .await
        .expect("status");
    assert_eq!(
        (status.overdue_since, status.held_from),
        (None, None),
        "lifted"
    );
    assert_eq!(record("2026-12-02", "TRF 78").await, StatusCode::CONFLICT);
    // In the council's audit log, by the operator.
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let audited: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT actor, subject FROM audit_log WHERE action = 'billing.payment'")
            .fetch_all(tx.conn())
            .await
            .expect("audit");
    tx.rollback().await.expect("rollback");
    assert_eq!(
        audited,
        vec![(
            "platform:ops@cabildo.example".to_owned(),
            Some(code.clone())
        )]
    );

    // Not for consultants.
    let mut marta = log_in("marta@consultora.example").await;
    assert_eq!(
        marta
            .get(crate::util::BASE, "/console/billing")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// Waits for a mail to `to` whose subject contains `subject`, and returns
/// its text.
async fn mail_about(world: &crate::util::World, to: &str, subject: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(mail) = (world.mails_to(to).into_iter()).find(|m| m.subject.contains(subject)) {
            return mail.text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail about {subject:?} to {to}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn admins_ask_for_invoice_mode_and_operators_answer() {
    use cabildo_billing::requests;
    use cabildo_engine::accounts::password;
    use cabildo_engine::platform::{self, AccountRole};
    let world = world().await;
    crate::util::apply_plans(&world.tenancy).await;
    let toledo = world.council("toledo").await;
    (cabildo_billing::councils::assign(&world.tenancy, &toledo, "municipio").await)
        .expect("assign")
        .expect("plan");
    let hash = password::hash("operadora segura 2026").await;
    platform::create_account(
        &world.tenancy,
        "ops@cabildo.example",
        "Ops",
        AccountRole::Operator,
        &hash,
    )
    .await
    .expect("operator");

    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body.contains("Pedir el pago contra factura"),
        "{}",
        page.body
    );
    let form = admin.get(TOLEDO, "/staff/billing/invoicing").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Oficina contable (DIR3)"),
        "{}",
        form.body
    );

    let good = [
        ("legal_name", "Ayuntamiento de Toledo"),
        ("tax_id", " p4516800b "),
        ("address", "Plaza del Consistorio 1"),
        ("postcode", "45071"),
        ("town", "Toledo"),
        ("province", "Toledo"),
        ("dir3_accounting", "l01451680"),
        ("dir3_management", "L01451680"),
        ("dir3_processing", "L01451680"),
    ];
    // Mistakes: each named on its field, nothing stored.
    let mut bad = good.to_vec();
    bad[1].1 = "P4516800J";
    bad[4].1 = "";
    bad[8].1 = "L0145";
    let refused = admin
        .submit(
            TOLEDO,
            "/staff/billing/invoicing",
            "/staff/billing/invoicing",
            &bad,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "No es un NIF válido",
        "Escribe entre 1 y 50 caracteres.",
        "Un código DIR3 tiene nueve letras y cifras",
        "value=\"Plaza del Consistorio 1\"",
    ] {
        assert!(
            refused.body.contains(message),
            "{message} in {}",
            refused.body
        );
    }
    assert_eq!(
        requests::of(&world.tenancy, &toledo).await.expect("of"),
        None
    );

    let sent = admin
        .submit(
            TOLEDO,
            "/staff/billing/invoicing",
            "/staff/billing/invoicing",
            &good,
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let request = (requests::of(&world.tenancy, &toledo).await)
        .expect("of")
        .expect("asked");
    assert_eq!(
        (
            request.buyer.entity.tax_id.as_str(),
            request.buyer.dir3_accounting.as_str()
        ),
        ("P4516800B", "L01451680"),
        "tidied"
    );
    let page = admin.get(TOLEDO, "/staff/billing?done=requested").await;
    assert!(
        page.body.contains("Solicitud enviada")
            && page.body.contains("Pediste pagar contra factura"),
        "{}",
        page.body
    );
    let told = mail_about(&world, "ops@cabildo.example", "pide pagar contra factura").await;
    assert!(told.contains("/console/billing#requests"), "{told}");

    // Another council sees nothing of it.
    let mut other = Browser::new(&world.app);
    logged_in(&world, &mut other, TALAVERA, "otra", "otra@example.org", 1).await;
    world
        .grant("talavera", "otra@example.org", Role::Admin)
        .await;
    let theirs = other.get(TALAVERA, "/staff/billing").await;
    assert!(
        theirs.body.contains("Pedir el pago contra factura")
            && !theirs.body.contains("Pediste pagar"),
        "{}",
        theirs.body
    );
    let talavera = world.council("talavera").await;
    assert_eq!(
        requests::of(&world.tenancy, &talavera).await.expect("of"),
        None
    );

    // The operator declines with a reason, which the admins see.
    let mut ops = Browser::new(&world.app);
    let login = [
        ("email", "ops@cabildo.example"),
        ("password", "operadora segura 2026"),
    ];
    ops.submit(crate::util::BASE, "/login", "/login", &login)
        .await;
    let console = ops.get(crate::util::BASE, "/console/billing").await;
    assert!(
        console.body.contains("NIF P4516800B") && console.body.contains("jefa@example.org"),
        "{}",
        console.body
    );
    assert!(
        console.body.contains("Municipio") && console.body.contains("Un ayuntamiento en este plan"),
        "plans listed with their councils: {}",
        console.body
    );
    let csrf = crate::util::csrf_of(&console.body);
    let tenant = toledo.id.0.to_string();
    let mut answer = async |decision: &str, reason: &str| {
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("tenant", tenant.as_str()),
            ("decision", decision),
            ("reason", reason),
        ];
        ops.post(crate::util::BASE, "/console/billing/requests", &fields)
            .await
            .status
    };
    assert_eq!(
        answer("decline", "  ").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        answer("decline", "La unidad tramitadora es la de Intervención").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        answer("decline", "otra vez").await,
        StatusCode::CONFLICT,
        "answered already"
    );
    let declined = mail_about(&world, "jefa@example.org", "No se ha aceptado").await;
    assert!(declined.contains("/staff/billing"), "{declined}");
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body
            .contains("La unidad tramitadora es la de Intervención"),
        "{}",
        page.body
    );

    // Asked again, accepted: the council pays against invoices.
    let again = admin
        .submit(
            TOLEDO,
            "/staff/billing/invoicing",
            "/staff/billing/invoicing",
            &good,
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(answer("accept", "").await, StatusCode::SEE_OTHER);
    assert_eq!(answer("accept", "").await, StatusCode::CONFLICT);
    let buyer = (invoices::buyer(&world.tenancy, &toledo).await)
        .expect("buyer")
        .expect("invoiced");
    assert_eq!(buyer.entity.tax_id, "P4516800B");
    assert_eq!(
        requests::of(&world.tenancy, &toledo).await.expect("of"),
        None
    );
    mail_about(&world, "jefa@example.org", "se paga ya contra factura").await;
    let page = admin.get(TOLEDO, "/staff/billing").await;
    assert!(
        page.body.contains("El ayuntamiento paga por factura")
            && !page.body.contains("Pedir el pago contra factura"),
        "{}",
        page.body
    );
    let form = admin.get(TOLEDO, "/staff/billing/invoicing").await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "nothing left to ask");
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM audit_log WHERE action LIKE 'billing.invoice%' ORDER BY id",
    )
    .fetch_all(tx.conn())
    .await
    .expect("audit");
    tx.rollback().await.expect("rollback");
    let actions: Vec<&str> = audited.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "billing.invoice_request",
            "billing.invoice_declined",
            "billing.invoice_request",
            "billing.invoiced"
        ]
    );
    assert_eq!(audited[3].1, "platform:ops@cabildo.example");
}
