//! Command line and environment. Each field's doc comment is its
//! documentation (shown by `--help`).

use crate::telemetry::LogFormat;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Cabildo: citizen participation sites for many city councils.
#[derive(Debug, Parser)]
#[command(name = "cabildo", version, about, propagate_version = true)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// PostgreSQL URL, e.g. postgres://cabildo@127.0.0.1:5432/cabildo.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Redis URL, e.g. redis://127.0.0.1:6379/ (optional: without it caches
    /// are per process and changes reach other nodes when their caches expire).
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Base domain: councils are served on {slug}.{base domain}, the
    /// platform site on the base domain itself.
    #[arg(
        long,
        env = "CABILDO_BASE_DOMAIN",
        default_value = "localhost",
        global = true
    )]
    pub base_domain: String,
    /// OTLP/HTTP collector endpoint for traces, e.g. http://127.0.0.1:4318.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
    /// Log format.
    #[arg(
        long,
        env = "CABILDO_LOG_FORMAT",
        value_enum,
        default_value = "json",
        global = true
    )]
    pub log_format: LogFormat,
    /// How long one-off commands (migrate, tenants) keep retrying an
    /// unreachable database, in seconds. `serve` retries for ever.
    #[arg(
        long,
        env = "CABILDO_CONNECT_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub connect_timeout: u64,
    /// SMTP server for outgoing mail: smtp://host:port (plain),
    /// smtp://host:port?tls=required (STARTTLS), smtps://user:pass@host (TLS).
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address of outgoing mail; the council's name is shown as the
    /// sender's name. Default: no-reply@{base domain}.
    #[arg(long, env = "CABILDO_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Scheme of council site links in mail (`https`; `http` for local use).
    #[arg(
        long,
        env = "CABILDO_SITE_SCHEME",
        default_value = "https",
        global = true
    )]
    pub site_scheme: String,
    /// Port of council site links in mail, when not the scheme's default.
    #[arg(long, env = "CABILDO_SITE_PORT", global = true)]
    pub site_port: Option<u16>,
    /// Secret key (32+ characters) signing unsubscribe links; the same on
    /// every node. Without it newsletters are refused.
    #[arg(
        long,
        env = "CABILDO_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Most PostgreSQL connections this process holds.
    #[arg(
        long,
        env = "CABILDO_DB_POOL_SIZE",
        default_value_t = 16,
        global = true
    )]
    pub db_pool_size: u32,
    /// Council affinity: council transactions go to one of this many
    /// sub-pools (chosen by council), sharing the pool size, so that each
    /// PostgreSQL backend serves only a slice of the councils; 1: off; 0:
    /// chosen at start (one per connection past 1,000 councils, else off).
    #[arg(
        long,
        env = "CABILDO_DB_COUNCIL_GROUPS",
        default_value_t = 0,
        global = true
    )]
    pub db_council_groups: u32,
    /// Close a database connection once it has served this many distinct
    /// councils (bounds PostgreSQL's per-backend catalog caches); 0: never.
    #[arg(
        long,
        env = "CABILDO_DB_RECYCLE_AFTER",
        default_value_t = 0,
        global = true
    )]
    pub db_recycle_after: u32,
}

impl Global {
    /// The database pool settings.
    pub fn pool_config(&self) -> cabildo_tenancy::PoolConfig {
        cabildo_tenancy::PoolConfig {
            max_connections: self.db_pool_size,
            council_groups: self.db_council_groups,
            recycle_after: self.db_recycle_after,
            ..cabildo_tenancy::PoolConfig::default()
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform and council sites against DATABASE_URL and REDIS_URL.
    Serve(Box<ServeArgs>),
    /// Start a local PostgreSQL and Redis in a data folder, migrate, apply
    /// the council definitions and serve: the whole product on one machine.
    Demo(DemoArgs),
    /// Migrate the platform schema, then every council schema.
    Migrate(MigrateArgs),
    /// Create, update, list and change the status of councils.
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Start a local PostgreSQL and Redis and keep them running until
    /// interrupted (used by scripts/test).
    Services(ServicesArgs),
    /// Run queued jobs (email and the rest) until interrupted.
    Worker(WorkerArgs),
    /// Create the councils of confirmed sign-ups until interrupted. Needs
    /// the owner role (it creates council roles), unlike `serve` and
    /// `worker`: run it apart from the internet-facing processes.
    Provisioner,
    /// Inspect and retry queued jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Email tools.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Send newsletters to people who gave consent.
    #[command(subcommand)]
    Newsletters(NewslettersCommand),
    /// Load a council's municipal census for residency verification.
    #[command(subcommand)]
    Census(CensusCommand),
    /// Platform accounts of consultants and operators.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Synthetic data for benchmarks and load tests.
    #[command(subcommand)]
    Seed(SeedCommand),
    /// Participatory budgets: results of Pabulib files, open-data export.
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// Binding consultations: export a closed one's board, recompute a
    /// result from a board file.
    #[command(subcommand)]
    Consultation(ConsultationCommand),
    /// Plans and what they entitle councils to.
    #[command(subcommand)]
    Billing(BillingCommand),
    /// Check a plain-HTTP health address (for container health checks):
    /// exits 0 on a 2xx answer, 1 otherwise.
    Probe(ProbeArgs),
}

/// Options of `probe`.
#[derive(Debug, clap::Args)]
pub struct ProbeArgs {
    /// The address to ask.
    #[arg(default_value = "http://127.0.0.1:9090/healthz")]
    pub url: String,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
}

/// `billing` subcommands.
#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Plans: apply a folder of plan files, or list the stored plans.
    #[command(subcommand)]
    Plans(PlansCommand),
    /// Put a council on a stored plan (a trial plan's days start now);
    /// every node applies what it allows at once.
    Assign {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The plan's slug.
        #[arg(long)]
        plan: String,
    },
    /// A council's plan, trial and what it allows.
    Status {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Put a council in invoice mode (it pays against invoices, e.g.
    /// through FACe) with its details from a TOML file: legal_name,
    /// tax_id (NIF), address, postcode, town, province, dir3_accounting,
    /// dir3_management, dir3_processing (see docs/billing.md).
    Invoiced {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The details file.
        #[arg(long)]
        details: PathBuf,
    },
    /// Issue a council's invoice for a month (`2026-12`) or a year
    /// (`2027`) of its plan, numbered in the year's series.
    Invoice {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// `YYYY-MM` or `YYYY`.
        #[arg(long)]
        period: String,
        /// Who issues it (TOML: legal_name, tax_id, address, postcode,
        /// town, province, iban).
        #[arg(
            long,
            env = "CABILDO_INVOICE_SELLER",
            default_value = "billing/seller.toml"
        )]
        seller: PathBuf,
        /// Also write its Facturae 3.2.2 file into this folder.
        #[arg(long)]
        facturae: Option<PathBuf>,
    },
    /// List invoices (of one council): number, period, total, due, paid.
    Invoices {
        /// Only this council's.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Write an invoice's Facturae 3.2.2 file (unsigned).
    Facturae {
        /// The invoice's number (`F2026-000001`).
        number: String,
        /// Where to write it (default: `<number>.xml`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Record an invoice's payment; a council with nothing left overdue
    /// is released from dunning at once.
    Paid {
        /// The invoice's number.
        number: String,
        /// The day it was paid (`2027-01-15`; default today).
        #[arg(long)]
        on: Option<String>,
        /// The transfer's or FACe's reference.
        #[arg(long)]
        reference: String,
    },
    /// Rectify an invoice whole (a rectifying invoice, series R).
    Rectify {
        /// The invoice's number.
        number: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Start dunning for councils with invoices unpaid past their due date
    /// (the worker does it every hour).
    Sweep {
        /// Days of grace after the due date.
        #[arg(long, env = "CABILDO_BILLING_GRACE_DAYS", default_value_t = cabildo_billing::stripe::DEFAULT_GRACE_DAYS)]
        grace_days: u32,
    },
}

/// `billing plans` subcommands.
#[derive(Debug, Subcommand)]
pub enum PlansCommand {
    /// Check every plan file (*.toml) in a folder and store them; plans no
    /// longer in the folder stay for the councils on them, no longer
    /// offered.
    Apply {
        /// Folder of plan files (see plans/README.md).
        dir: PathBuf,
    },
    /// List the stored plans: slug, name, price, entitlements.
    List,
}

/// `consultation` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConsultationCommand {
    /// Recompute a consultation's result from its published board file
    /// (docs/consultations.md): checks every link of the hash chain and
    /// counts the ballots and paper totals. Needs no database.
    Tally {
        /// The board file (JSON).
        file: PathBuf,
    },
    /// Write a closed consultation's board (the file people recompute the
    /// result from).
    Board {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The consultation's id.
        #[arg(long)]
        consultation: uuid::Uuid,
        /// Where to write it (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// `budget` subcommands.
#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    #[command(about = RESULTS_ABOUT)]
    Results(ResultsArgs),
    /// Write a finished budget heading as a Pabulib file (open data:
    /// projects, and every counted ballot under a number unrelated to any
    /// account).
    ExportPabulib {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The heading's id.
        #[arg(long)]
        heading: uuid::Uuid,
        /// Where to write it (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// What `cabildo budget results` does, for `--help`.
const RESULTS_ABOUT: &str = "Compute the winners of a Pabulib file (https://pabulib.org): \
prints the selected project ids, one per line, in the order the rule took them, then `total <cost>`";

/// `cabildo budget results` parsed on its own (see `main`); the shared
/// settings are accepted, as everywhere, and unused.
#[derive(Debug, Parser)]
#[command(name = "cabildo budget results", version, about = RESULTS_ABOUT, long_about = None)]
pub struct ResultsOnly {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// The file and the rule.
    #[command(flatten)]
    pub args: ResultsArgs,
}

/// `budget results`: a Pabulib file and the rule's choices.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// `greedy` (most votes first), `mes` (Method of Equal Shares with
    /// the add1 completion) or `mes-greedy` (`mes`, then greedy over
    /// the money left).
    #[arg(long, default_value = "greedy")]
    pub rule: cabildo_engine::budgets::results::Rule,
    /// Ties: `id` (smaller project id as a string) or `cheapest`
    /// (lower cost, then more votes, then id).
    #[arg(long, default_value = "id")]
    pub tie: cabildo_engine::budgets::results::Tie,
    /// When add1 stops: `exhaustive` (nothing more fits) or
    /// `until-over-budget` (the next outcome would overspend).
    #[arg(long, default_value = "exhaustive")]
    pub completion: cabildo_engine::budgets::results::Completion,
    /// Points of a ranking on ordinal ballots: `points` (Pabulib's and
    /// Kraków's: the k-th choice, from 0, is worth max_length − k) or
    /// `borda` (pabutools' additive Borda: length − k − 1).
    #[arg(long, default_value = "points")]
    pub ordinal: cabildo_engine::budgets::results::Ordinal,
    /// Also explain, per project, why it won or lost.
    #[arg(long)]
    pub explain: bool,
    /// The Pabulib file.
    pub file: PathBuf,
}

/// `seed` subcommands.
#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// A new published process, open for debates and proposals, with many
    /// people, proposals, supports, debates and comments (counters exact,
    /// 500 comments on the first proposal). Optionally writes personal
    /// access tokens of people who supported nothing, and the proposal
    /// ids, for load tests.
    Participation {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The new process's address part.
        #[arg(long, default_value = "datos-de-prueba")]
        process: String,
        /// People.
        #[arg(long, default_value_t = 20_000)]
        people: i64,
        /// Proposals.
        #[arg(long, default_value_t = 10_000)]
        proposals: i64,
        /// Supports.
        #[arg(long, default_value_t = 200_000)]
        supports: i64,
        /// Comments.
        #[arg(long, default_value_t = 100_000)]
        comments: i64,
        /// Debates.
        #[arg(long, default_value_t = 200)]
        debates: i64,
        /// Supports that qualify a proposal.
        #[arg(long, default_value_t = 25)]
        threshold: i32,
        /// Write this many personal access tokens (one per extra person)
        /// to `--tokens-file`.
        #[arg(long, default_value_t = 0)]
        tokens: i64,
        /// Where the tokens go, one per line.
        #[arg(long)]
        tokens_file: Option<PathBuf>,
        /// Write the proposal ids here, one per line.
        #[arg(long)]
        proposals_file: Option<PathBuf>,
        /// Also give the process a budget open for voting with this many
        /// projects on the ballot; writes the heading id, then the project
        /// ids, one per line.
        #[arg(long, value_name = "FILE")]
        ballot_file: Option<PathBuf>,
        /// Projects on the ballot (with --ballot-file).
        #[arg(long, default_value_t = 40)]
        budget_projects: i64,
    },
}

/// `accounts` subcommands.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create a platform account. The password is taken from
    /// CABILDO_ACCOUNT_PASSWORD, or made up and printed once.
    Create {
        /// Email address (the login).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// `consultant` (serves the councils granted) or `operator` (may
        /// enter any council as admin).
        #[arg(long)]
        role: String,
    },
    /// Let an account enter a council as staff.
    Grant {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// `admin`, `moderator` or `evaluator`.
        #[arg(long)]
        role: String,
    },
    /// Take an account's access to a council back at once: its grants, the
    /// staff roles it acts with there, its sessions there (on every node).
    Revoke {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// The council's slug.
        #[arg(long)]
        tenant: String,
    },
}

/// `census` subcommands.
#[derive(Debug, Subcommand)]
pub enum CensusCommand {
    /// Replace a council's census with a CSV file: one resident per line,
    /// `document,birth_date,district` (DNI or NIE; YYYY-MM-DD or
    /// DD/MM/YYYY; a district code of the council), separated by commas,
    /// semicolons or tabs, UTF-8 or Latin-1, with or without a heading
    /// line. Document numbers are stored only as keyed hashes (needs
    /// CABILDO_SECRET_KEY).
    Import {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The census file.
        file: PathBuf,
        /// Write the rejected lines (line number and reason) to this CSV file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

/// `newsletters` subcommands.
#[derive(Debug, Subcommand)]
pub enum NewslettersCommand {
    /// Send a Markdown file as a newsletter (or preview it, or send a test copy).
    Send(NewsletterArgs),
    /// Show a newsletter's delivery counts.
    Status {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// The newsletter's id.
        id: String,
    },
}

/// Options of `newsletters send`.
#[derive(Debug, Args)]
pub struct NewsletterArgs {
    /// The council's slug.
    #[arg(long)]
    pub tenant: String,
    /// Markdown file; its first line `# …` is the subject unless --subject is given.
    #[arg(long)]
    pub file: std::path::PathBuf,
    /// Subject line.
    #[arg(long)]
    pub subject: Option<String>,
    /// Who receives it: `all` or `district:<code>` (only people who gave consent).
    #[arg(long, default_value = "all")]
    pub audience: String,
    /// Show the subject, the audience size and the rendered HTML; send nothing.
    #[arg(long, conflicts_with = "test_to")]
    pub preview: bool,
    /// Send one copy to this address instead.
    #[arg(long)]
    pub test_to: Option<String>,
    /// Wait, with a progress bar, until every recipient is done (a worker sends).
    #[arg(long)]
    pub wait: bool,
}

/// `mail` subcommands.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Queue a test message from a council to an address (a worker sends it).
    Test {
        /// The council's slug.
        #[arg(long)]
        tenant: String,
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// Language of the message (else the council's default).
        #[arg(long)]
        language: Option<String>,
    },
}

/// Options of `worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Jobs run at the same time.
    #[arg(long, env = "CABILDO_WORKER_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Seconds after which a job whose worker stopped renewing its lease
    /// (killed, or its machine lost) is run by another worker. Leases are
    /// renewed every third of this, so a slow job is never taken over.
    #[arg(long, env = "CABILDO_WORKER_LEASE_SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub lease_seconds: u64,
    /// Days of grace after an invoice's due date before dunning holds a
    /// council (the worker checks every 15 minutes).
    #[arg(long, env = "CABILDO_BILLING_GRACE_DAYS", default_value_t = cabildo_billing::stripe::DEFAULT_GRACE_DAYS)]
    pub billing_grace_days: u32,
}

/// `jobs` subcommands.
#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List recent jobs, newest first.
    List {
        /// Only dead and failed jobs.
        #[arg(long)]
        dead: bool,
        /// How many at most.
        #[arg(long, default_value_t = 50)]
        limit: u16,
    },
    /// Queue a dead, failed or cancelled job again (or every dead job).
    Retry {
        /// The job's id.
        #[arg(required_unless_present = "all_dead", conflicts_with = "all_dead")]
        id: Option<String>,
        /// Every dead job.
        #[arg(long)]
        all_dead: bool,
    },
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CABILDO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Reverse proxies whose X-Forwarded-Host and X-Forwarded-For are
    /// believed (comma-separated addresses or CIDR ranges, e.g.
    /// 127.0.0.1,10.0.0.0/8).
    #[arg(long, env = "CABILDO_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<cabildo_web::AddressRange>,
    /// Limits on account actions over the defaults, as name=hits/seconds,
    /// comma-separated. Names: login-ip (30/300), login-account (10/300),
    /// register (10/3600 per address), reset-address (1/20), reset-ip
    /// (20/3600), upload-person (30/3600), upload-council (1000/3600),
    /// signup-network (10/3600 per IPv4 /24 or IPv6 /64), signup-address
    /// (3/86400).
    #[arg(long, env = "CABILDO_RATE_LIMITS", default_value = "", value_parser = parse_rate_limits)]
    pub rate_limits: cabildo_web::ratelimit::RateLimits,
    /// Mail domains whose council sign-ups go live without an operator's
    /// approval, comma-separated: a domain (`toledo.es`, which also
    /// accepts its subdomains) or a suffix (`.es`). Free webmail (gmail.com,
    /// hotmail.es …) is always held. Held sign-ups wait in the operators'
    /// console.
    #[arg(
        long,
        env = "CABILDO_SIGNUP_DOMAINS",
        default_value = ".es,.cat,.eus,.gal"
    )]
    pub signup_domains: String,
    #[command(flatten)]
    pub media: MediaArgs,
    /// Page reads this server handles at once; when all are busy, waiting
    /// reads are let in one council at a time, and a council holds at
    /// most half of them, so a council with a surge of visits waits behind
    /// itself. 0: the database pool's size.
    #[arg(long, env = "CABILDO_READ_SLOTS", default_value_t = 0)]
    pub read_slots: usize,
    /// Slow down a council sending far more than the others' average on a
    /// busy server, letting its requests through evenly spaced (see
    /// docs/faults.md); `false` turns it off.
    #[arg(long, env = "CABILDO_PACING", default_value_t = true, action = clap::ArgAction::Set)]
    pub pacing: bool,
    /// Seconds a read waits for its turn before it is answered 503 with
    /// Retry-After.
    #[arg(long, env = "CABILDO_READ_WAIT_SECONDS", default_value_t = 2)]
    pub read_wait_seconds: u64,
    /// Milliseconds the public participation pages reuse what they read
    /// (per council; a change drops it at once); 0 reads the database on
    /// every request.
    #[arg(long, env = "CABILDO_READ_CACHE_MS", default_value_t = 5000)]
    pub read_cache_ms: u64,
    /// Address for the operators' routes (`/readyz`, `/metrics`, and the
    /// probes), e.g. 127.0.0.1:9090 or the monitoring network's. When set,
    /// the sites' address no longer serves readiness and metrics; when
    /// not, they answer there on the base domain and addresses, never on a
    /// council's host.
    #[arg(long, env = "CABILDO_OPS_LISTEN")]
    pub ops_listen: Option<SocketAddr>,
    /// The host councils' own domains point at with a CNAME (its
    /// addresses, for domains without a subdomain). Default: the base
    /// domain.
    #[arg(long, env = "CABILDO_DOMAIN_TARGET")]
    pub domain_target: Option<String>,
    /// Name server that checks councils' own domains, as ip:port. Default:
    /// the system's (/etc/resolv.conf).
    #[arg(long, env = "CABILDO_DNS_SERVER")]
    pub dns_server: Option<SocketAddr>,
    #[command(flatten)]
    pub stripe: StripeArgs,
    #[command(flatten)]
    pub maps: MapArgs,
}

/// Maps of meetings' places.
#[derive(Debug, Clone, Args)]
pub struct MapArgs {
    /// Tile server maps are drawn from, a URL with {z}, {x} and {y}; empty:
    /// no maps (places are listed with their addresses). Pages with a map
    /// allow images from this server's origin only. OpenStreetMap's tile
    /// policy asks heavy users to run their own tiles.
    #[arg(
        long,
        env = "CABILDO_MAP_TILES",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    pub map_tiles: String,
    /// The attribution the tile server's terms ask for, shown under maps.
    #[arg(
        long,
        env = "CABILDO_MAP_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors"
    )]
    pub map_attribution: String,
    /// A Nominatim-compatible geocoder that places meetings' typed
    /// addresses on the map (e.g. https://nominatim.openstreetmap.org,
    /// whose usage policy allows light use only); unset: staff type the
    /// coordinates. Answers are kept per council.
    #[arg(long, env = "CABILDO_GEOCODER")]
    pub geocoder: Option<String>,
}

impl MapArgs {
    /// The geocoder, if one is set.
    pub fn geocoder(&self) -> anyhow::Result<Option<cabildo_web::Geocoder>> {
        match self.geocoder.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(base) => cabildo_web::Geocoder::new(base)
                .map(Some)
                .map_err(anyhow::Error::msg),
        }
    }

    /// The tile server, unless maps are off.
    pub fn tiles(&self) -> anyhow::Result<Option<cabildo_web::MapTiles>> {
        if self.map_tiles.trim().is_empty() {
            return Ok(None);
        }
        cabildo_web::MapTiles::new(self.map_tiles.trim(), &self.map_attribution)
            .map(Some)
            .map_err(anyhow::Error::msg)
    }
}

/// Where uploaded pictures and documents are kept.
#[derive(Debug, Clone, Args)]
pub struct MediaArgs {
    /// Folder where uploaded files are kept (one sub-folder per council);
    /// every node must see the same folder. Unused with --media-url.
    #[arg(long, env = "CABILDO_MEDIA_DIR", default_value = "media")]
    pub media_dir: PathBuf,
    /// An S3-compatible bucket instead of the folder: `s3://bucket` or
    /// `s3://bucket/prefix`, with the credentials, region and endpoint of
    /// the standard variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_REGION, AWS_ENDPOINT for another provider, AWS_ALLOW_HTTP=true
    /// for a plain-HTTP endpoint).
    #[arg(long, env = "CABILDO_MEDIA_URL")]
    pub media_url: Option<String>,
    /// With a bucket: documents are served by redirecting to a link the
    /// bucket serves, signed for this many seconds (0: the site serves
    /// them; at most 604800, a week, as S3 allows). The bucket's endpoint
    /// must then be one browsers reach over HTTPS. Pictures are always
    /// served by the site (they are small, cached for a year, and its
    /// pages load images from it only).
    #[arg(long, env = "CABILDO_MEDIA_SIGNED_SECONDS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=604_800))]
    pub media_signed_seconds: u64,
}

impl MediaArgs {
    /// The storage these settings name.
    pub fn storage(&self) -> anyhow::Result<std::sync::Arc<dyn cabildo_web::Storage>> {
        let signed = (self.media_signed_seconds > 0)
            .then(|| std::time::Duration::from_secs(self.media_signed_seconds));
        let storage = match self.media_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                cabildo_web::ObjectStorage::s3(url, signed, &[]).map_err(anyhow::Error::msg)?
            }
            _ => cabildo_web::ObjectStorage::local(&self.media_dir).with_context(|| {
                format!("preparing the media folder {}", self.media_dir.display())
            })?,
        };
        Ok(std::sync::Arc::new(storage))
    }
}

/// Card payments through Stripe (all unset: not offered).
#[derive(Debug, Clone, Args)]
pub struct StripeArgs {
    /// Stripe's secret API key (`sk_live_…` or `sk_test_…`).
    #[arg(long, env = "CABILDO_STRIPE_SECRET_KEY", hide_env_values = true)]
    pub stripe_secret_key: Option<String>,
    /// The signing secret of the webhook endpoint (`whsec_…`) Stripe
    /// calls at `https://{base domain}/webhooks/stripe`.
    #[arg(long, env = "CABILDO_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    pub stripe_webhook_secret: Option<String>,
    /// Another Stripe API address (a fake one, for tests), ending in `/`.
    #[arg(long, env = "CABILDO_STRIPE_API_BASE")]
    pub stripe_api_base: Option<String>,
    /// Days a council keeps starting new things after a missed payment.
    #[arg(long, env = "CABILDO_BILLING_GRACE_DAYS", default_value_t = cabildo_billing::stripe::DEFAULT_GRACE_DAYS)]
    pub billing_grace_days: u32,
}

impl StripeArgs {
    /// The account, when both secrets are set (one alone is a mistake).
    pub fn stripe(&self) -> anyhow::Result<Option<cabildo_billing::stripe::Stripe>> {
        match (&self.stripe_secret_key, &self.stripe_webhook_secret) {
            (None, None) => Ok(None),
            (Some(secret_key), Some(webhook_secret)) => {
                let settings = cabildo_billing::stripe::StripeSettings {
                    secret_key: secret_key.clone(),
                    webhook_secret: webhook_secret.clone(),
                    api_base: self.stripe_api_base.clone(),
                    grace_days: self.billing_grace_days,
                };
                Ok(Some(cabildo_billing::stripe::Stripe::new(&settings)?))
            }
            _ => anyhow::bail!(
                "set both CABILDO_STRIPE_SECRET_KEY and CABILDO_STRIPE_WEBHOOK_SECRET, or neither"
            ),
        }
    }
}

fn parse_rate_limits(spec: &str) -> Result<cabildo_web::ratelimit::RateLimits, String> {
    cabildo_web::ratelimit::RateLimits::parse(spec)
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "CABILDO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder for the local PostgreSQL and Redis; reused on the next run.
    #[arg(long, env = "CABILDO_DATA_DIR", default_value = ".cabildo-data")]
    pub data_dir: PathBuf,
    /// Folder of council definitions to apply.
    #[arg(long, default_value = "tenants")]
    pub tenants: PathBuf,
    /// Folder of plans to apply.
    #[arg(long, default_value = "plans")]
    pub plans: PathBuf,
    #[command(flatten)]
    pub maps: MapArgs,
}

/// Options of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Councils migrated at the same time.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// Read tenant migrations from this folder instead of those built in
    /// (to rehearse a migration).
    #[arg(long)]
    pub tenant_migrations: Option<PathBuf>,
    /// Instead of migrating councils, write the built-in tenant migrations
    /// squashed into one script that new councils run
    /// (`migrations/tenant-baseline.sql`). For a throwaway database: it
    /// migrates `platform` and uses a scratch schema there
    /// (`scripts/squash-tenant-migrations` starts one).
    #[arg(long, value_name = "FILE", conflicts_with = "tenant_migrations")]
    pub write_tenant_baseline: Option<PathBuf>,
}

/// `tenants` subcommands.
#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Create a council with default settings.
    Create(CreateArgs),
    /// Create or update every council defined in a folder of TOML files.
    Apply(ApplyArgs),
    /// List councils: slug, name, status, schema version, created.
    List,
    /// Close a council's site (visitors see a notice; data kept).
    Suspend(SlugArg),
    /// Serve a suspended, read-only or archived council normally again.
    Resume(SlugArg),
    /// Serve a council for reading only.
    ReadOnly(SlugArg),
    /// Close a council for good (data kept).
    Archive(SlugArg),
    /// List a council's own domains, or remove one (a primary domain that
    /// stopped resolving keeps its admins out of the settings page).
    Domains(DomainsArgs),
    /// Write a council into one archive: its schema, its platform rows
    /// (plan and billing state, hosts, jobs not yet run) and its files,
    /// consistent while its site runs.
    Export(ExportArgs),
    /// Create a council from an archive `export` wrote, on this platform,
    /// under its slug or a new one. Sessions and tokens of the old site no
    /// longer work.
    Import(ImportArgs),
    /// On a Citus cluster: list the workers and how many councils each holds.
    Nodes,
    /// On a Citus cluster: move a council's schema to another worker while
    /// its site runs (pages are served; its writes wait the seconds it takes).
    Move(MoveArgs),
}

/// Options of `tenants move`.
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// The council's slug.
    pub slug: String,
    /// The worker to move it to (a NODE of `cabildo tenants nodes`).
    #[arg(long)]
    pub to_node: i32,
}

/// Options of `tenants export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The council's slug.
    pub slug: String,
    /// The archive to write (a tar file).
    pub file: PathBuf,
    #[command(flatten)]
    pub media: MediaArgs,
}

/// Options of `tenants import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The archive `tenants export` wrote.
    pub file: PathBuf,
    /// The new council's slug (by default the one it had).
    #[arg(long)]
    pub slug: Option<String>,
    #[command(flatten)]
    pub media: MediaArgs,
}

/// Options of `tenants domains`.
#[derive(Debug, Args)]
pub struct DomainsArgs {
    /// The council's slug.
    pub slug: String,
    /// Remove this domain; the site moves to its oldest other verified
    /// domain, or back to its subdomain.
    #[arg(long)]
    pub remove: Option<String>,
}

/// Options of `tenants create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Subdomain and identifier: a-z, 0-9 and hyphens, 3 to 40 characters.
    #[arg(long)]
    pub slug: String,
    /// Display name, e.g. "Ayuntamiento de Toledo".
    #[arg(long)]
    pub name: String,
    /// Languages offered (repeatable; the first is the default).
    #[arg(long = "language", default_values = ["es", "en"])]
    pub languages: Vec<String>,
    /// IANA time zone.
    #[arg(long, default_value = "Europe/Madrid")]
    pub time_zone: String,
    /// Invite this address as the council's first admin (a link by mail,
    /// sent by the worker; the person registers or logs in with it, then
    /// accepts).
    #[arg(long)]
    pub admin_email: Option<String>,
}

/// Options of `tenants apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Folder of council definitions (*.toml).
    pub dir: PathBuf,
}

/// A council slug argument.
#[derive(Debug, Args)]
pub struct SlugArg {
    /// The council's slug.
    pub slug: String,
}

/// Options of `services`.
#[derive(Debug, Args)]
pub struct ServicesArgs {
    /// Folder for the servers' data.
    #[arg(long)]
    pub dir: PathBuf,
    /// Write the connection settings here (KEY=value lines) once ready.
    #[arg(long)]
    pub env_file: PathBuf,
    /// Trade durability for speed (for test runs).
    #[arg(long)]
    pub ephemeral: bool,
    /// Also run a local SMTP catcher (its URL goes to the env file as SMTP_URL).
    #[arg(long)]
    pub smtp: bool,
    /// Run Redis as a Redis Cluster of three masters instead of one server.
    #[arg(long)]
    pub redis_cluster: bool,
    /// Run PostgreSQL as a Citus cluster: a coordinator (DATABASE_URL points
    /// to it) and two workers. Needs the extension (../shared/citus/install).
    #[arg(long)]
    pub citus: bool,
}
