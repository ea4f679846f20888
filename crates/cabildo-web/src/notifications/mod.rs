//! Notifications: the engine's notices stored as notifications, shown in
//! the reader's language whenever they are read (and mailed in it), and
//! `/notifications` (the logged-in person's, newest first, a page at a
//! time; "mark all as read").

mod pages;

use crate::http::state::AppState;
use crate::ui::i18n::Tr;
use axum::Router;
use axum::routing::{get, post};
use cabildo_engine::content::Notice;
use cabildo_notify::NewNotification;
use cabildo_notify::notifications::{About, Notification};
use cabildo_tenancy::{TenancyError, TenantTx};

/// The notification pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::list))
        .route("/notifications/read", post(pages::mark_read))
}

/// Creates a notification for each notice, written in its recipient's
/// language (the council's `default_language` when they chose none) for
/// the mail and digests, with what it is about kept as data for reading
/// it later in whatever language they read in then; in `tx`.
pub async fn deliver(
    tx: &mut TenantTx,
    notices: &[Notice],
    default_language: &str,
) -> Result<(), TenancyError> {
    for notice in notices {
        let tr = Tr::new(notice.language.as_deref().unwrap_or(default_language));
        let about = About {
            subject: Some(notice.subject.chars().take(300).collect()),
            state: notice.change.state.map(str::to_owned),
            words: notice.change.words.clone(),
        };
        let (title, body) = words(&tr, notice.kind, &about).unwrap_or_default();
        cabildo_notify::notifications::notify(
            tx,
            &NewNotification {
                user: notice.user.into(),
                kind: notice.kind.into(),
                title: title.chars().take(300).collect(),
                body,
                link: Some(notice.link.clone()),
                about,
            },
        )
        .await?;
    }
    Ok(())
}

/// A stored notification's title and text in `tr`'s language: from what it
/// is about when its kind has words of its own, else as first written.
pub fn shown(tr: &Tr, notification: &Notification) -> (String, String) {
    words(tr, &notification.kind, &notification.about)
        .unwrap_or_else(|| (notification.title.clone(), notification.body.clone()))
}

/// The title and text of a notification of `kind` about `about`, if the
/// kind has words (`notice-{kind}`) and the notification its subject.
fn words(tr: &Tr, kind: &str, about: &About) -> Option<(String, String)> {
    let subject = about.subject.as_deref()?;
    let key = format!("notice-{}", kind.replace('.', "-"));
    // A block names nothing: its subject is the moderators' message.
    if kind == "user.blocked" {
        return Some((tr.find(&key)?, subject.to_owned()));
    }
    let title = tr.find_with(&key, "subject", subject)?;
    let state = about
        .state
        .as_deref()
        .and_then(|state| state_words(tr, kind, state))
        .map(|state| tr.with("notice-state", "state", &state));
    let body = [state, about.words.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    Some((title, body))
}

/// The words for `state` of the item a notification of `kind` is about.
fn state_words(tr: &Tr, kind: &str, state: &str) -> Option<String> {
    let prefix = match kind {
        "proposal.status" => "proposal-status",
        "project.reviewed" => "budget-feasibility",
        "project.update" => "budget-execution",
        _ => return None,
    };
    tr.find(&format!("{prefix}-{}", state.replace('_', "-")))
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

    #[test]
    fn a_notification_says_what_changed_in_the_readers_language() {
        let about = About {
            subject: Some("Más bancos".into()),
            state: Some("accepted".into()),
            words: Some("Los pondremos en marzo.".into()),
        };
        let (title, body) = words(&Tr::new("es"), "proposal.status", &about).expect("words");
        assert_eq!(title, "«Más bancos» tiene novedades del ayuntamiento");
        assert_eq!(body, "Estado: Aceptada\n\nLos pondremos en marzo.");
        let (title, body) = words(&Tr::new("en"), "proposal.status", &about).expect("words");
        assert!(
            title.contains("Más bancos") && body.starts_with("Status: Accepted"),
            "{title} / {body}"
        );
        let review = About {
            state: Some("needs_info".into()),
            ..about.clone()
        };
        let (_, body) = words(&Tr::new("gl"), "project.reviewed", &review).expect("words");
        assert!(!body.contains("needs"), "{body}");
        assert_eq!(words(&Tr::new("es"), "organisation.review", &about), None);
    }
}
