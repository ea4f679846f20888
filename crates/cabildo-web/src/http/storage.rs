//! Pictures people and staff upload (a process's hero image, a proposal's
//! picture, a budget project's photo): checked by their content (PNG,
//! JPEG, WebP or GIF; never SVG, which can carry script), at most
//! [`MAX_IMAGE`] bytes, and kept through [`Storage`] under the council's
//! id with a random name: [`Picture::check`] before anything is written,
//! then [`Staged`] inside the change that names it, served only once that
//! change commits. Where they live: [`crate::http::object_storage`] (a
//! local folder by default, S3-compatible object storage for many nodes).
//! Names are ours (random, checked on the way in and out), so no path can
//! be smuggled in.

use axum::body::Bytes;
use axum::http::StatusCode;
use cabildo_tenancy::TenantId;
use cabildo_tenancy::entitlements::Need;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future of a storage call.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = std::io::Result<T>> + Send + 'a>>;

/// Where uploaded files live. A file is written aside first
/// ([`Storage::stage`]) and served only once the change that names it has
/// committed ([`Storage::promote`]); a change that fails discards it.
pub trait Storage: Send + Sync {
    /// Writes `bytes` aside as `name` for `tenant` (not served yet).
    fn stage<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
        bytes: &'a [u8],
    ) -> StorageFuture<'a, ()>;
    /// Serves the staged `name` (atomically: a reader never sees half a file).
    fn promote<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, ()>;
    /// Removes `name`: the staged copy when `staged`, else the served file
    /// (nothing when there is none).
    fn remove<'a>(&'a self, tenant: TenantId, name: &'a str, staged: bool)
    -> StorageFuture<'a, ()>;
    /// The file `name` of `tenant`, if there is one.
    fn get<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, Option<Bytes>>;
    /// `tenant`'s served files: names and sizes, by name.
    fn list(&self, tenant: TenantId) -> StorageFuture<'_, Vec<(String, u64)>>;
    /// A link that serves `name` straight from the store for a while, when
    /// the store signs links and has the file (else the site serves it, or
    /// answers that there is none).
    fn signed_url<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
    ) -> StorageFuture<'a, Option<String>>;
    /// Bytes `tenant`'s served files take (for its plan's storage limit).
    fn usage(&self, tenant: TenantId) -> StorageFuture<'_, u64> {
        Box::pin(async move {
            let files = self.list(tenant).await?;
            Ok(files.iter().map(|(_, size)| size).sum())
        })
    }
}

impl std::fmt::Debug for dyn Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Storage")
    }
}

/// Whether `name` is one of ours: 32 hex digits and a picture's or a
/// document's extension.
pub fn valid_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && matches!(ext, "png" | "jpg" | "webp" | "gif" | "pdf")
}

/// The content type a stored file is served with, by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("webp") => "image/webp",
        // Only staff upload documents (an assembly's): shown inline.
        Some("pdf") => "application/pdf",
        _ => "image/gif",
    }
}

/// How long a stored file may be cached. Names are never reused, so
/// pictures are kept for a year; a document removed (for privacy, say)
/// should not live on in caches that long.
pub fn cache_control(name: &str) -> &'static str {
    match name.ends_with(".pdf") {
        true => "public, max-age=3600",
        false => "public, max-age=31536000, immutable",
    }
}

/// Largest picture accepted, in bytes.
pub const MAX_IMAGE: usize = 5 * 1024 * 1024;

/// Largest document (PDF) accepted, in bytes: a scanned set of minutes.
pub const MAX_DOCUMENT: usize = 10 * 1024 * 1024;

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

/// Width and height in pixels, read from a picture's header (PNG, GIF,
/// JPEG, WebP); `None` when the header cannot be read.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |at: usize| {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    let le16 = |at: usize| {
        Some(u32::from(u16::from_le_bytes([
            *bytes.get(at)?,
            *bytes.get(at + 1)?,
        ])))
    };
    let be32 = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le24 = |at: usize| {
        let b = bytes.get(at..at + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    match sniff(bytes)? {
        "png" => (bytes.get(12..16)? == b"IHDR").then_some(())?,
        "gif" => return Some((le16(6)?, le16(8)?)),
        "webp" => {
            return match bytes.get(12..16)? {
                // Lossy: the frame's start code, then 14-bit sizes.
                b"VP8 " if bytes.get(23..26)? == [0x9d, 0x01, 0x2a] => {
                    Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff))
                }
                // Lossless: a signature byte, then 14 bits each, minus one.
                b"VP8L" if *bytes.get(20)? == 0x2f => {
                    let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                    Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
                }
                // Extended: 24-bit sizes, minus one.
                b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
                _ => None,
            };
        }
        _ => return jpeg_dimensions(bytes, be16),
    }
    Some((be32(16)?, be32(20)?))
}

/// The size in a JPEG's start-of-frame segment, walking the segments.
fn jpeg_dimensions(bytes: &[u8], be16: impl Fn(usize) -> Option<u32>) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Fill bytes, and markers without a length.
            0xff => at += 1,
            0x01 | 0xd0..=0xd8 => at += 2,
            // Start of frame (baseline, progressive …; not DHT, JPG, DAC).
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                return Some((be16(at + 7)?, be16(at + 5)?));
            }
            _ => at += 2 + usize::try_from(be16(at + 2)?).ok()?,
        }
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
    /// An icon that is not square (or nearly).
    NotSquare,
    /// An icon under [`MIN_ICON`] pixels a side.
    TooSmall,
    /// A document that is not a PDF.
    NotAPdf,
    /// A document over [`MAX_DOCUMENT`].
    DocumentTooLarge,
    /// The storage has no room left (a full disk, a disk quota): nothing
    /// was kept, and operators are alerted by the error logged.
    StorageFull,
}

/// Smallest icon accepted, in pixels a side (browsers' tabs need 32 on
/// screens with twice the density).
pub const MIN_ICON: u32 = 32;

impl Refused {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotAnImage => "image_type",
            Self::TooLarge => "image_too_large",
            Self::Missing => "image_missing",
            Self::NotSquare => "icon_not_square",
            Self::TooSmall => "icon_too_small",
            Self::NotAPdf => "document_type",
            Self::DocumentTooLarge => "document_too_large",
            Self::StorageFull => "storage_full",
        }
    }

    /// The status it is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotAnImage | Self::Missing | Self::NotSquare | Self::TooSmall | Self::NotAPdf => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::TooLarge | Self::DocumentTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        }
    }
}

/// Why a picture was not kept.
#[derive(Debug)]
pub enum PictureError {
    /// Too many pictures from this person or council lately: wait this
    /// many seconds.
    RateLimited(u64),
    /// The council's plan allows no more storage.
    Plan(Need),
    /// The storage failed.
    Failed(std::io::Error),
}

/// Bytes in a megabyte of a plan's `storage_mb`.
pub const MEGABYTE: u64 = 1_000_000;

/// A picture (or a staff document) checked by its bytes (type and size)
/// and named, not yet written anywhere: nothing touches storage before
/// the change that names it is allowed.
pub struct Picture {
    bytes: Bytes,
    name: String,
}

impl Picture {
    /// `bytes` if they are a picture we take.
    pub fn check(bytes: Bytes) -> Result<Self, Refused> {
        if bytes.is_empty() {
            return Err(Refused::Missing);
        }
        if bytes.len() > MAX_IMAGE {
            return Err(Refused::TooLarge);
        }
        let ext = sniff(&bytes).ok_or(Refused::NotAnImage)?;
        let name = format!("{}.{ext}", uuid::Uuid::new_v4().simple());
        Ok(Self { bytes, name })
    }

    /// `bytes` if they are a PDF document we take (staff attach these to
    /// assemblies; people cannot upload documents).
    pub fn check_pdf(bytes: Bytes) -> Result<Self, Refused> {
        if bytes.is_empty() {
            return Err(Refused::Missing);
        }
        if bytes.len() > MAX_DOCUMENT {
            return Err(Refused::DocumentTooLarge);
        }
        if !bytes.starts_with(b"%PDF-") {
            return Err(Refused::NotAPdf);
        }
        let name = format!("{}.pdf", uuid::Uuid::new_v4().simple());
        Ok(Self { bytes, name })
    }

    /// `bytes` if they are a picture that can be a site's icon: square
    /// within a tenth, at least [`MIN_ICON`] pixels a side.
    pub fn check_icon(bytes: Bytes) -> Result<Self, Refused> {
        let picture = Self::check(bytes)?;
        let (width, height) = dimensions(&picture.bytes).ok_or(Refused::NotAnImage)?;
        if width.min(height) < MIN_ICON {
            return Err(Refused::TooSmall);
        }
        if width.abs_diff(height) * 10 > width.max(height) {
            return Err(Refused::NotSquare);
        }
        Ok(picture)
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Its name in storage (served at `/media/{name}`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A picture written aside during a change: [`Staged::keep`] serves it
/// once the change has committed. Dropped without that (the change was
/// refused or did not commit), it is removed.
pub struct Staged {
    media: Arc<dyn Storage>,
    tenant: TenantId,
    name: String,
    kept: bool,
}

impl Staged {
    /// Writes `picture` aside for `tenant`.
    pub async fn new(
        media: Arc<dyn Storage>,
        tenant: TenantId,
        picture: &Picture,
    ) -> Result<Self, PictureError> {
        media
            .stage(tenant, &picture.name, &picture.bytes)
            .await
            .map_err(PictureError::Failed)?;
        Ok(Self {
            media,
            tenant,
            name: picture.name.clone(),
            kept: false,
        })
    }

    /// Serves it (call once its change has committed), and removes the
    /// picture it `replaced`, which nothing names any more.
    pub async fn keep(mut self, replaced: Option<String>) -> Result<(), PictureError> {
        let (tenant, media) = (self.tenant, self.media.clone());
        // The change that names it has committed: whatever happens now,
        // the staged copy is not removed (it may be the only one).
        self.kept = true;
        if let Err(error) = media.promote(tenant, &self.name).await {
            tracing::error!(%error, file = %self.name, "a saved change's file stays staged: it could not be served");
            return Err(PictureError::Failed(error));
        }
        if let Some(old) = replaced
            && let Err(error) = media.remove(tenant, &old, false).await
        {
            tracing::warn!(%error, "a replaced picture could not be removed");
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let (media, tenant, name) = (self.media.clone(), self.tenant, self.name.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = media.remove(tenant, &name, true).await {
                    tracing::warn!(%error, "a staged picture could not be removed");
                }
            });
        }
    }
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
            "0123456789abcdef0123456789abcdef.html",
            "0123456789ABCDEF0123456789abcdef.png",
            "x.png",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    /// A PNG's signature and header chunk for a `width`×`height` picture.
    pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes
    }

    #[test]
    fn sizes_are_read_from_each_kind_of_header() {
        assert_eq!(dimensions(&png_header(512, 300)), Some((512, 300)));
        assert_eq!(dimensions(b"GIF89a\x40\x00\x20\x00rest"), Some((64, 32)));
        // JPEG: an APP0 segment to skip, then a baseline frame 48 high, 96 wide.
        let jpeg = b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\x30\x00\x60\x03";
        assert_eq!(dimensions(jpeg), Some((96, 48)));
        // …and a progressive one after a Huffman table (which is no frame).
        let progressive = b"\xff\xd8\xff\xc4\x00\x03x\xff\xc2\x00\x11\x08\x01\x00\x02\x00\x03";
        assert_eq!(dimensions(progressive), Some((512, 256)));
        let mut vp8x = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        vp8x.extend([0xff, 0x01, 0x00, 0x7f, 0x00, 0x00]);
        assert_eq!(dimensions(&vp8x), Some((512, 128)));
        let mut vp8l = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        // 64×32: width-1 = 63 in 14 bits, height-1 = 31 in the next 14.
        vp8l.extend((63u32 | 31 << 14).to_le_bytes());
        assert_eq!(dimensions(&vp8l), Some((64, 32)));
        let mut vp8 = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        vp8.extend([0x40, 0x00, 0x40, 0x00]);
        assert_eq!(dimensions(&vp8), Some((64, 64)));
        for truncated in [
            &b"\x89PNG\r\n\x1a\n"[..],
            b"\xff\xd8\xff\xe0\x00\x10",
            b"GIF89a\x01",
        ] {
            assert_eq!(dimensions(truncated), None);
        }
    }

    #[test]
    fn documents_are_pdfs_within_the_limit() {
        let pdf = Picture::check_pdf(Bytes::from_static(b"%PDF-1.7\n%rest")).expect("pdf");
        assert!(pdf.name().ends_with(".pdf") && valid_name(pdf.name()));
        assert_eq!(
            Picture::check_pdf(Bytes::from_static(b"<html>")).map(|_| ()),
            Err(Refused::NotAPdf)
        );
        let huge = Bytes::from([b"%PDF-".as_slice(), &vec![0; MAX_DOCUMENT]].concat());
        assert_eq!(
            Picture::check_pdf(huge).map(|_| ()),
            Err(Refused::DocumentTooLarge)
        );
    }

    #[test]
    fn icons_are_square_and_large_enough() {
        let icon = |w, h| Picture::check_icon(Bytes::from(png_header(w, h))).map(|_| ());
        assert_eq!(icon(512, 512), Ok(()));
        assert_eq!(icon(100, 95), Ok(()));
        assert_eq!(icon(512, 256), Err(Refused::NotSquare));
        assert_eq!(icon(16, 16), Err(Refused::TooSmall));
        assert_eq!(
            Picture::check_icon(Bytes::from_static(b"GIF89a")).map(|_| ()),
            Err(Refused::NotAnImage)
        );
    }
}
