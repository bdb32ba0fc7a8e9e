//! Debian: the security tracker files everything under the source package, in the source
//! package's version.

use super::{Query, Skip, release};
use crate::MatchPackage;
use customs_types::Distro;

pub(super) fn queries(p: &MatchPackage, distro: Option<&Distro>) -> Result<Vec<Query>, Skip> {
    let distro = distro.ok_or("a deb package, but the distribution is unknown")?;
    if distro.id != "debian" {
        return Err(format!("no advisory feed for {} packages", distro.id));
    }
    let number = release(distro, true).ok_or("a Debian release without a version number")?;
    let (name, version, via) = match &p.source {
        Some((name, version)) if name != &p.name => (
            name.clone(),
            version.clone().unwrap_or_else(|| p.version.clone()),
            format!("source package {name}"),
        ),
        Some((_, Some(version))) => (p.name.clone(), version.clone(), "name".into()),
        _ => (p.name.clone(), p.version.clone(), "name".into()),
    };
    Ok(vec![Query {
        ecosystem: format!("debian:{number}"),
        name,
        version,
        via,
    }])
}
