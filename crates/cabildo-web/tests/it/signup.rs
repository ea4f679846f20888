//! Councils signing up on the platform site, served as in production by
//! the least-privilege serving role, with the provisioner (owner role)
//! creating their sites: the form's refusals, confirmation by mail, the
//! first admin arriving signed in on the new site, sign-ups held for an
//! operator, and operators suspending and archiving councils.

use crate::util::{BASE, Browser, SECRET, TOLEDO, World, csrf_of, world};
use axum::Router;
use axum::http::{StatusCode, header};
use cabildo_engine::accounts::password;
use cabildo_engine::platform::{self, AccountRole};
use cabildo_tenancy::TenantMigrations;

const PLATFORM: &str = BASE;
const SIGNUP_PASSWORD: &str = "plaza mayor de girona";

/// The app on the serving role, and the provisioner running beside it.
struct Platform {
    world: World,
    app: Router,
    _provisioner: tokio::task::JoinHandle<()>,
}

async fn platform_site() -> Platform {
    let world = world().await;
    let serving = cabildo_tenancy::testing::serving_node(&world.tenancy)
        .await
        .expect("serving role");
    let app = crate::util::app(
        &serving,
        cabildo_web::WebConfig {
            secret_key: Some(SECRET.to_vec()),
            ..cabildo_web::WebConfig::default()
        },
    );
    let provisioner = tokio::spawn(cabildo_engine::signups::run_provisioner(
        world.tenancy.clone(),
        TenantMigrations::embedded(),
        std::future::pending(),
    ));
    Platform {
        world,
        app,
        _provisioner: provisioner,
    }
}

/// A complete sign-up form, with `changes` over it.
fn fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("council_name", "Ajuntament de Girona"),
        ("article", ""),
        ("municipality", "Girona"),
        ("population", "103.369"),
        ("slug", "girona"),
        ("name", "Núria Puig"),
        ("email", "nuria.puig@girona.cat"),
        ("password", SIGNUP_PASSWORD),
        ("language", "ca"),
        ("plan", "default"),
        ("accept_terms", "on"),
    ];
    for (name, value) in changes {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => all.push((name, value)),
        }
    }
    all
}

async fn signups(world: &World) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM platform.signups")
        .fetch_one(world.tenancy.pool())
        .await
        .expect("count")
}

/// The path of the link starting with `path` in the `n`th mail to `to`.
async fn mailed_path(world: &World, to: &str, n: usize, path: &str) -> String {
    let link = world
        .link_in_mail(to, n, &format!("https://{PLATFORM}{path}"))
        .await;
    link.trim_start_matches(&format!("https://{PLATFORM}"))
        .to_owned()
}

/// Posts a confirmation link's button.
async fn confirm(browser: &mut Browser, path: &str) -> crate::util::Answer {
    let page = browser.get(PLATFORM, path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = path.split("token=").nth(1).expect("token");
    let csrf = csrf_of(&page.body);
    browser
        .post(
            PLATFORM,
            "/signup/confirm",
            &[("csrf_token", &csrf), ("token", token)],
        )
        .await
}

fn location(answer: &crate::util::Answer) -> String {
    answer
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Follows the welcome into `host`: its button, then the staff home.
async fn welcome(browser: &mut Browser, url: &str, host: &str) -> crate::util::Answer {
    let path = url.split(host).nth(1).expect("path on the new site");
    let page = browser.get(host, path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = path.split("token=").nth(1).expect("token");
    let csrf = csrf_of(&page.body);
    browser
        .post(host, "/welcome", &[("csrf_token", &csrf), ("token", token)])
        .await
}

#[tokio::test]
async fn a_council_signs_up_and_its_first_admin_arrives_signed_in_on_the_new_site() {
    let platform = platform_site().await;
    let world = &platform.world;
    let mut nuria = Browser::new(&platform.app);
    let home = nuria.get(PLATFORM, "/").await;
    assert!(home.body.contains("href=\"/signup\""), "{}", home.body);

    let sent = nuria
        .submit(PLATFORM, "/signup", "/signup", &fields(&[]))
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(location(&sent), "/signup/sent");
    let link = mailed_path(world, "nuria.puig@girona.cat", 1, "/signup/confirm").await;
    let mail = &world.mails_to("nuria.puig@girona.cat")[0];
    assert!(mail.subject.contains("Cabildo"), "{}", mail.subject);
    assert!(
        mail.text.contains("24"),
        "in Catalan, the link's life: {}",
        mail.text
    );

    // Confirming waits for the site and sends its person into it.
    let confirmed = confirm(&mut nuria, &link).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    let into = location(&confirmed);
    assert!(
        into.starts_with("http://girona.cabildo.test/welcome?token="),
        "{into}"
    );
    let host = "girona.cabildo.test";
    let arrived = welcome(&mut nuria, &into, host).await;
    assert_eq!(location(&arrived), "/staff", "{}", arrived.body);
    let staff = nuria.get(host, "/staff").await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert!(staff.body.contains("Ajuntament de Girona"));
    assert!(staff.body.contains("checklist"), "the set-up checklist");
    let settings = nuria.get(host, "/staff/settings").await;
    assert!(
        !settings.body.contains(".toml"),
        "a council that signed up is defined by no file"
    );

    // The welcome works once; the password works from now on.
    let again = welcome(&mut nuria, &into, host).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let mut later = Browser::new(&platform.app);
    let logged = later
        .submit(
            host,
            "/account/login",
            "/account/login",
            &[
                ("email", "nuria.puig@girona.cat"),
                ("password", SIGNUP_PASSWORD),
            ],
        )
        .await;
    assert!(logged.status.is_redirection(), "{}", logged.body);

    // What the sign-up decided: the municipality, the plan, Catalan beside
    // Spanish, the time zone; the password left the sign-up.
    let row: (String, String, Option<String>, Option<f64>) = sqlx::query_as(
        "SELECT t.ine_code, t.plan, s.password_hash,
                extract(epoch FROM s.live_at - s.confirmed_at)::float8
         FROM platform.signups s JOIN platform.tenants t ON t.id = s.tenant_id",
    )
    .fetch_one(world.tenancy.pool())
    .await
    .expect("signup");
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2),
        ("17079", "default", None)
    );
    println!(
        "sign-up live {:.2} s after confirming",
        row.3.expect("live")
    );
    let girona = world.council("girona").await;
    let settings = world
        .tenancy
        .site_settings(&girona)
        .await
        .expect("settings");
    assert_eq!(settings.languages, ["es", "ca"]);
    assert_eq!(settings.time_zone, "Europe/Madrid");

    // The new council's admin is nobody in Toledo, and the address is
    // taken now.
    assert_eq!(world.users("toledo").await, 0);
    let taken = nuria
        .submit(
            PLATFORM,
            "/signup",
            "/signup",
            &fields(&[("email", "otra@girona.cat")]),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken.body.contains("value=\"participa-girona\""),
        "{}",
        taken.body
    );
}

#[tokio::test]
async fn bad_sign_ups_are_refused_with_clear_messages_and_nothing_is_stored() {
    let platform = platform_site().await;
    let world = &platform.world;
    let mut visitor = Browser::new(&platform.app);
    let lang = "/signup?lang=en";
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("slug", "toledo")], "That address is taken"),
        (&[("slug", "www")], "The platform keeps that address"),
        (&[("slug", "Mi Pueblo!")], "3 to 40 lowercase letters"),
        (
            &[("municipality", "99999")],
            "We cannot find that municipality on the INE list",
        ),
        (&[("population", "muchos")], "number of residents"),
        (&[("accept_terms", "")], "accept"),
    ];
    for (changes, message) in cases {
        let refused = visitor
            .submit(PLATFORM, lang, "/signup", &fields(changes))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{changes:?}"
        );
        assert!(
            refused.body.contains(message),
            "{changes:?} says {message:?}: {}",
            refused.body
        );
    }
    // A taken address comes back with free ones to pick from.
    let taken = visitor
        .submit(
            PLATFORM,
            lang,
            "/signup",
            &fields(&[("slug", "toledo"), ("municipality", "Toledo")]),
        )
        .await;
    for free in ["participa-toledo", "ayto-toledo", "toledo-2"] {
        assert!(
            taken.body.contains(&format!("value=\"{free}\"")),
            "{free}: {}",
            taken.body
        );
    }
    // A name two municipalities share: pick one, and the pick is taken.
    let shared = visitor
        .submit(
            PLATFORM,
            lang,
            "/signup",
            &fields(&[("municipality", "Arroyomolinos")]),
        )
        .await;
    assert!(shared.body.contains("value=\"280151\""), "{}", shared.body);
    assert!(shared.body.contains("Arroyomolinos (Madrid)"));
    assert_eq!(
        signups(world).await,
        0,
        "nothing stored from a refused form"
    );
    let picked = visitor
        .submit(
            PLATFORM,
            lang,
            "/signup",
            &fields(&[
                ("municipality", "Arroyomolinos"),
                ("municipality_choice", "280151"),
                ("slug", "toledo"),
                ("slug_choice", "arroyomolinos"),
                ("email", "alcaldia@ayto-arroyomolinos.es"),
            ]),
        )
        .await;
    assert_eq!(picked.status, StatusCode::SEE_OTHER, "{}", picked.body);
    let stored: (String, String) = sqlx::query_as("SELECT ine_code, slug FROM platform.signups")
        .fetch_one(world.tenancy.pool())
        .await
        .expect("signup");
    assert_eq!(stored, ("28015".to_owned(), "arroyomolinos".to_owned()));

    // Without the form's token, nothing.
    let forged = visitor
        .post(PLATFORM, "/signup", &fields(&[("slug", "otra")]))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // An unknown or forged confirmation.
    let page = visitor.get(PLATFORM, "/signup/confirm?token=nope").await;
    let csrf = csrf_of(&page.body);
    let bad = visitor
        .post(
            PLATFORM,
            "/signup/confirm",
            &[("csrf_token", &csrf), ("token", "nope")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(signups(world).await, 1);
    // One address signs up at most three times a day.
    for attempt in 2..=4 {
        let slug = format!("pueblo-{attempt}");
        let answer = visitor
            .submit(
                PLATFORM,
                lang,
                "/signup",
                &fields(&[("slug", &slug), ("email", "alcaldia@ayto-arroyomolinos.es")]),
            )
            .await;
        let expected = if attempt <= 3 {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(
            answer.status, expected,
            "attempt {attempt}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn webmail_sign_ups_wait_for_an_operator_who_approves_or_rejects_them() {
    let platform = platform_site().await;
    let world = &platform.world;
    let hash = password::hash("operadora segura 2026").await;
    for (email, role) in [
        ("ops@cabildo.example", AccountRole::Operator),
        ("marta@consultora.example", AccountRole::Consultant),
    ] {
        platform::create_account(&world.tenancy, email, "Equipo", role, &hash)
            .await
            .expect("account");
    }
    let mut pablo = Browser::new(&platform.app);
    let sent = pablo
        .submit(
            PLATFORM,
            "/signup",
            "/signup",
            &fields(&[
                ("council_name", "Ayuntamiento de Sonseca"),
                ("municipality", "Sonseca"),
                ("slug", "sonseca"),
                ("email", "pablo.sonseca@gmail.com"),
                ("language", "es"),
            ]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let link = mailed_path(world, "pablo.sonseca@gmail.com", 1, "/signup/confirm").await;
    let held = confirm(&mut pablo, &link).await;
    assert_eq!(held.status, StatusCode::OK);
    assert!(
        held.body.contains("Estamos revisando el alta"),
        "{}",
        held.body
    );
    let review = mailed_path(world, "ops@cabildo.example", 1, "/console").await;
    assert_eq!(review, "/console#signups");
    assert!(world.mails_to("marta@consultora.example").is_empty());

    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM platform.signups")
        .fetch_one(world.tenancy.pool())
        .await
        .expect("id");
    let decide = format!("/console/signups/{id}");
    // A consultant may not decide.
    let mut marta = Browser::new(&platform.app);
    let login = [
        ("email", "marta@consultora.example"),
        ("password", "operadora segura 2026"),
    ];
    marta.submit(PLATFORM, "/login", "/login", &login).await;
    let csrf = csrf_of(&marta.get(PLATFORM, "/console").await.body);
    let refused = marta
        .post(
            PLATFORM,
            &decide,
            &[("csrf_token", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The operator sees why it waits, and approves it.
    let mut ops = Browser::new(&platform.app);
    let login = [
        ("email", "ops@cabildo.example"),
        ("password", "operadora segura 2026"),
    ];
    ops.submit(PLATFORM, "/login?lang=en", "/login", &login)
        .await;
    let console = ops.get(PLATFORM, "/console?lang=en").await;
    assert!(
        console.body.contains("Ayuntamiento de Sonseca"),
        "{}",
        console.body
    );
    assert!(console.body.contains("Mail from a domain not accepted"));
    let csrf = csrf_of(&console.body);
    let approved = ops
        .post(
            PLATFORM,
            &decide,
            &[("csrf_token", &csrf), ("decision", "approve")],
        )
        .await;
    assert_eq!(location(&approved), "/console#signups");
    let again = ops
        .post(
            PLATFORM,
            &decide,
            &[("csrf_token", &csrf), ("decision", "reject")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "decided already");

    // The approval mail leads into the site once it is made.
    let status = mailed_path(world, "pablo.sonseca@gmail.com", 2, "/signup/status").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let into = loop {
        let page = pablo.get(PLATFORM, &status).await;
        if page.status == StatusCode::SEE_OTHER {
            break location(&page);
        }
        assert_eq!(page.status, StatusCode::ACCEPTED, "{}", page.body);
        assert!(page.body.contains("http-equiv=\"refresh\""));
        assert!(std::time::Instant::now() < deadline, "never live");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let arrived = welcome(&mut pablo, &into, "sonseca.cabildo.test").await;
    assert_eq!(location(&arrived), "/staff");

    // A second sign-up for the same municipality waits too; rejected, it
    // is told so.
    let mut other = Browser::new(&platform.app);
    other
        .submit(
            PLATFORM,
            "/signup",
            "/signup",
            &fields(&[
                ("council_name", "Ayuntamiento de Sonseca"),
                ("municipality", "Sonseca"),
                ("slug", "sonseca-otra"),
                ("email", "alguien@sonseca.es"),
                ("language", "es"),
            ]),
        )
        .await;
    let link = mailed_path(world, "alguien@sonseca.es", 1, "/signup/confirm").await;
    confirm(&mut other, &link).await;
    let console = ops.get(PLATFORM, "/console?lang=en").await;
    assert!(
        console
            .body
            .contains("The municipality already has a site or sign-up"),
        "{}",
        console.body
    );
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM platform.signups WHERE slug = 'sonseca-otra'")
            .fetch_one(world.tenancy.pool())
            .await
            .expect("id");
    ops.post(
        PLATFORM,
        &format!("/console/signups/{id}"),
        &[("csrf_token", &csrf), ("decision", "reject")],
    )
    .await;
    mailed_path(world, "alguien@sonseca.es", 2, "/").await;
    let token = link.split("token=").nth(1).expect("token");
    let told = other
        .get(PLATFORM, &format!("/signup/status?token={token}"))
        .await;
    assert!(told.body.contains("no se ha aprobado"), "{}", told.body);
}

#[tokio::test]
async fn operators_suspend_and_archive_councils_from_the_console() {
    let platform = platform_site().await;
    let world = &platform.world;
    let hash = password::hash("operadora segura 2026").await;
    platform::create_account(
        &world.tenancy,
        "ops@cabildo.example",
        "Ops",
        AccountRole::Operator,
        &hash,
    )
    .await
    .expect("account");
    let mut ops = Browser::new(&platform.app);
    let login = [
        ("email", "ops@cabildo.example"),
        ("password", "operadora segura 2026"),
    ];
    ops.submit(PLATFORM, "/login", "/login", &login).await;
    let console = ops.get(PLATFORM, "/console").await;
    let csrf = csrf_of(&console.body);
    assert!(console.body.contains("action=\"/console/councils/toledo\""));
    let suspended = ops
        .post(
            PLATFORM,
            "/console/councils/toledo",
            &[("csrf_token", &csrf), ("status", "suspended")],
        )
        .await;
    assert_eq!(location(&suspended), "/console#councils");
    let mut citizen = Browser::new(&platform.app);
    assert_eq!(
        citizen.get(TOLEDO, "/").await.status,
        StatusCode::FORBIDDEN,
        "a suspended council's site shows a notice"
    );
    let bad = ops
        .post(
            PLATFORM,
            "/console/councils/toledo",
            &[("csrf_token", &csrf), ("status", "provisioning")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    ops.post(
        PLATFORM,
        "/console/councils/toledo",
        &[("csrf_token", &csrf), ("status", "active")],
    )
    .await;
    assert_eq!(citizen.get(TOLEDO, "/").await.status, StatusCode::OK);
}
