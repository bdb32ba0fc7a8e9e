//! RPM distributions with an OSV feed (AlmaLinux, Rocky Linux): by binary package name and by
//! source rpm name, in `epoch:version-release`.

use super::{Query, Skip, release};
use crate::MatchPackage;
use customs_types::Distro;

pub(super) fn queries(p: &MatchPackage, distro: Option<&Distro>) -> Result<Vec<Query>, Skip> {
    let distro = distro.ok_or("an rpm package, but the distribution is unknown")?;
    let family = match distro.id.as_str() {
        "almalinux" => "AlmaLinux",
        "rocky" => "Rocky Linux",
        other => return Err(format!("no advisory feed for {other} packages")),
    };
    let ecosystem = format!(
        "{family}:{}",
        release(distro, true).ok_or("a release without a version number")?
    );
    let mut out = vec![super::direct(&ecosystem, p.name.clone(), &p.version)];
    if let Some((source, _)) = p.source.as_ref().filter(|(s, _)| s != &p.name) {
        out.push(Query {
            ecosystem,
            name: source.clone(),
            version: p.version.clone(),
            via: format!("source rpm {source}"),
        });
    }
    Ok(out)
}
