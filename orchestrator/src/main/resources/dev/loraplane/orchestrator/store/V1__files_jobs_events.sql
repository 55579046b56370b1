-- One schema for H2 (embedded) and PostgreSQL: portable types only; times are epoch seconds.
CREATE TABLE files (
    id          VARCHAR(64)  PRIMARY KEY,
    tenant      VARCHAR(128) NOT NULL,
    filename    VARCHAR(512) NOT NULL,
    purpose     VARCHAR(32)  NOT NULL,
    bytes       BIGINT       NOT NULL,
    sha256      CHAR(64)     NOT NULL,
    created_at  BIGINT       NOT NULL
);
CREATE INDEX files_by_tenant ON files (tenant, created_at);

CREATE TABLE jobs (
    id               VARCHAR(64)  PRIMARY KEY,
    tenant           VARCHAR(128) NOT NULL,
    model            VARCHAR(256) NOT NULL,
    status           VARCHAR(32)  NOT NULL,
    priority         INT          NOT NULL,
    training_file    VARCHAR(64)  NOT NULL REFERENCES files (id),
    validation_file  VARCHAR(64)  REFERENCES files (id),
    request          TEXT         NOT NULL,
    fine_tuned_model VARCHAR(512),
    error_code       VARCHAR(64),
    error_message    TEXT,
    error_param      VARCHAR(128),
    trained_tokens   BIGINT,
    attempts         INT          NOT NULL,
    idempotency_key  VARCHAR(256),
    created_at       BIGINT       NOT NULL,
    finished_at      BIGINT,
    CONSTRAINT jobs_idempotency UNIQUE (tenant, idempotency_key)
);
CREATE INDEX jobs_by_tenant ON jobs (tenant, created_at, id);
CREATE INDEX jobs_by_status ON jobs (status, priority, created_at);

-- Append-only: every job state change writes its event in the same transaction.
CREATE TABLE job_events (
    job_id      VARCHAR(64) NOT NULL REFERENCES jobs (id),
    seq         BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL,
    level       VARCHAR(16) NOT NULL,
    type        VARCHAR(32) NOT NULL,
    message     TEXT        NOT NULL,
    data        TEXT,
    PRIMARY KEY (job_id, seq)
);
