-- The server's tables. Written once for both back-ends: SQLite and PostgreSQL read the same
-- statements (TEXT, BIGINT, partial unique indexes). Times are Unix milliseconds; documents
-- (annotations, payloads, steps, details) are JSON text.

CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    email TEXT,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(name),
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);

CREATE TABLE images (
    account TEXT NOT NULL REFERENCES accounts(name),
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    annotations TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, digest)
);

CREATE TABLE image_tags (
    account TEXT NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (account, tag, digest)
);

CREATE TABLE analysis_history (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    digest TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX analysis_history_image ON analysis_history (account, digest, at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    steps TEXT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One active job per (account, kind, subject): adding an image twice queues it once.
CREATE UNIQUE INDEX jobs_active ON jobs (account, kind, subject) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_claimable ON jobs (state, created_at);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    type TEXT NOT NULL,
    level TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_account ON events (account, created_at);

CREATE TABLE policies (
    account TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, id)
);
-- At most one active policy per account.
CREATE UNIQUE INDEX policies_active ON policies (account) WHERE active = 1;
