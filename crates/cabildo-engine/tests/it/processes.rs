//! Processes, phases and participation rules, by the database clock.

use crate::util::{person, toledo};
use cabildo_engine::processes::{self, Action, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::staff::Actor;
use cabildo_engine::{Error, Field, Problem, Refusal};
use cabildo_tenancy::entitlements::{Limit, Need};
use cabildo_tenancy::testing::council;
use time::{Duration, OffsetDateTime};

fn new_process(slug: &str, district: Option<&str>, rules: Rules) -> NewProcess {
    NewProcess {
        slug: slug.into(),
        title: "Plan de participación".into(),
        summary: "Propuestas para el barrio".into(),
        description: "# Plan\n\nTexto.".into(),
        district: district.map(str::to_owned),
        rules,
    }
}

fn rules(create: Who, support: Who) -> Rules {
    Rules {
        create,
        support,
        organisations_may_support: false,
        support_threshold: 100,
    }
}

#[tokio::test]
async fn rules_decide_who_may_act_while_a_phase_is_open_by_the_database_clock() {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let now = OffsetDateTime::now_utc();
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &new_process(
            "centro-2026",
            Some("centro"),
            rules(Who::Registered, Who::District),
        ),
    )
    .await
    .expect("create");
    let taken = processes::create(
        &mut tx,
        &actor,
        &new_process("centro-2026", None, rules(Who::Registered, Who::Verified)),
    )
    .await;
    assert_eq!(taken, Err(Refusal::SlugTaken.into()));
    for (slug, district, field, problem) in [
        ("X", None, Field::Slug, Problem::SlugInvalid),
        (
            "ok-slug",
            Some("sur"),
            Field::District,
            Problem::DistrictUnknown,
        ),
    ] {
        let refused = processes::create(
            &mut tx,
            &actor,
            &new_process(slug, district, rules(Who::Registered, Who::Verified)),
        )
        .await;
        assert_eq!(refused, Err(Error::invalid(field, problem)));
    }
    // Proposals open now; debates only next month.
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &NewPhase {
            title: "Propuestas".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(30),
            components: vec![Component::Proposals],
        },
    )
    .await
    .expect("phase");
    let backwards = processes::add_phase(
        &mut tx,
        &actor,
        process,
        &NewPhase {
            title: "Al revés".into(),
            starts_at: now,
            ends_at: now - Duration::days(1),
            components: vec![Component::Debates],
        },
    )
    .await;
    assert_eq!(
        backwards,
        Err(Error::invalid(Field::Dates, Problem::DatesInvalid))
    );
    tx.commit().await.expect("commit");

    let unconfirmed = person(&tenancy, &tenant, "a@x.es", false, None).await;
    let registered = person(&tenancy, &tenant, "b@x.es", true, None).await;
    let resident = person(&tenancy, &tenant, "c@x.es", true, Some("centro")).await;
    let elsewhere = person(&tenancy, &tenant, "d@x.es", true, Some("norte")).await;

    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    assert_eq!(
        processes::may(&mut tx, process, Some(resident), Action::Support)
            .await
            .expect("may"),
        Some(Refusal::NotFound),
        "drafts take no participation"
    );
    assert!(
        processes::publish(&mut tx, &actor, process)
            .await
            .expect("publish")
    );
    let cases = [
        (None, Action::CreateProposal, Some(Refusal::NotRegistered)),
        (
            Some(unconfirmed),
            Action::CreateProposal,
            Some(Refusal::NotRegistered),
        ),
        (Some(registered), Action::CreateProposal, None),
        (
            Some(registered),
            Action::Support,
            Some(Refusal::NotVerified),
        ),
        (
            Some(elsewhere),
            Action::Support,
            Some(Refusal::WrongDistrict),
        ),
        (Some(resident), Action::Support, None),
        (
            Some(resident),
            Action::CreateDebate,
            Some(Refusal::PhaseClosed),
        ),
    ];
    for (user, action, expected) in cases {
        assert_eq!(
            processes::may(&mut tx, process, user, action)
                .await
                .expect("may"),
            expected,
            "{action:?} by {user:?}"
        );
    }
    // Verified organisations do not support unless the process says so.
    sqlx::query("INSERT INTO organisations (user_id, name, registry_number, contact_name, contact_phone, status) VALUES ($1, 'AVV', 'R-1', 'Eva', '925000000', 'verified')")
        .bind(resident)
        .execute(tx.conn())
        .await
        .expect("organisation");
    assert_eq!(
        processes::may(&mut tx, process, Some(resident), Action::Support)
            .await
            .expect("may"),
        Some(Refusal::OrganisationsMayNot)
    );
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn rules_freeze_once_participation_starts_and_change_only_with_an_audited_override() {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("user:admin".into());
    let now = OffsetDateTime::now_utc();
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &new_process("ciudad", None, rules(Who::Registered, Who::Verified)),
    )
    .await
    .expect("create");
    let future = NewPhase {
        title: "Debate".into(),
        starts_at: now + Duration::days(7),
        ends_at: now + Duration::days(14),
        components: vec![Component::Debates],
    };
    processes::add_phase(&mut tx, &actor, process, &future)
        .await
        .expect("phase");
    // Before participation: rules change freely.
    let changed = processes::set_rules(
        &mut tx,
        &actor,
        process,
        &rules(Who::Verified, Who::Verified),
        None,
    )
    .await;
    assert_eq!(changed, Ok(()));
    let started = NewPhase {
        title: "Propuestas".into(),
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::days(7),
        components: vec![Component::Proposals],
    };
    processes::add_phase(&mut tx, &actor, process, &started)
        .await
        .expect("phase");
    let frozen = processes::set_rules(
        &mut tx,
        &actor,
        process,
        &rules(Who::Registered, Who::Registered),
        None,
    )
    .await;
    assert_eq!(frozen, Err(Refusal::RulesFrozen.into()));
    let blank = processes::set_rules(
        &mut tx,
        &actor,
        process,
        &rules(Who::Registered, Who::Registered),
        Some("  "),
    )
    .await;
    assert_eq!(
        blank,
        Err(Refusal::RulesFrozen.into()),
        "an override needs a reason"
    );
    let overridden = processes::set_rules(
        &mut tx,
        &actor,
        process,
        &rules(Who::Registered, Who::Registered),
        Some("Acuerdo del pleno de 12 de marzo"),
    )
    .await;
    assert_eq!(overridden, Ok(()));
    let logged: (String, serde_json::Value) = sqlx::query_as(
        "SELECT action, details FROM audit_log WHERE action LIKE 'process.rules%' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(tx.conn())
    .await
    .expect("audit");
    assert_eq!(logged.0, "process.rules_override");
    assert_eq!(logged.1["reason"], "Acuerdo del pleno de 12 de marzo");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn another_council_cannot_see_or_touch_a_process() {
    let (tenancy, toledo) = toledo().await;
    let talavera = council(&tenancy, "talavera").await.expect("council");
    let actor = Actor("cli".into());
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &new_process("solo-toledo", None, rules(Who::Registered, Who::Verified)),
    )
    .await
    .expect("create");
    tx.commit().await.expect("commit");
    let mut tx = tenancy.begin(&talavera).await.expect("begin");
    assert!(
        !processes::publish(&mut tx, &actor, process)
            .await
            .expect("publish"),
        "not Talavera's"
    );
    assert_eq!(
        processes::may(&mut tx, process, None, Action::Support)
            .await
            .expect("may"),
        Some(Refusal::NotFound)
    );
    tx.commit().await.expect("commit");
    for table in ["processes", "process_phases"] {
        let mut tx = tenancy.begin(&talavera).await.expect("begin");
        let sql = format!("SELECT count(*) FROM t_toledo.{table}");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(tx.conn())
            .await
            .expect_err(&sql);
        assert!(
            error.to_string().contains("permission denied"),
            "{sql}: {error}"
        );
    }
}

#[tokio::test]
async fn a_process_without_phases_is_not_published() {
    let (tenancy, toledo) = toledo().await;
    let actor = Actor("cli".into());
    let mut tx = tenancy.begin(&toledo).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &new_process("sin-fases", None, rules(Who::Registered, Who::Verified)),
    )
    .await
    .expect("create");
    assert_eq!(
        processes::publish(&mut tx, &actor, process).await,
        Err(Error::Refused(Refusal::NoPhases))
    );
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &NewPhase {
            title: "Debate".into(),
            starts_at: now + Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Debates],
        },
    )
    .await
    .expect("phase");
    assert_eq!(processes::publish(&mut tx, &actor, process).await, Ok(true));
    tx.commit().await.expect("commit");
}

/// A council whose plan allows one open process at once publishes a
/// second only once the first has ended; a council on no plan is not
/// limited.
#[tokio::test]
async fn the_plan_limits_how_many_processes_are_open_at_once() {
    let (tenancy, toledo) = toledo().await;
    let actor = Actor("cli".into());
    let now = OffsetDateTime::now_utc();
    let draft = async |tx: &mut cabildo_tenancy::TenantTx, slug: &str, ends_in: i64| {
        let process = processes::create(
            tx,
            &actor,
            &new_process(slug, None, rules(Who::Registered, Who::Verified)),
        )
        .await
        .expect("create");
        processes::add_phase(
            tx,
            &actor,
            process,
            &NewPhase {
                title: "Debate".into(),
                starts_at: now - Duration::days(30),
                ends_at: now + Duration::days(ends_in),
                components: vec![Component::Debates],
            },
        )
        .await
        .expect("phase");
        process
    };
    // As `cabildo billing assign` leaves the record.
    sqlx::query("UPDATE platform.tenants SET entitlements = $2 WHERE id = $1")
        .bind(toledo.id.0)
        .bind(serde_json::json!({"features": [], "limits": {"open_processes": 1}}))
        .execute(tenancy.pool())
        .await
        .expect("plan");
    let limited = tenancy
        .get_tenant(&toledo.slug)
        .await
        .expect("council on its plan");
    let mut tx = tenancy.begin(&limited).await.expect("begin");
    let first = draft(&mut tx, "primero", 10).await;
    let second = draft(&mut tx, "segundo", 10).await;
    assert_eq!(processes::publish(&mut tx, &actor, first).await, Ok(true));
    assert_eq!(
        processes::publish(&mut tx, &actor, second).await,
        Err(Error::Plan(Need::Limit(Limit::OpenProcesses, 2)))
    );
    // Once the first has ended, there is room again.
    sqlx::query("UPDATE process_phases SET ends_at = now() - interval '1 day', starts_at = now() - interval '30 days' WHERE process_id = $1")
        .bind(first)
        .execute(tx.conn())
        .await
        .expect("first ends");
    assert_eq!(processes::publish(&mut tx, &actor, second).await, Ok(true));
    tx.commit().await.expect("commit");

    // Taken off the plan: no limit.
    sqlx::query("UPDATE platform.tenants SET entitlements = NULL WHERE id = $1")
        .bind(toledo.id.0)
        .execute(tenancy.pool())
        .await
        .expect("no plan");
    let unlimited = tenancy.get_tenant(&toledo.slug).await.expect("council");
    assert_eq!(unlimited.entitlements, None);
    let mut tx = tenancy.begin(&unlimited).await.expect("begin");
    let third = draft(&mut tx, "tercero", 10).await;
    let fourth = draft(&mut tx, "cuarto", 10).await;
    assert_eq!(processes::publish(&mut tx, &actor, third).await, Ok(true));
    assert_eq!(processes::publish(&mut tx, &actor, fourth).await, Ok(true));
    tx.commit().await.expect("commit");
}
