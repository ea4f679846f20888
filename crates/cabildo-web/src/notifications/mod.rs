//! Notifications: the engine's notices turned into notifications in each
//! recipient's language, and `/notifications` (the logged-in person's,
//! newest first, a page at a time; "mark all as read").

mod pages;

use crate::http::state::AppState;
use crate::ui::i18n::Tr;
use axum::Router;
use axum::routing::{get, post};
use cabildo_engine::content::Notice;
use cabildo_notify::NewNotification;
use cabildo_tenancy::{TenancyError, TenantTx};

/// The notification pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::list))
        .route("/notifications/read", post(pages::mark_read))
}

/// Creates a notification for each notice, in its recipient's language
/// (the council's `default_language` when they chose none), in `tx`.
pub async fn deliver(
    tx: &mut TenantTx,
    notices: &[Notice],
    default_language: &str,
) -> Result<(), TenancyError> {
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
            &NewNotification {
                user: notice.user.into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_words_in_every_language() {
        for code in crate::ui::i18n::UI_LANGUAGES {
            let tr = Tr::new(code);
            for kind in [
                "comment-new",
                "comment-reply",
                "proposal-qualified",
                "proposal-status",
                "project-reviewed",
                "project-update",
                "user-blocked",
            ] {
                let message = tr.with(&format!("notice-{kind}"), "subject", "x");
                assert!(
                    !message.is_empty() && !message.contains("Unknown localization"),
                    "{code}: {message}"
                );
            }
        }
    }
}
