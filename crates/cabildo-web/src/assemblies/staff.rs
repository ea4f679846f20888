//! Assemblies as staff run them: the list with a form to create one
//! (`/staff/assemblies`), and an assembly's page to change its texts (in
//! every language of the council), publish it, add members and end their
//! terms, and attach documents (PDF) or remove them.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted, Id, NoFields, Upload};
use crate::http::state::AppState;
use crate::http::storage::Picture;
use crate::ui::chrome::Chrome;
use crate::ui::format::coded;
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cabildo_engine::assemblies::{
    self, Assembly, Kind, MemberKind, NewAssembly, NewMember, Role, documents, lottery,
};
use cabildo_engine::translations::Translations;
use cabildo_engine::{AssemblyId, DocumentId, MemberId, organisations};
use serde::Deserialize;

/// The staff assembly pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/assemblies", get(list).post(create))
        .route("/staff/assemblies/{id}", get(show).post(update))
        .route("/staff/assemblies/{id}/publish", post(publish))
        .route("/staff/assemblies/{id}/members", post(add_member))
        .route("/staff/assemblies/{id}/draw", post(draw))
        .route(
            "/staff/assemblies/{id}/members/{member}/end",
            post(end_term),
        )
        .route(
            "/staff/assemblies/{id}/documents/{document}/remove",
            post(remove_document),
        )
}

/// The document upload (up to [`crate::http::storage::MAX_DOCUMENT`]).
pub fn document_router() -> Router<AppState> {
    Router::new().route("/staff/assemblies/{id}/documents", post(add_document))
}

/// An assembly's form, as typed: `tr-{language}-{field}` carry the other
/// languages' name and purpose.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssemblyForm {
    slug: String,
    name: String,
    purpose: String,
    kind: String,
    district: String,
    #[serde(flatten)]
    translated: std::collections::HashMap<String, String>,
}

impl AssemblyForm {
    fn of(a: &Assembly, others: &[String]) -> Self {
        let mut translated = std::collections::HashMap::new();
        for code in others {
            for field in ["name", "purpose"] {
                if let Some(text) = a.translations.get(code, field) {
                    translated.insert(format!("tr-{code}-{field}"), text.to_owned());
                }
            }
        }
        Self {
            slug: a.slug.clone(),
            name: a.name.clone(),
            purpose: a.purpose.clone(),
            kind: a.kind.clone(),
            district: a.district.clone().unwrap_or_default(),
            translated,
        }
    }

    fn assembly(&self) -> NewAssembly {
        let mut translations = Translations::new();
        for (name, text) in &self.translated {
            if let Some((code, field)) = name.strip_prefix("tr-").and_then(|r| r.split_once('-')) {
                translations.set(code, field, text);
            }
        }
        NewAssembly {
            slug: self.slug.clone(),
            name: self.name.clone(),
            purpose: self.purpose.clone(),
            kind: self.kind.clone(),
            district: Some(self.district.trim().to_owned()).filter(|d| !d.is_empty()),
            translations,
        }
    }
}

/// The texts of one other language, for the form.
struct LanguageTexts {
    code: String,
    name: &'static str,
    title: String,
    purpose: String,
}

#[derive(Template)]
#[template(path = "staff_assemblies.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    /// (id, name, kind, draft).
    lines: Vec<(String, String, String, bool)>,
    form: AssemblyForm,
    kinds: Vec<(&'static str, String)>,
    districts: Vec<(String, String)>,
    error: Option<String>,
}

fn kinds(tr: &Tr) -> Vec<(&'static str, String)> {
    (Kind::ALL.iter())
        .map(|k| (k.as_str(), tr.t(&format!("assembly-kind-{}", k.as_str()))))
        .collect()
}

async fn list_page(
    staff: &Granted<ManageProcesses>,
    form: AssemblyForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let all = staff
        .tx(async |tx| Ok::<_, PageError>(assemblies::all(tx).await?))
        .await?;
    let tr = &staff.tr;
    staff.render_status(
        status,
        &ListPage {
            tr,
            chrome: &staff.chrome,
            lines: (all.iter())
                .map(|a| {
                    let kind = tr.t(&format!("assembly-kind-{}", a.kind));
                    (a.id.to_string(), a.name.clone(), kind, !a.published)
                })
                .collect(),
            form,
            kinds: kinds(tr),
            districts: staff.districts(),
            error,
        },
    )
}

/// `GET /staff/assemblies`.
pub async fn list(staff: Granted<ManageProcesses>) -> Result<Response, PageError> {
    let form = AssemblyForm {
        kind: "sector".into(),
        ..AssemblyForm::default()
    };
    list_page(&staff, form, None, StatusCode::OK).await
}

/// `POST /staff/assemblies`: a new draft assembly.
pub async fn create(
    staff: Granted<ManageProcesses>,
    CsrfForm(form): CsrfForm<AssemblyForm>,
) -> Result<Response, PageError> {
    let new = form.assembly();
    let actor = staff.actor();
    match staff
        .attempt("staff-assembly", async |tx| {
            assemblies::create(tx, &actor, &new).await
        })
        .await?
    {
        Ok(id) => Ok(Redirect::to(&format!("/staff/assemblies/{id}")).into_response()),
        Err(message) => {
            list_page(
                &staff,
                form,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A member as staff see them.
struct MemberLine {
    id: String,
    name: String,
    role: String,
    term: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "staff_assembly.html")]
struct AssemblyPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    slug: String,
    published: bool,
    form: AssemblyForm,
    translations: Vec<LanguageTexts>,
    kinds: Vec<(&'static str, String)>,
    districts: Vec<(String, String)>,
    members: Vec<MemberLine>,
    member_kinds: Vec<(&'static str, String)>,
    roles: Vec<(&'static str, String)>,
    /// Verified organisations: (id, name).
    organisations: Vec<(String, String)>,
    today: String,
    /// A citizens' assembly: its volunteers, and whether the draw ran.
    lottery: Option<(String, bool)>,
    /// (id, title, file, size and date in words).
    documents: Vec<(String, String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    staff: &Granted<ManageProcesses>,
    id: AssemblyId,
    typed: Option<AssemblyForm>,
    (notice, error, status): (Option<String>, Option<String>, StatusCode),
) -> Result<Response, PageError> {
    let (a, members, organisations, today, lottery, documents) = staff
        .tx(async |tx| {
            let a = assemblies::get(tx, id).await?;
            let documents = documents::of(tx, id).await?;
            let today = assemblies::today(tx).await?;
            let members = assemblies::members(tx, id, today).await?;
            let organisations = organisations::verified(tx).await?;
            let lottery = if a.kind() == Kind::Citizens {
                let volunteers = lottery::volunteers(tx, id).await?;
                Some((volunteers, lottery::drawn(tx, id).await?.is_some()))
            } else {
                None
            };
            Ok::<_, PageError>((a, members, organisations, today, lottery, documents))
        })
        .await?;
    let tr = &staff.tr;
    let others = staff.other_languages();
    let form = typed.unwrap_or_else(|| AssemblyForm::of(&a, &others));
    let text = |code: &str, field: &str| {
        (form.translated.get(&format!("tr-{code}-{field}")))
            .cloned()
            .unwrap_or_default()
    };
    let translations = (others.iter())
        .map(|code| LanguageTexts {
            code: code.clone(),
            name: native_name(code),
            title: text(code, "name"),
            purpose: text(code, "purpose"),
        })
        .collect();
    let page = AssemblyPage {
        tr,
        chrome: &staff.chrome,
        id: a.id.to_string(),
        slug: a.slug.clone(),
        published: a.published,
        translations,
        form,
        kinds: kinds(tr),
        districts: staff.districts(),
        members: (members.iter())
            .map(|m| MemberLine {
                id: m.id.to_string(),
                name: if m.representative.is_empty() {
                    m.name.clone()
                } else {
                    format!("{} ({})", m.name, m.representative)
                },
                role: tr.t(&format!("assembly-role-{}", m.role)),
                term: match m.term_ends {
                    Some(ends) => format!("{} – {}", tr.day(m.term_starts), tr.day(ends)),
                    None => tr.with("assembly-since", "date", &tr.day(m.term_starts)),
                },
                current: m.current,
            })
            .collect(),
        member_kinds: (MemberKind::ALL.iter())
            .map(|k| (k.as_str(), tr.t(&format!("assembly-member-{}", k.as_str()))))
            .collect(),
        roles: (Role::ALL.iter())
            .map(|r| (r.as_str(), tr.t(&format!("assembly-role-{}", r.as_str()))))
            .collect(),
        organisations: (organisations.into_iter())
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        today: today.to_string(),
        lottery: lottery.map(|(n, drawn)| (tr.count("assembly-volunteers", n), drawn)),
        documents: (documents.into_iter())
            .map(|d| {
                let about = crate::assemblies::document_about(tr, &d);
                (d.id.to_string(), d.title, d.file, about)
            })
            .collect(),
        notice,
        error,
    };
    staff.render_status(status, &page)
}

/// `GET /staff/assemblies/{id}`.
pub async fn show(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
) -> Result<Response, PageError> {
    page(&staff, id, None, (None, None, StatusCode::OK)).await
}

/// `POST /staff/assemblies/{id}`: new texts.
pub async fn update(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
    CsrfForm(form): CsrfForm<AssemblyForm>,
) -> Result<Response, PageError> {
    let new = form.assembly();
    let actor = staff.actor();
    match staff
        .attempt("staff-assembly", async |tx| {
            assemblies::update(tx, &actor, id, &new).await
        })
        .await?
    {
        Ok(()) => {
            let notice = Some(staff.tr.t("staff-assembly-saved"));
            page(&staff, id, None, (notice, None, StatusCode::OK)).await
        }
        Err(message) => {
            let outcome = (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
            page(&staff, id, Some(form), outcome).await
        }
    }
}

/// `POST /staff/assemblies/{id}/publish`.
pub async fn publish(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    staff
        .change(async |tx| Ok::<_, PageError>(assemblies::publish(tx, &actor, id).await?))
        .await?;
    Ok(Redirect::to(&format!("/staff/assemblies/{id}")).into_response())
}

/// The new-member form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    kind: String,
    name: String,
    email: String,
    organisation: String,
    representative: String,
    role: String,
    starts: String,
    ends: String,
}

/// `POST /staff/assemblies/{id}/members`.
pub async fn add_member(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let day = cabildo_engine::census::import::parse_day;
    let ends = match form.ends.trim() {
        "" => Ok(None),
        text => day(text).map(Some).ok_or(()),
    };
    let (Some(starts), Ok(ends)) = (day(&form.starts), ends) else {
        let message = format!(
            "{}: {}",
            tr.t("staff-assembly-field-term"),
            tr.t("refusal-dates-invalid")
        );
        return page(
            &staff,
            id,
            None,
            (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
        )
        .await;
    };
    let new = NewMember {
        kind: form.kind.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        organisation: form.organisation.trim().parse().ok(),
        representative: form.representative.clone(),
        role: form.role.clone(),
        term_starts: starts,
        term_ends: ends,
    };
    let actor = staff.actor();
    let outcome = match staff
        .attempt("staff-assembly", async |tx| {
            assemblies::add_member(tx, &actor, id, &new).await
        })
        .await?
    {
        Ok(_) => (
            Some(tr.t("staff-assembly-member-added")),
            None,
            StatusCode::OK,
        ),
        Err(message) => (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
    };
    page(&staff, id, None, outcome).await
}

/// The end-of-term form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    /// The last day of the term.
    last_day: String,
}

/// `POST /staff/assemblies/{id}/members/{member}/end`.
pub async fn end_term(
    staff: Granted<ManageProcesses>,
    axum::extract::Path((id, member)): axum::extract::Path<(String, String)>,
    CsrfForm(form): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let id: AssemblyId = id.parse().map_err(|_| PageError::NotFound)?;
    let member: MemberId = member.parse().map_err(|_| PageError::NotFound)?;
    let Some(last_day) = cabildo_engine::census::import::parse_day(&form.last_day) else {
        let message = staff.tr.t("refusal-dates-invalid");
        return page(
            &staff,
            id,
            None,
            (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
        )
        .await;
    };
    let actor = staff.actor();
    staff
        .change(async |tx| {
            Ok::<_, PageError>(assemblies::end_term(tx, &actor, id, member, last_day).await?)
        })
        .await?;
    Ok(Redirect::to(&format!("/staff/assemblies/{id}#members")).into_response())
}

/// The draw form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DrawForm {
    seed: String,
    seats: String,
}

/// `POST /staff/assemblies/{id}/draw`: draws the members by lot, once.
pub async fn draw(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
    CsrfForm(form): CsrfForm<DrawForm>,
) -> Result<Response, PageError> {
    let seats: i32 = form.seats.trim().parse().unwrap_or(0);
    let actor = staff.actor();
    let outcome = match staff
        .attempt("staff-assembly", async |tx| {
            lottery::run(tx, &actor, id, &form.seed, seats).await
        })
        .await?
    {
        Ok(log) => {
            let drawn: usize = log.iter().map(|s| s.drawn.len()).sum();
            let n = i64::try_from(drawn).unwrap_or(0);
            (
                Some(staff.tr.count("staff-assembly-drawn", n)),
                None,
                StatusCode::OK,
            )
        }
        Err(message) => (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
    };
    page(&staff, id, None, outcome).await
}

/// `POST /staff/assemblies/{id}/documents` (multipart: `title`, `file`):
/// attaches a PDF.
pub async fn add_document(
    staff: Granted<ManageProcesses>,
    Id(id): Id<AssemblyId>,
    upload: Upload,
) -> Result<Response, PageError> {
    let refused = |message: String, status| (None, Some(message), status);
    let document = match Picture::check_pdf(upload.file("file")) {
        Ok(document) => document,
        Err(why) => {
            let outcome = refused(coded(&staff.tr, "refusal", why.code()), why.status());
            return page(&staff, id, None, outcome).await;
        }
    };
    let (title, user, actor) = (upload.text("title"), staff.user(), staff.actor());
    let bytes = document.size() as i64;
    let added = staff
        .change(async |tx| {
            documents::add(tx, &actor, id, &title, document.name(), bytes).await?;
            Ok::<_, PageError>(staff.stage(user, &document).await?)
        })
        .await;
    match added {
        Ok(staged) => {
            staged.keep(None).await?;
            let notice = Some(staff.tr.t("staff-assembly-document-added"));
            page(&staff, id, None, (notice, None, StatusCode::OK)).await
        }
        Err(error) => {
            let message = error.form_message(&staff.tr, "staff-assembly")?;
            let outcome = refused(message, StatusCode::UNPROCESSABLE_ENTITY);
            page(&staff, id, None, outcome).await
        }
    }
}

/// `POST /staff/assemblies/{id}/documents/{document}/remove`.
pub async fn remove_document(
    staff: Granted<ManageProcesses>,
    axum::extract::Path((id, document)): axum::extract::Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id: AssemblyId = id.parse().map_err(|_| PageError::NotFound)?;
    let document: DocumentId = document.parse().map_err(|_| PageError::NotFound)?;
    let actor = staff.actor();
    let file = staff
        .change(async |tx| Ok::<_, PageError>(documents::remove(tx, &actor, id, document).await?))
        .await?;
    let tenant = staff.tenant.id;
    if let Err(error) = staff.state.config.media.remove(tenant, &file, false).await {
        tracing::warn!(%error, "a removed document's file could not be deleted");
    }
    let notice = Some(staff.tr.t("staff-assembly-document-removed"));
    page(&staff, id, None, (notice, None, StatusCode::OK)).await
}
