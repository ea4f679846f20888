//! Applying for an organisation, and reviewing applications.

use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, Staff};
use crate::ui::forms::{FieldView, FormView};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::organisations::{self, Application, Status, Verdict};
use cabildo_engine::staff::Permission;
use cabildo_engine::{Error as EngineError, FieldError};
use cabildo_notify::NewNotification;
use serde::Deserialize;
use uuid::Uuid;

/// The application form as typed (or as stored).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    name: String,
    registry_number: String,
    contact_name: String,
    contact_phone: String,
}

impl ApplicationForm {
    fn application(&self) -> Application {
        Application {
            name: self.name.clone(),
            registry_number: self.registry_number.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }

    /// The fields with their autocomplete hints.
    fn fields(&self) -> [(&'static str, &'static str, &str); 4] {
        [
            ("name", "organization", &self.name),
            ("registry_number", "off", &self.registry_number),
            ("contact_name", "name", &self.contact_name),
            ("contact_phone", "tel", &self.contact_phone),
        ]
    }
}

fn form(
    citizen: &Citizen,
    typed: &ApplicationForm,
    status: Option<String>,
    refused: &[FieldError],
) -> FormView {
    let tr = &citizen.tr;
    let fields = typed
        .fields()
        .into_iter()
        .map(|(name, autocomplete, value)| {
            let kind = if name == "contact_phone" {
                "tel"
            } else {
                "text"
            };
            let mut field = FieldView::new(tr, name, kind, autocomplete, value);
            field.label = tr.t(&format!("organisation-{}", name.replace('_', "-")));
            field
        })
        .collect();
    let mut form = FormView::new(
        tr.t("organisation-title"),
        "/account/organisation",
        fields,
        tr.t("organisation-submit"),
    )
    .with_errors(tr, refused);
    form.intro = Some(status.unwrap_or_else(|| tr.t("organisation-intro")));
    form.links = vec![("/account", tr.t("account-title"))];
    form
}

/// `GET /account/organisation`: the application, or where it stands.
pub async fn page(citizen: Citizen) -> Result<Response, PageError> {
    let user = citizen.user();
    let current = citizen
        .tx(async |tx| organisations::of_user(tx, user).await)
        .await?;
    let tr = &citizen.tr;
    let (typed, status) = match current {
        None => (ApplicationForm::default(), None),
        Some(organisation) => {
            let status = match organisation.status {
                Status::Verified => {
                    tr.with("organisation-status-verified", "name", &organisation.name)
                }
                Status::Rejected => tr.with(
                    "organisation-status-rejected",
                    "reason",
                    organisation.rejection_reason.as_deref().unwrap_or_default(),
                ),
                Status::Pending => {
                    tr.with("organisation-status-pending", "name", &organisation.name)
                }
            };
            let typed = ApplicationForm {
                name: organisation.name,
                registry_number: organisation.registry_number,
                contact_name: organisation.contact_name,
                contact_phone: organisation.contact_phone,
            };
            (typed, Some(status))
        }
    };
    citizen.form(StatusCode::OK, form(&citizen, &typed, status, &[]))
}

/// `POST /account/organisation`.
pub async fn apply(
    citizen: Citizen,
    CsrfForm(typed): CsrfForm<ApplicationForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    let application = typed.application();
    let applied = citizen
        .tx(async |tx| organisations::apply(tx, user, &application).await)
        .await;
    match applied {
        Ok(()) => Ok(citizen.message(StatusCode::OK, "organisation-applied")),
        Err(EngineError::Invalid(refused)) => {
            let view = form(&citizen, &typed, None, &refused);
            citizen.form(StatusCode::UNPROCESSABLE_ENTITY, view)
        }
        Err(error) => Err(error.into()),
    }
}

/// A staff decision on an application.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    reason: String,
}

/// `POST /staff/organisations/{id}` (admins and moderators): verify or
/// reject (with a reason); the applicant is told.
pub async fn review(
    staff: Staff,
    Id(id): Id<Uuid>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::ReviewOrganisations)?;
    let verdict = match form.decision.as_str() {
        "verify" => Verdict::Verify,
        "reject" => Verdict::Reject(form.reason),
        _ => return Ok(staff.message(StatusCode::BAD_REQUEST, "error-form")),
    };
    let actor = staff.actor();
    let (title_key, body) = match &verdict {
        Verdict::Verify => ("organisation-notice-verified", String::new()),
        Verdict::Reject(reason) => ("organisation-notice-rejected", reason.trim().to_owned()),
    };
    let title = staff.tr.t(title_key);
    let applicant = staff
        .tx(async |tx| {
            let applicant = organisations::review(tx, &actor, id, &verdict).await?;
            if let Some(applicant) = applicant {
                let notification = NewNotification {
                    user: applicant.into(),
                    kind: "organisation.review".into(),
                    title,
                    body,
                    link: Some("/account/organisation".into()),
                    ..NewNotification::default()
                };
                cabildo_notify::notifications::notify(tx, &notification).await?;
            }
            Ok::<_, EngineError>(applicant)
        })
        .await?;
    Ok(match applicant {
        Some(_) => Redirect::to("/staff").into_response(),
        None => staff.message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "organisation-review-invalid",
        ),
    })
}
