//! Assemblies and meetings against real PostgreSQL: members and terms,
//! registration with a capacity and a waiting line (never more places
//! given than there are, under concurrency), invitations, entry codes at
//! the door, reminders that follow the meeting's time, cancellation,
//! minutes whose agreements decide on proposals, and no council seeing
//! another's.

use crate::util::{person, toledo};
use cabildo_engine::assemblies::{self, NewAssembly, NewMember};
use cabildo_engine::meetings::minutes::{self, NewAgreement};
use cabildo_engine::meetings::registrations::{self, Status};
use cabildo_engine::meetings::{self, NewMeeting, Scope, When};
use cabildo_engine::processes::{self, Component, NewPhase, NewProcess, Rules, Who};
use cabildo_engine::proposals::{self, NewProposal};
use cabildo_engine::staff::Actor;
use cabildo_engine::{
    AssemblyId, Error, Field, MeetingId, Problem, ProcessId, ProposalId, Refusal, UserId,
};
use cabildo_tenancy::{Tenancy, Tenant};
use time::{Duration, OffsetDateTime, macros::date};

fn cli() -> Actor {
    Actor("cli".into())
}

struct World {
    tenancy: Tenancy,
    tenant: Tenant,
    assembly: AssemblyId,
    process: ProcessId,
    proposal: ProposalId,
    people: Vec<UserId>,
}

async fn world() -> World {
    let (tenancy, tenant) = toledo().await;
    let mut people = Vec::new();
    for n in 0..6 {
        people.push(person(&tenancy, &tenant, &format!("p{n}@x.es"), true, None).await);
    }
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let assembly = assemblies::create(
        &mut tx,
        &cli(),
        &NewAssembly {
            slug: "consejo-centro".into(),
            name: "Consejo de distrito Centro".into(),
            purpose: "Coordina el distrito.".into(),
            kind: "district".into(),
            district: Some("centro".into()),
            translations: Default::default(),
        },
    )
    .await
    .expect("assembly");
    assemblies::publish(&mut tx, &cli(), assembly)
        .await
        .expect("publish");
    let process = processes::create(
        &mut tx,
        &cli(),
        &NewProcess {
            slug: "plaza".into(),
            title: "La plaza".into(),
            summary: "Ideas".into(),
            description: String::new(),
            district: None,
            rules: Rules {
                create: Who::Registered,
                support: Who::Registered,
                organisations_may_support: false,
                support_threshold: 10,
            },
        },
    )
    .await
    .expect("process");
    let now = OffsetDateTime::now_utc();
    processes::add_phase(
        &mut tx,
        &cli(),
        process,
        &NewPhase {
            title: "Propuestas".into(),
            starts_at: now - Duration::days(1),
            ends_at: now + Duration::days(10),
            components: vec![Component::Proposals],
        },
    )
    .await
    .expect("phase");
    processes::publish(&mut tx, &cli(), process)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    let mut tx = tenancy.begin(&tenant).await.expect("begin");
    let proposal = proposals::create(
        &mut tx,
        people[0],
        process,
        &NewProposal {
            title: "Bancos a la sombra".into(),
            summary: "Más bancos".into(),
            body: String::new(),
            district: None,
            address: String::new(),
            point: None,
        },
    )
    .await
    .expect("proposal");
    tx.commit().await.expect("commit");
    World {
        tenancy,
        tenant,
        assembly,
        process,
        proposal,
        people,
    }
}

fn meeting(assembly: AssemblyId, starts_in: Duration, capacity: Option<i32>) -> NewMeeting {
    let starts = OffsetDateTime::now_utc() + starts_in;
    NewMeeting {
        assembly: Some(assembly),
        title: "Pleno de diciembre".into(),
        agenda: vec!["Cuentas".into(), "Ruegos".into()],
        starts_at: Some(starts),
        ends_at: Some(starts + Duration::hours(2)),
        address: "Calle Real 1, Toledo".into(),
        point: Some((39.8567, -4.0244)),
        capacity,
        registration: "open".into(),
        ..NewMeeting::default()
    }
}

impl World {
    async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut cabildo_tenancy::TenantTx) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut tx = self.tenancy.begin(&self.tenant).await.expect("begin");
        let value = work(&mut tx).await;
        if value.is_ok() {
            tx.commit().await.expect("commit");
        }
        value
    }

    async fn published(&self, new: &NewMeeting) -> MeetingId {
        self.run(async |tx| {
            let id = meetings::create(tx, &cli(), new).await?;
            meetings::publish(tx, &cli(), id).await?;
            Ok(id)
        })
        .await
        .expect("meeting")
    }

    async fn jobs(&self) -> Vec<(String, serde_json::Value)> {
        sqlx::query_as("SELECT kind, payload FROM platform.jobs ORDER BY created_at, id")
            .fetch_all(self.tenancy.pool())
            .await
            .expect("jobs")
    }

    async fn mails(&self, kind: &str) -> Vec<String> {
        (self.jobs().await.into_iter())
            .filter(|(k, p)| k == "email.send" && p["vars"]["kind"] == kind)
            .map(|(_, p)| p["to"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

#[tokio::test]
async fn members_have_roles_and_terms_and_assemblies_check_what_they_are() {
    let w = world().await;
    let member = |name: &str, role: &str, starts, ends| NewMember {
        kind: "resident".into(),
        name: name.into(),
        email: String::new(),
        organisation: None,
        representative: String::new(),
        role: role.into(),
        term_starts: starts,
        term_ends: ends,
    };
    let (today, members) = w
        .run(async |tx| {
            let a = w.assembly;
            assemblies::add_member(
                tx,
                &cli(),
                a,
                &member("Lola", "member", date!(2020 - 01 - 01), None),
            )
            .await?;
            assemblies::add_member(
                tx,
                &cli(),
                a,
                &member("Ana", "president", date!(2020 - 01 - 01), None),
            )
            .await?;
            let old = assemblies::add_member(
                tx,
                &cli(),
                a,
                &member("Eva", "secretary", date!(2018 - 01 - 01), None),
            )
            .await?;
            assemblies::end_term(tx, &cli(), a, old, date!(2019 - 12 - 31)).await?;
            let today = assemblies::today(tx).await?;
            Ok((today, assemblies::members(tx, a, today).await?))
        })
        .await
        .expect("members");
    let names: Vec<(&str, &str, bool)> = (members.iter())
        .map(|m| (m.name.as_str(), m.role.as_str(), m.current))
        .collect();
    assert_eq!(
        names,
        [
            ("Ana", "president", true),
            ("Lola", "member", true),
            ("Eva", "secretary", false)
        ]
    );
    assert!(today > date!(2026 - 01 - 01));
    // Every fault at once: no name, unknown role, a term ending before it
    // starts, an address with no account.
    let refused = w
        .run(async |tx| {
            let mut bad = member(
                "",
                "boss",
                date!(2026 - 01 - 10),
                Some(date!(2026 - 01 - 01)),
            );
            bad.email = "nadie@x.es".into();
            assemblies::add_member(tx, &cli(), w.assembly, &bad).await
        })
        .await
        .expect_err("refused");
    let Error::Invalid(faults) = refused else {
        panic!("{refused:?}");
    };
    let fields: Vec<Field> = faults.iter().map(|f| f.field).collect();
    for field in [Field::Role, Field::Term, Field::Name, Field::Email] {
        assert!(fields.contains(&field), "{field:?} in {faults:?}");
    }
    // A district council needs a district; addresses are unique.
    let district = w
        .run(async |tx| {
            let new = NewAssembly {
                slug: "otro".into(),
                name: "Otro".into(),
                kind: "district".into(),
                ..NewAssembly::default()
            };
            assemblies::create(tx, &cli(), &new).await
        })
        .await;
    assert_eq!(
        district.err(),
        Some(Error::invalid(Field::District, Problem::Required))
    );
    let taken = w
        .run(async |tx| {
            let new = NewAssembly {
                slug: "consejo-centro".into(),
                name: "Copia".into(),
                kind: "sector".into(),
                ..NewAssembly::default()
            };
            assemblies::create(tx, &cli(), &new).await
        })
        .await;
    assert_eq!(taken.err(), Some(Refusal::SlugTaken.into()));
}

#[tokio::test]
async fn places_run_out_into_a_line_and_a_place_given_back_goes_to_the_first_in_line() {
    let w = world().await;
    let id = w
        .published(&meeting(w.assembly, Duration::days(3), Some(2)))
        .await;
    let mut standings = Vec::new();
    for user in &w.people[..4] {
        let s = w
            .run(async |tx| registrations::register(tx, id, *user).await)
            .await
            .expect("register");
        standings.push(s);
    }
    let statuses: Vec<(Status, Option<i64>)> =
        standings.iter().map(|s| (s.status, s.in_line)).collect();
    assert_eq!(
        statuses,
        [
            (Status::Registered, None),
            (Status::Registered, None),
            (Status::Waiting, Some(1)),
            (Status::Waiting, Some(2))
        ]
    );
    // Registering again changes nothing, code included.
    let again = w
        .run(async |tx| registrations::register(tx, id, w.people[0]).await)
        .await
        .expect("again");
    assert_eq!(again, standings[0]);
    assert_eq!(w.mails("registered").await, ["p0@x.es", "p1@x.es"]);
    assert_eq!(w.mails("waiting").await, ["p2@x.es", "p3@x.es"]);
    // The second gives the place back: the first in line has it, and is told.
    w.run(async |tx| registrations::cancel(tx, id, w.people[1]).await)
        .await
        .expect("cancel");
    let (p1, p2, p3) = w
        .run(async |tx| {
            Ok((
                registrations::standing(tx, id, w.people[1]).await?,
                registrations::standing(tx, id, w.people[2]).await?,
                registrations::standing(tx, id, w.people[3]).await?,
            ))
        })
        .await
        .expect("standings");
    assert_eq!(p1.map(|s| s.status), Some(Status::Cancelled));
    assert_eq!(p2.as_ref().map(|s| s.status), Some(Status::Registered));
    assert_eq!(p2.map(|s| s.code), Some(standings[2].code.clone()));
    assert_eq!(p3.and_then(|s| s.in_line), Some(1));
    assert_eq!(w.mails("promoted").await, ["p2@x.es"]);
    let m = w
        .run(async |tx| meetings::get(tx, id).await)
        .await
        .expect("get");
    assert_eq!((m.registered, m.waiting, m.places_left()), (2, 1, Some(0)));
}

#[tokio::test]
async fn many_registering_at_once_never_get_more_places_than_there_are() {
    let w = world().await;
    let id = w
        .published(&meeting(w.assembly, Duration::days(3), Some(3)))
        .await;
    let mut people = w.people.clone();
    for n in 6..30 {
        people.push(person(&w.tenancy, &w.tenant, &format!("q{n}@x.es"), true, None).await);
    }
    let tasks: Vec<_> = (people.iter().copied())
        .map(|user| {
            let (tenancy, tenant) = (w.tenancy.clone(), w.tenant.clone());
            tokio::spawn(async move {
                tenancy
                    .transaction(&tenant, async |tx| {
                        registrations::register(tx, id, user).await
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("join").expect("register");
    }
    let m = w
        .run(async |tx| meetings::get(tx, id).await)
        .await
        .expect("get");
    assert_eq!((m.registered, m.waiting), (3, 27));
    let places: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FROM t_toledo.meeting_registrations
         WHERE status = 'waiting' GROUP BY since HAVING count(*) > 1",
    )
    .fetch_all(w.tenancy.pool())
    .await
    .expect("line");
    assert!(places.is_empty(), "two people share a place in line");
}

#[tokio::test]
async fn invitations_codes_at_the_door_reminders_and_cancellation() {
    let w = world().await;
    let mut new = meeting(w.assembly, Duration::hours(20), None);
    new.registration = "invitation".into();
    let id = w.published(&new).await;
    // Not invited: refused. Invited: registers.
    let refused = w
        .run(async |tx| registrations::register(tx, id, w.people[1]).await)
        .await;
    assert_eq!(refused.err(), Some(Refusal::NotInvited.into()));
    let invited = w
        .run(async |tx| {
            let emails = ["P0@x.es".to_owned(), "nadie@x.es".to_owned()];
            registrations::invite(tx, &cli(), id, &emails).await
        })
        .await
        .expect("invite");
    assert_eq!(invited.invited, 1);
    assert_eq!(invited.unknown, ["nadie@x.es"]);
    assert_eq!(w.mails("invited").await, ["p0@x.es"]);
    let standing = w
        .run(async |tx| registrations::register(tx, id, w.people[0]).await)
        .await
        .expect("accept");
    assert_eq!(standing.status, Status::Registered);
    // Starting within 24 hours: the reminder job is due already; it mails
    // those with a place, once per start.
    let reminders: Vec<serde_json::Value> = (w.jobs().await.into_iter())
        .filter(|(kind, _)| kind == meetings::REMINDERS_KIND)
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(reminders.len(), 1);
    let starts = reminders[0]["starts_at"].as_i64().expect("starts");
    let sent = w
        .run(async |tx| meetings::send_reminders(tx, id, starts).await)
        .await
        .expect("remind");
    assert_eq!(sent, 1);
    assert_eq!(w.mails("reminder").await, ["p0@x.es"]);
    // A reminder queued for an earlier time sends nothing.
    let stale = w
        .run(async |tx| meetings::send_reminders(tx, id, starts - 3600).await)
        .await
        .expect("stale");
    assert_eq!(stale, 0);
    // At the door: the code as typed from paper, then again.
    let code = standing.code.to_lowercase();
    let typed = format!("{} {}", &code[..4], &code[4..]);
    let first = w
        .run(async |tx| minutes::check_in(tx, &cli(), id, &typed).await)
        .await
        .expect("check in");
    assert_eq!(
        (first.name.as_str(), first.earlier, first.waiting),
        ("X", None, false)
    );
    let second = w
        .run(async |tx| minutes::check_in(tx, &cli(), id, &typed).await)
        .await
        .expect("again");
    assert!(second.earlier.is_some());
    let unknown = w
        .run(async |tx| minutes::check_in(tx, &cli(), id, "ZZZZZZZZ").await)
        .await;
    assert_eq!(unknown.err(), Some(Refusal::CodeUnknown.into()));
    let malformed = w
        .run(async |tx| minutes::check_in(tx, &cli(), id, "<script>").await)
        .await;
    assert_eq!(
        malformed.err(),
        Some(Error::invalid(Field::Code, Problem::Invalid))
    );
    // Minutes wait for the meeting to begin.
    let early = w
        .run(async |tx| minutes::publish(tx, &cli(), id, "Acta", &[]).await)
        .await;
    assert_eq!(early.err(), Some(Refusal::NotYetHeld.into()));
    // Moving it: those registered are told, a new reminder is queued.
    let mut moved = new.clone();
    moved.starts_at = new.starts_at.map(|s| s + Duration::days(2));
    moved.ends_at = new.ends_at.map(|s| s + Duration::days(2));
    w.run(async |tx| meetings::update(tx, &cli(), id, &moved).await)
        .await
        .expect("move");
    assert_eq!(w.mails("changed").await, ["p0@x.es"]);
    let queued = (w.jobs().await.into_iter())
        .filter(|(kind, _)| kind == meetings::REMINDERS_KIND)
        .count();
    assert_eq!(queued, 2);
    // Cancelling needs a reason; everyone is told; registering stops.
    let no_reason = w
        .run(async |tx| meetings::cancel(tx, &cli(), id, " ").await)
        .await;
    assert_eq!(
        no_reason.err(),
        Some(Error::invalid(Field::Reason, Problem::ReasonRequired))
    );
    w.run(async |tx| meetings::cancel(tx, &cli(), id, "Obras en la sala").await)
        .await
        .expect("cancel");
    assert_eq!(w.mails("cancelled").await, ["p0@x.es"]);
    let after = w
        .run(async |tx| registrations::register(tx, id, w.people[0]).await)
        .await;
    assert_eq!(after.err(), Some(Refusal::MeetingCancelled.into()));
    let cancelled_reminder = w
        .run(async |tx| meetings::send_reminders(tx, id, starts + 2 * 86_400).await)
        .await
        .expect("none");
    assert_eq!(cancelled_reminder, 0);
}

#[tokio::test]
async fn meetings_check_what_staff_type() {
    let w = world().await;
    let mut bad = meeting(w.assembly, Duration::days(1), Some(0));
    bad.title = " ".into();
    bad.address = String::new();
    bad.online_url = "http://insecure.example".into();
    bad.point = Some((100.0, 0.0));
    bad.registration = "maybe".into();
    bad.ends_at = bad.starts_at;
    let refused = w
        .run(async |tx| meetings::create(tx, &cli(), &bad).await)
        .await
        .expect_err("refused");
    let Error::Invalid(faults) = refused else {
        panic!("{refused:?}");
    };
    let fields: Vec<Field> = faults.iter().map(|f| f.field).collect();
    for field in [
        Field::Title,
        Field::OnlineUrl,
        Field::Point,
        Field::Capacity,
        Field::Registration,
        Field::Dates,
    ] {
        assert!(fields.contains(&field), "{field:?} in {faults:?}");
    }
    let mut nowhere = meeting(w.assembly, Duration::days(1), None);
    nowhere.address = String::new();
    let refused = w
        .run(async |tx| meetings::create(tx, &cli(), &nowhere).await)
        .await;
    assert_eq!(
        refused.err(),
        Some(Error::invalid(Field::Place, Problem::PlaceRequired))
    );
    // A draft is not public; a meeting of a process is listed with it.
    let mut of_process = meeting(w.assembly, Duration::days(1), None);
    of_process.assembly = None;
    of_process.process = Some(w.process);
    of_process.online_url = "https://meet.example/plaza".into();
    let (draft, listed) = w
        .run(async |tx| {
            let draft =
                meetings::create(tx, &cli(), &meeting(w.assembly, Duration::days(1), None)).await?;
            let id = meetings::create(tx, &cli(), &of_process).await?;
            meetings::publish(tx, &cli(), id).await?;
            Ok((
                meetings::find(tx, draft).await?,
                meetings::list(tx, Scope::Process(w.process), When::Upcoming).await?,
            ))
        })
        .await
        .expect("create");
    assert_eq!(draft, None);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].host_link, "/processes/plaza");
    assert_eq!(
        listed[0].place(),
        "Calle Real 1, Toledo · https://meet.example/plaza"
    );
}

#[tokio::test]
async fn minutes_and_agreements_decide_on_proposals_and_stay_in_their_council() {
    let w = world().await;
    // A meeting that began an hour ago (created as it would have been).
    let id = w
        .published(&meeting(w.assembly, -Duration::hours(1), None))
        .await;
    let late = w
        .run(async |tx| registrations::register(tx, id, w.people[0]).await)
        .await;
    assert_eq!(late.err(), Some(Refusal::RegistrationClosed.into()));
    let agreements = [
        NewAgreement {
            text: "Se aprueban bancos en la plaza.".into(),
            proposal: Some(w.proposal),
        },
        NewAgreement {
            text: "Próxima reunión en enero.".into(),
            proposal: None,
        },
    ];
    let unknown = w
        .run(async |tx| {
            let wrong = [NewAgreement {
                text: "x".into(),
                proposal: Some(ProposalId(uuid::Uuid::new_v4())),
            }];
            minutes::publish(tx, &cli(), id, "Acta", &wrong).await
        })
        .await;
    assert_eq!(
        unknown.err(),
        Some(Error::invalid(Field::Proposal, Problem::Invalid))
    );
    let (stored, decisions, upcoming, past) = w
        .run(async |tx| {
            minutes::publish(
                tx,
                &cli(),
                id,
                "Asistentes: 12.\n\nSe trató el orden del día.",
                &agreements,
            )
            .await?;
            Ok((
                minutes::agreements(tx, id).await?,
                minutes::decisions_on(tx, w.proposal).await?,
                meetings::list(tx, Scope::Assembly(w.assembly), When::Upcoming).await?,
                meetings::list(tx, Scope::All, When::Past).await?,
            ))
        })
        .await
        .expect("minutes");
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored[0].proposal_title.as_deref(),
        Some("Bancos a la sombra")
    );
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].meeting_id, id);
    // Still running: upcoming until it ends.
    assert_eq!(upcoming.len(), 1);
    assert!(past.is_empty());
    // Another council sees none of it.
    let other = cabildo_tenancy::testing::council(&w.tenancy, "talavera")
        .await
        .expect("talavera");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    assert_eq!(meetings::find(&mut tx, id).await.expect("find"), None);
    assert!(
        meetings::list(&mut tx, Scope::All, When::Feed)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(
        assemblies::find_by_slug(&mut tx, "consejo-centro")
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        minutes::check_in(&mut tx, &cli(), id, "ABCDEFGH")
            .await
            .err(),
        Some(Refusal::NotFound.into())
    );
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM meetings), (SELECT count(*) FROM assemblies),
                (SELECT count(*) FROM meeting_agreements)",
    )
    .fetch_one(tx.conn())
    .await
    .expect("counts");
    assert_eq!(counts, (0, 0, 0));
}

#[tokio::test]
async fn a_citizens_assembly_is_drawn_by_lot_from_verified_volunteers_once_and_reproducibly() {
    use cabildo_engine::assemblies::lottery;
    let w = world().await;
    let assembly = w
        .run(async |tx| {
            let new = NewAssembly {
                slug: "asamblea-clima".into(),
                name: "Asamblea ciudadana del clima".into(),
                kind: "citizens".into(),
                ..NewAssembly::default()
            };
            let id = assemblies::create(tx, &cli(), &new).await?;
            assemblies::publish(tx, &cli(), id).await?;
            Ok(id)
        })
        .await
        .expect("assembly");
    // A census of 300 young and 100 older residents in centro, 600 young
    // in norte; twelve volunteers with census records, one without.
    let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
    sqlx::query(
        "INSERT INTO census (document_hash, birth_date, district_code)
         SELECT sha256(g::text::bytea), CASE WHEN g <= 300 THEN date '2000-01-01'
                                            WHEN g <= 400 THEN date '1950-01-01'
                                            ELSE date '2001-06-01' END,
                CASE WHEN g <= 400 THEN 'centro' ELSE 'norte' END
         FROM generate_series(1, 1000) g",
    )
    .execute(tx.conn())
    .await
    .expect("census");
    tx.commit().await.expect("commit");
    let mut volunteers = Vec::new();
    for n in 0..12 {
        let user = person(&w.tenancy, &w.tenant, &format!("v{n}@x.es"), true, None).await;
        // Census rows 1.. (centro young), 301.. (centro older), 401.. (norte).
        let row = [1 + n, 301 + n, 401 + n][usize::try_from(n % 3).expect("n")];
        let mut tx = w.tenancy.begin(&w.tenant).await.expect("begin");
        sqlx::query("INSERT INTO census_claims (document_hash, user_id) VALUES (sha256($1::text::bytea), $2)")
            .bind(row.to_string())
            .bind(user)
            .execute(tx.conn())
            .await
            .expect("claim");
        tx.commit().await.expect("commit");
        volunteers.push(user);
    }
    let mut tickets = Vec::new();
    for (n, user) in volunteers.iter().enumerate() {
        let sex = if n % 2 == 0 { "female" } else { "male" };
        let ticket = w
            .run(async |tx| lottery::volunteer(tx, assembly, *user, sex).await)
            .await
            .expect("volunteer");
        tickets.push(ticket);
    }
    assert_eq!(tickets, (1..=12).collect::<Vec<i32>>());
    // Not a resident: refused; a sex not offered: refused.
    let unverified = w
        .run(async |tx| lottery::volunteer(tx, assembly, w.people[0], "female").await)
        .await;
    assert_eq!(unverified.err(), Some(Refusal::NotVerified.into()));
    let odd = w
        .run(async |tx| lottery::volunteer(tx, assembly, volunteers[0], "x").await)
        .await;
    assert_eq!(
        odd.err(),
        Some(Error::invalid(Field::Kind, Problem::Invalid))
    );
    // Only citizens' assemblies are drawn.
    let district = w
        .run(async |tx| lottery::run(tx, &cli(), w.assembly, "s", 3).await)
        .await;
    assert_eq!(district.err(), Some(Refusal::NotFound.into()));
    let log = w
        .run(async |tx| lottery::run(tx, &cli(), assembly, "sorteo publicado", 5).await)
        .await
        .expect("draw");
    // 5 × (300, 100, 600) / 1000 = 1.5, 0.5, 3 → 2, 0, 3 by the largest
    // remainder (ties to the first stratum).
    let seats: Vec<(String, u8, usize)> = (log.iter())
        .map(|s| (s.district.clone(), s.age_band, s.drawn.len()))
        .collect();
    assert_eq!(
        seats,
        [
            ("centro".to_owned(), 16, 2),
            ("centro".to_owned(), 65, 0),
            ("norte".to_owned(), 16, 3)
        ]
    );
    // Reproducible from what is published: the same function, seed and pool.
    let again = cabildo_engine::assemblies::draw::draw(
        "sorteo publicado",
        5,
        &log.iter()
            .map(|s| ((s.district.clone(), s.age_band), s.census))
            .collect(),
        &(1..=12)
            .map(|t: i64| cabildo_engine::assemblies::draw::Ticket {
                number: t,
                stratum: match (t - 1) % 3 {
                    0 => ("centro".into(), 16),
                    1 => ("centro".into(), 65),
                    _ => ("norte".into(), 16),
                },
                sex: if t % 2 == 1 {
                    "female".into()
                } else {
                    "male".into()
                },
            })
            .collect::<Vec<_>>(),
    );
    assert_eq!(again, log);
    let (members, drawn) = w
        .run(async |tx| {
            let today = assemblies::today(tx).await?;
            Ok((
                assemblies::members(tx, assembly, today).await?,
                lottery::drawn(tx, assembly).await?,
            ))
        })
        .await
        .expect("members");
    assert_eq!(members.len(), 5);
    assert!(members.iter().all(|m| m.current && m.role == "member"));
    assert_eq!(
        drawn.map(|d| (d.seed, d.seats)),
        Some(("sorteo publicado".to_owned(), 5))
    );
    // Once: no second draw, no more volunteers.
    let twice = w
        .run(async |tx| lottery::run(tx, &cli(), assembly, "otra", 5).await)
        .await;
    assert_eq!(twice.err(), Some(Refusal::Closed.into()));
    let late = w
        .run(async |tx| lottery::withdraw(tx, assembly, volunteers[0]).await)
        .await;
    assert_eq!(late.err(), Some(Refusal::Closed.into()));
}

#[tokio::test]
async fn people_comment_on_meetings_of_assemblies_and_processes() {
    use cabildo_engine::comments::{self, NewComment};
    use cabildo_engine::content::Target;
    let w = world().await;
    let id = w
        .published(&meeting(w.assembly, Duration::days(2), None))
        .await;
    let comment = |body: &str| NewComment {
        body: body.into(),
        alignment: 0,
        parent: None,
    };
    let posted = w
        .run(async |tx| {
            comments::create(
                tx,
                w.people[0],
                Target::Meeting(id),
                &comment("¿Habrá intérprete de signos?"),
                false,
            )
            .await
        })
        .await
        .expect("comment");
    assert_eq!(posted.link, format!("/meetings/{id}#comment-{}", posted.id));
    let reply = w
        .run(async |tx| {
            let new = NewComment {
                parent: Some(posted.id),
                ..comment("Sí, está pedido.")
            };
            comments::create(tx, w.people[1], Target::Meeting(id), &new, false).await
        })
        .await
        .expect("reply");
    // The first commenter follows the meeting and hears of the reply.
    assert!(reply.notices.iter().any(|n| n.user == w.people[0]));
    let (listed, threads, count, link) = w
        .run(async |tx| {
            let (listed, threads) = comments::list(tx, Target::Meeting(id), 1).await?;
            let count: i32 =
                sqlx::query_scalar("SELECT comments_count FROM meetings WHERE id = $1")
                    .bind(id)
                    .fetch_one(tx.conn())
                    .await?;
            Ok((
                listed,
                threads,
                count,
                comments::link_of(tx, reply.id).await?,
            ))
        })
        .await
        .expect("list");
    assert_eq!((listed.len(), threads, count), (2, 1, 2));
    assert_eq!(link, Some(format!("/meetings/{id}#comment-{}", reply.id)));
    // Someone not confirmed may not; a draft meeting takes none.
    let unconfirmed = person(&w.tenancy, &w.tenant, "nuevo@x.es", false, None).await;
    let refused = w
        .run(async |tx| {
            comments::create(
                tx,
                unconfirmed,
                Target::Meeting(id),
                &comment("Hola"),
                false,
            )
            .await
        })
        .await;
    assert_eq!(refused.err(), Some(Refusal::NotRegistered.into()));
    let draft = w
        .run(async |tx| {
            meetings::create(tx, &cli(), &meeting(w.assembly, Duration::days(2), None)).await
        })
        .await
        .expect("draft");
    let hidden = w
        .run(async |tx| {
            comments::create(
                tx,
                w.people[0],
                Target::Meeting(draft),
                &comment("Hola"),
                false,
            )
            .await
        })
        .await;
    assert_eq!(hidden.err(), Some(Refusal::NotFound.into()));
    // Another council: nothing to read, nothing to answer.
    let other = cabildo_tenancy::testing::council(&w.tenancy, "talavera")
        .await
        .expect("talavera");
    let mut tx = w.tenancy.begin(&other).await.expect("begin");
    let (theirs, _) = comments::list(&mut tx, Target::Meeting(id), 1)
        .await
        .expect("list");
    assert!(theirs.is_empty());
}

/// What process "plaza" holds, as its pages read it.
async fn holds(w: &World) -> processes::Holds {
    w.run(async |tx| Ok(processes::published_by_slug(tx, "plaza").await?))
        .await
        .expect("read")
        .expect("published")
        .3
}

#[tokio::test]
async fn a_process_counts_the_threads_polls_and_meetings_it_holds() {
    use cabildo_engine::polls::{self, NewPoll};
    let w = world().await;
    let held = |threads, polls, meetings| processes::Holds {
        threads,
        polls,
        meetings,
    };
    assert_eq!(holds(&w).await, held(0, 0, 0));
    let mut of_process = meeting(w.assembly, Duration::days(1), None);
    of_process.assembly = None;
    of_process.process = Some(w.process);
    let now = OffsetDateTime::now_utc();
    let poll = NewPoll {
        process_id: Some(w.process),
        question: "¿Qué día?".into(),
        options: vec!["Sábado".into(), "Domingo".into()],
        opens_at: now,
        closes_at: now + Duration::days(7),
    };
    // A comment thread on the process with a reply (one thread), one on a
    // proposal (not the process's), a poll of the process and one of the
    // home page, a meeting of the process and one of an assembly.
    w.run(async |tx| {
        for (target_kind, target) in [("process", w.process.0), ("proposal", w.proposal.0)] {
            sqlx::query(
                "INSERT INTO comments (id, process_id, target_kind, target_id, parent_id, root_id,
                                       depth, author_id, body)
                 VALUES ($1, $2, $3, $4, NULL, $1, 0, $5, 'Bien')",
            )
            .bind(uuid::Uuid::new_v4())
            .bind(w.process)
            .bind(target_kind)
            .bind(target)
            .bind(w.people[0])
            .execute(tx.conn())
            .await?;
        }
        sqlx::query(
            "INSERT INTO comments (process_id, target_kind, target_id, parent_id, root_id, depth,
                                   author_id, body)
             SELECT process_id, target_kind, target_id, id, id, 1, $1, 'Sí'
             FROM comments WHERE target_kind = 'process'",
        )
        .bind(w.people[1])
        .execute(tx.conn())
        .await?;
        polls::create(tx, &cli(), &poll).await?;
        let home = NewPoll {
            process_id: None,
            ..poll.clone()
        };
        polls::create(tx, &cli(), &home).await?;
        meetings::create(tx, &cli(), &of_process).await?;
        meetings::create(tx, &cli(), &meeting(w.assembly, Duration::days(1), None)).await?;
        Ok(())
    })
    .await
    .expect("add");
    assert_eq!(holds(&w).await, held(1, 1, 1));
    // A deleted comment stays as its thread's placeholder; a poll moved to
    // the home page leaves the count; a reply made a thread of its own
    // joins it; threads deleted for good leave it.
    let change = async |sql: &str| {
        w.run(async |tx| {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(tx.conn())
                .await?;
            Ok(())
        })
        .await
        .expect(sql);
        holds(&w).await
    };
    assert_eq!(
        change("UPDATE comments SET body = '', deleted_at = now() WHERE parent_id IS NULL").await,
        held(1, 1, 1)
    );
    assert_eq!(
        change("UPDATE polls SET process_id = NULL").await,
        held(1, 0, 1)
    );
    assert_eq!(
        change("UPDATE comments SET parent_id = NULL WHERE target_kind = 'process'").await,
        held(2, 0, 1)
    );
    assert_eq!(
        change("DELETE FROM comments WHERE target_kind = 'process'").await,
        held(0, 0, 1)
    );
    assert_eq!(
        change("DELETE FROM meetings WHERE process_id IS NOT NULL").await,
        held(0, 0, 0)
    );
}
