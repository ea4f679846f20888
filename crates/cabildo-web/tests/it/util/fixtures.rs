//! Council content made through the engine: an open process, a budget in
//! its vote, people verified; and reading the API as an anonymous visitor.

use super::browser::Browser;
use super::world::{TOLEDO, World, logged_in};
use axum::http::StatusCode;
use cabildo_engine::budgets::projects::{self, Feasibility, NewProject};
use cabildo_engine::budgets::setup::{self, NewHeading, Settings};
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::seed;
use cabildo_engine::staff::{Actor, Role};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A published process on `slug` council with a phase enabling debates
/// and proposals that opened `opened_days_ago` and lasts 30 days.
pub async fn open_process(
    world: &World,
    council: &str,
    slug: &str,
    rules: Rules,
    opened_days_ago: i64,
) -> uuid::Uuid {
    let tenant = world.council(council).await;
    let actor = Actor("cli".into());
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let id = processes::create(
        &mut tx,
        &actor,
        &NewProcess {
            slug: slug.into(),
            title: "Plan de participación".into(),
            summary: "Ideas para la ciudad".into(),
            description: "Participa".into(),
            district: None,
            rules,
        },
    )
    .await
    .expect("create");
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &actor,
        id,
        &NewPhase {
            title: "Propuestas y debates".into(),
            starts_at: now - Duration::days(opened_days_ago),
            ends_at: now - Duration::days(opened_days_ago) + Duration::days(30),
            components: vec![Component::Debates, Component::Proposals],
        },
    )
    .await
    .expect("phase");
    assert!(
        processes::publish(&mut tx, &actor, id)
            .await
            .expect("publish")
    );
    tx.commit().await.expect("commit");
    id.into()
}

pub const OPEN_RULES: Rules = Rules {
    create: Who::Registered,
    support: Who::Registered,
    organisations_may_support: false,
    support_threshold: 3,
};

/// `body` as JSON, or the test fails showing it.
pub fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"))
}

/// A person logged in through the API, with their CSRF token.
pub struct Person {
    pub browser: Browser,
    pub csrf: String,
}

impl Person {
    pub async fn new(world: &World, host: &str, nickname: &str) -> Self {
        let mut browser = Browser::new(&world.app);
        let email = format!("{nickname}@example.org");
        let csrf = logged_in(world, &mut browser, host, nickname, &email, 1).await;
        Self { browser, csrf }
    }

    pub async fn call(
        &mut self,
        host: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let answer = self
            .browser
            .json(host, method, path, body, Some(&self.csrf))
            .await;
        let value = if answer.body.is_empty() {
            Value::Null
        } else {
            parse(&answer.body)
        };
        (answer.status, value)
    }

    /// Proposes "Fuente" in the process `process` of Toledo: its id.
    pub async fn propose(&mut self, process: &str) -> String {
        let path = format!("/api/v1/processes/{process}/proposals");
        let body = serde_json::json!({"title": "Fuente", "summary": "Agua"});
        let (status, proposal) = self.call(TOLEDO, "POST", &path, body).await;
        assert_eq!(status, StatusCode::CREATED, "{proposal}");
        proposal["id"].as_str().expect("id").to_owned()
    }

    /// Puts `bytes`, sent as `kind`, as the picture of Toledo's proposal `id`.
    pub async fn put_picture(
        &mut self,
        id: &str,
        kind: &str,
        bytes: impl Into<axum::body::Body>,
    ) -> crate::util::Answer {
        let request = axum::http::Request::put(format!("/api/v1/proposals/{id}/image"))
            .header(axum::http::header::CONTENT_TYPE, kind)
            .header("x-csrf-token", self.csrf.clone());
        self.browser.request(TOLEDO, request, bytes.into()).await
    }
}

/// A GET by a visitor without cookies, as JSON (`null` when it is not).
pub async fn anonymous(world: &World, host: &str, path: &str) -> (StatusCode, Value) {
    let answer = Browser::new(&world.app)
        .json(host, "GET", path, Value::Null, None)
        .await;
    let value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    (answer.status, value)
}

pub async fn count_notifications(world: &World, council: &str, nickname: &str, kind: &str) -> i64 {
    let tenant = world.council(council).await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.nickname = $1 AND n.kind = $2",
    )
    .bind(nickname)
    .bind(kind)
    .fetch_one(tx.conn())
    .await
    .expect("count");
    tx.commit().await.expect("commit");
    count
}

/// Moves the budget's dates so that it finished yesterday, and waits
/// for the world's worker to count it (its job for that end, as staff
/// moving the dates would queue).
pub async fn finish(world: &World) {
    let budget = finish_uncounted(world).await;
    queue_count(world, budget).await;
    wait_counted(world, budget).await;
}

/// Waits until every heading of the budget has a published count.
pub async fn wait_counted(world: &World, budget: cabildo_engine::BudgetId) {
    let tenant = world.council("toledo").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM budget_headings h WHERE h.budget_id = $1
               AND NOT EXISTS (SELECT 1 FROM budget_results r WHERE r.heading_id = h.id)",
        )
        .bind(budget)
        .fetch_one(tx.conn())
        .await
        .expect("headings");
        tx.commit().await.expect("commit");
        if waiting == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the worker did not count the budget"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Moves the budget's dates so that it finished yesterday, with no job to
/// count it: what staff see before the worker comes by. Returns the budget.
pub async fn finish_uncounted(world: &World) -> cabildo_engine::BudgetId {
    let tenant = world.council("toledo").await;
    end_behind_the_rules(&world.tenancy, &tenant).await.0
}

/// Moves `tenant`'s budget dates so that it finished yesterday, in SQL
/// (no job is queued): its id and its new end.
pub async fn end_behind_the_rules(
    tenancy: &cabildo_tenancy::Tenancy,
    tenant: &cabildo_tenancy::Tenant,
) -> (cabildo_engine::BudgetId, OffsetDateTime) {
    let mut tx = tenancy.begin(tenant).await.expect("begin");
    let ended = sqlx::query_as(
        "UPDATE budgets SET accepting_at = now() - interval '50 days', reviewing_at = now() - interval '40 days',
                selecting_at = now() - interval '30 days', balloting_at = now() - interval '20 days',
                tallying_at = now() - interval '10 days', finished_at = now() - interval '1 day'
         RETURNING id, finished_at",
    )
    .fetch_one(tx.conn())
    .await
    .expect("time passes");
    tx.commit().await.expect("commit");
    ended
}

/// Queues the job counting the finished budget, as staff moving its end
/// would.
pub async fn queue_count(world: &World, budget: cabildo_engine::BudgetId) {
    let tenant = world.council("toledo").await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let finished: OffsetDateTime =
        sqlx::query_scalar("SELECT finished_at FROM budgets WHERE id = $1")
            .bind(budget)
            .fetch_one(tx.conn())
            .await
            .expect("end");
    tx.enqueue(&cabildo_engine::budgets::tally::count_job(budget, finished));
    tx.commit().await.expect("commit");
}

/// Toledo's process "presupuestos" with a budget in its balloting phase:
/// one city-wide heading of 100 € (at most 2 projects) and projects A 40 €,
/// B 60 €, F 10 € on the ballot. Returns the heading and the projects.
pub async fn budget(world: &World) -> (Uuid, [Uuid; 3]) {
    let process = open_process(world, "toledo", "presupuestos", OPEN_RULES, 1).await;
    let tenant = world.council("toledo").await;
    let actor = Actor("cli".into());
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    let headings = [NewHeading {
        name: "Toda la ciudad".into(),
        district: None,
        amount_cents: 10_000,
        max_projects: Some(2),
    }];
    let budget = setup::create(&mut tx, &actor, process.into(), &settings(1), &headings)
        .await
        .expect("create");
    let heading = setup::get(&mut tx, budget)
        .await
        .expect("get")
        .expect("budget")
        .headings[0]
        .id;
    let mut ids = [Uuid::nil(); 3];
    for (slot, (title, cents)) in
        ids.iter_mut()
            .zip([("Fuente A", 4_000), ("Parque B", 6_000), ("Banco F", 1_000)])
    {
        let id = projects::create(
            &mut tx,
            &actor,
            None,
            &NewProject {
                heading,
                title: title.into(),
                description: "<script>alert(1)</script>".into(),
                location: String::new(),
                point: None,
                estimated_cost_cents: cents,
            },
        )
        .await
        .expect("project");
        projects::review(&mut tx, &actor, id, Feasibility::Feasible, "", None)
            .await
            .expect("review");
        projects::set_on_ballot(&mut tx, &actor, id, true)
            .await
            .expect("ballot");
        *slot = id.into();
    }
    setup::update(&mut tx, &actor, budget, &settings(-1), &headings, None)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
    (heading.into(), ids)
}

pub async fn verify(world: &World, council: &str, nickname: &str) {
    let tenant = world.council(council).await;
    let mut tx = world.tenancy.begin(&tenant).await.expect("begin");
    sqlx::query("UPDATE users SET verified_at = now() WHERE nickname = $1")
        .bind(nickname)
        .execute(tx.conn())
        .await
        .expect("verify");
    tx.commit().await.expect("commit");
}

fn settings(balloting_in_days: i64) -> Settings {
    Settings {
        title: "Presupuestos 2027".into(),
        verified_only: true,
        ..seed::budget_settings(balloting_in_days)
    }
}

/// Someone to act in a test, made the way a person is: registered and
/// confirmed through the API, then verified or given a staff role as asked.
/// `.await` it for the [`Person`], logged in:
/// `world.citizen("ana").verified().staff(Role::Admin).await`.
pub struct CitizenBuilder<'a> {
    world: &'a World,
    host: &'static str,
    nickname: String,
    verified: bool,
    role: Option<Role>,
}

impl World {
    /// A citizen of Toledo with this nickname (mail `{nickname}@example.org`).
    pub fn citizen(&self, nickname: &str) -> CitizenBuilder<'_> {
        CitizenBuilder {
            world: self,
            host: super::world::TOLEDO,
            nickname: nickname.to_owned(),
            verified: false,
            role: None,
        }
    }
}

impl CitizenBuilder<'_> {
    /// Of the council on `host` instead.
    pub fn on(mut self, host: &'static str) -> Self {
        self.host = host;
        self
    }

    /// A verified resident (in the census).
    pub fn verified(mut self) -> Self {
        self.verified = true;
        self
    }

    /// With the council staff role `role`.
    pub fn staff(mut self, role: Role) -> Self {
        self.role = Some(role);
        self
    }
}

impl<'a> IntoFuture for CitizenBuilder<'a> {
    type Output = Person;
    type IntoFuture = std::pin::Pin<Box<dyn Future<Output = Person> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let person = Person::new(self.world, self.host, &self.nickname).await;
            let slug = self.host.split('.').next().expect("council host");
            if self.verified {
                let tenant = self.world.council(slug).await;
                let mut tx = self.world.tenancy.begin(&tenant).await.expect("begin");
                sqlx::query("UPDATE users SET verified_at = now() WHERE nickname = $1")
                    .bind(&self.nickname)
                    .execute(tx.conn())
                    .await
                    .expect("verify");
                tx.commit().await.expect("commit");
            }
            if let Some(role) = self.role {
                let email = format!("{}@example.org", self.nickname);
                self.world.grant(slug, &email, role).await;
            }
            person
        })
    }
}

/// The repository's folder (for `plans/`, `billing/`).
pub fn repository() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The plans shipped in `plans/`.
pub fn shipped_plans() -> Vec<cabildo_billing::plans::Plan> {
    cabildo_billing::plans::read_plans(&repository().join("plans")).expect("plans/")
}

/// Applies the shipped plans, as `cabildo billing plans apply plans/`.
pub async fn apply_plans(tenancy: &cabildo_tenancy::Tenancy) {
    (cabildo_billing::plans::apply(tenancy, &shipped_plans()).await).expect("plans applied");
}
