//! `cabildo tenants export SLUG FILE` and `cabildo tenants import FILE
//! [--slug NEW]`: one council in one tar archive — `council.json` (its
//! platform rows, see [`cabildo_tenancy::transfer`]), `schema.sql` (its
//! schema, from the same snapshot) and `media/` (its uploaded files, read
//! after the snapshot: their names are never reused, so a file is either
//! named by the rows or left over). The archive holds every person's data:
//! it is written readable by its owner only. Its SQL runs as the owner
//! role on import, like any dump: import only archives you exported.

use crate::config::{ExportArgs, Global, ImportArgs};
use anyhow::{Context, bail};
use cabildo_tenancy::transfer::Exported;
use cabildo_tenancy::{Slug, TenantMigrations};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// A folder for the archive's parts, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(what: &str) -> anyhow::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let dir = std::env::temp_dir().join(format!(
            "cabildo-{what}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        // A council's data: nobody else reads it while it is here.
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Self(dir))
    }
}

/// Unpacks the parts an export writes — `council.json`, `schema.sql` and
/// plain files under `media/` named as stored files are — into `into`,
/// refusing anything else (links, folders elsewhere, other names).
fn unpack(archive: &Path, into: &Path) -> anyhow::Result<()> {
    let file = File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let not_ours = || format!("{} is not an archive of a council", archive.display());
    std::fs::create_dir_all(into.join("media"))?;
    let mut entries = tar::Archive::new(BufReader::new(file));
    for entry in entries.entries().with_context(not_ours)? {
        let mut entry = entry.with_context(not_ours)?;
        let path = entry.path().with_context(not_ours)?.into_owned();
        let name = path.to_string_lossy().trim_start_matches("./").to_owned();
        if entry.header().entry_type().is_dir() {
            continue;
        }
        let stored =
            (name.strip_prefix("media/")).filter(|file| cabildo_web::valid_media_name(file));
        let allowed = matches!(name.as_str(), "council.json" | "schema.sql") || stored.is_some();
        if !allowed || !entry.header().entry_type().is_file() {
            bail!("{}: unexpected entry {name:?}", not_ours());
        }
        entry.unpack(into.join(&name)).with_context(not_ours)?;
    }
    Ok(())
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The files unpacked from an archive's `media/`.
fn unpacked(folder: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        found.push((name, entry.path()));
    }
    found.sort();
    Ok(found)
}

/// `tenants export SLUG FILE`.
pub async fn export(global: &Global, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let slug = Slug::parse(&args.slug).map_err(|e| anyhow::anyhow!("{e}"))?;
    let url = super::database_url(global)?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let tenant = tenancy.get_tenant(&slug).await?;
    let scratch = Scratch::new("export")?;
    let sql = scratch.0.join("schema.sql");
    let exported = tenancy.export(&tenant, url, &sql).await?;
    tenancy.close().await;
    let storage = args.media.storage()?;
    let media = storage.list(tenant.id).await?;
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&args.file)
            .with_context(|| format!("creating {}", args.file.display()))?
    };
    let mut archive = tar::Builder::new(BufWriter::new(file));
    let manifest = serde_json::to_vec_pretty(&exported)?;
    append(&mut archive, "council.json", &manifest)?;
    archive.append_path_with_name(&sql, "schema.sql")?;
    for (name, _) in &media {
        // A file removed since it was listed was named by no row.
        if let Some(bytes) = storage.get(tenant.id, name).await? {
            append(&mut archive, &format!("media/{name}"), &bytes)?;
        }
    }
    archive
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    println!(
        "Exported {} (schema version {}, {} files) to {} in {:.1} s.",
        exported.slug,
        exported.schema_version,
        media.len(),
        args.file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Adds `bytes` to `archive` as the file `name`.
fn append(
    archive: &mut tar::Builder<impl std::io::Write>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64);
    header.set_cksum();
    archive.append_data(&mut header, name, bytes)
}

/// `tenants import FILE [--slug NEW]`.
pub async fn import(global: &Global, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let scratch = Scratch::new("import")?;
    unpack(&args.file, &scratch.0)?;
    let manifest = std::fs::read(scratch.0.join("council.json"))
        .context("the archive has no council.json: was it written by `tenants export`?")?;
    let exported: Exported =
        serde_json::from_slice(&manifest).context("council.json is not a council's export")?;
    let sql = scratch.0.join("schema.sql");
    if !sql.is_file() {
        bail!("the archive has no schema.sql");
    }
    let wanted = args.slug.as_deref().unwrap_or(&exported.slug);
    let slug = Slug::parse(wanted).map_err(|e| anyhow::anyhow!("{e}"))?;
    // The files' storage is checked before the council is made, so a wrong
    // bucket or missing credentials do not leave it without its files.
    let storage = args.media.storage()?;
    storage
        .list(cabildo_tenancy::TenantId(uuid::Uuid::nil()))
        .await
        .context("the media storage cannot be read: check --media-dir or --media-url")?;
    let url = super::database_url(global)?;
    let tenancy = super::connect(global, Some(Duration::from_secs(global.connect_timeout))).await?;
    let imported = tenancy
        .import(&slug, &exported, &sql, url, &TenantMigrations::embedded())
        .await;
    tenancy.close().await;
    let imported = imported?;
    let media = unpacked(&scratch.0.join("media"))?;
    let id = imported.tenant.id;
    for (name, path) in &media {
        let bytes = std::fs::read(path)?;
        let copied = async {
            storage.stage(id, name, &bytes).await?;
            storage.promote(id, name).await
        };
        copied.await.with_context(|| {
            format!(
                "{} was imported as {}, but storing its file {name} failed; \
                 copy the archive's media/ into the council's folder or prefix \
                 ({}/) to finish",
                exported.slug, imported.tenant.slug, imported.tenant.id.0
            )
        })?;
    }
    println!(
        "Imported {} as {} ({} files) in {:.1} s.",
        exported.slug,
        imported.tenant.slug,
        media.len(),
        started.elapsed().as_secs_f64()
    );
    for skipped in &imported.skipped {
        println!("Left out: {skipped}");
    }
    Ok(ExitCode::SUCCESS)
}
