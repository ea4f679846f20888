//! `/staff/newsletters` (admins).

use crate::http::error::PageError;
use crate::http::extract::{CsrfForm, Staff};
use crate::ui::chrome::Chrome;
use crate::ui::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cabildo_engine::accounts;
use cabildo_engine::staff::{Permission, audit};
use cabildo_notify::newsletters::{self, Audience, Draft, Progress, Sent};
use serde::Deserialize;
use serde_json::json;

/// One past newsletter as listed.
pub struct SentView {
    subject: String,
    audience: String,
    total: i64,
    done: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "newsletters.html")]
struct NewslettersPage<'a> {
    tr: &'a Tr,
    chrome: &'a Chrome,
    subject: String,
    body: String,
    audience: String,
    audiences: Vec<(String, String)>,
    preview: Option<String>,
    audience_size: String,
    sent: Vec<SentView>,
    notice: Option<String>,
    error: Option<String>,
    /// Before sending: the question, with how many people will get it.
    confirm: Option<String>,
}

/// The form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewsletterForm {
    subject: String,
    body: String,
    audience: String,
    action: String,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Shown {
    typed: NewsletterForm,
    preview: Option<(String, i64)>,
    notice: Option<String>,
    error: Option<String>,
    confirm: Option<String>,
}

fn sent_view(tr: &Tr, (n, p): (Sent, Progress)) -> SentView {
    let counts = format!(
        "{} / {} / {}",
        tr.number(p.sent),
        tr.number(p.failed),
        tr.number(p.pending)
    );
    SentView {
        subject: n.subject,
        audience: n.audience,
        total: p.total.max(1),
        done: p.sent + p.failed,
        label: tr.with("newsletters-progress-label", "counts", &counts),
    }
}

async fn render(staff: &Staff, shown: Shown, status: StatusCode) -> Result<Response, PageError> {
    let sent = staff
        .tx(async |tx| {
            let mut sent = Vec::new();
            for newsletter in newsletters::list(tx, 20).await? {
                let progress = newsletters::progress(tx, newsletter.id).await?;
                sent.push((newsletter, progress));
            }
            Ok::<_, PageError>(sent)
        })
        .await?;
    let tr = &staff.tr;
    let mut audiences = vec![("all".to_owned(), tr.t("newsletters-audience-all"))];
    audiences.extend(staff.settings.districts.iter().map(|d| {
        (
            format!("district:{}", d.code),
            tr.with("newsletters-audience-district", "district", &d.name),
        )
    }));
    staff.render_status(
        status,
        &NewslettersPage {
            tr,
            chrome: &staff.chrome,
            subject: shown.typed.subject,
            body: shown.typed.body,
            audience: shown.typed.audience,
            audiences,
            audience_size: shown
                .preview
                .as_ref()
                .map(|(_, size)| tr.count("newsletters-audience-size", *size))
                .unwrap_or_default(),
            preview: shown.preview.map(|(html, _)| html),
            sent: sent.into_iter().map(|s| sent_view(tr, s)).collect(),
            notice: shown.notice,
            error: shown.error,
            confirm: shown.confirm,
        },
    )
}

/// `GET /staff/newsletters`.
pub async fn page(staff: Staff) -> Result<Response, PageError> {
    staff.require(Permission::SendNewsletters)?;
    render(&staff, Shown::default(), StatusCode::OK).await
}

/// What a POST did.
enum Done {
    Preview(i64),
    /// Asked to send: how many would get it (nothing is sent yet).
    Confirm(i64),
    Tested(String),
    Sent(i64),
}

/// `POST /staff/newsletters` with `action` = `preview`, `test`, `send`
/// (which asks for confirmation, with the number of recipients) or
/// `send-confirmed`.
pub async fn act(
    staff: Staff,
    CsrfForm(typed): CsrfForm<NewsletterForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::SendNewsletters)?;
    let draft = match typed.draft() {
        Ok(draft) => draft,
        Err(key) => {
            let error = Some(staff.tr.t(key));
            let shown = Shown {
                typed,
                error,
                ..Shown::default()
            };
            return render(&staff, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let done = send(&staff, &typed.action, &draft).await?;
    let tr = &staff.tr;
    let shown = match done {
        Done::Preview(size) => Shown {
            preview: Some((cabildo_notify::markdown::render(&draft.markdown), size)),
            typed,
            ..Shown::default()
        },
        Done::Confirm(size) => Shown {
            preview: Some((cabildo_notify::markdown::render(&draft.markdown), size)),
            confirm: Some(tr.args(
                "newsletters-confirm",
                &[
                    ("subject", draft.subject.clone()),
                    ("people", tr.count("newsletters-people", size)),
                ],
            )),
            typed,
            ..Shown::default()
        },
        Done::Tested(email) => Shown {
            notice: Some(tr.with("newsletters-tested", "email", &email)),
            typed,
            ..Shown::default()
        },
        Done::Sent(recipients) => Shown {
            notice: Some(tr.count("newsletters-queued", recipients)),
            ..Shown::default()
        },
    };
    render(&staff, shown, StatusCode::OK).await
}

impl NewsletterForm {
    /// The newsletter as typed, or the key of why it cannot be sent: an
    /// audience, a subject of 1 to 200 characters and a text of at most
    /// 100,000.
    fn draft(&self) -> Result<Draft, &'static str> {
        let audience = Audience::parse(&self.audience).ok_or("newsletters-error-audience")?;
        let (subject, markdown) = (self.subject.trim(), &self.body);
        let fits = |text: &str, max| !text.trim().is_empty() && text.chars().count() <= max;
        if !fits(subject, 200) || !fits(markdown, 100_000) {
            return Err("newsletters-error-empty");
        }
        Ok(Draft {
            subject: subject.to_owned(),
            markdown: markdown.clone(),
            audience,
        })
    }
}

/// Previews, tests or sends `draft` as `action` says (audited).
async fn send(staff: &Staff, action: &str, draft: &Draft) -> Result<Done, PageError> {
    let user = staff.user();
    let actor = staff.actor();
    staff
        .tx(async |tx| {
            Ok::<_, PageError>(match action {
                "test" => {
                    let email = accounts::email_of(tx, user)
                        .await?
                        .ok_or(PageError::LogIn(None))?;
                    newsletters::send_test(tx, draft, &email).await?;
                    audit(
                        tx,
                        &actor,
                        "newsletter.test",
                        Some(&draft.subject),
                        json!({}),
                    )
                    .await?;
                    Done::Tested(email)
                }
                "send" => Done::Confirm(newsletters::audience_size(tx, &draft.audience).await?),
                "send-confirmed" => {
                    let (id, recipients) = newsletters::send(tx, draft)
                        .await?
                        .map_err(PageError::Plan)?;
                    let details = json!({"newsletter": id, "recipients": recipients});
                    audit(tx, &actor, "newsletter.send", Some(&draft.subject), details).await?;
                    Done::Sent(recipients)
                }
                _ => Done::Preview(newsletters::audience_size(tx, &draft.audience).await?),
            })
        })
        .await
}
