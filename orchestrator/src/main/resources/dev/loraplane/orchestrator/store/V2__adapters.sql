-- The adapter registry: what succeeded jobs produced (and, later, imported adapters).
CREATE TABLE adapters (
    name        VARCHAR(512) NOT NULL,
    version     INT          NOT NULL,
    tenant      VARCHAR(128) NOT NULL,
    base_model  VARCHAR(256) NOT NULL,
    job_id      VARCHAR(64),
    path        VARCHAR(1024) NOT NULL,
    sha256      CHAR(64)     NOT NULL,
    bytes       BIGINT       NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (tenant, name, version)
);
