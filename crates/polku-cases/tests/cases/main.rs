//! polku-cases's tests: one test binary (each is linked on its own, ADR 0010), a module
//! for each boundary. Every test that touches a database runs on SQLite and — when
//! `POLKU_TEST_DATABASE_URL` is set while the tests are built — on PostgreSQL, through
//! `polku_cases::on_every_database!`.

mod decisions;
mod events;
mod filing;
mod handling;
mod idempotency;
mod leases;
mod pipeline;
mod requests;
mod store;
mod support;
