//! `cabildo services`: local PostgreSQL and Redis for scripts/test.

use crate::config::ServicesArgs;
use anyhow::Context;
use cabildo_devkit::{
    LocalCitus, LocalPostgres, LocalRedis, LocalRedisCluster, PostgresOptions, testing,
};
use std::process::ExitCode;

/// Starts both servers, writes their settings to the env file, and stops
/// them on Ctrl-C or SIGTERM.
pub async fn run(args: ServicesArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)?;
    let dir = args.dir.canonicalize()?;
    let postgres = if args.citus {
        let citus = LocalCitus::start(&dir.join("citus"), 2, args.ephemeral).await?;
        if let Err(error) = citus.ensure_database(cabildo_devkit::DEMO_DATABASE).await {
            let _ = citus.stop();
            return Err(error);
        }
        Postgres::Citus(citus)
    } else {
        let postgres = LocalPostgres::start(PostgresOptions {
            dir: dir.join("postgres"),
            ephemeral: args.ephemeral,
            max_connections: 300,
            port: None,
            citus: false,
        })
        .await?;
        postgres
            .ensure_database(cabildo_devkit::DEMO_DATABASE)
            .await?;
        Postgres::Single(postgres)
    };
    let redis = if args.redis_cluster {
        LocalRedisCluster::start(&dir.join("redis"), 3).map(Redis::Cluster)
    } else {
        LocalRedis::start(&dir.join("redis")).map(Redis::Single)
    };
    let redis = match redis {
        Ok(redis) => redis,
        Err(error) => {
            let _ = postgres.stop();
            return Err(error);
        }
    };
    let catcher = if args.smtp {
        Some(
            cabildo_devkit::smtp::SmtpCatcher::start()
                .await
                .context("starting the SMTP catcher")?,
        )
    } else {
        None
    };
    let mut env = format!(
        "{}={}\n{}={}\nDATABASE_URL={}\nREDIS_URL={}\n",
        testing::POSTGRES_PORT_ENV,
        postgres.port(),
        testing::REDIS_URL_ENV,
        redis.url(),
        postgres.url(cabildo_devkit::DEMO_DATABASE),
        redis.url()
    );
    if let Postgres::Citus(citus) = &postgres {
        let ports: Vec<String> = citus.worker_ports().iter().map(u16::to_string).collect();
        env.push_str(&format!(
            "{}={}\n",
            testing::CITUS_WORKERS_ENV,
            ports.join(",")
        ));
    }
    if let Some(catcher) = &catcher {
        env.push_str(&format!("SMTP_URL={}\n", catcher.url()));
    }
    // Write then rename, so a reader never sees half a file.
    let partial = args.env_file.with_extension("partial");
    std::fs::write(&partial, env).context("writing the env file")?;
    std::fs::rename(&partial, &args.env_file).context("writing the env file")?;
    tracing::info!(
        postgres.port = postgres.port(),
        redis.url = redis.url(),
        "local services ready"
    );
    super::shutdown_signal().await;
    let redis_stopped = redis.stop();
    postgres.stop()?;
    redis_stopped?;
    Ok(ExitCode::SUCCESS)
}

/// The Redis started: one server, or a cluster.
enum Redis {
    Single(LocalRedis),
    Cluster(LocalRedisCluster),
}

impl Redis {
    fn url(&self) -> String {
        match self {
            Redis::Single(redis) => redis.url(),
            Redis::Cluster(cluster) => cluster.url(),
        }
    }

    fn stop(self) -> anyhow::Result<()> {
        match self {
            Redis::Single(redis) => redis.stop(),
            Redis::Cluster(cluster) => cluster.stop(),
        }
    }
}

/// The PostgreSQL started: one server, or a Citus coordinator with workers
/// (the application connects to the coordinator).
enum Postgres {
    Single(LocalPostgres),
    Citus(LocalCitus),
}

impl Postgres {
    fn server(&self) -> &LocalPostgres {
        match self {
            Postgres::Single(postgres) => postgres,
            Postgres::Citus(citus) => &citus.coordinator,
        }
    }

    fn port(&self) -> u16 {
        self.server().port()
    }

    fn url(&self, database: &str) -> String {
        self.server().url(database)
    }

    fn stop(self) -> anyhow::Result<()> {
        match self {
            Postgres::Single(postgres) => postgres.stop(),
            Postgres::Citus(citus) => citus.stop(),
        }
    }
}
