//! The API as a client meets it, one module per boundary: applications, authentication
//! and tokens, bad input, a handler's work, idempotency, monitoring alerts, the OpenAPI
//! document, operations.
//! One test binary (ADR 0010: each `tests/*.rs` is a linked binary).

#[path = "../common/mod.rs"]
mod common;

mod applications;
mod auth;
mod bad_input;
mod contact;
mod exchange;
mod handling;
mod idempotency;
mod identity;
mod monitoring;
mod openapi;
mod operations;
mod payments;
