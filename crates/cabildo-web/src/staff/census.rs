//! The census (padrón) from the staff console: admins upload the whole
//! file, or verify one person by hand with a reason for the audit log.

use crate::http::error::{PageError, refused};
use crate::http::extract::needs::ManageCensus;
use crate::http::extract::{CsrfForm, Granted, LargeUploadSlot, Staff, Upload};
use crate::staff::console::{CensusPreview, render, render_preview};
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

/// `POST /staff/census` (admins, multipart with a `file`): reads the file
/// aside and shows what it holds — residents, districts against the census
/// in place, the first refused lines in words — for the admin to confirm
/// before it replaces the census.
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
    let staged = staff
        .tx(async |tx| {
            census::import::stage(tx, key, &file[..], &actor.0)
                .await
                .map_err(|error| match error {
                    ImportError::MostLinesRefused(report) => Failed::Refused(report),
                    ImportError::Database(error) => Failed::Page(error.into()),
                    error => Failed::Page(PageError::Internal(Box::new(error))),
                })
        })
        .await;
    let tr = &staff.tr;
    match staged {
        Ok(staged) => {
            let preview = preview(&staff, &staged);
            render_preview(&staff, preview).await
        }
        // The transaction rolled back: nothing was staged.
        Err(Failed::Refused(refused)) => {
            let mut error = tr.count("staff-census-mostly-refused", refused.rejected.len() as i64);
            error.push_str(&format!(" {}", first_errors(tr, &refused.rejected)));
            render(&staff, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Failed::Page(error)) => Err(error),
    }
}

fn preview(staff: &Staff, staged: &census::import::Staged) -> CensusPreview {
    let tr = &staff.tr;
    let count = |n: u64| tr.number(i64::try_from(n).unwrap_or(i64::MAX));
    let names = staff.districts();
    let now: i64 = staged.districts.iter().map(|d| d.2).sum();
    let new = i64::try_from(staged.report.imported).unwrap_or(i64::MAX);
    CensusPreview {
        upload: staged.id.to_string(),
        summary: tr.args(
            "staff-census-preview-summary",
            &[
                ("residents", count(staged.report.imported)),
                ("duplicates", count(staged.report.duplicates)),
                ("rejected", count(staged.rejected)),
            ],
        ),
        errors: (!staged.report.rejected.is_empty())
            .then(|| first_errors(tr, &staged.report.rejected)),
        districts: staged
            .districts
            .iter()
            .map(|(code, in_file, current)| {
                let name = crate::ui::format::district_name(&names, Some(code)).unwrap_or_default();
                (name, tr.number(*in_file), tr.number(*current))
            })
            .collect(),
        // A tenth fewer residents than today is worth a second look.
        shrinks: (now > 0 && new * 10 < now * 9).then(|| {
            tr.args(
                "staff-census-preview-shrinks",
                &[("now", tr.number(now)), ("new", tr.number(new))],
            )
        }),
    }
}

/// The staged upload to act on.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadForm {
    upload: String,
}

/// `POST /staff/census/confirm`: the staged file replaces the census.
pub async fn confirm(
    staff: Granted<ManageCensus>,
    CsrfForm(form): CsrfForm<UploadForm>,
) -> Result<Response, PageError> {
    let id: uuid::Uuid = form.upload.parse().map_err(|_| PageError::NotFound)?;
    let actor = staff.actor();
    let stored = staff
        .tx(async |tx| {
            let stored = census::import::confirm(tx, id, &actor.0).await?;
            if let Some(residents) = stored {
                let details = serde_json::json!({"residents": residents});
                audit(tx, &actor, "census.import", None, details).await?;
            }
            Ok::<_, PageError>(stored)
        })
        .await?;
    let tr = &staff.tr;
    match stored {
        Some(residents) => {
            let count = tr.number(i64::try_from(residents).unwrap_or(i64::MAX));
            let notice = tr.with("staff-census-replaced", "residents", &count);
            render(&staff, Some(notice), None, StatusCode::OK).await
        }
        None => {
            let error = Some(tr.t("staff-census-upload-gone"));
            render(&staff, None, error, StatusCode::CONFLICT).await
        }
    }
}

/// `POST /staff/census/cancel`: the staged file is dropped.
pub async fn cancel(
    staff: Granted<ManageCensus>,
    CsrfForm(form): CsrfForm<UploadForm>,
) -> Result<Response, PageError> {
    let id: uuid::Uuid = form.upload.parse().map_err(|_| PageError::NotFound)?;
    staff
        .tx(async |tx| Ok::<_, PageError>(census::import::discard(tx, id).await?))
        .await?;
    let notice = Some(staff.tr.t("staff-census-cancelled"));
    render(&staff, notice, None, StatusCode::OK).await
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

/// The first 10 refused lines, in words.
fn first_errors(tr: &crate::ui::i18n::Tr, rejected: &[census::import::Rejected]) -> String {
    let shown: Vec<String> = (rejected.iter().take(10))
        .map(|r| {
            let why = tr
                .find(&format!("census-reason-{}", r.reason.replace('_', "-")))
                .unwrap_or_else(|| r.reason.to_owned());
            tr.args(
                "staff-census-line-error",
                &[
                    ("line", tr.number(i64::try_from(r.line).unwrap_or(0))),
                    ("reason", why),
                ],
            )
        })
        .collect();
    shown.join("; ")
}
