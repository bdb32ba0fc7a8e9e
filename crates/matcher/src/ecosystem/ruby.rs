//! RubyGems (rubysec and GitHub advisories).

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    Ok(vec![direct("RubyGems", p.name.clone(), &p.version)])
}
