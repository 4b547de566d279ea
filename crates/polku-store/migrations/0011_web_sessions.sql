-- Browser sessions: a random token in an HttpOnly cookie (stored here as its SHA-256),
-- the CSRF token every form of the session must carry, and when the session ends.

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX users_by_person ON users (person_id);
