//! Maven: `groupId:artifactId`. A jar without a group id cannot be matched by name alone (that
//! is where name collisions come from).

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    let group = p
        .namespace
        .as_deref()
        .filter(|g| !g.is_empty())
        .ok_or("a Java archive without a Maven group id")?;
    Ok(vec![direct(
        "Maven",
        format!("{group}:{}", p.name),
        &p.version,
    )])
}
