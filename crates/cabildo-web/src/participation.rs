//! What the participation pages and API share: the HTTP status of each
//! refusal, turning the engine's notices into notifications in each
//! recipient's language, and the visitor's stable seed for the random
//! order of proposals.

use crate::error::WebError;
use crate::i18n::Tr;
use axum::http::StatusCode;
use cabildo_engine::content::{Notice, Refusal};
use cabildo_engine::processes::Denied;
use cabildo_tenancy::TenantTx;

/// The status a refusal is answered with.
pub(crate) fn refusal_status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::Denied(denied) => match denied {
            Denied::NotFound => StatusCode::NOT_FOUND,
            Denied::NotRegistered => StatusCode::UNAUTHORIZED,
            Denied::PhaseClosed
            | Denied::NotVerified
            | Denied::WrongDistrict
            | Denied::OrganisationsMayNot
            | Denied::Blocked => StatusCode::FORBIDDEN,
        },
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Invalid(..) | Refusal::TooDeep | Refusal::OwnComment => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Refusal::NotAuthor => StatusCode::FORBIDDEN,
        Refusal::EditWindowOver | Refusal::Closed => StatusCode::CONFLICT,
    }
}

/// The translated explanation of a refusal.
pub(crate) fn refusal_message(tr: &Tr, refusal: Refusal) -> String {
    tr.t(&format!("refusal-{}", refusal.code().replace('_', "-")))
}

/// Creates a notification for each notice, in its recipient's language
/// (the council's `default_language` when they chose none), in `tx`.
pub(crate) async fn deliver(
    tx: &mut TenantTx,
    notices: &[Notice],
    default_language: &str,
) -> Result<(), WebError> {
    for notice in notices {
        let tr = Tr::new(notice.language.as_deref().unwrap_or(default_language));
        let key = format!("notice-{}", notice.kind.replace('.', "-"));
        let (title, body) = if notice.kind == "user.blocked" {
            (tr.t(&key), notice.subject.clone())
        } else {
            (tr.with(&key, "subject", &notice.subject), String::new())
        };
        cabildo_notify::notifications::notify(
            tx,
            &cabildo_notify::NewNotification {
                user: notice.user,
                kind: notice.kind.into(),
                title: title.chars().take(300).collect(),
                body,
                link: Some(notice.link.clone()),
            },
        )
        .await?;
    }
    Ok(())
}

/// A visitor's seed for the random order: from their session or CSRF
/// token, so that paging through a random list keeps its order; the
/// `seed` query parameter wins when given.
pub(crate) fn seed(asked: Option<i64>, token: &str) -> i32 {
    if let Some(seed) = asked {
        return (seed.rem_euclid(i64::from(i32::MAX))) as i32;
    }
    let mut hash: u32 = 2_166_136_261;
    for byte in token.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(16_777_619);
    }
    (hash & 0x7fff_ffff) as i32
}
