//! The moderation queue and its decisions.

use crate::http::error::PageError;
use crate::http::extract::{Citizen, CsrfForm, Staff};
use crate::http::query::DetailQuery;
use crate::notifications::deliver;
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::extract::Query;
use axum::response::{Redirect, Response};
use cabildo_engine::Error as EngineError;
use cabildo_engine::Refusal;
use cabildo_engine::moderation::{self, Blocked, Decision, Item, Reported};
use cabildo_engine::staff::{self, Permission};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "moderation.html")]
struct Page<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    queue: Vec<Reported>,
    blocked: Vec<Blocked>,
    /// Surveys with free texts to review: (address, title, how many).
    surveys: Vec<(String, String, String)>,
    notice: Option<String>,
}

/// The confirmations of the moderation page.
const DONE: [&str; 5] = ["hidden", "restored", "dismissed", "blocked", "unblocked"];

/// `GET /staff/moderation`.
pub async fn page(staff: Staff, Query(query): Query<DetailQuery>) -> Result<Response, PageError> {
    staff.require(Permission::Moderate)?;
    let (queue, blocked, surveys) = staff
        .tx(async |tx| {
            let queue = moderation::queue(tx).await?;
            let blocked = moderation::blocked(tx).await?;
            let surveys = cabildo_engine::surveys::waiting_for_review(tx).await?;
            Ok::<_, EngineError>((queue, blocked, surveys))
        })
        .await?;
    let tr = &staff.tr;
    let surveys = (surveys.into_iter())
        .map(|(id, title, n)| {
            let count = tr.count("staff-survey-waiting", n);
            (format!("/staff/surveys/{id}/texts"), title, count)
        })
        .collect();
    staff.render(&Page {
        tr: &staff.tr,
        chrome: &staff.chrome,
        queue,
        blocked,
        surveys,
        notice: query.notice(&staff.tr, "moderation-done", &DONE),
    })
}

/// A decision on a reported item.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    kind: String,
    id: String,
    decision: String,
}

/// `POST /staff/moderation/decisions`: hide, restore or dismiss.
pub async fn decide(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Redirect, PageError> {
    let item = form
        .id
        .parse()
        .ok()
        .and_then(|id| Item::parse(&form.kind, id));
    let (Some(item), Some(decision)) = (item, Decision::parse(&form.decision)) else {
        return Err(PageError::Refused(Refusal::NotFound));
    };
    let user = citizen.user();
    let actor = citizen.actor();
    citizen
        .change(async |tx| {
            staff::require(tx, user, Permission::Moderate).await?;
            if moderation::decide(tx, &actor, item, decision).await? {
                Ok(())
            } else {
                Err(PageError::Refused(Refusal::NotFound))
            }
        })
        .await?;
    let done = match decision {
        Decision::Hide => "hidden",
        Decision::Restore => "restored",
        Decision::Dismiss => "dismissed",
    };
    Ok(Redirect::to(&format!("/staff/moderation?done={done}")))
}

/// Blocking an account, or unblocking it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockForm {
    user: String,
    block: String,
    message: String,
    /// Unblocking: `on` to show again what the block hid.
    restore: String,
}

/// `POST /staff/moderation/blocks`: the person is told why; unblocking
/// restores what the block hid when asked to.
pub async fn block(
    citizen: Citizen,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Redirect, PageError> {
    let target: Uuid = form
        .user
        .parse()
        .map_err(|_| PageError::Refused(Refusal::NotFound))?;
    let on = form.block != "off";
    let (user, language) = (citizen.user(), citizen.tr.code().to_owned());
    let actor = citizen.actor();
    citizen
        .change(async |tx| {
            if on {
                moderation::may_block(tx, user, target.into()).await?;
                let notices = moderation::block(tx, &actor, target.into(), &form.message).await?;
                deliver(tx, &notices, &language).await?;
                return Ok(());
            }
            staff::require(tx, user, Permission::Moderate).await?;
            let restore = form.restore == "on";
            if moderation::unblock(tx, &actor, target.into(), restore)
                .await?
                .is_none()
            {
                return Err(PageError::Refused(Refusal::NotFound));
            }
            Ok(())
        })
        .await?;
    let done = if on { "blocked" } else { "unblocked" };
    Ok(Redirect::to(&format!("/staff/moderation?done={done}")))
}
