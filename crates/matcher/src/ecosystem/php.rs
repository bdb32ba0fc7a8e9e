//! Packagist: `vendor/package`, lowercase (FriendsOfPHP and GitHub advisories).

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    let name = match &p.namespace {
        Some(vendor) => format!("{vendor}/{}", p.name),
        None => p.name.clone(),
    };
    Ok(vec![direct(
        "Packagist",
        name.to_ascii_lowercase(),
        &p.version,
    )])
}
