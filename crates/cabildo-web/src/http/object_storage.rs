//! [`Storage`] on the `object_store` crate: a local folder (one node, or
//! a folder every node mounts) or an S3-compatible bucket (many nodes).
//!
//! Layout, under the folder or the bucket's prefix:
//! - `{council id}/{name}`: a council's served files (its prefix: usage,
//!   export and removal list it);
//! - `staging/{council id}/{name}`: files written for a change that has
//!   not committed yet. Promotion renames them (a copy and a delete on
//!   S3, which keeps their headers). A bucket can expire `staging/` after
//!   a day to drop what a crashed node left there.
//!
//! On S3 each object carries its content type and cache header, so a
//! signed URL serves it as the site would.

use crate::http::storage::{Storage, StorageFuture, cache_control, content_type, valid_name};
use axum::body::Bytes;
use cabildo_tenancy::TenantId;
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload};
use std::sync::Arc;
use std::time::Duration;

/// Files kept in an object store (see the module's documentation).
#[derive(Clone)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    /// Where the layout starts (a bucket's prefix; empty for a folder).
    prefix: Path,
    /// Whether objects keep a content type and cache header (a local
    /// folder cannot).
    attributes: bool,
    /// Signs links to documents, and for how long they work (S3 with
    /// signed URLs turned on).
    signer: Option<(Arc<dyn Signer>, Duration)>,
}

impl std::fmt::Debug for ObjectStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjectStorage({} {})", self.store, self.prefix)
    }
}

impl ObjectStorage {
    /// Files in the folder `root` (created when missing).
    pub fn local(root: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let root = root.as_ref();
        std::fs::create_dir_all(root)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .map_err(into_io)?
            // Promotion makes a file visible: an empty folder left by a
            // removal is no concern, so it is not pruned.
            .with_automatic_cleanup(false);
        Ok(Self {
            store: Arc::new(store),
            prefix: Path::default(),
            attributes: false,
            signer: None,
        })
    }

    /// Files in the S3 bucket of `url` (`s3://bucket` or
    /// `s3://bucket/prefix`), with the credentials, region and endpoint of
    /// the standard `AWS_*` variables (`AWS_ENDPOINT` and
    /// `AWS_ALLOW_HTTP=true` for an S3-compatible server). With `signed`,
    /// documents are served by redirecting to a URL signed for that long.
    /// `settings` override the environment's, by the variables' names in
    /// lower case (`aws_endpoint`, `aws_allow_http` …).
    pub fn s3(
        url: &str,
        signed: Option<Duration>,
        settings: &[(&str, &str)],
    ) -> Result<Self, String> {
        let (bucket, prefix) = (url.strip_prefix("s3://"))
            .map(|rest| rest.split_once('/').unwrap_or((rest, "")))
            .filter(|(bucket, _)| !bucket.is_empty())
            .ok_or_else(|| format!("{url}: expected s3://bucket or s3://bucket/prefix"))?;
        // The S3 client's TLS uses the process's rustls provider: ring, as
        // everywhere else (the binary installs it at start; tests may not).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in settings {
            let key: object_store::aws::AmazonS3ConfigKey =
                key.parse().map_err(|e| format!("{key}: {e}"))?;
            builder = builder.with_config(key, *value);
        }
        let store = builder.build().map_err(|e| format!("{url}: {e}"))?;
        let store = Arc::new(store);
        Ok(Self {
            prefix: Path::from(prefix.trim_matches('/')),
            attributes: true,
            signer: signed.map(|d| (store.clone() as Arc<dyn Signer>, d)),
            store,
        })
    }

    fn served(&self, tenant: TenantId, name: &str) -> Path {
        self.prefix.clone().join(tenant.0.to_string()).join(name)
    }

    fn staged(&self, tenant: TenantId, name: &str) -> Path {
        (self.prefix.clone().join("staging"))
            .join(tenant.0.to_string())
            .join(name)
    }
}

/// An object store's error as an I/O error of the kind its cause had (a
/// full disk stays `StorageFull`, a missing object `NotFound`).
fn into_io(error: object_store::Error) -> std::io::Error {
    let kind = match &error {
        object_store::Error::NotFound { .. } => std::io::ErrorKind::NotFound,
        _ => {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
            let mut kind = std::io::ErrorKind::Other;
            while let Some(current) = cause {
                if let Some(io) = current.downcast_ref::<std::io::Error>() {
                    kind = io.kind();
                    break;
                }
                cause = current.source();
            }
            kind
        }
    };
    std::io::Error::new(kind, error)
}

impl Storage for ObjectStorage {
    fn stage<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
        bytes: &'a [u8],
    ) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let mut attributes = Attributes::new();
            if self.attributes {
                attributes.insert(Attribute::ContentType, content_type(name).into());
                attributes.insert(Attribute::CacheControl, cache_control(name).into());
            }
            let options = PutOptions {
                attributes,
                ..PutOptions::default()
            };
            let payload = PutPayload::from(Bytes::copy_from_slice(bytes));
            (self.store)
                .put_opts(&self.staged(tenant, name), payload, options)
                .await
                .map_err(into_io)?;
            Ok(())
        })
    }

    fn promote<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let (from, to) = (self.staged(tenant, name), self.served(tenant, name));
            let Err(error) = self.store.rename(&from, &to).await else {
                return Ok(());
            };
            // On S3 a rename is a copy and a delete, and either may fail
            // for a moment: once the copy is there, the file is served and
            // a staged copy left behind is only litter; else copy once more.
            if self.store.head(&to).await.is_err() {
                tracing::warn!(%error, "serving a staged file failed; trying once more");
                self.store.copy(&from, &to).await.map_err(into_io)?;
            }
            if let Err(error) = self.store.delete(&from).await {
                tracing::warn!(%error, "a served file's staged copy was left behind");
            }
            Ok(())
        })
    }

    fn remove<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
        staged: bool,
    ) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            if !valid_name(name) {
                return Ok(());
            }
            let path = match staged {
                true => self.staged(tenant, name),
                false => self.served(tenant, name),
            };
            match self.store.delete(&path).await {
                Err(error @ object_store::Error::NotFound { .. }) => {
                    tracing::debug!(%error, "nothing to remove");
                    Ok(())
                }
                other => other.map_err(into_io),
            }
        })
    }

    fn get<'a>(&'a self, tenant: TenantId, name: &'a str) -> StorageFuture<'a, Option<Bytes>> {
        Box::pin(async move {
            if !valid_name(name) {
                return Ok(None);
            }
            match self.store.get(&self.served(tenant, name)).await {
                Ok(found) => Ok(Some(found.bytes().await.map_err(into_io)?)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(error) => Err(into_io(error)),
            }
        })
    }

    fn list(&self, tenant: TenantId) -> StorageFuture<'_, Vec<(String, u64)>> {
        Box::pin(async move {
            let prefix = self.prefix.clone().join(tenant.0.to_string());
            let listed = match self.store.list_with_delimiter(Some(&prefix)).await {
                Ok(listed) => listed,
                Err(object_store::Error::NotFound { .. }) => return Ok(Vec::new()),
                Err(error) => return Err(into_io(error)),
            };
            let mut files: Vec<(String, u64)> = (listed.objects.into_iter())
                .filter_map(|object| {
                    let name = object.location.filename()?.to_owned();
                    valid_name(&name).then_some((name, object.size))
                })
                .collect();
            files.sort();
            Ok(files)
        })
    }

    fn signed_url<'a>(
        &'a self,
        tenant: TenantId,
        name: &'a str,
    ) -> StorageFuture<'a, Option<String>> {
        Box::pin(async move {
            let Some((signer, valid_for)) = &self.signer else {
                return Ok(None);
            };
            let path = self.served(tenant, name);
            // No link to what is not there (another council's name, a
            // removed file): the site answers its own 404.
            match self.store.head(&path).await {
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                other => other.map_err(into_io)?,
            };
            let url = (signer
                .signed_url(http::Method::GET, &path, *valid_for)
                .await)
                .map_err(into_io)?;
            Ok(Some(url.to_string()))
        })
    }
}
