-- The index the cross-image queries read ("which images hold this package", "which images are
-- affected by this vulnerability"), so that they need not open every stored document. Rows
-- are derived from an image's SBOM and vulnerability report and replaced with them.

CREATE TABLE image_packages (
    account TEXT NOT NULL,
    digest TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT NOT NULL,
    purl TEXT NOT NULL
);
CREATE INDEX image_packages_name ON image_packages (account, name);
CREATE INDEX image_packages_image ON image_packages (account, digest);

-- One row per identifier of a finding: its id and each alias, so a query by either is one
-- index lookup.
CREATE TABLE image_vulnerabilities (
    account TEXT NOT NULL,
    digest TEXT NOT NULL,
    vulnerability TEXT NOT NULL,
    finding_id TEXT NOT NULL,
    package_name TEXT NOT NULL,
    package_version TEXT NOT NULL,
    package_type TEXT NOT NULL,
    severity TEXT NOT NULL
);
CREATE INDEX image_vulnerabilities_id ON image_vulnerabilities (account, vulnerability);
CREATE INDEX image_vulnerabilities_image ON image_vulnerabilities (account, digest);

-- 1 once the image's rows above are written; analysed images stored before this migration
-- are indexed by the server in the background.
ALTER TABLE images ADD COLUMN indexed BIGINT NOT NULL DEFAULT 0;
