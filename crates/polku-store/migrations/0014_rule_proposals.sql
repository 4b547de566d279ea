-- Rule administration: a proposed text for one rule set, checked, backtested and approved
-- by a second legal officer before it takes effect on its date. Rows are never deleted:
-- an approved row is the text the machine applies from `effective_from`.

CREATE TABLE rule_proposals (
    id                 TEXT PRIMARY KEY,
    rule_set           TEXT NOT NULL,
    text               TEXT NOT NULL,
    -- The rule set's tests file as proposed; NULL keeps the one in force.
    tests_text         TEXT,
    summary            TEXT NOT NULL,
    effective_from     TEXT NOT NULL,
    -- The approved proposal this one was written against; NULL: the shipped text.
    base               TEXT,
    state              TEXT NOT NULL,
    proposed_by        TEXT NOT NULL,
    proposed_by_name   TEXT NOT NULL,
    proposed_at        BIGINT NOT NULL,
    decided_by         TEXT,
    decided_by_name    TEXT,
    decided_at         BIGINT,
    decision_note      TEXT,
    -- The backtest the approver saw: past automated decisions re-evaluated, and how many
    -- of them would have another outcome.
    backtest_evaluated BIGINT,
    backtest_changed   BIGINT
);
CREATE INDEX rule_proposals_by_rule_set ON rule_proposals (rule_set, state, effective_from);
