//! npm: the full name, scope included (`@babel/core`).

use super::{Query, Skip, direct};
use crate::MatchPackage;

pub(super) fn queries(p: &MatchPackage) -> Result<Vec<Query>, Skip> {
    let name = match &p.namespace {
        Some(scope) if !p.name.starts_with('@') => format!("{scope}/{}", p.name),
        _ => p.name.clone(),
    };
    Ok(vec![direct("npm", name, &p.version)])
}
