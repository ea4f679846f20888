//! The census (padrón) from the staff console: admins upload the whole
//! file, or verify one person by hand with a reason for the audit log.

use crate::http::error::{PageError, refused};
use crate::http::extract::needs::ManageCensus;
use crate::http::extract::{CsrfForm, Granted, LargeUploadSlot, Staff, Upload};
use crate::staff::console::render;
use crate::ui::format::encode;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::census::{self, import::ImportError};
use cabildo_engine::staff::{Permission, audit};
use serde::Deserialize;

/// A verification by hand, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ManualForm {
    email: String,
    district: String,
    reason: String,
}

/// `POST /staff/verifications` (admins).
pub async fn verify_manually(
    staff: Staff,
    CsrfForm(form): CsrfForm<ManualForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageCensus)?;
    let email = form.email.trim().to_lowercase();
    let actor = staff.actor();
    let outcome = staff
        .tx(async |tx| {
            census::verify_manually(tx, &actor, &email, &form.district, &form.reason).await
        })
        .await;
    match outcome {
        Ok(_) => {
            let back = format!("/staff?verified={}", encode(&email));
            Ok(Redirect::to(&back).into_response())
        }
        Err(error) => match refused(&staff.tr, &error) {
            Some((_, message)) => {
                render(
                    &staff,
                    None,
                    Some(message),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(error.into()),
        },
    }
}

/// `POST /staff/census` (admins, multipart with a `file`): replaces the
/// council's census with the uploaded file.
pub async fn upload(
    staff: Granted<ManageCensus>,
    _slot: LargeUploadSlot,
    upload: Upload,
) -> Result<Response, PageError> {
    let file = upload.file("file");
    if file.is_empty() {
        let error = Some(staff.tr.t("staff-census-no-file"));
        return render(&staff, None, error, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let key = census::key(&staff.state.secret, staff.tenant.id);
    let actor = staff.actor();
    let imported = staff
        .tx(async |tx| {
            let report = census::import::import(tx, key, &file[..], &actor.0, |_, _| {})
                .await
                .map_err(|error| match error {
                    ImportError::MostLinesRefused(report) => Failed::Refused(report),
                    error => Failed::Page(PageError::Internal(Box::new(error))),
                })?;
            let details = serde_json::json!({"residents": report.imported, "rejected": report.rejected.len()});
            audit(tx, &actor, "census.import", None, details)
                .await
                .map_err(|e| Failed::Page(e.into()))?;
            Ok(report)
        })
        .await;
    let tr = &staff.tr;
    let report = match imported {
        Ok(report) => report,
        // The transaction rolled back: the census in place is kept.
        Err(Failed::Refused(refused)) => {
            let mut error = tr.count("staff-census-mostly-refused", refused.rejected.len() as i64);
            error.push_str(&format!(" {}", first_errors(tr, &refused)));
            return render(&staff, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(Failed::Page(error)) => return Err(error),
    };
    let count = |n: u64| tr.number(i64::try_from(n).unwrap_or(i64::MAX));
    let counts = format!(
        "{} / {} / {}",
        count(report.imported),
        count(report.duplicates),
        count(report.rejected.len() as u64)
    );
    let mut notice = tr.with("staff-census-imported", "counts", &counts);
    if !report.rejected.is_empty() {
        notice.push_str(&format!(" {}", first_errors(tr, &report)));
    }
    render(&staff, Some(notice), None, StatusCode::OK).await
}

/// Why an upload changed nothing.
enum Failed {
    /// Most lines were refused.
    Refused(census::import::Report),
    /// Anything else.
    Page(PageError),
}

impl From<cabildo_tenancy::TenancyError> for Failed {
    fn from(error: cabildo_tenancy::TenancyError) -> Self {
        Self::Page(error.into())
    }
}

/// The first 20 refused lines of `report`, in a sentence.
fn first_errors(tr: &crate::ui::i18n::Tr, report: &census::import::Report) -> String {
    let shown: Vec<String> = (report.rejected.iter().take(20))
        .map(|r| format!("{} {}: {}", tr.t("staff-census-line"), r.line, r.reason))
        .collect();
    shown.join("; ")
}
