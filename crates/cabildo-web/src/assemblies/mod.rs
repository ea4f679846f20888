//! Assemblies as citizens see them: the list (`/assemblies`) and each
//! assembly's page — its purpose, members whose term runs today and past
//! ones, meetings to come and held (with their minutes and agreements)
//! and its calendar. Staff pages are in [`staff`].

pub(crate) mod staff;

use crate::http::council::Council;
use crate::http::error::{PageError, refusal_status};
use crate::http::extract::{Citizen, CsrfForm, Id};
use crate::http::state::AppState;
use crate::meetings::{Row, row};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cabildo_engine::assemblies::documents::{self, Document};
use cabildo_engine::assemblies::lottery::{self, Drawn, SEXES};
use cabildo_engine::assemblies::{self, Assembly, Kind, Member};
use cabildo_engine::meetings::{self, Scope, When};
use cabildo_engine::{AssemblyId, Error as EngineError};
use serde::Deserialize;

/// The assembly pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assemblies", get(list))
        .route("/assemblies/{slug}", get(show))
        .route("/assemblies/{slug}/volunteer", post(volunteer))
        .route("/assemblies/{slug}/withdraw", post(withdraw))
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
    /// A citizens' assembly's draw by lot.
    lottery: Option<LotteryView>,
    /// (title, file, size and date in words).
    documents: Vec<(String, String, String)>,
    error: Option<String>,
}

/// The draw by lot as the assembly's page shows it.
struct LotteryView {
    volunteers: String,
    /// The visitor's ticket, when they volunteered.
    ticket: Option<String>,
    /// The draw is still to run.
    open: bool,
    /// Offer the form (logged in, not yet volunteered, draw open).
    form: bool,
    login: Option<String>,
    /// (value, label).
    sexes: Vec<(&'static str, String)>,
    drawn: Option<DrawView>,
}

/// A draw's published log.
struct DrawView {
    summary: String,
    /// (district, age band, residents, volunteers, seats due, tickets).
    rows: Vec<(String, String, String, String, String, String)>,
}

/// What the page loads for a citizens' assembly's draw.
struct Lottery {
    volunteers: i64,
    ticket: Option<i32>,
    drawn: Option<Drawn>,
}

fn lottery_view(council: &Council, slug: &str, lottery: Lottery) -> LotteryView {
    let tr = &council.tr;
    let district = |code: &str| {
        (council.settings.districts.iter())
            .find(|d| d.code == code)
            .map_or_else(|| code.to_owned(), |d| d.name.clone())
    };
    let band = |first: u8| match first {
        65 => tr.t("assembly-band-65"),
        first => {
            let last = cabildo_engine::assemblies::draw::AGE_BANDS
                .iter()
                .find(|b| **b > first)
                .map_or(0, |b| b - 1);
            tr.args(
                "assembly-band",
                &[("first", first.to_string()), ("last", last.to_string())],
            )
        }
    };
    let user = council.user();
    LotteryView {
        volunteers: tr.count("assembly-volunteers", lottery.volunteers),
        ticket: lottery.ticket.map(|t| t.to_string()),
        open: lottery.drawn.is_none(),
        form: user.is_some() && lottery.ticket.is_none() && lottery.drawn.is_none(),
        login: user
            .is_none()
            .then(|| format!("/account/login?next=/assemblies/{slug}")),
        sexes: (SEXES.iter())
            .map(|s| (*s, tr.t(&format!("assembly-sex-{s}"))))
            .collect(),
        drawn: lottery.drawn.map(|d| DrawView {
            summary: tr.args(
                "assembly-drawn-summary",
                &[
                    ("date", tr.date_time(d.drawn_at)),
                    ("seed", d.seed.clone()),
                    ("seats", d.seats.to_string()),
                ],
            ),
            rows: (d.log.iter())
                .map(|s| {
                    let drawn: Vec<String> = s.drawn.iter().map(i64::to_string).collect();
                    (
                        district(&s.district),
                        band(s.age_band),
                        tr.number(s.census),
                        tr.number(i64::try_from(s.volunteers).unwrap_or(0)),
                        s.due.to_string(),
                        if drawn.is_empty() {
                            "—".to_owned()
                        } else {
                            drawn.join(", ")
                        },
                    )
                })
                .collect(),
        }),
    }
}

/// `GET /assemblies/{slug}`.
pub async fn show(council: Council, Id(slug): Id<String>) -> Result<Response, PageError> {
    page(&council, &slug, None).await
}

async fn page(
    council: &Council,
    slug: &str,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let user = council.user();
    let (assembly, members, upcoming, past, lottery, documents) = council
        .tx(async |tx| {
            let a = assemblies::find_by_slug(tx, slug)
                .await?
                .ok_or(PageError::NotFound)?;
            let today = assemblies::today(tx).await?;
            let members = assemblies::members(tx, a.id, today).await?;
            let upcoming = meetings::list(tx, Scope::Assembly(a.id), When::Upcoming).await?;
            let past = meetings::list(tx, Scope::Assembly(a.id), When::Past).await?;
            let lottery = if a.kind() == Kind::Citizens {
                Some(Lottery {
                    volunteers: lottery::volunteers(tx, a.id).await?,
                    ticket: match user {
                        Some(user) => lottery::ticket_of(tx, a.id, user).await?,
                        None => None,
                    },
                    drawn: lottery::drawn(tx, a.id).await?,
                })
            } else {
                None
            };
            let documents = documents::of(tx, a.id).await?;
            Ok::<_, PageError>((a, members, upcoming, past, lottery, documents))
        })
        .await?;
    let tr = &council.tr;
    let purpose = (assembly.translations).show(
        "purpose",
        &assembly.purpose,
        tr.code(),
        &council.settings.default_language,
    );
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let mut response = council.render_status(
        status,
        &AssemblyPage {
            lottery: lottery.map(|l| lottery_view(council, &assembly.slug, l)),
            documents: (documents.into_iter())
                .map(|d| {
                    let about = document_about(tr, &d);
                    (d.title, d.file, about)
                })
                .collect(),
            error,
            tr,
            chrome: &council.chrome,
            card: card(council, &assembly),
            slug: assembly.slug.clone(),
            purpose: cabildo_notify::markdown::render(&purpose.text),
            purpose_lang: purpose.lang,
            members: (members.iter().filter(|m| m.current))
                .map(|m| member(tr, m))
                .collect(),
            former: (members.iter().filter(|m| !m.current))
                .map(|m| member(tr, m))
                .collect(),
            upcoming: upcoming.iter().map(|m| row(council, m)).collect(),
            past: past.iter().map(|m| row(council, m)).collect(),
        },
    )?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// A document's kind, size and date in words: `PDF, 240 kB · 3/12/2026`.
pub(crate) fn document_about(tr: &Tr, d: &Document) -> String {
    let size = match d.bytes {
        ..1_000_000 => format!("{} kB", (d.bytes + 999) / 1000),
        bytes => {
            let tenths = (bytes + 50_000) / 100_000;
            let point = if tr.code() == "en" { '.' } else { ',' };
            format!("{}{point}{} MB", tenths / 10, tenths % 10)
        }
    };
    tr.args(
        "assembly-document-about",
        &[("size", size), ("date", tr.date(d.created_at))],
    )
}

/// The volunteer form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VolunteerForm {
    sex: String,
}

/// Runs a change to the visitor's place in the draw and shows the page
/// again (with the refusal, when a rule said no).
async fn act(
    citizen: &Citizen,
    slug: &str,
    work: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx, AssemblyId) -> Result<(), EngineError>,
) -> Result<Response, PageError> {
    let done = citizen
        .tx(async |tx| {
            let a = assemblies::find_by_slug(tx, slug)
                .await?
                .ok_or(PageError::NotFound)?;
            Ok::<_, PageError>(EngineError::split(work(tx, a.id).await)?)
        })
        .await;
    match done {
        Ok(Ok(())) => Ok(Redirect::to(&format!("/assemblies/{slug}#draw")).into_response()),
        Ok(Err(refusal)) => {
            let message = citizen.tr.t(refusal.key());
            page(citizen, slug, Some((refusal_status(refusal), message))).await
        }
        Err(PageError::Invalid(_)) => {
            let message = citizen.tr.t("assembly-sex-choose");
            page(
                citizen,
                slug,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
        }
        Err(error) => Err(error),
    }
}

/// `POST /assemblies/{slug}/volunteer`: the visitor's name in the draw.
pub async fn volunteer(
    citizen: Citizen,
    Id(slug): Id<String>,
    CsrfForm(form): CsrfForm<VolunteerForm>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    act(&citizen, &slug, async |tx, id| {
        lottery::volunteer(tx, id, user, form.sex.trim())
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /assemblies/{slug}/withdraw`: out of the draw.
pub async fn withdraw(
    citizen: Citizen,
    Id(slug): Id<String>,
    CsrfForm(_): CsrfForm<crate::http::extract::NoFields>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    act(&citizen, &slug, async |tx, id| {
        lottery::withdraw(tx, id, user).await
    })
    .await
}
