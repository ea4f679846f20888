//! Redis behind Sentinels: the cache follows a failover without a restart;
//! a subscription reports its loss.

use cabildo_devkit::{LocalRedis, LocalRedisSentinel};
use cabildo_tenancy::SharedCache;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A master, its replica and a Sentinel: values, counters and broadcasts
/// work; when the master goes down the Sentinel promotes the replica, and
/// within seconds the same cache writes there and its subscription hears
/// broadcasts again.
#[tokio::test]
async fn a_sentinel_failover_is_followed_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("cabildo-sentinel-{}", uuid::Uuid::new_v4()));
    let servers = LocalRedisSentinel::start(&dir).expect("sentinel");
    let cache = SharedCache::new(&servers.url()).expect("url");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let listener = SharedCache::new(&servers.url()).expect("url");
    let log = heard.clone();
    let channel = format!("cabildo-test-{}", uuid::Uuid::new_v4());
    let _subscription = listener.subscribe(channel.clone(), move |message| {
        log.lock().expect("log").push(message);
    });

    cache.set("greeting", "hola", Duration::from_secs(60)).await;
    assert_eq!(cache.get("greeting").await.as_deref(), Some("hola"));
    assert_eq!(
        cache
            .hit("tries", Duration::from_secs(60))
            .await
            .map(|(n, _)| n),
        Some(1)
    );
    broadcast_until_heard(&cache, &heard, &channel, "before").await;

    let (master, replica) = servers.ports();
    let _ = std::process::Command::new("redis-cli")
        .args(["-p", &master.to_string(), "shutdown", "nosave"])
        .output();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        cache
            .set("greeting", "adiós", Duration::from_secs(60))
            .await;
        if cache.get("greeting").await.as_deref() == Some("adiós") {
            break;
        }
        assert!(Instant::now() < deadline, "never wrote after the failover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let role = std::process::Command::new("redis-cli")
        .args(["-p", &replica.to_string(), "role"])
        .output()
        .expect("redis-cli");
    assert!(
        String::from_utf8_lossy(&role.stdout).starts_with("master"),
        "the replica was promoted"
    );
    broadcast_until_heard(&cache, &heard, &channel, "after").await;
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A subscription tells its listener when it is lost, not only when it is
/// back: copies made while announcements cannot arrive must be dropped
/// (and copies trusted for minutes, `Tenancy::trust_copies_for`, would
/// otherwise outlive a change announced meanwhile).
#[tokio::test]
async fn a_lost_subscription_is_reported_when_lost() {
    let dir = std::env::temp_dir().join(format!("cabildo-lost-{}", uuid::Uuid::new_v4()));
    let server = LocalRedis::start(&dir).expect("redis");
    let cache = SharedCache::new(&server.url()).expect("url");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = heard.clone();
    let channel = format!("cabildo-test-{}", uuid::Uuid::new_v4());
    let _subscription = cache.subscribe(channel.clone(), move |message| {
        log.lock().expect("log").push(message);
    });
    broadcast_until_heard(&cache, &heard, &channel, "hola").await;
    let drops = |heard: &Mutex<Vec<Option<String>>>| {
        heard
            .lock()
            .expect("log")
            .iter()
            .filter(|m| m.is_none())
            .count()
    };
    // Once when established.
    assert_eq!(drops(&heard), 1);

    server.stop().expect("stop");
    let deadline = Instant::now() + Duration::from_secs(10);
    while drops(&heard) < 2 {
        assert!(
            Instant::now() < deadline,
            "the lost subscription was never reported"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Publishes `message` until the subscriber has heard it (a subscription
/// is made asynchronously, and again after a failover).
async fn broadcast_until_heard(
    cache: &SharedCache,
    heard: &Mutex<Vec<Option<String>>>,
    channel: &str,
    message: &str,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        cache.publish(channel, message).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        if heard
            .lock()
            .expect("log")
            .iter()
            .any(|m| m.as_deref() == Some(message))
        {
            return;
        }
        assert!(Instant::now() < deadline, "{message:?} never heard");
    }
}
