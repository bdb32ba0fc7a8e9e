-- Registry credentials per account. The password is never returned by the API nor logged.

CREATE TABLE registries (
    account TEXT NOT NULL,
    registry TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    insecure BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account, registry)
);
