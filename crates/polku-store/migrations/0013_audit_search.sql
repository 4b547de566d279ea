-- Auditors search the logs by person and by official.

CREATE INDEX audit_by_person ON audit_log (person, seq);
CREATE INDEX audit_by_actor ON audit_log (actor, seq);
