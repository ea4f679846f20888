//! The participation dashboard: `/staff/dashboard` for staff, each figure
//! also as CSV, and `/participation`, the public summary a council may
//! switch on in its settings. Charts are drawn on the server. Also the
//! worker's daily fold of the dashboard's queued acts ([`DashboardFolds`]).

use crate::http::council::Council;
use crate::http::download::{CsvQuery, csv};
use crate::http::error::PageError;
use crate::http::extract::Staff;
use crate::ui::charts::{Bar, bars, columns};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use cabildo_engine::dashboard::{self, Figures, Week};
use cabildo_engine::opendata::{Dialect, line};
use cabildo_notify::{Handler, Job, JobError, JobFuture};

/// Every figure, read in one transaction.
async fn figures(council: &Council) -> Result<Figures, PageError> {
    let zone = council.settings.time_zone.clone();
    Ok(council
        .tx(async |tx| dashboard::figures(tx, &zone).await)
        .await?)
}

/// The charts of `figures` in `tr`'s language.
struct Charts {
    participants: String,
    activity: Vec<(String, String)>,
    districts: String,
    processes: String,
    people: String,
    /// (subject, sent, recipients, delivered).
    newsletters: Vec<(String, String, String, String)>,
}

fn charts(tr: &Tr, figures: &Figures) -> Charts {
    let week_label = |w: &Week| tr.day(w.week);
    let series = |pick: fn(&Week) -> i64| -> Vec<(String, i64)> {
        figures
            .weeks
            .iter()
            .map(|w| (week_label(w), pick(w)))
            .collect()
    };
    let column = |key: &str, pick: fn(&Week) -> i64| {
        let points = series(pick);
        let top = points.iter().map(|p| p.1).max().unwrap_or(0);
        let total: i64 = points.iter().map(|p| p.1).sum();
        let summary = tr.args(
            "dashboard-series-summary",
            &[
                ("what", tr.t(key)),
                ("total", tr.number(total)),
                ("top", tr.number(top)),
            ],
        );
        let top_words = tr.with("dashboard-series-top", "top", &tr.number(top));
        columns(&summary, &points, &top_words)
    };
    let activity = [
        (
            "dashboard-proposals",
            (|w: &Week| w.proposals) as fn(&Week) -> i64,
        ),
        ("dashboard-supports", |w: &Week| w.supports),
        ("dashboard-comments", |w: &Week| w.comments),
        ("dashboard-ballots", |w: &Week| w.ballots),
    ]
    .into_iter()
    .map(|(key, pick)| (tr.t(key), column(key, pick)))
    .collect();
    let districts: Vec<Bar> = (figures.districts.iter())
        .map(|d| Bar {
            label: d.name.clone(),
            value: d.per_thousand().unwrap_or(0),
            text: match d.per_thousand() {
                Some(rate) => tr.args(
                    "dashboard-district-rate",
                    &[
                        ("people", tr.count("dashboard-people", d.participants)),
                        ("rate", tr.number(rate)),
                        ("population", tr.number(i64::from(d.population))),
                    ],
                ),
                None => tr.count("dashboard-people", d.participants),
            },
        })
        .collect();
    let processes: Vec<Bar> = (figures.processes.iter())
        .map(|p| Bar {
            label: p.title.clone(),
            value: p.participants,
            text: tr.count("dashboard-people", p.participants),
        })
        .collect();
    let people = &figures.people;
    let people_bars = [
        ("dashboard-registered", people.registered),
        ("dashboard-verified", people.verified),
        ("dashboard-newsletter", people.newsletter),
        ("dashboard-census", people.census),
    ]
    .into_iter()
    .map(|(key, value)| Bar {
        label: tr.t(key),
        value,
        text: tr.number(value),
    })
    .collect::<Vec<_>>();
    Charts {
        participants: column("dashboard-participants", |w| w.participants),
        activity,
        districts: bars(&tr.t("dashboard-districts"), &districts),
        processes: bars(&tr.t("dashboard-processes"), &processes),
        people: bars(&tr.t("dashboard-people-title"), &people_bars),
        newsletters: (figures.newsletters.iter())
            .map(|n| {
                (
                    n.subject.clone(),
                    n.sent_at
                        .map_or_else(|| "—".to_owned(), |at| tr.date_time(at)),
                    tr.number(n.recipients),
                    tr.number(n.delivered),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "staff_dashboard.html")]
struct StaffPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    charts: Charts,
    public: bool,
    /// Offer each figure as CSV.
    csv: bool,
}

/// `GET /staff/dashboard`.
pub async fn page(staff: Staff) -> Result<Response, PageError> {
    let figures = figures(&staff).await?;
    staff.render_private(&StaffPage {
        tr: &staff.tr,
        chrome: &staff.chrome,
        charts: charts(&staff.tr, &figures),
        public: staff.settings.public_dashboard,
        csv: true,
    })
}

#[derive(Template)]
#[template(path = "participation.html")]
struct PublicPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    charts: Charts,
    /// The CSV downloads are staff's.
    csv: bool,
}

/// `GET /participation`: the public summary, when the council publishes
/// it.
pub async fn public(council: Council) -> Result<Response, PageError> {
    if !council.settings.public_dashboard {
        return Err(PageError::NotFound);
    }
    let figures = figures(&council).await?;
    council.render(&PublicPage {
        tr: &council.tr,
        chrome: &council.chrome,
        charts: charts(&council.tr, &figures),
        csv: false,
    })
}

/// `GET /staff/dashboard/{figure}.csv` (`weekly`, `districts`,
/// `processes`, `people`, `newsletters`).
pub async fn download(
    staff: Staff,
    Path(file): Path<String>,
    Query(query): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let figure = file.strip_suffix(".csv").ok_or(PageError::NotFound)?;
    if !["weekly", "districts", "processes", "people", "newsletters"].contains(&figure) {
        return Err(PageError::NotFound);
    }
    let figures = figures(&staff).await?;
    let body = table(figure, &figures, query.dialect());
    Ok(csv(body, &format!("{}-{figure}.csv", staff.tenant.slug)))
}

/// The CSV of one figure: a header line, then a line per row.
fn table(figure: &str, figures: &Figures, dialect: Dialect) -> String {
    let mut out = dialect.start();
    let mut row = |cells: &[String]| line(&mut out, dialect, cells.iter().map(String::as_str));
    match figure {
        "weekly" => {
            row(&[
                "week",
                "participants",
                "proposals",
                "supports",
                "comments",
                "ballots",
            ]
            .map(String::from));
            for w in &figures.weeks {
                row(&[
                    w.week.to_string(),
                    w.participants.to_string(),
                    w.proposals.to_string(),
                    w.supports.to_string(),
                    w.comments.to_string(),
                    w.ballots.to_string(),
                ]);
            }
        }
        "districts" => {
            row(&[
                "district",
                "name",
                "population",
                "participants",
                "per_thousand",
            ]
            .map(String::from));
            for d in &figures.districts {
                row(&[
                    d.code.clone(),
                    d.name.clone(),
                    d.population.to_string(),
                    d.participants.to_string(),
                    d.per_thousand().map(|r| r.to_string()).unwrap_or_default(),
                ]);
            }
        }
        "processes" => {
            row(&["process", "title", "participants"].map(String::from));
            for p in &figures.processes {
                row(&[p.slug.clone(), p.title.clone(), p.participants.to_string()]);
            }
        }
        "people" => {
            let p = &figures.people;
            row(&["registered", "verified", "newsletter", "census"].map(String::from));
            row(&[
                p.registered.to_string(),
                p.verified.to_string(),
                p.newsletter.to_string(),
                p.census.to_string(),
            ]);
        }
        _ => {
            row(&["subject", "sent_at", "recipients", "delivered"].map(String::from));
            for n in &figures.newsletters {
                let sent = n
                    .sent_at
                    .and_then(|at| {
                        at.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default();
                row(&[
                    n.subject.clone(),
                    sent,
                    n.recipients.to_string(),
                    n.delivered.to_string(),
                ]);
            }
        }
    }
    out
}

/// Runs `dashboard.fold` jobs: counts one council's queued acts, so that
/// the queue holds about a day of them when staff next read the figures.
pub struct DashboardFolds {
    tenancy: cabildo_tenancy::Tenancy,
}

impl DashboardFolds {
    /// The handler, working on `tenancy`.
    pub fn new(tenancy: cabildo_tenancy::Tenancy) -> Self {
        Self { tenancy }
    }

    async fn fold(&self, job: &Job) -> Result<(), JobError> {
        let tenant = job.council(&self.tenancy).await?;
        let folded = self
            .tenancy
            .transaction(&tenant, async |tx| dashboard::fold(tx).await)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        tracing::debug!(council = %tenant.slug, folded, "participation acts folded");
        Ok(())
    }
}

impl Handler for DashboardFolds {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(self.fold(job))
    }
}
