//! Polku's external systems: the registers and EU systems a decision's evidence comes
//! from (domain.md §5).
//!
//! - [`systems`]: one adapter trait per system and the records they answer with.
//! - [`xroad`]: the national exchange layer's REST protocol — a client implementing every
//!   trait.
//! - [`RegisterEvidence`]: the pipeline's evidence source — asks the systems a rule set
//!   needs, in parallel, with timeouts and retries, and logs every disclosure.
//!
//! The simulated registers (the synthetic population, the simulators and the X-Road
//! server over them) are `polku-simulators`, which depends on this crate, never the
//! other way round.

pub mod evidence;
pub mod systems;
pub mod xroad;

pub use evidence::RegisterEvidence;
pub use systems::*;
pub use xroad::XRoadClient;
