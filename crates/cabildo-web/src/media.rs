//! Pictures people and staff upload (a process's hero image, a proposal's
//! image): checked by their content (PNG, JPEG, WebP or GIF; never SVG,
//! which can carry script), at most [`MAX_IMAGE`] bytes, stored through
//! [`Storage`] under the council's id with a random name, and served at
//! `/media/{name}` on the council's own host only.

use crate::AppState;
use crate::account_pages::Context;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cabildo_tenancy::{Site, TenantId};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Largest picture accepted, in bytes.
pub const MAX_IMAGE: usize = 5 * 1024 * 1024;

/// A boxed future of a storage call.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// Where uploaded files live. The default is a local folder; object
/// storage fits behind the same two calls.
pub trait Storage: Send + Sync {
    /// Stores `bytes` as `name` for `tenant`.
    fn put<'a>(&'a self, tenant: TenantId, name: &'a str, bytes: &'a [u8])
    -> StorageFuture<'a, ()>;
    /// The file `name` of `tenant`, if there is one.
    fn get<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>>;
}

/// Files in a folder: `{root}/{council id}/{name}`.
#[derive(Clone, Debug)]
pub struct LocalFolder {
    root: PathBuf,
}

impl LocalFolder {
    /// Files under `root` (created when needed).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

impl Storage for LocalFolder {
    fn put<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
        bytes: &'a [u8],
    ) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let folder = self.root.join(tenant.0.to_string());
            tokio::fs::create_dir_all(&folder).await?;
            // Written aside, then renamed: a reader never sees half a file.
            let partial = folder.join(format!(".{name}.part"));
            tokio::fs::write(&partial, bytes).await?;
            tokio::fs::rename(&partial, folder.join(name)).await
        })
    }

    fn get<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            if !valid_name(name) {
                return Ok(None);
            }
            match tokio::fs::read(self.root.join(tenant.0.to_string()).join(name)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(error),
            }
        })
    }
}

/// The extension of a picture, from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

/// Whether `name` is one of ours: 32 hex digits and a picture extension
/// (so no path can be smuggled in).
pub fn valid_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && matches!(ext, "png" | "jpg" | "webp" | "gif")
}

/// Why a picture was refused (stable codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not PNG, JPEG, WebP or GIF.
    NotAnImage,
    /// Over [`MAX_IMAGE`].
    TooLarge,
    /// Nothing was sent.
    Missing,
}

impl Refused {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAnImage => "image_type",
            Self::TooLarge => "image_too_large",
            Self::Missing => "image_missing",
        }
    }

    /// Its explanation in `tr`'s language.
    pub(crate) fn message(self, tr: &crate::i18n::Tr) -> String {
        tr.t(&format!("refusal-{}", self.code().replace('_', "-")))
    }

    /// The status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotAnImage | Self::Missing => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// Checks and stores a picture for `tenant`; returns its name.
pub async fn store(
    state: &AppState,
    tenant: TenantId,
    bytes: &[u8],
) -> Result<Result<String, Refused>, crate::WebError> {
    if bytes.is_empty() {
        return Ok(Err(Refused::Missing));
    }
    if bytes.len() > MAX_IMAGE {
        return Ok(Err(Refused::TooLarge));
    }
    let Some(ext) = sniff(bytes) else {
        return Ok(Err(Refused::NotAnImage));
    };
    let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
    state
        .media()
        .put(tenant, &name, bytes)
        .await
        .map_err(|e| crate::WebError::Internal(Box::new(e)))?;
    Ok(Ok(name))
}

/// Stores a picture sent with a page's form → its name, or the page
/// refusing it (not a picture, too large, missing).
pub(crate) async fn page_picture(
    state: &AppState,
    ctx: &Context,
    bytes: &[u8],
) -> Result<String, Box<Response>> {
    match store(state, ctx.tenant.id, bytes).await {
        Ok(Ok(name)) => Ok(name),
        Ok(Err(refused)) => {
            let page = crate::pages::message_page(
                &ctx.tr,
                refused.status(),
                &ctx.tr.t("refusal-title"),
                &refused.message(&ctx.tr),
                true,
            );
            Err(Box::new(ctx.respond(state, page)))
        }
        Err(error) => Err(Box::new(error.into_page(&ctx.tr))),
    }
}

/// A logged-in person's picture for the item `raw` names (field `image`
/// of a page's multipart form), stored: the item's id and the picture's
/// name, or the page answering (refused form, no such item, login,
/// refused picture).
pub(crate) async fn page_upload(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    raw: &str,
) -> Result<(uuid::Uuid, String), Box<Response>> {
    let file = uploaded(state, ctx, multipart, "image").await?;
    let Some(id) = crate::participation::parse_id(raw) else {
        return Err(Box::new(crate::WebError::NotFound.into_page(&ctx.tr)));
    };
    if ctx.visitor.session.is_none() {
        return Err(Box::new(
            axum::response::Redirect::to("/account/login").into_response(),
        ));
    }
    Ok((id, page_picture(state, ctx, &file).await?))
}

/// The file in field `name` of a multipart form whose `csrf_token`
/// matches the visitor's (empty when none was sent), or the page refusing
/// the form. Used for pictures (`image`) and census files (`file`).
pub(crate) async fn uploaded(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    name: &str,
) -> Result<Bytes, Box<Response>> {
    uploaded_form(state, ctx, multipart, name)
        .await
        .map(|(_, file)| file)
}

/// Like [`uploaded`], with the form's other text fields (at most 64, each
/// cut to 100,000 characters).
pub(crate) async fn uploaded_form(
    state: &AppState,
    ctx: &Context,
    multipart: Result<Multipart, MultipartRejection>,
    name: &str,
) -> Result<(HashMap<String, String>, Bytes), Box<Response>> {
    let refuse = |status, key| Box::new(ctx.message(state, status, key));
    let Ok(mut multipart) = multipart else {
        return Err(refuse(StatusCode::BAD_REQUEST, "error-form"));
    };
    let (mut fields, mut file) = (HashMap::new(), Bytes::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name().map(str::to_owned) {
                Some(field_name) if field_name == name => match field.bytes().await {
                    Ok(bytes) => file = bytes,
                    Err(_) => return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")),
                },
                Some(field_name) if fields.len() < 64 => {
                    let text = field.text().await.unwrap_or_default();
                    fields.insert(field_name, text.chars().take(100_000).collect());
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return Err(refuse(StatusCode::BAD_REQUEST, "error-form")),
        }
    }
    let csrf = fields.get("csrf_token").map(String::as_str).unwrap_or("");
    if !ctx.visitor.csrf_matches(csrf) {
        return Err(refuse(StatusCode::FORBIDDEN, "error-csrf"));
    }
    Ok((fields, file))
}

/// `GET /media/{name}`: a picture of this council.
pub async fn serve(
    State(state): State<AppState>,
    Extension(site): Extension<Site>,
    Path(name): Path<String>,
) -> Response {
    let Site::Council(tenant) = site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !valid_name(&name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => "image/gif",
    };
    match state.media().get(tenant.id, &name).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Names are never reused: cache for a year.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(error = %error, "reading a stored picture failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_known_by_their_bytes_and_names_cannot_escape() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("jpg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff(b"GIF89a"), Some("gif"));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert!(valid_name("0123456789abcdef0123456789abcdef.png"));
        for bad in [
            "../etc/passwd",
            "0123456789abcdef0123456789abcdef.svg",
            "0123456789ABCDEF0123456789abcdef.png",
            "x.png",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
