//! Where uploads live: an S3-compatible bucket (moto's server, real S3
//! requests over HTTP) with each council under its own prefix, headers on
//! the objects and documents served through signed links; and a local
//! folder whose disk fills up, refusing the upload with a clear error and
//! leaving nothing half-written.

use crate::places::{PDF, new_assembly};
use crate::util::{
    Browser, OPEN_RULES, PNG, TALAVERA, TOLEDO, csrf_of, open_process, upload, world_with,
};
use axum::http::{StatusCode, header};
use cabildo_devkit::s3::LocalS3;
use cabildo_engine::staff::Role;
use cabildo_tenancy::Slug;
use cabildo_web::{ObjectStorage, Storage, WebConfig};
use object_store::{Attribute, ObjectStoreExt};
use std::sync::Arc;
use std::time::Duration;

const BUCKET: &str = "cabildo-media";

/// The keys the bucket holds under `prefix`.
fn keys(s3: &LocalS3, prefix: &str) -> Vec<String> {
    let (status, answer) =
        (s3.request("GET", &format!("/{BUCKET}?list-type=2&prefix={prefix}"))).expect("listing");
    assert_eq!(status, 200, "{answer}");
    answer
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .map(str::to_owned)
        .collect()
}

/// A header of a raw answer (`name: value` lines).
fn header_of<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn uploads_live_in_an_s3_bucket_under_each_councils_prefix() {
    let s3 = LocalS3::start().expect("moto_server");
    s3.create_bucket(BUCKET).expect("bucket");
    let endpoint = s3.endpoint();
    let settings = [
        ("aws_endpoint", endpoint.as_str()),
        ("aws_allow_http", "true"),
        ("aws_access_key_id", "cabildo"),
        ("aws_secret_access_key", "cabildo-secret"),
        ("aws_region", "eu-south-2"),
    ];
    let storage = ObjectStorage::s3(
        &format!("s3://{BUCKET}/sites"),
        Some(Duration::from_secs(600)),
        &settings,
    )
    .expect("storage");
    let media: Arc<dyn Storage> = Arc::new(storage);
    let world = world_with(WebConfig {
        media: media.clone(),
        ..WebConfig::default()
    })
    .await;
    let toledo = (world.tenancy)
        .get_tenant(&Slug::parse("toledo").expect("slug"))
        .await
        .expect("toledo")
        .id;

    // A proposal's picture, through the API.
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let id = ana.propose("plan").await;
    let answer = ana.put_picture(&id, "image/png", PNG.to_vec()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let picture = (answer.body.split("\"image\":\"/media/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the picture's name")
        .to_owned();

    // It is in the bucket under Toledo's prefix, with its headers, and
    // nothing is left in staging.
    let key = format!("sites/{}/{picture}", toledo.0);
    assert_eq!(
        keys(&s3, &format!("sites/{}/", toledo.0)),
        std::slice::from_ref(&key)
    );
    assert!(keys(&s3, "sites/staging/").is_empty());
    let client = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(BUCKET)
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_access_key_id("cabildo")
        .with_secret_access_key("cabildo-secret")
        .with_region("eu-south-2")
        .build()
        .expect("client");
    let object = (client.get(&object_store::path::Path::from(key.as_str())))
        .await
        .expect("the object");
    let attribute = |name| object.attributes.get(&name).map(|v| v.as_ref().to_owned());
    assert_eq!(
        attribute(Attribute::ContentType).as_deref(),
        Some("image/png")
    );
    assert_eq!(
        attribute(Attribute::CacheControl).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    // Anonymous readers get nothing: the bucket is private.
    let (status, _) = s3.request("GET", &format!("/{BUCKET}/{key}")).expect("get");
    assert_eq!(status, 403);

    // The site serves pictures itself (its pages load images from it
    // only), on Toledo's host and no other.
    let mut visitor = Browser::new(&world.app);
    let served = visitor.get(TOLEDO, &format!("/media/{picture}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(served.bytes, PNG);
    let elsewhere = visitor.get(TALAVERA, &format!("/media/{picture}")).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    // A document is served by a link the bucket signs: it redirects to
    // Toledo's object, which comes with its own type.
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let (staff_page, _) = new_assembly(&mut jefa.browser).await;
    let added = upload(
        &mut jefa.browser,
        &staff_page,
        &format!("{staff_page}/documents"),
        &[("title", "Reglamento")],
        ("file", PDF),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let document = (added.body.split("href=\"/media/").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the document listed")
        .to_owned();
    let redirect = visitor.get(TOLEDO, &format!("/media/{document}")).await;
    assert_eq!(redirect.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(redirect.headers[header::CACHE_CONTROL], "no-store");
    let location = redirect.headers[header::LOCATION]
        .to_str()
        .expect("location");
    let signed_path = format!("/{BUCKET}/sites/{}/{document}?", toledo.0);
    assert!(
        location.starts_with(&format!("{endpoint}{signed_path}"))
            && location.contains("X-Amz-Signature=")
            && location.contains("X-Amz-Expires=600"),
        "{location}"
    );
    let (status, raw) = (s3.request("GET", &location[endpoint.len()..])).expect("signed get");
    assert_eq!(status, 200);
    assert_eq!(header_of(&raw, "content-type"), Some("application/pdf"));
    assert!(raw.ends_with(std::str::from_utf8(PDF).expect("text")));
    assert_eq!(
        visitor
            .get(TALAVERA, &format!("/media/{document}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The plan's storage counts what the bucket holds for Toledo only.
    let used = media.usage(toledo).await.expect("usage");
    assert_eq!(used, (PNG.len() + PDF.len()) as u64);

    // Removing the document deletes its object.
    let staff_view = jefa.browser.get(TOLEDO, &staff_page).await;
    let row = (staff_view.body.split("/documents/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("a remove form")
        .to_owned();
    let removed = (jefa.browser)
        .post(
            TOLEDO,
            &format!("{staff_page}/documents/{row}/remove"),
            &[("csrf_token", &csrf_of(&staff_view.body))],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(keys(&s3, &format!("sites/{}/", toledo.0)), [key]);
}

/// A tmpfs of `size` mounted at a folder of its own, unmounted when
/// dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// `None` where mounting is not allowed (not root), outside CI.
    fn mount(size: &str) -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("cabildo-full-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("folder");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|status| status.success());
        if !mounted {
            let _ = std::fs::remove_dir(&dir);
            // CI runs as root: there the drill must run.
            assert!(
                std::env::var_os("CI").is_none(),
                "mounting a tmpfs failed: the disk-full drill needs root"
            );
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Self(dir))
    }

    /// Every file under the disk, relative to it.
    fn files(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, root: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("read") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else {
                    let relative = path.strip_prefix(root).expect("under the root");
                    found.push(relative.display().to_string());
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.0, &self.0, &mut found);
        found.sort();
        found
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_clearly_and_keeps_nothing_half_written() {
    let Some(disk) = SmallDisk::mount("1m") else {
        return;
    };
    let media = ObjectStorage::local(&disk.0).expect("storage");
    let world = world_with(WebConfig {
        media: Arc::new(media),
        ..WebConfig::default()
    })
    .await;
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = world.citizen("ana").await;
    let id = ana.propose("plan").await;
    // Fill the disk, leaving about 100 kB, and send a 400 kB picture.
    std::fs::write(disk.0.join("filler"), vec![0u8; 900 * 1024]).expect("filler");
    let mut big = PNG.to_vec();
    big.resize(400 * 1024, 0);
    let refused = ana.put_picture(&id, "image/png", big.clone()).await;
    assert_eq!(
        refused.status,
        StatusCode::INSUFFICIENT_STORAGE,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("\"storage_full\""),
        "{}",
        refused.body
    );
    // Nothing was half-written, and the proposal has no picture.
    assert_eq!(disk.files(), ["filler"]);
    let (_, read) = ana
        .call(
            TOLEDO,
            "GET",
            &format!("/api/v1/proposals/{id}"),
            serde_json::Value::Null,
        )
        .await;
    assert!(read["image"].is_null(), "{read}");

    // A page's form says so in words.
    let mut jefa = world.citizen("jefa").staff(Role::Admin).await;
    let (staff_page, _) = new_assembly(&mut jefa.browser).await;
    let mut pdf = PDF.to_vec();
    pdf.resize(400 * 1024, b' ');
    let page = upload(
        &mut jefa.browser,
        &staff_page,
        &format!("{staff_page}/documents"),
        &[("title", "Reglamento")],
        ("file", &pdf),
    )
    .await;
    assert_eq!(page.status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(
        page.body.contains("no queda espacio para guardar archivos"),
        "{}",
        page.body
    );
    assert_eq!(disk.files(), ["filler"]);

    // Room again: the same picture is kept.
    std::fs::remove_file(disk.0.join("filler")).expect("room");
    let kept = ana.put_picture(&id, "image/png", big).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(disk.files().len(), 1, "{:?}", disk.files());
}
