//! Alpine: the secdb files fixes under the aport (the origin); a package is looked up by its
//! own name and by its origin.

use super::{Query, Skip, release};
use crate::MatchPackage;
use customs_types::Distro;

pub(super) fn queries(p: &MatchPackage, distro: Option<&Distro>) -> Result<Vec<Query>, Skip> {
    let distro = distro.ok_or("an apk package, but the distribution is unknown")?;
    if distro.id != "alpine" {
        return Err(format!("no advisory feed for {} packages", distro.id));
    }
    let ecosystem = format!(
        "alpine:{}",
        release(distro, false).ok_or("an Alpine release without a version number")?
    );
    let mut out = vec![super::direct(&ecosystem, p.name.clone(), &p.version)];
    if let Some((origin, _)) = p.source.as_ref().filter(|(o, _)| o != &p.name) {
        out.push(Query {
            ecosystem,
            name: origin.clone(),
            version: p.version.clone(),
            via: format!("origin {origin}"),
        });
    }
    Ok(out)
}
