-- The history of an image's policy evaluations, per tag: one row each time the verdict was
-- computed from inputs that differ from the last row's (another policy or policy text, another
-- vulnerability database, another verdict). The whole evaluation document is kept in the
-- object store under the row's id.

CREATE TABLE policy_evaluations (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    digest TEXT NOT NULL,
    tag TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    policy_digest TEXT NOT NULL,
    vulnerability_db TEXT NOT NULL,
    final_action TEXT NOT NULL,
    final_action_reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX policy_evaluations_image ON policy_evaluations (account, digest, tag, created_at);
