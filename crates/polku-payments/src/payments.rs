//! Payments as stored: the application waiting for its fee, and the filing once it is paid.

use jiff::Span;
use polku_cases::{Actor, CaseError, Cases, NewApplication};
use polku_store::{CorruptRow, StoreError, codec, now_micros};
use sqlx::Row;
use uuid::Uuid;

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Sent to the provider; the applicant is paying (or left).
    Created,
    /// Paid; the application is filed.
    Paid,
    /// Cancelled or failed: nothing was filed.
    Cancelled,
}

impl PaymentState {
    pub fn code(self) -> &'static str {
        match self {
            PaymentState::Created => "created",
            PaymentState::Paid => "paid",
            PaymentState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<PaymentState> {
        [
            PaymentState::Created,
            PaymentState::Paid,
            PaymentState::Cancelled,
        ]
        .into_iter()
        .find(|p| p.code() == s)
    }
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub person: String,
    pub matter: String,
    pub amount_cents: u32,
    pub state: PaymentState,
    pub transaction_id: Option<String>,
    /// Where the applicant pays, once the provider has taken the payment.
    pub pay_at: Option<String>,
    /// The case its application became, once paid.
    pub case_id: Option<Uuid>,
    pub created_at: i64,
    pub paid_at: Option<i64>,
}

/// An application waiting for its fee.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    /// The application as it would be filed today (its day and deadline are set again on
    /// the day it is paid).
    pub application: &'a NewApplication,
    /// The account that files it.
    pub user: Uuid,
    /// The form's key: the application is filed once, however often it is confirmed.
    pub filing_key: &'a str,
    pub amount_cents: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("there is no payment {0}")]
    NotFound(Uuid),
    #[error("payment {0} was cancelled: nothing was filed")]
    Cancelled(Uuid),
    #[error("payment {id} is for {expected} cents, the provider says {paid}")]
    WrongAmount { id: Uuid, expected: u32, paid: u32 },
    #[error(transparent)]
    Cases(#[from] CaseError),
    #[error(transparent)]
    Corrupt(#[from] CorruptRow),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PaymentError {
    fn from(e: sqlx::Error) -> Self {
        PaymentError::Store(StoreError::Sql(e))
    }
}

/// Where a started payment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// The applicant pays at `pay_at`; the application is filed when it is paid.
    Pay { payment: Uuid, pay_at: String },
    /// Already paid (the same form or request sent again): the case it became.
    Filed { payment: Uuid, case: Uuid },
}

/// Why a payment could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Provider(#[from] crate::ProviderError),
}

/// The payments, in the cases' database.
#[derive(Clone)]
pub struct Payments {
    cases: Cases,
}

impl Payments {
    pub fn new(cases: Cases) -> Payments {
        Payments { cases }
    }

    /// Keeps the application until its fee is paid; returns the payment's id (the
    /// provider's stamp).
    pub async fn create(&self, new: &NewPayment<'_>) -> Result<Uuid, PaymentError> {
        let id = Uuid::now_v7();
        let a = new.application;
        let deadline_days = a.deadline.map(|d| (d - a.application_date).get_days());
        sqlx::query(
            "INSERT INTO payments (id, person, user_id, matter, application, deadline_days, filing_key, amount_cents, state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'created', $9)",
        )
        .bind(id.to_string())
        .bind(&a.applicant_id)
        .bind(new.user.to_string())
        .bind(&a.matter)
        .bind(a.application.to_string())
        .bind(deadline_days.map(i64::from))
        .bind(new.filing_key)
        .bind(i64::from(new.amount_cents))
        .bind(now_micros())
        .execute(self.cases.db().pool())
        .await?;
        Ok(id)
    }

    /// The paid payment that filed `case`, if its fee was paid in the e-service.
    pub async fn for_case(&self, case: Uuid) -> Result<Option<Payment>, PaymentError> {
        let row = sqlx::query("SELECT id FROM payments WHERE case_id = $1 AND state = 'paid'")
            .bind(case.to_string())
            .fetch_optional(self.cases.db().pool())
            .await?;
        match row {
            Some(r) => {
                let id: String = r.try_get("id")?;
                self.get(codec::id("payments", &id)?).await
            }
            None => Ok(None),
        }
    }

    /// Starts paying for `new` at `provider` (the checkout made from the payment's id), or
    /// finds the payment the same key started: one payment per form or request, however
    /// often it is sent. A provider that does not take it leaves the payment cancelled.
    pub async fn start(
        &self,
        provider: &dyn crate::PaymentProvider,
        new: &NewPayment<'_>,
        checkout: impl FnOnce(Uuid) -> crate::Checkout,
    ) -> Result<Started, StartError> {
        let person = &new.application.applicant_id;
        if let Some(p) = self.by_key(person, new.filing_key).await? {
            match (p.state, p.case_id, p.pay_at) {
                (PaymentState::Paid, Some(case), _) => {
                    return Ok(Started::Filed {
                        payment: p.id,
                        case,
                    });
                }
                (PaymentState::Created, _, Some(pay_at)) => {
                    return Ok(Started::Pay {
                        payment: p.id,
                        pay_at,
                    });
                }
                _ => {}
            }
        }
        let id = self.create(new).await?;
        match provider.create(&checkout(id)).await {
            Ok(created) => {
                self.started(id, &created.transaction_id, &created.href)
                    .await?;
                Ok(Started::Pay {
                    payment: id,
                    pay_at: created.href,
                })
            }
            Err(e) => {
                tracing::warn!(payment = %id, error = %e, "the payment provider did not take the payment");
                self.cancel(id).await?;
                Err(e.into())
            }
        }
    }

    /// The payment `person` started with the form's or the request's `filing_key`, if any
    /// (a retried filing finds it instead of starting another).
    pub async fn by_key(
        &self,
        person: &str,
        filing_key: &str,
    ) -> Result<Option<Payment>, PaymentError> {
        let row = sqlx::query(
            "SELECT id FROM payments WHERE person = $1 AND filing_key = $2 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(person)
        .bind(filing_key)
        .fetch_optional(self.cases.db().pool())
        .await?;
        match row {
            Some(r) => {
                let id: String = r.try_get("id")?;
                self.get(codec::id("payments", &id)?).await
            }
            None => Ok(None),
        }
    }

    /// Records the provider's id of the payment and where the applicant pays.
    pub async fn started(
        &self,
        id: Uuid,
        transaction_id: &str,
        pay_at: &str,
    ) -> Result<(), PaymentError> {
        sqlx::query(
            "UPDATE payments SET transaction_id = $1, pay_at = $2 WHERE id = $3 AND state = 'created'",
        )
            .bind(transaction_id)
            .bind(pay_at)
            .bind(id.to_string())
            .execute(self.cases.db().pool())
            .await?;
        Ok(())
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Payment>, PaymentError> {
        let row = sqlx::query(
            "SELECT id, person, matter, amount_cents, state, transaction_id, pay_at, case_id, created_at, paid_at FROM payments WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.cases.db().pool())
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let key = id.to_string();
        let state: String = r.try_get("state")?;
        let case: Option<String> = r.try_get("case_id")?;
        let amount: i64 = r.try_get("amount_cents")?;
        Ok(Some(Payment {
            id,
            person: r.try_get("person")?,
            matter: r.try_get("matter")?,
            amount_cents: u32::try_from(amount)
                .map_err(|e| CorruptRow::new("payments", &key, "amount_cents", e))?,
            state: PaymentState::parse(&state)
                .ok_or_else(|| CorruptRow::new("payments", &key, "state", &state))?,
            transaction_id: r.try_get("transaction_id")?,
            pay_at: r.try_get("pay_at")?,
            case_id: case
                .map(|c| codec::uuid("payments", &key, "case_id", &c))
                .transpose()?,
            created_at: r.try_get("created_at")?,
            paid_at: r.try_get("paid_at")?,
        }))
    }

    /// The provider says `id` is paid: the application is filed today (once, whoever
    /// confirms first — the applicant's return or the provider's callback), and the case
    /// is returned.
    pub async fn confirm(
        &self,
        id: Uuid,
        transaction_id: &str,
        amount_cents: u32,
    ) -> Result<Uuid, PaymentError> {
        let row = sqlx::query(
            "SELECT person, user_id, matter, application, deadline_days, filing_key, amount_cents, state FROM payments WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.cases.db().pool())
        .await?
        .ok_or(PaymentError::NotFound(id))?;
        let key = id.to_string();
        let corrupt = |column: &'static str, e: &dyn std::fmt::Display| {
            CorruptRow::new("payments", &key, column, e)
        };
        let state: String = row.try_get("state")?;
        if state == PaymentState::Cancelled.code() {
            return Err(PaymentError::Cancelled(id));
        }
        let expected: i64 = row.try_get("amount_cents")?;
        if i64::from(amount_cents) != expected {
            return Err(PaymentError::WrongAmount {
                id,
                expected: u32::try_from(expected).unwrap_or(0),
                paid: amount_cents,
            });
        }
        let user: String = row.try_get("user_id")?;
        let user = codec::uuid("payments", &key, "user_id", &user)?;
        let application: String = row.try_get("application")?;
        let deadline_days: Option<i64> = row.try_get("deadline_days")?;
        let filing_key: String = row.try_get("filing_key")?;
        let today = polku_cases::today_in_finland();
        let new = NewApplication {
            matter: row.try_get("matter")?,
            applicant_id: row.try_get("person")?,
            application_date: today,
            application: serde_json::from_str(&application)
                .map_err(|e| corrupt("application", &e))?,
            deadline: deadline_days.and_then(|d| today.checked_add(Span::new().days(d)).ok()),
        };
        // Filed first (the key makes a second filing the first one), then marked paid with
        // its case in one statement: a reader never sees "paid" without the case, and a
        // crash between the two only repeats the filing, which finds the same case.
        let (case, _) = self
            .cases
            .submit_once(&new, &Actor::User(user), &user.to_string(), &filing_key)
            .await?;
        sqlx::query(
            "UPDATE payments SET state = 'paid', transaction_id = $1, case_id = $2,
               paid_at = COALESCE(paid_at, $3) WHERE id = $4",
        )
        .bind(transaction_id)
        .bind(case.to_string())
        .bind(now_micros())
        .bind(id.to_string())
        .execute(self.cases.db().pool())
        .await?;
        tracing::info!(payment = %id, case = %case, "fee paid; application filed");
        Ok(case)
    }

    /// The applicant cancelled, or the payment failed: nothing is filed. A paid payment
    /// stays paid.
    pub async fn cancel(&self, id: Uuid) -> Result<(), PaymentError> {
        sqlx::query("UPDATE payments SET state = 'cancelled' WHERE id = $1 AND state = 'created'")
            .bind(id.to_string())
            .execute(self.cases.db().pool())
            .await?;
        Ok(())
    }
}
