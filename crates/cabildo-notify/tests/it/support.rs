//! Shared by the tests: waiting for an outcome, and mail set-up.

use cabildo_notify::{MailConfig, Mailer, SiteUrl};
use std::time::{Duration, Instant};

/// Polls `done` until it holds, failing after 30 s.
pub async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A mailer to `smtp_url` sending as `from`.
pub fn mailer(smtp_url: &str, from: &str) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_url: smtp_url.into(),
        from: from.into(),
        timeout: Duration::from_secs(5),
        connections: 16,
    })
    .expect("mailer")
}

/// Council sites at `https://{slug}.cabildo.test`.
pub fn site() -> SiteUrl {
    SiteUrl {
        scheme: "https".into(),
        base_domain: "cabildo.test".into(),
        port: None,
    }
}
