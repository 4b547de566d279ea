//! The security liaison's page (issue 15): their authority's flags — in force, lapsed or
//! cleared — with renewal and clearing, and a form to raise one on a person, naming one of
//! the authority's own contact points. The authority is the signed-in official's, never a
//! field of a form. A form that does not fit is shown again with what to do, and nothing
//! is written.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_exchange::{Authority, Exchange, ExchangeError, FlagKind, NewFlag, Raiser};
use polku_persons::{PersonId, PersonsError};
use serde::Deserialize;

use crate::WebState;
use crate::frame::{Page, PageError, error_page, internal};
use crate::guard::LiaisonSession;
use crate::i18n::Tr;
use crate::plain;
use crate::visitor::{Session, Visitor};

/// A flag on the page.
struct FlagRow {
    id: String,
    person: String,
    kind: String,
    contact: String,
    until: String,
    state: String,
    in_force: bool,
}

/// What was refused, to show with the form again.
#[derive(Default)]
struct Refused {
    message: String,
    form: RaiseForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "liaison_flags.html")]
struct FlagsPage {
    page: Page,
    authority: String,
    done: Option<String>,
    rows: Vec<FlagRow>,
    /// `(code, label)` of each kind.
    kinds: Vec<(String, String)>,
    /// `(id, name)` of each of the authority's contact points.
    points: Vec<(String, String)>,
    refused: Refused,
    /// The last day a form offers first: 90 days on.
    default_until: String,
}

fn authority(v: &Visitor, session: &Session) -> Result<Authority, PageError> {
    session
        .principal
        .organisation
        .as_deref()
        .and_then(Authority::of_organisation)
        .filter(|a| a.raises_flags())
        .ok_or_else(|| error_page(v, StatusCode::FORBIDDEN, "error-forbidden").into())
}

fn raiser(v: &Visitor, session: &Session) -> Result<Raiser, PageError> {
    Ok(Raiser {
        actor: polku_audit::Actor::User(session.principal.user_id),
        authority: authority(v, session)?,
    })
}

fn kind_label(tr: Tr, k: FlagKind) -> String {
    tr.t(&format!("flag-kind-{}", k.code()))
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /liaison/flags`: the authority's flags and the form to raise one.
pub async fn flags(
    State(state): State<WebState>,
    Query(q): Query<Done>,
    LiaisonSession { v, session, .. }: LiaisonSession,
) -> Result<Response, PageError> {
    show(
        &state,
        &v,
        &session,
        StatusCode::OK,
        q.done,
        Refused::default(),
    )
    .await
}

async fn show(
    state: &WebState,
    v: &Visitor,
    session: &Session,
    status: StatusCode,
    done: Option<String>,
    refused: Refused,
) -> Result<Response, PageError> {
    let tr = v.tr;
    let by = authority(v, session)?;
    let exchange = Exchange::new(state.store.clone());
    let points = exchange
        .contact_points()
        .await
        .map_err(|e| internal(v, &e))?;
    let name_of = |id: &str| {
        points
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_owned(), |p| p.name(tr.lang.code()).to_owned())
    };
    let today = polku_cases::today_in_finland();
    let rows = exchange
        .flags_of(by, 500)
        .await
        .map_err(|e| internal(v, &e))?
        .into_iter()
        .map(|f| FlagRow {
            in_force: f.in_force(today),
            state: tr.t(if f.cleared_at.is_some() {
                "liaison-state-cleared"
            } else if f.in_force(today) {
                "liaison-state-in-force"
            } else {
                "liaison-state-lapsed"
            }),
            id: f.id.to_string(),
            person: f.person.to_string(),
            kind: kind_label(tr, f.kind),
            contact: name_of(&f.contact_point),
            until: plain::date(f.expires_on, tr.lang),
        })
        .collect();
    let default_until = today
        .checked_add(jiff::Span::new().days(90))
        .unwrap_or(today)
        .to_string();
    let done = done.and_then(|d| match d.as_str() {
        "raised" | "renewed" | "cleared" | "kept" => Some(tr.t(&format!("liaison-done-{d}"))),
        _ => None,
    });
    let page = FlagsPage {
        page: Page::of(v),
        authority: tr.t(&format!("authority-{}", by.code())),
        done,
        rows,
        kinds: FlagKind::ALL
            .into_iter()
            .map(|k| (k.code().to_owned(), kind_label(tr, k)))
            .collect(),
        points: points
            .iter()
            .filter(|p| p.organisation == by)
            .map(|p| (p.id.clone(), p.name(tr.lang.code()).to_owned()))
            .collect(),
        refused,
        default_until,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default, Clone)]
pub struct RaiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    contact_point: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    expires_on: String,
}

/// The message for an exchange refusal, in the reader's language.
fn refusal(tr: Tr, e: &ExchangeError) -> Option<String> {
    match e {
        ExchangeError::Invalid(field, _) => Some(tr.t(&format!("liaison-invalid-{field}"))),
        ExchangeError::NoSuchFlag(_) => Some(tr.t("liaison-no-such-flag")),
        ExchangeError::Cleared(_) => Some(tr.t("liaison-already-cleared")),
        _ => None,
    }
}

/// `POST /liaison/flags`: raise a flag.
pub async fn raise(
    State(state): State<WebState>,
    LiaisonSession { v, session, .. }: LiaisonSession,
    form: Result<Form<RaiseForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = own_form(&v, &session, form)?;
    let by = raiser(&v, &session)?;
    let tr = v.tr;
    // A field that does not fit: the page again, saying what to do, nothing written.
    let refuse = async |key: &str| {
        let r = Refused {
            message: tr.t(key),
            form: form.clone(),
        };
        show(
            &state,
            &v,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            r,
        )
        .await
    };
    let Some(persons) = state.persons.as_ref() else {
        return Err(error_page(&v, StatusCode::NOT_FOUND, "identity-not-in-use").into());
    };
    let person = match form.person.trim().parse::<PersonId>() {
        Ok(id) => match persons.current(id).await {
            Ok(p) => Some(p),
            Err(PersonsError::NoSuchPerson(_)) => None,
            Err(e) => return Err(internal(&v, &e).into()),
        },
        Err(_) => None,
    };
    let Some(person) = person else {
        return refuse("liaison-invalid-person").await;
    };
    let Some(kind) = FlagKind::parse(&form.kind) else {
        return refuse("liaison-invalid-kind").await;
    };
    let Some(expires_on) = polku_rules::schema::parse_date(form.expires_on.trim()) else {
        return refuse("liaison-invalid-expires_on").await;
    };
    let new = NewFlag {
        person,
        kind,
        contact_point: form.contact_point.clone(),
        legal_basis: form.legal_basis.clone(),
        expires_on,
    };
    match Exchange::new(state.store.clone()).raise(&new, &by).await {
        Ok(_) => Ok(Redirect::to("/liaison/flags?done=raised").into_response()),
        Err(e) => match refusal(tr, &e) {
            Some(message) => {
                let r = Refused {
                    message,
                    form: form.clone(),
                };
                show(
                    &state,
                    &v,
                    &session,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    r,
                )
                .await
            }
            None => Err(internal(&v, &e).into()),
        },
    }
}

#[derive(Deserialize)]
pub struct RenewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    expires_on: String,
}

/// A form that carries the session's token against forgery.
trait Sent {
    fn csrf(&self) -> &str;
}

macro_rules! sent {
    ($($form:ty),*) => {
        $(impl Sent for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
sent!(RaiseForm, RenewForm, ClearForm, PointForm);

/// The form as this session's own page sent it; a forged, missing or unreadable one is
/// the 403 page, and nothing is done.
fn own_form<T: Sent>(
    v: &Visitor,
    session: &Session,
    form: Result<Form<T>, FormRejection>,
) -> Result<T, PageError> {
    match form {
        Ok(Form(form)) if form.csrf() == session.csrf => Ok(form),
        _ => Err(error_page(v, StatusCode::FORBIDDEN, "error-csrf").into()),
    }
}

fn flag_id(v: &Visitor, id: &str) -> Result<uuid::Uuid, PageError> {
    id.parse()
        .map_err(|_| error_page(v, StatusCode::NOT_FOUND, "error-not-found").into())
}

/// `POST /liaison/flags/{id}/renew`: a new last day.
pub async fn renew(
    State(state): State<WebState>,
    Path(id): Path<String>,
    LiaisonSession { v, session, .. }: LiaisonSession,
    form: Result<Form<RenewForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = own_form(&v, &session, form)?;
    let by = raiser(&v, &session)?;
    let id = flag_id(&v, &id)?;
    let tr = v.tr;
    let refused = |message: String| Refused {
        message,
        form: RaiseForm::default(),
    };
    let Some(day) = polku_rules::schema::parse_date(form.expires_on.trim()) else {
        let r = refused(tr.t("liaison-invalid-expires_on"));
        return show(
            &state,
            &v,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            r,
        )
        .await;
    };
    match Exchange::new(state.store.clone()).renew(id, day, &by).await {
        Ok(_) => Ok(Redirect::to("/liaison/flags?done=renewed").into_response()),
        Err(e) => refused_on_a_flag(&state, &v, &session, e).await,
    }
}

/// A renewal or clearing refused: no such flag of theirs is a 404; a cleared one a 409;
/// a field that does not fit a 422 — the page again, saying what to do.
async fn refused_on_a_flag(
    state: &WebState,
    v: &Visitor,
    session: &Session,
    e: ExchangeError,
) -> Result<Response, PageError> {
    if matches!(e, ExchangeError::NoSuchFlag(_)) {
        return Err(error_page(v, StatusCode::NOT_FOUND, "error-not-found").into());
    }
    let Some(message) = refusal(v.tr, &e) else {
        return Err(internal(v, &e).into());
    };
    let status = if matches!(e, ExchangeError::Cleared(_)) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let r = Refused {
        message,
        form: RaiseForm::default(),
    };
    show(state, v, session, status, None, r).await
}

#[derive(Deserialize)]
pub struct ClearForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /liaison/flags/{id}/clear`: cleared, with the reason.
pub async fn clear(
    State(state): State<WebState>,
    Path(id): Path<String>,
    LiaisonSession { v, session, .. }: LiaisonSession,
    form: Result<Form<ClearForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = own_form(&v, &session, form)?;
    let by = raiser(&v, &session)?;
    let id = flag_id(&v, &id)?;
    match Exchange::new(state.store.clone())
        .clear(id, &form.reason, &by)
        .await
    {
        Ok(()) => Ok(Redirect::to("/liaison/flags?done=cleared").into_response()),
        Err(e) => refused_on_a_flag(&state, &v, &session, e).await,
    }
}

/// A contact point as the list shows it.
struct PointRow {
    authority: String,
    name: String,
    email: String,
    languages: String,
    hours: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contact_points.html")]
struct PointsPage {
    page: Page,
    q: String,
    rows: Vec<PointRow>,
    summary: String,
}

#[derive(Deserialize)]
pub struct PointsQuery {
    #[serde(default)]
    q: String,
}

/// `GET /contact-points`: every authority's contact points, searchable, for every official.
pub async fn contact_points(
    State(state): State<WebState>,
    Query(query): Query<PointsQuery>,
    crate::guard::OfficialSession { v, .. }: crate::guard::OfficialSession,
) -> Result<Response, PageError> {
    let tr = v.tr;
    let q = query.q.trim().chars().take(100).collect::<String>();
    let needle = q.to_lowercase();
    let language = |code: &str| tr.t(&format!("language-{code}"));
    let rows: Vec<PointRow> = Exchange::new(state.store.clone())
        .contact_points()
        .await
        .map_err(|e| internal(&v, &e))?
        .into_iter()
        .map(|p| PointRow {
            authority: tr.t(&format!("authority-{}", p.organisation.code())),
            name: p.name(tr.lang.code()).to_owned(),
            email: p.email.clone(),
            languages: p
                .languages
                .iter()
                .map(|l| language(l))
                .collect::<Vec<_>>()
                .join(", "),
            hours: p.hours.clone(),
        })
        .filter(|r| {
            needle.is_empty()
                || [&r.authority, &r.name, &r.email]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle))
        })
        .collect();
    let summary = tr.t1(
        "points-found",
        "count",
        &plain::number(rows.len() as f64, tr.lang),
    );
    Ok(PointsPage {
        page: Page::of(&v),
        q,
        rows,
        summary,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct PointForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name_fi: String,
    #[serde(default)]
    name_sv: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    fi: Option<String>,
    #[serde(default)]
    sv: Option<String>,
    #[serde(default)]
    en: Option<String>,
    #[serde(default)]
    hours: String,
}

/// `POST /liaison/contact-points`: the liaison adds or changes one of their authority's
/// contact points.
pub async fn keep_contact_point(
    State(state): State<WebState>,
    LiaisonSession { v, session, .. }: LiaisonSession,
    form: Result<Form<PointForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = own_form(&v, &session, form)?;
    let by = raiser(&v, &session)?;
    let languages = [("fi", &form.fi), ("sv", &form.sv), ("en", &form.en)]
        .into_iter()
        .filter(|(_, on)| on.is_some())
        .map(|(l, _)| l.to_owned())
        .collect();
    let point = polku_exchange::ContactPoint {
        id: form.id.trim().to_owned(),
        organisation: by.authority,
        name_fi: form.name_fi.trim().to_owned(),
        name_sv: form.name_sv.trim().to_owned(),
        name_en: form.name_en.trim().to_owned(),
        email: form.email.trim().to_owned(),
        languages,
        hours: form.hours.trim().to_owned(),
    };
    match Exchange::new(state.store.clone())
        .keep_contact_point(&point, &by.actor)
        .await
    {
        Ok(()) => Ok(Redirect::to("/liaison/flags?done=kept").into_response()),
        Err(e) => {
            let message = match &e {
                ExchangeError::Invalid(field, _) => v.tr.t(&format!("points-invalid-{field}")),
                ExchangeError::NotYours(_) => v.tr.t("points-not-yours"),
                _ => return Err(internal(&v, &e).into()),
            };
            let status = if matches!(e, ExchangeError::NotYours(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let r = Refused {
                message,
                form: RaiseForm::default(),
            };
            show(&state, &v, &session, status, None, r).await
        }
    }
}
