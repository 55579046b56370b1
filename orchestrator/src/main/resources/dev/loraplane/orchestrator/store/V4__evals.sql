-- Evals: one row per eval run (its request, status, report), the per-example results of each variant,
-- and an event log like a job's. An eval tied to a fine-tuning job (its baseline) names the job.
-- lease_until: the runner working on it renews this while it runs; a running eval whose lease has
-- lapsed (its process died) is taken up again by the next runner that sweeps.
CREATE TABLE evals (
    id             VARCHAR(64)  PRIMARY KEY,
    tenant         VARCHAR(128) NOT NULL,
    status         VARCHAR(32)  NOT NULL,
    job_id         VARCHAR(64)  REFERENCES jobs (id),
    request        TEXT         NOT NULL,
    report         TEXT,
    error_code     VARCHAR(64),
    error_message  TEXT,
    error_param    VARCHAR(128),
    lease_until    BIGINT,
    created_at     BIGINT       NOT NULL,
    finished_at    BIGINT
);
CREATE INDEX evals_by_tenant ON evals (tenant, created_at, id);
CREATE INDEX evals_by_status ON evals (status, created_at);
CREATE INDEX evals_by_job ON evals (job_id);

CREATE TABLE eval_results (
    eval_id  VARCHAR(64) NOT NULL REFERENCES evals (id),
    variant  INT         NOT NULL,
    example  INT         NOT NULL,
    data     TEXT        NOT NULL,
    PRIMARY KEY (eval_id, variant, example)
);

CREATE TABLE eval_events (
    eval_id     VARCHAR(64) NOT NULL REFERENCES evals (id),
    seq         BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL,
    level       VARCHAR(16) NOT NULL,
    type        VARCHAR(32) NOT NULL,
    message     TEXT        NOT NULL,
    data        TEXT,
    PRIMARY KEY (eval_id, seq)
);
