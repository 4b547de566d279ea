-- Telling a person (issue 12, "Being told"): when a decision is made, evidence is requested, a
-- hearing is asked for, or an answer's deadline nears.
--
-- `contact_preferences`: how the person chose to be told, kept by the person in the e-service.
-- `channel` is `messages` (the national messages service, Suomi.fi Messages), `email`, or
-- `service` (only in the e-service: nothing is sent); `email` the address when the channel is
-- `email`; `language` `fi`, `sv` or `en`. A person without a row is told through the messages
-- service in Finnish if they have a mailbox there (the Act on Electronic Services' default).
CREATE TABLE contact_preferences (
    person      TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    email       TEXT,
    language    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Each notification, from the moment it is due until it is sent, skipped or given up: the log
-- of every sending. `source` says what caused it (`event:<tx>:<n>` for a case's domain event,
-- `request:<id>:reminder` for a deadline's reminder) and is unique with `kind`, so a cause is
-- told once however often the notifier runs. `state` is `pending`, `sent`, `skipped` (the
-- person chose the e-service only, or has no channel: `detail` says which) or `failed` (given
-- up after the last attempt: `detail` holds the last error). `request_id` names the request a
-- request's notification or reminder is about; `occurred_at` when its cause happened;
-- `address` where it went (an email address, or the person in the messages service);
-- `provider_id` the message's id there (the email's Message-ID).
CREATE TABLE notifications (
    id            TEXT PRIMARY KEY,
    person        TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    source        TEXT NOT NULL,
    request_id    TEXT,
    occurred_at   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    state         TEXT NOT NULL,
    channel       TEXT,
    address       TEXT,
    language      TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  BIGINT NOT NULL,
    sent_at       BIGINT,
    provider_id   TEXT,
    detail        TEXT
);
CREATE UNIQUE INDEX notifications_cause ON notifications (kind, source);
CREATE INDEX notifications_due ON notifications (state, next_attempt);
CREATE INDEX notifications_person ON notifications (person, created_at);
CREATE INDEX notifications_case ON notifications (case_id, created_at);

-- Where the notifier is in the cases' domain events.
CREATE TABLE notify_cursor (
    name  TEXT PRIMARY KEY,
    tx    BIGINT NOT NULL,
    n     BIGINT NOT NULL
);
