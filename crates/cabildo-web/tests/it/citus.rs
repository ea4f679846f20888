//! A platform on Citus: a council moves to another worker while its site
//! runs. Runs where the run's PostgreSQL is a Citus coordinator
//! (`scripts/test-citus`); on a single PostgreSQL there is nothing to move
//! and the test checks that `tenants nodes` says so.

use crate::util::{OPEN_RULES, Person, TOLEDO, get, open_process, world};
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_council_moves_to_another_worker_while_its_pages_are_served() {
    let world = world().await;
    if !world.tenancy.is_citus() {
        let refused = world.tenancy.nodes().await.expect_err("not Citus");
        assert!(
            refused.to_string().contains("not a Citus coordinator"),
            "{refused}"
        );
        return;
    }
    open_process(&world, "toledo", "plan", OPEN_RULES, 1).await;
    let mut ana = Person::new(&world, TOLEDO, "ana").await;
    let before = ana.propose("plan").await;
    let toledo = world.council("toledo").await;
    let from = world
        .tenancy
        .node_of(&toledo)
        .await
        .expect("node")
        .expect("distributed");
    let to = world
        .tenancy
        .nodes()
        .await
        .expect("nodes")
        .into_iter()
        .find(|node| node.id != from)
        .expect("another worker")
        .id;

    // Someone reads the process page throughout the move.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (app, stop) = (world.app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut pages = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let page = get(&app, TOLEDO, "/processes/plan").await;
                pages.push((page.status, started.elapsed()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            pages
        })
    };
    let mover = {
        let (tenancy, toledo) = (world.tenancy.clone(), toledo.clone());
        tokio::spawn(async move { tenancy.move_council(&toledo, to).await })
    };
    // A proposal sent during the move waits for it, then lands.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let during = ana.propose("plan").await;
    let moved_from = mover.await.expect("join").expect("move");
    stop.store(true, Ordering::Relaxed);
    let pages = reader.await.expect("reader");

    assert_eq!(moved_from, from);
    assert_eq!(
        world.tenancy.node_of(&toledo).await.expect("node"),
        Some(to)
    );
    assert!(
        pages.len() >= 5,
        "only {} reads during the move",
        pages.len()
    );
    assert!(
        pages.iter().all(|(status, _)| *status == StatusCode::OK),
        "{pages:?}"
    );
    for id in [&before, &during] {
        let page = get(&world.app, TOLEDO, &format!("/api/v1/proposals/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{id}: {}", page.body);
    }
    // On its new worker too, another council cannot name its schema.
    let talavera = world.council("talavera").await;
    let mut tx = world.tenancy.begin(&talavera).await.expect("begin");
    let refused = sqlx::query("SELECT count(*) FROM t_toledo.proposals")
        .fetch_one(tx.conn())
        .await
        .expect_err("another council's schema");
    assert!(
        refused.to_string().contains("permission denied"),
        "{refused}"
    );
}
