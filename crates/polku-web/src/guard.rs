//! Who may see a page: extractors that let a handler run only for a signed-in visitor of
//! the right kind — an applicant, or an official in one of a page's roles — and answer
//! everyone else the same way on every page: not signed in, to the sign-in (the test
//! identity provider for applicants, the password form for officials); signed in as
//! someone else, the 403 page in their language.
//!
//! A guard reads the visitor itself (cookies, session), so a handler takes the guard in
//! place of the `Visitor` and gets both. Put it after `Path` and `Query` in the handler's
//! arguments: extractors run in that order, and a malformed path or query is then
//! refused (400) before anyone is asked who they are, as when the pages checked the
//! session in their bodies. A body extractor always runs last, after the guard; a
//! handler whose body extractor refuses a body of the wrong kind (`Form` without
//! `Result`, `Multipart`) takes `Result<Guard, PageError>` and applies `?` first thing,
//! so that such a body is refused (415, 400) whoever sends it, as it always was.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect};
use polku_access::Role;

use crate::WebState;
use crate::frame::{PageError, error_page};
use crate::visitor::{Session, Visitor};

/// The visitor's session, or the way to the sign-in at `sign_in` when they have none.
fn signed_in(v: &Visitor, sign_in: &'static str) -> Result<Session, PageError> {
    v.session
        .clone()
        .ok_or_else(|| PageError::from(Redirect::to(sign_in).into_response()))
}

/// Signed in, but not someone this page is for.
fn forbidden(v: &Visitor) -> PageError {
    PageError::from(error_page(v, StatusCode::FORBIDDEN, "error-forbidden"))
}

/// A signed-in applicant and the person they are (the e-service's pages).
pub(crate) struct ApplicantSession {
    pub v: Visitor,
    pub session: Session,
    /// The person the applicant was identified as: the only one whose cases they see.
    pub person: String,
}

impl FromRequestParts<WebState> for ApplicantSession {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let v = Visitor::from_request_parts(parts, state).await?;
        let session = signed_in(&v, "/identify")?;
        match (session.principal.role, session.principal.person_id.clone()) {
            (Role::Applicant, Some(person)) => Ok(ApplicantSession { v, session, person }),
            _ => Err(forbidden(&v)),
        }
    }
}

/// The officials a set of pages is for.
pub(crate) trait Roles: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// The workbench and rule administration: case handlers and legal officers.
pub(crate) struct CaseWork;

impl Roles for CaseWork {
    const ROLES: &'static [Role] = &[Role::CaseHandler, Role::LegalOfficer];
}

/// The key figures: analysts, legal officers and administrators.
pub(crate) struct Figures;

impl Roles for Figures {
    const ROLES: &'static [Role] = &[Role::Analyst, Role::LegalOfficer, Role::Administrator];
}

/// The logs and their chain: auditors.
pub(crate) struct Auditing;

impl Roles for Auditing {
    const ROLES: &'static [Role] = &[Role::Auditor];
}

/// The labour-exploitation indicators: labour inspectors.
pub(crate) struct Inspecting;

impl Roles for Inspecting {
    const ROLES: &'static [Role] = &[Role::LabourInspector];
}

/// Flags and contact points: a security authority's liaison.
pub(crate) struct Liaising;

impl Roles for Liaising {
    const ROLES: &'static [Role] = &[Role::SecurityLiaison];
}

/// Pages for every official of the authorities (the contact points).
pub(crate) struct AnyOfficial;

impl Roles for AnyOfficial {
    const ROLES: &'static [Role] = &[
        Role::CaseHandler,
        Role::LegalOfficer,
        Role::AsylumOfficer,
        Role::ReceptionOfficer,
        Role::ReturnCounsellor,
        Role::Analyst,
        Role::SecurityLiaison,
        Role::Auditor,
        Role::Administrator,
        Role::LabourInspector,
    ];
}

/// A signed-in official in one of `R`'s roles. A page for other roles names another
/// [`Roles`]; the store still checks what each role may do (approving a rule change,
/// say), the guard only who may see the page.
pub(crate) struct Official<R: Roles> {
    pub v: Visitor,
    pub session: Session,
    roles: PhantomData<fn() -> R>,
}

/// A case handler or legal officer.
pub(crate) type HandlerSession = Official<CaseWork>;
/// Someone who may read the key figures.
pub(crate) type AnalystSession = Official<Figures>;
/// An auditor.
pub(crate) type AuditorSession = Official<Auditing>;
/// A labour inspector.
pub(crate) type InspectorSession = Official<Inspecting>;
/// A security authority's liaison.
pub(crate) type LiaisonSession = Official<Liaising>;
/// Any official of the authorities.
pub(crate) type OfficialSession = Official<AnyOfficial>;

impl<R: Roles> FromRequestParts<WebState> for Official<R> {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let v = Visitor::from_request_parts(parts, state).await?;
        let session = signed_in(&v, "/sign-in")?;
        if !R::ROLES.contains(&session.principal.role) {
            return Err(forbidden(&v));
        }
        Ok(Official {
            v,
            session,
            roles: PhantomData,
        })
    }
}
