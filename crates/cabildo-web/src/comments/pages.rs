//! The forms of the comments section, following and reporting.

use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Id, NoFields};
use crate::notifications::deliver;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use cabildo_engine::Refusal;
use cabildo_engine::comments::{self, NewComment};
use cabildo_engine::content::Target;
use cabildo_engine::ids::CommentId;
use cabildo_engine::moderation::{self, Item};
use cabildo_engine::staff::{self, Permission};
use cabildo_engine::{follows, processes};
use serde::Deserialize;
use uuid::Uuid;

/// A comment or reply as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    target_kind: String,
    target_id: String,
    parent: String,
    body: String,
    alignment: String,
    official: String,
}

/// What a form names: `kind` (`process`, `debate`, `proposal`, `project`,
/// `meeting`) and id.
fn target_of(kind: &str, id: &str) -> Option<Target> {
    Target::parse(kind, id.trim().parse().ok()?)
}

/// `POST /comments`: a comment or a reply; back to it on its page.
pub async fn create(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<Redirect, PageError> {
    let target = target_of(&form.target_kind, &form.target_id).ok_or(PageError::NotFound)?;
    let parent = match form.parent.as_str() {
        "" => None,
        parent => Some(parent.parse().map_err(|_| PageError::NotFound)?),
    };
    let new = NewComment {
        body: form.body,
        alignment: form.alignment.parse().unwrap_or(0),
        parent,
    };
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let wants_official = form.official == "on";
    let back = citizen
        .change(async |tx| {
            let official =
                wants_official && staff::may(tx, user, Permission::CommentOfficially).await?;
            let posted = comments::create(tx, user, target, &new, official).await?;
            deliver(tx, &posted.notices, &language).await?;
            Ok::<_, PageError>(posted.link)
        })
        .await?;
    Ok(Redirect::to(&back))
}

/// A vote on a comment: 1, -1 or 0.
#[derive(Debug, Default, Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    value: String,
}

/// `POST /comments/{id}/vote`.
pub async fn vote(
    citizen: Citizen,
    Id(id): Id<CommentId>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Redirect, PageError> {
    let value: i16 = form.value.parse().unwrap_or(i16::MAX);
    let user = citizen.user();
    let back = citizen
        .change(async |tx| {
            comments::vote(tx, user, id, value).await?;
            Ok::<_, PageError>(comments::link_of(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    Ok(Redirect::to(&back))
}

/// A comment's new text.
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    body: String,
}

/// `POST /comments/{id}/edit`: the author, within the edit window.
pub async fn edit(
    citizen: Citizen,
    Id(id): Id<CommentId>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Redirect, PageError> {
    let user = citizen.user();
    let back = citizen
        .change(async |tx| {
            comments::edit(tx, user, id, &form.body).await?;
            Ok::<_, PageError>(comments::link_of(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    Ok(Redirect::to(&back))
}

/// `POST /comments/{id}/delete`: the author; a placeholder stays.
pub async fn delete(
    citizen: Citizen,
    Id(id): Id<CommentId>,
    _: CsrfForm<NoFields>,
) -> Result<Redirect, PageError> {
    let user = citizen.user();
    let back = citizen
        .change(async |tx| {
            comments::delete(tx, user, id).await?;
            Ok::<_, PageError>(comments::link_of(tx, id).await?.ok_or(Refusal::NotFound)?)
        })
        .await?;
    Ok(Redirect::to(&back))
}

/// A report to the moderators.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    kind: String,
    id: String,
    reason: String,
}

/// `POST /reports`: a proposal, debate, comment or project reported.
pub async fn report(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> Result<Response, PageError> {
    let id: Uuid = form.id.trim().parse().map_err(|_| PageError::NotFound)?;
    let item = Item::parse(&form.kind, id).ok_or(PageError::NotFound)?;
    let user = citizen.user();
    citizen
        .tx(async |tx| moderation::report(tx, user, item, &form.reason).await)
        .await?;
    Ok(citizen.message(StatusCode::OK, "report-thanks"))
}

/// Following something, or no longer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowForm {
    kind: String,
    id: String,
    follow: String,
}

/// `POST /follows`: back to what is (no longer) followed.
pub async fn follow(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Result<Response, PageError> {
    let target = target_of(&form.kind, &form.id).ok_or(PageError::NotFound)?;
    let (user, on) = (citizen.user(), form.follow == "on");
    let back = citizen
        .change(async |tx| {
            follows::set(tx, user, target, on).await?;
            Ok::<_, PageError>(match target {
                Target::Debate(id) => format!("/debates/{id}"),
                Target::Proposal(id) => format!("/proposals/{id}"),
                Target::Project(id) => format!("/budget-projects/{id}"),
                Target::Meeting(id) => format!("/meetings/{id}"),
                Target::Process(id) => match processes::slug_of(tx, id).await? {
                    Some(slug) => format!("/processes/{slug}"),
                    None => "/processes".to_owned(),
                },
            })
        })
        .await?;
    Ok(Redirect::to(&back).into_response())
}
