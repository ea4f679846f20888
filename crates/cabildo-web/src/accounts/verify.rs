//! `/account/verify`: a logged-in person verifies their residency against
//! the council's census (one document, one account; five failed attempts
//! a day at most).

use crate::accounts::actions::{self, Residency};
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm};
use crate::ui::format::coded;
use crate::ui::forms::{FieldView, FormView};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The verification form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    document: String,
    birth_date: String,
}

fn verify_form(citizen: &Citizen, typed: &VerifyForm) -> FormView {
    let tr = &citizen.tr;
    let mut document = FieldView::new(tr, "document", "text", "off", &typed.document);
    document.hint = Some(tr.t("hint-document"));
    let birth_date = FieldView::new(tr, "birth_date", "date", "bday", &typed.birth_date);
    let mut form = FormView::new(
        tr.t("verify-title"),
        "/account/verify",
        vec![document, birth_date],
        tr.t("verify-submit"),
    );
    form.intro = Some(tr.with("verify-intro", "council", &citizen.chrome.council));
    form.links = vec![("/account", tr.t("account-title"))];
    form
}

/// `GET /account/verify`.
pub async fn verify_page(citizen: Citizen) -> Result<Response, PageError> {
    let form = verify_form(&citizen, &VerifyForm::default());
    citizen.form(StatusCode::OK, form)
}

/// `POST /account/verify`.
pub async fn verify(
    citizen: Citizen,
    CsrfForm(typed): CsrfForm<VerifyForm>,
) -> Result<Response, PageError> {
    let tr = &citizen.tr;
    let outcome =
        actions::verify_residency(&citizen, citizen.user(), &typed.document, &typed.birth_date)
            .await?;
    let (status, field, message) = match outcome {
        Residency::Verified(_) => return Ok(citizen.message(StatusCode::OK, "verify-done")),
        Residency::Failed => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            tr.t("error-verification-failed"),
        ),
        Residency::TooManyAttempts => (
            StatusCode::TOO_MANY_REQUESTS,
            None,
            tr.t("error-verification-too-many"),
        ),
        Residency::InvalidDocument(code) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document"),
            coded(tr, "error", code),
        ),
        Residency::InvalidBirthDate => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("birth_date"),
            tr.t("error-birth-date"),
        ),
    };
    let form = verify_form(&citizen, &typed).with_error(field, message);
    citizen.form(status, form)
}
