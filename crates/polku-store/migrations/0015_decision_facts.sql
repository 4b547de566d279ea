-- The key figures read, for every case, its first grant or refusal: when, by whom, which.
-- In a decision's row those columns come after the large input and trace texts, so
-- reading them from the table follows each row's overflow pages; this index holds them.
CREATE INDEX decisions_facts ON decisions (case_id, outcome, decided_at, automated);
