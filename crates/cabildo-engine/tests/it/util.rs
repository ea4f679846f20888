//! What the engine tests share: people, a council with districts, and a
//! budget in its selecting phase with projects on the ballot.

use cabildo_engine::budgets::ballots::{self, Change};
use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
use cabildo_engine::budgets::results::Rule;
use cabildo_engine::budgets::setup::{self, Dates, NewHeading, Settings};
use cabildo_engine::processes::{self, NewProcess, Rules, Who};
use cabildo_engine::seed;
use cabildo_engine::staff::Actor;
use cabildo_engine::{BudgetId, Error, Field, HeadingId, Problem, ProjectId, Refusal, UserId};
use cabildo_tenancy::testing::{council, fresh_tenancy};
use cabildo_tenancy::{Tenancy, Tenant};
use time::{Duration, OffsetDateTime};

/// A person: confirmed or not, verified in a district or not.
pub async fn person(
    tenancy: &Tenancy,
    tenant: &Tenant,
    email: &str,
    confirmed: bool,
    district: Option<&str>,
) -> cabildo_engine::UserId {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let id = sqlx::query_scalar(
        "INSERT INTO users (email, name, email_confirmed_at, verified_at, district_code)
         VALUES ($1, 'X', CASE WHEN $2 THEN now() END, CASE WHEN $3::text IS NOT NULL THEN now() END, $3)
         RETURNING id",
    )
    .bind(email)
    .bind(confirmed)
    .bind(district)
    .fetch_one(tx.conn())
    .await
    .expect("person");
    tx.commit().await.expect("commit");
    id
}

/// A fresh council "toledo" with the districts centro and norte.
pub async fn toledo() -> (Tenancy, Tenant) {
    let tenancy = fresh_tenancy().await.expect("tenancy");
    let tenant = council(&tenancy, "toledo").await.expect("council");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    sqlx::query(
        "INSERT INTO districts (code, name) VALUES ('centro', 'Centro'), ('norte', 'Norte')",
    )
    .execute(tx.conn())
    .await
    .expect("districts");
    tx.commit().await.expect("commit");
    (tenancy, tenant)
}

/// Phase dates with balloting beginning `balloting` days from now.
pub fn dates(balloting: i64) -> Dates {
    let at = |days: i64| OffsetDateTime::now_utc() + Duration::days(days);
    Dates {
        accepting: at(balloting - 30),
        reviewing: at(balloting - 20),
        selecting: at(balloting - 10),
        balloting: at(balloting),
        tallying: at(balloting + 10),
        finished: at(balloting + 20),
    }
}

/// The test budget's settings, with phases on `dates`.
pub fn settings(dates: Dates) -> Settings {
    Settings {
        title: "Presupuestos participativos 2027".into(),
        min_spend_percent: 50,
        verified_only: true,
        rule: Rule::Greedy,
        dates,
        ..seed::budget_settings(0)
    }
}

/// The whole city (100 €, two projects at most) and Centro (50 €).
pub fn headings() -> Vec<NewHeading> {
    vec![
        NewHeading {
            name: "Toda la ciudad".into(),
            district: None,
            amount_cents: 10_000,
            max_projects: Some(2),
        },
        NewHeading {
            name: "Centro".into(),
            district: Some("centro".into()),
            amount_cents: 5_000,
            max_projects: None,
        },
    ]
}

pub struct World {
    pub tenancy: Tenancy,
    pub tenant: Tenant,
    pub budget: BudgetId,
    pub city: HeadingId,
    pub centro: HeadingId,
    /// Projects by letter: A 40 €, B 60 € (official; estimated 50 €), F 10 €, G 10 € in the
    /// city; E 30 € in Centro; C unfeasible and D needing information, in the city.
    pub project: std::collections::HashMap<char, ProjectId>,
}

/// A published process whose budget is in its selecting phase, with
/// reviewed projects on the ballot; then balloting opens.
pub async fn world() -> World {
    let (tenancy, tenant) = toledo().await;
    let actor = Actor("cli".into());
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let process = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: "presupuestos-2027".into(),
            title: "Presupuestos participativos".into(),
            summary: "Decide en qué se invierte".into(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Verified,
                organisations_may_support: false,
                support_threshold: 100,
            },
        },
    )
    .await
    .expect("process");
    let now = time::OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        process,
        &processes::NewPhase {
            title: "Presupuestos".into(),
            starts_at: now - time::Duration::days(30),
            ends_at: now + time::Duration::days(90),
            components: vec![processes::Component::Budget],
        },
    )
    .await
    .expect("phase");
    assert!(
        processes::publish(&mut tx, &actor, process)
            .await
            .expect("publish")
    );
    let budget = setup::create(&mut tx, &actor, process, &settings(dates(1)), &headings())
        .await
        .expect("budget");
    let again = setup::create(&mut tx, &actor, process, &settings(dates(1)), &headings()).await;
    assert_eq!(
        again,
        Err(Error::invalid(Field::Process, Problem::BudgetExists))
    );
    let shown = setup::get(&mut tx, budget)
        .await
        .expect("get")
        .expect("budget");
    assert_eq!(shown.phase, setup::Phase::Selecting);
    let city = shown.headings[0].id;
    let centro = shown.headings[1].id;
    assert_eq!(shown.headings[1].district.as_deref(), Some("centro"));

    let mut project = std::collections::HashMap::new();
    for (letter, heading, cents) in [
        ('A', city, 4_000),
        ('B', city, 5_000),
        ('C', city, 3_000),
        ('D', city, 2_000),
        ('E', centro, 3_000),
        ('F', city, 1_000),
        ('G', city, 1_000),
    ] {
        let id = projects::create(
            &mut tx,
            &actor,
            None,
            &NewProject {
                heading,
                title: format!("Proyecto {letter}"),
                description: "Descripción".into(),
                location: "Plaza Mayor".into(),
                point: None,
                estimated_cost_cents: cents,
            },
        )
        .await
        .expect("project");
        project.insert(letter, id);
    }
    let review = |verdict, explanation: &'static str, cost| (verdict, explanation, cost);
    for (letter, (verdict, explanation, cost)) in [
        ('A', review(Feasibility::Feasible, "", None)),
        (
            'B',
            review(Feasibility::Feasible, "Cuesta más", Some(6_000)),
        ),
        (
            'C',
            review(Feasibility::Unfeasible, "No es competencia municipal", None),
        ),
        (
            'D',
            review(Feasibility::NeedsInfo, "¿Dónde exactamente?", None),
        ),
        ('E', review(Feasibility::Feasible, "", None)),
        ('F', review(Feasibility::Feasible, "", None)),
        ('G', review(Feasibility::Feasible, "", None)),
    ] {
        projects::review(
            &mut tx,
            &actor,
            project[&letter],
            verdict,
            explanation,
            cost,
        )
        .await
        .expect("review");
    }
    let unexplained = projects::review(
        &mut tx,
        &actor,
        project[&'C'],
        Feasibility::Unfeasible,
        " ",
        None,
    )
    .await;
    assert_eq!(
        unexplained,
        Err(Error::invalid(
            Field::Explanation,
            Problem::ExplanationRequired
        ))
    );
    for letter in ['A', 'B', 'E', 'F', 'G'] {
        projects::set_on_ballot(&mut tx, &actor, project[&letter], true)
            .await
            .expect("ballot");
    }
    for letter in ['C', 'D'] {
        let refused = projects::set_on_ballot(&mut tx, &actor, project[&letter], true).await;
        assert_eq!(
            refused,
            Err(Error::invalid(Field::Project, Problem::NotFeasible))
        );
    }
    // Citizens propose only while projects are accepted.
    let citizen = person(&tenancy, &tenant, "late@x.es", true, None).await;
    let late = projects::create(
        &mut tx,
        &actor,
        Some(citizen),
        &NewProject {
            heading: city,
            title: "Tarde".into(),
            description: "x".into(),
            location: String::new(),
            point: None,
            estimated_cost_cents: 100,
        },
    )
    .await;
    assert_eq!(late, Err(Refusal::PhaseClosed.into()));
    // Balloting opens (no ballot exists yet, so no reset is needed).
    setup::update(
        &mut tx,
        &actor,
        budget,
        &settings(dates(-1)),
        &headings(),
        None,
    )
    .await
    .expect("update");
    tx.commit().await.expect("commit");
    World {
        tenancy,
        tenant,
        budget,
        city,
        centro,
        project,
    }
}

impl World {
    /// Runs `query` in a transaction of its own, past the rules (a test
    /// setting the scene).
    pub async fn exec(
        &self,
        query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        query.execute(tx.conn()).await.expect("statement");
        tx.commit().await.expect("commit");
    }

    pub async fn change(
        &self,
        user: UserId,
        heading: HeadingId,
        change: Change,
    ) -> Result<ballots::Ballot, Error> {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        let result = ballots::change(&mut tx, user, heading, change).await;
        tx.commit().await.expect("commit");
        result
    }

    pub fn add(&self, letter: char) -> Change {
        Change::Add(self.project[&letter])
    }
}
