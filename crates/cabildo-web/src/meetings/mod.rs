//! Meetings as citizens see them: the council's upcoming and past
//! meetings (`/meetings`), a meeting's page with its agenda, place, how
//! to take part, the visitor's registration and entry code, and after it
//! the minutes and agreements; registering and giving a place back. Staff
//! pages are in [`staff`]; reminders are sent by [`reminders`].

pub mod reminders;
mod staff;

use crate::comments::view::{self, CommentsView};
use crate::http::council::Council;
use crate::http::error::{PageError, refusal_status};
use crate::http::extract::{Citizen, CsrfForm, Id, NoFields};
use crate::http::query::DetailQuery;
use crate::http::state::AppState;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cabildo_engine::meetings::minutes::{self, Agreement};
use cabildo_engine::meetings::registrations::{self, Standing, Status};
use cabildo_engine::meetings::{self, Meeting, Registration, Scope, When};
use cabildo_engine::{Error as EngineError, MeetingId, ProcessId};

/// The meeting pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/register", post(register))
        .route("/meetings/{id}/cancel", post(cancel))
        .merge(staff::router())
}

/// A meeting in a list.
pub struct Row {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) title_lang: Option<String>,
    pub(crate) when: String,
    /// `YYYY-MM-DDTHH:MM` for `<time datetime>`.
    pub(crate) datetime: String,
    pub(crate) place: String,
    pub(crate) host: String,
    pub(crate) host_href: String,
    /// Cancelled, full, places left … (empty when there is nothing to say).
    pub(crate) state: String,
    /// Its number on the map beside the list, when it has a place on it.
    pub(crate) marker: Option<usize>,
}

/// The map of `meetings` (those with a point), numbering their `rows` as
/// its markers; none without a tile server or points.
pub fn map_of(council: &Council, meetings: &[Meeting], rows: &mut [Row]) -> Option<String> {
    let tiles = council.state.config.maps.as_ref()?;
    let mut points = Vec::new();
    for (m, row) in meetings.iter().zip(rows.iter_mut()) {
        if let Some(point) = m.latitude.zip(m.longitude) {
            points.push(point);
            row.marker = (meetings.len() > 1).then_some(points.len());
        }
    }
    if points.len() < 2 {
        for row in rows.iter_mut() {
            row.marker = None;
        }
    }
    crate::ui::map::svg(tiles, &points, &council.tr.t("meetings-map"))
}

/// The words for a meeting's time: `10/12/2026 19:00–21:00`, or both
/// dates when it runs past midnight.
pub fn when(tr: &Tr, m: &Meeting) -> String {
    let zone = tr.zone();
    let (starts, ends) = (zone.local(m.starts_at), zone.local(m.ends_at));
    if starts.date() == ends.date() {
        format!(
            "{}–{:02}:{:02}",
            tr.date_time(m.starts_at),
            ends.hour(),
            ends.minute()
        )
    } else {
        format!(
            "{} – {}",
            tr.date_time(m.starts_at),
            tr.date_time(m.ends_at)
        )
    }
}

/// What to say of a meeting's places.
fn state(tr: &Tr, m: &Meeting) -> String {
    if m.cancelled {
        return tr.t("meeting-state-cancelled");
    }
    if m.started && !m.ended {
        return tr.t("meeting-state-running");
    }
    if m.ended {
        return if m.minutes_published {
            tr.t("meeting-state-minutes")
        } else {
            tr.t("meeting-state-held")
        };
    }
    match (m.registration(), m.places_left()) {
        (Registration::None, _) => tr.t("meeting-state-no-registration"),
        (Registration::Invitation, _) => tr.t("meeting-state-invitation"),
        (Registration::Open, Some(0)) => tr.t("meeting-state-full"),
        (Registration::Open, Some(left)) => tr.count("meeting-state-places", left),
        (Registration::Open, None) => tr.t("meeting-state-open"),
    }
}

/// A meeting as lists show it, in the reader's language.
pub fn row(council: &Council, m: &Meeting) -> Row {
    let tr = &council.tr;
    let default = &council.settings.default_language;
    let title = m.translations.show("title", &m.title, tr.code(), default);
    let local = tr.zone().local(m.starts_at);
    Row {
        href: m.link(),
        title: title.text,
        title_lang: title.lang,
        when: when(tr, m),
        datetime: format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute()),
        place: if m.address.is_empty() {
            tr.t("meeting-online-only")
        } else {
            m.address.clone()
        },
        host: m.host_title.clone(),
        host_href: m.host_link.clone(),
        state: state(tr, m),
        marker: None,
    }
}

/// The council's next `most` meetings, as lists show them. Kept in the
/// read cache: the home page costs no transaction for them (places left
/// may lag a few seconds behind registrations).
pub async fn upcoming(council: &Council, most: usize) -> Result<Vec<Row>, PageError> {
    let list = council
        .cached("meetings:upcoming".to_owned(), async |tx| {
            let mut list = meetings::list(tx, Scope::All, When::Upcoming).await?;
            list.truncate(most);
            Ok::<_, PageError>(list)
        })
        .await?;
    Ok(list.iter().take(most).map(|m| row(council, m)).collect())
}

/// A process's meetings not yet ended, as lists show them (read cache),
/// and their map.
pub async fn of_process(
    council: &Council,
    process: ProcessId,
) -> Result<(Vec<Row>, Option<String>), PageError> {
    let list = council
        .cached(format!("meetings:{process}"), async |tx| {
            let list = meetings::list(tx, Scope::Process(process), When::Upcoming).await?;
            Ok::<_, PageError>(list)
        })
        .await?;
    let mut rows: Vec<Row> = list.iter().map(|m| row(council, m)).collect();
    let map = map_of(council, &list, &mut rows);
    Ok((rows, map))
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    upcoming: Vec<Row>,
    past: Vec<Row>,
    /// The upcoming meetings on a map.
    map: Option<String>,
    attribution: String,
}

/// `GET /meetings`: the council's meetings, upcoming then past.
pub async fn list(council: Council) -> Result<Response, PageError> {
    let (upcoming, past) = council
        .tx(async |tx| {
            let upcoming = meetings::list(tx, Scope::All, When::Upcoming).await?;
            let past = meetings::list(tx, Scope::All, When::Past).await?;
            Ok::<_, PageError>((upcoming, past))
        })
        .await?;
    let mut rows: Vec<Row> = upcoming.iter().map(|m| row(&council, m)).collect();
    let map = map_of(&council, &upcoming, &mut rows);
    let page = council.render(&ListPage {
        tr: &council.tr,
        chrome: &council.chrome,
        upcoming: rows,
        past: past.iter().take(50).map(|m| row(&council, m)).collect(),
        attribution: crate::places::attribution(&council),
        map: map.clone(),
    })?;
    Ok(crate::places::with_map(&council, page, map.is_some()))
}

/// The visitor's part in a meeting, as its page shows it.
struct Part {
    /// What to tell them (registered, waiting, invited …).
    message: Option<String>,
    /// Their entry code, grouped for reading (`ABCD EFGH`).
    code: Option<String>,
    /// The code as a QR code (SVG) of the door's check-in address.
    qr: Option<String>,
    /// Offer to register (with this button text).
    register: Option<String>,
    /// Offer to give the place back.
    cancel: bool,
    /// Log in first (the address to come back to).
    login: Option<String>,
}

fn part(tr: &Tr, m: &Meeting, user: bool, standing: Option<&Standing>) -> Part {
    let mut part = Part {
        message: None,
        code: None,
        qr: None,
        register: None,
        cancel: false,
        login: None,
    };
    let open = !m.cancelled && !m.started && m.registration() != Registration::None;
    match standing {
        Some(s) if s.status == Status::Registered => {
            part.message = Some(match s.attended_at {
                Some(at) => tr.with("meeting-you-attended", "time", &tr.date_time(at)),
                None => tr.t("meeting-you-registered"),
            });
            part.code = Some(format!("{} {}", &s.code[..4], &s.code[4..]));
            part.cancel = open;
        }
        Some(s) if s.status == Status::Waiting => {
            part.message = Some(tr.count("meeting-you-wait", s.in_line.unwrap_or(1)));
            part.cancel = open;
        }
        Some(s) if s.status == Status::Invited => {
            part.message = Some(tr.t("meeting-you-invited"));
            part.register = open.then(|| tr.t("meeting-accept"));
        }
        _ if !open => {}
        _ if !user => part.login = Some(format!("/account/login?next={}", m.link())),
        Some(_) => part.register = Some(tr.t("meeting-register-again")),
        None if m.registration() == Registration::Invitation => {
            part.message = Some(tr.t("meeting-invitation-only"));
        }
        None => {
            part.register = Some(if m.places_left() == Some(0) {
                tr.t("meeting-join-line")
            } else {
                tr.t("meeting-register")
            });
        }
    }
    part
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    row: Row,
    description: String,
    description_lang: Option<String>,
    agenda: Vec<String>,
    address: String,
    online_url: String,
    /// A map of the place on OpenStreetMap's site.
    map_link: Option<String>,
    /// The place on a map drawn from the tile server.
    map: Option<String>,
    attribution: String,
    cancelled: Option<String>,
    part: Part,
    minutes: Option<String>,
    agreements: Vec<Agreement>,
    comments: CommentsView,
    error: Option<String>,
}

async fn page(
    council: &Council,
    headers: &HeaderMap,
    id: MeetingId,
    comments_page: i64,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let user = council.user();
    let (m, standing, agreements) = council
        .tx(async |tx| {
            let m = meetings::find(tx, id).await?.ok_or(PageError::NotFound)?;
            let standing = match user {
                Some(user) => registrations::standing(tx, id, user).await?,
                None => None,
            };
            let agreements = if m.minutes_published {
                minutes::agreements(tx, id).await?
            } else {
                Vec::new()
            };
            Ok::<_, PageError>((m, standing, agreements))
        })
        .await?;
    let comments = view::load(
        council,
        cabildo_engine::content::Target::Meeting(id),
        comments_page,
        !m.cancelled,
        m.link(),
    )
    .await?;
    let tr = &council.tr;
    let default = &council.settings.default_language;
    let description = (m.translations).show("description", &m.description, tr.code(), default);
    let agenda = match m.translations.get(tr.code(), "agenda") {
        Some(lines) if tr.code() != default => lines.lines().map(str::to_owned).collect(),
        _ => m.agenda.clone(),
    };
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let mut part = part(tr, &m, user.is_some(), standing.as_ref());
    if let Some(s) = standing
        .as_ref()
        .filter(|_| part.code.is_some() && !m.ended)
    {
        // Staff at the door scan it with a phone: it opens the meeting's
        // check-in page with the code filled in.
        let door = format!(
            "{}/staff/meetings/{}?code={}",
            council.origin(headers),
            m.id,
            s.code
        );
        part.qr = crate::ui::qr::svg(&door, &tr.t("meeting-your-code"));
    }
    let page = MeetingPage {
        tr,
        chrome: &council.chrome,
        id: m.id.to_string(),
        row: row(council, &m),
        description: cabildo_notify::markdown::render(&description.text),
        description_lang: description.lang,
        agenda,
        address: m.address.clone(),
        online_url: m.online_url.clone(),
        map: crate::places::one(council, m.latitude.zip(m.longitude), &tr.t("meetings-map")),
        attribution: crate::places::attribution(council),
        map_link: m.latitude.zip(m.longitude).map(|(lat, lon)| {
            format!("https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}")
        }),
        cancelled: m.cancelled.then(|| m.cancel_reason.clone()),
        part,
        minutes: m.minutes_published.then(|| m.minutes.clone()),
        agreements,
        comments,
        error,
    };
    let map = page.map.clone();
    let mut response = crate::places::with_map(
        council,
        council.render_status(status, &page)?,
        map.is_some(),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

/// `GET /meetings/{id}`.
pub async fn show(
    council: Council,
    headers: HeaderMap,
    Id(id): Id<MeetingId>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    page(&council, &headers, id, query.comments_page(), None).await
}

/// Runs a registration change and shows the page again (with the
/// refusal, when a rule said no).
async fn act(
    citizen: &Citizen,
    headers: &HeaderMap,
    id: MeetingId,
    work: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx) -> Result<(), EngineError>,
) -> Result<Response, PageError> {
    let done = citizen
        .tx(async |tx| Ok::<_, PageError>(EngineError::split(work(tx).await)?))
        .await?;
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}#take-part")).into_response()),
        Err(refusal) => {
            let message = citizen.tr.t(refusal.key());
            let status = refusal_status(refusal);
            page(citizen, headers, id, 1, Some((status, message))).await
        }
    }
}

/// `POST /meetings/{id}/register`.
pub async fn register(
    citizen: Citizen,
    headers: HeaderMap,
    Id(id): Id<MeetingId>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    act(&citizen, &headers, id, async |tx| {
        registrations::register(tx, id, user).await.map(|_| ())
    })
    .await
}

/// `POST /meetings/{id}/cancel`: gives the place back.
pub async fn cancel(
    citizen: Citizen,
    headers: HeaderMap,
    Id(id): Id<MeetingId>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    act(&citizen, &headers, id, async |tx| {
        registrations::cancel(tx, id, user).await
    })
    .await
}
