//! Pictures: a process's hero image by staff, a proposal's by its author;
//! checked by content and size, served only on their council's host.

use crate::util::{Browser, OPEN_RULES, TALAVERA, TOLEDO, csrf_of, logged_in, open_process, world};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use cabildo_engine::staff::Role;
use serde_json::json;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

fn multipart(csrf: &str, image: &[u8]) -> (String, Vec<u8>) {
    let boundary = "cabildoBoundary7";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(image);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn staff_and_authors_add_pictures_checked_by_content_and_kept_per_council() {
    let world = world().await;
    let process = open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut admin = Browser::new(&world.app);
    logged_in(&world, &mut admin, TOLEDO, "jefa", "jefa@example.org", 1).await;
    world.grant("toledo", "jefa@example.org", Role::Admin).await;
    let page = admin.get(TOLEDO, "/staff/processes").await;
    let (kind, body) = multipart(&csrf_of(&page.body), PNG);
    let saved = admin
        .request(
            TOLEDO,
            Request::post(format!("/staff/processes/{process}/image"))
                .header(header::CONTENT_TYPE, kind),
            Body::from(body),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let shown = Browser::new(&world.app)
        .get(TOLEDO, "/processes/plan")
        .await;
    let start = shown.body.find("src=\"/media/").expect("the hero picture") + "src=\"".len();
    let src = &shown.body[start..start + shown.body[start..].find('"').expect("end")];
    let served = Browser::new(&world.app).get(TOLEDO, src).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(served.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        Browser::new(&world.app).get(TALAVERA, src).await.status,
        StatusCode::NOT_FOUND,
        "not on another council"
    );
    for bad in ["/media/..%2F..%2Fetc%2Fpasswd", "/media/x.svg"] {
        assert_eq!(
            Browser::new(&world.app).get(TOLEDO, bad).await.status,
            StatusCode::NOT_FOUND
        );
    }

    // A proposal's picture through the API: content checked, author only.
    let mut ana = world.citizen("ana").await;
    let id = ana.propose("plan").await;
    let answer = (ana.put_picture(&id, "image/svg+xml", "<svg onload=alert(1)></svg>")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("image_type"));
    let answer = (ana.put_picture(&id, "image/png", vec![0x89u8; 6 * 1024 * 1024])).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut bea = world.citizen("bea").await;
    let answer = bea.put_picture(&id, "image/png", PNG.to_vec()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let answer = ana.put_picture(&id, "image/png", PNG.to_vec()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let (_, read) = ana
        .call(
            TOLEDO,
            "GET",
            &format!("/api/v1/proposals/{id}"),
            serde_json::Value::Null,
        )
        .await;
    let image = read["image"].as_str().expect("image").to_owned();
    assert_eq!(
        Browser::new(&world.app)
            .get(TOLEDO, &format!("/media/{image}"))
            .await
            .status,
        StatusCode::OK
    );

    // And with the page's form.
    let page = ana.browser.get(TOLEDO, &format!("/proposals/{id}")).await;
    assert!(page.body.contains(&format!("/media/{image}")));
    let (kind, body) = multipart(&csrf_of(&page.body), PNG);
    let uploaded = ana
        .browser
        .request(
            TOLEDO,
            Request::post(format!("/proposals/{id}/image")).header(header::CONTENT_TYPE, kind),
            Body::from(body),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
}

/// A picture is written only once the engine has allowed the change that
/// names it, and served only once that change commits: uploads to someone
/// else's proposal, to a project that does not exist, to a staff form by a
/// citizen or by an anonymous visitor leave no file at all. A replaced
/// picture is removed, and each person has an hourly upload quota.
#[tokio::test]
async fn refused_uploads_leave_no_file_and_replaced_pictures_go() {
    let world = world().await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let toledo = world.council("toledo").await;
    // Served files and files written aside for a change alike.
    let root = std::env::temp_dir().join("cabildo-media");
    let folders = [
        root.join(toledo.id.0.to_string()),
        root.join("staging").join(toledo.id.0.to_string()),
    ];
    let files = || {
        (folders.iter())
            .map(|folder| std::fs::read_dir(folder).map_or(0, Iterator::count))
            .sum::<usize>()
    };
    let mut ana = world.citizen("ana").await;
    let (_, proposal) = ana
        .call(
            TOLEDO,
            "POST",
            "/api/v1/processes/plan/proposals",
            json!({"title": "Fuente", "summary": "Agua"}),
        )
        .await;
    let id = proposal["id"].as_str().expect("id").to_owned();
    let put = |csrf: String| {
        Request::put(format!("/api/v1/proposals/{id}/image"))
            .header(header::CONTENT_TYPE, "image/png")
            .header("x-csrf-token", csrf)
    };

    let mut bea = world.citizen("bea").await;
    let theirs = bea
        .browser
        .request(TOLEDO, put(bea.csrf.clone()), Body::from(PNG.to_vec()))
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);
    let page = bea.browser.get(TOLEDO, &format!("/proposals/{id}")).await;
    let csrf = csrf_of(&page.body);
    let missing = uuid::Uuid::new_v4();
    for (path, refused) in [
        (format!("/proposals/{id}/image"), StatusCode::FORBIDDEN),
        (
            format!("/budget-projects/{missing}/image"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/staff/budget-projects/{missing}/updates"),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (kind, body) = multipart(&csrf, PNG);
        let request = Request::post(&path).header(header::CONTENT_TYPE, kind);
        let answer = bea.browser.request(TOLEDO, request, Body::from(body)).await;
        assert_eq!(answer.status, refused, "{path}: {}", answer.body);
    }
    let mut anonymous = Browser::new(&world.app);
    let visit = anonymous.get(TOLEDO, "/account/login").await;
    let (kind, body) = multipart(&csrf_of(&visit.body), PNG);
    let request =
        Request::post(format!("/proposals/{id}/image")).header(header::CONTENT_TYPE, kind);
    let answer = anonymous.request(TOLEDO, request, Body::from(body)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "sent to log in");
    assert_eq!(files(), 0, "nothing refused was written, not even aside");

    for _ in 0..2 {
        let answer = ana
            .browser
            .request(TOLEDO, put(ana.csrf.clone()), Body::from(PNG.to_vec()))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(files(), 1, "the picture it replaced is gone");
    }
    // 30 pictures an hour per person (two are counted above).
    let mut last = StatusCode::OK;
    for _ in 0..29 {
        let body = Body::from(PNG.to_vec());
        last = ana
            .browser
            .request(TOLEDO, put(ana.csrf.clone()), body)
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(files(), 1);
}
