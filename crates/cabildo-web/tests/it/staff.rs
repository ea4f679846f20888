//! Staff: the first admin invited by mail, accepting, inviting others,
//! the audit log (append-only), and staff pages closed to everyone else.

use crate::util::{Browser, TALAVERA, TOLEDO, csrf_of, logged_in, world};
use axum::http::StatusCode;
use cabildo_engine::staff::{self, Actor, Role};

#[tokio::test]
async fn an_invited_admin_accepts_invites_a_moderator_and_every_step_is_audited() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    staff::invite(
        &mut tx,
        &Actor("cli".into()),
        "Boss@Example.org",
        Role::Admin,
        "",
    )
    .await
    .expect("invite");
    tx.commit().await.expect("commit");
    let link = world
        .link_in_mail(
            "boss@example.org",
            1,
            "https://toledo.cabildo.test/staff/invitation?token=",
        )
        .await;
    let path = link
        .trim_start_matches("https://toledo.cabildo.test")
        .to_owned();

    let mut anonymous = Browser::new(&world.app);
    let page = anonymous.get(TOLEDO, &path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("boss@example.org"), "{}", page.body);

    // Someone else, logged in, cannot use the forwarded link.
    let mut luis = Browser::new(&world.app);
    logged_in(&world, &mut luis, TOLEDO, "luis", "luis@example.org", 1).await;
    let form = luis.get(TOLEDO, &path).await;
    let token = path.split("token=").nth(1).expect("token");
    let refused = luis
        .post(
            TOLEDO,
            "/staff/invitation",
            &[("csrf_token", &csrf_of(&form.body)), ("token", token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        luis.get(TOLEDO, "/staff").await.status,
        StatusCode::FORBIDDEN
    );

    let mut boss = Browser::new(&world.app);
    logged_in(&world, &mut boss, TOLEDO, "boss", "boss@example.org", 2).await;
    let before = boss.cookie(TOLEDO, "session").expect("session");
    let accepted = boss
        .submit(TOLEDO, &path, "/staff/invitation", &[("token", token)])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // Gaining a role rotated the session.
    let after = boss.cookie(TOLEDO, "session").expect("session");
    assert_ne!(before, after);
    let mut old = Browser::new(&world.app);
    old.cookies
        .insert((TOLEDO.to_owned(), "session".to_owned()), before);
    assert_eq!(
        old.get(TOLEDO, "/staff").await.status,
        StatusCode::SEE_OTHER,
        "the old token is dead"
    );
    let again = boss
        .submit(TOLEDO, "/staff", "/staff/invitation", &[("token", token)])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "single use");

    let page = boss.get(TOLEDO, "/staff").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Administración"));
    let invited = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/invitations",
            &[("email", "mod@example.org"), ("role", "moderator")],
        )
        .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    world
        .link_in_mail(
            "mod@example.org",
            1,
            "https://toledo.cabildo.test/staff/invitation?token=",
        )
        .await;
    let bad = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/invitations",
            &[("email", "not an address"), ("role", "moderator")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/invitations",
            &[("email", "x@example.org"), ("role", "superuser")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Manual verification: needs a reason, a real district and a person.
    let no_reason = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/verifications",
            &[
                ("email", "luis@example.org"),
                ("district", "poligono"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/verifications",
            &[
                ("email", "nobody@example.org"),
                ("district", "poligono"),
                ("reason", "Comprobado en ventanilla"),
            ],
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    let verified = boss
        .submit(
            TOLEDO,
            "/staff",
            "/staff/verifications",
            &[
                ("email", "luis@example.org"),
                ("district", "poligono"),
                ("reason", "Comprobado en ventanilla"),
            ],
        )
        .await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER, "{}", verified.body);
    let me = luis
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert!(
        me.body.contains("\"verified\":true") && me.body.contains("poligono"),
        "{}",
        me.body
    );
    let not_admin = luis
        .submit(
            TOLEDO,
            "/account",
            "/staff/verifications",
            &[
                ("email", "luis@example.org"),
                ("district", "poligono"),
                ("reason", "yo mismo"),
            ],
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);

    let page = boss.get(TOLEDO, "/staff").await;
    for entry in [
        "Invitó a alguien al equipo",
        "Aceptó una invitación al equipo",
        "Dio un rol del equipo",
        "mod@example.org",
        "Operación de la plataforma",
    ] {
        assert!(
            page.body.contains(entry),
            "{entry} in the audit log: {}",
            page.body
        );
    }
    // Non-admin staff and other councils see nothing of it.
    assert_eq!(
        boss.get(TALAVERA, "/staff").await.status,
        StatusCode::SEE_OTHER,
        "not logged in there"
    );

    // The audit log cannot be rewritten, even by the council's own role.
    for sql in [
        "UPDATE audit_log SET actor = 'nobody'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(tx.conn())
            .await
            .expect_err(sql);
        let message = error.to_string();
        assert!(
            message.contains("append-only") || message.contains("permission denied"),
            "{sql}: {message}"
        );
    }
}

#[tokio::test]
async fn an_association_applies_staff_reject_then_verify_it_and_it_is_told() {
    let world = world().await;
    let mut vecinos = Browser::new(&world.app);
    logged_in(
        &world,
        &mut vecinos,
        TOLEDO,
        "vecinos",
        "vecinos@example.org",
        1,
    )
    .await;
    let mut moderator = Browser::new(&world.app);
    logged_in(&world, &mut moderator, TOLEDO, "mod", "mod@example.org", 1).await;
    world
        .grant("toledo", "mod@example.org", Role::Moderator)
        .await;

    let incomplete = vecinos
        .submit(
            TOLEDO,
            "/account/organisation",
            "/account/organisation",
            &[
                ("name", "AVV <b>Casco</b>"),
                ("registry_number", ""),
                ("contact_name", "Eva"),
                ("contact_phone", "abc"),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        incomplete.body.contains("obligatorio") && incomplete.body.contains("no es válido"),
        "{}",
        incomplete.body
    );
    let applied = vecinos
        .submit(
            TOLEDO,
            "/account/organisation",
            "/account/organisation",
            &[
                ("name", "AVV <b>Casco</b>"),
                ("registry_number", "TO-1234"),
                ("contact_name", "Eva"),
                ("contact_phone", "+34 925 000 000"),
            ],
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);

    let page = moderator.get(TOLEDO, "/staff").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("AVV &#60;b&#62;Casco") || page.body.contains("AVV &lt;b&gt;Casco"),
        "escaped: {}",
        page.body
    );
    let marker = "action=\"/staff/organisations/";
    let start = page.body.find(marker).expect("a review form") + "action=\"".len();
    let action = page.body[start..start + page.body[start..].find('"').expect("end")].to_owned();
    let csrf = csrf_of(&page.body);

    // Citizens cannot review; a rejection needs a reason.
    let citizen_csrf = csrf_of(&vecinos.get(TOLEDO, "/").await.body);
    let citizen = vecinos
        .post(
            TOLEDO,
            &action,
            &[("csrf_token", &citizen_csrf), ("decision", "verify")],
        )
        .await;
    assert_eq!(citizen.status, StatusCode::FORBIDDEN);
    let no_reason = moderator
        .post(
            TOLEDO,
            &action,
            &[
                ("csrf_token", &csrf),
                ("decision", "reject"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = moderator
        .post(
            TOLEDO,
            &action,
            &[
                ("csrf_token", &csrf),
                ("decision", "reject"),
                ("reason", "El número de registro no consta"),
            ],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let status = vecinos.get(TOLEDO, "/account/organisation").await;
    assert!(
        status.body.contains("El número de registro no consta"),
        "{}",
        status.body
    );

    vecinos
        .submit(
            TOLEDO,
            "/account/organisation",
            "/account/organisation",
            &[
                ("name", "AVV Casco Histórico"),
                ("registry_number", "TO-1235"),
                ("contact_name", "Eva"),
                ("contact_phone", "925 000 000"),
            ],
        )
        .await;
    let page = moderator.get(TOLEDO, "/staff").await;
    let start = page.body.find(marker).expect("the new application") + "action=\"".len();
    let action = page.body[start..start + page.body[start..].find('"').expect("end")].to_owned();
    let verified = moderator
        .post(
            TOLEDO,
            &action,
            &[("csrf_token", &csrf_of(&page.body)), ("decision", "verify")],
        )
        .await;
    assert_eq!(verified.status, StatusCode::SEE_OTHER);
    let me = vecinos
        .json(TOLEDO, "GET", "/api/v1/me", serde_json::Value::Null, None)
        .await;
    assert!(
        me.body.contains("\"status\":\"verified\"") && me.body.contains("AVV Casco Histórico"),
        "{}",
        me.body
    );
    let notifications = vecinos.get(TOLEDO, "/notifications").await;
    assert!(
        notifications.body.contains("ha sido verificada")
            && notifications.body.contains("no se ha aceptado"),
        "{}",
        notifications.body
    );
    let replay = moderator
        .post(
            TOLEDO,
            &action,
            &[("csrf_token", &csrf_of(&page.body)), ("decision", "verify")],
        )
        .await;
    assert_eq!(
        replay.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already reviewed"
    );
}

#[tokio::test]
async fn an_admin_uploads_the_census_and_citizens_verify_against_it() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let world = world().await;
    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "boss", "boss@example.org", 1).await;
    let mut ana = Browser::new(&world.app);
    let ana_csrf = logged_in(&world, &mut ana, TOLEDO, "ana", "ana@example.org", 1).await;
    world.grant("toledo", "boss@example.org", Role::Admin).await;

    // About 1.5 MB: far over the 64 KiB other forms accept.
    let mut csv = String::from(
        "documento;fecha_nacimiento;distrito\n12345678Z;17/05/1980;poligono\n12345678A;17/05/1980;poligono\n",
    );
    for i in 0..40_000u32 {
        let n = 20_000_000 + i;
        csv.push_str(&format!(
            "{n:08}{};01/01/1970;buenavista\n",
            "TRWAGMYFPDXBNJZSQVHLCKE".as_bytes()[(n % 23) as usize] as char
        ));
    }
    let upload = async |browser: &mut Browser, csrf: &str, body: &str| {
        let boundary = "cabildo-test-boundary";
        let multipart = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"padron.csv\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--{boundary}--\r\n"
        );
        browser
            .request(
                TOLEDO,
                Request::post("/staff/census").header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                ),
                Body::from(multipart),
            )
            .await
    };
    let page = admin.get(TOLEDO, "/staff").await;
    let csrf = csrf_of(&page.body);
    let forged = upload(&mut admin, "forged", &csv).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let ana_form_csrf = csrf_of(&ana.get(TOLEDO, "/account").await.body);
    let not_admin = upload(&mut ana, &ana_form_csrf, &csv).await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    let residents = async || {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM census")
            .fetch_one(tx.conn())
            .await
            .expect("residents");
        tx.commit().await.expect("commit");
        count
    };
    let before = residents().await;
    // The file is read aside and shown; the census changes only once
    // the admin confirms.
    let preview = upload(&mut admin, &csrf, &csv).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("El archivo tiene 40.001 residentes")
            && preview
                .body
                .contains("línea 3: la letra del documento no corresponde al número"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Buenavista"), "counts by district");
    assert_eq!(residents().await, before, "nothing replaced yet");
    let upload_id = preview
        .body
        .split("name=\"upload\" value=\"")
        .nth(1)
        .and_then(|rest| rest.get(..36))
        .expect("the upload to confirm")
        .to_owned();
    let not_admin = ana
        .post(
            TOLEDO,
            "/staff/census/confirm",
            &[("csrf_token", &ana_form_csrf), ("upload", &upload_id)],
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    assert_eq!(residents().await, before);
    // Another council's admin cannot confirm it: the upload is Toledo's.
    let mut talavera = world
        .citizen("alcaldesa")
        .on(TALAVERA)
        .staff(Role::Admin)
        .await
        .browser;
    let talavera_csrf = csrf_of(&talavera.get(TALAVERA, "/staff").await.body);
    let foreign = talavera
        .post(
            TALAVERA,
            "/staff/census/confirm",
            &[("csrf_token", &talavera_csrf), ("upload", &upload_id)],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::CONFLICT);
    assert_eq!(residents().await, before);
    let done = admin
        .post(
            TOLEDO,
            "/staff/census/confirm",
            &[("csrf_token", &csrf), ("upload", &upload_id)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("Padrón sustituido: 40.001 residentes"),
        "{}",
        done.body
    );
    assert!(done.body.contains("Cargó el padrón"), "audited");
    assert_eq!(residents().await, 40_001);
    let twice = admin
        .post(
            TOLEDO,
            "/staff/census/confirm",
            &[("csrf_token", &csrf), ("upload", &upload_id)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "confirmed once");
    // A smaller file is pointed out, and can be discarded.
    let small = "documento;fecha_nacimiento;distrito\n12345678Z;17/05/1980;poligono\n";
    let shrinks = upload(&mut admin, &csrf, small).await;
    assert!(
        shrinks
            .body
            .contains("el padrón actual tiene 40.001 residentes y este archivo 1")
    );
    let small_id = shrinks
        .body
        .split("name=\"upload\" value=\"")
        .nth(1)
        .and_then(|rest| rest.get(..36))
        .expect("the upload")
        .to_owned();
    let cancelled = admin
        .post(
            TOLEDO,
            "/staff/census/cancel",
            &[("csrf_token", &csrf), ("upload", &small_id)],
        )
        .await;
    assert!(cancelled.body.contains("Archivo descartado"));
    assert_eq!(residents().await, 40_001);
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM census_staged")
        .fetch_one(tx.conn())
        .await
        .expect("staged");
    tx.commit().await.expect("commit");
    assert_eq!(staged, 0, "nothing is left staged");
    // A wrong file (most lines refused) changes nothing.
    let wrong = "documento;fecha_nacimiento;distrito\n12345678Z;17/05/1980;poligono\nx;y;z\nnombre;apellidos;calle\n";
    let refused = upload(&mut admin, &csrf, wrong).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("el padrón no ha cambiado")
            || refused.body.contains("census has not changed")
    );
    assert_eq!(residents().await, 40_001, "the census in place is kept");

    let verified = ana
        .json(
            TOLEDO,
            "POST",
            "/api/v1/me/verification",
            serde_json::json!({"document": "12345678Z", "birth_date": "1980-05-17"}),
            Some(&ana_csrf),
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);

    // Other forms still refuse big bodies.
    let big = admin
        .request(
            TOLEDO,
            Request::post("/account/password/forgot")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(format!("email={}", "a".repeat(100_000))),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_admin_previews_tests_and_sends_a_newsletter_and_follows_its_delivery() {
    let world = world().await;
    let toledo = world.council("toledo").await;
    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "boss", "boss@example.org", 1).await;
    let mut citizen = Browser::new(&world.app);
    logged_in(&world, &mut citizen, TOLEDO, "ana", "ana@example.org", 1).await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let boss: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'boss@example.org'")
            .fetch_one(tx.conn())
            .await
            .expect("user");
    staff::grant(&mut tx, &Actor("cli".into()), boss.into(), Role::Admin)
        .await
        .expect("grant");
    sqlx::query("UPDATE users SET newsletter_consent = true WHERE email = 'ana@example.org'")
        .execute(tx.conn())
        .await
        .expect("consent");
    tx.commit().await.expect("commit");

    assert_eq!(
        citizen.get(TOLEDO, "/staff/newsletters").await.status,
        StatusCode::FORBIDDEN
    );
    let page = admin.get(TOLEDO, "/staff/newsletters").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Aún no se ha enviado ningún boletín"));
    let fields = |action: &'static str| {
        vec![
            ("subject", "Presupuestos participativos"),
            ("body", "Hola **vecinos**.\n\n<script>alert(1)</script>"),
            ("audience", "all"),
            ("action", action),
        ]
    };
    let preview = admin
        .submit(
            TOLEDO,
            "/staff/newsletters",
            "/staff/newsletters",
            &fields("preview"),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("<strong>vecinos</strong>")
            && !preview.body.contains("<script>alert"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("Llegaría a 1 persona"),
        "{}",
        preview.body
    );
    let test = admin
        .submit(
            TOLEDO,
            "/staff/newsletters",
            "/staff/newsletters",
            &fields("test"),
        )
        .await;
    assert!(test.body.contains("boss@example.org"), "{}", test.body);
    let empty = admin
        .submit(
            TOLEDO,
            "/staff/newsletters",
            "/staff/newsletters",
            &[
                ("subject", ""),
                ("body", "x"),
                ("audience", "all"),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    // "Send" asks first, saying how many people will get it; nothing goes.
    let asked = admin
        .submit(
            TOLEDO,
            "/staff/newsletters",
            "/staff/newsletters",
            &fields("send"),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("a 1 persona"), "{}", asked.body);
    assert!(asked.body.contains("value=\"send-confirmed\""));
    assert!(
        !asked.body.contains("en camino"),
        "nothing is sent before confirming"
    );
    let sent = admin
        .submit(
            TOLEDO,
            "/staff/newsletters",
            "/staff/newsletters",
            &fields("send-confirmed"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("en camino a 1 persona"), "{}", sent.body);
    assert!(
        sent.body.contains("Presupuestos participativos") && sent.body.contains("<meter"),
        "listed with its delivery"
    );
    let audit = admin.get(TOLEDO, "/staff").await;
    assert!(
        audit.body.contains("Envió un boletín")
            && audit.body.contains("Envió un boletín de prueba")
    );
}

/// A request to `path` on Toledo carrying `cookies`, whose multipart body
/// sends one chunk and then never ends: only a route that answers before
/// reading its body answers it.
fn endless(path: &str, cookies: String) -> axum::http::Request<axum::body::Body> {
    use futures_util::StreamExt;
    let first = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"--b\r\n"))
    });
    let body = axum::body::Body::from_stream(first.chain(futures_util::stream::pending()));
    axum::http::Request::post(path)
        .header(axum::http::header::HOST, TOLEDO)
        .header(axum::http::header::COOKIE, cookies)
        .header(
            axum::http::header::CONTENT_TYPE,
            "multipart/form-data; boundary=b",
        )
        .body(body)
        .expect("request")
}

/// A census body (up to 100 MB) is read only for staff allowed to load the
/// census, and only two at once per node: a citizen or a moderator is
/// refused from the request's head, and a third upload is asked to retry.
#[tokio::test]
async fn census_uploads_are_authorised_before_their_body_is_read() {
    use std::time::Duration;
    let world = world().await;
    let within = Duration::from_secs(5);
    let vecino = world.citizen("vecino").await.browser;
    let moderadora = world
        .citizen("moderadora")
        .staff(Role::Moderator)
        .await
        .browser;
    for (who, browser) in [("a citizen", &vecino), ("a moderator", &moderadora)] {
        let request = endless("/staff/census", browser.cookie_header(TOLEDO));
        let answer = tokio::time::timeout(within, crate::util::send(&world.app, request)).await;
        let answer = answer.unwrap_or_else(|_| panic!("{who}: the body was read"));
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who}");
    }
    let admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let (app, request) = (
                world.app.clone(),
                endless("/staff/census", admin.cookie_header(TOLEDO)),
            );
            tokio::spawn(async move { crate::util::send(&app, request).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let request = endless("/staff/census", admin.cookie_header(TOLEDO));
    let third = tokio::time::timeout(within, crate::util::send(&world.app, request)).await;
    let third = third.expect("the third is answered at once");
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers.contains_key(axum::http::header::RETRY_AFTER));
    for upload in busy {
        upload.abort();
    }
}

/// The id of `nickname` on Toledo.
async fn user_id(world: &crate::util::World, nickname: &str) -> String {
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE nickname = $1")
        .bind(nickname)
        .fetch_one(tx.conn())
        .await
        .expect("user");
    tx.commit().await.expect("commit");
    id.to_string()
}

/// Moderators block citizens, not those above them: staff are blocked only
/// by an admin, and an admin by nobody.
#[tokio::test]
async fn staff_are_not_blocked_by_lower_roles() {
    let world = world().await;
    let mut moderadora = world
        .citizen("moderadora")
        .staff(Role::Moderator)
        .await
        .browser;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await.browser;
    world.citizen("otrajefa").staff(Role::Admin).await;
    world.citizen("vecino").await;
    let block = async |browser: &mut Browser, nickname: &str| {
        let fields = [
            ("user", user_id(&world, nickname).await),
            ("block", "on".to_owned()),
            ("message", "Normas de participación".to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = browser
            .submit(
                TOLEDO,
                "/staff/moderation",
                "/staff/moderation/blocks",
                &fields,
            )
            .await;
        answer.status
    };
    assert_eq!(block(&mut moderadora, "jefa").await, StatusCode::FORBIDDEN);
    assert_eq!(block(&mut jefa, "otrajefa").await, StatusCode::FORBIDDEN);
    assert_eq!(
        block(&mut moderadora, "vecino").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(block(&mut jefa, "moderadora").await, StatusCode::SEE_OTHER);
    let toledo = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
    let blocked: Vec<String> = sqlx::query_scalar(
        "SELECT nickname FROM users WHERE blocked_at IS NOT NULL ORDER BY nickname",
    )
    .fetch_all(tx.conn())
    .await
    .expect("blocked");
    tx.commit().await.expect("commit");
    assert_eq!(blocked, ["moderadora", "vecino"]);
}

#[tokio::test]
async fn staff_find_their_tools_from_the_header_and_read_the_audit_log_in_words() {
    let world = world().await;
    let mut admin = world.citizen("jefa").staff(Role::Admin).await.browser;
    let mut moderator = world.citizen("mod").staff(Role::Moderator).await.browser;
    let mut citizen = world.citizen("ana").await.browser;

    let home = admin.get(TOLEDO, "/").await;
    assert!(
        home.body.contains("<a href=\"/staff\">Gestión</a>"),
        "{}",
        home.body
    );
    assert!(
        !citizen
            .get(TOLEDO, "/")
            .await
            .body
            .contains("href=\"/staff\"")
    );
    let console = admin.get(TOLEDO, "/staff").await;
    for section in [
        "/staff/processes",
        "/staff/moderation",
        "/staff/newsletters",
        "/staff/audit",
        "/staff/legal",
    ] {
        assert!(
            console.body.contains(&format!("href=\"{section}\"")),
            "{section}"
        );
    }
    let moderation = moderator.get(TOLEDO, "/staff/moderation").await;
    assert!(
        moderation
            .body
            .contains("href=\"/staff/moderation\" aria-current=\"page\"")
    );
    assert!(
        !moderation.body.contains("href=\"/staff/processes\""),
        "only the sections a moderator's role opens"
    );

    // Some history: processes created by the admin, one by the operator.
    for n in 0..55 {
        let slug = format!("proceso-{n}");
        let created = admin
            .submit(
                TOLEDO,
                "/staff/processes",
                "/staff/processes",
                &[
                    ("title", &format!("Proceso {n}")),
                    ("slug", &slug),
                    ("summary", "Resumen"),
                    ("description", "Descripción"),
                    ("create_rule", "verified"),
                    ("support_rule", "verified"),
                    ("threshold", "10"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    }
    let log = admin.get(TOLEDO, "/staff/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("Creó un proceso") && log.body.contains("jefa"));
    assert!(!log.body.contains("process.create"), "actions in words");
    assert!(!log.body.contains(">user:"), "people by name");
    let older = log
        .body
        .split("href=\"/staff/audit?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older entries");
    let page_two = admin
        .get(TOLEDO, &format!("/staff/audit?before={older}"))
        .await;
    assert!(page_two.body.contains("Creó un proceso"));
    let staff_only = admin.get(TOLEDO, "/staff/audit?area=staff").await;
    assert!(
        !staff_only.body.contains("Creó un proceso") && staff_only.body.contains("Dio un rol"),
        "{}",
        staff_only.body
    );
    let csv = admin
        .get(TOLEDO, "/staff/audit?area=process&format=csv&dialect=excel")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with('\u{feff}'));
    assert_eq!(
        csv.body
            .lines()
            .filter(|l| l.contains("Creó un proceso"))
            .count(),
        55
    );
    assert_ne!(
        moderator.get(TOLEDO, "/staff/audit").await.status,
        StatusCode::OK,
        "the log is for admins"
    );
    // Another council's log is its own.
    let mut other = world
        .citizen("otra")
        .on(TALAVERA)
        .staff(Role::Admin)
        .await
        .browser;
    let theirs = other.get(TALAVERA, "/staff/audit").await;
    assert!(!theirs.body.contains("Creó un proceso"));
}

/// Unblocking offers to show again what the block hid: the debate, the
/// proposal and the comment come back (and the comment counts again), but
/// not what moderators had hidden on their own before the block.
#[tokio::test]
async fn unblocking_restores_what_the_block_hid_and_nothing_else() {
    use crate::util::{OPEN_RULES, open_process};
    use serde_json::json;
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let mut ids = Vec::new();
    for title in ["Más bancos", "Menos coches"] {
        let (_, proposal) = ana
            .call(
                TOLEDO,
                "POST",
                "/api/v1/processes/plan/proposals",
                json!({"title": title, "summary": "En la plaza"}),
            )
            .await;
        ids.push(proposal["id"].as_str().expect("id").to_owned());
    }
    let (_, debate) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/debates",
            json!({"title": "Carril bici", "body": "¿Dónde?"}),
        )
        .await;
    let debate = debate["id"].as_str().expect("id").to_owned();
    ana.call(
        TOLEDO,
        "POST",
        &format!("/api/v1/proposals/{}/comments", ids[0]),
        json!({"body": "Y fuentes"}),
    )
    .await;
    let mut mod_ = world.citizen("mod").staff(Role::Moderator).await.browser;
    let hide = [
        ("kind", "proposal"),
        ("id", ids[1].as_str()),
        ("decision", "hide"),
    ];
    let hidden = mod_
        .submit(
            TOLEDO,
            "/staff/moderation",
            "/staff/moderation/decisions",
            &hide,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    let ana_id = user_id(&world, "ana").await;
    let block = [
        ("user", ana_id.as_str()),
        ("block", "on"),
        ("message", "Spam"),
    ];
    let blocked = mod_
        .submit(
            TOLEDO,
            "/staff/moderation",
            "/staff/moderation/blocks",
            &block,
        )
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    let visible = async |path: String| {
        Browser::new(&world.app).get(TOLEDO, &path).await.status == StatusCode::OK
    };
    assert!(!visible(format!("/proposals/{}", ids[0])).await);
    assert!(!visible(format!("/debates/{debate}")).await);

    let page = mod_.get(TOLEDO, "/staff/moderation").await;
    assert!(
        page.body
            .contains("Volver a mostrar lo que ocultó el bloqueo (3 elementos)"),
        "{}",
        page.body
    );
    let unblock = [
        ("user", ana_id.as_str()),
        ("block", "off"),
        ("restore", "on"),
    ];
    let unblocked = mod_
        .submit(
            TOLEDO,
            "/staff/moderation",
            "/staff/moderation/blocks",
            &unblock,
        )
        .await;
    assert_eq!(unblocked.status, StatusCode::SEE_OTHER);
    assert!(visible(format!("/proposals/{}", ids[0])).await);
    assert!(visible(format!("/debates/{debate}")).await);
    assert!(
        !visible(format!("/proposals/{}", ids[1])).await,
        "hidden by moderators before the block: stays hidden"
    );
    let shown = Browser::new(&world.app)
        .get(TOLEDO, &format!("/api/v1/proposals/{}", ids[0]))
        .await;
    assert!(
        shown.body.contains("\"comments_count\":1"),
        "{}",
        shown.body
    );
    let audit = mod_.get(TOLEDO, "/staff/moderation").await;
    assert!(!audit.body.contains("Spam"), "no longer listed as blocked");
}
