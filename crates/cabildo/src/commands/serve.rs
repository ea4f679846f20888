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
    super::warn_if_privileged(&tenancy).await?;
    let config = WebConfig {
        trusted_proxies: args.trusted_proxies,
        unsubscribe: super::signer(global.secret_key.as_deref())?,
        secret_key: global.secret_key.as_ref().map(|k| k.as_bytes().to_vec()),
        secure_cookies: global.site_scheme == "https",
        rate_limits: args.rate_limits,
        signup_policy: cabildo_engine::signups::Policy::parse(&args.signup_domains),
        media: args.media.storage()?,
        read_slots: match args.read_slots {
            0 => usize::try_from(global.db_pool_size).unwrap_or(16),
            n => n,
        },
        read_wait: std::time::Duration::from_secs(args.read_wait_seconds),
        pacing: args.pacing,
        read_cache_ttl: std::time::Duration::from_millis(args.read_cache_ms),
        domains: domain_checker(
            args.dns_server,
            args.domain_target.as_deref().unwrap_or(&global.base_domain),
        ),
        stripe: args.stripe.stripe()?,
        maps: args.maps.tiles()?,
        geocoder: args.maps.geocoder()?,
        ..WebConfig::default()
    };
    let listen = Listen {
        sites: args.listen,
        operators: args.ops_listen,
    };
    serve(
        &tenancy,
        &global.base_domain,
        listen,
        config,
        super::shutdown_signal(),
    )
    .await?;
    tenancy.close().await;
    Ok(ExitCode::SUCCESS)
}

/// What checks councils' own domains: `server`, or the system's name
/// servers; `None` (logged) when no resolver can be set up.
pub fn domain_checker(
    server: Option<std::net::SocketAddr>,
    target: &str,
) -> Option<cabildo_tenancy::domains::DomainChecker> {
    let config = cabildo_tenancy::domains::DnsConfig {
        server,
        target: target.to_owned(),
        timeout: std::time::Duration::from_secs(3),
    };
    match cabildo_tenancy::domains::DomainChecker::new(&config) {
        Ok(checker) => Some(checker),
        Err(error) => {
            tracing::warn!(error = %error, "no DNS resolver: councils' own domains cannot be checked");
            None
        }
    }
}

/// Where to listen.
pub struct Listen {
    /// The sites.
    pub sites: SocketAddr,
    /// The operators' routes, when they have their own address.
    pub operators: Option<SocketAddr>,
}

/// Binds the addresses of `listen` and serves until `shutdown` resolves,
/// then finishes in-flight requests.
pub async fn serve(
    tenancy: &Tenancy,
    base_domain: &str,
    listen: Listen,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let resolver = Resolver::new(tenancy.clone(), ResolverConfig::new(base_domain));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let (sites, operators) = match listen.operators {
        Some(address) => {
            let (sites, operators) = cabildo_web::routers(tenancy.clone(), resolver, config);
            (sites, Some((address, operators)))
        }
        None => (cabildo_web::router(tenancy.clone(), resolver, config), None),
    };
    let operators = operators
        .map(|(address, router)| tokio::spawn(listen_on(address, router, stopped.clone())));
    tracing::info!(listen = %listen.sites, base_domain, "serving");
    let served = listen_on(listen.sites, sites, stopped).await;
    if let Some(operators) = operators {
        operators.await.context("the operators' listener")??;
    }
    served
}

/// Serves `router` on `address` until `stopped` turns true.
async fn listen_on(
    address: SocketAddr,
    router: axum::Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    })
    .await
    .with_context(|| format!("serving HTTP on {address}"))
}
