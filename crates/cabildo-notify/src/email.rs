//! The `email.send` job: renders a localised, council-branded message
//! (HTML and plain text) and sends it.
//!
//! Delivery is at least once: the job is marked done after the SMTP server
//! accepted the message, so a crash between the two sends it again. The
//! Message-ID is derived from the job, so receiving systems can tell the
//! copies apart.

use crate::mail::Mailer;
use crate::queue::Job;
use crate::worker::{Handler, JobError, JobFuture};
use askama::Template;
use cabildo_tenancy::{NewJob, Tenancy};
use fluent_templates::{LanguageIdentifier, Loader};
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Job kind of a single email.
pub const KIND: &str = "email.send";

/// The payload of an `email.send` job.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    /// Recipient address.
    pub to: String,
    /// Recipient name, if known.
    #[serde(default)]
    pub name: Option<String>,
    /// Recipient's language; the council's default when absent or not
    /// offered by the council.
    #[serde(default)]
    pub language: Option<String>,
    /// Which template: `message`.
    pub template: String,
    /// The template's variables.
    pub vars: serde_json::Value,
}

impl EmailRequest {
    /// The job that sends this email.
    pub fn job(&self) -> NewJob {
        NewJob::new(KIND, serde_json::to_value(self).unwrap_or_default())
    }
}

/// Variables of the `message` template: a subject, an optional heading,
/// paragraphs of plain text (separated by blank lines) and an optional
/// button. Everything is escaped: people's text can never become markup.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageVars {
    /// Subject line.
    pub subject: String,
    /// Heading above the text.
    #[serde(default)]
    pub heading: Option<String>,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
    /// Button target (http or https).
    #[serde(default)]
    pub action_url: Option<String>,
    /// Button text.
    #[serde(default)]
    pub action_label: Option<String>,
}

/// A button in a message.
pub struct Action {
    url: String,
    label: String,
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct MessageHtml<'a> {
    language: &'a str,
    subject: &'a str,
    council: &'a str,
    colour: &'a str,
    heading: Option<&'a str>,
    paragraphs: Vec<&'a str>,
    action: Option<Action>,
    footer: String,
    footer_automatic: String,
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct MessageText<'a> {
    council: &'a str,
    heading: Option<&'a str>,
    paragraphs: Vec<&'a str>,
    action: Option<Action>,
    footer: String,
    footer_automatic: String,
}

/// A rendered email.
#[derive(Debug)]
pub struct Rendered {
    /// Subject.
    pub subject: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
}

/// Who is sending: the council's branding.
pub struct Branding<'a> {
    /// Council name.
    pub council: &'a str,
    /// Main colour `#rrggbb`.
    pub colour: &'a str,
    /// Language to write in.
    pub language: &'a str,
}

fn lookup(language: &str, key: &str, council: &str) -> String {
    let id: LanguageIdentifier = language
        .parse()
        .unwrap_or_else(|_| fluent_templates::langid!("en"));
    let args = HashMap::from([(Cow::Borrowed("council"), council.to_owned().into())]);
    LOCALES.lookup_with_args(&id, key, &args)
}

/// Renders `template` with `vars`. Missing or unexpected variables, or an
/// unsafe link, are refused with a message naming them.
pub fn render(
    template: &str,
    vars: &serde_json::Value,
    branding: &Branding<'_>,
) -> Result<Rendered, JobError> {
    if template != "message" {
        return Err(JobError::Permanent(format!(
            "unknown email template {template:?}"
        )));
    }
    let vars: MessageVars = serde_json::from_value(vars.clone())
        .map_err(|e| JobError::Permanent(format!("template {template:?}: {e}")))?;
    let action = match (&vars.action_url, &vars.action_label) {
        (Some(url), Some(label)) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(JobError::Permanent(format!(
                    "template {template:?}: action_url must be http(s)"
                )));
            }
            Some((url.as_str(), label.as_str()))
        }
        (None, None) => None,
        _ => {
            return Err(JobError::Permanent(format!(
                "template {template:?}: action_url and action_label go together"
            )));
        }
    };
    let paragraphs: Vec<&str> = vars
        .body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let footer = lookup(branding.language, "email-footer", branding.council);
    let footer_automatic = lookup(
        branding.language,
        "email-footer-automatic",
        branding.council,
    );
    let make_action = || {
        action.map(|(url, label)| Action {
            url: url.to_owned(),
            label: label.to_owned(),
        })
    };
    let html = MessageHtml {
        language: branding.language,
        subject: &vars.subject,
        council: branding.council,
        colour: branding.colour,
        heading: vars.heading.as_deref(),
        paragraphs: paragraphs.clone(),
        action: make_action(),
        footer: footer.clone(),
        footer_automatic: footer_automatic.clone(),
    }
    .render()
    .map_err(|e| JobError::Permanent(format!("rendering {template:?}: {e}")))?;
    let text = MessageText {
        council: branding.council,
        heading: vars.heading.as_deref(),
        paragraphs,
        action: make_action(),
        footer,
        footer_automatic,
    }
    .render()
    .map_err(|e| JobError::Permanent(format!("rendering {template:?}: {e}")))?;
    Ok(Rendered {
        subject: vars.subject.clone(),
        html,
        text,
    })
}

/// Runs `email.send` jobs.
pub struct EmailHandler {
    tenancy: Tenancy,
    mailer: Mailer,
}

impl EmailHandler {
    /// A handler sending through `mailer`.
    pub fn new(tenancy: Tenancy, mailer: Mailer) -> Self {
        Self { tenancy, mailer }
    }

    async fn send(&self, job: &Job) -> Result<(), JobError> {
        let request: EmailRequest = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("invalid email job: {e}")))?;
        let tenant = self
            .tenancy
            .find_tenant_by_id(job.tenant())
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| JobError::Permanent("the council no longer exists".into()))?;
        let site = self
            .tenancy
            .site_settings(&tenant)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let language = request
            .language
            .as_deref()
            .filter(|l| site.languages.iter().any(|offered| offered == l))
            .unwrap_or(&site.default_language);
        let rendered = render(
            &request.template,
            &request.vars,
            &Branding {
                council: &tenant.name,
                colour: &site.primary_colour,
                language,
            },
        )?;
        let to: Mailbox = format!("{} <{}>", request.name.as_deref().unwrap_or(""), request.to)
            .trim()
            .parse()
            .or_else(|_| request.to.parse())
            .map_err(|e| {
                JobError::Permanent(format!("invalid recipient address {:?}: {e}", request.to))
            })?;
        let from = Mailbox::new(Some(tenant.name.clone()), self.mailer.from().clone());
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(format!(
                "<{}@{}>",
                job.id,
                self.mailer.from().domain()
            )))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| JobError::Permanent(format!("building the message: {e}")))?;
        self.mailer.send(&message).await
    }
}

impl Handler for EmailHandler {
    fn run<'a>(&'a self, job: &'a Job) -> JobFuture<'a> {
        Box::pin(self.send(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn branding(language: &str) -> Branding<'_> {
        Branding {
            council: "Ayuntamiento de Toledo",
            colour: "#8a1538",
            language,
        }
    }

    #[test]
    fn renders_both_parts_in_the_recipients_language() {
        let vars = json!({"subject": "Hola", "heading": "Bienvenida", "body": "Primer párrafo.\n\nSegundo.", "action_url": "https://toledo.example/x?a=1&b=2", "action_label": "Entrar"});
        let es = render("message", &vars, &branding("es")).expect("render");
        assert!(
            es.html
                .contains("<p style=\"margin:0 0 16px;\">Primer párrafo.</p>")
        );
        assert!(
            es.html
                .contains("href=\"https://toledo.example/x?a=1&#38;b=2\""),
            "{}",
            es.html
        );
        assert!(
            es.html
                .contains("Recibes este correo de Ayuntamiento de Toledo")
        );
        assert!(
            es.text.contains("Entrar: https://toledo.example/x?a=1&b=2"),
            "{}",
            es.text
        );
        assert!(es.text.contains("Segundo."));
        let en = render("message", &vars, &branding("en")).expect("render");
        assert!(
            en.html
                .contains("You receive this email from Ayuntamiento de Toledo")
        );
    }

    #[test]
    fn peoples_text_can_never_become_markup() {
        let vars = json!({"subject": "<b>x</b>", "heading": "<script>alert(1)</script>", "body": "<img src=x onerror=alert(1)>"});
        let rendered = render("message", &vars, &branding("es")).expect("render");
        assert!(!rendered.html.contains("<script>") && !rendered.html.contains("<img"));
        assert!(
            rendered.html.contains("&#60;script&#62;"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn missing_or_unsafe_variables_are_refused_by_name() {
        let cases = [
            (
                json!({"heading": "x", "body": "y"}),
                "missing field `subject`",
            ),
            (
                json!({"subject": "x", "body": "y", "extra": 1}),
                "unknown field `extra`",
            ),
            (
                json!({"subject": "x", "body": "y", "action_url": "javascript:alert(1)", "action_label": "go"}),
                "http(s)",
            ),
            (
                json!({"subject": "x", "body": "y", "action_url": "https://x"}),
                "go together",
            ),
        ];
        for (vars, expected) in cases {
            match render("message", &vars, &branding("es")) {
                Err(JobError::Permanent(message)) => {
                    assert!(message.contains(expected), "{message}")
                }
                other => panic!("expected a permanent failure, got {other:?}"),
            }
        }
        assert!(matches!(
            render("nope", &json!({}), &branding("es")),
            Err(JobError::Permanent(_))
        ));
    }
}
