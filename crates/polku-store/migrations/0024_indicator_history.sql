-- Labour-exploitation indicators kept month by month (issue 13), so that a labour inspector
-- sees an employer's indicators over time, not only today's.
--
-- indicator_months: each month the indicators were read, with the day of the latest
-- reading (a month is read again at most once a day; the day's reading replaces the
-- month's rows) and how many employers were read and found with an indicator.
CREATE TABLE indicator_months (
    month      TEXT PRIMARY KEY,
    read_on    TEXT NOT NULL,
    read_at    BIGINT NOT NULL,
    employers  BIGINT NOT NULL,
    flagged    BIGINT NOT NULL
);

-- indicator_readings: for every employer with at least one indicator found in a month, each
-- indicator's count (NULL: Polku cannot compute it), its threshold and whether it was
-- found. An employer with no row in a month that was read had nothing found that month.
-- Counts of workers, never who they are.
CREATE TABLE indicator_readings (
    employer   TEXT NOT NULL,
    month      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    workers    BIGINT NOT NULL,
    count      BIGINT,
    threshold  BIGINT NOT NULL,
    found      BIGINT NOT NULL,
    PRIMARY KEY (employer, month, kind)
);
CREATE INDEX indicator_readings_month ON indicator_readings (month, employer);
