//! What an evaluation looks at: the image's SBOM (packages, files, distro, config, history,
//! the file facts collected while its layers streamed), its vulnerabilities, the state of the
//! vulnerability data, a Dockerfile when one is given, and an earlier SBOM for drift.

use customs_matcher::Report;
use customs_sbom::Sbom;

/// The state of the vulnerability data the findings came from.
#[derive(Debug, Clone)]
pub struct FeedFacts {
    /// Unix seconds of the oldest feed the image's packages are matched against (the build time
    /// of the database when the feeds carry no dates of their own).
    pub oldest_sync: Option<i64>,
    /// The database has advisories for the image's distribution release.
    pub distro_covered: bool,
}

impl FeedFacts {
    /// The facts of a database built at `built` (RFC 3339) that produced `report`: the
    /// distribution is covered when every release its OS packages were looked up in is.
    pub fn new(built: &str, report: Option<&Report>) -> FeedFacts {
        FeedFacts {
            oldest_sync: customs_sbom::Timestamp::parse_unix(built),
            distro_covered: report
                .is_none_or(|r| r.distro_coverage.iter().all(|(_, covered)| *covered)),
        }
    }
}

/// Everything the gates read about one image.
pub struct Subject<'a> {
    pub sbom: &'a Sbom,
    /// The matching result; `None` when no vulnerability scan was run.
    pub vulnerabilities: Option<&'a Report>,
    /// `None` when there is no vulnerability database at all.
    pub feeds: Option<FeedFacts>,
    /// A Dockerfile the user gave (`--dockerfile`); else the image's history stands in for it.
    pub dockerfile: Option<&'a str>,
    /// The SBOM of the image the tag pointed at before, for `tag_drift`.
    pub previous: Option<&'a Sbom>,
    /// Unix seconds: the evaluation's "now" (expiry of allowlist items, ages).
    pub now: i64,
}

impl Subject<'_> {
    pub(crate) fn facts(&self) -> Option<&customs_sbom::ImageFacts> {
        self.sbom.facts.as_ref()
    }
}
