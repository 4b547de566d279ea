-- A retry with an idempotency key must be the same request: keep a fingerprint of the
-- first one (SHA-256 of the matter, the person and the application), so the same key with
-- another body is refused instead of silently answered with the first case. Keys stored
-- before this have an empty fingerprint and answer as before.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
