-- The first answer to a POST that carried an Idempotency-Key, so that a retry gets it
-- again instead of a conflict (decisions, claims, withdrawals, rectification requests;
-- applications keep their own transactional table, idempotency_keys).

CREATE TABLE idempotent_replies (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
