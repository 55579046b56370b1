-- Scheduling and cost: when a queued job may start again (retry backoff), when it entered the queue
-- (wait time), when a running one should finish (from its worker's ETA), its cost estimate and actual cost (the sum over its attempts, kept with them in one
-- transaction), and one row per attempt with the devices it held.
ALTER TABLE jobs ADD COLUMN not_before BIGINT;
ALTER TABLE jobs ADD COLUMN queued_at BIGINT;
ALTER TABLE jobs ADD COLUMN estimated_cost_usd DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN cost_usd DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN estimated_finish BIGINT;

CREATE TABLE attempts (
    job_id          VARCHAR(64)  NOT NULL REFERENCES jobs (id),
    attempt         INT          NOT NULL,
    executor        VARCHAR(128) NOT NULL,
    accelerator     VARCHAR(32)  NOT NULL,
    product         VARCHAR(256),
    devices         INT          NOT NULL,
    started_at      BIGINT       NOT NULL,
    ended_at        BIGINT,
    outcome         VARCHAR(64),
    device_seconds  DOUBLE PRECISION,
    cost_usd        DOUBLE PRECISION,
    PRIMARY KEY (job_id, attempt)
);
