//! Polku's web pages, server-rendered: no front-end build, every page works without
//! JavaScript, in Finnish, Swedish and English (the choice is remembered in a cookie),
//! with the plain high-contrast look of the Suomi.fi design system as the model.
//!
//! So far: the applicant's e-service — strong identification (a test identity provider
//! offering the people a [`TestIdentities`] names: the binary's synthetic population),
//! the applicant's applications, a case with its decision explained condition by
//! condition with the legal basis, and the request for rectification — and the case handler's workbench: sign-in with a password (Argon2),
//! the queue in its stated order with filters, a case with every finding and its
//! evidence, claiming and deciding with reasons. Sessions are random tokens in HttpOnly, Secure, SameSite cookies,
//! stored hashed; every form carries a CSRF token.

mod apply;
mod audit;
mod chain_checks;
mod contact;
pub mod dashboard;
mod decision;
pub mod dry_runs;
mod exchange;
mod figures_form;
mod frame;
mod guard;
pub mod i18n;
mod identity;
mod idp;
mod inspect;
mod liaison;
mod monitoring;
mod names;
mod officials;
mod pages;
mod payment;
mod pdf;
mod plain;
mod preview;
mod queue;
mod reasons;
mod reexamination;
mod requests;
mod rule_admin;
mod rules;
mod security;
pub mod sessions;
mod text;
pub mod throttle;
mod use_log;
mod visitor;

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use polku_cases::Cases;
use polku_cases::LiveRules;
use polku_rule_admin::RuleAdmin;

pub use audit::{FoundPerson, FoundPersons, LookupError, PersonLookup};
pub use i18n::Tr;
pub use idp::{TestIdentities, TestPerson};
pub use pdf::{PdfFailure, decision_pdf_for};
pub use preview::RegisterPreview;
pub use security::{CONTENT_SECURITY_POLICY, security_headers, served};

#[derive(Clone)]
pub struct WebState {
    pub store: Cases,
    /// The rule change proposals and their four-eyes decisions.
    pub rule_admin: RuleAdmin,
    /// The rules over time; pages show those in force today, rule administration all.
    pub rules: LiveRules,
    /// Whom the test identity provider offers (the binary's: the synthetic population);
    /// `None`: no test identification on this server.
    pub people: Option<Arc<dyn TestIdentities>>,
    /// The dashboard's measured facts, reused for a few seconds.
    pub figures: Arc<dashboard::FiguresCache>,
    /// Monitoring proposals' dry runs, running in the background.
    pub dry_runs: Arc<dry_runs::DryRuns>,
    /// Proposals' backtests, reused for a few minutes.
    pub backtests: Arc<polku_rule_admin::BacktestCache>,
    /// Proposals' texts as checked for their pages, reused while the rules stand.
    pub proposal_checks: Arc<rule_admin::ProposalChecks>,
    /// Failed sign-ins by username and address, in this process's memory.
    pub sign_ins: Arc<throttle::SignInLimits>,
    /// The monitoring of granted permits: the handlers' alerts, the holder's side of a
    /// re-examination.
    pub monitor: polku_monitoring::Monitor,
    /// The fonts decision PDFs are set in, read on the first PDF.
    pub pdf_fonts: Arc<pdf::PdfFonts>,
    /// The registers an eligibility preview asks (the pipeline's own source); `None`: no
    /// preview on this server.
    pub preview: Option<Arc<dyn RegisterPreview>>,
    /// The people's choice of channel and the sending log; the binary's notifier, with its
    /// channels, delivers (the pages only read and keep the choice).
    pub notifier: polku_notify::Notifier,
    /// The processing fees by matter and day.
    pub fees: Arc<polku_payments::FeeTable>,
    /// Applications waiting for their fee.
    pub payments: polku_payments::Payments,
    /// Where fees are paid; `None`: no payments on this server (a fee due cannot be paid,
    /// and the applicant is told to try later).
    pub payment_provider: Option<Arc<dyn polku_payments::PaymentProvider>>,
    /// The e-service's address as people reach it (the provider's return links); empty:
    /// links relative to this server.
    pub public_url: String,
    /// The audit chain's verification, run in the background of this process.
    pub chain_checks: Arc<chain_checks::ChainChecks>,
    /// The population register's search for the auditors' page; `None`: a person is found
    /// by id only on this server.
    pub person_lookup: Option<Arc<dyn PersonLookup>>,
    /// The identity register: the handlers' identity queue and a person's identity;
    /// `None`: not in use on this server.
    pub persons: Option<polku_persons::Persons>,
}

impl WebState {
    pub fn new(
        store: Cases,
        rules: LiveRules,
        people: Option<Arc<dyn TestIdentities>>,
    ) -> WebState {
        WebState {
            rule_admin: RuleAdmin::new(store.clone()),
            monitor: polku_monitoring::Monitor::new(store.clone(), rules.clone()),
            notifier: polku_notify::Notifier::new(store.clone(), rules.clone(), ""),
            fees: Arc::new(polku_payments::FeeTable::bundled().unwrap_or_else(|e| {
                tracing::error!(error = %e, "the bundled fee table does not load: no fee is charged");
                polku_payments::FeeTable::default()
            })),
            payments: polku_payments::Payments::new(store.clone()),
            payment_provider: None,
            public_url: String::new(),
            chain_checks: Arc::default(),
            store,
            rules,
            people,
            figures: Arc::default(),
            backtests: Arc::default(),
            proposal_checks: Arc::default(),
            dry_runs: Arc::default(),
            sign_ins: Arc::default(),
            pdf_fonts: Arc::default(),
            preview: None,
            person_lookup: None,
            persons: None,
        }
    }

    /// Who may sign in and what they may do, in this server's database.
    pub fn access(&self) -> polku_access::Access {
        polku_access::Access::new(self.store.db().clone())
    }

    /// The audit chain every read of a person's data is logged in.
    pub fn audit(&self) -> polku_audit::AuditChain {
        polku_audit::AuditChain::new(self.store.db().clone())
    }

    /// The key figures (read-only).
    pub fn figures(&self) -> polku_figures::Figures {
        polku_figures::Figures::new(self.store.db().clone())
    }

    /// The browser sessions in this server's database.
    pub fn sessions(&self) -> sessions::Sessions {
        sessions::Sessions::new(self.store.db().clone())
    }
}

/// A path neither the pages nor the API have, as an HTML page in the visitor's language.
pub use pages::not_found;

/// The pages' look: the only style the Content-Security-Policy allows. It holds no
/// personal data, so it may be cached for an hour.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/polku.css"),
    )
}

/// The pages, to merge with the API's router; every answer carries the security headers
/// ([`security_headers`]; apply it again to the composed router so the API and the
/// fallback carry them too).
pub fn router(state: WebState) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/static/polku.css", get(stylesheet))
        .route("/language", get(pages::language))
        .route("/identify", get(pages::identify).post(pages::identified))
        .route("/sign-out", post(pages::sign_out))
        .route("/my/cases", get(pages::my_cases))
        .route("/my/contact", get(contact::show).post(contact::save))
        .route("/my/payments/{id}/return", get(payment::returned))
        .route("/payments/callback", get(payment::callback))
        .route("/my/apply", get(apply::choose))
        .route("/my/apply/{matter}", get(apply::form).post(apply::submit))
        .route("/my/cases/{id}", get(pages::my_case))
        .route("/my/cases/{id}/rectification", post(pages::rectify))
        .route("/my/cases/{id}/answer", post(reexamination::answer))
        .route(
            "/my/cases/{id}/requests/{request}/answer",
            post(requests::answer).layer(axum::extract::DefaultBodyLimit::max(
                requests::MAX_ANSWER_BODY,
            )),
        )
        .route(
            "/my/cases/{id}/attachments/{file}",
            get(requests::my_attachment),
        )
        .route("/my/cases/{id}/withdrawal", post(requests::withdraw))
        .route("/my/cases/{id}/decision.pdf", get(pdf::my_decision_pdf))
        .route(
            "/sign-in",
            get(officials::sign_in_page).post(officials::sign_in),
        )
        .route("/work", get(queue::work))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/audit", get(audit::audit))
        .route("/rules", get(rules::rules))
        .route("/rules/{id}", get(rules::rule_set))
        .route("/dashboard/{file}", get(dashboard::csv))
        .route("/work/cases/{id}", get(officials::work_case))
        .route("/work/alerts", get(monitoring::alerts))
        .route("/contact-points", get(liaison::contact_points))
        .route("/liaison/contact-points", post(liaison::keep_contact_point))
        .route("/liaison/flags", get(liaison::flags).post(liaison::raise))
        .route("/liaison/flags/{id}/renew", post(liaison::renew))
        .route("/liaison/flags/{id}/clear", post(liaison::clear))
        .route("/work/identity", get(identity::queue))
        .route("/work/identity/links/{left}/{right}", get(identity::link))
        .route(
            "/work/identity/links/{left}/{right}/verdict",
            post(identity::decide),
        )
        .route("/work/identity/persons/{id}", get(identity::person))
        .route("/inspect/employers", get(inspect::employers))
        .route("/inspect/employers/{id}", get(inspect::employer))
        .route("/work/alerts/{id}", get(monitoring::alert))
        .route("/work/alerts/{id}/confirmation", post(monitoring::confirm))
        .route("/work/alerts/{id}/dismissal", post(monitoring::dismiss))
        .route("/work/rules", get(rule_admin::overview))
        .route(
            "/work/rules/{id}/propose",
            get(rule_admin::propose_form).post(rule_admin::propose),
        )
        .route(
            "/work/rules/{id}/figure",
            get(figures_form::form).post(figures_form::write),
        )
        .route("/work/rules/proposals/{id}", get(rule_admin::proposal))
        .route(
            "/work/rules/proposals/{id}/dry-run",
            post(rule_admin::dry_run_again),
        )
        .route(
            "/work/rules/proposals/{id}/approval",
            post(rule_admin::approve),
        )
        .route(
            "/work/rules/proposals/{id}/rejection",
            post(rule_admin::reject),
        )
        .route(
            "/work/rules/proposals/{id}/withdrawal",
            post(rule_admin::withdraw),
        )
        .route("/work/cases/{id}/claim", post(officials::claim))
        .route("/work/cases/{id}/decision", post(officials::decide))
        .route("/work/cases/{id}/requests", post(requests::ask))
        .route(
            "/work/cases/{id}/attachments/{file}",
            get(requests::work_attachment),
        )
        .with_state(state);
    security_headers(pages)
}
