//! The web layer's settings, from the binary's configuration, and the
//! seams the binary fills in (the demo's mailbox, where files are kept).

use crate::http::object_storage::ObjectStorage;
use crate::http::ratelimit::RateLimits;
use crate::http::read_cache;
use crate::http::storage::Storage;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Web settings, from the binary's configuration.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Peers whose `X-Forwarded-Host` is believed (reverse proxies):
    /// addresses or ranges.
    pub trusted_proxies: Vec<crate::http::proxies::AddressRange>,
    /// Longest time a request may take before a 408/503 answer.
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The demo's captured mail, shown at `/_demo/mail`. `None` outside
    /// `cabildo demo`, and then those routes do not exist.
    pub demo_mailbox: Option<Arc<dyn DemoMailbox>>,
    /// Checks unsubscribe links; without it (no secret key configured)
    /// `/unsubscribe` answers 404.
    pub unsubscribe: Option<cabildo_notify::unsubscribe::Signer>,
    /// The deployment's secret (`CABILDO_SECRET_KEY`), from which CSRF
    /// tokens of sessions are derived; the same on every node. Without it a
    /// random one is made per process (sessions then need one node).
    pub secret_key: Option<Vec<u8>>,
    /// Whether sites are served over HTTPS: cookies are then `Secure` with
    /// the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Limits on account actions.
    pub rate_limits: RateLimits,
    /// Where uploaded pictures are kept.
    pub media: Arc<dyn Storage>,
    /// Page reads handled at once on this node, shared between councils
    /// in turn (see `http::fair_share`).
    pub read_slots: usize,
    /// How long a read waits for its turn before a 503.
    pub read_wait: Duration,
    /// Whether a council far over its share of a busy node is slowed
    /// down (see `http::pacing`). Off by default here, so that tests
    /// running many at once on a busy machine are never paced; `serve`
    /// turns it on unless `CABILDO_PACING=false`.
    pub pacing: bool,
    /// How long public pages' reads are kept (see `read_cache`); tests
    /// that move a budget's calendar in the database set it to zero.
    pub read_cache_ttl: Duration,
    /// Which council sign-ups go live without an operator's approval.
    pub signup_policy: cabildo_engine::signups::Policy,
    /// Checks councils' own domains in the DNS; without it (no resolver
    /// could be set up) the domains page only lists and removes them.
    pub domains: Option<cabildo_tenancy::domains::DomainChecker>,
    /// The Stripe account councils pay by card with (`None`: card payment
    /// is not offered; plans are put on councils by operators).
    pub stripe: Option<cabildo_billing::stripe::Stripe>,
    /// The tile server maps are drawn from (`None`: no maps; places are
    /// listed with their addresses and a link to OpenStreetMap's site).
    pub maps: Option<crate::ui::map::MapTiles>,
    /// The geocoder that places typed addresses on the map (`None`: staff
    /// type the coordinates).
    pub geocoder: Option<crate::http::geocoder::Geocoder>,
}

impl Default for WebConfig {
    #[expect(
        clippy::expect_used,
        reason = "the system's temporary folder is writable where anything runs; \
                  the binary names its own storage"
    )]
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            request_timeout: Duration::from_secs(15),
            body_limit: 64 * 1024,
            demo_mailbox: None,
            unsubscribe: None,
            secret_key: None,
            secure_cookies: false,
            rate_limits: RateLimits::default(),
            media: Arc::new(
                ObjectStorage::local(std::env::temp_dir().join("cabildo-media"))
                    .expect("the temporary folder is writable"),
            ),
            read_slots: 16,
            read_wait: Duration::from_secs(2),
            pacing: false,
            read_cache_ttl: read_cache::TTL,
            signup_policy: cabildo_engine::signups::Policy::default(),
            domains: None,
            stripe: None,
            maps: None,
            geocoder: None,
        }
    }
}

/// Where the demo's captured mail comes from.
pub trait DemoMailbox: Send + Sync {
    /// Every captured message, oldest first.
    fn messages(&self) -> Vec<DemoMail>;
}

impl std::fmt::Debug for dyn DemoMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoMailbox")
    }
}

/// One captured message.
#[derive(Clone, Debug, Serialize)]
pub struct DemoMail {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// When it arrived (RFC 3339).
    pub received_at: String,
}
