//! Polku's simulated registers: what answers where no real register does — in tests, in
//! `polku demo`, as the built-in registers of `polku serve`, and in `polku registers serve`.
//!
//! - [`population`]: the synthetic population, deterministic from a seed.
//! - [`Simulator`]: every register trait of `polku_registers::systems` answered from that
//!   population, with latency and failures.
//! - [`streams`]: what the registers report month by month about the population's permit
//!   holders (pay reports, moves, convictions, bankruptcies…), as register events.
//! - [`xroad_server`]: the simulators over the national exchange layer's REST protocol,
//!   answering each client only what its [`AccessRights`] allow; `polku_registers`'
//!   `XRoadClient` is the asking side.
//! - [`messages_service`]: the national messages service (Suomi.fi Messages), which
//!   `polku_notify::MessagesClient` sends the notifications to.
//! - [`payment_provider`]: a payment provider with its pay page, which
//!   `polku_payments::ProviderClient` creates payments at.
//!
//! Only the binary depends on this crate (tests may too): no library links a simulated
//! register (ADR 0010, `crates/polku/tests/architecture.rs`).

pub mod identities;
pub mod messages_service;
pub mod payment_provider;
pub mod population;
pub mod simulator;
pub mod streams;
pub mod xroad_server;

pub use messages_service::MessagesSimulator;
pub use payment_provider::PaymentSimulator;
pub use population::Population;
pub use simulator::{Behaviour, Simulator};
pub use xroad_server::{AccessRights, ClientRight};
