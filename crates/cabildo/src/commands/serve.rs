//! `cabildo serve`.

use crate::config::{Global, ServeArgs};
use anyhow::{Context, bail};
use cabildo_tenancy::{Resolver, ResolverConfig, Tenancy};
use cabildo_web::WebConfig;
use std::net::SocketAddr;
use std::process::ExitCode;

/// Serves until a shutdown signal, retrying the database at start for as
/// long as it takes.
pub async fn run(global: &Global, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let tenancy = super::connect(global, None).await?;
    let expected = cabildo_tenancy::platform_migrator()
        .iter()
        .map(|m| m.version)
        .max();
    match tenancy.platform_version().await? {
        None => bail!("the database has no platform schema yet: run `cabildo migrate` first"),
        Some(version) if Some(version) < expected => tracing::warn!(
            platform.version = version,
            platform.expected = expected,
            "the platform schema is behind this binary; run `cabildo migrate`"
        ),
        Some(_) => {}
    }
    let config = WebConfig {
        trusted_proxies: args.trusted_proxies,
        unsubscribe: super::signer(global.secret_key.as_deref())?,
        secret_key: global.secret_key.as_ref().map(|k| k.as_bytes().to_vec()),
        secure_cookies: global.site_scheme == "https",
        rate_limits: args.rate_limits,
        media: std::sync::Arc::new(cabildo_web::LocalFolder::new(&args.media_dir)),
        ..WebConfig::default()
    };
    serve(
        &tenancy,
        &global.base_domain,
        args.listen,
        config,
        super::shutdown_signal(),
    )
    .await?;
    tenancy.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Binds `listen` and serves the sites until `shutdown` resolves, then
/// finishes in-flight requests.
pub async fn serve(
    tenancy: &Tenancy,
    base_domain: &str,
    listen: SocketAddr,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new(base_domain));
    let app = cabildo_web::router(tenancy.clone(), resolver, config);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    tracing::info!(listen = %listen, base_domain, "serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")
}
