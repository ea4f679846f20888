//! Assemblies and meetings on their pages: staff create an assembly with
//! members and a meeting (a refused form comes back with why and what was
//! typed), residents register and get their entry code by mail, staff
//! check it at the door and publish minutes whose agreement decides on a
//! proposal; reminders reach people 24 hours before; calendar feeds are
//! valid iCalendar with the council's time zone, the personal one under a
//! secret address that can be reset; another council sees none of it.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, World, csrf_of, open_process, world};
use axum::http::{StatusCode, header};
use cabildo_engine::staff::Role;
use icalendar::{CalendarDateTime, Component, DatePerhapsTime};
use std::time::{Duration, Instant};

/// Waits for a mail to `to` whose subject contains `subject`.
async fn mail(world: &World, to: &str, subject: &str) -> cabildo_devkit::mime::ParsedMail {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = (world.mails_to(to).into_iter()).find(|m| m.subject.contains(subject))
        {
            return found;
        }
        assert!(Instant::now() < deadline, "no mail «{subject}» to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The calendar at `path`, parsed by an independent RFC 5545 parser after
/// checking what it does not: CRLF line ends and lines of 75 octets at
/// most.
async fn calendar(browser: &mut Browser, host: &str, path: &str) -> icalendar::Calendar {
    let answer = browser.get(host, path).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(answer.body.ends_with("END:VCALENDAR\r\n"));
    for line in answer.body.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
        assert!(!line.contains('\n'), "bare line feed in {line:?}");
    }
    if answer.body.contains("BEGIN:VEVENT") {
        assert_eq!(
            answer
                .body
                .matches("BEGIN:VTIMEZONE\r\nTZID:Europe/Madrid\r\n")
                .count(),
            1,
            "the zone its times refer to is described"
        );
    }
    answer.body.parse().expect("valid iCalendar")
}

fn events(calendar: &icalendar::Calendar) -> Vec<&icalendar::Event> {
    calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect()
}

/// The staff meetings page's CSRF token and the id of the process it
/// offers as a host.
async fn meeting_form(browser: &mut Browser) -> (String, String) {
    let page = browser.get(TOLEDO, "/staff/meetings").await;
    let host = (page.body.split("value=\"process:").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("a process to hold meetings")
        .to_owned();
    (csrf_of(&page.body), host)
}

#[tokio::test]
async fn an_assembly_holds_a_meeting_people_register_for_attend_and_read_the_minutes_of() {
    let world = world().await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let mut lola = world.citizen("lola").await;
    let mut ana = world.citizen("ana").await;

    // An assembly, published, with a member.
    let page = jefa.browser.get(TOLEDO, "/staff/assemblies").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let refused = (jefa.browser)
        .post(
            TOLEDO,
            "/staff/assemblies",
            &[
                ("csrf_token", &csrf),
                ("name", "Consejo de Mobilidad"),
                ("slug", "Mal Slug"),
                ("kind", "sector"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("value=\"Consejo de Mobilidad\""),
        "typed name kept"
    );
    let created = (jefa.browser)
        .post(
            TOLEDO,
            "/staff/assemblies",
            &[
                ("csrf_token", &csrf),
                ("name", "Consejo de Movilidad"),
                ("slug", "movilidad"),
                ("kind", "sector"),
                ("purpose", "Calles para caminar."),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let staff_assembly = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, "/assemblies/movilidad")
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a draft is not public"
    );
    let published = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_assembly}/publish"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let member = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_assembly}/members"),
            &[
                ("csrf_token", &csrf),
                ("kind", "resident"),
                ("name", "Lola Martín"),
                ("role", "president"),
                ("starts", "2026-01-15"),
            ],
        )
        .await;
    assert_eq!(member.status, StatusCode::OK, "{}", member.body);
    let public = Browser::new(&world.app)
        .get(TOLEDO, "/assemblies/movilidad")
        .await;
    assert!(public.body.contains("Lola Martín"), "{}", public.body);

    // A meeting of the assembly tomorrow evening, two places.
    let meetings = jefa.browser.get(TOLEDO, "/staff/meetings").await;
    let assembly_id = staff_assembly.trim_start_matches("/staff/assemblies/");
    assert!(meetings.body.contains(&format!("assembly:{assembly_id}")));
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(2)).date();
    let day = tomorrow.to_string();
    let form = |title: &'static str, ends: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("host", format!("assembly:{assembly_id}")),
            ("title", title.to_owned()),
            ("agenda", "Carril bici\nRuegos y preguntas".to_owned()),
            ("day", day.clone()),
            ("starts", "19:00".to_owned()),
            ("ends", ends.to_owned()),
            ("address", "Centro cívico, Calle Real 1".to_owned()),
            ("latitude", "39,8567".to_owned()),
            ("longitude", "-4.0244".to_owned()),
            ("online_url", "ftp://nope".to_owned()),
            ("capacity", "2".to_owned()),
            ("registration", "open".to_owned()),
            ("publish", "on".to_owned()),
        ]
    };
    let bad = form("Pleno", "21:00");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = jefa.browser.post(TOLEDO, "/staff/meetings", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("https://"),
        "says what a link needs: {}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Pleno\""), "typed title kept");
    let mut good = form("Pleno de movilidad", "21:00");
    good.retain(|(k, _)| *k != "online_url");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = jefa.browser.post(TOLEDO, "/staff/meetings", &good).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let staff_meeting = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let id = staff_meeting
        .trim_start_matches("/staff/meetings/")
        .to_owned();
    let path = format!("/meetings/{id}");

    // Anyone reads it; the time is the council's (19:00 in Madrid).
    let seen = Browser::new(&world.app).get(TOLEDO, &path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("19:00–21:00"), "{}", seen.body);
    assert!(seen.body.contains("Carril bici"));
    assert!(seen.body.contains("openstreetmap.org/?mlat=39.856700"));

    // Lola and Ana register; a third joins the line.
    for person in [&mut lola, &mut ana] {
        let page = person.browser.get(TOLEDO, &path).await;
        let csrf = csrf_of(&page.body);
        let done = person
            .browser
            .post(
                TOLEDO,
                &format!("{path}/register"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }
    let mut eva = world.citizen("eva").await;
    let page = eva.browser.get(TOLEDO, &path).await;
    let eva_csrf = csrf_of(&page.body);
    eva.browser
        .post(
            TOLEDO,
            &format!("{path}/register"),
            &[("csrf_token", &eva_csrf)],
        )
        .await;
    let waiting = eva.browser.get(TOLEDO, &path).await;
    assert!(
        !waiting.body.contains("class=\"entry-code\""),
        "no place, no code"
    );
    assert!(
        waiting.body.contains(&format!("action=\"{path}/cancel\"")),
        "may leave the line"
    );

    // Lola's code: on her page and in her mail.
    let lola_page = lola.browser.get(TOLEDO, &path).await;
    let start = lola_page
        .body
        .find("class=\"entry-code\"")
        .expect("code shown");
    let code: String = lola_page.body[start..]
        .split('>')
        .nth(1)
        .expect("code")
        .split('<')
        .next()
        .expect("code")
        .replace(' ', "");
    assert_eq!(code.len(), 8);
    assert!(
        lola_page
            .body
            .contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\""),
        "a QR code for the door"
    );
    let registered = mail(&world, "lola@example.org", "Pleno de movilidad").await;
    assert!(registered.text.contains(&code), "{}", registered.text);

    // Ana gives her place back: Eva has it and is told.
    let page = ana.browser.get(TOLEDO, &path).await;
    let csrf_ana = csrf_of(&page.body);
    ana.browser
        .post(
            TOLEDO,
            &format!("{path}/cancel"),
            &[("csrf_token", &csrf_ana)],
        )
        .await;
    let promoted = eva.browser.get(TOLEDO, &path).await;
    assert!(
        promoted.body.contains("class=\"entry-code\""),
        "{}",
        promoted.body
    );

    // At the door: the code as typed, then again; a wrong one.
    let door = jefa
        .browser
        .get(TOLEDO, &format!("{staff_meeting}?code={code}"))
        .await;
    assert!(
        door.body.contains(&format!("value=\"{code}\"")),
        "scanned code filled in"
    );
    let lower = code.to_lowercase();
    let checked = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_meeting}/check-in"),
            &[("csrf_token", &csrf), ("code", &lower)],
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK);
    assert!(
        checked.body.contains("class=\"notice\""),
        "{}",
        checked.body
    );
    let wrong = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_meeting}/check-in"),
            &[("csrf_token", &csrf), ("code", "ZZZZZZZZ")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("role=\"alert\""));

    // Minutes wait for the meeting; once it began they link the proposal.
    let proposal = {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        let proposal: uuid::Uuid = sqlx::query_scalar(
            "INSERT INTO proposals (process_id, author_id, title, summary)
             SELECT p.id, u.id, 'Carril bici en la Vega', 'Un carril' FROM processes p, users u
             WHERE p.slug = 'plaza' AND u.nickname = 'lola' RETURNING id",
        )
        .fetch_one(tx.conn())
        .await
        .expect("proposal");
        tx.commit().await.expect("commit");
        proposal
    };
    let minutes = |text: &str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("minutes", text.to_owned()),
            ("agreement-0", "Se pide el carril bici.".to_owned()),
            (
                "proposal-0",
                format!("https://toledo.cabildo.test/proposals/{proposal}"),
            ),
        ]
    };
    let early = minutes("Acta");
    let early: Vec<(&str, &str)> = early.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = jefa
        .browser
        .post(TOLEDO, &format!("{staff_meeting}/minutes"), &early)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        sqlx::query(
            "UPDATE meetings SET starts_at = now() - interval '1 hour', ends_at = now() - interval '1 minute'",
        )
        .execute(tx.conn())
        .await
        .expect("held");
        tx.commit().await.expect("commit");
    }
    let held = minutes("Asistieron 2 personas.");
    let held: Vec<(&str, &str)> = held.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = jefa
        .browser
        .post(TOLEDO, &format!("{staff_meeting}/minutes"), &held)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let read = Browser::new(&world.app).get(TOLEDO, &path).await;
    assert!(read.body.contains("Asistieron 2 personas."));
    assert!(
        read.body
            .contains(&format!("href=\"/proposals/{proposal}\""))
    );
    let decided = Browser::new(&world.app)
        .get(TOLEDO, &format!("/proposals/{proposal}"))
        .await;
    assert!(
        decided.body.contains(&format!("href=\"/meetings/{id}\"")),
        "{}",
        decided.body
    );

    // Lola's own calendar: her meeting, under an address only she knows.
    let account = lola.browser.get(TOLEDO, "/account").await;
    let at = account.body.find("/calendar/").expect("calendar address");
    let feed: String = account.body[at..]
        .split('"')
        .next()
        .expect("address")
        .to_owned();
    let mine = calendar(&mut Browser::new(&world.app), TOLEDO, &feed).await;
    let mine = events(&mine);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].get_summary(), Some("Pleno de movilidad"));
    let forged = feed.replace(".", ".x");
    assert_eq!(
        Browser::new(&world.app).get(TOLEDO, &forged).await.status,
        StatusCode::NOT_FOUND
    );
    let lola_csrf = csrf_of(&account.body);
    lola.browser
        .post(
            TOLEDO,
            "/account/calendar/reset",
            &[("csrf_token", &lola_csrf)],
        )
        .await;
    assert_eq!(
        Browser::new(&world.app).get(TOLEDO, &feed).await.status,
        StatusCode::NOT_FOUND,
        "the old address ends with a reset"
    );

    // Ana comments on the meeting from its page.
    let page = ana.browser.get(TOLEDO, &path).await;
    assert!(
        page.body.contains("name=\"target_kind\" value=\"meeting\""),
        "a comment form"
    );
    let ana_csrf = csrf_of(&page.body);
    let posted = (ana.browser)
        .post(
            TOLEDO,
            "/comments",
            &[
                ("csrf_token", &ana_csrf),
                ("target_kind", "meeting"),
                ("target_id", &id),
                ("body", "Gracias por el acta."),
                ("alignment", "0"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let location = posted.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with(&format!("{path}#comment-")),
        "{location}"
    );
    let read = Browser::new(&world.app).get(TOLEDO, &path).await;
    assert!(read.body.contains("Gracias por el acta."));

    // Another council: nothing.
    let mut stranger = Browser::new(&world.app);
    for path in [
        path.as_str(),
        "/assemblies/movilidad",
        "/assemblies/movilidad/calendar.ics",
    ] {
        assert_eq!(
            stranger.get(TALAVERA, path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let theirs = calendar(&mut stranger, TALAVERA, "/calendar.ics").await;
    assert!(events(&theirs).is_empty());
}

#[tokio::test]
async fn calendars_are_valid_icalendar_in_the_councils_time_zone_and_reminders_arrive() {
    let world = world().await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let mut lola = world.citizen("lola").await;
    let (csrf, host) = meeting_form(&mut jefa.browser).await;
    // Summer and winter: 19:00 in Madrid is 17:00 and 18:00 UTC. The
    // first starts within 24 hours, so its reminder goes out at once.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::hours(3);
    let zone = cabildo_tenancy::Zone::named("Europe/Madrid").expect("zone");
    let soon_local = zone.local(soon);
    let clock = |h: u8, m: u8| format!("{h:02}:{m:02}");
    let later = zone.local(soon + time::Duration::hours(1));
    let meetings = [
        (
            "Taller, comas; y barras\\",
            soon_local.date().to_string(),
            clock(soon_local.hour(), soon_local.minute()),
            clock(later.hour(), later.minute()),
        ),
        (
            "Pleno de verano",
            "2027-07-10".to_owned(),
            "19:00".to_owned(),
            "21:00".to_owned(),
        ),
    ];
    for (title, day, starts, ends) in &meetings {
        let created = (jefa.browser)
            .post(
                TOLEDO,
                "/staff/meetings",
                &[
                    ("csrf_token", &csrf),
                    ("host", &format!("process:{host}")),
                    ("title", title),
                    ("day", day),
                    ("starts", starts),
                    ("ends", ends),
                    ("address", "Plaza de Zocodover"),
                    ("online_url", "https://meet.example/plaza"),
                    ("registration", "open"),
                    ("publish", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    }
    let all = calendar(&mut Browser::new(&world.app), TOLEDO, "/calendar.ics").await;
    let found = events(&all);
    assert_eq!(found.len(), 2);
    let summer = (found.iter())
        .find(|e| e.get_summary() == Some("Pleno de verano"))
        .expect("summer");
    match summer.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Europe/Madrid");
            assert_eq!(date_time.to_string(), "2027-07-10 19:00:00");
        }
        other => panic!("start {other:?}"),
    }
    assert!(
        (summer.property_value("URL"))
            .is_some_and(|u| u.starts_with("http://toledo.cabildo.test/meetings/"))
    );
    assert_eq!(
        summer.property_value("LOCATION"),
        Some("Plaza de Zocodover")
    );
    let tricky = (found.iter())
        .find(|e| e.get_summary() == Some("Taller, comas; y barras\\"))
        .expect("escaped title read back");
    assert!(
        tricky
            .get_description()
            .is_some_and(|d| d.contains("https://meet.example/plaza"))
    );
    let process = calendar(
        &mut Browser::new(&world.app),
        TOLEDO,
        "/processes/plaza/calendar.ics",
    )
    .await;
    assert_eq!(events(&process).len(), 2);

    // Registering for the first (Lola reads mail in English).
    {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        sqlx::query("UPDATE users SET language = 'en' WHERE nickname = 'lola'")
            .execute(tx.conn())
            .await
            .expect("language");
        tx.commit().await.expect("commit");
    }
    let path = format!(
        "/meetings/{}",
        tricky
            .get_uid()
            .and_then(|u| u.split('@').next())
            .expect("uid")
    );
    let page = lola.browser.get(TOLEDO, &path).await;
    let lola_csrf = csrf_of(&page.body);
    let done = lola
        .browser
        .post(
            TOLEDO,
            &format!("{path}/register"),
            &[("csrf_token", &lola_csrf)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    mail(&world, "lola@example.org", "You are registered").await;
    // The reminder job ran before Lola registered (it was due at once):
    // moving the meeting queues a new one, which reaches her.
    let staff_path = format!("/staff{path}");
    // The day in Toledo, not in UTC: they differ from 22:00 or 23:00 UTC.
    let later = zone.local(soon + time::Duration::hours(2));
    let moved_day = later.date().to_string();
    let until = zone.local(soon + time::Duration::hours(3));
    let moved = (jefa.browser)
        .post(
            TOLEDO,
            &staff_path,
            &[
                ("csrf_token", &csrf),
                ("title", "Taller, comas; y barras\\"),
                ("day", &moved_day),
                ("starts", &clock(later.hour(), later.minute())),
                ("ends", &clock(until.hour(), until.minute())),
                ("address", "Plaza de Zocodover"),
                ("registration", "open"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let reminder = mail(&world, "lola@example.org", "Tomorrow").await;
    assert!(
        reminder.text.contains("Plaza de Zocodover"),
        "{}",
        reminder.text
    );
}

#[tokio::test]
async fn residents_volunteer_for_a_citizens_assembly_and_everyone_reads_the_draw() {
    let world = world().await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let mut rosa = world.citizen("rosa").verified().await;
    let mut pepe = world.citizen("pepe").await;
    let page = jefa.browser.get(TOLEDO, "/staff/assemblies").await;
    let csrf = csrf_of(&page.body);
    let created = (jefa.browser)
        .post(
            TOLEDO,
            "/staff/assemblies",
            &[
                ("csrf_token", &csrf),
                ("name", "Asamblea del clima"),
                ("slug", "clima"),
                ("kind", "citizens"),
            ],
        )
        .await;
    let staff_page = created.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    jefa.browser
        .post(
            TOLEDO,
            &format!("{staff_page}/publish"),
            &[("csrf_token", &csrf)],
        )
        .await;
    // Rosa is a verified resident with a census record; Pepe is not.
    {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        let district: String =
            sqlx::query_scalar("SELECT code FROM districts ORDER BY position LIMIT 1")
                .fetch_one(tx.conn())
                .await
                .expect("district");
        sqlx::query(
            "INSERT INTO census (document_hash, birth_date, district_code)
             SELECT sha256(g::text::bytea), date '1980-05-05', $1 FROM generate_series(1, 50) g",
        )
        .bind(&district)
        .execute(tx.conn())
        .await
        .expect("census");
        // Plain VALUES: Citus 13.2 misplans INSERT … SELECT between a
        // council's tables.
        let rosa_id: uuid::Uuid =
            sqlx::query_scalar("SELECT id FROM users WHERE nickname = 'rosa'")
                .fetch_one(tx.conn())
                .await
                .expect("rosa");
        sqlx::query(
            "INSERT INTO census_claims (document_hash, user_id) VALUES (sha256('1'::bytea), $1)",
        )
        .bind(rosa_id)
        .execute(tx.conn())
        .await
        .expect("claim");
        tx.commit().await.expect("commit");
    }
    let page = rosa.browser.get(TOLEDO, "/assemblies/clima").await;
    assert!(
        page.body.contains("action=\"/assemblies/clima/volunteer\""),
        "{}",
        page.body
    );
    let rosa_csrf = csrf_of(&page.body);
    let none = (rosa.browser)
        .post(
            TOLEDO,
            "/assemblies/clima/volunteer",
            &[("csrf_token", &rosa_csrf)],
        )
        .await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a sex must be chosen"
    );
    let done = (rosa.browser)
        .post(
            TOLEDO,
            "/assemblies/clima/volunteer",
            &[("csrf_token", &rosa_csrf), ("sex", "female")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = pepe.browser.get(TOLEDO, "/assemblies/clima").await;
    let pepe_csrf = csrf_of(&page.body);
    let refused = (pepe.browser)
        .post(
            TOLEDO,
            "/assemblies/clima/volunteer",
            &[("csrf_token", &pepe_csrf), ("sex", "male")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "only verified residents"
    );
    // The draw, then its public log: tickets, no names.
    let drawn = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_page}/draw"),
            &[
                ("csrf_token", &csrf),
                ("seats", "3"),
                ("seed", "ONCE 2027-01-15 41207"),
            ],
        )
        .await;
    assert_eq!(drawn.status, StatusCode::OK, "{}", drawn.body);
    let public = Browser::new(&world.app)
        .get(TOLEDO, "/assemblies/clima")
        .await;
    assert!(
        public.body.contains("ONCE 2027-01-15 41207"),
        "{}",
        public.body
    );
    assert!(
        public.body.contains("<td>3</td><td>1</td></tr>"),
        "ticket 1 drawn: {}",
        public.body
    );
    let name: String = {
        let toledo = world.council("toledo").await;
        let mut tx = world.tenancy.begin(&toledo).await.expect("begin");
        sqlx::query_scalar("SELECT name FROM users WHERE nickname = 'rosa'")
            .fetch_one(tx.conn())
            .await
            .expect("name")
    };
    let log_at = public.body.find("<table>").expect("the log");
    let members_at = public.body.find("members-heading").expect("members");
    assert!(
        !public.body[log_at..].contains(&name),
        "the log names no one"
    );
    assert!(
        public.body[members_at..log_at].contains(&name),
        "members list those drawn"
    );
    let again = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_page}/draw"),
            &[("csrf_token", &csrf), ("seats", "3"), ("seed", "otra")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the draw runs once"
    );
    assert_eq!(
        Browser::new(&world.app)
            .get(TALAVERA, "/assemblies/clima")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn places_are_drawn_on_maps_from_the_tile_server_and_listed_without_one() {
    let tiles =
        cabildo_web::MapTiles::new("http://127.0.0.1:9/{z}/{x}/{y}.png", "© Mapas de prueba")
            .expect("tiles");
    let world = crate::util::world_with(cabildo_web::WebConfig {
        maps: Some(tiles),
        ..cabildo_web::WebConfig::default()
    })
    .await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let (csrf, host) = meeting_form(&mut jefa.browser).await;
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .date()
        .to_string();
    let mut paths = Vec::new();
    for (title, latitude, longitude) in [
        ("Uno", "39.8583", "-4.0226"),
        ("Dos", "39.8700", "-4.0100"),
        ("Sin punto", "", ""),
    ] {
        let created = (jefa.browser)
            .post(
                TOLEDO,
                "/staff/meetings",
                &[
                    ("csrf_token", &csrf),
                    ("host", &format!("process:{host}")),
                    ("title", title),
                    ("day", &day),
                    ("starts", "18:00"),
                    ("ends", "19:00"),
                    ("address", "Plaza de Zocodover"),
                    ("latitude", latitude),
                    ("longitude", longitude),
                    ("registration", "none"),
                    ("publish", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let staff = created.headers[header::LOCATION]
            .to_str()
            .expect("location");
        paths.push(staff.trim_start_matches("/staff").to_owned());
    }
    let mut visitor = Browser::new(&world.app);
    // One meeting: its point in the middle of the map, the tiles' origin
    // allowed by this page's CSP, the attribution shown.
    let one = visitor.get(TOLEDO, &paths[0]).await;
    assert!(
        one.body
            .contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\""),
        "{}",
        one.body
    );
    assert!(
        one.body
            .contains("<image href=\"http://127.0.0.1:9/17/64071/49688.png\"")
    );
    assert!(one.body.contains("© Mapas de prueba"));
    let csp = one.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("img-src 'self' data: http://127.0.0.1:9;"),
        "{csp}"
    );
    // Without a point: no map, the address, the plain CSP.
    let none = visitor.get(TOLEDO, &paths[2]).await;
    assert!(!none.body.contains("class=\"map\""));
    assert!(none.body.contains("Plaza de Zocodover"));
    let csp = none.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(!csp.contains("127.0.0.1:9"), "{csp}");
    // The list and the process: numbered markers matching the list.
    for page in ["/meetings", "/processes/plaza"] {
        let listed = visitor.get(TOLEDO, page).await;
        assert!(
            listed.body.contains(">1</text>") && listed.body.contains(">2</text>"),
            "{page}"
        );
        assert!(listed.body.contains("class=\"map-marker\""), "{page}");
    }
    // The home page shows no map: its CSP stays strict.
    let home = visitor.get(TOLEDO, "/").await;
    let csp = home.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(!csp.contains("127.0.0.1:9"), "{csp}");
}

/// A Nominatim stand-in on loopback: every search finds Zocodover, except
/// "nowhere"; it counts the searches.
async fn fake_geocoder() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().route(
        "/search",
        axum::routing::get(
            move |axum::extract::Query(query): axum::extract::Query<
                std::collections::HashMap<String, String>,
            >| {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(query.get("format").map(String::as_str), Some("jsonv2"));
                    if query.get("q").is_some_and(|q| q.contains("nowhere")) {
                        "[]".to_owned()
                    } else {
                        r#"[{"lat": "39.8583", "lon": "-4.0226"}]"#.to_owned()
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, hits)
}

#[tokio::test]
async fn typed_addresses_are_placed_on_the_map_once_and_never_required() {
    use std::sync::atomic::Ordering;
    let (base, hits) = fake_geocoder().await;
    let world = crate::util::world_with(cabildo_web::WebConfig {
        maps: Some(
            cabildo_web::MapTiles::new("http://127.0.0.1:9/{z}/{x}/{y}.png", "© Prueba")
                .expect("tiles"),
        ),
        geocoder: Some(cabildo_web::Geocoder::new(&base).expect("geocoder")),
        ..cabildo_web::WebConfig::default()
    })
    .await;
    open_process(&world, "toledo", "plaza", OPEN_RULES, 1).await;
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let (csrf, host) = meeting_form(&mut jefa.browser).await;
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .date()
        .to_string();
    let mut create = async |address: &str| {
        let created = (jefa.browser)
            .post(
                TOLEDO,
                "/staff/meetings",
                &[
                    ("csrf_token", &csrf),
                    ("host", &format!("process:{host}")),
                    ("title", "Reunión"),
                    ("day", &day),
                    ("starts", "18:00"),
                    ("ends", "19:00"),
                    ("address", address),
                    ("registration", "none"),
                    ("publish", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        created.headers[header::LOCATION]
            .to_str()
            .expect("location")
            .to_owned()
    };
    let first = create("Plaza de Zocodover, Toledo").await;
    assert!(!first.contains("placed=no"), "{first}");
    let second = create("  plaza de zocodover,   TOLEDO ").await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "the same address is asked once"
    );
    let missing = create("Calle nowhere 1").await;
    assert!(missing.ends_with("?placed=no"), "{missing}");
    let told = jefa.browser.get(TOLEDO, &missing).await;
    assert!(told.body.contains("class=\"notice\""), "{}", told.body);
    let placed = Browser::new(&world.app)
        .get(
            TOLEDO,
            second
                .split('?')
                .next()
                .expect("path")
                .trim_start_matches("/staff"),
        )
        .await;
    assert!(
        placed.body.contains("17/64071/49688.png"),
        "placed from the cache"
    );
    // The geocoder down: the meeting is created all the same, unplaced.
    let world_down = crate::util::world_with(cabildo_web::WebConfig {
        geocoder: Some(cabildo_web::Geocoder::new("http://127.0.0.1:9").expect("geocoder")),
        ..cabildo_web::WebConfig::default()
    })
    .await;
    open_process(&world_down, "toledo", "plaza", OPEN_RULES, 1).await;
    let mut jefe = world_down.citizen("jefe").staff(Role::Admin).await;
    let (csrf, host) = meeting_form(&mut jefe.browser).await;
    let created = (jefe.browser)
        .post(
            TOLEDO,
            "/staff/meetings",
            &[
                ("csrf_token", &csrf),
                ("host", &format!("process:{host}")),
                ("title", "Reunión"),
                ("day", &day),
                ("starts", "18:00"),
                ("ends", "19:00"),
                ("address", "Plaza Mayor"),
                ("registration", "none"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert!(
        created.headers[header::LOCATION]
            .to_str()
            .expect("location")
            .ends_with("?placed=no")
    );
}
