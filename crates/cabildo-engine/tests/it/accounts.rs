//! Accounts against real PostgreSQL: what `cabildo migrate` fills in for
//! rows from before a rule.

use crate::util::toledo;

/// Nicknames from before skeletons were stored get theirs; of two that
/// read the same, the older keeps it and the other none (nobody new can
/// take a third).
#[tokio::test]
async fn old_nicknames_get_their_skeletons_once() {
    let (tenancy, tenant) = toledo().await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    for (email, nickname, age) in [
        ("a@x.es", "admin", "3 days"),
        ("b@x.es", "adrnin", "2 days"),
        ("c@x.es", "vecina", "1 day"),
    ] {
        sqlx::query(
            "INSERT INTO users (email, name, nickname, created_at)
             VALUES ($1, 'X', $2, now() - $3::interval)",
        )
        .bind(email)
        .bind(nickname)
        .bind(age)
        .execute(tx.conn())
        .await
        .expect("old row");
    }
    let filled = cabildo_engine::accounts::backfill_nickname_skeletons(&mut tx)
        .await
        .expect("backfill");
    assert_eq!(filled, 2);
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT nickname, nickname_skeleton FROM users ORDER BY nickname")
            .fetch_all(tx.conn())
            .await
            .expect("rows");
    let skeleton = cabildo_engine::accounts::validate::nickname_skeleton;
    assert_eq!(
        rows,
        [
            ("admin".to_owned(), Some(skeleton("admin"))),
            ("adrnin".to_owned(), None),
            ("vecina".to_owned(), Some(skeleton("vecina"))),
        ]
    );
    let again = cabildo_engine::accounts::backfill_nickname_skeletons(&mut tx)
        .await
        .expect("again");
    assert_eq!(again, 0, "the look-alike stays without one");
    tx.commit().await.expect("commit");
}

/// Deleting an account erases the contact person of the organisation it
/// applied for (their name and phone), keeping the organisation's own name.
#[tokio::test]
async fn deleting_an_account_erases_its_organisation_contact() {
    let (tenancy, tenant) = toledo().await;
    let user = crate::util::person(&tenancy, &tenant, "asoc@x.es", true, None).await;
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "INSERT INTO organisations (user_id, name, registry_number, contact_name, contact_phone)
         VALUES ($1, 'Asociación Vecinal Centro', 'G-123', 'Lucía Pérez', '+34 600 000 000')",
    )
    .bind(user)
    .execute(tx.conn())
    .await
    .expect("organisation");
    assert!(
        cabildo_engine::accounts::gdpr::delete(&mut tx, user)
            .await
            .expect("delete")
            .is_some()
    );
    let kept: (String, String, String) = sqlx::query_as(
        "SELECT name, contact_name, contact_phone FROM organisations WHERE user_id = $1",
    )
    .bind(user)
    .fetch_one(tx.conn())
    .await
    .expect("organisation");
    tx.commit().await.expect("commit");
    assert_eq!(
        kept,
        (
            "Asociación Vecinal Centro".to_owned(),
            "[deleted]".to_owned(),
            "[deleted]".to_owned()
        )
    );
}
