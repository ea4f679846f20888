//! The router in-process against real PostgreSQL and Redis.

#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the step that broke"
)]

mod accessibility;
mod accounts;
mod budget_admin;
mod budget_counts;
mod budgets;
mod citus;
mod consultants;
mod consultations;
mod dashboard;
mod database_outage;
mod designs;
mod domains;
mod drills;
mod images;
mod invoices;
mod legal;
mod meetings;
mod nodes;
mod openapi;
mod pages;
mod participation;
mod participation_pages;
mod places;
mod plans;
mod processes;
mod routing;
mod settings;
mod signup;
mod staff;
mod storage;
mod stripe;
mod surveys;
mod unsubscribe;
mod util;
