//! Feed readers: each turns one upstream file, as published, into advisories (or KEV / EPSS
//! records), counting what it had to skip and why.

pub(crate) mod alpine;
pub(crate) mod debian;
pub(crate) mod epss;
pub(crate) mod kev;
pub(crate) mod osv;

use crate::model::Advisory;

/// What reading one feed produced.
#[derive(Debug, Default)]
pub(crate) struct FeedRead {
    pub(crate) advisories: Vec<Advisory>,
    /// Records left out, with the reason (a bad record never stops a build).
    pub(crate) skipped: Vec<String>,
    /// The newest date the feed's records carry.
    pub(crate) newest: Option<String>,
}

impl FeedRead {
    pub(crate) fn note_date(&mut self, date: Option<&str>) {
        if let Some(d) = date.filter(|d| !d.is_empty() && !d.starts_with("0001"))
            && self.newest.as_deref().is_none_or(|n| d > n)
        {
            self.newest = Some(d.to_string());
        }
    }
}
