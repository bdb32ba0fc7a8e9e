-- Indexes that let the planners answer the API's lists and queries from the index alone.
-- Without table statistics SQLite preferred the (account, digest) indexes, which give the
-- order the cross-image queries sort by, and then read every row of the account: with the
-- digest at the end of the name and vulnerability indexes, one index gives both the rows and
-- their order.

DROP INDEX image_packages_name;
CREATE INDEX image_packages_name ON image_packages (account, name, digest);
DROP INDEX image_vulnerabilities_id;
CREATE INDEX image_vulnerabilities_id ON image_vulnerabilities (account, vulnerability, digest);
-- The image list, newest first, a page at a time.
CREATE INDEX images_newest ON images (account, created_at DESC, digest);
-- The tags of a page of images.
CREATE INDEX image_tags_digest ON image_tags (account, digest);
