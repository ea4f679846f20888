//! Tenancy against real PostgreSQL and Redis: isolation, provisioning,
//! routing and fleet migrations. Each test gets its own database.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod domains;
mod isolation;
mod jobs;
mod migrate;
mod pools;
mod provisioning;
mod routing;
mod serving_role;
mod shared_cache;
