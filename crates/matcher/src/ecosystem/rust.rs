//! crates.io (RustSec advisories).

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    Ok(vec![direct("crates.io", p.name.clone(), &p.version)])
}
