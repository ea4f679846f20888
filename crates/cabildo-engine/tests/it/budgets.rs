//! Budgets against real PostgreSQL: phases by the database clock, the
//! feasibility review, ballots that are never overspent even under 50
//! parallel requests of one person, frozen settings, counting, and
//! isolation between councils.

use crate::util::{dates, headings, person, settings, world};
use cabildo_engine::budgets::ballots::{self, Change};
use cabildo_engine::budgets::projects;
use cabildo_engine::budgets::results::{Rule, compute};
use cabildo_engine::budgets::setup::{self, Style};
use cabildo_engine::budgets::{pabulib, tally};
use cabildo_engine::staff::Actor;
use cabildo_engine::{Error, Field, Problem, Refusal};
use cabildo_engine::{HeadingId, ProjectId, UserId};
use cabildo_tenancy::testing::council;
use std::collections::BTreeSet;
use uuid::Uuid;

/// The whole ballot, not submitted.
fn replace(projects: Vec<ProjectId>) -> Change {
    Change::Replace {
        projects,
        submit: false,
    }
}

#[tokio::test]
async fn ballots_are_checked_whole_on_the_server() {
    let w = world().await;
    let voter = person(&w.tenancy, &w.tenant, "v1@x.es", true, Some("centro")).await;
    let norte = person(&w.tenancy, &w.tenant, "v2@x.es", true, Some("norte")).await;
    let unverified = person(&w.tenancy, &w.tenant, "u@x.es", true, None).await;
    let unconfirmed = person(&w.tenancy, &w.tenant, "x@x.es", false, Some("centro")).await;

    let refused = |r: Result<ballots::Ballot, Error>| r.expect_err("refused");
    assert_eq!(
        refused(w.change(unverified, w.city, w.add('A')).await),
        Refusal::NotVerified.into()
    );
    assert_eq!(
        refused(w.change(unconfirmed, w.city, w.add('A')).await),
        Refusal::NotRegistered.into()
    );
    assert_eq!(
        refused(w.change(norte, w.centro, w.add('E')).await),
        Refusal::WrongDistrict.into()
    );
    assert_eq!(
        refused(w.change(voter, HeadingId(Uuid::new_v4()), w.add('E')).await),
        Refusal::NotFound.into()
    );

    let ballot = w.change(voter, w.city, w.add('A')).await.expect("A");
    assert_eq!(
        (ballot.total_cents, ballot.remaining_cents()),
        (4_000, 6_000)
    );
    let ballot = w
        .change(voter, w.city, w.add('B'))
        .await
        .expect("B: official cost 60 €");
    assert_eq!(ballot.remaining_cents(), 0);
    let invalid = |problem| Error::invalid(Field::Projects, problem);
    assert_eq!(
        refused(w.change(voter, w.city, w.add('F')).await),
        invalid(Problem::OverBudget)
    );
    assert_eq!(
        refused(w.change(voter, w.city, w.add('E')).await),
        invalid(Problem::WrongHeading)
    );
    assert_eq!(
        refused(w.change(voter, w.city, w.add('C')).await),
        invalid(Problem::NotOnBallot)
    );
    assert_eq!(
        refused(
            w.change(voter, w.city, Change::Add(ProjectId(Uuid::new_v4())))
                .await
        ),
        invalid(Problem::NotOnBallot)
    );
    w.change(voter, w.city, Change::Remove(w.project[&'B']))
        .await
        .expect("remove B");
    w.change(voter, w.city, w.add('F')).await.expect("F");
    assert_eq!(
        refused(w.change(voter, w.city, w.add('G')).await),
        invalid(Problem::TooManyProjects)
    );
    // 50 € of 100 € is the least a ballot may spend to count.
    w.change(voter, w.city, Change::Remove(w.project[&'A']))
        .await
        .expect("remove A");
    assert_eq!(
        refused(w.change(voter, w.city, Change::Submit).await),
        invalid(Problem::BelowMinSpend)
    );
    let ballot = w
        .change(
            voter,
            w.city,
            replace(vec![w.project[&'A'], w.project[&'G']]),
        )
        .await
        .expect("replace");
    assert!(!ballot.submitted);
    let ballot = w
        .change(voter, w.city, Change::Submit)
        .await
        .expect("submit");
    assert!(ballot.submitted && ballot.changeable);
    // A submitted ballot still changes, and stays valid to count.
    assert_eq!(
        refused(
            w.change(voter, w.city, Change::Remove(w.project[&'A']))
                .await
        ),
        invalid(Problem::BelowMinSpend)
    );
    w.change(
        voter,
        w.city,
        replace(vec![w.project[&'B'], w.project[&'F']]),
    )
    .await
    .expect("change after submitting");

    // Nothing of the refused attempts was stored.
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let stored: Vec<(UserId, i64)> =
        sqlx::query_as("SELECT user_id, cardinality(projects)::bigint FROM budget_ballots")
            .fetch_all(tx.conn())
            .await
            .expect("ballots");
    assert_eq!(
        stored,
        vec![(voter, 2)],
        "no empty ballots of refused people"
    );
    let shown = ballots::get(&mut tx, voter, w.city).await.expect("get");
    assert_eq!(shown.total_cents, 7_000);
    assert!(shown.submitted);
    tx.commit().await.expect("commit");
}

/// The whole ballot in one request (the API's) is checked by the same
/// rules as a change step by step, with the same answers, and a refused
/// ballot leaves the stored one as it was.
#[tokio::test]
async fn a_whole_ballot_is_refused_for_the_reasons_a_step_is() {
    let w = world().await;
    let voter = person(&w.tenancy, &w.tenant, "v1@x.es", true, Some("centro")).await;
    let norte = person(&w.tenancy, &w.tenant, "v2@x.es", true, Some("norte")).await;
    let blocked = person(&w.tenancy, &w.tenant, "b@x.es", true, Some("centro")).await;
    w.exec(sqlx::query("UPDATE users SET blocked_at = now() WHERE id = $1").bind(blocked))
        .await;
    let p = |letters: &str| -> Vec<ProjectId> { letters.chars().map(|l| w.project[&l]).collect() };
    let whole = |letters: &str, submit: bool| Change::Replace {
        projects: p(letters),
        submit,
    };
    let invalid = |problem| Err(Error::invalid(Field::Projects, problem));
    let cases: Vec<(UserId, HeadingId, Change, Result<(), Error>)> = vec![
        (
            blocked,
            w.city,
            whole("A", false),
            Err(Refusal::Blocked.into()),
        ),
        (
            norte,
            w.centro,
            whole("E", false),
            Err(Refusal::WrongDistrict.into()),
        ),
        (
            voter,
            w.city,
            whole("ABF", false),
            invalid(Problem::OverBudget),
        ),
        (
            voter,
            w.city,
            whole("AFG", false),
            invalid(Problem::TooManyProjects),
        ),
        (
            voter,
            w.city,
            whole("AE", false),
            invalid(Problem::WrongHeading),
        ),
        (
            voter,
            w.city,
            whole("AC", false),
            invalid(Problem::NotOnBallot),
        ),
        (
            voter,
            w.city,
            whole("F", true),
            invalid(Problem::BelowMinSpend),
        ),
        (
            voter,
            w.city,
            whole("", true),
            invalid(Problem::EmptyBallot),
        ),
        (
            voter,
            w.centro,
            whole("A", false),
            invalid(Problem::WrongHeading),
        ),
        (
            voter,
            w.city,
            Change::Replace {
                projects: vec![ProjectId(Uuid::new_v4())],
                submit: false,
            },
            invalid(Problem::NotOnBallot),
        ),
    ];
    for (who, heading, change, expected) in cases {
        let got = w.change(who, heading, change.clone()).await.map(|_| ());
        assert_eq!(got, expected, "{change:?}");
    }
    // Repeats count once; the same ballot again changes nothing.
    let ballot = w
        .change(voter, w.city, whole("AAF", false))
        .await
        .expect("A and F");
    assert_eq!((ballot.projects.len(), ballot.total_cents), (2, 5_000));
    let again = w
        .change(voter, w.city, whole("FA", true))
        .await
        .expect("submitted");
    assert!(again.submitted);
    assert_eq!(
        w.change(voter, w.city, whole("FA", true))
            .await
            .expect("same"),
        again
    );
    // A budget whose ballots cannot change once submitted.
    w.exec(sqlx::query("UPDATE budgets SET ballots_changeable = false"))
        .await;
    for change in [whole("B", true), Change::Submit, w.add('G')] {
        assert_eq!(
            w.change(voter, w.city, change).await,
            Err(Error::invalid(Field::Ballot, Problem::BallotFinal))
        );
    }
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let stored: Vec<(UserId, BTreeSet<ProjectId>, bool)> =
        sqlx::query_as::<_, (UserId, Vec<ProjectId>, bool)>(
            "SELECT user_id, projects, submitted_at IS NOT NULL FROM budget_ballots",
        )
        .fetch_all(tx.conn())
        .await
        .expect("ballots")
        .into_iter()
        .map(|(who, projects, submitted)| (who, projects.into_iter().collect(), submitted))
        .collect();
    assert_eq!(
        stored,
        vec![(voter, p("AF").into_iter().collect(), true)],
        "only the accepted ballot, as accepted"
    );
    let shown = ballots::get(&mut tx, voter, w.city).await.expect("get");
    assert_eq!(
        (shown.total_cents, shown.submitted, shown.changeable),
        (5_000, true, false)
    );
}

/// One person's parallel changes are each applied to what the others
/// left (none is lost), and once a final ballot is submitted nothing
/// changes it however the requests interleave.
#[tokio::test]
async fn parallel_changes_are_never_lost_and_a_final_ballot_stays_as_sent() {
    let w = world().await;
    w.exec(
        sqlx::query(
            "UPDATE budget_headings SET max_projects = NULL, amount_cents = 1000000 WHERE id = $1",
        )
        .bind(w.city),
    )
    .await;
    w.exec(sqlx::query("UPDATE budgets SET min_spend_percent = 0"))
        .await;
    let parallel = async |voter: UserId, changes: Vec<Change>| {
        let tasks: Vec<_> = changes
            .into_iter()
            .map(|change| {
                let (tenancy, tenant, heading) = (w.tenancy.clone(), w.tenant.clone(), w.city);
                tokio::spawn(async move {
                    let mut tx = tenancy.begin(&tenant).await.expect("begin");
                    let result = ballots::change(&mut tx, voter, heading, change.clone()).await;
                    tx.commit().await.expect("commit");
                    (change, result)
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        results
    };
    let stored = async |voter: UserId| -> (BTreeSet<ProjectId>, bool) {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let (projects, submitted): (Vec<ProjectId>, bool) = sqlx::query_as(
            "SELECT projects, submitted_at IS NOT NULL FROM budget_ballots WHERE user_id = $1",
        )
        .bind(voter)
        .fetch_one(tx.conn())
        .await
        .expect("one ballot");
        (projects.into_iter().collect(), submitted)
    };

    let adder = person(&w.tenancy, &w.tenant, "a@x.es", true, Some("centro")).await;
    let letters = ['A', 'B', 'F', 'G'];
    let adds = (0..24).map(|i| w.add(letters[i % 4])).collect();
    for (change, result) in parallel(adder, adds).await {
        result.unwrap_or_else(|e| panic!("{change:?}: {e:?}"));
    }
    let every: BTreeSet<ProjectId> = letters.iter().map(|l| w.project[l]).collect();
    assert_eq!(stored(adder).await, (every, false), "no add was lost");

    w.exec(sqlx::query("UPDATE budgets SET ballots_changeable = false"))
        .await;
    let sender = person(&w.tenancy, &w.tenant, "s@x.es", true, Some("centro")).await;
    w.change(sender, w.city, w.add('A')).await.expect("A");
    let mut changes = Vec::new();
    for _ in 0..6 {
        changes.extend([
            Change::Submit,
            w.add('F'),
            w.add('G'),
            Change::Remove(w.project[&'F']),
        ]);
    }
    let mut sent = Vec::new();
    for (change, result) in parallel(sender, changes).await {
        match (change, result) {
            (Change::Submit, Ok(ballot)) => sent.push(ballot),
            (_, Ok(_)) => {}
            (_, Err(e)) => assert_eq!(e, Error::invalid(Field::Ballot, Problem::BallotFinal)),
        }
    }
    assert_eq!(sent.len(), 1, "submitted once: {sent:?}");
    assert_eq!(
        stored(sender).await,
        (sent[0].projects.iter().copied().collect(), true),
        "the final ballot is the one sent"
    );
}

#[tokio::test]
async fn fifty_parallel_requests_of_one_person_never_overspend() {
    let w = world().await;
    let voter = person(&w.tenancy, &w.tenant, "v@x.es", true, Some("centro")).await;
    let letters = ['A', 'B', 'F', 'G'];
    let mut tasks = Vec::new();
    for i in 0..50 {
        let tenancy = w.tenancy.clone();
        let tenant = w.tenant.clone();
        let change = match i % 5 {
            4 => Change::Submit,
            n => Change::Add(w.project[&letters[n]]),
        };
        let heading = w.city;
        tasks.push(tokio::spawn(async move {
            let mut tx = tenancy.begin(&tenant).await.expect("begin");
            let result = ballots::change(&mut tx, voter, heading, change).await;
            tx.commit().await.expect("commit");
            result
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        if let Ok(ballot) = task.await.expect("task") {
            assert!(
                ballot.total_cents <= 10_000 && ballot.projects.len() <= 2,
                "{ballot:?}"
            );
            accepted += 1;
        }
    }
    assert!(accepted >= 2, "some requests succeed");
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let (ballots, lines, total): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT b.heading_id), count(p.id),
                coalesce(sum(coalesce(p.official_cost_cents, p.estimated_cost_cents)), 0)::bigint
         FROM budget_ballots b LEFT JOIN budget_projects p ON p.id = ANY (b.projects)
         WHERE b.user_id = $1",
    )
    .bind(voter)
    .fetch_one(tx.conn())
    .await
    .expect("ballot");
    assert_eq!(ballots, 1, "one ballot per person and heading");
    assert!((1..=2).contains(&lines), "{lines} lines");
    assert!(total <= 10_000, "never overspent: {total}");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn what_ballots_mean_freezes_once_voting_starts_unless_reset_with_a_reason() {
    let w = world().await;
    let voter = person(&w.tenancy, &w.tenant, "v@x.es", true, Some("centro")).await;
    w.change(
        voter,
        w.city,
        replace(vec![w.project[&'A'], w.project[&'F']]),
    )
    .await
    .expect("ballot");
    w.change(voter, w.city, Change::Submit)
        .await
        .expect("submit");
    let actor = Actor("user:admin".into());
    let mut cheaper = headings();
    cheaper[0].amount_cents = 3_000;
    let mut approval = settings(dates(-1));
    approval.style = Style::Approval;
    let mut counted = headings();
    counted[1].max_projects = Some(3);
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    for (settings, headings) in [(settings(dates(-1)), cheaper.clone()), (approval, counted)] {
        let refused = setup::update(&mut tx, &actor, w.budget, &settings, &headings, None).await;
        assert_eq!(
            refused,
            Err(Error::invalid(Field::Budget, Problem::VotingStarted))
        );
    }
    // Words and the closing dates change without touching a ballot.
    let current = setup::get(&mut tx, w.budget)
        .await
        .expect("get")
        .expect("budget");
    let mut reworded = settings(current.dates);
    reworded.title = "Presupuestos 2027: tu barrio decide".into();
    reworded.dates.tallying += time::Duration::days(2);
    reworded.dates.finished += time::Duration::days(2);
    let mut renamed = headings();
    renamed[0].name = "Toda Toledo".into();
    setup::update(&mut tx, &actor, w.budget, &reworded, &renamed, None)
        .await
        .expect("an edit that keeps what ballots mean");
    let (ballots, action, discarded): (i64, String, String) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM budget_ballots), action, details->>'ballots_discarded'
         FROM audit_log ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!(
        (ballots, action.as_str(), discarded.as_str()),
        (1, "budget.update", "0")
    );
    let shown = setup::get(&mut tx, w.budget)
        .await
        .expect("get")
        .expect("budget");
    assert_eq!(
        (shown.title.as_str(), shown.phase, shown.dates.tallying),
        (
            "Presupuestos 2027: tu barrio decide",
            setup::Phase::Balloting,
            reworded.dates.tallying
        )
    );
    assert!(shown.headings.iter().any(|h| h.name == "Toda Toledo"));
    // An explicit reset: ballots are discarded and the change is audited.
    let mut ended = settings(dates(-11));
    ended.rule = Rule::Mes;
    setup::update(
        &mut tx,
        &actor,
        w.budget,
        &ended,
        &cheaper,
        Some("Error en el importe"),
    )
    .await
    .expect("update");
    let (ballots, audited): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM budget_ballots),
                (SELECT count(*) FROM audit_log WHERE action = 'budget.reset' AND details->>'ballots_discarded' = '1')",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!((ballots, audited), (0, 1));
    let shown = setup::get(&mut tx, w.budget)
        .await
        .expect("get")
        .expect("budget");
    assert_eq!(
        (
            shown.phase,
            shown.rule.as_str(),
            shown.headings[0].amount_cents
        ),
        (setup::Phase::Tallying, "mes", 3_000)
    );
    tx.commit().await.expect("commit");
    // Voting has ended: ballots are refused by the database clock.
    let late = w.change(voter, w.city, w.add('A')).await;
    assert_eq!(late, Err(Refusal::PhaseClosed.into()));
}

#[tokio::test]
async fn counting_adds_paper_votes_and_exports_pabulib() {
    let w = world().await;
    let mut voters = Vec::new();
    for i in 0..6 {
        voters.push(
            person(
                &w.tenancy,
                &w.tenant,
                &format!("v{i}@x.es"),
                true,
                Some("centro"),
            )
            .await,
        );
    }
    // A+F three times, B+F twice, G+A once (submitted); one draft that
    // does not count.
    let ballots = [
        ("AF", true),
        ("AF", true),
        ("AF", true),
        ("BF", true),
        ("BF", true),
        ("GA", false),
    ];
    for (voter, (letters, submit)) in voters.iter().zip(ballots) {
        let projects = letters.chars().map(|l| w.project[&l]).collect();
        w.change(*voter, w.city, replace(projects))
            .await
            .expect("ballot");
        if submit {
            w.change(*voter, w.city, Change::Submit)
                .await
                .expect("submit");
        }
    }
    let actor = Actor("user:admin".into());
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    projects::set_paper_votes(&mut tx, &actor, w.project[&'G'], 7)
        .await
        .expect("paper");
    let refused = projects::set_paper_votes(&mut tx, &actor, w.project[&'C'], 7).await;
    assert_eq!(
        refused,
        Err(Error::invalid(Field::Project, Problem::NotOnBallot))
    );
    let outcome = tally::results(&mut tx, w.city).await.expect("results");
    let mut numbers = std::collections::HashMap::new();
    for letter in ['A', 'B', 'F', 'G'] {
        let number: i64 = sqlx::query_scalar("SELECT number FROM budget_projects WHERE id = $1")
            .bind(w.project[&letter])
            .fetch_one(tx.conn())
            .await
            .expect("number");
        numbers.insert(letter, number.to_string());
    }
    let votes_of = |letter: char| {
        outcome
            .projects
            .iter()
            .find(|p| p.id == numbers[&letter])
            .map(|p| p.votes)
            .expect("project")
    };
    assert_eq!(
        (votes_of('A'), votes_of('B'), votes_of('F'), votes_of('G')),
        (3, 2, 5, 7),
        "submitted lines plus paper votes; the draft does not count"
    );
    // Greedy: G (7 votes, 10 €), F (5, 10 €), A (3, 40 €), then B (60 €)
    // no longer fits in the 40 € left.
    let winners: BTreeSet<&str> = outcome.selected.iter().map(String::as_str).collect();
    let expected: BTreeSet<&str> = ['G', 'F', 'A']
        .iter()
        .map(|l| numbers[l].as_str())
        .collect();
    assert_eq!(winners, expected);
    // The export reads back as the same election.
    let (instance, options) = tally::election(&mut tx, w.city)
        .await
        .expect("election")
        .expect("heading");
    let text = tally::pabulib_text(&instance, "Toledo 2027; \"ciudad\"", "EUR");
    let again = pabulib::parse(&text).expect("our export parses");
    assert_eq!(again.ballots.len(), 5 + 7);
    assert_eq!(
        compute(&again, options).expect("computed").selected,
        outcome.selected
    );
    assert!(
        !text.contains("@x.es") && !text.contains(&voters[0].to_string()),
        "no personal data"
    );
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn another_council_sees_nothing_of_a_budget() {
    let w = world().await;
    let other = council(&w.tenancy, "madrid").await.expect("council");
    let voter = person(&w.tenancy, &other, "v@x.es", true, None).await;
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    assert!(setup::get(&mut tx, w.budget).await.expect("get").is_none());
    let change = ballots::change(&mut tx, voter, w.city, Change::Add(w.project[&'A'])).await;
    assert_eq!(change, Err(Refusal::NotFound.into()));
    assert!(
        projects::of_heading(&mut tx, w.city)
            .await
            .expect("projects")
            .is_empty()
    );
    assert!(
        tally::election(&mut tx, w.city)
            .await
            .expect("election")
            .is_none()
    );
    for table in [
        "budgets",
        "budget_headings",
        "budget_projects",
        "budget_ballots",
    ] {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(tx.conn())
                .await
                .expect("count");
        assert_eq!(count, 0, "{table}");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn supports_are_one_per_project_within_the_heading_limit_even_in_parallel() {
    use cabildo_engine::budgets::supports;
    let w = world().await;
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET max_supports = 2, selecting_at = now() - interval '1 day',
                balloting_at = now() + interval '1 day'",
    )
    .execute(tx.conn())
    .await
    .expect("supports open");
    tx.commit().await.expect("commit");
    let voter = person(&w.tenancy, &w.tenant, "v@x.es", true, Some("centro")).await;
    let norte = person(&w.tenancy, &w.tenant, "n@x.es", true, Some("norte")).await;
    let unverified = person(&w.tenancy, &w.tenant, "u@x.es", true, None).await;
    let act = |user: UserId, letter: char, on: bool| {
        let (tenancy, tenant, project) = (w.tenancy.clone(), w.tenant.clone(), w.project[&letter]);
        async move {
            let mut tx = tenancy.begin(&tenant).await.expect("begin");
            let result = if on {
                supports::support(&mut tx, user, project).await
            } else {
                supports::unsupport(&mut tx, user, project).await
            };
            tx.commit().await.expect("commit");
            result
        }
    };
    assert_eq!(
        act(unverified, 'A', true).await,
        Err(Refusal::NotVerified.into())
    );
    assert_eq!(
        act(norte, 'E', true).await,
        Err(Refusal::WrongDistrict.into())
    );
    assert_eq!(
        act(voter, 'C', true).await,
        Err(Error::invalid(Field::Project, Problem::NotFeasible))
    );
    assert_eq!(act(voter, 'A', true).await, Ok(1));
    assert_eq!(act(voter, 'A', true).await, Ok(1), "once per person");
    assert_eq!(act(voter, 'B', true).await, Ok(1));
    assert_eq!(
        act(voter, 'F', true).await,
        Err(Error::invalid(Field::Project, Problem::TooManySupports))
    );
    assert_eq!(act(voter, 'B', false).await, Ok(0));
    assert_eq!(act(voter, 'F', true).await, Ok(1));
    // 50 parallel supports by one person over four projects: two at most.
    let crowd = person(&w.tenancy, &w.tenant, "c@x.es", true, Some("centro")).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        tasks.push(tokio::spawn(act(crowd, ['A', 'B', 'F', 'G'][i % 4], true)));
    }
    for task in tasks {
        task.await.expect("task").ok();
    }
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let (rows, counted, mine): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM budget_supports), (SELECT sum(supports_count) FROM budget_projects),
                (SELECT count(*) FROM budget_supports WHERE user_id = $1)",
    )
    .bind(crowd)
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!(mine, 2, "the limit holds under 50 parallel requests");
    assert_eq!(rows, counted, "counters equal the rows");
    tx.commit().await.expect("commit");
    // Supports close with their phase.
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query("UPDATE budgets SET balloting_at = now() - interval '1 hour'")
        .execute(tx.conn())
        .await
        .expect("voting opens");
    tx.commit().await.expect("commit");
    assert_eq!(
        act(voter, 'G', true).await,
        Err(Refusal::PhaseClosed.into())
    );
}
