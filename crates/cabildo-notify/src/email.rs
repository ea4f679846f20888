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
use cabildo_tenancy::Tenancy;
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

pub use cabildo_tenancy::{EMAIL_KIND as KIND, EmailRequest};

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
    /// End with a link to the recipient's email preferences (mail that
    /// tells of notifications).
    #[serde(default)]
    pub preferences: bool,
}

/// Where people choose which mail they get and how often: their account
/// page's preferences.
pub const PREFERENCES_PATH: &str = "/account#preferences";

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
    preferences: Option<Action>,
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
    preferences: Option<Action>,
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

/// Who is sending: the council's branding and site.
pub struct Branding<'a> {
    /// Council name.
    pub council: &'a str,
    /// The Spanish article of the council's name (`el` …), empty for none.
    pub article: &'a str,
    /// Main colour `#rrggbb`.
    pub colour: &'a str,
    /// Language to write in.
    pub language: &'a str,
    /// The council site's address without a trailing slash
    /// (`https://toledo.cabildo.example`); links given as paths start here.
    pub site_url: &'a str,
    /// The platform writes (about a sign-up), not a council.
    pub platform: bool,
}

impl Branding<'_> {
    /// The string `key` in the mail's language, naming the council.
    pub(crate) fn text(&self, key: &str) -> String {
        lookup(self.language, key, self.council, self.article)
    }

    /// The string `key` in the mail's language, naming the council, with
    /// more variables.
    pub(crate) fn text_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        lookup_with(self.language, key, self.council, self.article, args)
    }

    /// An absolute http(s) link for `link` (a path on the council's site or
    /// an http(s) URL); anything else is refused.
    fn link(&self, link: &str) -> Result<String, String> {
        if link.starts_with("https://") || link.starts_with("http://") {
            Ok(link.to_owned())
        } else if link.starts_with('/') && !link.starts_with("//") {
            Ok(format!("{}{link}", self.site_url))
        } else {
            Err(format!("link {link:?} must be a path or an http(s) URL"))
        }
    }
}

/// Template name of account mails (confirm an address, reset a password,
/// "this address already has an account").
pub const ACCOUNT_TEMPLATE: &str = "account";

/// Variables of the `account` template.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountVars {
    /// `confirm`, `reset`, `exists`, `invite`, `email` (confirm a new
    /// address) or `email-changed` (told to the old address); from the
    /// platform: `signup-confirm`, `signup-review` (to operators),
    /// `signup-approved`, `signup-rejected`, `billing-overdue` (to a
    /// council's admins), `invoice-request` (to operators),
    /// `invoice-accepted` and `invoice-declined` (to a council's admins).
    pub kind: String,
    /// The link to follow: a path on the council's site.
    pub link: String,
}

/// The text of an account mail in the recipient's language, as a message.
fn account_message(
    vars: &serde_json::Value,
    branding: &Branding<'_>,
) -> Result<MessageVars, String> {
    let vars: AccountVars = serde_json::from_value(vars.clone()).map_err(|e| e.to_string())?;
    if !matches!(
        vars.kind.as_str(),
        "confirm"
            | "reset"
            | "exists"
            | "invite"
            | "email"
            | "email-changed"
            | "signup-confirm"
            | "signup-review"
            | "signup-approved"
            | "signup-rejected"
            | "billing-overdue"
            | "invoice-request"
            | "invoice-accepted"
            | "invoice-declined"
    ) {
        return Err(format!("unknown account mail {:?}", vars.kind));
    }
    let text = |part: &str| branding.text(&format!("account-{}-{part}", vars.kind));
    Ok(MessageVars {
        subject: text("subject"),
        heading: None,
        body: text("body"),
        action_url: Some(vars.link),
        action_label: Some(text("action")),
        preferences: false,
    })
}

/// Template name of meeting mails.
pub const MEETING_TEMPLATE: &str = "meeting";

/// Variables of the `meeting` template.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingVars {
    /// `registered`, `waiting`, `promoted`, `invited`, `reminder`,
    /// `changed` or `cancelled`.
    pub kind: String,
    /// The meeting's title.
    pub title: String,
    /// When it starts on the council's clock (`YYYY-MM-DD HH:MM`).
    pub when: String,
    /// Where: the address, the link to join, or both.
    pub place: String,
    /// The meeting's page (a path on the council's site).
    pub link: String,
    /// The person's entry code (meetings with registration).
    #[serde(default)]
    pub code: Option<String>,
    /// Why it was cancelled.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `2026-12-10 19:00` as people of `language` write it.
fn local_time(when: &str, language: &str) -> String {
    let (Some(year), Some(month), Some(day), Some(clock)) = (
        when.get(0..4),
        when.get(5..7),
        when.get(8..10),
        when.get(11..16),
    ) else {
        return when.to_owned();
    };
    match language {
        "eu" => format!("{year}/{month}/{day}, {clock}"),
        _ => format!("{day}/{month}/{year}, {clock}"),
    }
}

/// The text of a meeting mail in the recipient's language, as a message.
fn meeting_message(
    vars: &serde_json::Value,
    branding: &Branding<'_>,
) -> Result<MessageVars, String> {
    let vars: MeetingVars = serde_json::from_value(vars.clone()).map_err(|e| e.to_string())?;
    if !matches!(
        vars.kind.as_str(),
        "registered" | "waiting" | "promoted" | "invited" | "reminder" | "changed" | "cancelled"
    ) {
        return Err(format!("unknown meeting mail {:?}", vars.kind));
    }
    let when = local_time(&vars.when, branding.language);
    let args = [
        ("title", vars.title.as_str()),
        ("when", when.as_str()),
        ("place", vars.place.as_str()),
        ("reason", vars.reason.as_deref().unwrap_or("")),
    ];
    let text = |part: &str| branding.text_with(&format!("meeting-{}-{part}", vars.kind), &args);
    let mut body = text("body");
    // The entry code, for those who have a place.
    if let Some(code) = vars.code.as_deref().filter(|_| {
        matches!(
            vars.kind.as_str(),
            "registered" | "promoted" | "reminder" | "changed"
        )
    }) {
        body.push_str("\n\n");
        body.push_str(&branding.text_with("meeting-code", &[("code", code)]));
    }
    Ok(MessageVars {
        subject: text("subject"),
        heading: Some(vars.title.clone()),
        body,
        action_url: Some(vars.link),
        action_label: Some(branding.text("meeting-action")),
        preferences: false,
    })
}

/// Template name of notification digests.
pub const DIGEST_TEMPLATE: &str = "digest";

/// Variables of the `digest` template.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestVars {
    /// `daily` or `weekly`.
    pub period: String,
    /// The notifications, oldest first.
    pub items: Vec<DigestItem>,
}

/// One line of a digest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestItem {
    /// The notification's title.
    pub title: String,
    /// Where it points.
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    language: &'a str,
    subject: &'a str,
    council: &'a str,
    colour: &'a str,
    intro: &'a str,
    items: &'a [DigestItem],
    preferences: &'a Action,
    footer: &'a str,
    footer_automatic: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestText<'a> {
    council: &'a str,
    subject: &'a str,
    intro: &'a str,
    items: &'a [DigestItem],
    preferences: &'a Action,
    footer: &'a str,
    footer_automatic: &'a str,
}

/// The string `key` in `language`, naming the council `council` whose
/// name takes `article` in Spanish.
pub(crate) fn lookup(language: &str, key: &str, council: &str, article: &str) -> String {
    lookup_with(language, key, council, article, &[])
}

/// [`lookup`] with more variables.
fn lookup_with(
    language: &str,
    key: &str,
    council: &str,
    article: &str,
    more: &[(&str, &str)],
) -> String {
    let id: LanguageIdentifier = language
        .parse()
        .unwrap_or_else(|_| fluent_templates::langid!("en"));
    let mut args = HashMap::from([
        (Cow::Borrowed("council"), council.to_owned().into()),
        (Cow::Borrowed("article"), article.to_owned().into()),
    ]);
    for (name, value) in more {
        args.insert(Cow::Owned((*name).to_owned()), (*value).to_owned().into());
    }
    LOCALES.lookup_with_args(&id, key, &args)
}

/// Renders `template` with `vars`. Missing or unexpected variables, or an
/// unsafe link, are refused with a message naming them.
pub fn render(
    template: &str,
    vars: &serde_json::Value,
    branding: &Branding<'_>,
) -> Result<Rendered, JobError> {
    let refuse = |reason: String| JobError::Permanent(format!("template {template:?}: {reason}"));
    let vars: MessageVars = match template {
        "message" => serde_json::from_value(vars.clone()).map_err(|e| refuse(e.to_string()))?,
        ACCOUNT_TEMPLATE => account_message(vars, branding).map_err(refuse)?,
        MEETING_TEMPLATE => meeting_message(vars, branding).map_err(refuse)?,
        DIGEST_TEMPLATE => return render_digest(vars, branding).map_err(refuse),
        _ => {
            return Err(JobError::Permanent(format!(
                "unknown email template {template:?}"
            )));
        }
    };
    let action = match (&vars.action_url, &vars.action_label) {
        (Some(url), label) => {
            let url = branding.link(url).map_err(refuse)?;
            let label = label.clone().unwrap_or_else(|| branding.text("email-open"));
            Some((url, label))
        }
        (None, None) => None,
        (None, Some(_)) => return Err(refuse("action_label needs an action_url".into())),
    };
    let paragraphs: Vec<&str> = vars
        .body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let footer = branding.text(if branding.platform {
        "email-footer-platform"
    } else {
        "email-footer"
    });
    let footer_automatic = branding.text("email-footer-automatic");
    let make_action = || action.clone().map(|(url, label)| Action { url, label });
    let preferences = || -> Result<Option<Action>, JobError> {
        if !vars.preferences {
            return Ok(None);
        }
        Ok(Some(Action {
            url: branding.link(PREFERENCES_PATH).map_err(refuse)?,
            label: branding.text("email-preferences"),
        }))
    };
    let html = MessageHtml {
        language: branding.language,
        subject: &vars.subject,
        council: branding.council,
        colour: branding.colour,
        heading: vars.heading.as_deref(),
        paragraphs: paragraphs.clone(),
        action: make_action(),
        preferences: preferences()?,
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
        preferences: preferences()?,
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

fn render_digest(vars: &serde_json::Value, branding: &Branding<'_>) -> Result<Rendered, String> {
    let vars: DigestVars = serde_json::from_value(vars.clone()).map_err(|e| e.to_string())?;
    let subject_key = match vars.period.as_str() {
        "daily" => "digest-daily-subject",
        "weekly" => "digest-weekly-subject",
        other => return Err(format!("unknown period {other:?}")),
    };
    let items = vars
        .items
        .iter()
        .map(|item| {
            Ok(DigestItem {
                title: item.title.clone(),
                link: item.link.as_deref().map(|l| branding.link(l)).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let text = |key| branding.text(key);
    let (subject, intro) = (text(subject_key), text("digest-intro"));
    let preferences = Action {
        url: branding.link(PREFERENCES_PATH)?,
        label: text("digest-preferences"),
    };
    let (footer, footer_automatic) = (text("email-footer"), text("email-footer-automatic"));
    let html = DigestHtml {
        language: branding.language,
        subject: &subject,
        council: branding.council,
        colour: branding.colour,
        intro: &intro,
        items: &items,
        preferences: &preferences,
        footer: &footer,
        footer_automatic: &footer_automatic,
    }
    .render()
    .map_err(|e| e.to_string())?;
    let text = DigestText {
        council: branding.council,
        subject: &subject,
        intro: &intro,
        items: &items,
        preferences: &preferences,
        footer: &footer,
        footer_automatic: &footer_automatic,
    }
    .render()
    .map_err(|e| e.to_string())?;
    Ok(Rendered {
        subject,
        html,
        text,
    })
}

/// The platform's name in its own mail.
const PLATFORM_NAME: &str = "Cabildo";
/// The platform's colour (the councils' default).
const PLATFORM_COLOUR: &str = "#1d4f91";
/// Languages the platform writes its own mail in.
const PLATFORM_LANGUAGES: [&str; 5] = ["es", "en", "ca", "eu", "gl"];

/// Runs `email.send` jobs.
pub struct EmailHandler {
    tenancy: Tenancy,
    mailer: Mailer,
    site_url: SiteUrl,
    signer: Option<crate::unsubscribe::Signer>,
    /// Councils by id for a minute, or until a change to one is announced:
    /// every message needs its council's name and address, and a queue of
    /// mail is mostly one council's.
    tenants: std::sync::Arc<std::sync::Mutex<KnownTenants>>,
}

type KnownTenants = std::collections::HashMap<
    cabildo_tenancy::TenantId,
    (std::time::Instant, cabildo_tenancy::Tenant),
>;

/// How to write a council site's address: `{scheme}://{slug}.{base}{:port}`.
#[derive(Clone, Debug)]
pub struct SiteUrl {
    /// `https` (or `http` for local demos).
    pub scheme: String,
    /// Base domain.
    pub base_domain: String,
    /// Port, when not the scheme's default.
    pub port: Option<u16>,
}

impl SiteUrl {
    /// The platform's own site (sign-up, console).
    pub fn platform(&self) -> String {
        self.origin(&self.base_domain)
    }

    /// The site of `tenant`: its own domain once verified, else its
    /// subdomain.
    pub fn for_tenant(&self, tenant: &cabildo_tenancy::Tenant) -> String {
        self.origin(&tenant.host(&self.base_domain))
    }

    /// `{scheme}://{host}[:port]`.
    fn origin(&self, host: &str) -> String {
        match self.port {
            Some(port) => format!("{}://{host}:{port}", self.scheme),
            None => format!("{}://{host}", self.scheme),
        }
    }
}

impl EmailHandler {
    /// A handler sending through `mailer`; links in mail point at sites
    /// written as `site_url` says.
    pub fn new(tenancy: Tenancy, mailer: Mailer, site_url: SiteUrl) -> Self {
        let tenants = std::sync::Arc::<std::sync::Mutex<KnownTenants>>::default();
        let weak = std::sync::Arc::downgrade(&tenants);
        tenancy.on_changes(move |keys| {
            let Some(tenants) = weak.upgrade() else {
                return false;
            };
            let mut tenants = tenants.lock().unwrap_or_else(|e| e.into_inner());
            match keys {
                Some(keys) => {
                    for id in keys.iter().filter_map(|k| Tenancy::changed_council(k)) {
                        tenants.remove(&id);
                    }
                }
                None => tenants.clear(),
            }
            true
        });
        Self {
            tenancy,
            mailer,
            site_url,
            signer: None,
            tenants,
        }
    }

    async fn tenant(
        &self,
        id: cabildo_tenancy::TenantId,
    ) -> Result<cabildo_tenancy::Tenant, JobError> {
        let now = std::time::Instant::now();
        if let Some((at, tenant)) = self
            .tenants
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            && now.duration_since(*at) < std::time::Duration::from_secs(60)
        {
            return Ok(tenant.clone());
        }
        let tenant = self
            .tenancy
            .find_tenant_by_id(id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
            .ok_or_else(|| JobError::Permanent("the council no longer exists".into()))?;
        self.tenants
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (now, tenant.clone()));
        Ok(tenant)
    }

    /// Signs unsubscribe links for notification mail with `signer`.
    pub fn with_signer(mut self, signer: Option<crate::unsubscribe::Signer>) -> Self {
        self.signer = signer;
        self
    }

    async fn send(&self, job: &Job) -> Result<(), JobError> {
        let request: EmailRequest = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::Permanent(format!("invalid email job: {e}")))?;
        if job.is_platform() {
            return self.send_for_platform(job, &request).await;
        }
        let tenant = self.tenant(job.tenant()).await?;
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
        let site_url = self.site_url.for_tenant(&tenant);
        let rendered = render(
            &request.template,
            &request.vars,
            &Branding {
                council: &tenant.name,
                article: &site.name_article,
                colour: &site.primary_colour,
                language,
                site_url: &site_url,
                platform: false,
            },
        )?;
        let sender = site.contact.mail_sender.as_deref().unwrap_or(&tenant.name);
        let mut message = self.message(job, &request, sender, rendered)?;
        if let (Some(signer), Some(user)) = (&self.signer, request.unsubscribe_user) {
            let link = signer.link(
                &site_url,
                tenant.id,
                user,
                crate::unsubscribe::List::Notifications,
            );
            crate::unsubscribe::add_headers(&mut message, &link);
        }
        self.mailer.send(&message).await
    }

    /// Mail of the platform itself (about a sign-up), in its own colours,
    /// with links to the platform site.
    async fn send_for_platform(&self, job: &Job, request: &EmailRequest) -> Result<(), JobError> {
        let language = request
            .language
            .as_deref()
            .filter(|l| PLATFORM_LANGUAGES.contains(l))
            .unwrap_or("es");
        let site_url = self.site_url.platform();
        let rendered = render(
            &request.template,
            &request.vars,
            &Branding {
                council: PLATFORM_NAME,
                article: "",
                colour: PLATFORM_COLOUR,
                language,
                site_url: &site_url,
                platform: true,
            },
        )?;
        let message = self.message(job, request, PLATFORM_NAME, rendered)?;
        self.mailer.send(&message).await
    }

    /// The message to send: from `sender` at the platform's address, its
    /// Message-ID derived from the job.
    fn message(
        &self,
        job: &Job,
        request: &EmailRequest,
        sender: &str,
        rendered: Rendered,
    ) -> Result<Message, JobError> {
        let to: Mailbox = format!("{} <{}>", request.name.as_deref().unwrap_or(""), request.to)
            .trim()
            .parse()
            .or_else(|_| request.to.parse())
            .map_err(|e| {
                JobError::Permanent(format!("invalid recipient address {:?}: {e}", request.to))
            })?;
        let from = Mailbox::new(Some(sender.to_owned()), self.mailer.from().clone());
        Message::builder()
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
            .map_err(|e| JobError::Permanent(format!("building the message: {e}")))
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
            article: "el",
            colour: "#8a1538",
            language,
            site_url: "https://toledo.cabildo.example",
            platform: false,
        }
    }

    #[test]
    fn digests_list_the_notifications_with_absolute_links() {
        let vars = json!({"period": "weekly", "items": [{"title": "Nueva respuesta <b>", "link": "/proposals/1"}, {"title": "Otra"}]});
        let es = render(DIGEST_TEMPLATE, &vars, &branding("es")).expect("render");
        assert_eq!(es.subject, "Tu resumen semanal del Ayuntamiento de Toledo");
        assert!(
            es.html
                .contains("href=\"https://toledo.cabildo.example/proposals/1\""),
            "{}",
            es.html
        );
        assert!(es.html.contains("Nueva respuesta &#60;b&#62;"));
        assert!(
            es.text.contains("- Otra")
                && es
                    .text
                    .contains("https://toledo.cabildo.example/proposals/1"),
            "{}",
            es.text
        );
        let bad = json!({"period": "hourly", "items": []});
        assert!(matches!(
            render(DIGEST_TEMPLATE, &bad, &branding("es")),
            Err(JobError::Permanent(_))
        ));
        let evil =
            json!({"period": "daily", "items": [{"title": "x", "link": "javascript:alert(1)"}]});
        assert!(matches!(
            render(DIGEST_TEMPLATE, &evil, &branding("es")),
            Err(JobError::Permanent(_))
        ));
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
                .contains("Recibes este correo del Ayuntamiento de Toledo")
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
                json!({"subject": "x", "body": "y", "action_url": "//evil.example/x"}),
                "http(s)",
            ),
            (
                json!({"subject": "x", "body": "y", "action_label": "go"}),
                "needs an action_url",
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

    #[test]
    fn every_mail_string_is_translated_in_every_language() {
        let keys = |code: &str| -> Vec<String> {
            let path = format!("{}/locales/{code}/email.ftl", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap_or_default();
            text.lines()
                .filter(|l| l.contains(" = ") && !l.starts_with(' '))
                .filter_map(|l| l.split(" = ").next().map(str::to_owned))
                .collect()
        };
        let spanish = keys("es");
        assert!(spanish.len() > 10);
        for code in ["en", "ca", "eu", "gl"] {
            assert_eq!(keys(code), spanish, "{code}");
        }
        let galician = lookup("gl", "email-footer-automatic", "Concello de Vigo", "");
        assert_ne!(
            galician,
            lookup("en", "email-footer-automatic", "Concello de Vigo", "")
        );
    }
}
