//! `/staff/billing/invoicing` (admins): asking to pay against invoices.
//! The admin gives who pays, its NIF and address and FACe's three DIR3
//! codes; the request waits for an operator (who is mailed), and the
//! billing page says where it stands.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageSettings;
use crate::http::extract::{CsrfForm, Granted};
use crate::ui::forms::{FieldView, FormView};
use crate::ui::i18n::Tr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_billing::parties::{Buyer, Entity, Fault, Problem};
use cabildo_billing::requests::{self, Refusal};
use cabildo_engine::staff::audit;
use serde::Deserialize;

/// The details asked for, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InvoicingForm {
    legal_name: String,
    tax_id: String,
    address: String,
    postcode: String,
    town: String,
    province: String,
    dir3_accounting: String,
    dir3_management: String,
    dir3_processing: String,
}

impl InvoicingForm {
    fn from_buyer(buyer: Buyer) -> Self {
        let Entity {
            legal_name,
            tax_id,
            address,
            postcode,
            town,
            province,
        } = buyer.entity;
        Self {
            legal_name,
            tax_id,
            address,
            postcode,
            town,
            province,
            dir3_accounting: buyer.dir3_accounting,
            dir3_management: buyer.dir3_management,
            dir3_processing: buyer.dir3_processing,
        }
    }

    fn buyer(&self) -> Buyer {
        Buyer {
            entity: Entity {
                legal_name: self.legal_name.clone(),
                tax_id: self.tax_id.clone(),
                address: self.address.clone(),
                postcode: self.postcode.clone(),
                town: self.town.clone(),
                province: self.province.clone(),
            },
            dir3_accounting: self.dir3_accounting.clone(),
            dir3_management: self.dir3_management.clone(),
            dir3_processing: self.dir3_processing.clone(),
        }
    }
}

fn fault(tr: &Tr, problem: &Problem) -> String {
    match problem.fault {
        Fault::Length { most } => tr.with(
            "billing-fault-length",
            "most",
            &tr.number(i64::try_from(most).unwrap_or(i64::MAX)),
        ),
        Fault::TaxId => tr.t("billing-fault-tax-id"),
        Fault::Postcode => tr.t("billing-fault-postcode"),
        Fault::Dir3 | Fault::Iban => tr.t("billing-fault-dir3"),
    }
}

fn form(tr: &Tr, typed: &InvoicingForm, problems: &[Problem]) -> FormView {
    let field = |name: &'static str, autocomplete: &'static str, value: &str, hint: bool| {
        let mut field = FieldView::new(tr, name, "text", autocomplete, value);
        if hint {
            field.hint = Some(tr.t(&format!("field-{}-hint", name.replace('_', "-"))));
        }
        field.error = (problems.iter())
            .find(|p| p.field == name)
            .map(|p| fault(tr, p));
        field
    };
    let fields = vec![
        field("legal_name", "organization", &typed.legal_name, true),
        field("tax_id", "off", &typed.tax_id, true),
        field("address", "street-address", &typed.address, false),
        field("postcode", "postal-code", &typed.postcode, false),
        field("town", "address-level2", &typed.town, false),
        field("province", "address-level1", &typed.province, false),
        field("dir3_accounting", "off", &typed.dir3_accounting, true),
        field("dir3_management", "off", &typed.dir3_management, true),
        field("dir3_processing", "off", &typed.dir3_processing, true),
    ];
    let mut form = FormView::new(
        tr.t("billing-invoicing-title"),
        "/staff/billing/invoicing",
        fields,
        tr.t("billing-invoicing-send"),
    )
    .with_field_errors();
    form.intro = Some(tr.t("billing-invoicing-intro"));
    form.links = vec![("/staff/billing", tr.t("billing-invoice-back"))];
    form
}

/// Whether the council pays by card or against invoices already (nothing
/// to ask for).
async fn paying(staff: &Granted<ManageSettings>) -> Result<bool, PageError> {
    let tenancy = &staff.state.tenancy;
    let failed = |e: cabildo_billing::BillingError| PageError::Internal(Box::new(e));
    let status =
        (cabildo_billing::councils::status(tenancy, &staff.tenant).await).map_err(failed)?;
    let by_card = (status.card.as_ref())
        .and_then(|c| c.status.as_deref())
        .is_some_and(cabildo_billing::stripe::paying);
    let invoiced = (cabildo_billing::invoices::buyer(tenancy, &staff.tenant).await)
        .map_err(failed)?
        .is_some();
    Ok(by_card || invoiced)
}

/// `GET /staff/billing/invoicing`: the form, with the details of an
/// earlier request when there is one.
pub async fn page(staff: Granted<ManageSettings>) -> Result<Response, PageError> {
    if paying(&staff).await? {
        return Ok(Redirect::to("/staff/billing").into_response());
    }
    let earlier = requests::of(&staff.state.tenancy, &staff.tenant)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let typed = earlier.map_or_else(InvoicingForm::default, |r| {
        InvoicingForm::from_buyer(r.buyer)
    });
    staff.form(StatusCode::OK, form(&staff.tr, &typed, &[]))
}

/// `POST /staff/billing/invoicing`: checks the details and records the
/// request for the operators, who are mailed.
pub async fn ask(
    staff: Granted<ManageSettings>,
    CsrfForm(typed): CsrfForm<InvoicingForm>,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    if paying(&staff).await? {
        let form = form(tr, &typed, &[]).with_error(None, tr.t("billing-already-paying"));
        return staff.form(StatusCode::CONFLICT, form);
    }
    let tenancy = &staff.state.tenancy;
    let user = staff.user();
    let email = staff
        .tx(async |tx| Ok::<_, PageError>(cabildo_engine::accounts::email_of(tx, user).await?))
        .await?
        .unwrap_or_default();
    let asked = requests::ask(tenancy, &staff.tenant, typed.buyer(), &email)
        .await
        .map_err(|e| PageError::Internal(Box::new(e)))?;
    let request = match asked {
        Ok(request) => request,
        Err(Refusal::Invalid(problems)) => {
            let form = form(tr, &typed, &problems);
            return staff.form(StatusCode::UNPROCESSABLE_ENTITY, form);
        }
        Err(Refusal::Invoiced) => return Ok(Redirect::to("/staff/billing").into_response()),
    };
    let actor = staff.actor();
    let details = serde_json::json!({
        "tax_id": request.buyer.entity.tax_id,
        "dir3": [
            request.buyer.dir3_accounting,
            request.buyer.dir3_management,
            request.buyer.dir3_processing,
        ],
    });
    staff
        .tx(async |tx| {
            audit(tx, &actor, "billing.invoice_request", None, details).await?;
            Ok::<_, PageError>(())
        })
        .await?;
    cabildo_engine::platform::mail_operators(
        tenancy,
        "invoice-request",
        "/console/billing#requests",
    )
    .await?;
    Ok(Redirect::to("/staff/billing?done=requested").into_response())
}
