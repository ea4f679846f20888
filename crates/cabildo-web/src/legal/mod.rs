//! The council's legal pages: `/legal/{kind}` for everyone (linked from
//! every page's footer and every consent checkbox), `/staff/legal` for
//! admins to replace the default texts, one field per site language.

mod editor;

use crate::http::council::{Context, Council};
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::http::state::AppState;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use cabildo_engine::legal::{self, Filling, LegalKind, Shown};

/// The public pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/legal/{kind}", get(page))
        .route("/staff/legal", get(editor::index))
}

/// The editor, whose form carries a long text per language.
pub fn editor_router() -> Router<AppState> {
    Router::new().route("/staff/legal/{kind}", get(editor::page).post(editor::save))
}

/// The day the shipped default texts were last reviewed (the accessibility
/// statement's date until a council edits it).
const DEFAULTS_REVIEWED: time::Date = time::macros::date!(2026 - 12 - 03);

/// The page's heading for `kind`.
pub fn title(tr: &Tr, kind: LegalKind) -> String {
    tr.t(&format!("legal-{}-title", kind.as_str()))
}

/// The default text of `kind` for this council, in `tr`'s language.
pub fn default_text(council: &Context, tr: &Tr, kind: LegalKind) -> String {
    let statement_date = tr.day(DEFAULTS_REVIEWED);
    let missing = tr.t("legal-missing");
    let site = council.tenant.host(council.state.resolver.base_domain());
    let filling = Filling {
        council: &council.tenant.name,
        contact: &council.settings.legal,
        site: &site,
        statement_date: &statement_date,
        missing: &missing,
    };
    legal::default_text(kind, tr.code(), &filling)
}

#[derive(Template)]
#[template(path = "legal.html")]
struct LegalPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    title: String,
    html: String,
    /// The language of a text shown in the council's default language
    /// because there is none in the reader's.
    lang: Option<String>,
}

/// `GET /legal/{kind}`.
async fn page(council: Council, Id(kind): Id<String>) -> Result<Response, PageError> {
    let kind = LegalKind::parse(&kind).ok_or(PageError::NotFound)?;
    let tr = &council.tr;
    let (language, fallback) = (
        tr.code().to_owned(),
        council.settings.default_language.clone(),
    );
    let key = format!("legal:{kind}:{language}");
    let shown = council
        .cached(key, async |tx| {
            Ok::<_, PageError>(legal::shown(tx, kind, &language, &fallback).await?)
        })
        .await?;
    let (markdown, lang) = match &*shown {
        Shown::Edited { language, body } => (
            body.clone(),
            (language != tr.code()).then(|| language.clone()),
        ),
        Shown::Default => (default_text(&council, tr, kind), None),
    };
    council.render(&LegalPage {
        tr,
        chrome: &council.chrome,
        title: title(tr, kind),
        html: cabildo_notify::markdown::render(&markdown),
        lang,
    })
}
