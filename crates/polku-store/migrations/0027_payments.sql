-- Processing fees paid before processing begins (issue 12, "Before filing"). An applicant's
-- checked application waits here while they pay at the provider; the provider's signed
-- answer confirms the payment and files the application (with `filing_key`, so twice is
-- once). `state` is `created` (sent to the provider), `paid` or `cancelled`. `application`
-- is the application's JSON, `deadline_days` the matter's processing time in days from the
-- filing day (NULL: none); `user_id` the account that files it. `amount_cents` in euro cents;
-- `pay_at` the provider's address where the applicant pays (a retried filing answers with it).
CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    person          TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    matter          TEXT NOT NULL,
    application     TEXT NOT NULL,
    deadline_days   BIGINT,
    filing_key      TEXT NOT NULL,
    amount_cents    BIGINT NOT NULL,
    state           TEXT NOT NULL,
    transaction_id  TEXT,
    pay_at          TEXT,
    case_id         TEXT,
    created_at      BIGINT NOT NULL,
    paid_at         BIGINT
);
CREATE INDEX payments_person ON payments (person, created_at);
CREATE INDEX payments_key ON payments (person, filing_key);
