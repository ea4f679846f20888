//! Pictures people and staff upload (a process's hero image, a proposal's
//! picture, a budget project's photo): checked by their content (PNG,
//! JPEG, WebP or GIF; never SVG, which can carry script), at most
//! [`MAX_IMAGE`] bytes, and kept through [`Storage`] under the council's
//! id with a random name. Where they live: a local folder by default;
//! object storage fits behind the same two calls. Names are ours (random,
//! checked on the way in and out), so no path can be smuggled in.

use axum::http::StatusCode;
use cabildo_tenancy::TenantId;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// A boxed future of a storage call.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// Where uploaded files live.
pub trait Storage: Send + Sync {
    /// Stores `bytes` as `name` for `tenant`.
    fn put<'a>(&'a self, tenant: TenantId, name: &'a str, bytes: &'a [u8])
    -> StorageFuture<'a, ()>;
    /// The file `name` of `tenant`, if there is one.
    fn get<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, Option<Vec<u8>>>;
}

impl std::fmt::Debug for dyn Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Storage")
    }
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

/// Whether `name` is one of ours: 32 hex digits and a picture extension.
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

/// Largest picture accepted, in bytes.
pub const MAX_IMAGE: usize = 5 * 1024 * 1024;

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

    /// The status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotAnImage | Self::Missing => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// Why a picture was not kept.
#[derive(Debug)]
pub enum PictureError {
    /// It is not one we take.
    Refused(Refused),
    /// The storage failed.
    Failed(std::io::Error),
}

/// Checks and stores a picture for `tenant`; returns its name.
pub async fn store(
    media: &dyn Storage,
    tenant: TenantId,
    bytes: &[u8],
) -> Result<String, PictureError> {
    if bytes.is_empty() {
        return Err(PictureError::Refused(Refused::Missing));
    }
    if bytes.len() > MAX_IMAGE {
        return Err(PictureError::Refused(Refused::TooLarge));
    }
    let Some(ext) = sniff(bytes) else {
        return Err(PictureError::Refused(Refused::NotAnImage));
    };
    let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
    media
        .put(tenant, &name, bytes)
        .await
        .map_err(PictureError::Failed)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_known_by_their_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), Some("jpg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff(b"GIF89a"), Some("gif"));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
    }

    #[test]
    fn names_cannot_escape() {
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
