//! Calendar feeds (iCalendar) of meetings: the council's, a process's,
//! an assembly's, one meeting's, and a person's own (the meetings they
//! registered for, wait for or were invited to) under a secret address
//! signed with the deployment's secret and the person's calendar key, so
//! that resetting the key ends the old address.

pub mod ics;

use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, NoFields};
use crate::http::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cabildo_engine::meetings::{self, Meeting, Scope, When};
use cabildo_engine::{MeetingId, UserId, assemblies, processes};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The feed routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar.ics", get(council_feed))
        .route("/processes/{slug}/calendar.ics", get(process_feed))
        .route("/assemblies/{slug}/calendar.ics", get(assembly_feed))
        .route("/meetings/{id}/calendar.ics", get(meeting_feed))
        .route("/calendar/{key}/meetings.ics", get(personal_feed))
        .route("/account/calendar/reset", post(reset))
}

/// The MAC that signs a person's feed address.
fn mac(council: &Council, user: UserId, key: i32) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&council.state.secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"calendar\0");
    mac.update(council.tenant.id.0.as_bytes());
    mac.update(user.0.as_bytes());
    mac.update(&key.to_be_bytes());
    mac
}

/// The address of `user`'s own feed (a path), given their calendar key.
pub fn personal_path(council: &Council, user: UserId, key: i32) -> String {
    let signature = URL_SAFE_NO_PAD.encode(mac(council, user, key).finalize().into_bytes());
    format!("/calendar/{user}.{signature}/meetings.ics")
}

/// `meetings` as a calendar file named `name`.
fn feed(
    council: &Council,
    headers: &HeaderMap,
    name: &str,
    meetings: &[Meeting],
    private: bool,
) -> Response {
    let tr = &council.tr;
    let origin = council.origin(headers);
    let host = council.tenant.host(council.state.resolver.base_domain());
    let default = &council.settings.default_language;
    let events: Vec<ics::Event> = (meetings.iter())
        .map(|m| {
            let title = m.translations.show("title", &m.title, tr.code(), default);
            let description =
                (m.translations).show("description", &m.description, tr.code(), default);
            let mut text = m.host_title.clone();
            if !description.text.is_empty() {
                text.push_str("\n\n");
                text.push_str(&description.text);
            }
            if !m.agenda.is_empty() {
                text.push_str("\n\n");
                text.push_str(&tr.t("meeting-agenda"));
                for (n, item) in (1..).zip(&m.agenda) {
                    text.push_str(&format!("\n{n}. {item}"));
                }
            }
            if !m.online_url.is_empty() {
                text.push_str(&format!("\n\n{}: {}", tr.t("meeting-online"), m.online_url));
            }
            ics::Event {
                uid: format!("{}@{host}", m.id),
                summary: if m.cancelled {
                    tr.with("meeting-cancelled-summary", "title", &title.text)
                } else {
                    title.text
                },
                description: text,
                starts_at: m.starts_at,
                ends_at: m.ends_at,
                location: if m.address.is_empty() {
                    m.online_url.clone()
                } else {
                    m.address.clone()
                },
                geo: m.latitude.zip(m.longitude),
                url: format!("{origin}{}", m.link()),
                cancelled: m.cancelled,
            }
        })
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let body = ics::calendar(
        &format!("{name} — {}", council.chrome.council),
        tr.zone(),
        &events,
        now,
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if private {
            "private, no-store"
        } else {
            "public, max-age=300"
        }),
    );
    response
}

/// `GET /calendar.ics`: every meeting of the council.
pub async fn council_feed(council: Council, headers: HeaderMap) -> Result<Response, PageError> {
    let list = council
        .tx(async |tx| Ok::<_, PageError>(meetings::list(tx, Scope::All, When::Feed).await?))
        .await?;
    Ok(feed(
        &council,
        &headers,
        &council.tr.t("meetings-title"),
        &list,
        false,
    ))
}

/// `GET /processes/{slug}/calendar.ics`.
pub async fn process_feed(
    council: Council,
    headers: HeaderMap,
    Id(slug): Id<String>,
) -> Result<Response, PageError> {
    let (title, list) = council
        .tx(async |tx| {
            let (process, ..) = processes::published_by_slug(tx, &slug)
                .await?
                .ok_or(PageError::NotFound)?;
            let list = meetings::list(tx, Scope::Process(process.id), When::Feed).await?;
            Ok::<_, PageError>((process.title, list))
        })
        .await?;
    Ok(feed(&council, &headers, &title, &list, false))
}

/// `GET /assemblies/{slug}/calendar.ics`.
pub async fn assembly_feed(
    council: Council,
    headers: HeaderMap,
    Id(slug): Id<String>,
) -> Result<Response, PageError> {
    let (name, list) = council
        .tx(async |tx| {
            let assembly = assemblies::find_by_slug(tx, &slug)
                .await?
                .ok_or(PageError::NotFound)?;
            let list = meetings::list(tx, Scope::Assembly(assembly.id), When::Feed).await?;
            Ok::<_, PageError>((assembly.name, list))
        })
        .await?;
    Ok(feed(&council, &headers, &name, &list, false))
}

/// `GET /meetings/{id}/calendar.ics`: one meeting, to add to a calendar.
pub async fn meeting_feed(
    council: Council,
    headers: HeaderMap,
    Id(id): Id<MeetingId>,
) -> Result<Response, PageError> {
    let meeting = council
        .tx(async |tx| Ok::<_, PageError>(meetings::find(tx, id).await?))
        .await?
        .ok_or(PageError::NotFound)?;
    let name = meeting.title.clone();
    Ok(feed(&council, &headers, &name, &[meeting], false))
}

/// `GET /calendar/{user}.{signature}/meetings.ics`: a person's meetings,
/// for their calendar application (no cookie: the address is the key).
pub async fn personal_feed(
    council: Council,
    headers: HeaderMap,
    Id(key): Id<String>,
) -> Result<Response, PageError> {
    let (user, signed) = key.split_once('.').ok_or(PageError::NotFound)?;
    let user: UserId = user.parse().map_err(|_| PageError::NotFound)?;
    let list = council
        .tx(async |tx| {
            let Some(key) = meetings::calendar_key(tx, user).await? else {
                return Err(PageError::NotFound);
            };
            // Checked in constant time: the address is a secret.
            let signed = URL_SAFE_NO_PAD
                .decode(signed)
                .map_err(|_| PageError::NotFound)?;
            if mac(&council, user, key).verify_slice(&signed).is_err() {
                return Err(PageError::NotFound);
            }
            Ok(meetings::list(tx, Scope::Person(user), When::Feed).await?)
        })
        .await?;
    Ok(feed(
        &council,
        &headers,
        &council.tr.t("calendar-mine"),
        &list,
        true,
    ))
}

/// `POST /account/calendar/reset`: a new address for the person's feed.
pub async fn reset(
    citizen: Citizen,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let user = citizen.user();
    citizen
        .tx(async |tx| Ok::<_, PageError>(meetings::reset_calendar_key(tx, user).await?))
        .await?;
    Ok(Redirect::to("/account#calendar").into_response())
}
