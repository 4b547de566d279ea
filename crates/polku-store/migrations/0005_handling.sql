-- People's work: the handler a referred case is assigned to.

ALTER TABLE cases ADD COLUMN assigned_to TEXT;
CREATE INDEX cases_queue ON cases (state, application_date, created_at);
