//! What every handler shares: the councils, the caches, the limits, the
//! configuration and the deployment's secret.

use crate::http::config::WebConfig;
use crate::http::cookies::CookieNames;
use crate::http::fair_share::FairShare;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limiter;
use crate::http::read_cache::ReadCache;
use crate::http::session_cache::SessionCache;
use crate::http::storage::Storage;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cabildo_tenancy::{Resolver, Tenancy};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::Arc;

/// How many census-sized bodies (up to 100 MB each) one node reads at once.
const LARGE_UPLOADS: usize = 2;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub(crate) tenancy: Tenancy,
    pub(crate) resolver: Resolver,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) config: Arc<WebConfig>,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) secret: Arc<[u8]>,
    pub(crate) sessions: SessionCache,
    pub(crate) reads: ReadCache,
    /// Each council's turns on this node.
    pub(crate) fair_share: Arc<FairShare>,
    /// Slows a council taking far more than its share of a busy node.
    pub(crate) pacing: Arc<crate::http::pacing::Pacing>,
    /// Bodies of many megabytes (a census) read at once on this node.
    pub(crate) large_uploads: Arc<tokio::sync::Semaphore>,
    /// The API's OpenAPI document as JSON, set once the API's routes are
    /// built (it is generated from them).
    pub(crate) api_document: Arc<std::sync::OnceLock<String>>,
}

impl AppState {
    /// The state for `config`; without a configured secret, a random one
    /// for this process.
    pub fn new(tenancy: Tenancy, resolver: Resolver, config: WebConfig) -> Self {
        let secret: Arc<[u8]> = match &config.secret_key {
            Some(key) => key.as_slice().into(),
            None => {
                tracing::warn!(
                    "no CABILDO_SECRET_KEY: CSRF tokens of sessions only hold on this process"
                );
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                key.as_slice().into()
            }
        };
        let limiter = Limiter::new(
            config.rate_limits.clone(),
            tenancy.cache().cloned(),
            tenancy.namespace(),
        );
        Self {
            fair_share: Arc::new(FairShare::new(config.read_slots, config.read_wait)),
            pacing: Arc::default(),
            sessions: SessionCache::new(tenancy.cache().cloned(), tenancy.namespace()),
            reads: ReadCache::new(
                tenancy.cache().cloned(),
                tenancy.namespace(),
                config.read_cache_ttl,
            ),
            tenancy,
            resolver,
            metrics: Arc::new(Metrics::default()),
            config: Arc::new(config),
            limiter: Arc::new(limiter),
            secret,
            large_uploads: Arc::new(tokio::sync::Semaphore::new(LARGE_UPLOADS)),
            api_document: Arc::default(),
        }
    }

    /// Where uploaded pictures are kept.
    pub(crate) fn media(&self) -> &dyn Storage {
        self.config.media.as_ref()
    }

    /// The cookie names of this deployment.
    pub(crate) fn cookie_names(&self) -> CookieNames {
        CookieNames::new(self.config.secure_cookies)
    }

    /// Sets the session cookie to `token` for the session's whole life.
    pub(crate) fn set_session_cookie(&self, headers: &mut axum::http::HeaderMap, token: &str) {
        let age = cabildo_engine::accounts::sessions::ABSOLUTE.whole_seconds();
        let (secure, name) = (self.config.secure_cookies, self.cookie_names().session);
        crate::http::cookies::append(headers, secure, name, token, Some(age));
    }

    /// The CSRF token of a session: HMAC of its stored hash under the
    /// deployment's secret.
    pub(crate) fn csrf_for_session(&self, session_id: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"csrf\0");
        mac.update(session_id);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}
