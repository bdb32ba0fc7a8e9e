//! Version ordering, one module per ecosystem, each checked in tests against the ecosystem's own
//! tool where this machine has it (`dpkg --compare-versions`, rpm's `rpm.vercmp`, Python's
//! `packaging`, npm's `semver`, RubyGems, Maven's `ComparableVersion`, Composer's `VersionParser`
//! with PHP's `version_compare`).
//!
//! [`compare`] orders two version strings of one [`Scheme`]. Distro schemes (dpkg, apk, rpm)
//! accept any string, as their tools do; the others reject what their specifications do not
//! allow, with an error that says why.

mod apk;
mod composer;
mod dpkg;
mod gem;
mod maven;
mod nuget;
mod pep440;
mod range;
mod rpm;
mod semver;

pub use range::{Bound, Interval, VersionSet};

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// How an ecosystem orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Dpkg,
    Apk,
    Rpm,
    Pep440,
    Semver,
    /// Go modules: semver with a `v` prefix; pseudo-versions order as their prereleases say, and
    /// `+incompatible` is build metadata.
    Go,
    /// RubyGems.
    Gem,
    /// Maven (`ComparableVersion`).
    Maven,
    /// Composer (Packagist): Composer's normalisation, then PHP's `version_compare`.
    Composer,
    /// NuGet: up to four numbers and case-insensitive pre-release labels.
    NuGet,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Pep440 => "pep440",
            Scheme::Semver => "semver",
            Scheme::Go => "go",
            Scheme::Gem => "gem",
            Scheme::Maven => "maven",
            Scheme::Composer => "composer",
            Scheme::NuGet => "nuget",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scheme {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "dpkg" | "deb" => Scheme::Dpkg,
            "apk" => Scheme::Apk,
            "rpm" => Scheme::Rpm,
            "pep440" | "pypi" | "python" => Scheme::Pep440,
            "semver" | "npm" | "cargo" => Scheme::Semver,
            "go" | "golang" => Scheme::Go,
            "gem" | "rubygems" => Scheme::Gem,
            "maven" => Scheme::Maven,
            "composer" | "packagist" | "php" => Scheme::Composer,
            "nuget" | "dotnet" => Scheme::NuGet,
            other => return Err(VersionError::UnknownScheme(other.to_string())),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("unknown version scheme {0:?}")]
    UnknownScheme(String),
    #[error("{scheme} version {version:?} is not valid: {reason}")]
    Invalid {
        scheme: Scheme,
        version: String,
        reason: String,
    },
}

impl VersionError {
    pub(crate) fn invalid(scheme: Scheme, version: &str, reason: impl Into<String>) -> Self {
        VersionError::Invalid {
            scheme,
            version: version.to_string(),
            reason: reason.into(),
        }
    }
}

/// Orders `a` and `b` under `scheme`.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    match scheme {
        Scheme::Dpkg => Ok(dpkg::compare(a, b)),
        Scheme::Apk => Ok(apk::compare(a, b)),
        Scheme::Rpm => Ok(rpm::compare(a, b)),
        Scheme::Pep440 => Ok(pep440::Version::parse(a)?.cmp(&pep440::Version::parse(b)?)),
        Scheme::Semver => {
            Ok(semver::Version::parse(a, scheme)?.cmp(&semver::Version::parse(b, scheme)?))
        }
        Scheme::Go => Ok(semver::Version::parse_go(a)?.cmp(&semver::Version::parse_go(b)?)),
        Scheme::Gem => gem::compare(a, b),
        Scheme::Maven => Ok(maven::compare(a, b)),
        Scheme::Composer => composer::compare(a, b),
        Scheme::NuGet => nuget::compare(a, b),
    }
}

/// A version read once, to be compared many times (a matcher compares one installed version with
/// every bound of every candidate advisory).
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    scheme: Scheme,
    form: Form<'a>,
}

#[derive(Debug, Clone)]
enum Form<'a> {
    /// Schemes that order the text itself (dpkg, apk, rpm, Maven, RubyGems, NuGet), checked
    /// valid when parsed.
    Text(&'a str),
    /// Composer's normalised form.
    Normalized(String),
    Pep440(pep440::Version),
    Semver(semver::Version),
}

/// Reads `version` under `scheme`, with the errors [`compare`] would give.
pub fn parse(scheme: Scheme, version: &str) -> Result<Parsed<'_>, VersionError> {
    let form = match scheme {
        Scheme::Dpkg | Scheme::Apk | Scheme::Rpm | Scheme::Maven => Form::Text(version),
        Scheme::Gem => {
            gem::compare(version, version)?;
            Form::Text(version)
        }
        Scheme::NuGet => {
            nuget::compare(version, version)?;
            Form::Text(version)
        }
        Scheme::Composer => Form::Normalized(composer::normalize(version)?),
        Scheme::Pep440 => Form::Pep440(pep440::Version::parse(version)?),
        Scheme::Semver => Form::Semver(semver::Version::parse(version, scheme)?),
        Scheme::Go => Form::Semver(semver::Version::parse_go(version)?),
    };
    Ok(Parsed { scheme, form })
}

impl Parsed<'_> {
    /// Orders two versions read under the same scheme.
    pub fn order(&self, other: &Parsed<'_>) -> Ordering {
        match (&self.form, &other.form) {
            (Form::Text(a), Form::Text(b)) => match self.scheme {
                Scheme::Dpkg => dpkg::compare(a, b),
                Scheme::Apk => apk::compare(a, b),
                Scheme::Rpm => rpm::compare(a, b),
                Scheme::Maven => maven::compare(a, b),
                Scheme::Gem => gem::compare(a, b).unwrap_or(Ordering::Equal),
                _ => nuget::compare(a, b).unwrap_or(Ordering::Equal),
            },
            (Form::Normalized(a), Form::Normalized(b)) => composer::php_version_compare(a, b),
            (Form::Pep440(a), Form::Pep440(b)) => a.cmp(b),
            (Form::Semver(a), Form::Semver(b)) => a.cmp(b),
            // Versions of two schemes do not order; callers parse both under one.
            _ => Ordering::Equal,
        }
    }
}

/// Checks `compare` on `(a, b, expected)` cases, both ways round.
#[cfg(test)]
pub(crate) fn assert_orderings(
    compare: fn(&str, &str) -> Ordering,
    cases: &[(&str, &str, Ordering)],
) {
    for (a, b, want) in cases {
        assert_eq!(compare(a, b), *want, "{a} vs {b}");
        assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
    }
}
