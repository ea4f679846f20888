//! Meetings as staff run them: every meeting with a form to create one
//! in a process or an assembly (`/staff/meetings`), and a meeting's own
//! page to change, publish or cancel it, invite people, check entry codes
//! at the door (typed, or arriving in the address from a scanned QR
//! code) and publish the minutes and agreements.

use crate::http::error::PageError;
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted, Id};
use crate::http::state::AppState;
use crate::meetings::{Row, row};
use crate::places::picker::{Place, PlaceForm};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cabildo_engine::meetings::minutes::{self, Attendee, NewAgreement};
use cabildo_engine::meetings::{self, Meeting, NewMeeting, Registration, registrations};
use cabildo_engine::{
    AssemblyId, Error as EngineError, MeetingId, ProcessId, assemblies, processes,
};
use cabildo_tenancy::TenantTx;
use serde::Deserialize;
use time::Time;

/// The staff meeting pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/meetings", get(list).post(create))
        .route("/staff/meetings/{id}", get(show).post(update))
        .route("/staff/meetings/{id}/publish", post(publish))
        .route("/staff/meetings/{id}/cancel", post(cancel))
        .route("/staff/meetings/{id}/invite", post(invite))
        .route("/staff/meetings/{id}/check-in", post(check_in))
        .route("/staff/meetings/{id}/minutes", post(publish_minutes))
}

/// A meeting's form, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    /// `process:{id}` or `assembly:{id}` (creating only).
    host: String,
    title: String,
    description: String,
    /// One item per line.
    agenda: String,
    day: String,
    starts: String,
    ends: String,
    /// Address and point.
    #[serde(flatten)]
    place: PlaceForm,
    online_url: String,
    capacity: String,
    registration: String,
    /// Publish at once (creating only).
    publish: String,
}

impl MeetingForm {
    fn of(m: &Meeting, tr: &Tr) -> Self {
        let zone = tr.zone();
        let (starts, ends) = (zone.local(m.starts_at), zone.local(m.ends_at));
        Self {
            host: String::new(),
            title: m.title.clone(),
            description: m.description.clone(),
            agenda: m.agenda.join("\n"),
            day: starts.date().to_string(),
            starts: format!("{:02}:{:02}", starts.hour(), starts.minute()),
            ends: format!("{:02}:{:02}", ends.hour(), ends.minute()),
            place: PlaceForm::of(&m.address, m.latitude.zip(m.longitude)),
            online_url: m.online_url.clone(),
            capacity: m.capacity.map(|c| c.to_string()).unwrap_or_default(),
            registration: m.registration.clone(),
            publish: String::new(),
        }
    }

    /// The meeting typed, or the first problem to show. A meeting ending
    /// at or before its start time ends the next day (evening meetings
    /// past midnight).
    fn meeting(&self, tr: &Tr) -> Result<NewMeeting, String> {
        let field = |name: &str, problem: &str| {
            format!(
                "{}: {}",
                tr.t(&format!("staff-meeting-field-{name}")),
                tr.t(problem)
            )
        };
        let (host_process, host_assembly) = match self.host.split_once(':') {
            Some(("process", id)) => (id.parse::<ProcessId>().ok(), None),
            Some(("assembly", id)) => (None, id.parse::<AssemblyId>().ok()),
            _ => (None, None),
        };
        let day = cabildo_engine::census::import::parse_day(&self.day);
        let clock = |text: &str| {
            let (h, m) = text.trim().split_once(':')?;
            Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
        };
        let (Some(day), Some(starts), Some(ends)) = (day, clock(&self.starts), clock(&self.ends))
        else {
            return Err(field("dates", "error-meeting-time"));
        };
        let zone = tr.zone();
        let starts_at = zone.at(day, starts);
        let mut ends_at = zone.at(day, ends);
        if ends_at <= starts_at {
            ends_at = day.next_day().map_or(starts_at, |next| zone.at(next, ends));
        }
        let point = (self.place.point()).map_err(|()| field("point", "error-point-invalid"))?;
        let capacity = match self.capacity.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .map_err(|_| field("capacity", "refusal-number-invalid"))?,
            ),
        };
        Ok(NewMeeting {
            process: host_process,
            assembly: host_assembly,
            title: self.title.clone(),
            description: self.description.clone(),
            agenda: self.agenda.lines().map(str::to_owned).collect(),
            translations: Default::default(),
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            address: self.place.address.clone(),
            point,
            online_url: self.online_url.clone(),
            capacity,
            registration: self.registration.clone(),
        })
    }
}

/// Places `new` on the map from its address when staff gave no point
/// (see [`crate::places::locate`]); returns whether an address was left without
/// a point.
async fn place(staff: &Granted<ManageProcesses>, new: &mut NewMeeting) -> Result<bool, PageError> {
    let (point, unplaced) = crate::places::locate(staff, &new.address, new.point).await?;
    new.point = point;
    Ok(unplaced)
}

#[derive(Template)]
#[template(path = "staff_meetings.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    /// (row, draft).
    meetings: Vec<(Row, bool, String)>,
    /// (value, label) of processes and assemblies.
    hosts: Vec<(String, String)>,
    form: MeetingForm,
    place: Place,
    kinds: Vec<(&'static str, String)>,
    error: Option<String>,
}

fn kinds(tr: &Tr) -> Vec<(&'static str, String)> {
    Registration::ALL
        .iter()
        .map(|r| {
            (
                r.as_str(),
                tr.t(&format!("meeting-registration-{}", r.as_str())),
            )
        })
        .collect()
}

async fn list_page(
    staff: &Granted<ManageProcesses>,
    form: MeetingForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (all, processes, assemblies) = staff
        .tx(async |tx| {
            let all = meetings::all(tx).await?;
            let processes = processes::all(tx).await?;
            let assemblies = assemblies::all(tx).await?;
            Ok::<_, PageError>((all, processes, assemblies))
        })
        .await?;
    let tr = &staff.tr;
    let mut hosts: Vec<(String, String)> = (processes.iter())
        .map(|p| (format!("process:{}", p.id), p.title.clone()))
        .collect();
    hosts.extend(
        assemblies
            .iter()
            .map(|a| (format!("assembly:{}", a.id), a.name.clone())),
    );
    let page = ListPage {
        tr,
        chrome: &staff.chrome,
        meetings: (all.iter())
            .map(|m| {
                (
                    row(staff, m),
                    !m.published,
                    format!("/staff/meetings/{}", m.id),
                )
            })
            .collect(),
        hosts,
        place: Place::new(staff, form.place.clone(), "m").await?,
        form,
        kinds: kinds(tr),
        error,
    };
    let rendered = staff.render_status(status, &page)?;
    Ok(crate::places::with_map(
        staff,
        rendered,
        page.place.map.is_some(),
    ))
}

/// `GET /staff/meetings`.
pub async fn list(staff: Granted<ManageProcesses>) -> Result<Response, PageError> {
    let form = MeetingForm {
        registration: "open".into(),
        ..MeetingForm::default()
    };
    list_page(&staff, form, None, StatusCode::OK).await
}

/// `POST /staff/meetings`: creates a meeting (and publishes it when
/// asked).
pub async fn create(
    staff: Granted<ManageProcesses>,
    CsrfForm(mut form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    if form.place.moved() {
        return list_page(&staff, form, None, StatusCode::OK).await;
    }
    let tr = &staff.tr;
    let mut new = match form.meeting(tr) {
        Ok(new) => new,
        Err(message) => {
            return list_page(
                &staff,
                form,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let unplaced = place(&staff, &mut new).await?;
    let actor = staff.actor();
    let publish = form.publish == "on";
    let created = staff
        .attempt("staff-meeting", async |tx| {
            let id = meetings::create(tx, &actor, &new).await?;
            if publish {
                meetings::publish(tx, &actor, id).await?;
            }
            Ok(id)
        })
        .await?;
    match created {
        Ok(id) if unplaced => {
            Ok(Redirect::to(&format!("/staff/meetings/{id}?placed=no")).into_response())
        }
        Ok(id) => Ok(Redirect::to(&format!("/staff/meetings/{id}")).into_response()),
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

#[derive(Template)]
#[template(path = "staff_meeting.html")]
struct MeetingPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    id: String,
    row: Row,
    published: bool,
    cancelled: bool,
    started: bool,
    invitation: bool,
    registered: i64,
    waiting: i64,
    attended: i64,
    form: MeetingForm,
    place: Place,
    kinds: Vec<(&'static str, String)>,
    attendees: Vec<(Attendee, String, String)>,
    /// The code arriving from a scanned QR code, to check.
    code: String,
    minutes: String,
    /// (text, proposal address) rows: those stored and empty ones.
    agreements: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// `?code=` from a scanned entry code; `?placed=no` after creating a
/// meeting whose address the geocoder did not find.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeQuery {
    code: String,
    placed: String,
}

async fn meeting_page(
    staff: &Granted<ManageProcesses>,
    id: MeetingId,
    typed: Option<MeetingForm>,
    code: String,
    (notice, error, status): (Option<String>, Option<String>, StatusCode),
) -> Result<Response, PageError> {
    let (m, attendees, attended, agreements) = staff
        .tx(async |tx| {
            let m = meetings::get(tx, id).await?;
            let attendees = minutes::attendees(tx, id).await?;
            let attended = minutes::attended(tx, id).await?;
            let agreements = minutes::agreements(tx, id).await?;
            Ok::<_, PageError>((m, attendees, attended, agreements))
        })
        .await?;
    let tr = &staff.tr;
    let mut rows: Vec<(String, String)> = (agreements.into_iter())
        .map(|a| {
            let proposal = a
                .proposal_id
                .map(|p| format!("/proposals/{p}"))
                .unwrap_or_default();
            (a.text, proposal)
        })
        .collect();
    let form = typed.unwrap_or_else(|| MeetingForm::of(&m, tr));
    let place = Place::new(staff, form.place.clone(), "m").await?;
    let blank = 3.max(rows.len() + 1) - rows.len();
    rows.extend(std::iter::repeat_n((String::new(), String::new()), blank));
    let page = MeetingPage {
        tr,
        chrome: &staff.chrome,
        id: m.id.to_string(),
        row: row(staff, &m),
        published: m.published,
        cancelled: m.cancelled,
        started: m.started,
        invitation: m.registration() == Registration::Invitation,
        registered: m.registered,
        waiting: m.waiting,
        attended,
        form,
        place,
        kinds: kinds(tr),
        attendees: (attendees.into_iter())
            .map(|a| {
                let status = tr.t(&format!("meeting-status-{}", a.status));
                let at = a.attended_at.map(|at| tr.date_time(at)).unwrap_or_default();
                (a, status, at)
            })
            .collect(),
        code,
        minutes: m.minutes.clone(),
        agreements: rows,
        notice,
        error,
    };
    let rendered = staff.render_status(status, &page)?;
    Ok(crate::places::with_map(
        staff,
        rendered,
        page.place.map.is_some(),
    ))
}

/// `GET /staff/meetings/{id}` (`?code=` checks a scanned code's form).
pub async fn show(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PageError> {
    let notice = (query.placed == "no").then(|| staff.tr.t("staff-meeting-not-placed"));
    meeting_page(&staff, id, None, query.code, (notice, None, StatusCode::OK)).await
}

/// Runs a staff action on a meeting and shows its page with what
/// happened: `done` (a notice key) or the refusal.
async fn act<T>(
    staff: &Granted<ManageProcesses>,
    id: MeetingId,
    work: impl AsyncFnOnce(&mut TenantTx) -> Result<T, EngineError>,
    done: impl FnOnce(&Tr, T) -> String,
) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let result = staff.attempt("staff-meeting", work).await?;
    let outcome = match result {
        Ok(value) => (Some(done(tr, value)), None, StatusCode::OK),
        Err(message) => (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY),
    };
    meeting_page(staff, id, None, String::new(), outcome).await
}

/// `POST /staff/meetings/{id}`: new details.
pub async fn update(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(mut form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    if form.place.moved() {
        let outcome = (None, None, StatusCode::OK);
        return meeting_page(&staff, id, Some(form), String::new(), outcome).await;
    }
    let mut new = match form.meeting(&staff.tr) {
        Ok(new) => new,
        Err(message) => {
            let outcome = (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
            return meeting_page(&staff, id, Some(form), String::new(), outcome).await;
        }
    };
    let unplaced = place(&staff, &mut new).await?;
    let actor = staff.actor();
    act(
        &staff,
        id,
        async |tx| meetings::update(tx, &actor, id, &new).await,
        |tr, ()| {
            let mut notice = tr.t("staff-meeting-saved");
            if unplaced {
                notice.push(' ');
                notice.push_str(&tr.t("staff-meeting-not-placed"));
            }
            notice
        },
    )
    .await
}

/// `POST /staff/meetings/{id}/publish`.
pub async fn publish(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(_): CsrfForm<crate::http::extract::NoFields>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    staff
        .change(async |tx| Ok::<_, PageError>(meetings::publish(tx, &actor, id).await?))
        .await?;
    Ok(Redirect::to(&format!("/staff/meetings/{id}")).into_response())
}

/// The cancel form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

/// `POST /staff/meetings/{id}/cancel`.
pub async fn cancel(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    act(
        &staff,
        id,
        async |tx| meetings::cancel(tx, &actor, id, &form.reason).await,
        |tr, ()| tr.t("staff-meeting-cancelled"),
    )
    .await
}

/// The invite form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    /// Addresses, one per line (or separated by commas).
    emails: String,
}

/// `POST /staff/meetings/{id}/invite`.
pub async fn invite(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    let emails: Vec<String> = (form.emails.split(['\n', ',', ';']))
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .take(500)
        .collect();
    act(
        &staff,
        id,
        async |tx| registrations::invite(tx, &actor, id, &emails).await,
        |tr, done| {
            let mut notice = tr.count(
                "staff-meeting-invited",
                i64::try_from(done.invited).unwrap_or(0),
            );
            if !done.unknown.is_empty() {
                notice.push(' ');
                notice.push_str(&tr.with(
                    "staff-meeting-unknown",
                    "emails",
                    &done.unknown.join(", "),
                ));
            }
            notice
        },
    )
    .await
}

/// The check-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    code: String,
}

/// `POST /staff/meetings/{id}/check-in`: an entry code at the door.
pub async fn check_in(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> Result<Response, PageError> {
    let actor = staff.actor();
    act(
        &staff,
        id,
        async |tx| minutes::check_in(tx, &actor, id, &form.code).await,
        |tr, checked| match (checked.waiting, checked.earlier) {
            (true, _) => tr.with("staff-meeting-check-waiting", "name", &checked.name),
            (false, Some(at)) => tr.args(
                "staff-meeting-check-again",
                &[("name", checked.name), ("time", tr.date_time(at))],
            ),
            (false, None) => tr.with("staff-meeting-check-ok", "name", &checked.name),
        },
    )
    .await
}

/// The minutes form: the text and up to 100 agreements (`agreement-N`,
/// `proposal-N`: a proposal's address or id).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MinutesForm {
    minutes: String,
    #[serde(flatten)]
    rows: std::collections::HashMap<String, String>,
}

impl MinutesForm {
    /// The agreements typed, in order, or the number of one whose
    /// proposal cannot be read.
    fn agreements(&self) -> Result<Vec<NewAgreement>, usize> {
        let mut agreements = Vec::new();
        for n in 0..100 {
            let text = self
                .rows
                .get(&format!("agreement-{n}"))
                .map_or("", |t| t.trim());
            let proposal = self
                .rows
                .get(&format!("proposal-{n}"))
                .map_or("", |t| t.trim());
            if text.is_empty() {
                continue;
            }
            let proposal = match proposal.rsplit('/').next().unwrap_or("") {
                "" => None,
                id => Some(id.parse().map_err(|_| n + 1_usize)?),
            };
            agreements.push(NewAgreement {
                text: text.to_owned(),
                proposal,
            });
        }
        Ok(agreements)
    }
}

/// `POST /staff/meetings/{id}/minutes`.
pub async fn publish_minutes(
    staff: Granted<ManageProcesses>,
    Id(id): Id<MeetingId>,
    CsrfForm(form): CsrfForm<MinutesForm>,
) -> Result<Response, PageError> {
    let agreements = match form.agreements() {
        Ok(agreements) => agreements,
        Err(n) => {
            let message = staff.tr.with(
                "staff-meeting-proposal-unreadable",
                "number",
                &n.to_string(),
            );
            let outcome = (None, Some(message), StatusCode::UNPROCESSABLE_ENTITY);
            return meeting_page(&staff, id, None, String::new(), outcome).await;
        }
    };
    let actor = staff.actor();
    act(
        &staff,
        id,
        async |tx| minutes::publish(tx, &actor, id, &form.minutes, &agreements).await,
        |tr, ()| tr.t("staff-meeting-minutes-published"),
    )
    .await
}
