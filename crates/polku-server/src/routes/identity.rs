//! The identity register over the API (issue 14): another authority's system sends the
//! identity records it holds (asylum registration, border checks, the police), each
//! linked at once into persons by the same engine the pipeline uses; handlers read a
//! person's identity. The sender's source is its credential's organisation, never a field
//! it writes, and it is told what was taken in — nothing about anyone else's records.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::{BytesRejection, PathRejection};
use polku_access::Role;
use polku_identity::RawRecord;
use polku_identity::links::Colour;
use polku_persons::{Acting, NewRecord, PersonId, Persons, PersonsError, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CasePath, QueryOf, json_body, page_limit};
use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// The most records one call may carry.
pub const MAX_RECORDS_PER_CALL: usize = 500;

/// The purpose the registrations of sent records record.
pub const RECORDS_PURPOSE: &str = "identity records sent by another authority";
/// The purpose a handler's read of a person's identity records.
pub const PERSON_PURPOSE: &str = "a person's identity read";

pub(super) fn register(state: &AppState) -> Result<&Persons, Problem> {
    state.persons.as_ref().ok_or_else(|| {
        Problem::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "identity-register-not-in-use",
            "The identity register is not in use",
            "this server runs without the identity register",
        )
    })
}

/// One identity record as an authority sends it. Dates may be partial (`YYYY-MM-00`,
/// `YYYY-00-00`); nationality ISO 3166-1 alpha-3 (`XXA` stateless, `XXX` or empty
/// unknown); sex `F`, `M`, `X` or empty; document type `P`, `I`, `R`, `T`, `V`, `O`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordIn {
    /// The sender's own id of the record (letters, digits, `-`, `_`, `.`): sending it
    /// again is sending the same record.
    record_id: String,
    #[serde(default)]
    given_names: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    name_native: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    document_type: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    place_of_birth: String,
}

/// A batch of records.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBatch {
    /// 1–500 records.
    records: Vec<RecordIn>,
}

/// What was taken in.
#[derive(Serialize, ToSchema)]
pub struct RecordsTaken {
    /// The source the records are registered under: the sender's organisation.
    source: String,
    received: usize,
    /// New to the register.
    new: usize,
    /// Sent before with the same contents.
    already: usize,
}

/// The sender's organisation as a source name: lower case, words joined by `-`.
fn source_of(caller: &Caller) -> Result<String, Problem> {
    let org = caller.principal.organisation.as_deref().ok_or_else(|| {
        Problem::forbidden("a credential without an organisation sends no identity records")
    })?;
    let mut out = String::new();
    for c in org.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        return Err(Problem::forbidden(
            "the credential's organisation has no name in Latin letters",
        ));
    }
    Ok(out)
}

/// `POST /api/v1/identity/records`: another authority's system sends identity records.
/// Each is checked first (one that does not fit is named with its field, and nothing is
/// stored), then registered and linked one by one; a record sent again is taken as sent.
#[utoipa::path(
    post, path = "/api/v1/identity/records", tag = "identity",
    request_body = RecordBatch,
    responses(
        (status = 200, description = "Taken in", body = RecordsTaken),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a register's system, or no organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A record id sent before with other contents", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A record that does not fit, naming it and its field; nothing is stored", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RecordsTaken>, Problem> {
    if caller.principal.role != Role::RegisterFeed {
        return Err(Problem::forbidden(
            "only a register's system sends identity records",
        ));
    }
    let source = source_of(&caller)?;
    let persons = register(&state)?;
    let RecordBatch { records } = json_body(body)?;
    if records.is_empty() || records.len() > MAX_RECORDS_PER_CALL {
        return Err(Problem::invalid(
            "records",
            format!("send 1–{MAX_RECORDS_PER_CALL} records a call"),
        ));
    }
    // Every record checked before any is stored.
    let mut checked = Vec::with_capacity(records.len());
    for (i, r) in records.into_iter().enumerate() {
        let raw = RawRecord {
            record_id: format!("{source}.{}", r.record_id),
            source: source.clone(),
            given_names: r.given_names,
            family_name: r.family_name,
            name_native: r.name_native,
            date_of_birth: r.date_of_birth,
            sex: r.sex,
            nationality: r.nationality,
            document_type: r.document_type,
            document_number: r.document_number,
            place_of_birth: r.place_of_birth,
        };
        let record = raw.checked().map_err(|(field, problem)| {
            Problem::invalid(&format!("records[{i}].{field}"), problem.to_string())
        })?;
        checked.push(record);
    }
    let acting = Acting {
        actor: caller.actor(),
        purpose: RECORDS_PURPOSE.to_owned(),
    };
    let received = checked.len();
    let (mut new, mut already) = (0, 0);
    for record in checked {
        let id = record.record_id.clone();
        match persons
            .register(
                &NewRecord {
                    record,
                    subject: None,
                },
                &acting,
            )
            .await
        {
            Ok(done) if done.new => new += 1,
            Ok(_) => already += 1,
            Err(PersonsError::RecordIdTaken(_)) => {
                return Err(Problem::new(
                    axum::http::StatusCode::CONFLICT,
                    "record-id-taken",
                    "A record id sent before with other contents",
                    format!(
                        "record {} was sent before with other contents; records before it in this call were taken in",
                        id.trim_start_matches(&format!("{source}."))
                    ),
                ));
            }
            Err(e) => return Err(Problem::internal(&e)),
        }
    }
    Ok(Json(RecordsTaken {
        source,
        received,
        new,
        already,
    }))
}

/// A record as the register holds it.
#[derive(Serialize, ToSchema)]
pub struct RecordOut {
    /// Its place in the order of arrival (links name records by it).
    seq: u64,
    record_id: String,
    source: String,
    given_names: String,
    family_name: String,
    name_native: Option<String>,
    /// `YYYY-MM-DD`, `00` for an unknown part.
    date_of_birth: String,
    sex: String,
    nationality: String,
    document_type: Option<String>,
    document_number: Option<String>,
    /// Microseconds since the Unix epoch.
    registered_at: i64,
}

/// A link touching the person's records.
#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    left: u64,
    right: u64,
    /// `yellow`, `white`, `green` or `red`.
    colour: String,
    probability: f64,
    /// Whether a person judged it (else the machine's).
    judged: bool,
}

/// A person's identity.
#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    person: String,
    /// Links a person has still to check.
    open_links: u32,
    /// Red links: a multiple identity confirmed; no automatic decision for this person.
    red_links: u32,
    records: Vec<RecordOut>,
    links: Vec<LinkOut>,
}

fn record_out(r: &polku_persons::LinkedRecord) -> RecordOut {
    let raw = r.record.raw();
    RecordOut {
        seq: r.seq,
        record_id: raw.record_id,
        source: raw.source,
        given_names: raw.given_names,
        family_name: raw.family_name,
        name_native: r.record.name_native.clone(),
        date_of_birth: raw.date_of_birth,
        sex: raw.sex,
        nationality: raw.nationality,
        document_type: r.record.document_type.map(|d| d.code().to_owned()),
        document_number: r.record.document_number.clone(),
        registered_at: r.registered_at,
    }
}

/// `GET /api/v1/identity/persons/{id}`: a person's records and links, for a handler; the
/// read is use-logged. An id merged into another answers with the person it became.
#[utoipa::path(
    get, path = "/api/v1/identity/persons/{id}", tag = "identity",
    params(("id" = String, Path, description = "The person's id, `PID-` and digits")),
    responses(
        (status = 200, description = "The person", body = PersonOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn person(
    State(state): State<AppState>,
    caller: Caller,
    path: CasePath,
) -> Result<Json<PersonOut>, Problem> {
    identity_official(&caller)?;
    let Ok(axum::extract::Path(id)) = path else {
        return Err(Problem::not_found("there is no such person"));
    };
    let person: PersonId = id
        .parse()
        .map_err(|_| Problem::not_found(format!("there is no person {id}")))?;
    let persons = register(&state)?;
    let reader = Acting {
        actor: caller.actor(),
        purpose: PERSON_PURPOSE.to_owned(),
    };
    let view = match persons.person(person, &reader).await {
        Ok(view) => view,
        Err(PersonsError::NoSuchPerson(_)) => {
            return Err(Problem::not_found(format!("there is no person {id}")));
        }
        Err(e) => return Err(Problem::internal(&e)),
    };
    Ok(Json(PersonOut {
        person: view.person.to_string(),
        open_links: view.standing.open,
        red_links: view.standing.red,
        records: view.records.iter().map(record_out).collect(),
        links: view
            .links
            .iter()
            .map(|l| LinkOut {
                left: l.left,
                right: l.right,
                colour: l.colour.code().to_owned(),
                probability: l.explanation.probability,
                judged: l.decided_by.is_some(),
            })
            .collect(),
    }))
}

/// The purpose a handler's read of the identity queue records.
pub const QUEUE_PURPOSE: &str = "identity links read to be checked";

/// Only those who read persons and judge identity links: case handlers, legal officers,
/// asylum officers.
pub(super) fn identity_official(caller: &Caller) -> Result<(), Problem> {
    if matches!(
        caller.principal.role,
        Role::CaseHandler | Role::LegalOfficer | Role::AsylumOfficer
    ) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "only case handlers, legal officers and asylum officers read persons and check identity links",
        ))
    }
}

/// One field's part in a link.
#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    /// `name`, `date_of_birth`, `sex`, `nationality`, `document_number`, `place_of_birth`.
    field: String,
    /// The comparison level (`same_names`, `names_alike`, `same_date`,
    /// `day_month_swapped`, `same`, `one_slip`, `differ`, …); absent where a value is
    /// missing: no evidence either way.
    #[schema(value_type = Option<String>)]
    level: Option<polku_identity::Level>,
    /// The level in English words.
    described: Option<&'static str>,
    /// Bits for (positive) or against (negative).
    weight: f64,
}

/// A link with both its records and the evidence field by field.
#[derive(Serialize, ToSchema)]
pub struct LinkDetail {
    left: RecordOut,
    right: RecordOut,
    /// `yellow` (a person is to check it), `white`, `green` or `red`.
    colour: String,
    probability: f64,
    /// The prior odds, in bits, before any field.
    prior: f64,
    evidence: Vec<EvidenceOut>,
    /// Microseconds since the Unix epoch.
    created_at: i64,
    /// The verdict's reasons, where a person judged it.
    reason: Option<String>,
    judged: bool,
}

fn link_detail(
    (link, left, right): &(
        polku_persons::Link,
        polku_persons::LinkedRecord,
        polku_persons::LinkedRecord,
    ),
) -> LinkDetail {
    LinkDetail {
        left: record_out(left),
        right: record_out(right),
        colour: link.colour.code().to_owned(),
        probability: link.explanation.probability,
        prior: link.explanation.prior,
        evidence: link
            .explanation
            .fields
            .iter()
            .map(|f| EvidenceOut {
                field: f.field.clone(),
                level: f.level,
                described: f.level.map(polku_identity::Level::describe),
                weight: f.weight,
            })
            .collect(),
        created_at: link.created_at,
        reason: link.reason.clone(),
        judged: link.decided_by.is_some(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinksQuery {
    /// Links per call, 1–500 (default 50), the oldest first.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The identity queue.
#[derive(Serialize, ToSchema)]
pub struct LinkQueue {
    /// Open links in all.
    total: u64,
    /// The oldest first.
    links: Vec<LinkDetail>,
}

/// `GET /api/v1/identity/links`: the identity queue — links a person is to check, the
/// oldest first, each with both records and the evidence. The read is use-logged.
#[utoipa::path(
    get, path = "/api/v1/identity/links", tag = "identity",
    params(LinksQuery),
    responses(
        (status = 200, description = "The open links", body = LinkQueue),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn links(
    State(state): State<AppState>,
    caller: Caller,
    QueryOf(q): QueryOf<LinksQuery>,
) -> Result<Json<LinkQueue>, Problem> {
    identity_official(&caller)?;
    let limit = page_limit(q.limit)?;
    let persons = register(&state)?;
    let reader = Acting {
        actor: caller.actor(),
        purpose: QUEUE_PURPOSE.to_owned(),
    };
    let (links, total) = persons
        .queue(limit as u32, &reader)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(Json(LinkQueue {
        total,
        links: links.iter().map(link_detail).collect(),
    }))
}

type LinkPath = Result<axum::extract::Path<(String, String)>, PathRejection>;

/// The two records' places a link's path names, or a 404.
fn link_of(path: LinkPath) -> Result<(u64, u64), Problem> {
    let none = || Problem::not_found("there is no such link");
    let Ok(axum::extract::Path((left, right))) = path else {
        return Err(none());
    };
    match (left.parse(), right.parse()) {
        (Ok(l), Ok(r)) => Ok((l, r)),
        _ => Err(none()),
    }
}

/// `GET /api/v1/identity/links/{left}/{right}`: one link with both records and the
/// evidence. The read is use-logged.
#[utoipa::path(
    get, path = "/api/v1/identity/links/{left}/{right}", tag = "identity",
    params(
        ("left" = u64, Path, description = "One record's place (`seq`)"),
        ("right" = u64, Path, description = "The other record's place"),
    ),
    responses(
        (status = 200, description = "The link", body = LinkDetail),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    path: LinkPath,
) -> Result<Json<LinkDetail>, Problem> {
    identity_official(&caller)?;
    let (left, right) = link_of(path)?;
    let persons = register(&state)?;
    let reader = Acting {
        actor: caller.actor(),
        purpose: QUEUE_PURPOSE.to_owned(),
    };
    match persons.link(left, right, &reader).await {
        Ok(found) => Ok(Json(link_detail(&found))),
        Err(PersonsError::NoSuchLink(..)) => Err(Problem::not_found("there is no such link")),
        Err(e) => Err(Problem::internal(&e)),
    }
}

/// A person's verdict on a link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictIn {
    /// `white` (one person, the differences legitimate), `green` (different people) or
    /// `red` (one person under an unjustified multiple identity).
    verdict: String,
    /// Why, for the record, in plain text: not only spaces, at most 20,000 characters, no
    /// control character but line breaks and tabs (anything else is a 422 naming
    /// `reasons`).
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    reasons: String,
}

/// What a verdict changed.
#[derive(Serialize, ToSchema)]
pub struct VerdictOut {
    colour: String,
    /// The persons the records belong to now.
    persons: Vec<String>,
}

/// `POST /api/v1/identity/links/{left}/{right}/verdict`: a person's verdict. It stands:
/// a link already judged is a 409, and so is a verdict that would join two records a
/// person has judged different people; nothing changes then.
#[utoipa::path(
    post, path = "/api/v1/identity/links/{left}/{right}/verdict", tag = "identity",
    params(
        ("left" = u64, Path, description = "One record's place (`seq`)"),
        ("right" = u64, Path, description = "The other record's place"),
    ),
    request_body = VerdictIn,
    responses(
        (status = 200, description = "Judged", body = VerdictOut),
        (status = 400, description = "No body, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a handler", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Judged before, or contradicting a verdict", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such verdict, or no reasons", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No identity register on this server", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn verdict(
    State(state): State<AppState>,
    caller: Caller,
    path: LinkPath,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<VerdictOut>, Problem> {
    identity_official(&caller)?;
    let (left, right) = link_of(path)?;
    let VerdictIn { verdict, reasons } = json_body(body)?;
    let Some(verdict) = Colour::parse(&verdict).and_then(Verdict::of) else {
        return Err(Problem::invalid(
            "verdict",
            "the verdict is white, green or red",
        ));
    };
    super::plain_text("reasons", &reasons, super::MAX_REASONS)?;
    let persons = register(&state)?;
    let conflict = |title: &str, detail: String| {
        Problem::new(
            axum::http::StatusCode::CONFLICT,
            "identity-verdict-refused",
            title,
            detail,
        )
    };
    match persons
        .decide(left, right, verdict, caller.principal.user_id, &reasons)
        .await
    {
        Ok(changed) => Ok(Json(VerdictOut {
            colour: verdict.colour().code().to_owned(),
            persons: changed.iter().map(ToString::to_string).collect(),
        })),
        Err(PersonsError::NoSuchLink(..)) => Err(Problem::not_found("there is no such link")),
        Err(PersonsError::AlreadyDecided(..)) => Err(conflict(
            "Judged before",
            "a person has judged this link; a verdict stands".to_owned(),
        )),
        Err(PersonsError::Contradicts(..)) => Err(conflict(
            "Contradicts a verdict",
            "this would make one person of records a person judged to be different people; nothing changed".to_owned(),
        )),
        Err(PersonsError::NoReason) => Err(Problem::invalid("reasons", "give the reasons")),
        Err(e) => Err(Problem::internal(&e)),
    }
}
