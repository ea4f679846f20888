//! `/staff/audit`: the audit log as people read it — who (by name), did
//! what (in words), on what, when (local time) — filtered by person, area
//! and days, a page at a time, and as CSV.

use crate::http::download::{CsvQuery, csv};
use crate::http::error::PageError;
use crate::http::extract::Staff;
use crate::ui::chrome::Chrome;
use crate::ui::format::encode;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use cabildo_engine::census::import::parse_day;
use cabildo_engine::opendata::line;
use cabildo_engine::staff::{self, AuditLine, AuditQuery, Permission};
use serde::Deserialize;

/// Entries per page.
const PAGE: i64 = 50;

/// Most entries in one CSV file.
const CSV_LIMIT: i64 = 100_000;

/// The areas actions belong to (the part of the action before the dot).
const AREAS: [&str; 15] = [
    "process",
    "budget",
    "proposal",
    "debate",
    "moderation",
    "user",
    "organisation",
    "census",
    "newsletter",
    "staff",
    "legal",
    "settings",
    "account",
    "platform",
    "billing",
];

/// One entry as shown.
pub struct AuditRow {
    pub(crate) when: String,
    pub(crate) who: String,
    pub(crate) what: String,
    pub(crate) on: String,
}

/// An entry in words, in `tr`'s language and time zone.
pub(crate) fn row(tr: &Tr, line: &AuditLine) -> AuditRow {
    AuditRow {
        when: tr.date_time(line.at),
        who: actor(tr, &line.actor, line.actor_name.as_deref()),
        what: tr
            .find(&format!("audit-{}", line.action.replace(['.', '_'], "-")))
            .unwrap_or_else(|| line.action.clone()),
        on: line.subject.clone().unwrap_or_default(),
    }
}

/// Who acted, in words.
fn actor(tr: &Tr, actor: &str, name: Option<&str>) -> String {
    match (actor, name) {
        (_, Some(name)) => name.to_owned(),
        ("cli", None) => tr.t("audit-actor-cli"),
        ("stripe", None) => tr.t("audit-actor-stripe"),
        (other, None) => match other.strip_prefix("platform:") {
            Some(email) => tr.with("audit-actor-platform", "email", email),
            None => tr.t("audit-actor-gone"),
        },
    }
}

/// The filters, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    who: String,
    area: String,
    from: String,
    until: String,
    before: Option<i64>,
    #[serde(flatten)]
    csv: CsvQuery,
    format: String,
}

impl Filters {
    /// The query, the days read in the council's time zone (the last one
    /// included).
    fn query(&self, tr: &Tr, limit: i64) -> AuditQuery {
        let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        AuditQuery {
            actor: given(&self.who),
            area: given(&self.area).filter(|a| AREAS.contains(&a.as_str())),
            from: parse_day(&self.from).map(|d| tr.zone().start_of(d)),
            until: parse_day(&self.until).map(|d| tr.zone().end_of(d)),
            before: self.before,
            limit,
        }
    }

    /// The filters as a query string (without the page).
    fn query_string(&self) -> String {
        [
            ("who", &self.who),
            ("area", &self.area),
            ("from", &self.from),
            ("until", &self.until),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

#[derive(Template)]
#[template(path = "staff_audit.html")]
struct AuditPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    rows: Vec<AuditRow>,
    people: Vec<(String, String)>,
    areas: Vec<(&'static str, String)>,
    who: String,
    area: String,
    from: String,
    until: String,
    /// The next (older) page.
    older: Option<String>,
    /// The filtered log as CSV.
    csv: String,
    filtered: bool,
}

/// `GET /staff/audit` (`?format=csv` for the whole filtered log).
pub async fn page(staff: Staff, Query(filters): Query<Filters>) -> Result<Response, PageError> {
    staff.require(Permission::ManageStaff)?;
    let tr = &staff.tr;
    if filters.format == "csv" {
        let query = Filters {
            before: None,
            ..filters
        };
        return export(&staff, &query).await;
    }
    let query = filters.query(tr, PAGE + 1);
    let (mut lines, actors) = staff
        .tx(async |tx| {
            let lines = staff::audit_lines(tx, &query).await?;
            let actors = staff::audit_actors(tx).await?;
            Ok::<_, PageError>((lines, actors))
        })
        .await?;
    let more = i64::try_from(lines.len()).unwrap_or(i64::MAX) > PAGE;
    lines.truncate(usize::try_from(PAGE).unwrap_or(50));
    let filters_query = filters.query_string();
    let separator = if filters_query.is_empty() { "" } else { "&" };
    let older = lines
        .last()
        .filter(|_| more)
        .map(|last| format!("/staff/audit?{filters_query}{separator}before={}", last.id));
    staff.render_private(&AuditPage {
        tr,
        chrome: &staff.chrome,
        rows: lines.iter().map(|l| row(tr, l)).collect(),
        people: actors
            .iter()
            .map(|(id, name)| (id.clone(), actor(tr, id, name.as_deref())))
            .collect(),
        areas: AREAS
            .iter()
            .map(|a| (*a, tr.t(&format!("audit-area-{a}"))))
            .collect(),
        csv: format!("/staff/audit?{filters_query}{separator}format=csv&dialect=excel"),
        filtered: !filters_query.is_empty(),
        who: filters.who,
        area: filters.area,
        from: filters.from,
        until: filters.until,
        older,
    })
}

/// The filtered log as a CSV download, in the reader's words and time.
async fn export(staff: &Staff, filters: &Filters) -> Result<Response, PageError> {
    let tr = &staff.tr;
    let query = filters.query(tr, CSV_LIMIT);
    let lines = staff
        .tx(async |tx| Ok::<_, PageError>(staff::audit_lines(tx, &query).await?))
        .await?;
    let dialect = filters.csv.dialect();
    let mut out = dialect.start();
    let heading = [
        tr.t("staff-audit-when"),
        tr.t("staff-audit-who"),
        tr.t("staff-audit-what"),
        tr.t("staff-audit-on"),
        tr.t("staff-audit-code"),
    ];
    line(&mut out, dialect, heading.iter().map(String::as_str));
    for l in &lines {
        let r = row(tr, l);
        let cells = [&r.when, &r.who, &r.what, &r.on, &l.action];
        line(&mut out, dialect, cells.iter().map(|c| c.as_str()));
    }
    Ok(csv(out, "audit-log.csv"))
}
