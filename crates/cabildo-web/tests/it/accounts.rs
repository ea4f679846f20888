//! Citizen accounts over HTTP, with mail delivered by the real worker to a
//! real SMTP server on loopback: register → confirm from the captured mail
//! → log in → account page → log out; reset; the API; abuse.

use crate::util::{
    Browser, PASSWORD, SECRET, TALAVERA, TOLEDO, World, app, csrf_of, logged_in, send, world,
};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_web::WebConfig;
use std::time::{Duration, Instant};

fn registration<'a>(name: &'a str, nickname: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("nickname", nickname),
        ("email", email),
        ("password", PASSWORD),
        ("language", "es"),
        ("accept_terms", "on"),
    ]
}

#[tokio::test]
async fn register_confirm_log_in_and_out_and_sessions_stay_on_their_council() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);

    let done = ana
        .submit(
            TOLEDO,
            "/account/register",
            "/account/register",
            &registration("Ana <b>López</b>", "ana_lopez", "Ana@Example.org"),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Revisa tu correo"), "{}", done.body);

    // Not confirmed yet: no login.
    let early = ana
        .submit(
            TOLEDO,
            "/account/login",
            "/account/login",
            &[("email", "ana@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN, "{}", early.body);

    let link = world
        .link_in_mail(
            "ana@example.org",
            1,
            "https://toledo.cabildo.test/account/confirm?token=",
        )
        .await;
    let path = link.trim_start_matches("https://toledo.cabildo.test");
    // GET only asks; the POST confirms, once.
    let page = ana.get(TOLEDO, path).await;
    assert_eq!(page.status, StatusCode::OK);
    let token = path.split("token=").nth(1).expect("token");
    let csrf = csrf_of(&page.body);
    let confirmed = ana
        .post(
            TOLEDO,
            "/account/confirm",
            &[("csrf_token", &csrf), ("token", token)],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let again = ana
        .post(
            TOLEDO,
            "/account/confirm",
            &[("csrf_token", &csrf), ("token", token)],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");

    let wrong = ana
        .submit(
            TOLEDO,
            "/account/login",
            "/account/login",
            &[
                ("email", "ana@example.org"),
                ("password", "caballo grapa pilas"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let login = ana
        .submit(
            TOLEDO,
            "/account/login",
            "/account/login",
            &[("email", "ANA@example.org "), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let set_cookies: Vec<_> = login
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        set_cookies.iter().any(|c| c.starts_with("session=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")
            && !c.contains("Domain")),
        "{set_cookies:?}"
    );

    let account = ana.get(TOLEDO, "/account").await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(
        account.body.contains("Ana &#60;b&#62;López&#60;/b&#62;")
            || account.body.contains("Ana &lt;b&gt;López&lt;/b&gt;"),
        "escaped: {}",
        account.body
    );
    assert!(!account.body.contains("<b>López"), "never raw markup");
    assert!(account.body.contains("ana@example.org"));

    // The same session token on another council means nothing there.
    let token = ana.cookie(TOLEDO, "session").expect("session cookie");
    let mut mallory = Browser::new(&world.app);
    mallory
        .cookies
        .insert((TALAVERA.to_owned(), "session".to_owned()), token.clone());
    let elsewhere = mallory.get(TALAVERA, "/account").await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "redirected to log in"
    );
    let me = mallory
        .json(TALAVERA, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    // Logging out needs the CSRF token.
    let forged = ana
        .post(TOLEDO, "/account/logout", &[("csrf_token", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        ana.get(TOLEDO, "/account").await.status,
        StatusCode::OK,
        "still logged in"
    );
    let home = ana.get(TOLEDO, "/").await;
    let logout = ana
        .post(
            TOLEDO,
            "/account/logout",
            &[("csrf_token", &csrf_of(&home.body))],
        )
        .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ana.get(TOLEDO, "/account").await.status,
        StatusCode::SEE_OTHER
    );
    // The old token is dead even if replayed.
    let mut replay = Browser::new(&world.app);
    replay
        .cookies
        .insert((TOLEDO.to_owned(), "session".to_owned()), token);
    assert_eq!(
        replay.get(TOLEDO, "/account").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_taken_address_answers_the_same_and_tells_its_owner_a_taken_nickname_is_a_form_error() {
    let world = world().await;
    let mut first = Browser::new(&world.app);
    let a = first
        .submit(
            TOLEDO,
            "/account/register",
            "/account/register",
            &registration("Ana", "ana", "ana@example.org"),
        )
        .await;
    let mut second = Browser::new(&world.app);
    let b = second
        .submit(
            TOLEDO,
            "/account/register",
            "/account/register",
            &registration("Otra", "otra", "ana@example.org"),
        )
        .await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(a.body, b.body, "no enumeration");
    world
        .link_in_mail(
            "ana@example.org",
            2,
            "https://toledo.cabildo.test/account/password/forgot",
        )
        .await;
    assert_eq!(world.users("toledo").await, 1);

    let taken = second
        .submit(
            TOLEDO,
            "/account/register",
            "/account/register",
            &registration("Ana Bis", "ANA", "bis@example.org"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("ya está en uso"), "{}", taken.body);
    assert!(
        taken.body.contains("value=\"bis@example.org\""),
        "keeps what was typed"
    );
    assert!(!taken.body.contains(PASSWORD), "never echoes the password");

    let weak = second
        .submit(
            TOLEDO,
            "/account/register",
            "/account/register",
            &[
                ("name", ""),
                ("nickname", "<x>"),
                ("email", "nope"),
                ("password", "1234567890"),
                ("language", "fr"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Escribe tu nombre",
        "alias",
        "no parece una dirección",
        "más usadas",
        "condiciones de uso",
        "idiomas disponibles",
    ] {
        assert!(weak.body.contains(message), "{message}: {}", weak.body);
    }
    assert_eq!(world.users("toledo").await, 1);
}

#[tokio::test]
async fn parallel_registrations_of_one_address_make_one_account() {
    let world = world().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = world.app.clone();
        tasks.push(tokio::spawn(async move {
            let mut browser = Browser::new(&app);
            let nickname = format!("racer{i}");
            browser
                .json(
                    TOLEDO,
                    "POST",
                    "/api/v1/account/registrations",
                    serde_json::json!({"name": "Racer", "nickname": nickname, "email": "race@example.org", "password": PASSWORD, "accept_terms": true}),
                    None,
                )
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::ACCEPTED);
    }
    assert_eq!(world.users("toledo").await, 1);
}

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let world = world().await;
    let mut browser = Browser::new(&world.app);
    let mut fields = registration("Ana", "ana", "ana@example.org");
    let missing = browser.post(TOLEDO, "/account/register", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    browser.get(TOLEDO, "/account/register").await; // now has a CSRF cookie
    fields.push(("csrf_token", "not-the-token"));
    let wrong = browser.post(TOLEDO, "/account/register", &fields).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let garbage = browser
        .request(
            TOLEDO,
            Request::post("/account/register").header(header::CONTENT_TYPE, "application/json"),
            Body::from("{"),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    assert!(garbage.body.contains("<h1>"), "a page, not a bare error");
    assert_eq!(world.users("toledo").await, 0);
}

#[tokio::test]
async fn brute_force_logins_are_slowed_down_per_address_and_per_account() {
    let world = world().await;
    let mut attacker = Browser::new(&world.app);
    let mut limited = None;
    for attempt in 0..40 {
        let answer = attacker
            .json(TOLEDO, "POST", "/api/v1/sessions", serde_json::json!({"email": format!("u{attempt}@example.org"), "password": "wrong password"}), None)
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.headers.contains_key(header::RETRY_AFTER));
            assert!(answer.body.contains("\"rate_limited\""));
            limited = Some(attempt);
            break;
        }
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.body.contains("\"invalid_credentials\""));
    }
    assert_eq!(limited, Some(30), "30 attempts per address per 5 minutes");

    // Against one account: 10 per 5 minutes from one network, whatever the
    // address in it (here behind a trusted proxy that reports a different
    // address each time); from another network its owner still gets in.
    let behind_proxy = app(
        &world.tenancy,
        WebConfig {
            trusted_proxies: vec![std::net::IpAddr::from(std::net::Ipv6Addr::UNSPECIFIED).into()],
            ..WebConfig::default()
        },
    );
    let attempt = async |from: &str| {
        let request = Request::post("/api/v1/sessions")
            .header(header::HOST, TOLEDO)
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", from)
            .body(Body::from(
                r#"{"email": "victim@example.org", "password": "nope nope nope"}"#,
            ))
            .expect("request");
        send(&behind_proxy, request).await.status
    };
    let mut statuses = Vec::new();
    for i in 0..11 {
        statuses.push(attempt(&format!("10.0.0.{i}")).await);
    }
    let mut expected = vec![StatusCode::UNAUTHORIZED; 10];
    expected.push(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(statuses, expected);
    assert_eq!(
        attempt("192.0.2.5").await,
        StatusCode::UNAUTHORIZED,
        "the owner's network"
    );
}

#[tokio::test]
async fn the_api_registers_confirms_logs_in_and_out_with_csrf_and_stable_errors() {
    let world = world().await;
    let mut client = Browser::new(&world.app);
    let registered = client
        .json(TOLEDO, "POST", "/api/v1/account/registrations", serde_json::json!({"name": "Luis", "nickname": "luis", "email": "luis@example.org", "password": PASSWORD, "language": "en", "accept_terms": true}), None)
        .await;
    assert_eq!(
        registered.status,
        StatusCode::ACCEPTED,
        "{}",
        registered.body
    );
    let invalid = client
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/registrations",
            serde_json::json!({"name": "X", "nickname": "x!", "email": "x", "password": "short"}),
            None,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = serde_json::from_str(&invalid.body).expect("json");
    assert_eq!(body["error"]["code"], "invalid_fields");
    assert!(
        body["error"]["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["code"] == "password_too_short")
    );
    let malformed = client
        .request(
            TOLEDO,
            Request::post("/api/v1/sessions").header(header::CONTENT_TYPE, "application/json"),
            Body::from("{nope"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.body.contains("\"malformed_body\""));

    let link = world
        .link_in_mail(
            "luis@example.org",
            1,
            "https://toledo.cabildo.test/account/confirm?token=",
        )
        .await;
    let token = link.split("token=").nth(1).expect("token");
    let confirmed = client
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/confirmations",
            serde_json::json!({"token": token}),
            None,
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);
    let bad = client
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/confirmations",
            serde_json::json!({"token": token}),
            None,
        )
        .await;
    assert!(bad.body.contains("\"invalid_token\""));
    assert!(
        world.mails_to("luis@example.org")[0]
            .subject
            .contains("Confirm your email"),
        "in the chosen language"
    );

    let login = client
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "luis@example.org", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let csrf = serde_json::from_str::<serde_json::Value>(&login.body).expect("json")["csrf_token"]
        .as_str()
        .expect("csrf")
        .to_owned();
    let me = client
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let me: serde_json::Value = serde_json::from_str(&me.body).expect("json");
    assert_eq!(
        (me["nickname"].as_str(), me["verified"].as_bool()),
        (Some("luis"), Some(false))
    );

    let without = client
        .json(
            TOLEDO,
            "DELETE",
            "/api/v1/sessions/current",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert!(without.body.contains("\"csrf_token_invalid\""));
    let out = client
        .json(
            TOLEDO,
            "DELETE",
            "/api/v1/sessions/current",
            serde_json::Value::Null,
            Some(&csrf),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let gone = client
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
    assert!(gone.body.contains("\"unauthenticated\""));
}

/// Every kind of API error answers in the language the caller asked for:
/// the route's own answers, the router's, the engine's refusals and field
/// problems alike.
#[tokio::test]
async fn api_errors_answer_in_the_negotiated_language() {
    let world = world().await;
    let calls: [(&str, &str, &str); 6] = [
        ("GET", "/api/v1/no-such-call", ""),
        ("GET", "/api/v1/me", ""),
        (
            "POST",
            "/api/v1/sessions",
            r#"{"email": "nadie@example.org", "password": "equivocada-del-todo"}"#,
        ),
        ("POST", "/api/v1/sessions", "{nope"),
        (
            "POST",
            "/api/v1/account/confirmations",
            r#"{"token": "gastado"}"#,
        ),
        (
            "POST",
            "/api/v1/account/passwords",
            r#"{"token": "x", "password": "corta"}"#,
        ),
    ];
    let mut messages: Vec<Vec<String>> = Vec::new();
    for language in ["es", "en"] {
        let mut answered = Vec::new();
        for (method, path, body) in calls {
            let answer = send(
                &world.app,
                Request::builder()
                    .method(method)
                    .uri(path)
                    .header("host", TOLEDO)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::ACCEPT_LANGUAGE, language)
                    .body(Body::from(body))
                    .expect("request"),
            )
            .await;
            assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
            let error: serde_json::Value = serde_json::from_str(&answer.body).expect("json");
            let message = error["error"]["message"]
                .as_str()
                .expect("message")
                .to_owned();
            assert!(
                !message.is_empty() && !message.contains("Unknown"),
                "{message}"
            );
            answered.push(message);
        }
        messages.push(answered);
    }
    let [es, en] = [&messages[0], &messages[1]];
    for (i, (method, path, _)) in calls.iter().enumerate() {
        assert_ne!(es[i], en[i], "{method} {path}");
    }
    assert_eq!(es[2], "El correo o la contraseña no son correctos.");
    assert_eq!(en[2], "The email or the password is not right.");
    assert!(es[3].starts_with("El cuerpo no es el JSON"), "{}", es[3]);
}

#[tokio::test]
async fn a_password_reset_link_works_once_ends_sessions_and_answers_the_same_for_unknown_addresses()
{
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    ana.submit(
        TOLEDO,
        "/account/register",
        "/account/register",
        &registration("Ana", "ana", "ana@example.org"),
    )
    .await;
    let link = world
        .link_in_mail(
            "ana@example.org",
            1,
            "https://toledo.cabildo.test/account/confirm?token=",
        )
        .await;
    let token = link.split("token=").nth(1).expect("token").to_owned();
    ana.json(
        TOLEDO,
        "POST",
        "/api/v1/account/confirmations",
        serde_json::json!({"token": token}),
        None,
    )
    .await;
    let login = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "ana@example.org", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);

    let mut stranger = Browser::new(&world.app);
    let known = stranger
        .submit(
            TOLEDO,
            "/account/password/forgot",
            "/account/password/forgot",
            &[("email", "ana@example.org")],
        )
        .await;
    let unknown = stranger
        .submit(
            TOLEDO,
            "/account/password/forgot",
            "/account/password/forgot",
            &[("email", "nobody@example.org")],
        )
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(known.body, unknown.body, "no enumeration");
    // A flood sends no more mail (one per 20 s per address).
    for _ in 0..5 {
        stranger
            .submit(
                TOLEDO,
                "/account/password/forgot",
                "/account/password/forgot",
                &[("email", "ana@example.org")],
            )
            .await;
    }
    let link = world
        .link_in_mail(
            "ana@example.org",
            2,
            "https://toledo.cabildo.test/account/password/reset?token=",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        world.mails_to("ana@example.org").len(),
        2,
        "confirmation and one reset mail"
    );

    let path = link.trim_start_matches("https://toledo.cabildo.test");
    let token = path.split("token=").nth(1).expect("token").to_owned();
    let weak = stranger
        .submit(
            TOLEDO,
            path,
            "/account/password/reset",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new_password = "nuevo caballo grapa";
    let reset = stranger
        .submit(
            TOLEDO,
            path,
            "/account/password/reset",
            &[("token", &token), ("password", new_password)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(
        stranger.get(TOLEDO, path).await.status,
        StatusCode::BAD_REQUEST,
        "used"
    );
    assert_eq!(
        ana.json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "sessions ended"
    );
    let old = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "ana@example.org", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "ana@example.org", "password": new_password}),
            None,
        )
        .await;
    assert_eq!(new.status, StatusCode::OK);
    // A reset token of Toledo does nothing on Talavera.
    assert_eq!(
        stranger.get(TALAVERA, path).await.status,
        StatusCode::BAD_REQUEST
    );
}

/// Loads `lines` as `slug`'s census under the test secret.
async fn census(world: &World, slug: &str, lines: &[&str]) {
    use cabildo_engine::census::{self, import};
    let tenant = world
        .tenancy
        .get_tenant(&cabildo_tenancy::Slug::parse(slug).expect("slug"))
        .await
        .expect("council");
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let districts = import::district_codes(&mut tx).await.expect("districts");
    let mut parser = import::Parser::new(census::key(SECRET, tenant.id), districts);
    let residents: Vec<_> = lines
        .iter()
        .map(|line| {
            parser
                .line(line.as_bytes())
                .expect("line")
                .expect("resident")
        })
        .collect();
    import::clear(&mut tx).await.expect("clear");
    import::store(&mut tx, &residents).await.expect("store");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn residency_is_verified_once_per_document_with_five_tries_a_day_and_only_on_its_council() {
    let world = world().await;
    census(
        &world,
        "toledo",
        &[
            "12345678Z;1980-05-17;poligono",
            "X1234567L;17/05/1975;casco-historico",
        ],
    )
    .await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let attempt = async |browser: &mut Browser, csrf: &str, document: &str, birth_date: &str| {
        let answer = browser
            .json(
                TOLEDO,
                "POST",
                "/api/v1/me/verification",
                serde_json::json!({"document": document, "birth_date": birth_date}),
                Some(csrf),
            )
            .await;
        let code = serde_json::from_str::<serde_json::Value>(&answer.body).expect("json")["error"]
            ["code"]
            .as_str()
            .map(str::to_owned);
        (answer.status, code, answer.body)
    };
    let (status, code, _) = attempt(&mut ana, &csrf, "12345678A", "1980-05-17").await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("document_letter"))
    );
    let (status, code, _) = attempt(&mut ana, &csrf, "12345678Z", "1980-05-18").await;
    assert_eq!(
        (status, code.as_deref()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("verification_failed")
        )
    );
    let (status, code, _) = attempt(&mut ana, "wrong", "12345678Z", "1980-05-17").await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::FORBIDDEN, Some("csrf_token_invalid"))
    );
    let (status, _, body) = attempt(&mut ana, &csrf, " 12.345.678-z ", "1980-05-17").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"district\":\"poligono\""), "{body}");
    let me = ana
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert!(me.body.contains("\"verified\":true"), "{}", me.body);

    // The same document cannot verify a second account; failures are
    // counted and stop at five a day.
    let mut luis = Browser::new(&world.app);
    let luis_csrf = logged_in(&world, &mut luis, TOLEDO, "luis", "luis@example.org", 1).await;
    for _ in 0..5 {
        let (status, code, _) = attempt(&mut luis, &luis_csrf, "12345678Z", "1980-05-17").await;
        assert_eq!(
            (status, code.as_deref()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("verification_failed")
            )
        );
    }
    let (status, code, _) = attempt(&mut luis, &luis_csrf, "X1234567L", "1975-05-17").await;
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")),
        "even with good details"
    );

    // Toledo's census means nothing on Talavera.
    let mut eva = Browser::new(&world.app);
    let eva_csrf = logged_in(&world, &mut eva, TALAVERA, "eva", "eva@example.org", 1).await;
    let answer = eva
        .json(
            TALAVERA,
            "POST",
            "/api/v1/me/verification",
            serde_json::json!({"document": "X1234567L", "birth_date": "1975-05-17"}),
            Some(&eva_csrf),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );

    // The page: a logged-in person verifies with the form.
    let mut web = Browser::new(&world.app);
    web.submit(
        TOLEDO,
        "/account/login",
        "/account/login",
        &[("email", "luis@example.org"), ("password", PASSWORD)],
    )
    .await;
    let page = web
        .submit(
            TOLEDO,
            "/account/verify",
            "/account/verify",
            &[("document", "X1234567L"), ("birth_date", "1975-05-17")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the limit holds on the page too"
    );
    assert!(page.body.contains("Demasiados intentos"), "{}", page.body);
}

#[tokio::test]
async fn a_session_ended_on_one_node_is_refused_by_the_others_at_once() {
    let world = world().await;
    let other_node = app(
        &world.tenancy,
        WebConfig {
            secret_key: Some(SECRET.to_vec()),
            ..WebConfig::default()
        },
    );
    let mut here = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut here, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut there = Browser::new(&other_node);
    there.cookies = here.cookies.clone();
    // Both nodes now hold the session in their caches.
    assert_eq!(there.get(TOLEDO, "/account").await.status, StatusCode::OK);
    assert_eq!(here.get(TOLEDO, "/account").await.status, StatusCode::OK);

    let out = here
        .json(
            TOLEDO,
            "DELETE",
            "/api/v1/sessions/current",
            serde_json::Value::Null,
            Some(&csrf),
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let status = there.get(TOLEDO, "/account").await.status;
        if status == StatusCode::SEE_OTHER {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the other node still honours the session ({status})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn people_download_their_data_and_delete_their_account_keeping_counts_and_census_claims() {
    let world = world().await;
    census(&world, "toledo", &["12345678Z;1980-05-17;poligono"]).await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let verified = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/verification",
            serde_json::json!({"document": "12345678Z", "birth_date": "1980-05-17"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK);
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    sqlx::query("INSERT INTO notifications (user_id, kind, title) SELECT id, 'test.hello', 'Hola <Ana>' FROM users WHERE email = 'ana@example.org'")
        .execute(tx.conn())
        .await
        .expect("notification");
    tx.commit().await.expect("commit");

    let data = ana.get(TOLEDO, "/account/data").await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(
        data.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or_default()
            .contains("attachment")
    );
    let data: serde_json::Value = serde_json::from_str(&data.body).expect("json");
    assert_eq!(data["account"]["email"], "ana@example.org");
    assert_eq!(data["account"]["residency"]["district"], "poligono");
    assert_eq!(data["notifications"][0]["title"], "Hola <Ana>");
    assert!(data["sessions"].as_array().is_some_and(|s| !s.is_empty()));
    let api = ana
        .json(
            TOLEDO,
            "GET",
            "/api/v1/me/data",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);

    let wrong = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/deletion",
            serde_json::json!({"password": "not it at all"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let deleted = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/deletion",
            serde_json::json!({"password": PASSWORD}),
            Some(&csrf),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        ana.json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let login = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "ana@example.org", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);

    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let (users, mentions, notifications): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM users),
                (SELECT count(*) FROM users WHERE email = 'ana@example.org' OR name = 'ana' OR nickname = 'ana'),
                (SELECT count(*) FROM notifications)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    tx.commit().await.expect("commit");
    assert_eq!(
        (users, mentions, notifications),
        (1, 0, 0),
        "the row stays, anonymised; personal data gone"
    );

    // The address is free again, but the document stays used.
    let mut again = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut again, TOLEDO, "ana2", "ana@example.org", 2).await;
    let reuse = again
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/verification",
            serde_json::json!({"document": "12345678Z", "birth_date": "1980-05-17"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(
        reuse.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "one resident, one account, even after deletion"
    );
}

#[tokio::test]
async fn the_bell_the_notifications_page_and_email_preferences() {
    let world = world().await;
    // Logging in through the API shows no page, so the bell's count is
    // first read after the notifications below exist.
    let mut ana = Browser::new(&world.app);
    logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut luis = Browser::new(&world.app);
    logged_in(&world, &mut luis, TOLEDO, "luis", "luis@example.org", 1).await;
    let empty = luis.get(TOLEDO, "/notifications").await;
    assert!(
        empty.body.contains("Aún no tienes notificaciones"),
        "{}",
        empty.body
    );
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let user: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ana@example.org'")
            .fetch_one(tx.conn())
            .await
            .expect("user");
    for i in 0..25 {
        cabildo_notify::notifications::notify(
            &mut tx,
            &cabildo_notify::NewNotification {
                user,
                kind: "test.hello".into(),
                title: format!("Aviso {i} <script>alert(1)</script>"),
                body: String::new(),
                link: Some(format!("/x/{i}")),
                ..cabildo_notify::NewNotification::default()
            },
        )
        .await
        .expect("notify");
    }
    tx.commit().await.expect("commit");
    let home = ana.get(TOLEDO, "/").await;
    assert!(
        home.body.contains("<span class=\"badge\">25"),
        "the bell: {}",
        home.body
    );
    let forged = ana
        .post(TOLEDO, "/notifications/read", &[("csrf_token", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let first = ana.get(TOLEDO, "/notifications").await;
    assert!(!first.body.contains("<script>alert"), "escaped");
    assert_eq!(
        first.body.matches("<li class=\"unread\">").count(),
        20,
        "a page of 20"
    );
    let marker = "/notifications?before=";
    let start = first.body.find(marker).expect("a link to older ones");
    let next = &first.body[start..start + first.body[start..].find('"').expect("end")];
    let older = ana.get(TOLEDO, next).await;
    assert_eq!(older.body.matches("<li class=\"unread\">").count(), 5);
    // Together the two pages hold each notification once.
    let mut seen: Vec<u32> = [&first.body, &older.body]
        .iter()
        .flat_map(|body| body.split("Aviso ").skip(1))
        .filter_map(|rest| rest.split(' ').next()?.parse().ok())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..25).collect::<Vec<u32>>());
    assert!(older.body.contains("&#60;script&#62;") || older.body.contains("&lt;script&gt;"));

    let read = ana
        .submit(TOLEDO, "/notifications", "/notifications/read", &[])
        .await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    let home = ana.get(TOLEDO, "/").await;
    assert!(
        !home.body.contains("class=\"badge\""),
        "nothing unread any more"
    );

    let saved = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/preferences",
            &[("notify_email", "immediate"), ("newsletter", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let bad = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/preferences",
            &[("notify_email", "hourly")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let (notify, consent, at): (String, bool, Option<time::OffsetDateTime>) = sqlx::query_as(
        "SELECT notify_email, newsletter_consent, newsletter_consent_at FROM users WHERE id = $1",
    )
    .bind(user)
    .fetch_one(tx.conn())
    .await
    .expect("preferences");
    tx.commit().await.expect("commit");
    assert_eq!(
        (notify.as_str(), consent, at.is_some()),
        ("immediate", true, true)
    );
    assert_eq!(
        ana.get(TALAVERA, "/notifications").await.status,
        StatusCode::SEE_OTHER,
        "not on another council"
    );
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_a_new_address_counts_once_confirmed() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut phone = Browser::new(&world.app);
    let login = phone
        .json(
            TOLEDO,
            "POST",
            "/api/v1/sessions",
            serde_json::json!({"email": "ana@example.org", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let csrf = crate::util::parse(&login.body)["csrf_token"]
        .as_str()
        .map(str::to_owned);
    let token = personal_token(&world, &mut phone, &csrf.expect("csrf")).await;

    let wrong = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("password", "otro caballo grapa"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let weak = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("password", "1234567890")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", "otro caballo grapa"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        ana.get(TOLEDO, "/account").await.status,
        StatusCode::OK,
        "still logged in here"
    );
    assert_eq!(
        phone
            .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(
        with_token(&world, &token).await,
        StatusCode::UNAUTHORIZED,
        "and personal access tokens"
    );

    // A new address: nothing changes until the link sent to it is followed.
    let asked = ana
        .submit(
            TOLEDO,
            "/account",
            "/account/email",
            &[
                ("email", "Ana.Nueva@Example.org"),
                ("current_password", "otro caballo grapa"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let me = ana
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert!(me.body.contains("\"ana@example.org\""), "{}", me.body);
    let link = world
        .link_in_mail(
            "ana.nueva@example.org",
            1,
            "https://toledo.cabildo.test/account/email/confirm?token=",
        )
        .await;
    let path = link
        .trim_start_matches("https://toledo.cabildo.test")
        .to_owned();
    let token = path.split("token=").nth(1).expect("token").to_owned();
    let confirmed = ana
        .submit(
            TOLEDO,
            &path,
            "/account/email/confirm",
            &[("token", &token)],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let me = ana
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert!(me.body.contains("\"ana.nueva@example.org\""), "{}", me.body);
    // The old address is told.
    world
        .link_in_mail(
            "ana@example.org",
            2,
            "https://toledo.cabildo.test/account/password/forgot",
        )
        .await;
    let replay = ana
        .submit(
            TOLEDO,
            &path,
            "/account/email/confirm",
            &[("token", &token)],
        )
        .await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST, "single use");
}

#[tokio::test]
async fn personal_access_tokens_work_without_csrf_only_on_their_council_until_revoked() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let forged = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/tokens",
            serde_json::json!({"name": "mi script"}),
            None,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unnamed = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/tokens",
            serde_json::json!({"name": " "}),
            Some(&csrf),
        )
        .await;
    assert!(unnamed.body.contains("\"name_invalid\""));
    let created = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/tokens",
            serde_json::json!({"name": "mi script"}),
            Some(&csrf),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created: serde_json::Value = serde_json::from_str(&created.body).expect("json");
    let token = created["token"].as_str().expect("token").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();

    let bearer = async |host: &str, method: &str, path: &str, body: serde_json::Value| {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, host)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        send(&world.app, request).await
    };
    let me = bearer(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert!(me.body.contains("ana@example.org"));
    // State-changing calls need no CSRF token with a bearer token.
    let verify = bearer(
        TOLEDO,
        "POST",
        "/api/v1/me/verification",
        serde_json::json!({"document": "12345678Z", "birth_date": "1980-05-17"}),
    )
    .await;
    assert_eq!(
        verify.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        verify.body
    );
    assert!(verify.body.contains("\"verification_failed\""));
    let more = bearer(
        TOLEDO,
        "POST",
        "/api/v1/me/tokens",
        serde_json::json!({"name": "otro"}),
    )
    .await;
    assert!(more.body.contains("\"session_required\""), "{}", more.body);
    assert_eq!(
        bearer(TALAVERA, "GET", "/api/v1/me", serde_json::Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let listed = ana
        .json(
            TOLEDO,
            "GET",
            "/api/v1/me/tokens",
            serde_json::Value::Null,
            None,
        )
        .await;
    assert!(
        listed.body.contains("mi script") && !listed.body.contains(&token),
        "{}",
        listed.body
    );
    let revoked = ana
        .json(
            TOLEDO,
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            serde_json::Value::Null,
            Some(&csrf),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        bearer(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "revoked at once"
    );
    let again = ana
        .json(
            TOLEDO,
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            serde_json::Value::Null,
            Some(&csrf),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

/// A new personal access token of the person logged in on `browser`.
async fn personal_token(world: &World, browser: &mut Browser, csrf: &str) -> String {
    let body = serde_json::json!({"name": "script"});
    let made = browser
        .json(TOLEDO, "POST", "/api/v1/me/tokens", body, Some(csrf))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let token = crate::util::parse(&made.body)["token"]
        .as_str()
        .map(str::to_owned);
    let token = token.expect("token");
    assert_eq!(with_token(world, &token).await, StatusCode::OK);
    token
}

/// How `GET /api/v1/me` answers `token`.
async fn with_token(world: &World, token: &str) -> StatusCode {
    let request =
        Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {token}"));
    let mut stranger = Browser::new(&world.app);
    stranger
        .request(TOLEDO, request, Body::empty())
        .await
        .status
}

/// Logging out everywhere ends personal access tokens with the sessions.
#[tokio::test]
async fn logging_out_everywhere_revokes_personal_access_tokens() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let token = personal_token(&world, &mut ana, &csrf).await;
    let out = ana
        .submit(TOLEDO, "/account", "/account/logout-everywhere", &[])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(with_token(&world, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_api_completes_a_password_reset_once() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    let csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let api_token = personal_token(&world, &mut ana, &csrf).await;
    let asked = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/password-resets",
            serde_json::json!({"email": "ana@example.org"}),
            None,
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    let link = world
        .link_in_mail(
            "ana@example.org",
            2,
            "https://toledo.cabildo.test/account/password/reset?token=",
        )
        .await;
    let token = link.split("token=").nth(1).expect("token").to_owned();
    let weak = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/passwords",
            serde_json::json!({"token": token, "password": "qwertyuiop"}),
            None,
        )
        .await;
    assert!(weak.body.contains("\"password_common\""), "{}", weak.body);
    let done = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/passwords",
            serde_json::json!({"token": token, "password": "nueva clave del ayuntamiento"}),
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        ana.json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with_token(&world, &api_token).await,
        StatusCode::UNAUTHORIZED,
        "a reset revokes personal access tokens too"
    );
    let again = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/account/passwords",
            serde_json::json!({"token": token, "password": "otra clave del ayuntamiento"}),
            None,
        )
        .await;
    assert!(again.body.contains("\"invalid_token\""));
}

#[tokio::test]
async fn a_council_cannot_read_another_councils_people_sessions_tokens_or_audit_log() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let talavera = world.council("talavera").await;
    for table in [
        "users",
        "sessions",
        "account_tokens",
        "api_tokens",
        "audit_log",
        "census",
        "census_claims",
        "staff_roles",
        "organisations",
    ] {
        let mut tx = world.tenancy.begin(&talavera).await.expect("begin");
        let sql = format!("SELECT count(*) FROM t_toledo.{table}");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(tx.conn())
            .await
            .expect_err(&sql);
        assert!(
            error.to_string().contains("permission denied"),
            "{sql}: {error}"
        );
    }
}

/// Asking for a reset link takes as long for an address with an account
/// as for one without (a stopwatch told them apart: 10.6 ms against
/// 5.9 ms), and answers the same.
#[tokio::test]
async fn reset_requests_take_the_same_time_whoever_the_address_is() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut stranger = Browser::new(&world.app);
    for email in ["ana@example.org", "nadie@example.org"] {
        let started = Instant::now();
        let asked = stranger
            .json(
                TOLEDO,
                "POST",
                "/api/v1/account/password-resets",
                serde_json::json!({"email": email}),
                None,
            )
            .await;
        let took = started.elapsed();
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{email}");
        assert!(asked.body.contains("check_your_email"), "{email}");
        assert!(took >= Duration::from_millis(150), "{email}: {took:?}");
    }
}

/// Look-alike nicknames: one alphabet per nickname, full-width letters
/// read as plain ones, and a nickname that reads like one already taken
/// (in any alphabet) is taken.
#[tokio::test]
async fn look_alike_nicknames_are_refused() {
    let world = world().await;
    let mut client = Browser::new(&world.app);
    let mut register = async |nickname: &str, email: &str| {
        let body = serde_json::json!({"name": "X", "nickname": nickname, "email": email,
            "password": PASSWORD, "accept_terms": true});
        let answer = client
            .json(TOLEDO, "POST", "/api/v1/account/registrations", body, None)
            .await;
        (answer.status, answer.body)
    };
    assert_eq!(
        register("admin-toledo", "a@example.org").await.0,
        StatusCode::ACCEPTED
    );
    let (status, body) = register("\u{430}dmin-toledo", "b@example.org").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("\"nickname_mixed_scripts\""), "{body}");
    let (status, body) = register("adrnin-toledo", "c@example.org").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "rn reads as m");
    assert!(body.contains("\"nickname_taken\""), "{body}");
    assert_eq!(
        register("ace", "d@example.org").await.0,
        StatusCode::ACCEPTED
    );
    let (status, body) = register("\u{430}\u{441}\u{435}", "e@example.org").await;
    assert!(
        body.contains("\"nickname_taken\""),
        "Cyrillic асе: {status} {body}"
    );
    assert_eq!(
        register("ｅｖｅ１", "f@example.org").await.0,
        StatusCode::ACCEPTED
    );
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let stored: Vec<String> = sqlx::query_scalar("SELECT nickname FROM users ORDER BY nickname")
        .fetch_all(tx.conn())
        .await
        .expect("nicknames");
    tx.commit().await.expect("commit");
    assert_eq!(stored, ["ace", "admin-toledo", "eve1"]);
}

/// "Iniciar sesión" in the header comes back to the page the person was
/// reading (but never to another account page).
#[tokio::test]
async fn logging_in_from_a_page_returns_to_it() {
    let world = world().await;
    let mut ana = Browser::new(&world.app);
    logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut visitor = Browser::new(&world.app);
    let page = visitor.get(TOLEDO, "/processes?page=1").await;
    let link = "href=\"/account/login?next=%2Fprocesses%3Fpage%3D1\"";
    assert!(page.body.contains(link), "{}", page.body);
    let login = visitor.get(TOLEDO, "/account/register").await;
    assert!(
        login.body.contains("href=\"/account/login\""),
        "no way back to an account page"
    );
    let form = "/account/login?next=%2Fprocesses%3Fpage%3D1";
    let shown = visitor.get(TOLEDO, form).await;
    let hidden = "name=\"next\" value=\"/processes?page=1\"";
    assert!(shown.body.contains(hidden), "{}", shown.body);
    let fields = [
        ("email", "ana@example.org"),
        ("password", PASSWORD),
        ("next", "/processes?page=1"),
    ];
    let done = visitor
        .submit(TOLEDO, form, "/account/login", &fields)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.headers[header::LOCATION], "/processes?page=1");
}

#[tokio::test]
async fn people_edit_their_profile_and_download_everything_held_about_them() {
    use crate::util::{OPEN_RULES, anonymous, open_process};
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let mut bea = world.citizen("bea").await;
    let (status, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            serde_json::json!({"title": "Bancos a la sombra", "summary": "En la plaza", "body": "", "district": null}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    let id = proposal["id"].as_str().expect("id").to_owned();
    let (status, _) = bea
        .call(
            TOLEDO,
            "POST",
            &format!("/api/v1/proposals/{id}/support"),
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The profile: name, nickname and language, every wrong field at once.
    let refused = ana
        .browser
        .submit(
            TOLEDO,
            "/account",
            "/account/profile",
            &[("name", ""), ("nickname", "bea"), ("language", "fr")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#field-profile-name\"")
            && refused.body.contains("href=\"#field-profile-language\"")
            && refused.body.contains("value=\"bea\""),
        "{}",
        refused.body
    );
    let taken = ana
        .browser
        .submit(
            TOLEDO,
            "/account",
            "/account/profile",
            &[("name", "Ana"), ("nickname", "BEA"), ("language", "es")],
        )
        .await;
    assert!(
        taken.body.contains("ya está en uso"),
        "a nickname reading the same is taken"
    );
    let saved = ana
        .browser
        .submit(
            TOLEDO,
            "/account",
            "/account/profile",
            &[
                ("name", "Ana María Ruiz"),
                ("nickname", "anamaria"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let page = ana.browser.get(TOLEDO, "/account?lang=es").await;
    assert!(
        page.body
            .contains("<a href=\"/account\">Ana María Ruiz</a>"),
        "the header shows the new name"
    );
    let (_, read) = anonymous(&world, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
    assert_eq!(read["author"], "anamaria");

    // The download holds what they contributed, supported and follow.
    let theirs = |body: &str| serde_json::from_str::<serde_json::Value>(body).expect("json");
    let data = theirs(&ana.browser.get(TOLEDO, "/account/data").await.body);
    assert_eq!(data["account"]["language"], "en");
    assert_eq!(data["proposals"][0]["title"], "Bancos a la sombra");
    assert_eq!(data["follows"][0]["kind"], "proposal");
    let data = theirs(&bea.browser.get(TOLEDO, "/account/data").await.body);
    assert_eq!(data["proposal_supports"][0]["title"], "Bancos a la sombra");
    for section in [
        "debates",
        "comments",
        "comment_votes",
        "budget_ballots",
        "budget_project_supports",
        "budget_projects_proposed",
        "reports_made",
        "organisation_application",
    ] {
        assert!(data.get(section).is_some(), "{section} is in the download");
    }

    // Deleting the account forgets the pictures it uploaded.
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    sqlx::query(
        "UPDATE proposals SET image = '0123456789abcdef0123456789abcdef.png' WHERE id = $1::uuid",
    )
    .bind(&id)
    .execute(tx.conn())
    .await
    .expect("picture");
    tx.commit().await.expect("commit");
    let deleted = ana
        .browser
        .submit(
            TOLEDO,
            "/account",
            "/account/delete",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let image: Option<String> =
        sqlx::query_scalar("SELECT image FROM proposals WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(tx.conn())
            .await
            .expect("proposal");
    tx.commit().await.expect("commit");
    assert_eq!(image, None);
}
