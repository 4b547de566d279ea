-- The monitor holds the watched permits' facts in memory and writes them back in bulk
-- (ADR 0011, "Facts in memory"); the register events are the durable record of what
-- changed them since.
--
-- register_events.seq: the batch that took the event in (batches are numbered in the
-- order they committed). Events stored before this migration are in the facts already: 0.
ALTER TABLE register_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX register_events_seq ON register_events (seq);

-- monitored_permits.facts_seq: the last batch the stored facts include.
ALTER TABLE monitored_permits ADD COLUMN facts_seq BIGINT NOT NULL DEFAULT 0;

-- Who holds the monitoring: the one process whose memory is right. A process claims the
-- row in every transaction that changes monitoring; a claim by another holder raises
-- the generation, so the previous holder knows to load again. last_seq: the last batch
-- taken in; checkpoint_seq: every stored permit's facts include every batch up to it.
CREATE TABLE monitoring_holder (
    name            TEXT PRIMARY KEY,
    holder          TEXT NOT NULL,
    generation      BIGINT NOT NULL,
    last_seq        BIGINT NOT NULL,
    checkpoint_seq  BIGINT NOT NULL
);
INSERT INTO monitoring_holder (name, holder, generation, last_seq, checkpoint_seq)
VALUES ('monitor', '', 0, 0, 0);
