-- A creating POST with an Idempotency-Key answers a retry with the first answer.

CREATE TABLE idempotency_keys (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
