//! The processing fee in the e-service: said on the review page (from the dated fee table,
//! or that no confirmed fee covers the day), paid at the provider before the application
//! is sent, and the provider's signed answer read on the applicant's return and on its own
//! callback — the application is filed once, when the fee is paid.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use polku_cases::NewApplication;
use polku_payments::{Checkout, Fee, NewPayment, PaymentError, ReturnStatus, StartError, Started};
use polku_rules::Lang;
use uuid::Uuid;

use crate::WebState;
use crate::frame::{Page, PageError, error_back, error_page, internal};
use crate::guard::ApplicantSession;
use crate::i18n::Tr;
use crate::visitor::{Session, Visitor};

/// An amount of euro cents as the language writes it: 380 €, 380,50 €, €380.
pub(crate) fn euros(cents: u32, lang: Lang) -> String {
    let whole = crate::plain::number(f64::from(cents / 100), lang);
    let amount = if cents.is_multiple_of(100) {
        whole
    } else {
        let sep = if lang == Lang::En { '.' } else { ',' };
        format!("{whole}{sep}{:02}", cents % 100)
    };
    match lang {
        Lang::En => format!("€{amount}"),
        Lang::Fi | Lang::Sv => format!("{amount} €"),
    }
}

/// What the review page says of the fee, and what the send button says.
pub(crate) struct FeeNote {
    /// The fee in cents, when one is due.
    pub due: Option<u32>,
    pub lines: Vec<String>,
}

/// The fee of `matter` for an application sent today, in words.
pub(crate) fn fee_note(state: &WebState, matter: &str, tr: Tr) -> FeeNote {
    let today = polku_cases::today_in_finland();
    match state.fees.fee(matter, today) {
        Fee::Due { eur, .. } if eur > 0 => {
            let cents = eur * 100;
            FeeNote {
                due: Some(cents),
                lines: vec![
                    tr.t1("fee-due", "amount", &euros(cents, tr.lang)),
                    tr.t("fee-when"),
                    tr.t("fee-basis"),
                ],
            }
        }
        Fee::Due { .. } => FeeNote {
            due: None,
            lines: vec![tr.t("fee-free")],
        },
        Fee::Unconfirmed { .. } => FeeNote {
            due: None,
            lines: vec![tr.t1("fee-unconfirmed", "year", &today.year().to_string())],
        },
    }
}

/// Sends the applicant to pay `cents` for `application` at the provider; the application
/// waits, and is filed when the provider says it is paid.
pub(crate) async fn pay_then_file(
    state: &WebState,
    v: &Visitor,
    session: &Session,
    application: &NewApplication,
    key: &str,
    cents: u32,
    title: &str,
) -> Result<Response, PageError> {
    let back = format!("/my/apply/{}", application.matter);
    let Some(provider) = &state.payment_provider else {
        let message = v.tr.t("pay-unavailable");
        return Err(error_back(v, StatusCode::SERVICE_UNAVAILABLE, message, &back).into());
    };
    let new = NewPayment {
        application,
        user: session.principal.user_id,
        filing_key: key,
        amount_cents: cents,
    };
    let language = match v.tr.lang {
        Lang::Fi => "FI",
        Lang::Sv => "SV",
        Lang::En => "EN",
    };
    let description = v.tr.t1("fee-description", "matter", title);
    let public = state.public_url.clone();
    let started = state
        .payments
        .start(provider.as_ref(), &new, |id| {
            Checkout::on_service(id, cents, language, description, &public)
        })
        .await;
    match started {
        Ok(Started::Pay { pay_at, .. }) => Ok(Redirect::to(&pay_at).into_response()),
        Ok(Started::Filed { case, .. }) => {
            Ok(Redirect::to(&format!("/my/cases/{case}")).into_response())
        }
        Err(StartError::Provider(_)) => {
            let message = v.tr.t("pay-unavailable");
            Err(error_back(v, StatusCode::SERVICE_UNAVAILABLE, message, &back).into())
        }
        Err(StartError::Payment(e)) => Err(internal(v, &e).into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "payment.html")]
struct PaymentPage {
    page: Page,
    title: String,
    message: String,
    /// Where to go on (the form again), if anywhere.
    again: Option<String>,
    /// Refresh every few seconds (waiting for the bank).
    waiting: bool,
}

fn params(query: Option<String>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default()
}

/// `GET /my/payments/{id}/return`: the applicant back from the provider. Only a signed
/// answer is believed; a paid fee files the application and shows its case.
pub async fn returned(
    State(state): State<WebState>,
    Path(id): Path<String>,
    ApplicantSession { v, person, .. }: ApplicantSession,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let not_found = || PageError::from(error_page(&v, StatusCode::NOT_FOUND, "error-not-found"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let payment = state
        .payments
        .get(id)
        .await
        .map_err(|e| internal(&v, &e))?
        .filter(|p| p.person == person)
        .ok_or_else(not_found)?;
    let Some(provider) = &state.payment_provider else {
        return Err(not_found());
    };
    let tr = v.tr;
    let page = |title: &str, message: String, again: bool, waiting: bool| PaymentPage {
        page: Page::of(&v),
        title: tr.t(title),
        message,
        again: again.then(|| format!("/my/apply/{}", payment.matter)),
        waiting,
    };
    let said = match provider.verify(&params(query)) {
        Ok(s) if s.stamp() == id => s,
        Ok(_) | Err(_) => {
            tracing::warn!(payment = %id, "a return from the payment provider that is not signed for this payment");
            return Ok((
                StatusCode::BAD_REQUEST,
                page("pay-unverified-title", tr.t("pay-unverified"), false, false),
            )
                .into_response());
        }
    };
    match said {
        ReturnStatus::Paid {
            transaction_id,
            amount_cents,
            ..
        } => match state
            .payments
            .confirm(id, &transaction_id, amount_cents)
            .await
        {
            Ok(case) => Ok(Redirect::to(&format!("/my/cases/{case}?paid=1")).into_response()),
            Err(PaymentError::Cancelled(_)) => {
                Ok(page("pay-cancelled-title", tr.t("pay-cancelled"), true, false).into_response())
            }
            Err(e @ PaymentError::WrongAmount { .. }) => {
                tracing::error!(payment = %id, error = %e, "paid a wrong amount");
                Ok((
                    StatusCode::CONFLICT,
                    page("pay-unverified-title", tr.t("pay-unverified"), false, false),
                )
                    .into_response())
            }
            Err(e) => Err(internal(&v, &e).into()),
        },
        ReturnStatus::Cancelled { .. } => {
            state
                .payments
                .cancel(id)
                .await
                .map_err(|e| internal(&v, &e))?;
            Ok(page("pay-cancelled-title", tr.t("pay-cancelled"), true, false).into_response())
        }
        ReturnStatus::Pending { .. } => {
            Ok(page("pay-pending-title", tr.t("pay-pending"), false, true).into_response())
        }
    }
}

/// `GET /payments/callback`: the provider tells the outcome itself (the applicant may have
/// closed the browser). Signed, or refused; answered 200 once handled, so the provider
/// stops retrying.
pub async fn callback(State(state): State<WebState>, RawQuery(query): RawQuery) -> Response {
    let Some(provider) = &state.payment_provider else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let said = match provider.verify(&params(query)) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "a payment callback that is not signed with our secret");
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    let id = said.stamp();
    let result = match said {
        ReturnStatus::Paid {
            transaction_id,
            amount_cents,
            ..
        } => state
            .payments
            .confirm(id, &transaction_id, amount_cents)
            .await
            .map(|_| ()),
        ReturnStatus::Cancelled { .. } => state.payments.cancel(id).await,
        ReturnStatus::Pending { .. } => Ok(()),
    };
    match result {
        Ok(()) | Err(PaymentError::Cancelled(_)) => StatusCode::OK.into_response(),
        Err(PaymentError::NotFound(_)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(payment = %id, error = %e, "a payment callback could not be handled");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The fee paid for a case, in words, for its page ("The processing fee €380 was paid").
pub(crate) async fn paid_line(
    state: &WebState,
    case: Uuid,
    tr: Tr,
) -> Result<Option<String>, PaymentError> {
    Ok(state.payments.for_case(case).await?.map(|p| {
        tr.t_with(
            "fee-paid",
            &[
                ("amount", &euros(p.amount_cents, tr.lang)),
                (
                    "at",
                    &crate::plain::micros(p.paid_at.unwrap_or(p.created_at), tr.lang),
                ),
            ],
        )
    }))
}
