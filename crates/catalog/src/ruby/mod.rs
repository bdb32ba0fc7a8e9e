//! Ruby: installed gems (`specifications/*.gemspec`) and, in directory scans, `Gemfile.lock`.

use customs_types::{DeclaredMetadata, InstalledMetadata, PackageMetadata, PackageType, Purl};

use crate::lockfile::{declared, file_name};
use crate::{Catalog, Cataloger, Env, Primary, language_package, parent};

pub(crate) struct Gemspec;
pub(crate) struct GemfileLock;

impl Cataloger for Gemspec {
    fn name(&self) -> &'static str {
        "ruby-installed-gemspec"
    }

    fn reads(&self) -> &'static str {
        "`**/specifications/*.gemspec`: name, version, licences of installed gems"
    }

    fn is_primary(&self, path: &str) -> bool {
        path.ends_with(".gemspec") && parent(path).ends_with("/specifications")
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        let text = String::from_utf8_lossy(primary.content);
        let (Some(name), Some(version)) = (assigned(&text, "name"), assigned(&text, "version"))
        else {
            out.unknowns.push(customs_types::Unknown {
                cataloger: self.name().into(),
                path: primary.path.into(),
                reason: "gemspec without a name and a version".into(),
            });
            return;
        };
        let mut p = language_package(
            PackageType::Gem,
            &name,
            &version,
            Purl::new("gem", None, &name, Some(&version), &[]),
            primary,
            PackageMetadata::Installed(InstalledMetadata {
                integrity: None,
                homepage: assigned(&text, "homepage"),
            }),
        );
        p.licenses = licenses(&text);
        out.packages.push(p);
    }
}

/// The string a gemspec assigns to `s.FIELD` (`s.name = "rake".freeze`).
fn assigned(text: &str, field: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let rest = line.split_once(&format!(".{field} = "))?.1;
        let rest = rest.trim_start_matches("Gem::Version.new(");
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = rest[1..].split(quote).next()?;
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// `s.licenses = ["MIT".freeze, "Ruby".freeze]` or `s.license = "MIT"`.
fn licenses(text: &str) -> Vec<String> {
    text.lines()
        .find(|l| l.contains(".licenses = ") || l.contains(".license = "))
        .map(|l| {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Cataloger for GemfileLock {
    fn name(&self) -> &'static str {
        "ruby-gemfile-lock"
    }

    fn reads(&self) -> &'static str {
        "`**/Gemfile.lock` (directory scans): the `specs` of every source"
    }

    fn is_primary(&self, path: &str) -> bool {
        matches!(file_name(path), "Gemfile.lock" | "gems.locked")
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        if !env.declared {
            return;
        }
        let text = String::from_utf8_lossy(primary.content);
        for line in text.lines() {
            // Four spaces: a locked gem; six: its dependencies' constraints.
            let Some(spec) = line.strip_prefix("    ") else {
                continue;
            };
            if spec.starts_with(' ') {
                continue;
            }
            let Some((name, rest)) = spec.split_once(" (") else {
                continue;
            };
            let version = rest.trim_end_matches(')');
            out.packages.push(declared(
                PackageType::Gem,
                name,
                version,
                Purl::new("gem", None, name, Some(version), &[]),
                primary,
                DeclaredMetadata::default(),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
