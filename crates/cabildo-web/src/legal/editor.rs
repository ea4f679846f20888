//! `/staff/legal`: admins replace a legal page's default text, one field
//! per site language, prefilled with the text shown today. A field left as
//! the default (or emptied) keeps following the default text.

use super::{default_text, title};
use crate::http::error::PageError;
use crate::http::extract::{CsrfForm, Id, Staff};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::legal::{self, Edited, LegalKind};
use cabildo_engine::staff::Permission;
use std::collections::HashMap;

/// One language's field.
pub struct TextField {
    language: String,
    label: String,
    text: String,
    edited: bool,
}

#[derive(Template)]
#[template(path = "staff_legal.html")]
struct EditorPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    /// Every legal page: (kind, title).
    kinds: Vec<(&'static str, String)>,
    /// The one being edited.
    kind: Option<(&'static str, String)>,
    fields: Vec<TextField>,
    notice: Option<String>,
    error: Option<String>,
}

fn kinds(tr: &Tr) -> Vec<(&'static str, String)> {
    LegalKind::ALL
        .iter()
        .map(|k| (k.as_str(), title(tr, *k)))
        .collect()
}

/// `GET /staff/legal`: the pages to edit.
pub async fn index(staff: Staff) -> Result<Response, PageError> {
    staff.require(Permission::ManageSettings)?;
    let tr = &staff.tr;
    staff.render_private(&EditorPage {
        tr,
        chrome: &staff.chrome,
        kinds: kinds(tr),
        kind: None,
        fields: Vec::new(),
        notice: None,
        error: None,
    })
}

/// The default text of `kind` in `language`.
fn default_in(staff: &Staff, kind: LegalKind, language: &str) -> String {
    let council = &staff.citizen.council;
    let tr = Tr::new(language)
        .in_zone(staff.tr.zone().clone())
        .for_council(&council.tenant.name, &council.settings.name_article);
    default_text(&staff.citizen.council, &tr, kind)
}

/// The fields of `kind`: what was typed, else the edited text, else the
/// default.
fn fields(
    staff: &Staff,
    kind: LegalKind,
    edited: &[Edited],
    typed: Option<&HashMap<String, String>>,
) -> Vec<TextField> {
    staff
        .settings
        .languages
        .iter()
        .map(|language| {
            let saved = edited.iter().find(|e| &e.language == language);
            let text = typed
                .and_then(|t| t.get(&format!("text_{language}")).cloned())
                .or_else(|| saved.map(|e| e.body.clone()))
                .unwrap_or_else(|| default_in(staff, kind, language));
            TextField {
                label: staff
                    .tr
                    .with("staff-legal-text", "language", native_name(language)),
                language: language.clone(),
                text,
                edited: saved.is_some(),
            }
        })
        .collect()
}

async fn show(
    staff: &Staff,
    kind: LegalKind,
    typed: Option<&HashMap<String, String>>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let edited = staff
        .tx(async |tx| Ok::<_, PageError>(legal::edited(tx, kind).await?))
        .await?;
    let tr = &staff.tr;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditorPage {
        tr,
        chrome: &staff.chrome,
        kinds: kinds(tr),
        kind: Some((kind.as_str(), title(tr, kind))),
        fields: fields(staff, kind, &edited, typed),
        notice,
        error,
    };
    let mut response = staff.render_status(status, &page)?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `GET /staff/legal/{kind}`.
pub async fn page(staff: Staff, Id(kind): Id<String>) -> Result<Response, PageError> {
    staff.require(Permission::ManageSettings)?;
    let kind = LegalKind::parse(&kind).ok_or(PageError::NotFound)?;
    show(&staff, kind, None, None, None).await
}

/// `POST /staff/legal/{kind}`: `text_{language}` per site language.
pub async fn save(
    staff: Staff,
    Id(kind): Id<String>,
    CsrfForm(typed): CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageSettings)?;
    let kind = LegalKind::parse(&kind).ok_or(PageError::NotFound)?;
    let offered = staff.settings.languages.clone();
    let texts: Vec<(String, String)> = offered
        .iter()
        .filter_map(|language| {
            let text = typed.get(&format!("text_{language}"))?;
            let text = text.replace("\r\n", "\n");
            // Unchanged from the default: keep following the default.
            let same = text.trim() == default_in(&staff, kind, language).trim();
            Some((language.clone(), if same { String::new() } else { text }))
        })
        .collect();
    let user = staff.user();
    let saved = staff
        .change(async |tx| legal::save(tx, user, kind, &texts, &offered).await)
        .await;
    match saved {
        Ok(()) => {
            let notice = Some(staff.tr.t("staff-legal-saved"));
            show(&staff, kind, None, notice, None).await
        }
        Err(error) => {
            let error = PageError::from(error);
            let Some((_, message)) = error.field_message(&staff.tr) else {
                return Err(error);
            };
            show(&staff, kind, Some(&typed), None, Some(message)).await
        }
    }
}
