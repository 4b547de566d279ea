-- A permit says what it is, how long it holds, on which provision, and which of its
-- conditions are watched while it is valid (from the rule set's `grants`).

ALTER TABLE permits ADD COLUMN kind TEXT;
ALTER TABLE permits ADD COLUMN valid_until TEXT;
ALTER TABLE permits ADD COLUMN legal_basis TEXT;
ALTER TABLE permits ADD COLUMN monitored_json TEXT;
