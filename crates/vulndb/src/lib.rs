//! The vulnerability database: advisories from the upstream feeds (OSV, Alpine secdb, the Debian
//! security tracker), joined with CISA KEV and FIRST EPSS, in one SQLite file indexed by
//! (ecosystem, package) so that a lookup is one indexed read.

mod affects;
mod bundle;
mod cvss;
mod cvss4;
mod db;
mod feeds;
mod model;
mod packed;
mod update;

pub use affects::{Hit, scheme_for};
pub use bundle::{BundleError, BundleFeed, Manifest, export, generate_key, import, write_new_file};
pub use cvss::{V3Scores, base_score, rating, v3_scores};
pub use db::{Candidate, Database, DbError, FeedStatus, SCHEMA_VERSION, Status, build_from_mirror};
pub use feeds::kev::KevEntry;
pub use model::{Advisory, Affected, Cvss, Event, FixState, Range};
pub use update::{Fetched, Source, Updated, fetch, mirror_sources, update, upstream_sources};
