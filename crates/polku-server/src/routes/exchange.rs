//! Exchange between authorities over the API (issue 15): contact points each authority
//! keeps itself, flags a security authority raises, renews and clears on a person, and
//! the hit / no hit the Immigration Service's officials see. The acting authority is the
//! credential's organisation, never a field of the request.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use polku_access::Role;
use polku_exchange::{Authority, ContactPoint, Exchange, ExchangeError, FlagKind, NewFlag, Raiser};
use polku_persons::{PersonId, PersonsError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CasePath, json_body};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// The purpose a handler's read of a person's flags records.
pub const HITS_PURPOSE: &str = "a person's flags read (hit / no hit)";

fn exchange(state: &AppState) -> Exchange {
    Exchange::new(state.store.clone())
}

/// The caller's authority: its credential's organisation.
fn authority_of(caller: &Caller) -> Result<Authority, Problem> {
    caller
        .principal
        .organisation
        .as_deref()
        .and_then(Authority::of_organisation)
        .ok_or_else(|| {
            Problem::forbidden("the credential's organisation is not an authority of the exchange")
        })
}

fn problem(e: ExchangeError) -> Problem {
    match e {
        ExchangeError::Invalid(field, why) => Problem::invalid(field, why),
        ExchangeError::MayNotFlag(a) => {
            Problem::forbidden(&format!("{} raises no flags", a.finnish_name()))
        }
        ExchangeError::NoSuchFlag(id) => {
            Problem::not_found(format!("there is no flag {id} of yours"))
        }
        ExchangeError::Cleared(id) => Problem::conflict(format!("flag {id} is cleared")),
        ExchangeError::NotYours(id) => {
            Problem::conflict(format!("contact point {id} is another authority's"))
        }
        e => Problem::internal(&e),
    }
}

/// A contact point: a unit of an authority that receives a kind of matter.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPointBody {
    /// 3–64 lower-case letters, digits and hyphens.
    id: String,
    name_fi: String,
    name_sv: String,
    name_en: String,
    email: String,
    /// One or more of `fi`, `sv`, `en`.
    languages: Vec<String>,
    /// When it answers, in words.
    hours: String,
}

/// A contact point as every official reads it.
#[derive(Serialize, ToSchema)]
pub struct ContactPointOut {
    /// The authority that keeps it (`supo`, `police`, `nbi`, `border_guard`, `migri`, …).
    organisation: String,
    #[serde(flatten)]
    point: ContactPointBody,
}

fn point_out(p: ContactPoint) -> ContactPointOut {
    ContactPointOut {
        organisation: p.organisation.code().to_owned(),
        point: ContactPointBody {
            id: p.id,
            name_fi: p.name_fi,
            name_sv: p.name_sv,
            name_en: p.name_en,
            email: p.email,
            languages: p.languages,
            hours: p.hours,
        },
    }
}

fn official(caller: &Caller) -> Result<(), Problem> {
    match caller.principal.role {
        Role::Applicant | Role::RegisterFeed => Err(Problem::forbidden(
            "contact points are for officials of the authorities",
        )),
        _ => Ok(()),
    }
}

/// `GET /api/v1/contact-points`: every authority's contact points, for every official.
#[utoipa::path(
    get, path = "/api/v1/contact-points", tag = "exchange",
    responses(
        (status = 200, description = "The contact points", body = [ContactPointOut]),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an official", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn contact_points(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ContactPointOut>>, Problem> {
    official(&caller)?;
    let points = exchange(&state).contact_points().await.map_err(problem)?;
    Ok(Json(points.into_iter().map(point_out).collect()))
}

/// `POST /api/v1/contact-points`: an authority's security liaison or administrator adds
/// or changes one of its own contact points.
#[utoipa::path(
    post, path = "/api/v1/contact-points", tag = "exchange",
    request_body = ContactPointBody,
    responses(
        (status = 200, description = "Kept", body = ContactPointOut),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a liaison or administrator of an authority", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another authority's contact point", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field that does not fit, named", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn keep_contact_point(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ContactPointOut>, Problem> {
    if !matches!(
        caller.principal.role,
        Role::SecurityLiaison | Role::Administrator
    ) {
        return Err(Problem::forbidden(
            "an authority's security liaison or administrator keeps its contact points",
        ));
    }
    let authority = authority_of(&caller)?;
    let b: ContactPointBody = json_body(body)?;
    let point = ContactPoint {
        id: b.id,
        organisation: authority,
        name_fi: b.name_fi,
        name_sv: b.name_sv,
        name_en: b.name_en,
        email: b.email,
        languages: b.languages,
        hours: b.hours,
    };
    exchange(&state)
        .keep_contact_point(&point, &caller.actor())
        .await
        .map_err(problem)?;
    Ok(Json(point_out(point)))
}

/// A flag to raise on a person.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagBody {
    /// The identity register's person id (`PID-` and digits).
    person: String,
    /// `national_security`, `public_order`, `criminal_investigation` or `suspected_misuse`.
    kind: String,
    /// One of your authority's contact points.
    contact_point: String,
    /// The provision it rests on, 1–2000 characters.
    legal_basis: String,
    /// The last day in force (`YYYY-MM-DD`), today to a year ahead: it lapses unless renewed.
    #[schema(format = Date)]
    expires_on: String,
}

/// A flag as the authority that raised it reads it.
#[derive(Serialize, ToSchema)]
pub struct FlagOut {
    id: String,
    person: String,
    kind: String,
    contact_point: String,
    legal_basis: String,
    #[schema(format = Date)]
    expires_on: String,
    /// Whether it is in force today (not cleared, not past its last day).
    in_force: bool,
}

fn flag_out(f: polku_exchange::Flag) -> FlagOut {
    FlagOut {
        in_force: f.in_force(polku_cases::today_in_finland()),
        id: f.id.to_string(),
        person: f.person.to_string(),
        kind: f.kind.code().to_owned(),
        contact_point: f.contact_point,
        legal_basis: f.legal_basis,
        expires_on: f.expires_on.to_string(),
    }
}

fn raiser(caller: &Caller) -> Result<Raiser, Problem> {
    if caller.principal.role != Role::SecurityLiaison {
        return Err(Problem::forbidden(
            "a security authority's liaison raises, renews and clears flags",
        ));
    }
    Ok(Raiser {
        actor: caller.actor(),
        authority: authority_of(caller)?,
    })
}

fn date(field: &str, text: &str) -> Result<jiff::civil::Date, Problem> {
    polku_rules::schema::parse_date(text)
        .ok_or_else(|| Problem::invalid(field, format!("`{text}` is not a date YYYY-MM-DD")))
}

/// `POST /api/v1/flags`: a security authority's liaison raises a flag on a person. Others
/// will see that it exists, its kind, the contact point and its last day — nothing else.
#[utoipa::path(
    post, path = "/api/v1/flags", tag = "exchange",
    request_body = FlagBody,
    responses(
        (status = 200, description = "Raised", body = FlagOut),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a security authority's liaison", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field that does not fit, named (an unknown person among them)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn raise(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<FlagOut>, Problem> {
    let by = raiser(&caller)?;
    let b: FlagBody = json_body(body)?;
    let kind = FlagKind::parse(&b.kind).ok_or_else(|| {
        Problem::invalid(
            "kind",
            "national_security, public_order, criminal_investigation or suspected_misuse",
        )
    })?;
    let expires_on = date("expires_on", &b.expires_on)?;
    let persons = super::identity::register(&state)?;
    let unknown = || Problem::invalid("person", format!("there is no person {}", b.person));
    let id: PersonId = b.person.parse().map_err(|_| unknown())?;
    // A merged id is the person it became.
    let person = match persons.current(id).await {
        Ok(p) => p,
        Err(PersonsError::NoSuchPerson(_)) => return Err(unknown()),
        Err(e) => return Err(Problem::internal(&e)),
    };
    let flag = exchange(&state)
        .raise(
            &NewFlag {
                person,
                kind,
                contact_point: b.contact_point,
                legal_basis: b.legal_basis,
                expires_on,
            },
            &by,
        )
        .await
        .map_err(problem)?;
    Ok(Json(flag_out(flag)))
}

/// `GET /api/v1/flags`: the flags your authority raised, the newest first.
#[utoipa::path(
    get, path = "/api/v1/flags", tag = "exchange",
    responses(
        (status = 200, description = "Your authority's flags", body = [FlagOut]),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a security authority's liaison", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn own_flags(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<FlagOut>>, Problem> {
    let by = raiser(&caller)?;
    let flags = exchange(&state)
        .flags_of(by.authority, 500)
        .await
        .map_err(problem)?;
    Ok(Json(flags.into_iter().map(flag_out).collect()))
}

fn flag_id(path: CasePath) -> Result<uuid::Uuid, Problem> {
    let none = || Problem::not_found("there is no such flag of yours");
    let Ok(axum::extract::Path(id)) = path else {
        return Err(none());
    };
    id.parse().map_err(|_| none())
}

/// A flag's new last day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewBody {
    #[schema(format = Date)]
    expires_on: String,
}

/// `POST /api/v1/flags/{id}/renew`: the raising authority keeps its flag in force.
#[utoipa::path(
    post, path = "/api/v1/flags/{id}/renew", tag = "exchange",
    params(("id" = String, Path, description = "The flag's id")),
    request_body = RenewBody,
    responses(
        (status = 200, description = "Renewed", body = FlagOut),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a security authority's liaison", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flag of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cleared", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A day that does not fit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn renew(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<FlagOut>, Problem> {
    let by = raiser(&caller)?;
    let id = flag_id(path)?;
    let b: RenewBody = json_body(body)?;
    let expires_on = date("expires_on", &b.expires_on)?;
    let flag = exchange(&state)
        .renew(id, expires_on, &by)
        .await
        .map_err(problem)?;
    Ok(Json(flag_out(flag)))
}

/// Why a flag is cleared.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearBody {
    /// 1–2000 characters of plain text.
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    reason: String,
}

/// `POST /api/v1/flags/{id}/clear`: the raising authority clears its flag, with its reason.
#[utoipa::path(
    post, path = "/api/v1/flags/{id}/clear", tag = "exchange",
    params(("id" = String, Path, description = "The flag's id")),
    request_body = ClearBody,
    responses(
        (status = 204, description = "Cleared"),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a security authority's liaison", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such flag of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cleared before", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn clear(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::http::StatusCode, Problem> {
    let by = raiser(&caller)?;
    let id = flag_id(path)?;
    let b: ClearBody = json_body(body)?;
    exchange(&state)
        .clear(id, &b.reason, &by)
        .await
        .map_err(problem)?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A flag as the Immigration Service sees it.
#[derive(Serialize, ToSchema)]
pub struct HitOut {
    kind: String,
    /// The authority whose flag it is.
    organisation: String,
    /// Whom to turn to.
    contact_point: String,
    #[schema(format = Date)]
    expires_on: String,
}

/// `GET /api/v1/identity/persons/{id}/flags`: hit or no hit — the flags in force on a
/// person, as a handler may see them (kind, authority, contact point, last day). The read
/// is in the disclosure log.
#[utoipa::path(
    get, path = "/api/v1/identity/persons/{id}/flags", tag = "exchange",
    params(("id" = String, Path, description = "The person's id, `PID-` and digits")),
    responses(
        (status = 200, description = "The flags in force (empty: no hit)", body = [HitOut]),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn person_flags(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
) -> Result<Json<Vec<HitOut>>, Problem> {
    super::identity::identity_official(&caller)?;
    let Ok(axum::extract::Path(id)) = path else {
        return Err(Problem::not_found("there is no such person"));
    };
    let missing = || Problem::not_found(format!("there is no person {id}"));
    let person: PersonId = id.parse().map_err(|_| missing())?;
    let persons = super::identity::register(&state)?;
    let ids = match persons.ids_of(person).await {
        Ok(ids) => ids,
        Err(PersonsError::NoSuchPerson(_)) => return Err(missing()),
        Err(e) => return Err(Problem::internal(&e)),
    };
    let hits = exchange(&state)
        .hits(
            &ids,
            &caller.actor(),
            caller.principal.organisation.as_deref(),
            HITS_PURPOSE,
        )
        .await
        .map_err(problem)?;
    Ok(Json(
        hits.into_iter()
            .map(|h| HitOut {
                kind: h.kind.code().to_owned(),
                organisation: h.organisation.code().to_owned(),
                contact_point: h.contact_point,
                expires_on: h.expires_on.to_string(),
            })
            .collect(),
    ))
}
