//! The proposal pages and their forms.

use crate::comments::view::{self, CommentsView};
use crate::http::council::Council;
use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, NoFields, Upload};
use crate::http::query::{DetailQuery, ListQuery};
use crate::http::storage::Picture;
use crate::notifications::deliver;
use crate::places::picker::{Place, PlaceForm};
use crate::processes::cached::published;
use crate::processes::may_start;
use crate::proposals::cached;
use crate::proposals::rows::{ProposalRow, rows};
use crate::ui::chrome::Chrome;
use crate::ui::format::{encode, paragraphs};
use crate::ui::i18n::Tr;
use crate::ui::pagination::Pagination;
use crate::ui::tabs::{ProcessTabs, Tab};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::content::Target;
use cabildo_engine::error::{Field, Problem};
use cabildo_engine::ids::ProposalId;
use cabildo_engine::processes::{self, Action};
use cabildo_engine::proposals::{self, Filter, NewProposal, Proposal, ProposalSort, Status};
use cabildo_engine::staff::{self, Permission};
use serde::Deserialize;
use uuid::Uuid;

/// A link that changes one thing of a list (its sort).
pub struct Choice {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ListPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    items: Vec<ProposalRow>,
    total_label: String,
    sorts: Vec<Choice>,
    districts: Vec<(String, String)>,
    district: String,
    statuses: Vec<(String, String)>,
    status: String,
    qualified: bool,
    sort: &'static str,
    pagination: Pagination,
}

/// The statuses a proposal may be given, with their names.
fn statuses(tr: &Tr, which: &[Status]) -> Vec<(String, String)> {
    let label = |s: &Status| tr.t(&format!("proposal-status-{s}"));
    which.iter().map(|s| (s.to_string(), label(s))).collect()
}

/// `GET /processes/{slug}/proposals`.
pub async fn list(
    council: Council,
    Id(slug): Id<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let (page, sort, filter) = (
        query.page(),
        ProposalSort::parse(query.sort.as_deref()),
        query.filter(),
    );
    let seed = query.seed(&council.visitor.csrf);
    let ((process, _, phases, _), list) =
        cached::list::<PageError>(&council, &slug, &filter, (sort, seed), page).await?;
    let tr = &council.tr;
    let base = format!("/processes/{slug}/proposals");
    let with_sort = |s: ProposalSort| query_with_sort(&filter, s);
    let sorts = [
        ProposalSort::Supported,
        ProposalSort::Newest,
        ProposalSort::Random,
    ]
    .into_iter()
    .map(|s| Choice {
        label: tr.t(&format!("proposals-sort-{}", s.as_str())),
        href: format!("{base}?{}", with_sort(s)),
        current: s == sort,
    })
    .collect();
    let districts = council.districts();
    council.render(&ListPage {
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Proposals),
        items: rows(tr, &districts, list.0.clone()),
        total_label: tr.count("proposals-total", list.1),
        sorts,
        district: filter.district.clone().unwrap_or_default(),
        districts,
        statuses: statuses(tr, Status::ALL),
        status: filter.status.clone().unwrap_or_default(),
        qualified: filter.qualified,
        sort: sort.as_str(),
        pagination: Pagination::new(tr, &base, &with_sort(sort), page, list.1),
    })
}

/// A list's query: its sort, then its filters.
fn query_with_sort(filter: &Filter, sort: ProposalSort) -> String {
    let mut query = vec![format!("sort={}", sort.as_str())];
    if let Some(district) = &filter.district {
        query.push(format!("district={}", encode(district)));
    }
    if let Some(status) = &filter.status {
        query.push(format!("status={}", encode(status)));
    }
    if filter.qualified {
        query.push("qualified=true".to_owned());
    }
    query.join("&")
}

#[derive(Template)]
#[template(path = "proposal_form.html")]
struct FormPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    heading: String,
    action: String,
    title: String,
    summary: String,
    body: String,
    district: String,
    districts: Vec<(String, String)>,
    place: Place,
    /// Refused fields and why: (field, message).
    errors: Vec<(String, String)>,
}

/// A proposal as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProposalForm {
    title: String,
    summary: String,
    body: String,
    district: String,
    /// Where, in words and on the map.
    #[serde(flatten)]
    place: PlaceForm,
}

impl ProposalForm {
    fn of(proposal: Proposal) -> Self {
        let point = proposal.latitude.zip(proposal.longitude);
        Self {
            place: PlaceForm::of(&proposal.address, point),
            title: proposal.title,
            summary: proposal.summary,
            body: proposal.body,
            district: proposal.district.unwrap_or_default(),
        }
    }

    /// The proposal typed, its address placed on the map when it has no
    /// point (see [`crate::places::locate`]); refused when the point typed is not
    /// one.
    async fn proposal(&self, council: &Council) -> Result<NewProposal, PageError> {
        let point = self.place.point().map_err(|()| {
            PageError::from(EngineError::invalid(Field::Point, Problem::PointInvalid))
        })?;
        let (point, _) = crate::places::locate(council, &self.place.address, point).await?;
        Ok(NewProposal {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            district: Some(self.district.clone()).filter(|d| !d.is_empty()),
            address: self.place.address.clone(),
            point,
        })
    }
}

/// Which proposal form: a new one in a process, or editing one.
enum Which {
    New(String),
    Edit(ProposalId),
}

/// The form `which`, with what was typed and why it was refused.
async fn form_page(
    council: &Council,
    status: StatusCode,
    which: &Which,
    form: ProposalForm,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let (action, heading) = match which {
        Which::New(slug) => (format!("/processes/{slug}/proposals"), "proposal-new"),
        Which::Edit(id) => (format!("/proposals/{id}/edit"), "proposal-edit"),
    };
    let heading = council.tr.t(heading);
    let place = Place::new(council, form.place, "p").await?;
    let map = place.map.is_some();
    let page = council.render_status(
        status,
        &FormPage {
            tr: &council.tr,
            chrome: &council.chrome,
            heading,
            action,
            title: form.title,
            summary: form.summary,
            body: form.body,
            district: form.district,
            districts: council.districts(),
            place,
            errors,
        },
    )?;
    Ok(crate::places::with_map(council, page, map))
}

/// `GET /processes/{slug}/proposals/new`: the form, or why the visitor may
/// not make a proposal now.
pub async fn new_form(citizen: Citizen, Id(slug): Id<String>) -> Result<Response, PageError> {
    may_start(&citizen, &slug, citizen.user(), Action::CreateProposal).await?;
    let form = ProposalForm::default();
    form_page(
        &citizen,
        StatusCode::OK,
        &Which::New(slug),
        form,
        Vec::new(),
    )
    .await
}

/// After a change: to the proposal, or its form again with what was typed
/// and the refused field explained.
async fn after(
    citizen: &Citizen,
    (which, form): (Which, ProposalForm),
    done: &str,
    outcome: Result<ProposalId, PageError>,
) -> Result<Response, PageError> {
    let error = match outcome {
        Ok(id) => return Ok(Redirect::to(&format!("/proposals/{id}?done={done}")).into_response()),
        Err(error) => error,
    };
    let shown = error.field_messages(&citizen.tr);
    if shown.is_empty() {
        return Err(error);
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    form_page(citizen, status, &which, form, shown).await
}

/// `POST /processes/{slug}/proposals`.
pub async fn create(
    citizen: Citizen,
    Id(slug): Id<String>,
    CsrfForm(mut form): CsrfForm<ProposalForm>,
) -> Result<Response, PageError> {
    let which = Which::New(slug.clone());
    if form.place.moved() {
        return form_page(&citizen, StatusCode::OK, &which, form, Vec::new()).await;
    }
    let user = citizen.user();
    let created = match form.proposal(&citizen).await {
        Ok(new) => {
            citizen
                .change(async |tx| {
                    let (process, ..) = processes::published_by_slug(tx, &slug)
                        .await?
                        .ok_or(Refusal::NotFound)?;
                    Ok::<_, PageError>(proposals::create(tx, user, process.id, &new).await?)
                })
                .await
        }
        Err(refused) => Err(refused),
    };
    after(&citizen, (which, form), "created", created).await
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    tabs: ProcessTabs,
    proposal: ProposalRow,
    paragraphs: Vec<String>,
    /// The picture's name.
    image: Option<String>,
    /// Where, in words; its place on the map (an inline SVG) and the
    /// tiles' credit.
    address: String,
    map: Option<String>,
    attribution: String,
    answer: Vec<String>,
    published: String,
    comments: CommentsView,
    supported: bool,
    /// Why the visitor may not support, when they may not.
    support_denied: Option<String>,
    login_to_support: bool,
    following: bool,
    editable: bool,
    answering: bool,
    statuses: Vec<(String, String)>,
    notice: Option<String>,
    /// Meetings' agreements deciding on it: (meeting page, meeting title,
    /// date, agreement).
    decisions: Vec<(String, String, String, String)>,
}

/// What a proposal's page shows of and for its visitor.
struct Seen {
    proposal: Proposal,
    may: Option<Refusal>,
    supported: bool,
    editable: bool,
    following: bool,
    answering: bool,
}

/// A proposal as `council`'s visitor sees it: anonymous visitors read it
/// from the read cache (its count may lag a few seconds) and need nothing
/// else; people logged in read it fresh, with what concerns them.
async fn seen(council: &Council, id: Uuid) -> Result<Seen, PageError> {
    let Some(user) = council.user() else {
        let proposal = cached::proposal::<PageError>(council, id).await?;
        let proposal = proposal.as_ref().clone().ok_or(PageError::NotFound)?;
        return Ok(Seen {
            proposal,
            may: Some(Refusal::NotRegistered),
            supported: false,
            editable: false,
            following: false,
            answering: false,
        });
    };
    council
        .tx(async |tx| {
            let proposal = proposals::find(tx, id.into())
                .await?
                .ok_or(PageError::NotFound)?;
            let process = proposal.process_id;
            Ok(Seen {
                may: processes::may(tx, process, Some(user), Action::Support).await?,
                supported: !proposals::supported_by(tx, user, &[id.into()])
                    .await?
                    .is_empty(),
                editable: proposals::editable_by(tx, user, id.into()).await?,
                following: cabildo_engine::follows::follows(tx, user, Target::Proposal(id.into()))
                    .await?,
                answering: staff::may(tx, user, Permission::AnswerProposals).await?,
                proposal,
            })
        })
        .await
}

/// The confirmations of a proposal's page.
const DONE: [&str; 7] = [
    "created",
    "edited",
    "supported",
    "unsupported",
    "withdrawn",
    "answered",
    "acted",
];

/// `GET /proposals/{id}`.
pub async fn show(
    council: Council,
    Id(id): Id<ProposalId>,
    Query(query): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let seen = seen(&council, id.into()).await?;
    let (process, _, phases, _) =
        published::<PageError>(&council, &seen.proposal.process_slug).await?;
    let base = format!("/proposals/{id}");
    let comments = view::load(
        &council,
        Target::Proposal(id),
        query.comments_page(),
        true,
        base,
    )
    .await?;
    let tr = &council.tr;
    let support_denied = match seen.may {
        None if seen.proposal.status == Status::Published => None,
        None => Some(tr.t(Refusal::Closed.key())),
        Some(refusal) => Some(tr.t(refusal.key())),
    };
    let proposal = seen.proposal;
    let decisions = council
        .cached(format!("decisions:{id}"), async |tx| {
            Ok::<_, PageError>(cabildo_engine::meetings::minutes::decisions_on(tx, id).await?)
        })
        .await?;
    let page = ProposalPage {
        decisions: (decisions.iter())
            .map(|d| {
                let href = format!("/meetings/{}", d.meeting_id);
                (
                    href,
                    d.meeting_title.clone(),
                    tr.date(d.starts_at),
                    d.text.clone(),
                )
            })
            .collect(),
        tr,
        chrome: &council.chrome,
        tabs: ProcessTabs::new(&process, &phases, Tab::Proposals),
        paragraphs: paragraphs(&proposal.body),
        image: proposal.image.clone(),
        address: proposal.address.clone(),
        map: crate::places::one(
            &council,
            proposal.latitude.zip(proposal.longitude),
            &tr.t("proposal-map"),
        ),
        attribution: crate::places::attribution(&council),
        answer: paragraphs(proposal.answer.as_deref().unwrap_or_default()),
        published: tr.date(proposal.created_at),
        comments,
        supported: seen.supported,
        support_denied,
        login_to_support: council.user().is_none(),
        following: seen.following,
        editable: seen.editable,
        answering: seen.answering,
        statuses: statuses(tr, &Status::ALL[..4]),
        notice: query.notice(tr, "done", &DONE),
        proposal: rows(tr, &council.districts(), vec![proposal]).remove(0),
    };
    let rendered = council.render(&page)?;
    Ok(crate::places::with_map(
        &council,
        rendered,
        page.map.is_some(),
    ))
}

/// `support` = `on` (support) or `off` (take it back).
#[derive(Debug, Default, Deserialize)]
pub struct SupportForm {
    #[serde(default)]
    support: String,
}

/// `POST /proposals/{id}/support`. Supports do not drop the read cache:
/// counts in lists may lag a few seconds.
pub async fn support(
    citizen: Citizen,
    Id(id): Id<ProposalId>,
    CsrfForm(form): CsrfForm<SupportForm>,
) -> Result<Redirect, PageError> {
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let on = form.support != "off";
    citizen
        .tx(async |tx| {
            if on {
                let supported = proposals::support(tx, user, id).await?;
                deliver(tx, &supported.notices, &language).await?;
            } else {
                proposals::unsupport(tx, user, id).await?;
            }
            Ok::<_, PageError>(())
        })
        .await?;
    let done = if on { "supported" } else { "unsupported" };
    Ok(Redirect::to(&format!(
        "/proposals/{id}?done={done}#support"
    )))
}

/// `POST /proposals/{id}/withdraw`: the author withdraws it.
pub async fn withdraw(
    citizen: Citizen,
    Id(id): Id<ProposalId>,
    _: CsrfForm<NoFields>,
) -> Result<Redirect, PageError> {
    let user = citizen.user();
    citizen
        .change(async |tx| proposals::withdraw(tx, user, id).await)
        .await?;
    Ok(Redirect::to(&format!("/proposals/{id}?done=withdrawn")))
}

/// `GET /proposals/{id}/edit`: the author, within the edit window.
pub async fn edit_form(citizen: Citizen, Id(id): Id<ProposalId>) -> Result<Response, PageError> {
    let user = citizen.user();
    let proposal = citizen
        .tx(async |tx| {
            let editable = proposals::editable_by(tx, user, id).await?;
            let proposal = proposals::find(tx, id).await?;
            Ok::<_, EngineError>(proposal.filter(|_| editable))
        })
        .await?
        .ok_or(PageError::Refused(Refusal::EditWindowOver))?;
    let form = ProposalForm::of(proposal);
    form_page(&citizen, StatusCode::OK, &Which::Edit(id), form, Vec::new()).await
}

/// `POST /proposals/{id}/edit`.
pub async fn edit(
    citizen: Citizen,
    Id(id): Id<ProposalId>,
    CsrfForm(mut form): CsrfForm<ProposalForm>,
) -> Result<Response, PageError> {
    if form.place.moved() {
        return form_page(&citizen, StatusCode::OK, &Which::Edit(id), form, Vec::new()).await;
    }
    let user = citizen.user();
    let edited = match form.proposal(&citizen).await {
        Ok(new) => {
            citizen
                .change(async |tx| Ok::<_, PageError>(proposals::edit(tx, user, id, &new).await?))
                .await
        }
        Err(refused) => Err(refused),
    };
    after(
        &citizen,
        (Which::Edit(id), form),
        "edited",
        edited.map(|()| id),
    )
    .await
}

/// A staff answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    answer: String,
}

/// `POST /staff/proposals/{id}/status`: admins and evaluators set the
/// status with an official answer; followers are told.
pub async fn set_status(
    citizen: Citizen,
    Id(id): Id<ProposalId>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Redirect, PageError> {
    let who = (citizen.user(), citizen.actor());
    super::answer(&citizen, who, id, &form.status, &form.answer).await?;
    Ok(Redirect::to(&format!("/proposals/{id}?done=answered")))
}

/// `POST /proposals/{id}/image` (multipart, field `image`): the author
/// adds or replaces the proposal's picture within the edit window.
pub async fn upload_image(
    citizen: Citizen,
    Id(id): Id<ProposalId>,
    upload: Upload,
) -> Result<Redirect, PageError> {
    let picture = Picture::check(upload.file("image"))?;
    let user = citizen.user();
    let (staged, replaced) = citizen
        .change(async |tx| {
            let replaced = proposals::set_image(tx, user, id, picture.name()).await?;
            Ok::<_, PageError>((citizen.stage(user, &picture).await?, replaced))
        })
        .await?;
    staged.keep(replaced).await?;
    Ok(Redirect::to(&format!("/proposals/{id}?done=edited")))
}
