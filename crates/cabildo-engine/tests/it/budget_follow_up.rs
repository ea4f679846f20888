//! What happens around the vote: authors and followers hear of reviews,
//! qualified proposals become projects, paper votes come in from a count
//! file (all or nothing), and winners are tracked to completion — each
//! kept inside its council.

use crate::util::{World, dates, person, world};
use cabildo_engine::budgets::ballots::Change;
use cabildo_engine::budgets::execution::{self, NewUpdate, Status};
use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
use cabildo_engine::budgets::tally;
use cabildo_engine::content::Target;
use cabildo_engine::follows;
use cabildo_engine::staff::Actor;
use cabildo_engine::{Error, Field, LineError, Problem, Refusal};
use cabildo_tenancy::testing::council;
use uuid::Uuid;

fn staff() -> Actor {
    Actor("user:staff".into())
}

/// Moves the budget's calendar so that balloting began `days` ago
/// (time passing, without the settings check).
async fn shift(w: &World, days: i64) {
    let d = dates(-days);
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query(
        "UPDATE budgets SET accepting_at = $2, reviewing_at = $3, selecting_at = $4,
                balloting_at = $5, tallying_at = $6, finished_at = $7 WHERE id = $1",
    )
    .bind(w.budget)
    .bind(d.accepting)
    .bind(d.reviewing)
    .bind(d.selecting)
    .bind(d.balloting)
    .bind(d.tallying)
    .bind(d.finished)
    .execute(tx.conn())
    .await
    .expect("shift");
    tx.commit().await.expect("commit");
    if d.finished <= time::OffsetDateTime::now_utc() {
        // Finished: counted, as the worker's job would (budget_counts in
        // the web tests runs that job).
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let headings: Vec<cabildo_engine::HeadingId> =
            sqlx::query_scalar("SELECT id FROM budget_headings WHERE budget_id = $1")
                .bind(w.budget)
                .fetch_all(tx.conn())
                .await
                .expect("headings");
        for heading in headings {
            tally::publish(&mut tx, heading).await.expect("counted");
        }
        tx.commit().await.expect("commit");
    }
}

#[tokio::test]
async fn the_author_and_followers_hear_of_the_review() {
    let w = world().await;
    // Projects are accepted again for a while.
    shift(&w, -25).await;
    let author = person(&w.tenancy, &w.tenant, "autora@x.es", true, None).await;
    let follower = person(&w.tenancy, &w.tenant, "vecino@x.es", true, None).await;
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let project = projects::create(
        &mut tx,
        &Actor::user(author),
        Some(author),
        &NewProject {
            heading: w.city,
            title: "Sombra en el patio del colegio".into(),
            description: "Toldos y árboles".into(),
            location: "Colegio Gregorio Marañón".into(),
            point: None,
            estimated_cost_cents: 3_000,
        },
    )
    .await
    .expect("create");
    assert!(
        follows::follows(&mut tx, author, Target::Project(project))
            .await
            .expect("follows"),
        "authors follow their project"
    );
    follows::set(&mut tx, follower, Target::Project(project), true)
        .await
        .expect("follow");
    let picture = "0123456789abcdef0123456789abcdef.png";
    assert_eq!(
        projects::set_image(&mut tx, follower, project, picture).await,
        Err(Refusal::NotAuthor.into())
    );
    projects::set_image(&mut tx, author, project, picture)
        .await
        .expect("image");
    let notices = projects::review(
        &mut tx,
        &staff(),
        project,
        Feasibility::Unfeasible,
        "El patio es de la Junta",
        None,
    )
    .await
    .expect("review");
    let mut told: Vec<_> = notices.iter().map(|n| n.user).collect();
    told.sort();
    let mut expected = vec![author, follower];
    expected.sort();
    assert_eq!(told, expected, "each once");
    assert!(notices.iter().all(|n| n.kind == "project.reviewed"
        && n.subject == "Sombra en el patio del colegio"
        && n.link == format!("/budget-projects/{project}")));
    // Unfollowing does not silence the verdict for the author.
    follows::set(&mut tx, author, Target::Project(project), false)
        .await
        .expect("unfollow");
    let notices = projects::review(&mut tx, &staff(), project, Feasibility::Feasible, "", None)
        .await
        .expect("review");
    assert!(notices.iter().any(|n| n.user == author));
    let shown = projects::get(&mut tx, project)
        .await
        .expect("get")
        .expect("project");
    assert_eq!(shown.image.as_deref(), Some(picture));
    assert_eq!(
        follows::set(
            &mut tx,
            follower,
            Target::Project((Uuid::new_v4()).into()),
            true
        )
        .await,
        Err(Refusal::NotFound.into())
    );
    tx.commit().await.expect("commit");
}

/// A proposal of the budget's process with `supports`; qualified or not.
async fn proposal(
    w: &World,
    author: cabildo_engine::UserId,
    title: &str,
    qualified: bool,
) -> cabildo_engine::ProposalId {
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let id = sqlx::query_scalar(
        "INSERT INTO proposals (process_id, author_id, title, summary, body, supports_count, qualified_at)
         SELECT process_id, $2, $3, 'Resumen', 'Texto largo', 120, CASE WHEN $4 THEN now() END
         FROM budgets WHERE id = $1 RETURNING id",
    )
    .bind(w.budget)
    .bind(author)
    .bind(title)
    .bind(qualified)
    .fetch_one(tx.conn())
    .await
    .expect("proposal");
    tx.commit().await.expect("commit");
    id
}

#[tokio::test]
async fn qualified_proposals_become_projects_once() {
    let w = world().await;
    let author = person(&w.tenancy, &w.tenant, "autor@x.es", true, None).await;
    let qualified = proposal(&w, author, "Carril bici al Polígono", true).await;
    let unqualified = proposal(&w, author, "Fuente en la plaza", false).await;
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query(
        "UPDATE proposals SET address = 'Avenida del Polígono', latitude = 39.8668, longitude = -3.9652
         WHERE id = $1",
    )
    .bind(qualified)
    .execute(tx.conn())
    .await
    .expect("placed");
    let listed = projects::importable(&mut tx, w.budget).await.expect("list");
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![qualified]
    );
    let refused = projects::import_proposal(&mut tx, &staff(), w.city, unqualified, 5_000).await;
    assert_eq!(
        refused,
        Err(Error::invalid(Field::Proposal, Problem::NotQualified))
    );
    let free = projects::import_proposal(&mut tx, &staff(), w.city, qualified, 0).await;
    assert_eq!(
        free,
        Err(Error::invalid(Field::EstimatedCost, Problem::AmountInvalid))
    );
    let id = projects::import_proposal(&mut tx, &staff(), w.city, qualified, 5_000)
        .await
        .expect("import");
    let project = projects::get(&mut tx, id)
        .await
        .expect("get")
        .expect("project");
    assert_eq!(project.title, "Carril bici al Polígono");
    assert_eq!(project.description, "Resumen\n\nTexto largo");
    assert_eq!(
        (
            project.location.as_str(),
            project.latitude,
            project.longitude
        ),
        ("Avenida del Polígono", Some(39.8668), Some(-3.9652)),
        "its place carries over"
    );
    assert_eq!(
        (
            project.feasibility.as_str(),
            project.cost_cents,
            project.proposal
        ),
        ("pending", 5_000, Some(qualified))
    );
    assert!(
        follows::follows(&mut tx, author, Target::Project(id))
            .await
            .expect("follows")
    );
    let again = projects::import_proposal(&mut tx, &staff(), w.centro, qualified, 5_000).await;
    assert_eq!(
        again,
        Err(Error::invalid(Field::Proposal, Problem::AlreadyImported))
    );
    assert!(
        projects::importable(&mut tx, w.budget)
            .await
            .expect("list")
            .is_empty()
    );
    tx.commit().await.expect("commit");

    // Another council's heading cannot take this council's proposal.
    let other = council(&w.tenancy, "madrid").await.expect("council");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    let foreign = projects::import_proposal(&mut tx, &staff(), w.city, qualified, 5_000).await;
    assert_eq!(foreign, Err(Refusal::NotFound.into()));
    tx.commit().await.expect("commit");
}

async fn paper_votes(w: &World) -> Vec<(i64, i32)> {
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let rows = sqlx::query_as(
        "SELECT number, paper_votes FROM budget_projects WHERE heading_id = $1 ORDER BY number",
    )
    .bind(w.city)
    .fetch_all(tx.conn())
    .await
    .expect("votes");
    tx.commit().await.expect("commit");
    rows
}

#[tokio::test]
async fn a_paper_count_file_is_taken_whole_or_not_at_all() {
    let w = world().await;
    let w = &w;
    let number = |letter: char| async move {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let n: i64 = sqlx::query_scalar("SELECT number FROM budget_projects WHERE id = $1")
            .bind(w.project[&letter])
            .fetch_one(tx.conn())
            .await
            .expect("number");
        tx.commit().await.expect("commit");
        n
    };
    let (a, b, c, e) = (
        number('A').await,
        number('B').await,
        number('C').await,
        number('E').await,
    );
    let import = |text: String| async move {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let result = projects::import_paper_votes(&mut tx, &staff(), w.city, &text).await;
        tx.commit().await.expect("commit");
        result
    };
    let before = paper_votes(w).await;
    // Before voting, no paper counts.
    shift(w, -5).await;
    assert_eq!(
        import(format!("{a},10\n")).await,
        Err(Refusal::PhaseClosed.into())
    );
    shift(w, 12).await;
    for (text, line, problem) in [
        (
            format!("proyecto,votos\n{a},10\n{c},4\n"),
            3,
            Problem::NotOnBallot,
        ),
        (format!("{a},10\n{e},4\n"), 2, Problem::ProjectUnknown),
        (format!("{a},10\n{b},-1\n"), 2, Problem::NumberInvalid),
        (format!("{a},10\n\n{a},3\n"), 3, Problem::ProjectTwice),
        (format!("{a};10;x\n"), 1, Problem::LineInvalid),
        ("proyecto,votos\n".to_owned(), 0, Problem::FileEmpty),
    ] {
        let refused = Err(LineError { line, problem }.into());
        assert_eq!(import(text).await, refused);
        assert_eq!(paper_votes(w).await, before, "nothing changed");
    }
    let set = import(format!(
        "\u{feff}\"proyecto\";\"votos\"\n# mesa 1 y 2\n{a};10\n{b};4\n"
    ))
    .await;
    assert_eq!(set, Ok(2));
    let after = paper_votes(w).await;
    assert!(after.contains(&(a, 10)) && after.contains(&(b, 4)));
}

#[tokio::test]
async fn winners_are_tracked_and_followers_told() {
    let w = world().await;
    let w = &w;
    let voter = person(&w.tenancy, &w.tenant, "v@x.es", true, Some("centro")).await;
    let follower = person(&w.tenancy, &w.tenant, "f@x.es", true, None).await;
    w.change(
        voter,
        w.city,
        Change::Replace {
            projects: vec![(w.project[&'A']), (w.project[&'F'])],
            submit: true,
        },
    )
    .await
    .expect("ballot");
    let update = |status, progress: i16| NewUpdate {
        status,
        progress,
        body: "Obras adjudicadas".into(),
        image: None,
    };
    let post = |project: char, new: NewUpdate| async move {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let result = execution::post(&mut tx, &staff(), w.project[&project], &new).await;
        tx.commit().await.expect("commit");
        result
    };
    assert_eq!(
        post('A', update(Status::Planned, 0)).await,
        Err(Refusal::PhaseClosed.into()),
        "not before results"
    );
    shift(w, 25).await;
    {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        follows::set(&mut tx, follower, Target::Project(w.project[&'A']), true)
            .await
            .expect("follow");
        let winners = execution::winners(&mut tx, w.city).await.expect("winners");
        assert!(winners.contains(&w.project[&'A']) && !winners.contains(&w.project[&'B']));
        tx.commit().await.expect("commit");
    }
    assert_eq!(
        post('B', update(Status::Planned, 0)).await,
        Err(Error::invalid(Field::Project, Problem::NotAWinner))
    );
    assert_eq!(
        post('A', update(Status::InProgress, 101)).await,
        Err(Error::invalid(Field::Progress, Problem::PercentInvalid))
    );
    let notices = post('A', update(Status::InProgress, 40))
        .await
        .expect("posted");
    assert_eq!(notices.len(), 1);
    assert_eq!(
        (notices[0].user, notices[0].kind),
        (follower, "project.update")
    );
    post('A', update(Status::Done, 70)).await.expect("done");
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let project = projects::get(&mut tx, w.project[&'A'])
        .await
        .expect("get")
        .expect("project");
    assert_eq!(
        (project.execution_status, project.progress),
        (Some(Status::Done), 100),
        "done is complete"
    );
    let updates = execution::updates(&mut tx, w.project[&'A'])
        .await
        .expect("updates");
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.status.as_str(), u.progress))
            .collect::<Vec<_>>(),
        vec![("done", 100), ("in_progress", 40)]
    );
    tx.commit().await.expect("commit");

    let other = council(&w.tenancy, "madrid").await.expect("council");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    assert!(
        execution::updates(&mut tx, w.project[&'A'])
            .await
            .expect("updates")
            .is_empty()
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM budget_project_updates")
        .fetch_one(tx.conn())
        .await
        .expect("count");
    assert_eq!(count, 0);
    let foreign = execution::post(
        &mut tx,
        &staff(),
        w.project[&'A'],
        &update(Status::Done, 100),
    )
    .await;
    assert_eq!(foreign, Err(Refusal::NotFound.into()));
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn moderators_hide_a_reported_project_everywhere() {
    use cabildo_engine::moderation::{self, Decision, Item};
    let w = world().await;
    shift(&w, -25).await;
    let author = person(&w.tenancy, &w.tenant, "troll@x.es", true, None).await;
    let reporter = person(&w.tenancy, &w.tenant, "vecina@x.es", true, None).await;
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    let project = projects::create(
        &mut tx,
        &Actor::user(author),
        Some(author),
        &NewProject {
            heading: w.city,
            title: "Texto ofensivo".into(),
            description: "Insultos".into(),
            location: String::new(),
            point: None,
            estimated_cost_cents: 1_000,
        },
    )
    .await
    .expect("create");
    // A council's own project has no author to report.
    let council_project = w.project[&'A'];
    assert_eq!(
        moderation::report(
            &mut tx,
            reporter,
            Item::Project(council_project.into()),
            "x"
        )
        .await,
        Err(Refusal::NotFound.into())
    );
    moderation::report(
        &mut tx,
        reporter,
        Item::Project(project.into()),
        "Insulta a vecinos",
    )
    .await
    .expect("report");
    let queue = moderation::queue(&mut tx).await.expect("queue");
    let listed = queue
        .iter()
        .find(|r| r.id == project.uuid())
        .expect("in the moderators' queue");
    assert_eq!(
        (listed.kind.as_str(), listed.link.clone(), listed.author_id),
        ("project", format!("/budget-projects/{project}"), author)
    );
    assert!(
        moderation::decide(
            &mut tx,
            &staff(),
            Item::Project(project.into()),
            Decision::Hide
        )
        .await
        .expect("decide")
    );
    assert!(
        projects::get(&mut tx, project)
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        !projects::of_heading(&mut tx, w.city)
            .await
            .expect("list")
            .iter()
            .any(|p| p.id == project)
    );
    tx.commit().await.expect("commit");
}

/// What a cast ballot means cannot change once voting opens, and published
/// results stay as published: the evaluators' review and moderators'
/// hiding are refused for projects on the ballot, the first count after
/// the budget finishes is stored, and only an audited recount replaces it
/// (the old count stays readable).
#[tokio::test]
async fn ballots_keep_their_meaning_and_published_results_stay_published() {
    use cabildo_engine::moderation::{self, Decision, Item};
    let w = world().await;
    let w = &w;
    let voter = person(&w.tenancy, &w.tenant, "v@x.es", true, Some("centro")).await;
    w.change(
        voter,
        w.city,
        Change::Replace {
            projects: vec![w.project[&'A'], w.project[&'F']],
            submit: true,
        },
    )
    .await
    .expect("ballot");
    let frozen = Err(Error::invalid(Field::Budget, Problem::VotingStarted));
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    for (verdict, cost) in [
        (Feasibility::Feasible, Some(35_100)),
        (Feasibility::Unfeasible, None),
    ] {
        let review = projects::review(&mut tx, &staff(), w.project[&'A'], verdict, "x", cost).await;
        assert_eq!(review.map(|_| ()), frozen, "{verdict:?} during voting");
    }
    let item = Item::Project(w.project[&'A'].into());
    let hide = moderation::decide(&mut tx, &staff(), item, Decision::Hide).await;
    assert_eq!(hide.map(|_| ()), frozen, "hiding during voting");
    // Blocking its author hides what they wrote, but not a project ballots hold.
    let author = person(&w.tenancy, &w.tenant, "autora@x.es", true, None).await;
    sqlx::query("UPDATE budget_projects SET author_id = $2 WHERE id = $1")
        .bind(w.project[&'A'])
        .bind(author)
        .execute(tx.conn())
        .await
        .expect("author");
    moderation::block(&mut tx, &staff(), author, "Spam")
        .await
        .expect("block");
    let kept = projects::get(&mut tx, w.project[&'A']).await.expect("get");
    assert!(
        kept.is_some(),
        "a project on the ballot stays through a block"
    );
    // A project that is not on the ballot can still be reviewed.
    projects::review(
        &mut tx,
        &staff(),
        w.project[&'D'],
        Feasibility::Unfeasible,
        "No",
        None,
    )
    .await
    .expect("off the ballot");
    tx.commit().await.expect("commit");

    shift(w, 25).await;
    let read = async || {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let outcome = tally::public_results(&mut tx, w.city)
            .await
            .expect("results");
        tx.commit().await.expect("commit");
        outcome
    };
    let published = read().await;
    let number = |letter: char| async move {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let project = projects::get(&mut tx, w.project[&letter])
            .await
            .expect("get");
        project.expect("project").number.to_string()
    };
    let b = number('B').await;
    assert!(!published.selected.contains(&b));
    // Whatever happens to the rows afterwards (here: paper votes written
    // behind the engine's back), the published count stands.
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query("UPDATE budget_projects SET paper_votes = 1000 WHERE id = $1")
        .bind(w.project[&'B'])
        .execute(tx.conn())
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");
    assert_eq!(read().await, published, "read again after the rows changed");

    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    assert_eq!(
        tally::recount(&mut tx, &staff(), w.city, " ")
            .await
            .map(|_| ()),
        Err(Error::invalid(Field::Reason, Problem::ReasonInvalid))
    );
    let recounted = tally::recount(&mut tx, &staff(), w.city, "Actas de papel recibidas tarde")
        .await
        .expect("recount");
    assert!(recounted.outcome.selected.contains(&b));
    let earlier = tally::superseded(&mut tx, w.city).await.expect("earlier");
    assert_eq!(earlier.len(), 1);
    assert_eq!(
        (&earlier[0].outcome, earlier[0].recount_reason.as_deref()),
        (&published, None)
    );
    assert_eq!(
        recounted.recount_reason.as_deref(),
        Some("Actas de papel recibidas tarde")
    );
    assert_ne!(recounted.input_digest, earlier[0].input_digest);
    let latest = cabildo_engine::staff::AuditQuery {
        limit: 5,
        ..Default::default()
    };
    let audit = cabildo_engine::staff::audit_lines(&mut tx, &latest)
        .await
        .expect("audit");
    assert!(audit.iter().any(|e| e.action == "budget.recount"));
    tx.commit().await.expect("commit");
    assert_eq!(read().await, recounted.outcome);

    // Another council sees no count and cannot recount this one.
    let other = council(&w.tenancy, "madrid").await.expect("council");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM budget_results")
        .fetch_one(tx.conn())
        .await
        .expect("count");
    assert_eq!(stored, 0);
    let foreign = tally::recount(&mut tx, &staff(), w.city, "x").await;
    assert_eq!(foreign.map(|_| ()), Err(Refusal::NotFound.into()));
    tx.commit().await.expect("commit");
}

/// The count jobs of the world's budget: (run at, unique key).
async fn count_jobs(w: &World) -> Vec<(time::OffsetDateTime, String)> {
    sqlx::query_as(
        "SELECT run_at, unique_key FROM platform.jobs
         WHERE kind = $1 AND tenant_id = $2 AND payload->>'budget' = $3 ORDER BY run_at",
    )
    .bind(tally::COUNT_KIND)
    .bind(w.tenant.id.0)
    .bind(w.budget.to_string())
    .fetch_all(w.tenancy.pool())
    .await
    .expect("jobs")
}

#[tokio::test]
async fn a_budget_is_counted_by_a_job_due_at_its_end_queued_once() {
    let w = world().await;
    let finished: time::OffsetDateTime = {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        let at = sqlx::query_scalar("SELECT finished_at FROM budgets WHERE id = $1")
            .bind(w.budget)
            .fetch_one(tx.conn())
            .await
            .expect("end");
        tx.commit().await.expect("commit");
        at
    };
    // The rules queued the count for the budget's end when they set it
    // (to the microsecond the two columns round to).
    let at_end =
        |at: &time::OffsetDateTime| (*at - finished).abs() < time::Duration::milliseconds(1);
    let jobs = count_jobs(&w).await;
    assert!(
        jobs.iter().any(|(at, _)| at_end(at)),
        "{jobs:?} for {finished}"
    );
    // A budget made before counting was the worker's had none: `migrate`
    // queues one per budget, once however often it runs.
    sqlx::query("DELETE FROM platform.jobs WHERE kind = $1 AND tenant_id = $2")
        .bind(tally::COUNT_KIND)
        .bind(w.tenant.id.0)
        .execute(w.tenancy.pool())
        .await
        .expect("as before");
    for _ in 0..2 {
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        assert_eq!(tally::queue_counts(&mut tx).await.expect("queued"), 1);
        tx.commit().await.expect("commit");
    }
    let jobs = count_jobs(&w).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert!(at_end(&jobs[0].0), "{jobs:?} for {finished}");
}
