//! NuGet: package ids as published.

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    Ok(vec![direct("NuGet", p.name.clone(), &p.version)])
}
