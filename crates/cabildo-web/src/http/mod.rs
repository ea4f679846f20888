//! The HTTP layer under every page and API call: the shared state and
//! configuration, site resolution, cookies and the visitor, errors and
//! how they are answered, extractors, rate limits and caches. It imports
//! only [`crate::ui`].

pub mod api;
pub mod config;
pub mod cookies;
pub mod council;
pub mod download;
pub mod error;
pub mod extract;
pub mod fair_share;
pub mod geocoder;
pub mod hygiene;
pub mod metrics;
pub mod object_storage;
pub mod pacing;
pub mod proxies;
pub mod query;
pub mod ratelimit;
pub mod read_cache;
pub mod session_cache;
pub mod site;
pub mod state;
pub mod storage;
pub mod visitor;
