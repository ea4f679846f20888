//! A council's invoices (invoice mode), for its admins: each as a page,
//! as a PDF drawn on the server (`ui::pdf`) and as its Facturae 3.2.2
//! file. Operators reach the same files from the console.

use crate::http::error::PageError;
use crate::http::extract::Granted;
use crate::http::extract::needs::ManageSettings;
use crate::ui::chrome::Chrome;
use crate::ui::format::money_exact;
use crate::ui::i18n::Tr;
use crate::ui::pdf::{Document, Weight};
use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cabildo_billing::invoices::Invoice;
use time::OffsetDateTime;

/// An invoice as a list shows it.
pub(super) struct InvoiceRow {
    pub code: String,
    pub period: String,
    pub total: String,
    pub due: String,
    /// Paid on …, rectified, unpaid (overdue).
    pub state: String,
}

/// Where an invoice stands: paid on …, a rectification of …, overdue or
/// unpaid.
pub(crate) fn state(tr: &Tr, invoice: &Invoice) -> String {
    let today = OffsetDateTime::now_utc().date();
    match (&invoice.paid, &invoice.rectifies) {
        (Some((on, _)), _) => tr.with("billing-invoice-paid", "date", &tr.day(*on)),
        (None, Some((original, _))) => tr.with("billing-invoice-rectifies", "number", original),
        (None, None) if invoice.due_on < today => tr.t("billing-invoice-overdue"),
        (None, None) => tr.t("billing-invoice-unpaid"),
    }
}

fn period(tr: &Tr, invoice: &Invoice) -> String {
    format!(
        "{} – {}",
        tr.day(invoice.period.0),
        tr.day(invoice.period.1)
    )
}

pub(super) fn row(tr: &Tr, invoice: &Invoice) -> InvoiceRow {
    InvoiceRow {
        code: invoice.code(),
        period: period(tr, invoice),
        total: money_exact(tr, invoice.total_cents, &invoice.currency),
        due: tr.day(invoice.due_on),
        state: state(tr, invoice),
    }
}

/// The council's invoice `code`, or not found (another council's too).
async fn own_invoice(staff: &Granted<ManageSettings>, code: &str) -> Result<Invoice, PageError> {
    let found = cabildo_billing::invoices::get(&staff.state.tenancy, code)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    found
        .filter(|i| i.tenant == staff.tenant.id)
        .ok_or(PageError::NotFound)
}

/// What an invoice says, in words and amounts of `tr`'s language: the
/// page and the PDF show the same.
struct Wording {
    title: String,
    rectifies: Option<String>,
    /// (label, value): issued, period, due.
    facts: Vec<(String, String)>,
    /// (description, net amount).
    lines: Vec<(String, String)>,
    net: String,
    vat_label: String,
    vat: String,
    total: String,
    pay_to: String,
}

fn wording(tr: &Tr, invoice: &Invoice) -> Wording {
    let cents = |c: i64| money_exact(tr, c, &invoice.currency);
    let iban = (invoice.seller.iban.as_bytes().chunks(4))
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Wording {
        title: tr.with("billing-invoice-title", "number", &invoice.code()),
        rectifies: (invoice.rectifies.as_ref()).map(|(original, reason)| {
            format!(
                "{} {reason}",
                tr.with("billing-invoice-rectifies", "number", original)
            )
        }),
        facts: vec![
            (tr.t("billing-invoice-issued"), tr.day(invoice.issued_on)),
            (tr.t("billing-invoice-period"), period(tr, invoice)),
            (tr.t("billing-invoice-due"), tr.day(invoice.due_on)),
        ],
        lines: (invoice.lines.iter())
            .map(|l| (l.description.clone(), cents(l.net_cents)))
            .collect(),
        net: cents(invoice.net_cents),
        vat_label: tr.with(
            "billing-invoice-vat",
            "percent",
            &invoice.vat_percent.to_string(),
        ),
        vat: cents(invoice.vat_cents),
        total: cents(invoice.total_cents),
        pay_to: tr.with("billing-invoice-pay-to", "iban", &iban),
    }
}

/// A party's block: name, NIF and address.
fn party(entity: &cabildo_billing::invoices::Entity) -> Vec<String> {
    vec![
        entity.legal_name.clone(),
        format!("NIF {}", entity.tax_id),
        entity.address.clone(),
        format!("{} {} ({})", entity.postcode, entity.town, entity.province),
    ]
}

/// The invoice as a PDF, in `tr`'s language.
pub(crate) fn pdf(tr: &Tr, invoice: &Invoice) -> Vec<u8> {
    let words = wording(tr, invoice);
    let mut doc = Document::new(&words.title, tr.code());
    doc.heading(&words.title, 18.0);
    if let Some(rectifies) = &words.rectifies {
        doc.paragraph(rectifies, 10.0);
    }
    doc.gap(6.0);
    for (label, value) in &words.facts {
        doc.paragraph(&format!("{label}: {value}"), 10.0);
    }
    doc.gap(12.0);
    let mut buyer = party(&invoice.buyer.entity);
    buyer.extend([
        format!(
            "{}: {}",
            tr.t("billing-invoice-dir3-accounting"),
            invoice.buyer.dir3_accounting
        ),
        format!(
            "{}: {}",
            tr.t("billing-invoice-dir3-management"),
            invoice.buyer.dir3_management
        ),
        format!(
            "{}: {}",
            tr.t("billing-invoice-dir3-processing"),
            invoice.buyer.dir3_processing
        ),
    ]);
    doc.columns(
        [
            (
                &tr.t("billing-invoice-seller"),
                &party(&invoice.seller.entity),
            ),
            (&tr.t("billing-invoice-buyer"), &buyer),
        ],
        10.0,
    );
    doc.gap(18.0);
    doc.row(
        &tr.t("billing-invoice-concept"),
        &tr.t("billing-invoice-net"),
        Weight::Bold,
        10.0,
    );
    doc.rule();
    for (what, amount) in &words.lines {
        doc.row(what, amount, Weight::Regular, 10.0);
    }
    doc.rule();
    doc.row(
        &tr.t("billing-invoice-base"),
        &words.net,
        Weight::Regular,
        10.0,
    );
    doc.row(&words.vat_label, &words.vat, Weight::Regular, 10.0);
    doc.row(
        &tr.t("billing-invoice-total"),
        &words.total,
        Weight::Bold,
        12.0,
    );
    doc.gap(18.0);
    doc.paragraph(&words.pay_to, 10.0);
    doc.finish()
}

/// The invoice's PDF or Facturae file, as a download.
pub(crate) fn file(tr: &Tr, invoice: &Invoice, extension: &str) -> Option<Response> {
    let (content_type, body, disposition) = match extension {
        "pdf" => ("application/pdf", pdf(tr, invoice), "inline"),
        "xml" => (
            "application/xml; charset=utf-8",
            cabildo_billing::invoices::facturae(invoice).into_bytes(),
            "attachment",
        ),
        _ => return None,
    };
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{}.{extension}\"", invoice.code()),
        ),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
    ];
    Some((headers, body).into_response())
}

#[derive(Template)]
#[template(path = "staff_invoice.html")]
struct InvoicePage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    code: String,
    words: Wording,
    state: String,
    invoice: Invoice,
}

/// `GET /staff/billing/invoices/{code}`: the invoice as a page;
/// `{code}.pdf` and `{code}.xml` its files.
pub(super) async fn invoice(
    staff: Granted<ManageSettings>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    if let Some((number, extension)) = code.rsplit_once('.') {
        let invoice = own_invoice(&staff, number).await?;
        return file(&staff.tr, &invoice, extension).ok_or(PageError::NotFound);
    }
    let invoice = own_invoice(&staff, &code).await?;
    let tr = &staff.tr;
    let page = InvoicePage {
        tr,
        chrome: &staff.chrome,
        code: invoice.code(),
        words: wording(tr, &invoice),
        state: state(tr, &invoice),
        invoice,
    };
    staff.render_private(&page)
}
