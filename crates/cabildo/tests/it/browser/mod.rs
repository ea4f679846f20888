//! The product as people see it: the demo served by the real binary,
//! driven in headless Chromium. A new citizen registers, confirms, logs in
//! (and is brought back), verifies, supports a proposal, votes in the
//! budget and reads the results; council staff create a process, moderate
//! and send a newsletter through its confirmation. Every page type —
//! anonymous, citizen, staff, platform — is audited with axe-core in
//! Spanish and English at 1280 and 360 px: any serious or critical finding,
//! or a page that scrolls sideways on a phone, fails the suite. Screenshots
//! of every audited page are written for review (`CABILDO_SCREENSHOTS`,
//! else `browser-screenshots` under cargo's test folder); with
//! `CABILDO_README_SCREENSHOTS=1` the three in the README are refreshed.

mod chrome;
mod meetings;
mod signup;

use crate::support::{Demo, http_get};
use chrome::{Chrome, Finding, WIDTHS};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const LANGUAGES: [&str; 2] = ["es", "en"];

/// The demo and a browser on it.
struct Visit {
    demo: Demo,
    data_dir: PathBuf,
    chrome: Chrome,
    port: u16,
    findings: Vec<Finding>,
}

impl Visit {
    async fn start() -> Self {
        let data_dir =
            std::env::temp_dir().join(format!("cabildo-browser-{}", uuid::Uuid::new_v4()));
        let port = cabildo_devkit::free_port().expect("port");
        let mut demo = Demo::start(&data_dir, port);
        demo.wait_ready(port);
        let shots = std::env::var_os("CABILDO_SCREENSHOTS").map_or_else(
            || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots"),
            PathBuf::from,
        );
        let chrome = Chrome::start(shots).await;
        Self {
            demo,
            data_dir,
            chrome,
            port,
            findings: Vec::new(),
        }
    }

    /// `path` on Toledo's site.
    fn toledo(&self, path: &str) -> String {
        format!("http://toledo.localhost:{}{path}", self.port)
    }

    /// `path` on the platform's own site.
    fn platform(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Audits `url` in every language at every width, keeping a screenshot
    /// of each as `name-lang-width.png`.
    async fn audit(&mut self, name: &str, url: &str) {
        for lang in LANGUAGES {
            let separator = if url.contains('?') { '&' } else { '?' };
            let localised = format!("{url}{separator}lang={lang}");
            for width in WIDTHS {
                self.chrome.width(width).await;
                self.chrome.goto(&localised).await;
                let html_lang = self
                    .chrome
                    .client
                    .execute("return document.documentElement.lang", vec![])
                    .await
                    .expect("lang");
                assert_eq!(
                    html_lang, lang,
                    "{name} is served in the language asked for"
                );
                let found = self.chrome.audit(&format!("{name} ({lang})")).await;
                self.findings.extend(found);
                self.chrome
                    .screenshot(&format!("{name}-{lang}-{width}"))
                    .await;
            }
        }
        self.chrome.width(1280).await;
        self.chrome
            .goto(&format!(
                "{url}{}lang=es",
                if url.contains('?') { '&' } else { '?' }
            ))
            .await;
    }

    /// Audits the page shown (the answer to a form, which a reload would
    /// not show again) at every width, in the language it is in.
    async fn audit_shown(&mut self, name: &str) {
        for width in WIDTHS {
            self.chrome.width(width).await;
            let found = self.chrome.audit(name).await;
            self.findings.extend(found);
            self.chrome.screenshot(&format!("{name}-{width}")).await;
        }
        self.chrome.width(1280).await;
    }

    /// Waits for a mail to `to` and returns its first link starting with `prefix`.
    fn link_in_mail(&self, to: &str, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, json) = http_get(
                self.port,
                &format!("localhost:{}", self.port),
                "/_demo/mail.json",
            )
            .expect("mailbox");
            let mails: serde_json::Value = serde_json::from_str(&json).expect("mail json");
            let found = mails.as_array().into_iter().flatten().find_map(|mail| {
                let addressed = mail.to_string().contains(to);
                let text = mail["text"].as_str()?;
                let start = text.find(prefix)?;
                let rest = &text[start..];
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                addressed.then(|| rest[..end].to_owned())
            });
            if let Some(link) = found {
                return link;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {to} with {prefix}: {json}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Logs in through the header's link from the page shown and checks
    /// that the person is brought back to it.
    async fn log_in(&self, email: &str, password: &str) {
        let from = self.chrome.url().await;
        self.chrome
            .click("header .account-nav a[href^=\"/account/login\"]")
            .await;
        self.chrome.fill("#field-email", email).await;
        self.chrome.fill("#field-password", password).await;
        self.chrome.click("main form button[type=submit]").await;
        assert_eq!(
            self.chrome.url().await.split('?').next(),
            from.split('?').next(),
            "login returns to the page the person came from"
        );
    }

    async fn finish(self) -> Vec<Finding> {
        self.chrome.close().await;
        self.demo.stop();
        let _ = std::fs::remove_dir_all(&self.data_dir);
        self.findings
    }
}

fn report(findings: &[Finding]) {
    let listed: Vec<String> = findings
        .iter()
        .map(|f| format!("- {}: {}", f.page, f.problem))
        .collect();
    assert!(
        findings.is_empty(),
        "{} serious or critical problems:\n{}",
        findings.len(),
        listed.join("\n")
    );
}

/// The first proposal listed in the demo's participation plan.
/// The demo's database URL, as it prints it (for operators' commands).
fn demo_database(visit: &Visit) -> String {
    visit
        .demo
        .output()
        .lines()
        .find_map(|l| l.strip_prefix("Database: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the demo prints its database URL")
        .to_owned()
}

/// Runs `cabildo args` against the demo's database; its output.
fn operator(visit: &Visit, args: &[&str]) -> String {
    let done = crate::support::run(
        crate::support::cabildo()
            .env("DATABASE_URL", demo_database(visit))
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .args(args),
    );
    assert!(done.ok, "{args:?}: {}", done.stderr);
    done.stdout
}

/// Puts Toledo on the Municipio plan in invoice mode, as an operator
/// does, and issues its November invoice; the invoice's number.
fn invoiced_toledo(visit: &Visit) -> String {
    let details = visit.data_dir.join("toledo-invoicing.toml");
    std::fs::write(
        &details,
        "legal_name = \"Ayuntamiento de Toledo\"\ntax_id = \"P4516800B\"\naddress = \"Plaza del Consistorio 1\"\npostcode = \"45071\"\ntown = \"Toledo\"\nprovince = \"Toledo\"\ndir3_accounting = \"L01451680\"\ndir3_management = \"L01451680\"\ndir3_processing = \"L01451680\"\n",
    )
    .expect("details");
    let details = details.to_string_lossy();
    operator(
        visit,
        &[
            "billing",
            "assign",
            "--tenant",
            "toledo",
            "--plan",
            "municipio",
        ],
    );
    operator(
        visit,
        &[
            "billing",
            "invoiced",
            "--tenant",
            "toledo",
            "--details",
            &details,
        ],
    );
    let issued = operator(
        visit,
        &[
            "billing", "invoice", "--tenant", "toledo", "--period", "2026-11",
        ],
    );
    issued
        .split_whitespace()
        .next()
        .expect("the invoice's number")
        .to_owned()
}

async fn first_proposal(visit: &Visit) -> String {
    visit
        .chrome
        .goto(&visit.toledo("/processes/plan-participacion/proposals"))
        .await;
    visit
        .chrome
        .links()
        .await
        .into_iter()
        .find(|h| h.starts_with("/proposals/") && h.len() == "/proposals/".len() + 36)
        .expect("a proposal")
}

/// The last link on `path` that starts with `prefix`.
async fn last_link(visit: &Visit, path: &str, prefix: &str) -> String {
    visit.chrome.goto(&visit.toledo(path)).await;
    (visit.chrome.links().await.into_iter())
        .rfind(|h| h.starts_with(prefix))
        .unwrap_or_else(|| panic!("a link to {prefix} on {path}"))
}

/// The first link starting with `prefix` on the page at `path`.
async fn first_link(visit: &Visit, path: &str, prefix: &str) -> String {
    visit.chrome.goto(&visit.toledo(path)).await;
    visit
        .chrome
        .links()
        .await
        .into_iter()
        .find(|h| h.starts_with(prefix))
        .unwrap_or_else(|| panic!("a link to {prefix} on {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_registers_verifies_supports_votes_and_reads_results_on_accessible_pages() {
    let mut visit = Visit::start().await;
    let chrome = &visit.chrome;

    // Anonymous: register from the header.
    chrome.goto(&visit.toledo("/?lang=es")).await;
    chrome
        .click("header .account-nav a[href=\"/account/register\"]")
        .await;
    chrome.fill("#field-name", "Lucía Prieto").await;
    chrome.fill("#field-nickname", "luciaprieto").await;
    chrome.fill("#field-email", "lucia@example.org").await;
    chrome.fill("#field-password", "caballo grapa pila").await;
    chrome.tick("#field-accept_terms").await;
    chrome.click("main form button[type=submit]").await;
    let sent = chrome.text().await;
    assert!(sent.contains("Revisa tu correo"), "{sent}");

    let link = visit.link_in_mail(
        "lucia@example.org",
        &format!(
            "http://toledo.localhost:{}/account/confirm?token=",
            visit.port
        ),
    );
    visit.chrome.goto(&link).await;
    visit.chrome.click("main form button[type=submit]").await;

    // Log in from a proposal and come back to it.
    let proposal = first_proposal(&visit).await;
    visit.chrome.goto(&visit.toledo(&proposal)).await;
    visit
        .log_in("lucia@example.org", "caballo grapa pila")
        .await;

    // Verify against the census (the demo's first resident).
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo("/account/verify")).await;
    chrome.fill("#field-document", "X1000000Y").await;
    chrome.set("#field-birth_date", "1981-03-13").await;
    chrome.click("main form button[type=submit]").await;
    let verified = chrome.text().await;
    assert!(verified.contains("verificad"), "{verified}");

    // Support the proposal.
    chrome.goto(&visit.toledo(&proposal)).await;
    chrome
        .click("main form[action$=\"/support\"] button[type=submit]")
        .await;
    let supported = chrome.text().await;
    assert!(supported.contains("Apoyas esta propuesta"), "{supported}");

    // Vote in the open budget: the ballot lists the choice and warns until sent.
    let heading = first_link(
        &visit,
        "/processes/plan-participacion/budget",
        "/budget-headings/",
    )
    .await;
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo(&heading)).await;
    chrome
        .click("main form[action$=\"/ballot\"] input[value=add] ~ button")
        .await;
    let chosen = chrome.text().await;
    assert!(
        chosen.contains("aún no está enviada"),
        "the unsent ballot warns: {chosen}"
    );
    visit.audit("ballot", &visit.toledo(&heading)).await;
    visit
        .chrome
        .click("main form[action$=\"/ballot\"] input[value=submit] ~ button")
        .await;
    let sent = visit.chrome.text().await;
    assert!(!sent.contains("aún no está enviada"), "{sent}");

    // Vote in the binding consultation with plain radio buttons and
    // checkboxes; the receipt is shown once and found on the board.
    let consultation = first_link(
        &visit,
        "/processes/plan-participacion/consultation",
        "/processes/plan-participacion/consultations/",
    )
    .await;
    visit
        .audit("consultation-ballot", &visit.toledo(&consultation))
        .await;
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo(&consultation)).await;
    chrome
        .tick("main form fieldset:nth-of-type(1) input[type=radio]")
        .await;
    chrome
        .tick("main form fieldset:nth-of-type(2) input[type=checkbox]")
        .await;
    chrome
        .click("main form[action$=\"/vote\"] button[type=submit]")
        .await;
    let receipt = chrome.text().await;
    assert!(receipt.contains("Tu voto se ha registrado"), "{receipt}");
    visit.audit_shown("consultation-receipt").await;
    let code = visit
        .chrome
        .client
        .execute(
            "return document.getElementById('receipt').textContent",
            vec![],
        )
        .await
        .expect("the receipt code");
    let code = code.as_str().expect("text").to_owned();
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo(&consultation)).await;
    chrome.fill("#field-check", &code).await;
    chrome
        .click("main form[method=get] button[type=submit]")
        .await;
    let found = chrome.text().await;
    assert!(found.contains("está en el tablero y cuenta"), "{found}");
    visit.audit_shown("consultation-voted").await;

    // Answer the survey: every kind of question with plain controls; "No"
    // to the first shows a follow-up, which is required.
    let survey = first_link(
        &visit,
        "/processes/plan-participacion/surveys",
        "/processes/plan-participacion/surveys/",
    )
    .await;
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo(&survey)).await;
    chrome.tick("#q0-o1").await;
    chrome.tick("#q2-o0").await;
    chrome.tick("#q2-o2").await;
    for (item, place) in [("#q3-0", "2"), ("#q3-1", "3"), ("#q3-2", "1")] {
        chrome.set(item, place).await;
    }
    chrome.tick("#q4-v7").await;
    for row in 0..3 {
        chrome
            .tick(&format!("input[name=q5-r{row}][value=\"{}\"]", row % 3))
            .await;
    }
    chrome.click("main form.survey button[type=submit]").await;
    let missing = chrome.text().await;
    assert!(
        chrome.url().await.ends_with(&survey) && missing.contains("¿Qué te lo impide?"),
        "the follow-up is required: {missing}"
    );
    visit.audit_shown("survey-refused").await;
    let chrome = &visit.chrome;
    chrome.fill("#q1", "Cierra muy pronto").await;
    chrome.click("main form.survey button[type=submit]").await;
    assert!(
        chrome.url().await.contains("sent=new"),
        "{}",
        chrome.text().await
    );
    visit.audit_shown("survey-sent").await;
    let results = format!("{survey}/results");
    visit.chrome.goto(&visit.toledo(&results)).await;
    let shown = visit.chrome.text().await;
    assert!(shown.contains("Cercanía"), "{shown}");
    assert!(
        !shown.contains("Cierra muy pronto"),
        "not reviewed yet: {shown}"
    );
    visit.audit_shown("survey-results").await;

    // Vote in the home page's quick poll; the results follow.
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo("/")).await;
    chrome.tick("main .poll input[type=radio]").await;
    chrome.click("main .poll button[type=submit]").await;
    assert!(
        chrome.url().await.contains("/polls/"),
        "{}",
        chrome.text().await
    );
    let voted = chrome.text().await;
    assert!(voted.contains("«Sí»"), "{voted}");
    visit.audit_shown("poll-results").await;

    for (name, path) in [
        ("proposal-citizen", proposal.as_str()),
        ("account", "/account"),
        ("activity", "/account/activity"),
        ("notifications", "/notifications"),
        ("verify", "/account/verify"),
        (
            "proposal-new",
            "/processes/plan-participacion/proposals/new",
        ),
        ("debate-new", "/processes/plan-participacion/debates/new"),
    ] {
        let url = visit.toledo(path);
        visit.audit(name, &url).await;
    }
    report(&visit.finish().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_is_accessible_and_fits_a_phone() {
    let mut visit = Visit::start().await;
    let proposal = first_proposal(&visit).await;
    let debate = first_link(&visit, "/processes/plan-participacion/debates", "/debates/").await;
    let heading = first_link(
        &visit,
        "/processes/plan-participacion/budget",
        "/budget-headings/",
    )
    .await;
    let project = first_link(&visit, &heading, "/budget-projects/").await;
    let past = first_link(
        &visit,
        "/processes/presupuestos-2026/budget",
        "/budget-headings/",
    )
    .await;
    let results = format!("{past}/results");
    let consultation = first_link(
        &visit,
        "/processes/plan-participacion/consultation",
        "/processes/plan-participacion/consultations/",
    )
    .await;
    let survey = first_link(
        &visit,
        "/processes/plan-participacion/surveys",
        "/processes/plan-participacion/surveys/",
    )
    .await;
    // The demo's second consultation is closed: results and turnout.
    let closed = last_link(
        &visit,
        "/processes/plan-participacion/consultation",
        "/processes/plan-participacion/consultations/",
    )
    .await;
    assert_ne!(closed, consultation);
    // The participation council's next meeting and the one it held.
    let next_meeting = first_link(&visit, "/assemblies/consejo-participacion", "/meetings/").await;
    let held_meeting = last_link(&visit, "/assemblies/consejo-participacion", "/meetings/").await;
    assert_ne!(next_meeting, held_meeting);
    let pages = [
        ("meetings", visit.toledo("/meetings")),
        ("meeting", visit.toledo(&next_meeting)),
        ("meeting-held", visit.toledo(&held_meeting)),
        ("assemblies", visit.toledo("/assemblies")),
        (
            "assembly",
            visit.toledo("/assemblies/consejo-participacion"),
        ),
        ("assembly-drawn", visit.toledo("/assemblies/asamblea-clima")),
        ("consultation-closed", visit.toledo(&closed)),
        ("survey", visit.toledo(&survey)),
        (
            "surveys",
            visit.toledo("/processes/plan-participacion/surveys"),
        ),
        ("survey-results", visit.toledo(&format!("{survey}/results"))),
        ("consultation", visit.toledo(&consultation)),
        (
            "consultations",
            visit.toledo("/processes/plan-participacion/consultation"),
        ),
        ("home", visit.toledo("/")),
        ("processes", visit.toledo("/processes")),
        ("process", visit.toledo("/processes/plan-participacion")),
        (
            "process-map",
            visit.toledo("/processes/plan-participacion/map"),
        ),
        (
            "proposals",
            visit.toledo("/processes/plan-participacion/proposals"),
        ),
        ("proposal", visit.toledo(&proposal)),
        (
            "debates",
            visit.toledo("/processes/plan-participacion/debates"),
        ),
        ("debate", visit.toledo(&debate)),
        (
            "budget",
            visit.toledo("/processes/plan-participacion/budget"),
        ),
        ("heading", visit.toledo(&heading)),
        ("project", visit.toledo(&project)),
        ("results", visit.toledo(&results)),
        ("search", visit.toledo("/search?q=participar")),
        ("login", visit.toledo("/account/login")),
        ("register", visit.toledo("/account/register")),
        ("forgot", visit.toledo("/account/password/forgot")),
        ("not-found", visit.toledo("/processes/no-such-process")),
        ("legal-notice", visit.toledo("/legal/legal-notice")),
        ("privacy", visit.toledo("/legal/privacy")),
        ("accessibility", visit.toledo("/legal/accessibility")),
        ("cookies", visit.toledo("/legal/cookies")),
        ("platform", visit.platform("/")),
        ("platform-login", visit.platform("/login")),
    ];
    for (name, url) in &pages {
        visit.audit(name, url).await;
    }
    // The results chart on a phone: whole project names, legible text.
    visit.chrome.width(360).await;
    visit.chrome.goto(&visit.toledo(&results)).await;
    let unreadable = visit
        .chrome
        .client
        .execute(
            "return [...document.querySelectorAll('.bar-chart .bar-name, .bar-chart .bar-value')]
                .filter(e => e.scrollWidth > e.clientWidth + 1
                    || parseFloat(getComputedStyle(e).fontSize) < 14
                    || e.getBoundingClientRect().right > window.innerWidth)
                .map(e => e.textContent)",
            vec![],
        )
        .await
        .expect("chart check");
    assert_eq!(
        unreadable,
        serde_json::json!([]),
        "cut or tiny chart labels"
    );
    let names = visit
        .chrome
        .client
        .execute(
            "return document.querySelectorAll('.bar-chart .bar-name').length",
            vec![],
        )
        .await
        .expect("names");
    assert!(
        names.as_u64().unwrap_or(0) >= 3,
        "the chart lists the projects"
    );
    visit
        .chrome
        .client
        .execute(
            "document.querySelector('.bar-chart').scrollIntoView()",
            vec![],
        )
        .await
        .expect("scroll");
    visit.chrome.screenshot("results-chart-es-360").await;
    visit.chrome.width(1280).await;
    if std::env::var_os("CABILDO_README_SCREENSHOTS").is_some() {
        let docs = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/screenshots"
        ));
        std::fs::create_dir_all(&docs).expect("docs/screenshots");
        for file in [
            "home-es-1280.png",
            "proposal-es-1280.png",
            "results-es-1280.png",
            "results-chart-es-360.png",
        ] {
            std::fs::copy(visit.chrome.shots.join(file), docs.join(file)).expect("copy screenshot");
        }
    }
    report(&visit.finish().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_create_a_process_moderate_and_send_a_newsletter_on_accessible_pages() {
    let mut visit = Visit::start().await;
    let chrome = &visit.chrome;
    chrome
        .goto(&visit.toledo("/processes/plan-participacion?lang=es"))
        .await;
    visit
        .log_in("admin@toledo.example", "cabildo demo 2026")
        .await;

    // A report to moderate.
    let proposal = first_proposal(&visit).await;
    let chrome = &visit.chrome;
    chrome.goto(&visit.toledo(&proposal)).await;
    chrome.tick("details.report summary").await;
    chrome
        .fill(
            "#report-proposal",
            "Contiene datos personales de un vecino.",
        )
        .await;
    chrome
        .click("form[action=\"/reports\"] button[type=submit]")
        .await;

    // Create a process.
    chrome.goto(&visit.toledo("/staff/processes")).await;
    chrome.fill("#p-title", "Movilidad en el Casco").await;
    chrome.fill("#p-slug", "movilidad-casco").await;
    chrome
        .fill("#p-summary", "Cómo nos movemos por el centro.")
        .await;
    chrome
        .fill("#p-description", "Un proceso para decidir juntos.")
        .await;
    chrome
        .click("form[action=\"/staff/processes\"] button[type=submit]")
        .await;
    let created = chrome.text().await;
    assert!(created.contains("Movilidad en el Casco"), "{created}");

    // Archiving asks first: its button shows only once the disclosure
    // saying what happens is opened.
    let visible_archive =
        "return [...document.querySelectorAll('form[action$=\"/archive\"] button')]
        .filter(b => b.checkVisibility()).length";
    let shown = chrome
        .client
        .execute(visible_archive, vec![])
        .await
        .expect("archive");
    assert_eq!(shown, serde_json::json!(0), "no one-click archive");
    chrome.tick("details.confirm summary").await;
    let shown = chrome
        .client
        .execute(visible_archive, vec![])
        .await
        .expect("archive");
    assert_eq!(
        shown,
        serde_json::json!(1),
        "the confirmation is one click away"
    );

    // Moderate: hide the reported proposal.
    chrome.goto(&visit.toledo("/staff/moderation")).await;
    let queue = chrome.text().await;
    assert!(queue.contains("Contiene datos personales"), "{queue}");
    visit
        .audit("moderation", &visit.toledo("/staff/moderation"))
        .await;
    let chrome = &visit.chrome;
    chrome.click("button[name=decision][value=hide]").await;

    // A newsletter is sent only after confirming its audience.
    chrome.goto(&visit.toledo("/staff/newsletters")).await;
    chrome.fill("#field-subject", "Presupuestos 2027").await;
    chrome
        .fill("#field-body", "# Ya puedes votar\n\nElige tus proyectos.")
        .await;
    chrome.click("button[value=send]").await;
    let question = chrome.text().await;
    assert!(!question.contains("en camino"), "not sent yet: {question}");
    assert!(question.contains("¿Enviar"), "{question}");
    visit.audit_shown("newsletter-confirm").await;
    let chrome = &visit.chrome;
    chrome.click("button[value=send-confirmed]").await;
    let sent = chrome.text().await;
    assert!(sent.contains("en camino"), "{sent}");

    // The census: the file is previewed, then confirmed.
    let census = std::fs::canonicalize(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tenants/toledo.census.csv"
    ))
    .expect("the demo census");
    visit.chrome.goto(&visit.toledo("/staff")).await;
    visit
        .chrome
        .fill("#field-census-file", &census.to_string_lossy())
        .await;
    visit
        .chrome
        .click("form[action=\"/staff/census\"] button[type=submit]")
        .await;
    let preview = visit.chrome.text().await;
    assert!(
        preview.contains("El archivo tiene 20 residentes"),
        "{preview}"
    );
    visit.audit_shown("census-preview").await;
    visit
        .chrome
        .click("form[action=\"/staff/census/confirm\"] button[type=submit]")
        .await;
    let replaced = visit.chrome.text().await;
    assert!(replaced.contains("Padrón sustituido"), "{replaced}");

    let staff_budget = first_link(&visit, "/staff/processes", "/staff/processes/").await;
    let staff_copy = visit
        .chrome
        .links()
        .await
        .into_iter()
        .find(|h| h.ends_with("/copy"))
        .expect("a process's copy link");
    // The demo's past budget, counted by the time the demo serves: staff
    // see it published, heading by heading.
    let mut counted = None;
    visit.chrome.goto(&visit.toledo("/staff/processes")).await;
    let budgets: Vec<String> = (visit.chrome.links().await.into_iter())
        .filter(|h| h.ends_with("/budget"))
        .collect();
    for budget in budgets {
        visit.chrome.goto(&visit.toledo(&budget)).await;
        if visit
            .chrome
            .text()
            .await
            .contains("Partidas contadas: 1 de 1")
        {
            counted = Some(budget);
            break;
        }
    }
    let counted = counted.expect("the past budget's staff page, its headings counted");
    let counted_heading = (visit.chrome.links().await.into_iter())
        .find(|h| h.starts_with("/staff/budget-headings/"))
        .expect("its heading");
    visit.chrome.goto(&visit.toledo(&counted_heading)).await;
    let shown = visit.chrome.text().await;
    assert!(shown.contains("Resultados publicados el"), "{shown}");
    // An own domain waiting for its DNS records, as an admin sees it.
    visit.chrome.goto(&visit.toledo("/staff/domains")).await;
    visit.chrome.fill("#d-domain", "participa.toledo.es").await;
    visit
        .chrome
        .click("form[action=\"/staff/domains\"] button[type=submit]")
        .await;
    let added = visit.chrome.text().await;
    assert!(added.contains("_cabildo.participa.toledo.es"), "{added}");
    // The demo process's consultation as staff run it (the process made
    // above has none).
    visit.chrome.goto(&visit.toledo("/staff/processes")).await;
    let lists: Vec<String> = (visit.chrome.links().await.into_iter())
        .filter(|h| h.ends_with("/consultations"))
        .collect();
    let mut found = None;
    for list in &lists {
        visit.chrome.goto(&visit.toledo(list)).await;
        if let Some(one) = (visit.chrome.links().await.into_iter())
            .find(|h| h.starts_with("/staff/consultations/"))
        {
            found = Some((list.clone(), one));
            break;
        }
    }
    let (staff_consultations, staff_consultation) =
        found.expect("the demo process's consultation on a staff page");
    let staff_surveys = staff_consultations.replace("/consultations", "/surveys");
    visit.chrome.goto(&visit.toledo(&staff_surveys)).await;
    let staff_survey = (visit.chrome.links().await.into_iter())
        .find(|h| h.starts_with("/staff/surveys/"))
        .expect("the demo survey on its staff page");
    let survey_texts = format!("{staff_survey}/texts");
    // Asking to pay against invoices: a mistake is named on its field,
    // then the request waits for an operator.
    let invoicing = visit.toledo("/staff/billing/invoicing");
    visit.audit("staff-invoicing", &invoicing).await;
    for (field, value) in [
        ("legal_name", "Ayuntamiento de Toledo"),
        ("tax_id", "P4516800J"),
        ("address", "Plaza del Consistorio 1"),
        ("postcode", "45071"),
        ("town", "Toledo"),
        ("province", "Toledo"),
        ("dir3_accounting", "L01451680"),
        ("dir3_management", "L01451680"),
        ("dir3_processing", "L01451680"),
    ] {
        visit.chrome.fill(&format!("#field-{field}"), value).await;
    }
    visit.chrome.click("main form button[type=submit]").await;
    let refused = visit.chrome.text().await;
    assert!(refused.contains("No es un NIF válido"), "{refused}");
    visit.audit_shown("staff-invoicing-errors").await;
    visit.chrome.fill("#field-tax_id", "P4516800B").await;
    visit.chrome.click("main form button[type=submit]").await;
    let sent = visit.chrome.text().await;
    assert!(
        sent.contains("Solicitud enviada") && sent.contains("Pediste pagar contra factura"),
        "{sent}"
    );
    visit.audit_shown("staff-billing-requested").await;
    // Invoice mode, as an operator sets it up, and the month's invoice.
    let number = invoiced_toledo(&visit);
    let invoice = format!("/staff/billing/invoices/{number}");
    let heading = first_link(
        &visit,
        "/processes/plan-participacion/budget",
        "/budget-headings/",
    )
    .await;
    let project_place = format!(
        "{}/place",
        first_link(&visit, &heading, "/budget-projects/").await
    );
    for (name, path) in [
        ("staff-project-place", project_place.as_str()),
        ("staff", "/staff"),
        ("staff-billing", "/staff/billing"),
        ("staff-invoice", invoice.as_str()),
        ("staff-domains", "/staff/domains"),
        ("staff-processes", "/staff/processes"),
        ("staff-budget", staff_budget.as_str()),
        ("staff-budget-counted", counted.as_str()),
        ("staff-budget-heading-counted", counted_heading.as_str()),
        ("newsletters", "/staff/newsletters"),
        ("staff-legal", "/staff/legal/privacy"),
        ("staff-audit", "/staff/audit"),
        ("staff-settings", "/staff/settings"),
        ("staff-dashboard", "/staff/dashboard"),
        ("staff-process-copy", staff_copy.as_str()),
        ("staff-consultations", staff_consultations.as_str()),
        ("staff-consultation", staff_consultation.as_str()),
        ("staff-surveys", staff_surveys.as_str()),
        ("staff-survey", staff_survey.as_str()),
        ("staff-survey-texts", survey_texts.as_str()),
        ("staff-polls", "/staff/polls"),
    ] {
        let url = visit.toledo(path);
        visit.audit(name, &url).await;
    }
    report(&visit.finish().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultant_opens_a_client_council_from_the_console_in_chrome() {
    let mut visit = Visit::start().await;
    let database = demo_database(&visit);
    let operator = |args: &[&str]| {
        let done = crate::support::run(
            crate::support::cabildo()
                .env("DATABASE_URL", &database)
                .env("CABILDO_ACCOUNT_PASSWORD", "consultora segura 2026")
                .args(args),
        );
        assert!(done.ok, "{args:?}: {}", done.stderr);
    };
    let email = "marta@consultora.example";
    operator(&[
        "accounts",
        "create",
        "--email",
        email,
        "--role",
        "consultant",
    ]);
    operator(&[
        "accounts", "grant", "--email", email, "--tenant", "toledo", "--role", "admin",
    ]);

    let chrome = &visit.chrome;
    chrome.goto(&visit.platform("/login?lang=es")).await;
    chrome.fill("#field-email", email).await;
    chrome
        .fill("#field-password", "consultora segura 2026")
        .await;
    chrome.click("main form button[type=submit]").await;
    assert!(
        chrome.url().await.ends_with("/console"),
        "{}",
        chrome.url().await
    );
    visit.audit_shown("console").await;
    visit
        .chrome
        .click("form[action=\"/console/open\"] button[type=submit]")
        .await;
    let landed = visit.chrome.url().await;
    assert!(
        landed.starts_with(&visit.toledo("/staff")),
        "Chrome follows the hand-off to the council's site: {landed}"
    );
    visit.audit_shown("handoff").await;
    visit.chrome.click("main form button[type=submit]").await;
    let staff = visit.chrome.text().await;
    assert!(
        staff.contains("Administración") || staff.contains("Administration"),
        "signed in as the council's admin: {staff}"
    );

    // Toledo's admin asks to pay against invoices (the operator answers
    // below).
    visit
        .chrome
        .goto(&visit.toledo("/staff/billing/invoicing?lang=es"))
        .await;
    for (field, value) in [
        ("legal_name", "Ayuntamiento de Toledo"),
        ("tax_id", "P4516800B"),
        ("address", "Plaza del Consistorio 1"),
        ("postcode", "45071"),
        ("town", "Toledo"),
        ("province", "Toledo"),
        ("dir3_accounting", "L01451680"),
        ("dir3_management", "L01451680"),
        ("dir3_processing", "L01451680"),
    ] {
        visit.chrome.fill(&format!("#field-{field}"), value).await;
    }
    visit.chrome.click("main form button[type=submit]").await;
    let sent = visit.chrome.text().await;
    assert!(sent.contains("Solicitud enviada"), "{sent}");

    // An operator follows the councils' billing: Toledo asks to pay
    // against invoices, is accepted, and an invoice is issued.
    operator(&[
        "accounts",
        "create",
        "--email",
        "ops@cabildo.example",
        "--role",
        "operator",
    ]);
    let chrome = &visit.chrome;
    // Cookies go per host: the platform's, where the consultant is in.
    chrome.goto(&visit.platform("/?lang=es")).await;
    chrome.client.delete_all_cookies().await.expect("log out");
    chrome.goto(&visit.platform("/login?lang=es")).await;
    chrome.fill("#field-email", "ops@cabildo.example").await;
    chrome
        .fill("#field-password", "consultora segura 2026")
        .await;
    chrome.click("main form button[type=submit]").await;
    let url = visit.platform("/console/billing");
    visit.audit("console-billing", &url).await;
    // The platform speaks every interface language, not only the suite's two.
    for lang in ["ca", "eu", "gl"] {
        visit.chrome.goto(&format!("{url}?lang={lang}")).await;
        visit.audit_shown(&format!("console-billing-{lang}")).await;
    }
    visit.chrome.goto(&format!("{url}?lang=es")).await;
    let waiting = visit.chrome.text().await;
    assert!(
        waiting.contains("NIF P4516800B") && waiting.contains("en este plan"),
        "{waiting}"
    );
    visit
        .chrome
        .click("form[action=\"/console/billing/requests\"]:has(input[value=accept]) button")
        .await;
    let accepted = visit.chrome.text().await;
    assert!(accepted.contains("Solicitud aceptada"), "{accepted}");
    invoiced_toledo(&visit);
    visit.chrome.goto(&format!("{url}?lang=es")).await;
    let billing = visit.chrome.text().await;
    assert!(
        billing.contains("Por factura") || billing.contains("Against invoices"),
        "{billing}"
    );
    report(&visit.finish().await);
}
