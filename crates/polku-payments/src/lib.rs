//! Processing fees and their payment (issue 12, "Before filing").
//!
//! The flow: the fee of a matter on a day comes from the dated fee table
//! ([`FeeTable`], `fees/fi-processing-fees.yaml`, each row with its source) → where a fee
//! is due, the applicant's checked application waits in a [`Payment`] while they pay at the
//! provider ([`PaymentProvider`], a signed REST interface; simulated in `polku-simulators`)
//! → the provider's signed answer (the applicant's return, or its own callback) confirms the
//! payment and files the application once ([`Payments::confirm`]); a cancelled payment files
//! nothing. Where no confirmed fee covers the day, nothing is charged and the applicant is
//! told so.

mod fees;
mod payments;
mod provider;

pub use fees::{Fee, FeeError, FeeRow, FeeTable};
pub use payments::{
    NewPayment, Payment, PaymentError, PaymentState, Payments, StartError, Started,
};
pub use provider::{
    Checkout, CreatedPayment, PaymentProvider, ProviderClient, ProviderError, ProviderFuture,
    ReturnStatus, sign, verify_return,
};
