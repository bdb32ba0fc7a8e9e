//! Where each kind of package is looked up: one module per ecosystem, each turning a package
//! into the (database ecosystem, name, version) keys its advisories are filed under.

mod alpine;
mod debian;
mod dotnet;
mod golang;
mod java;
mod javascript;
mod php;
mod python;
mod rpm;
mod ruby;
mod rust;

use crate::MatchPackage;
use customs_types::Distro;

/// One lookup to make for a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    /// The database's ecosystem (`PyPI`, `debian:12`, `alpine:3.12`).
    pub(crate) ecosystem: String,
    pub(crate) name: String,
    pub(crate) version: String,
    /// How the key was derived, for `--explain` (`source package apache-log4j1.2`).
    pub(crate) via: String,
}

/// Why a package has no query (shown by `--explain` and counted in the report).
pub(crate) type Skip = String;

/// The queries of `package`, or why it cannot be matched.
pub(crate) fn queries(package: &MatchPackage, distro: Option<&Distro>) -> Result<Vec<Query>, Skip> {
    match package.purl_type.as_str() {
        "deb" => debian::queries(package, distro),
        "apk" => alpine::queries(package, distro),
        "rpm" => rpm::queries(package, distro),
        "pypi" => python::queries(package),
        "npm" => javascript::queries(package),
        "golang" => golang::queries(package),
        "cargo" => rust::queries(package),
        "maven" => java::queries(package),
        "gem" => ruby::queries(package),
        "composer" => php::queries(package),
        "nuget" => dotnet::queries(package),
        "" => Err("no package URL".into()),
        other => Err(format!(
            "no advisory feed for {other} packages (CPE matching is not done)"
        )),
    }
}

/// `major.minor` of a release (`3.12.12` → `3.12`), or the major alone when `major_only`.
pub(crate) fn release(distro: &Distro, major_only: bool) -> Option<String> {
    let v = distro.version_id.as_deref()?;
    let parts: Vec<&str> = v.split('.').collect();
    Some(if major_only || parts.len() < 2 {
        parts[0].to_string()
    } else {
        format!("{}.{}", parts[0], parts[1])
    })
}

fn direct(ecosystem: &str, name: String, version: &str) -> Query {
    Query {
        ecosystem: ecosystem.to_string(),
        name,
        version: version.to_string(),
        via: "name".into(),
    }
}
