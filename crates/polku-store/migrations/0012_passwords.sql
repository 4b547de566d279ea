-- Officials sign in to the web pages with a username and a password (stored as an
-- Argon2id PHC string, never in the clear).

ALTER TABLE users ADD COLUMN username TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE UNIQUE INDEX users_by_username ON users (username);
