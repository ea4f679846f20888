//! `/staff/processes` (admins): create processes with their participation
//! rules, add and remove phases, change texts and scope, add a hero
//! picture, publish and archive. Every change is audited by the engine.

use crate::http::error::{PageError, refused};
use crate::http::extract::needs::ManageProcesses;
use crate::http::extract::{CsrfForm, Granted, Id, NoFields, Staff, Upload};
use crate::http::storage::Picture;
use crate::ui::chrome::Chrome;
use crate::ui::format::coded;
use crate::ui::forms::{Translated, translated};
use crate::ui::i18n::{Tr, native_name};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::ids::ProcessId;
use cabildo_engine::processes::{
    self, Component, NewPhase, NewProcess, Rules, StaffItem, StaffPhase, Texts, Who,
};
use cabildo_engine::staff::{Actor, Permission};
use cabildo_engine::translations::Translations;
use cabildo_engine::{Error as EngineError, Refusal};
use cabildo_tenancy::TenantTx;
use serde::Deserialize;
use uuid::Uuid;

/// A process as listed.
pub struct Row {
    id: String,
    slug: String,
    title: String,
    status_label: String,
    phases: i64,
    draft: bool,
    published: bool,
    summary: String,
    description: String,
    district: String,
    phase_rows: Vec<PhaseRow>,
    /// The texts in each of the council's other languages.
    translations: Vec<LanguageTexts>,
}

/// A process's texts in one of the council's other languages, as the
/// edit form shows them.
pub struct LanguageTexts {
    code: String,
    name: &'static str,
    title: String,
    summary: String,
    description: String,
}

/// A phase as staff see it.
pub struct PhaseRow {
    id: String,
    title: String,
    dates: String,
    started: bool,
    /// Its title in each of the council's other languages.
    titles: Vec<Translated>,
}

#[derive(Template)]
#[template(path = "staff_processes.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    processes: Vec<Row>,
    districts: Vec<(String, String)>,
    who: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
    /// What was typed in the form that was refused (empty otherwise).
    typed: Typed,
    /// The platform's process templates: (key, title in the reader's
    /// language).
    templates: Vec<(&'static str, String)>,
    /// Today in the council's time zone (`YYYY-MM-DD`).
    today: String,
}

/// What was typed in the new-process and new-phase forms, shown again
/// when one is refused so nothing has to be typed twice.
#[derive(Debug, Default)]
pub struct Typed {
    process: ProcessForm,
    phase: PhaseForm,
}

impl Typed {
    fn process(form: &ProcessForm) -> Self {
        Self {
            process: form.clone(),
            ..Self::default()
        }
    }

    fn phase(form: &PhaseForm) -> Self {
        Self {
            phase: form.clone(),
            ..Self::default()
        }
    }
}

/// A process as the staff list shows it, with its phases; `others` are
/// the council's languages but the default.
fn row(tr: &Tr, p: StaffItem, phases: &[StaffPhase], others: &[String]) -> Row {
    let phase_rows = (phases.iter().filter(|f| f.process_id == p.id))
        .map(|f| PhaseRow {
            id: f.id.to_string(),
            title: f.title.clone(),
            dates: format!("{} – {}", tr.date(f.starts_at), tr.last_day(f.ends_at)),
            started: f.started,
            titles: translated(others, &f.translations, "title"),
        })
        .collect();
    let text = |code: &str, field: &str| {
        p.translations
            .get(code, field)
            .unwrap_or_default()
            .to_owned()
    };
    let translations = others
        .iter()
        .map(|code| LanguageTexts {
            code: code.clone(),
            name: native_name(code),
            title: text(code, "title"),
            summary: text(code, "summary"),
            description: text(code, "description"),
        })
        .collect();
    Row {
        id: p.id.to_string(),
        status_label: tr.t(&format!("staff-process-status-{}", p.status)),
        draft: p.status == processes::Status::Draft,
        published: p.status == processes::Status::Published,
        summary: p.summary,
        description: p.description,
        district: p.district.unwrap_or_default(),
        phase_rows,
        translations,
        slug: p.slug,
        title: p.title,
        phases: p.phases,
    }
}

/// The page with a notice or an error (after an action).
async fn render(
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    render_typed(staff, notice, error, Typed::default(), status).await
}

/// The page with an error and what was typed in the refused form.
async fn render_typed(
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (all, phases) = staff
        .tx(async |tx| {
            let all = processes::all(tx).await?;
            let phases = processes::all_phases(tx).await?;
            Ok::<_, EngineError>((all, phases))
        })
        .await?;
    let tr = &staff.tr;
    let others = staff.other_languages();
    let processes = all
        .into_iter()
        .map(|p| row(tr, p, &phases, &others))
        .collect();
    staff.render_status(
        status,
        &Page {
            tr,
            chrome: &staff.chrome,
            processes,
            districts: staff.districts(),
            who: [Who::Registered, Who::Verified, Who::District]
                .into_iter()
                .map(|w| (w.as_str(), tr.t(&format!("who-{}", w.as_str()))))
                .collect(),
            notice,
            error,
            typed,
            templates: (cabildo_engine::designs::templates().into_iter())
                .map(|t| (t.key, tr.t(&format!("template-{}", t.key))))
                .collect(),
            today: (staff.settings.zone())
                .local(time::OffsetDateTime::now_utc())
                .date()
                .to_string(),
        },
    )
}

/// `GET /staff/processes`.
pub async fn page(staff: Staff) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    render(&staff, None, None, StatusCode::OK).await
}

/// Runs an admin action on processes, then shows the page with its notice
/// (the council's pages show the change at once) or why it was refused; a
/// process or phase that is not there answers 404.
async fn act(
    staff: &Staff,
    notice: &'static str,
    typed: Typed,
    work: impl AsyncFnOnce(&mut TenantTx, &Actor) -> Result<(), EngineError>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    let actor = staff.actor();
    let error = match staff.tx(async |tx| work(tx, &actor).await).await {
        Ok(()) => {
            staff.state.reads.changed(staff.tenant.id).await;
            return render(staff, Some(staff.tr.t(notice)), None, StatusCode::OK).await;
        }
        Err(EngineError::Refused(Refusal::NotFound)) => return Err(PageError::NotFound),
        Err(error) => error,
    };
    match refused(&staff.tr, &error) {
        Some((_, message)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_typed(staff, None, Some(message), typed, status).await
        }
        None => Err(error.into()),
    }
}

/// Nothing when the engine found what it was asked to change.
fn found(changed: bool) -> Result<(), EngineError> {
    changed.then_some(()).ok_or(Refusal::NotFound.into())
}

/// A new process as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProcessForm {
    slug: String,
    title: String,
    summary: String,
    description: String,
    district: String,
    create_rule: String,
    support_rule: String,
    threshold: String,
}

/// `POST /staff/processes`: a new draft process.
pub async fn create(
    staff: Staff,
    CsrfForm(form): CsrfForm<ProcessForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageProcesses)?;
    let kept = Typed::process(&form);
    let who = |name: &str| Who::parse(name).unwrap_or(Who::Verified);
    let new = NewProcess {
        slug: form.slug.trim().to_lowercase(),
        title: form.title,
        summary: form.summary,
        description: form.description,
        district: Some(form.district).filter(|d| !d.is_empty()),
        rules: Rules {
            create: who(&form.create_rule),
            support: who(&form.support_rule),
            organisations_may_support: false,
            support_threshold: form.threshold.trim().parse().unwrap_or(0),
        },
    };
    act(&staff, "staff-process-created", kept, async |tx, actor| {
        processes::create(tx, actor, &new).await.map(drop)
    })
    .await
}

/// A phase as typed: whole days, the last included.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PhaseForm {
    process: String,
    title: String,
    starts: String,
    ends: String,
    debates: String,
    proposals: String,
}

/// `POST /staff/phases`: a phase for a process, whole days in the
/// council's time zone with the last day included.
pub async fn add_phase(
    staff: Staff,
    CsrfForm(form): CsrfForm<PhaseForm>,
) -> Result<Response, PageError> {
    let zone = staff.tr.zone();
    let kept = Typed::phase(&form);
    let date = cabildo_engine::census::import::parse_day;
    let (Ok(process), Some(starts_at), Some(ends_at)) = (
        form.process.parse::<Uuid>(),
        date(&form.starts),
        date(&form.ends),
    ) else {
        let error = Some(staff.tr.t("staff-process-error-dates-invalid"));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render_typed(&staff, None, error, kept, status).await;
    };
    let components = [("debates", &form.debates), ("proposals", &form.proposals)]
        .into_iter()
        .filter(|(_, on)| on.as_str() == "on")
        .filter_map(|(c, _)| Component::parse(c))
        .collect();
    let phase = NewPhase {
        title: form.title,
        starts_at: zone.start_of(starts_at),
        ends_at: zone.end_of(ends_at),
        components,
    };
    act(&staff, "staff-phase-added", kept, async |tx, actor| {
        processes::add_phase(tx, actor, process.into(), &phase)
            .await
            .map(drop)
    })
    .await
}

/// `POST /staff/processes/{id}/publish`.
pub async fn publish(
    staff: Staff,
    Id(id): Id<ProcessId>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    act(
        &staff,
        "staff-process-published",
        Typed::default(),
        async |tx, actor| found(processes::publish(tx, actor, id).await?),
    )
    .await
}

/// `POST /staff/processes/{id}/image` (multipart, field `image`): the
/// process's hero picture.
pub async fn upload_image(
    staff: Granted<ManageProcesses>,
    Id(id): Id<ProcessId>,
    upload: Upload,
) -> Result<Response, PageError> {
    let picture = match Picture::check(upload.file("image")) {
        Ok(picture) => picture,
        Err(refused) => {
            let error = Some(coded(&staff.tr, "refusal", refused.code()));
            return render(&staff, None, error, refused.status()).await;
        }
    };
    let (user, actor) = (staff.user(), staff.actor());
    let (staged, replaced) = staff
        .change(async |tx| {
            let replaced = processes::set_image(tx, &actor, id, Some(picture.name())).await?;
            let replaced = replaced.ok_or(PageError::NotFound)?;
            Ok::<_, PageError>((staff.stage(user, &picture).await?, replaced))
        })
        .await?;
    staged.keep(replaced).await?;
    let notice = Some(staff.tr.t("staff-process-image-saved"));
    render(&staff, notice, None, StatusCode::OK).await
}

/// A process's texts and scope as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextsForm {
    title: String,
    summary: String,
    description: String,
    district: String,
    /// The other languages' texts: `tr-{language}-{field}`, and phase
    /// titles: `phase-{id}-{language}`.
    #[serde(flatten)]
    translated: std::collections::HashMap<String, String>,
}

impl TextsForm {
    /// The typed translations of the process and of its phases.
    fn translations(&self) -> (Translations, Vec<(Uuid, Translations)>) {
        let mut process = Translations::new();
        let mut phases: std::collections::BTreeMap<Uuid, Translations> = Default::default();
        for (name, text) in &self.translated {
            if let Some((code, field)) = name.strip_prefix("tr-").and_then(|r| r.split_once('-')) {
                process.set(code, field, text);
            } else if let Some(rest) = name.strip_prefix("phase-")
                && let Some((id, code)) = rest.get(..36).zip(rest.get(37..))
                && let Ok(id) = id.parse::<Uuid>()
            {
                phases.entry(id).or_default().set(code, "title", text);
            }
        }
        (process, phases.into_iter().collect())
    }
}

/// `POST /staff/processes/{id}`: new texts and scope.
pub async fn update(
    staff: Staff,
    Id(id): Id<ProcessId>,
    CsrfForm(form): CsrfForm<TextsForm>,
) -> Result<Response, PageError> {
    let (translations, phases) = form.translations();
    let texts = Texts {
        title: form.title,
        summary: form.summary,
        description: form.description,
        district: Some(form.district).filter(|d| !d.is_empty()),
        translations,
        phases,
    };
    act(
        &staff,
        "staff-process-updated",
        Typed::default(),
        async |tx, actor| processes::update(tx, actor, id, &texts).await,
    )
    .await
}

/// `POST /staff/processes/{id}/archive`: off the public site.
pub async fn archive(
    staff: Staff,
    Id(id): Id<ProcessId>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    act(
        &staff,
        "staff-process-archived",
        Typed::default(),
        async |tx, actor| found(processes::archive(tx, actor, id).await?),
    )
    .await
}

/// `POST /staff/phases/{id}/delete`: a phase that has not begun.
pub async fn remove_phase(
    staff: Staff,
    Id(id): Id<Uuid>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    act(
        &staff,
        "staff-phase-removed",
        Typed::default(),
        async |tx, actor| processes::remove_phase(tx, actor, id).await,
    )
    .await
}
