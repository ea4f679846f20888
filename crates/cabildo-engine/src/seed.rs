//! Synthetic participation for benchmarks and load tests: a published
//! process in its proposals phase with many people, proposals, supports,
//! debates and comments, written in set-based statements (thousands of
//! rows each). Counters are computed from the rows at the end, so they are
//! exact. Seeded people have addresses under `seed.invalid`, no password,
//! and nicknames starting with the run's tag.

use crate::accounts::api_tokens;
use crate::error::{Error, Result};
use crate::ids::{CommentId, HeadingId, ProcessId, ProjectId, ProposalId, UserId};
use crate::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use crate::staff::Actor;
use cabildo_tenancy::{TenantTx, Zone};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How much to seed.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The new process's address part.
    pub process: String,
    /// People who propose, support and comment.
    pub people: i64,
    /// Proposals.
    pub proposals: i64,
    /// Supports (each person supports `supports / people` proposals).
    pub supports: i64,
    /// Comments (500 of them on the first proposal, in threads).
    pub comments: i64,
    /// Debates.
    pub debates: i64,
    /// Supports that qualify a proposal.
    pub threshold: i32,
}

/// Rows per statement.
pub const BATCH: i64 = 20_000;

/// Comments on the first proposal (its page is the heavy detail page).
pub const HOT_COMMENTS: i64 = 500;

/// Topics and places that titles are made of, so that search finds things.
const TOPICS: &str = "ARRAY['Más bancos', 'Carril bici', 'Nueva biblioteca', 'Fuentes de agua', 'Árboles y sombra',
    'Mercado de abastos', 'Autobús nocturno', 'Plaza peatonal', 'Huerto urbano', 'Polideportivo cubierto',
    'Parque infantil', 'Contenedores de reciclaje', 'Iluminación', 'Aceras accesibles', 'Centro de mayores']";
const PLACES: &str =
    "ARRAY['en el Casco Histórico', 'en Santa Bárbara', 'en el Polígono', 'en Palomarejos',
    'en Buenavista', 'junto al río', 'en el barrio', 'para toda la ciudad']";

/// The seeded process's id and the run's tag.
#[derive(Clone, Debug)]
pub struct Seeded {
    /// The process.
    pub process: ProcessId,
    /// Seeded people, in order.
    pub people: Vec<UserId>,
    /// What marks this run's rows.
    pub tag: String,
}

/// Creates the process (open for debates and proposals from yesterday for
/// 60 days) and its people.
pub async fn start(tx: &mut TenantTx, plan: &Plan) -> Result<Seeded> {
    let actor = Actor("cli:seed".into());
    let new = NewProcess {
        slug: plan.process.clone(),
        title: "Plan de participación ciudadana (datos de prueba)".into(),
        summary: "Un proceso con muchas propuestas, apoyos y comentarios sintéticos.".into(),
        description: "Datos generados por `cabildo seed`.".into(),
        district: None,
        rules: Rules {
            create: Who::Registered,
            support: Who::Registered,
            organisations_may_support: false,
            support_threshold: plan.threshold,
        },
    };
    let process = processes::create(tx, &actor, &new).await?;
    let now = OffsetDateTime::now_utc();
    let phase = NewPhase {
        title: "Propuestas y debates".into(),
        starts_at: now - Duration::days(1),
        ends_at: now + Duration::days(60),
        components: vec![Component::Debates, Component::Proposals],
    };
    processes::add_phase(tx, &actor, process, &phase).await?;
    processes::publish(tx, &actor, process).await?;
    let tag: String = Uuid::new_v4().simple().to_string()[..6].to_owned();
    let people: Vec<UserId> = sqlx::query_scalar(
        "WITH districts AS (SELECT array_agg(code ORDER BY position, code) AS codes FROM districts)
         INSERT INTO users (email, name, nickname, email_confirmed_at, terms_accepted_at,
                            verified_at, district_code)
         SELECT 'seed-' || $1 || '-' || g || '@seed.invalid', 'Participante ' || g, 's' || $1 || '-' || g, now(), now(),
                -- Three in five verified, as residents of each district in turn.
                CASE WHEN g % 5 < 3 THEN now() END,
                CASE WHEN g % 5 < 3 THEN codes[1 + g % greatest(cardinality(codes), 1)] END
         FROM generate_series(1, $2) AS g, districts ORDER BY g RETURNING id",
    )
    .bind(&tag)
    .bind(plan.people.max(1))
    .fetch_all(tx.conn())
    .await?;
    Ok(Seeded {
        process,
        people,
        tag,
    })
}

/// Proposals `from..to` (0-based), by people in turn, newest last.
pub async fn proposals(tx: &mut TenantTx, seeded: &Seeded, from: i64, to: i64) -> Result<()> {
    let sql = format!(
        "INSERT INTO proposals (id, process_id, author_id, title, summary, body, created_at)
         SELECT md5($3 || '-proposal-' || g)::uuid, $1, ($2::uuid[])[1 + g % array_length($2::uuid[], 1)],
                ({TOPICS})[1 + g % 15] || ' ' || ({PLACES})[1 + (g / 15) % 8] || ' (' || g || ')',
                'Propuesta ' || g || ': ' || lower(({TOPICS})[1 + g % 15]) || ' ' || ({PLACES})[1 + (g / 15) % 8] || '.',
                repeat('Texto de la propuesta con sus razones y su coste aproximado. ', (1 + g % 5)::int),
                now() - make_interval(mins => ($5 - g)::int)
         FROM generate_series($4, $5 - 1) AS g"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seeded.process)
        .bind(&seeded.people)
        .bind(&seeded.tag)
        .bind(from)
        .bind(to)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The process's proposals, oldest first.
pub async fn proposal_ids(tx: &mut TenantTx, process: ProcessId) -> Result<Vec<ProposalId>> {
    Ok(
        sqlx::query_scalar(
            "SELECT id FROM proposals WHERE process_id = $1 ORDER BY created_at, id",
        )
        .bind(process)
        .fetch_all(tx.conn())
        .await?,
    )
}

/// The first proposal (the one with [`HOT_COMMENTS`] comments).
pub async fn hot_proposal(tx: &mut TenantTx, seeded: &Seeded) -> Result<ProposalId> {
    Ok(sqlx::query_scalar("SELECT md5($1 || '-proposal-0')::uuid")
        .bind(&seeded.tag)
        .fetch_one(tx.conn())
        .await?)
}

/// Supports `from..to` of `total`: support number `k` is by person
/// `k % people`, each person's supports spread over distinct proposals.
pub async fn supports(
    tx: &mut TenantTx,
    seeded: &Seeded,
    plan: &Plan,
    from: i64,
    to: i64,
) -> Result<u64> {
    let people = i64::try_from(seeded.people.len()).unwrap_or(1).max(1);
    let per_person = ((plan.supports + people - 1) / people).max(1);
    let stride = (plan.proposals / per_person).max(1);
    let done = sqlx::query(
        "INSERT INTO supports (proposal_id, user_id, created_at)
         SELECT md5($3 || '-proposal-' || ((k % $4) * 7919 + (k / $4) * $5) % $6)::uuid,
                ($2::uuid[])[1 + k % $4], now() - make_interval(secs => k::int)
         FROM generate_series($7, $8 - 1) AS k
         ON CONFLICT DO NOTHING",
    )
    .bind(seeded.process)
    .bind(&seeded.people)
    .bind(&seeded.tag)
    .bind(people)
    .bind(stride)
    .bind(plan.proposals.max(1))
    .bind(from)
    .bind(to)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// Debates of the process.
pub async fn debates(tx: &mut TenantTx, seeded: &Seeded, count: i64) -> Result<()> {
    let sql = format!(
        "INSERT INTO debates (id, process_id, author_id, title, body, created_at)
         SELECT md5($3 || '-debate-' || g)::uuid, $1, ($2::uuid[])[1 + g % array_length($2::uuid[], 1)],
                '¿' || ({TOPICS})[1 + g % 15] || ' ' || ({PLACES})[1 + (g / 15) % 8] || '? (' || g || ')',
                'Abramos el debate: ¿qué os parece? ' || g, now() - make_interval(hours => ($4 - g)::int)
         FROM generate_series(0, $4 - 1) AS g"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seeded.process)
        .bind(&seeded.people)
        .bind(&seeded.tag)
        .bind(count)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Comments `from..to`: the first [`HOT_COMMENTS`] on the first proposal
/// in threads five deep, then one in ten on debates, the rest top-level on
/// proposals in turn.
pub async fn comments(
    tx: &mut TenantTx,
    seeded: &Seeded,
    plan: &Plan,
    from: i64,
    to: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO comments (id, process_id, target_kind, target_id, parent_id, root_id, depth,
                               author_id, body, alignment, created_at)
         SELECT md5($3 || '-comment-' || g)::uuid, $1,
                CASE WHEN g < $4 THEN 'proposal' WHEN g % 10 = 0 AND $6 > 0 THEN 'debate' ELSE 'proposal' END,
                CASE WHEN g < $4 THEN md5($3 || '-proposal-0')::uuid
                     WHEN g % 10 = 0 AND $6 > 0 THEN md5($3 || '-debate-' || (g / 10) % $6)::uuid
                     ELSE md5($3 || '-proposal-' || (1 + g % ($5 - 1)))::uuid END,
                CASE WHEN g < $4 AND g % 5 <> 0 THEN md5($3 || '-comment-' || (g - 1))::uuid END,
                CASE WHEN g < $4 THEN md5($3 || '-comment-' || (g - g % 5))::uuid
                     ELSE md5($3 || '-comment-' || g)::uuid END,
                CASE WHEN g < $4 THEN g % 5 ELSE 0 END,
                ($2::uuid[])[1 + (g * 13) % array_length($2::uuid[], 1)],
                'Comentario ' || g || ': estoy ' || (ARRAY['a favor', 'en contra', 'de acuerdo a medias'])[1 + g % 3]
                    || ' porque el barrio lo necesita.',
                (g % 3) - 1, now() - make_interval(secs => ($8 - g)::int)
         FROM generate_series($7, $8 - 1) AS g",
    )
    .bind(seeded.process)
    .bind(&seeded.people)
    .bind(&seeded.tag)
    .bind(HOT_COMMENTS)
    .bind(plan.proposals.max(2))
    .bind(plan.debates)
    .bind(from)
    .bind(to)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets every counter of the process from its rows, and marks qualified
/// proposals.
pub async fn counters(tx: &mut TenantTx, seeded: &Seeded) -> Result<()> {
    sqlx::query(
        "UPDATE proposals r SET
             supports_count = (SELECT count(*) FROM supports s WHERE s.proposal_id = r.id),
             comments_count = (SELECT count(*) FROM comments c WHERE c.target_kind = 'proposal'
                               AND c.target_id = r.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL)
         WHERE r.process_id = $1",
    )
    .bind(seeded.process)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE proposals r SET qualified_at = now() FROM processes p
         WHERE p.id = r.process_id AND r.process_id = $1 AND r.supports_count >= p.support_threshold",
    )
    .bind(seeded.process)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE debates d SET comments_count = (SELECT count(*) FROM comments c WHERE c.target_kind = 'debate'
                               AND c.target_id = d.id AND c.deleted_at IS NULL AND c.hidden_at IS NULL)
         WHERE d.process_id = $1",
    )
    .bind(seeded.process)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Creates `count` more people, each with a personal access token, who
/// have supported nothing (for load tests of support casting).
pub async fn people_with_tokens(
    tx: &mut TenantTx,
    seeded: &Seeded,
    count: i64,
) -> Result<Vec<String>> {
    let people: Vec<UserId> = sqlx::query_scalar(
        "INSERT INTO users (email, name, nickname, email_confirmed_at, terms_accepted_at)
         SELECT 'seed-' || $1 || '-t' || g || '@seed.invalid', 'Votante ' || g, 's' || $1 || '-t' || g, now(), now()
         FROM generate_series(1, $2) AS g ORDER BY g RETURNING id",
    )
    .bind(&seeded.tag)
    .bind(count)
    .fetch_all(tx.conn())
    .await?;
    let mut tokens = Vec::with_capacity(people.len());
    for person in people {
        if let Some((_, token)) = allowed(api_tokens::create(tx, person, "seed").await)? {
            tokens.push(token);
        }
    }
    Ok(tokens)
}

/// The settings of a seeded budget (also a starting point for tests):
/// knapsack voting by anyone with an account, the Method of Equal Shares,
/// voting from `balloting_in_days` days from now for 30 days.
pub fn budget_settings(balloting_in_days: i64) -> crate::budgets::setup::Settings {
    use crate::budgets::results::{Completion, Rule, Tie};
    use crate::budgets::setup::{Dates, Settings, Style};
    let at = |days: i64| OffsetDateTime::now_utc() + Duration::days(balloting_in_days + days);
    Settings {
        title: "Presupuestos participativos (datos de prueba)".into(),
        currency: "EUR".into(),
        style: Style::Knapsack,
        min_spend_percent: 0,
        verified_only: false,
        max_supports: None,
        ballots_changeable: true,
        rule: Rule::Mes,
        tie: Tie::Id,
        completion: Completion::Exhaustive,
        dates: Dates {
            accepting: at(-30),
            reviewing: at(-20),
            selecting: at(-10),
            balloting: at(0),
            tallying: at(30),
            finished: at(40),
        },
    }
}

/// The start of the local day `days` from today in `zone`: the demo's
/// phases are whole days in the council's time zone, as staff enter them.
fn local_day(zone: &Zone, days: i64) -> OffsetDateTime {
    let today = zone.local(OffsetDateTime::now_utc()).date();
    zone.start_of(today + Duration::days(days))
}

/// Budget phases on whole local days of `zone`: voting from
/// `balloting_in_days` days from today for 30 days.
fn budget_days(zone: &Zone, balloting_in_days: i64) -> crate::budgets::setup::Dates {
    let at = |days: i64| local_day(zone, balloting_in_days + days);
    crate::budgets::setup::Dates {
        accepting: at(-30),
        reviewing: at(-20),
        selecting: at(-10),
        balloting: at(0),
        tallying: at(30),
        finished: at(40),
    }
}

/// Gives the seeded process a budget open for voting now: one city-wide
/// heading of 1,000,000 € (anyone with an account votes) and `projects`
/// feasible projects of 1,000–50,000 € on the ballot. Returns the heading
/// and the projects.
pub async fn budget(
    tx: &mut TenantTx,
    seeded: &Seeded,
    projects: i64,
) -> Result<(HeadingId, Vec<ProjectId>)> {
    let projects: Vec<(String, String, i64)> = (0..projects)
        .map(|i| {
            (
                format!("Proyecto de prueba {}", i + 1),
                "Un proyecto sintético para medir la votación.".to_owned(),
                100_000 + (i * 7_919) % 4_900_000,
            )
        })
        .collect();
    open_budget(
        tx,
        &Actor("cli:seed".into()),
        seeded.process,
        &budget_settings(1),
        budget_settings(-1).dates,
        100_000_000,
        &projects,
    )
    .await
}

/// Gives `process` a budget with `settings` (balloting in the future) and
/// one city-wide heading of `amount_cents`, puts `projects` (title,
/// description, cents) on its ballot as reviewed feasible, then opens the
/// vote from yesterday. Returns the heading and the projects.
async fn open_budget(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    settings: &crate::budgets::setup::Settings,
    open: crate::budgets::setup::Dates,
    amount_cents: i64,
    projects: &[(String, String, i64)],
) -> Result<(HeadingId, Vec<ProjectId>)> {
    use crate::budgets::projects::{self as budget_projects, Feasibility, NewProject};
    use crate::budgets::setup::{self, NewHeading};
    let headings = [NewHeading {
        name: "Toda la ciudad".into(),
        district: None,
        amount_cents,
        max_projects: None,
    }];
    let budget = setup::create(tx, actor, process, settings, &headings).await?;
    let Some(heading) = setup::get(tx, budget)
        .await?
        .and_then(|b| b.headings.first().map(|h| h.id))
    else {
        return Err(crate::Refusal::NotFound.into());
    };
    let mut ids = Vec::new();
    for (title, description, cents) in projects {
        let new = NewProject {
            heading,
            title: title.clone(),
            description: description.clone(),
            location: String::new(),
            point: None,
            estimated_cost_cents: *cents,
        };
        let id = budget_projects::create(tx, actor, None, &new).await?;
        budget_projects::review(tx, actor, id, Feasibility::Feasible, "", None).await?;
        budget_projects::set_on_ballot(tx, actor, id, true).await?;
        ids.push(id);
    }
    let open = crate::budgets::setup::Settings {
        dates: open,
        ..settings.clone()
    };
    setup::update(tx, actor, budget, &open, &headings, None).await?;
    Ok((heading, ids))
}

/// The demo's address part for its process.
pub const DEMO_PROCESS: &str = "plan-participacion";

/// A demo council's process, so the site is alive on first start: "a plan
/// to boost citizen participation" in its proposals phase, with a few
/// verified residents, debates, proposals, comments and supports, written
/// through the same rules as people's own. Does nothing when the process
/// exists already (the demo starts many times on one data folder).
pub async fn demo(tx: &mut TenantTx, council: &str, zone: &Zone) -> Result<bool> {
    use crate::comments::{self, NewComment};
    use crate::content::Target;
    use crate::debates::{self, NewDebate};
    use crate::proposals::{self, NewProposal};
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM processes WHERE slug = $1)")
            .bind(DEMO_PROCESS)
            .fetch_one(tx.conn())
            .await?;
    if exists {
        return Ok(false);
    }
    let districts: Vec<String> = sqlx::query_scalar("SELECT code FROM districts ORDER BY position")
        .fetch_all(tx.conn())
        .await?;
    let actor = Actor("cli:demo".into());
    let new = NewProcess {
        slug: DEMO_PROCESS.into(),
        title: "Plan para impulsar la participación ciudadana".into(),
        summary: "Queremos que participen también quienes no forman parte de ninguna asociación: debate los temas, haz propuestas y apoya las que te convenzan.".into(),
        description: format!("{council} abre este proceso para **escuchar a toda la ciudadanía**.\n\n1. Debates sobre los temas elegidos.\n2. Propuestas de vecinas y vecinos, que necesitan apoyos para pasar a estudio.\n3. Respuesta oficial a cada propuesta que alcance sus apoyos."),
        district: None,
        rules: Rules {
            create: Who::Registered,
            support: Who::Verified,
            organisations_may_support: false,
            support_threshold: 5,
        },
    };
    let Some(process) = allowed(processes::create(tx, &actor, &new).await)? else {
        return Ok(false);
    };
    let day = |d: i64| local_day(zone, d);
    for (title, from, to, components) in [
        ("Debate de los temas", -20, 25, vec![Component::Debates]),
        ("Propuestas y apoyos", -10, 35, vec![Component::Proposals]),
        (
            "Presupuestos participativos",
            -1,
            30,
            vec![Component::Budget],
        ),
        (
            "Consulta sobre los centros cívicos",
            -1,
            30,
            vec![Component::Consultation],
        ),
        (
            "Encuesta sobre los centros cívicos",
            -1,
            30,
            vec![Component::Surveys],
        ),
        ("Respuesta del ayuntamiento", 35, 60, vec![]),
    ] {
        let phase = NewPhase {
            title: title.into(),
            starts_at: day(from),
            ends_at: day(to),
            components,
        };
        allowed(processes::add_phase(tx, &actor, process, &phase).await)?;
    }
    processes::publish(tx, &actor, process).await?;
    demo_consultation(tx, &actor, process, zone).await?;
    demo_closed_consultation(tx, &actor, process, zone).await?;
    demo_survey(tx, &actor, process).await?;
    demo_poll(tx, &actor, zone).await?;
    let people: Vec<UserId> = sqlx::query_scalar(
        "INSERT INTO users (email, name, nickname, email_confirmed_at, terms_accepted_at, verified_at, district_code)
         SELECT 'vecino' || g || '@demo.invalid', n, lower(split_part(n, ' ', 1)) || '_demo', now(), now(), now(),
                ($1::text[])[1 + g % greatest(array_length($1::text[], 1), 1)]
         FROM unnest(ARRAY['Lucía Martín', 'Javier Gómez', 'Carmen Ruiz', 'Pablo Díaz', 'Elena Sanz', 'Andrés Moreno'])
              WITH ORDINALITY AS t(n, g)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&districts)
    .fetch_all(tx.conn())
    .await?;
    if people.len() < 6 {
        return Ok(true);
    }
    let district = |i: usize| districts.get(i % districts.len().max(1)).cloned();
    let mut debate_ids = Vec::new();
    for (i, (title, body)) in [
        ("¿Cómo llegamos a quienes no participan nunca?", "Las asociaciones ya participan. ¿Qué haría falta para que se animen también los vecinos que no están en ninguna?"),
        ("Horarios de las reuniones de barrio", "Muchas reuniones son por la tarde, cuando mucha gente trabaja. ¿Probamos otros horarios o reuniones en línea?"),
        ("Presupuestos participativos: ¿por dónde empezamos?", "El año que viene llega el primer presupuesto participativo. ¿Qué os gustaría decidir?"),
    ]
    .into_iter()
    .enumerate()
    {
        let debate = NewDebate { title: title.into(), body: body.into(), district: None };
        if let Some(id) = allowed(debates::create(tx, people[i], process, &debate).await)? {
            debate_ids.push(id);
        }
    }
    let mut proposal_ids = Vec::new();
    // Where each proposal is, in words and on the map (none: the whole city).
    for (i, (title, summary, (address, point))) in [
        ("Puntos de información en los mercados", "Mesas informativas los sábados en los mercados de cada barrio, para explicar cómo participar.", ("Mercado de Abastos, Plaza Mayor", Some((39.8566, -4.0229)))),
        ("Buzón de propuestas en los centros cívicos", "Un buzón físico para quien no usa internet, con las propuestas pasadas a la web cada semana.", ("Centro cívico, Santa María de Benquerencia", Some((39.8668, -3.9652)))),
        ("Consejos de barrio abiertos a cualquier vecino", "Que cualquier persona empadronada pueda asistir y hablar en los consejos de barrio.", ("", None)),
        ("Formación digital para mayores", "Talleres en los centros de mayores para aprender a participar desde el móvil.", ("Centro de mayores, Palomarejos", Some((39.8662, -4.0335)))),
        ("Más bancos y sombra en el paseo del río", "Bancos cada 200 metros y árboles de sombra a lo largo del paseo.", ("Paseo de la Rosa", Some((39.8588, -4.0140)))),
        ("Carril bici entre barrios", "Un carril bici seguro que una los barrios con el centro.", ("Avenida de Europa", Some((39.8705, -4.0318)))),
    ]
    .into_iter()
    .enumerate()
    {
        let proposal = NewProposal {
            title: title.into(),
            summary: summary.into(),
            body: String::new(),
            district: if i >= 4 { district(i) } else { None },
            address: address.into(),
            point,
        };
        if let Some(id) = allowed(proposals::create(tx, people[i % people.len()], process, &proposal).await)? {
            proposal_ids.push(id);
        }
    }
    // Supports: the first proposal reaches the threshold of 5.
    for (p, supporters) in proposal_ids.iter().zip([6, 4, 3, 2, 1, 1]) {
        for person in people.iter().take(supporters) {
            allowed(proposals::support(tx, *person, *p).await)?;
        }
    }
    let comment = |body: &str, alignment: i16, parent: Option<CommentId>| NewComment {
        body: body.into(),
        alignment,
        parent,
    };
    if let (Some(debate), Some(proposal)) = (debate_ids.first(), proposal_ids.first()) {
        if let Some(first) = allowed(
            comments::create(
                tx,
                people[1],
                Target::Debate(*debate),
                &comment(
                    "Haría falta ir a donde está la gente: mercados, colegios, centros de salud.",
                    1,
                    None,
                ),
                false,
            )
            .await,
        )? {
            allowed(
                comments::create(
                    tx,
                    people[0],
                    Target::Debate(*debate),
                    &comment(
                        "De acuerdo, y con horarios que no choquen con el trabajo.",
                        1,
                        Some(first.id),
                    ),
                    false,
                )
                .await,
            )?;
        }
        allowed(
            comments::create(
                tx,
                people[2],
                Target::Debate(*debate),
                &comment(
                    "Yo creo que primero hay que explicar qué se decide de verdad.",
                    0,
                    None,
                ),
                false,
            )
            .await,
        )?;
        allowed(
            comments::create(
                tx,
                people[3],
                Target::Proposal(*proposal),
                &comment(
                    "Me parece muy buena idea, sobre todo para la gente mayor.",
                    1,
                    None,
                ),
                false,
            )
            .await,
        )?;
        allowed(
            comments::create(
                tx,
                people[4],
                Target::Proposal(*proposal),
                &comment(
                    "¿Quién atendería las mesas? Habría que contar con voluntariado.",
                    -1,
                    None,
                ),
                false,
            )
            .await,
        )?;
    }
    demo_budget(tx, &actor, process, &people, zone).await?;
    demo_past_budget(tx, &actor, &people, zone).await?;
    demo_meetings(
        tx,
        &actor,
        process,
        &people,
        proposal_ids.get(2).copied(),
        zone,
    )
    .await?;
    demo_citizens_assembly(tx, &actor, &people).await?;
    Ok(true)
}

/// A citizens' assembly on the climate, drawn by lot among the demo's
/// residents: each is given a record of the demo census (not those the
/// README lists for verifying by hand), volunteers, and four seats are
/// drawn with a published seed.
async fn demo_citizens_assembly(tx: &mut TenantTx, actor: &Actor, people: &[UserId]) -> Result<()> {
    use crate::assemblies::{self, NewAssembly, lottery};
    let new = NewAssembly {
        slug: "asamblea-clima".into(),
        name: "Asamblea Ciudadana por el Clima".into(),
        purpose: "Vecinas y vecinos elegidos por sorteo estudian durante seis meses cómo adaptar la ciudad al calor y proponen medidas al Pleno.".into(),
        kind: "citizens".into(),
        district: None,
        translations: Default::default(),
    };
    let Some(assembly) = allowed(assemblies::create(tx, actor, &new).await)? else {
        return Ok(());
    };
    assemblies::publish(tx, actor, assembly).await?;
    sqlx::query(
        "INSERT INTO census_claims (document_hash, user_id)
         SELECT r.document_hash, p.id
         FROM (SELECT document_hash, row_number() OVER (ORDER BY document_hash) AS n FROM census
               WHERE birth_date NOT IN (date '1981-03-13', date '1946-02-27')
                 AND document_hash NOT IN (SELECT document_hash FROM census_claims)) r
         JOIN (SELECT u.id, row_number() OVER (ORDER BY u.n) AS n
               FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)
               WHERE NOT EXISTS (SELECT 1 FROM census_claims c WHERE c.user_id = u.id)) p
           ON p.n = r.n
         ON CONFLICT DO NOTHING",
    )
    .bind(people)
    .execute(tx.conn())
    .await?;
    for (n, person) in people.iter().enumerate() {
        let sex = if n % 2 == 0 { "female" } else { "male" };
        allowed(lottery::volunteer(tx, assembly, *person, sex).await)?;
    }
    allowed(lottery::run(tx, actor, assembly, "ONCE 2026-11-20 58213", 4).await)?;
    Ok(())
}

/// The participation council (an assembly with members), the meeting it
/// held three weeks ago — minutes published, one agreement deciding on
/// `decided` — and its next one in five days with two people registered;
/// and an information session of the demo process in two days, in a
/// civic centre and online.
async fn demo_meetings(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    people: &[UserId],
    decided: Option<ProposalId>,
    zone: &Zone,
) -> Result<()> {
    use crate::assemblies::{self, NewAssembly, NewMember};
    use crate::meetings::minutes::{self, NewAgreement};
    use crate::meetings::{self, NewMeeting, registrations};
    let new = NewAssembly {
        slug: "consejo-participacion".into(),
        name: "Consejo de Participación Ciudadana".into(),
        purpose: "Órgano de consulta en el que asociaciones, vecinas y vecinos y el Ayuntamiento siguen los procesos de participación y proponen cómo mejorarlos.\n\nSe reúne una vez al mes; sus reuniones son abiertas al público.".into(),
        kind: "sector".into(),
        district: None,
        translations: Default::default(),
    };
    let Some(assembly) = allowed(assemblies::create(tx, actor, &new).await)? else {
        return Ok(());
    };
    assemblies::publish(tx, actor, assembly).await?;
    let today = zone.local(OffsetDateTime::now_utc()).date();
    for (name, role, kind) in [
        (
            "Concejalía de Participación Ciudadana",
            "president",
            "staff",
        ),
        ("María José Alonso", "secretary", "staff"),
        ("Lucía Martín", "member", "resident"),
        ("Javier Gómez", "member", "resident"),
        ("Carmen Ruiz", "member", "resident"),
    ] {
        let member = NewMember {
            kind: kind.into(),
            name: name.into(),
            email: String::new(),
            organisation: None,
            representative: String::new(),
            role: role.into(),
            term_starts: today - Duration::days(200),
            term_ends: None,
        };
        assemblies::add_member(tx, actor, assembly, &member).await?;
    }
    let at = |days: i64, hour: u8| {
        let clock = time::Time::from_hms(hour, 0, 0).unwrap_or(time::Time::MIDNIGHT);
        zone.at(today + Duration::days(days), clock)
    };
    let place = "Centro Cívico Santa Bárbara, Calle Río Ebro 1, Toledo";
    let point = Some((39.8590, -4.0098));
    let meeting = |title: &str, days: i64, agenda: &[&str]| NewMeeting {
        assembly: Some(assembly),
        title: title.into(),
        agenda: agenda.iter().map(|a| (*a).to_owned()).collect(),
        starts_at: Some(at(days, 19)),
        ends_at: Some(at(days, 21)),
        address: place.into(),
        point,
        capacity: Some(40),
        registration: "open".into(),
        ..NewMeeting::default()
    };
    let held = meetings::create(
        tx,
        actor,
        &meeting(
            "Reunión ordinaria",
            -21,
            &[
                "Aprobación del acta anterior",
                "Seguimiento del plan de participación",
                "Ruegos y preguntas",
            ],
        ),
    )
    .await?;
    meetings::publish(tx, actor, held).await?;
    let agreements = [
        NewAgreement {
            text: "El Consejo apoya abrir los consejos de barrio a cualquier persona empadronada y pide al Ayuntamiento un calendario para hacerlo.".into(),
            proposal: decided,
        },
        NewAgreement {
            text: "La próxima reunión tratará los horarios de las reuniones de barrio.".into(),
            proposal: None,
        },
    ];
    minutes::publish(
        tx,
        actor,
        held,
        "Asisten 14 personas: cinco miembros del Consejo y nueve vecinas y vecinos.\n\nSe aprueba el acta de la reunión anterior. La Concejalía presenta el estado del plan de participación y responde a las preguntas del público.",
        &agreements,
    )
    .await?;
    let next = meetings::create(
        tx,
        actor,
        &meeting(
            "Reunión ordinaria: horarios de los consejos de barrio",
            5,
            &[
                "Aprobación del acta anterior",
                "Horarios de las reuniones de barrio",
                "Ruegos y preguntas",
            ],
        ),
    )
    .await?;
    meetings::publish(tx, actor, next).await?;
    // Two people registered earlier (written directly: the demo's mailbox
    // starts empty for whoever tries it).
    for person in people.iter().take(2) {
        sqlx::query(
            "INSERT INTO meeting_registrations (meeting_id, user_id, status, code)
             VALUES ($1, $2, 'registered', $3) ON CONFLICT DO NOTHING",
        )
        .bind(next)
        .bind(person)
        .bind(crate::codes::random(registrations::CODE_LENGTH))
        .execute(tx.conn())
        .await?;
    }
    let session = NewMeeting {
        process: Some(process),
        assembly: None,
        title: "Sesión informativa: cómo participar".into(),
        description:
            "Explicamos el plan paso a paso y resolvemos dudas. Puedes venir o seguirla en línea."
                .into(),
        agenda: vec![
            "Qué se decide en este proceso".into(),
            "Cómo hacer y apoyar propuestas".into(),
            "Preguntas".into(),
        ],
        starts_at: Some(at(2, 18)),
        ends_at: Some(at(2, 19)),
        address: "Biblioteca de Castilla-La Mancha, Cuesta de Carlos V, Toledo".into(),
        point: Some((39.8583, -4.0210)),
        online_url: "https://meet.jit.si/participa-toledo-demo".into(),
        capacity: None,
        registration: "open".into(),
        translations: Default::default(),
    };
    let session = meetings::create(tx, actor, &session).await?;
    meetings::publish(tx, actor, session).await?;
    Ok(())
}

/// The demo's address of last year's finished budget.
pub const DEMO_PAST_PROCESS: &str = "presupuestos-2026";

/// Last year's budget, finished: six residents voted, the results are
/// public, and the winners' works are under way with dated updates. Its
/// calendar is moved into the past directly (time passing): once voting
/// has begun the rules only allow a reset, which would discard the votes.
async fn demo_past_budget(
    tx: &mut TenantTx,
    actor: &Actor,
    people: &[UserId],
    zone: &Zone,
) -> Result<()> {
    use crate::budgets::ballots::{self, Change};
    use crate::budgets::execution::{self, NewUpdate, Status};
    let new = NewProcess {
        slug: DEMO_PAST_PROCESS.into(),
        title: "Presupuestos participativos 2026".into(),
        summary: "El primer presupuesto participativo de la ciudad: 200.000 € que decidieron los vecinos. Aquí puedes ver los resultados y cómo van las obras.".into(),
        description: "Los vecinos propusieron proyectos, el ayuntamiento estudió su viabilidad y los empadronados votaron. Los proyectos ganadores se eligieron por el **Método de Partes Iguales**.".into(),
        district: None,
        rules: Rules {
            create: Who::Registered,
            support: Who::Verified,
            organisations_may_support: false,
            support_threshold: 5,
        },
    };
    let Some(process) = allowed(processes::create(tx, actor, &new).await)? else {
        return Ok(());
    };
    let day = |d: i64| local_day(zone, d);
    let phase = NewPhase {
        title: "Presupuestos participativos".into(),
        starts_at: day(-150),
        ends_at: day(-60),
        components: vec![Component::Budget],
    };
    allowed(processes::add_phase(tx, actor, process, &phase).await)?;
    processes::publish(tx, actor, process).await?;
    let settings = crate::budgets::setup::Settings {
        title: "Presupuestos participativos 2026".into(),
        verified_only: true,
        ..budget_settings(1)
    };
    let projects: Vec<(String, String, i64)> = [
        (
            "Reforma del parque de la Vega",
            "Nuevos caminos, riego por goteo y zona de sombra en el parque.",
            9_000_000,
        ),
        (
            "Iluminación LED en el casco histórico",
            "Farolas de bajo consumo en las calles más oscuras del casco.",
            6_000_000,
        ),
        (
            "Rampas en los centros de salud",
            "Accesos sin escalones en los tres centros de salud.",
            3_500_000,
        ),
        (
            "Zona de juegos en Santa Bárbara",
            "Columpios y juegos nuevos en la plaza del barrio.",
            5_000_000,
        ),
        (
            "Biblioteca abierta en verano",
            "Horario de tarde en julio y agosto en la biblioteca central.",
            2_500_000,
        ),
    ]
    .into_iter()
    .map(|(t, d, c)| (t.to_owned(), d.to_owned(), c))
    .collect();
    let Some((heading, ids)) = allowed(
        open_budget(
            tx,
            actor,
            process,
            &settings,
            budget_days(zone, -1),
            20_000_000,
            &projects,
        )
        .await,
    )?
    else {
        return Ok(());
    };
    for (person, chosen) in people.iter().zip([
        &[0, 2, 4][..],
        &[0, 2][..],
        &[1, 2, 4][..],
        &[0, 3][..],
        &[1, 3, 4][..],
        &[2, 4][..],
    ]) {
        let change = Change::Replace {
            projects: chosen.iter().filter_map(|&i| ids.get(i).copied()).collect(),
            submit: true,
        };
        allowed(ballots::change(tx, *person, heading, change).await)?;
    }
    sqlx::query(
        "UPDATE budgets SET accepting_at = $2 - interval '150 days', reviewing_at = $2 - interval '120 days',
                selecting_at = $2 - interval '100 days', balloting_at = $2 - interval '90 days',
                tallying_at = $2 - interval '70 days', finished_at = $2 - interval '60 days'
         WHERE process_id = $1",
    )
    .bind(process)
    .bind(day(0))
    .execute(tx.conn())
    .await?;
    // Its end moved into the past behind the worker's back: counted here,
    // as the worker's job would have (that job finds the end moved).
    allowed(crate::budgets::tally::publish(tx, heading).await)?;
    let Some(winners) = allowed(execution::winners(tx, heading).await)? else {
        return Ok(());
    };
    for (project, (status, progress, body)) in winners.iter().zip([
        (
            Status::Done,
            100,
            "Obras terminadas y entregadas a la ciudad. Gracias a todos los que votasteis.",
        ),
        (
            Status::InProgress,
            60,
            "Las obras van por la mitad y siguen el calendario previsto.",
        ),
        (
            Status::Planned,
            0,
            "Proyecto adjudicado: las obras empiezan el mes que viene.",
        ),
    ]) {
        let update = NewUpdate {
            status,
            progress,
            body: body.into(),
            image: None,
        };
        allowed(execution::post(tx, actor, *project, &update).await)?;
    }
    Ok(())
}

/// The demo process's participatory budget, open for voting: 300,000 € for
/// the whole city, six projects on the ballot, two demo residents' ballots
/// already submitted (the others can still vote).
async fn demo_budget(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    people: &[UserId],
    zone: &Zone,
) -> Result<()> {
    use crate::budgets::ballots::{self, Change};
    let settings = crate::budgets::setup::Settings {
        title: "Presupuestos participativos 2027".into(),
        verified_only: true,
        ..budget_settings(1)
    };
    let projects: Vec<(String, String, i64)> = [
        (
            "Sombra y bancos en el paseo del río",
            "Árboles de sombra y un banco cada 200 metros a lo largo del paseo.",
            9_500_000,
        ),
        (
            "Carril bici entre barrios",
            "Un carril bici seguro que una los barrios con el centro.",
            14_000_000,
        ),
        (
            "Huerto urbano en cada distrito",
            "Parcelas para vecinas y vecinos, con riego y caseta de herramientas.",
            4_800_000,
        ),
        (
            "Wifi gratuito en las bibliotecas",
            "Conexión rápida y puestos de ordenador en todas las bibliotecas municipales.",
            3_200_000,
        ),
        (
            "Parque infantil accesible",
            "Juegos adaptados para niñas y niños con discapacidad.",
            6_500_000,
        ),
        (
            "Fuentes de agua potable",
            "Veinte fuentes nuevas en plazas y parques.",
            2_400_000,
        ),
    ]
    .into_iter()
    .map(|(t, d, c)| (t.to_owned(), d.to_owned(), c))
    .collect();
    let Some((heading, ids)) = allowed(
        open_budget(
            tx,
            actor,
            process,
            &settings,
            budget_days(zone, -1),
            30_000_000,
            &projects,
        )
        .await,
    )?
    else {
        return Ok(());
    };
    for (person, chosen) in people.iter().zip([[0, 2, 3], [1, 5, 4]]) {
        let change = Change::Replace {
            projects: chosen.iter().filter_map(|&i| ids.get(i).copied()).collect(),
            submit: true,
        };
        allowed(ballots::change(tx, *person, heading, change).await)?;
    }
    Ok(())
}

/// The demo process's binding consultation, open for a month with the
/// census loaded before it as its electorate.
async fn demo_consultation(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    zone: &Zone,
) -> Result<()> {
    use crate::consultations::{self, NewConsultation, NewQuestion};
    let new = NewConsultation {
        title: "Horario de los centros cívicos".into(),
        description: "Consulta **vinculante**: el ayuntamiento aplicará la opción más votada a partir de enero. Vota en línea, en el punto de voto asistido del ayuntamiento o en la mesa de tu centro cívico.".into(),
        district_code: None,
        min_age: 16,
        revoting: true,
        opens_at: local_day(zone, -1),
        closes_at: local_day(zone, 31) - Duration::seconds(1),
        questions: vec![
            NewQuestion {
                text: "¿Abrimos los centros cívicos también los domingos por la mañana?".into(),
                max_choices: 1,
                options: vec!["Sí".into(), "No".into()],
            },
            NewQuestion {
                text: "¿Qué actividades deberían tener más horas? (hasta dos)".into(),
                max_choices: 2,
                options: vec![
                    "Sala de estudio".into(),
                    "Talleres para mayores".into(),
                    "Actividades infantiles".into(),
                    "Salas para asociaciones".into(),
                ],
            },
        ],
    };
    if let Some(id) = allowed(consultations::create(tx, actor, process, &new).await)? {
        consultations::open(tx, actor, id).await?;
    }
    Ok(())
}

/// A consultation held last month and closed, counted on paper at two
/// polling stations, so the demo shows results, turnout and a board.
async fn demo_closed_consultation(
    tx: &mut TenantTx,
    actor: &Actor,
    process: ProcessId,
    zone: &Zone,
) -> Result<()> {
    use crate::consultations::{self, NewConsultation, NewQuestion};
    let new = NewConsultation {
        title: "Nombre de la nueva biblioteca del Polígono".into(),
        description: "Consulta cerrada: votaron en papel en las mesas de los centros cívicos."
            .into(),
        district_code: None,
        min_age: 16,
        revoting: false,
        opens_at: local_day(zone, -40),
        closes_at: local_day(zone, -32) - Duration::seconds(1),
        questions: vec![NewQuestion {
            text: "¿Qué nombre prefieres para la biblioteca?".into(),
            max_choices: 1,
            options: vec![
                "Biblioteca Alfonso X el Sabio".into(),
                "Biblioteca del Tajo".into(),
            ],
        }],
    };
    let Some(id) = allowed(consultations::create(tx, actor, process, &new).await)? else {
        return Ok(());
    };
    consultations::open(tx, actor, id).await?;
    let question = consultations::questions(tx, id).await?.remove(0);
    let (first, second) = (question.options[0].0, question.options[1].0);
    for (station, totals) in [
        ("Centro cívico de Santa María de Benquerencia", [3, 1, 1]),
        ("Centro cívico de Buenavista", [2, 2, 0]),
    ] {
        let counted = [
            (question.id, Some(first), totals[0]),
            (question.id, Some(second), totals[1]),
            (question.id, None, totals[2]),
        ];
        allowed(consultations::record_paper(tx, actor, id, station, &counted).await)?;
    }
    allowed(consultations::close(tx, actor, id).await)?;
    Ok(())
}

/// The demo process's survey: one question of every kind, a follow-up
/// shown after "No", anyone with an account answers, answers editable.
async fn demo_survey(tx: &mut TenantTx, actor: &Actor, process: ProcessId) -> Result<()> {
    use crate::surveys::{self, Audience, Kind, NewQuestion, NewSurvey};
    let q = |kind, text: &str, options: &[&str]| NewQuestion {
        kind,
        text: text.into(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..NewQuestion::default()
    };
    let mut days = q(
        Kind::Multiple,
        "¿Qué días sueles ir?",
        &["Entre semana", "Sábados", "Domingos"],
    );
    days.choices = (1, 3);
    let mut why = q(Kind::ShortText, "¿Qué te lo impide?", &[]);
    why.shown_if = Some((0, vec![1]));
    let mut score = q(Kind::Scale, "¿Cómo valoras el horario actual?", &[]);
    score.scale_max = 10;
    let mut grid = q(
        Kind::Matrix,
        "¿Cómo están estos espacios?",
        &["Bien", "Regular", "Mal"],
    );
    grid.rows = vec![
        "Biblioteca".into(),
        "Salas de talleres".into(),
        "Aseos".into(),
    ];
    let mut more = q(Kind::LongText, "¿Quieres añadir algo?", &[]);
    more.required = false;
    let new = NewSurvey {
        title: "Cómo usas los centros cívicos".into(),
        description: "Cinco minutos para contarnos cómo usas los centros cívicos. Los textos libres se publican tras revisarlos.".into(),
        audience: Audience::Registered,
        anonymous: false,
        editable: true,
        results_while_open: true,
        questions: vec![
            q(Kind::Single, "¿Vas a algún centro cívico?", &["Sí", "No"]),
            why,
            days,
            q(
                Kind::Ranking,
                "Ordena lo que más te importa",
                &["Horario amplio", "Actividades", "Cercanía"],
            ),
            score,
            grid,
            more,
        ],
    };
    if let Some(id) = allowed(surveys::create(tx, actor, process, None, &new).await)? {
        surveys::publish(tx, actor, id).await?;
    }
    Ok(())
}

/// A quick poll on the demo's home page.
async fn demo_poll(tx: &mut TenantTx, actor: &Actor, zone: &Zone) -> Result<()> {
    use crate::polls::{self, NewPoll};
    let new = NewPoll {
        process_id: None,
        question: "¿Abrimos las piscinas municipales hasta el 15 de septiembre?".into(),
        options: vec!["Sí".into(), "No".into(), "Me da igual".into()],
        opens_at: local_day(zone, -1),
        closes_at: local_day(zone, 20),
    };
    allowed(polls::create(tx, actor, &new).await)?;
    Ok(())
}

/// The value of an action the seed may skip: refusals (the demo's data
/// already there, a rule that says no) are skipped; failures are not.
fn allowed<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Refused(_) | Error::Invalid(_)) => Ok(None),
        Err(error) => Err(error),
    }
}
