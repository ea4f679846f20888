//! `/staff`: what each member of staff works on, by their roles.

use crate::http::error::PageError;
use crate::http::extract::Staff;
use crate::staff::audit::{AuditRow, row};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::Error as EngineError;
use cabildo_engine::budgets::setup::{self, StaffHeading};
use cabildo_engine::organisations::{self, Organisation};
use cabildo_engine::settings::{self, Checklist};
use cabildo_engine::staff::{self, AuditLine, AuditQuery, Member, Permission, Role};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    your_roles: String,
    is_admin: bool,
    roles: Vec<(&'static str, String)>,
    members: Vec<(String, String, String)>,
    /// The latest entries of the audit log.
    audit: Vec<AuditRow>,
    notice: Option<String>,
    error: Option<String>,
    districts: Vec<(String, String)>,
    reviews_organisations: bool,
    organisations: Vec<Organisation>,
    /// Admins and evaluators: budget headings, with projects awaiting review.
    reviews_budgets: bool,
    headings: Vec<StaffHeading>,
    /// An uploaded census file awaiting confirmation.
    census: Option<CensusPreview>,
    /// Admins: what setting up the site still needs.
    checklist: Vec<ChecklistItem>,
    /// "3 of 8 done".
    checklist_progress: String,
    /// Items done, for the progress meter.
    checklist_done: usize,
}

/// An item of the set-up checklist, with where to do it.
pub struct ChecklistItem {
    label: String,
    href: &'static str,
    done: bool,
}

/// Where each item of the set-up checklist is done.
fn checklist_href(key: &str) -> &'static str {
    match key {
        "article" => "/staff/settings#s-article",
        "logo" => "/staff/settings#logo-heading",
        "colours" => "/staff/settings#s-primary",
        "census" => "/staff#census",
        "legal" => "/staff/legal",
        "process" => "/staff/processes",
        _ => "/staff/settings",
    }
}

/// A role's name in `tr`'s language.
pub(crate) fn role_name(tr: &Tr, role: Role) -> String {
    tr.t(&format!("staff-role-{role}"))
}

/// `?invited=`: who was just invited.
#[derive(Debug, Default, Deserialize)]
pub struct ConsoleQuery {
    invited: Option<String>,
}

/// `GET /staff`.
pub async fn page(staff: Staff, Query(query): Query<ConsoleQuery>) -> Result<Response, PageError> {
    let notice = query
        .invited
        .map(|email| staff.tr.with("staff-invited", "email", &email));
    render(&staff, notice, None, StatusCode::OK).await
}

/// What the console lists: each list only for roles that work on it.
#[derive(Default)]
struct Lists {
    members: Vec<Member>,
    audit: Vec<AuditLine>,
    organisations: Vec<Organisation>,
    headings: Vec<StaffHeading>,
    checklist: Option<Checklist>,
}

async fn lists(staff: &Staff) -> Result<Lists, PageError> {
    let settings_admin = staff.may(Permission::ManageSettings);
    let (admin, organisations, budgets) = (
        staff.may(Permission::ManageStaff),
        staff.may(Permission::ReviewOrganisations),
        staff.may(Permission::ReviewProjects),
    );
    let lists = staff
        .tx(async |tx| {
            let mut lists = Lists::default();
            if admin {
                lists.members = staff::members(tx).await?;
                let latest = AuditQuery {
                    limit: 10,
                    ..AuditQuery::default()
                };
                lists.audit = staff::audit_lines(tx, &latest).await?;
            }
            if organisations {
                lists.organisations = organisations::pending(tx).await?;
            }
            if budgets {
                lists.headings = setup::staff_headings(tx).await?;
            }
            if settings_admin {
                lists.checklist = Some(settings::checklist(tx).await?);
            }
            Ok::<_, EngineError>(lists)
        })
        .await?;
    Ok(lists)
}

/// The console with a notice or an error (after an action).
pub(crate) async fn render(
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    show(staff, notice, error, None, status).await
}

/// What an uploaded census file holds, before the admin confirms it
/// (made by [`crate::staff::census`]).
pub struct CensusPreview {
    pub(crate) upload: String,
    pub(crate) summary: String,
    pub(crate) errors: Option<String>,
    /// Per district: (name, in the file, now).
    pub(crate) districts: Vec<(String, String, String)>,
    /// The file holds noticeably fewer residents than the census now.
    pub(crate) shrinks: Option<String>,
}

/// The console with an uploaded census file to confirm.
pub(crate) async fn render_preview(
    staff: &Staff,
    preview: CensusPreview,
) -> Result<Response, PageError> {
    show(staff, None, None, Some(preview), StatusCode::OK).await
}

async fn show(
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    census: Option<CensusPreview>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lists = lists(staff).await?;
    let tr = &staff.tr;
    let names: Vec<String> = staff.roles.iter().map(|r| role_name(tr, *r)).collect();
    let checklist: Vec<ChecklistItem> = (lists.checklist.iter())
        .flat_map(Checklist::items)
        .map(|(key, done)| ChecklistItem {
            label: tr.t(&format!("onboarding-{key}")),
            href: checklist_href(key),
            done,
        })
        .collect();
    let checklist_done = checklist.iter().filter(|item| item.done).count();
    let checklist_progress = tr.args(
        "onboarding-progress",
        &[
            ("done", checklist_done.to_string()),
            ("total", checklist.len().to_string()),
        ],
    );
    staff.render_status(
        status,
        &StaffPage {
            tr,
            chrome: &staff.chrome,
            your_roles: tr.with("staff-your-roles", "roles", &names.join(", ")),
            is_admin: staff.may(Permission::ManageStaff),
            roles: Role::ALL
                .iter()
                .map(|r| (r.as_str(), role_name(tr, *r)))
                .collect(),
            members: lists
                .members
                .into_iter()
                .map(|m| (m.name, m.email, role_name(tr, m.role)))
                .collect(),
            audit: lists.audit.iter().map(|line| row(tr, line)).collect(),
            notice,
            error,
            districts: staff.districts(),
            reviews_organisations: staff.may(Permission::ReviewOrganisations),
            organisations: lists.organisations,
            reviews_budgets: staff.may(Permission::ReviewProjects),
            headings: lists.headings,
            census,
            checklist_progress,
            checklist_done,
            checklist,
        },
    )
}
