//! Feed readers: each turns one upstream file, as published, into advisories (or KEV / EPSS
//! records), counting what it had to skip and why.

pub(crate) mod alpine;
pub(crate) mod debian;
pub(crate) mod epss;
pub(crate) mod friendsofphp;
pub(crate) mod kev;
pub(crate) mod osv;
pub(crate) mod rubysec;
mod tarball;

use customs_version::VersionSet;

use crate::model::{Advisory, Event, Range};

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

/// The affected versions of a constraint-based feed as one OSV-style range: each interval
/// opens with `introduced` (`0` when unbounded) and closes with `fixed` (an exclusive end) or
/// `last_affected` (an inclusive one).
pub(crate) fn ranges_from_set(set: &VersionSet) -> Vec<Range> {
    let mut events = Vec::new();
    for interval in set.intervals() {
        events.push(match &interval.lower {
            None => Event::Introduced("0".into()),
            Some(b) if b.inclusive => Event::Introduced(b.version.clone()),
            Some(b) => Event::IntroducedAfter(b.version.clone()),
        });
        match &interval.upper {
            None => {}
            Some(b) if b.inclusive => events.push(Event::LastAffected(b.version.clone())),
            Some(b) => events.push(Event::Fixed(b.version.clone())),
        }
    }
    if events.is_empty() {
        return Vec::new();
    }
    vec![Range {
        kind: "ECOSYSTEM".into(),
        events,
    }]
}
