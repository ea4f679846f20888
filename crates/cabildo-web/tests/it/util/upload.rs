//! Bodies of file uploads, as a browser sends them.

use crate::util::{Browser, TOLEDO, csrf_of};
use axum::body::Body;
use axum::http::{Request, header};

/// A 1×1 PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// A multipart body of text `fields` and one file (`field`, bytes).
pub fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "cabildoBoundary7";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts `fields` and `file` to `action` on Toledo, with the CSRF token
/// of `page`.
pub async fn upload(
    browser: &mut Browser,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> crate::util::Answer {
    let form = browser.get(TOLEDO, page).await;
    let csrf = csrf_of(&form.body);
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend_from_slice(fields);
    let (kind, body) = multipart(&all, file);
    browser
        .request(
            TOLEDO,
            Request::post(action).header(header::CONTENT_TYPE, kind),
            Body::from(body),
        )
        .await
}
