//! Copying a process's design (admins): into the same council, or — for
//! consultants — into another council they administer, as a draft; and
//! starting a process from one of the platform's templates. Districts the
//! target council lacks are asked for before anything is made.

use crate::http::error::{PageError, refused};
use crate::http::extract::{CsrfForm, Id, Staff};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::designs::{self, Copied, Design, DistrictMap};
use cabildo_engine::ids::ProcessId;
use cabildo_engine::platform;
use cabildo_engine::staff::{Actor, Permission};
use cabildo_engine::{Error as EngineError, Refusal};
use cabildo_tenancy::{Slug, Tenant};

/// A council a design may go to: (slug, name).
type Target = (String, String);

#[derive(Template)]
#[template(path = "staff_process_copy.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    /// Where the form posts.
    action: String,
    /// What is copied: the process's title, or the template's.
    title: String,
    targets: Vec<Target>,
    typed: &'a CopyForm,
    /// Districts to say where they go: (code, the target's districts).
    unmapped: Vec<String>,
    target_districts: Vec<(String, String)>,
    error: Option<String>,
    /// Made: (the council's name, the staff page of its processes there,
    /// whether it is this council).
    done: Option<(String, String, bool)>,
}

/// The copy form as typed.
#[derive(Clone, Debug, Default)]
pub struct CopyForm {
    target: String,
    slug: String,
    starts: String,
    template: String,
    map: DistrictMap,
}

impl CopyForm {
    fn read(values: &[(String, String)]) -> Self {
        let one = |name: &str| {
            (values.iter())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let map = (values.iter())
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("map-")?;
                let target = Some(v.trim().to_owned()).filter(|t| !t.is_empty());
                Some((code.to_owned(), target))
            })
            .collect();
        Self {
            target: one("target"),
            slug: one("slug").to_lowercase(),
            starts: one("starts"),
            template: one("template"),
            map,
        }
    }
}

/// The councils `staff` may copy into: their own, and those their
/// platform account administers.
async fn targets(staff: &Staff) -> Result<Vec<Target>, PageError> {
    let user = staff.user();
    let linked = staff
        .tx(async |tx| platform::linked_account(tx, user).await)
        .await?;
    let own = (staff.tenant.slug.to_string(), staff.tenant.name.clone());
    let mut all = vec![own];
    if let Some(email) = linked {
        for client in platform::administered(&staff.state.tenancy, &email).await? {
            if !all.iter().any(|(slug, _)| *slug == client.slug) {
                all.push((client.slug, client.name));
            }
        }
    }
    Ok(all)
}

/// `GET /staff/processes/{id}/copy`.
pub async fn copy_page(staff: Staff, Id(id): Id<ProcessId>) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    let design = source(&staff, id).await?;
    let typed = CopyForm {
        target: staff.tenant.slug.to_string(),
        slug: String::new(),
        starts: (staff.settings.zone())
            .local(time::OffsetDateTime::now_utc())
            .date()
            .to_string(),
        ..CopyForm::default()
    };
    let page = page(
        &staff,
        format!("/staff/processes/{id}/copy"),
        &design,
        &typed,
    )
    .await?;
    staff.render(&page)
}

/// The design of process `id` of this council.
async fn source(staff: &Staff, id: ProcessId) -> Result<Design, PageError> {
    let zone = staff.settings.zone();
    staff
        .tx(async |tx| designs::export(tx, &zone, id).await)
        .await?
        .ok_or(PageError::NotFound)
}

async fn page<'a>(
    staff: &'a Staff,
    action: String,
    design: &Design,
    typed: &'a CopyForm,
) -> Result<Page<'a>, PageError> {
    Ok(Page {
        tr: &staff.tr,
        chrome: &staff.chrome,
        action,
        title: design.title.clone(),
        targets: targets(staff).await?,
        typed,
        unmapped: Vec::new(),
        target_districts: Vec::new(),
        error: None,
        done: None,
    })
}

/// `POST /staff/processes/{id}/copy`: the design, as a draft, in the
/// council chosen.
pub async fn copy(
    staff: Staff,
    Id(id): Id<ProcessId>,
    CsrfForm(values): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    let design = source(&staff, id).await?;
    let typed = CopyForm::read(&values);
    make(
        &staff,
        format!("/staff/processes/{id}/copy"),
        &design,
        typed,
    )
    .await
}

/// `POST /staff/processes/from-template`: a draft process from one of the
/// platform's templates, in this council.
pub async fn from_template(
    staff: Staff,
    CsrfForm(values): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    let mut typed = CopyForm::read(&values);
    typed.target = staff.tenant.slug.to_string();
    let template = (designs::templates().into_iter())
        .find(|t| t.key == typed.template)
        .ok_or(PageError::NotFound)?;
    let action = "/staff/processes/from-template".to_owned();
    make(&staff, action, &template.design, typed).await
}

/// Imports `design` as `typed` says, or shows the form again with what is
/// missing.
async fn make(
    staff: &Staff,
    action: String,
    design: &Design,
    typed: CopyForm,
) -> Result<Response, PageError> {
    let mut page = page(staff, action, design, &typed).await?;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some((slug, name)) = page
        .targets
        .iter()
        .find(|(s, _)| *s == typed.target)
        .cloned()
    else {
        return Err(PageError::Forbidden);
    };
    let Ok(starts) = time::Date::parse(
        &typed.starts,
        time::macros::format_description!("[year]-[month]-[day]"),
    ) else {
        page.error = Some(staff.tr.t("copy-error-date"));
        return staff.render_status(unprocessable, &page);
    };
    let target = target_council(staff, &slug).await?;
    let settings = staff.state.tenancy.site_settings(&target).await?;
    let zone = settings.zone();
    let actor = staff.actor();
    let actor = if target.id == staff.tenant.id {
        actor
    } else {
        Actor(format!("{}@{}", actor.0, staff.tenant.slug))
    };
    let result = staff
        .state
        .tenancy
        .transaction(&target, async |tx| {
            designs::import(tx, &actor, &zone, design, &typed.slug, starts, &typed.map).await
        })
        .await;
    match result {
        Ok(Copied::Made(_)) => {
            staff.state.reads.changed(target.id).await;
            let same = target.id == staff.tenant.id;
            page.done = Some((name, "/staff/processes".to_owned(), same));
            staff.render(&page)
        }
        Ok(Copied::Unmapped(codes)) => {
            page.unmapped = codes;
            page.target_districts = (settings.districts.iter())
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect();
            page.error = Some(staff.tr.t("copy-error-districts"));
            staff.render_status(unprocessable, &page)
        }
        Err(EngineError::Refused(Refusal::NotFound)) => Err(PageError::NotFound),
        Err(error) => match refused(&staff.tr, &error) {
            Some((_, message)) => {
                page.error = Some(message);
                staff.render_status(unprocessable, &page)
            }
            None => Err(error.into()),
        },
    }
}

/// The council `slug` (one of the staff member's targets).
async fn target_council(staff: &Staff, slug: &str) -> Result<Tenant, PageError> {
    let slug = Slug::parse(slug).map_err(|_| PageError::NotFound)?;
    Ok(staff.state.tenancy.get_tenant(&slug).await?)
}
