//! Assemblies as citizens see them: the list (`/assemblies`) and each
//! assembly's page — its purpose, members whose term runs today and past
//! ones, meetings to come and held (with their minutes and agreements)
//! and its calendar. Staff pages are in [`staff`].

mod staff;

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::Id;
use crate::http::state::AppState;
use crate::meetings::{Row, row};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use cabildo_engine::assemblies::{self, Assembly, Member};
use cabildo_engine::meetings::{self, Scope, When};

/// The assembly pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assemblies", get(list))
        .route("/assemblies/{slug}", get(show))
        .merge(staff::router())
}

/// An assembly in a list.
struct Card {
    href: String,
    name: String,
    name_lang: Option<String>,
    kind: String,
}

fn card(council: &Council, a: &Assembly) -> Card {
    let tr = &council.tr;
    let name = (a.translations).show(
        "name",
        &a.name,
        tr.code(),
        &council.settings.default_language,
    );
    Card {
        href: format!("/assemblies/{}", a.slug),
        name: name.text,
        name_lang: name.lang,
        kind: kind_label(council, a),
    }
}

/// "Consejo de distrito · Casco Histórico".
fn kind_label(council: &Council, a: &Assembly) -> String {
    let kind = council.tr.t(&format!("assembly-kind-{}", a.kind));
    let district = (a.district.as_ref())
        .and_then(|code| council.settings.districts.iter().find(|d| d.code == *code))
        .map(|d| d.name.clone());
    match district {
        Some(name) => format!("{kind} · {name}"),
        None => kind,
    }
}

#[derive(Template)]
#[template(path = "assemblies.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    cards: Vec<Card>,
}

/// `GET /assemblies`.
pub async fn list(council: Council) -> Result<Response, PageError> {
    let all = council
        .tx(async |tx| Ok::<_, PageError>(assemblies::published(tx).await?))
        .await?;
    council.render(&ListPage {
        tr: &council.tr,
        chrome: &council.chrome,
        cards: all.iter().map(|a| card(&council, a)).collect(),
    })
}

/// A member as the page lists them.
struct MemberView {
    name: String,
    /// Role, and the organisation's representative.
    role: String,
    term: String,
}

fn member(tr: &Tr, m: &Member) -> MemberView {
    let mut role = tr.t(&format!("assembly-role-{}", m.role));
    if !m.representative.is_empty() {
        role.push_str(" · ");
        role.push_str(&tr.with("assembly-represented-by", "name", &m.representative));
    }
    let term = match m.term_ends {
        Some(ends) => format!("{} – {}", tr.day(m.term_starts), tr.day(ends)),
        None => tr.with("assembly-since", "date", &tr.day(m.term_starts)),
    };
    MemberView {
        name: m.name.clone(),
        role,
        term,
    }
}

#[derive(Template)]
#[template(path = "assembly.html")]
struct AssemblyPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    card: Card,
    slug: String,
    purpose: String,
    purpose_lang: Option<String>,
    members: Vec<MemberView>,
    former: Vec<MemberView>,
    upcoming: Vec<Row>,
    past: Vec<Row>,
}

/// `GET /assemblies/{slug}`.
pub async fn show(council: Council, Id(slug): Id<String>) -> Result<Response, PageError> {
    let (assembly, members, upcoming, past) = council
        .tx(async |tx| {
            let a = assemblies::find_by_slug(tx, &slug)
                .await?
                .ok_or(PageError::NotFound)?;
            let today = assemblies::today(tx).await?;
            let members = assemblies::members(tx, a.id, today).await?;
            let upcoming = meetings::list(tx, Scope::Assembly(a.id), When::Upcoming).await?;
            let past = meetings::list(tx, Scope::Assembly(a.id), When::Past).await?;
            Ok::<_, PageError>((a, members, upcoming, past))
        })
        .await?;
    let tr = &council.tr;
    let purpose = (assembly.translations).show(
        "purpose",
        &assembly.purpose,
        tr.code(),
        &council.settings.default_language,
    );
    council.render(&AssemblyPage {
        tr,
        chrome: &council.chrome,
        card: card(&council, &assembly),
        slug: assembly.slug.clone(),
        purpose: cabildo_notify::markdown::render(&purpose.text),
        purpose_lang: purpose.lang,
        members: (members.iter().filter(|m| m.current))
            .map(|m| member(tr, m))
            .collect(),
        former: (members.iter().filter(|m| !m.current))
            .map(|m| member(tr, m))
            .collect(),
        upcoming: upcoming.iter().map(|m| row(&council, m)).collect(),
        past: past.iter().map(|m| row(&council, m)).collect(),
    })
}
