//! Polku's external systems: the registers and EU systems a decision's evidence comes
//! from (domain.md §5).
//!
//! - [`systems`]: one adapter trait per system and the records they answer with.
//! - [`population`]: the synthetic population, deterministic from a seed.
//! - [`Simulator`]: every system answering from that population, with latency and failures.
//! - [`xroad`]: the national exchange layer's REST protocol — a client implementing every
//!   trait, and the server `polku registers serve` runs over the simulators.
//! - [`RegisterEvidence`]: the pipeline's evidence source — asks the systems a rule set
//!   needs, in parallel, with timeouts and retries, and logs every disclosure.

pub mod evidence;
pub mod population;
pub mod simulator;
pub mod systems;
pub mod xroad;

pub use evidence::RegisterEvidence;
pub use population::Population;
pub use simulator::{Behaviour, Simulator};
pub use systems::*;
pub use xroad::XRoadClient;
