//! Java: archives (`.jar`, `.war`, `.ear`, `.jpi`, `.hpi`), nested ones included (a war's
//! `WEB-INF/lib/*.jar`). Archives are inspected while layers stream, so none is kept in memory.
//! Identity: `pom.properties` first, then Debian's `/usr/share/maven-repo` links, then
//! `MANIFEST.MF`, then the file name.

mod archive;

use customs_types::{JavaMetadata, Package, PackageMetadata, PackageType, Purl, Unknown};

use crate::{Catalog, Cataloger, Env, Primary, package_id};
use archive::{ArchiveFacts, Identity};
use customs_image::Candidate;

pub(crate) struct Java;

const EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".jpi", ".hpi"];
const MAVEN_REPO: &str = "/usr/share/maven-repo/";

pub(crate) fn is_archive_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

impl Cataloger for Java {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn reads(&self) -> &'static str {
        "`**/*.{jar,war,ear,jpi,hpi}` and the archives nested in them: `META-INF/maven/**/pom.properties`, Debian's `/usr/share/maven-repo` links, `META-INF/MANIFEST.MF`, the file name; SHA-1 of each archive"
    }

    fn is_primary(&self, path: &str) -> bool {
        is_archive_name(path)
    }

    fn wants(&self, _path: &str) -> bool {
        false
    }

    fn inspects(&self, candidate: &Candidate<'_>) -> bool {
        is_archive_name(candidate.path)
    }

    fn inspect(&self, path: &str, content: &[u8]) -> Option<Box<dyn std::any::Any + Send + Sync>> {
        is_archive_name(path).then(|| Box::new(archive::inspect(path, content)) as _)
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let facts = match primary.facts.and_then(|f| f.downcast_ref::<ArchiveFacts>()) {
            Some(f) => f.clone(),
            // A directory scan keeps nothing but the facts; a kept archive is inspected here.
            None => archive::inspect(primary.path, primary.content),
        };
        let maven_repo = debian_maven_identity(env, primary.path);
        add(&facts, primary, maven_repo, None, out);
    }
}

fn add(
    facts: &ArchiveFacts,
    primary: &Primary<'_>,
    maven_repo: Option<Identity>,
    virtual_path: Option<String>,
    out: &mut Catalog,
) {
    let shown_path = virtual_path.as_deref().unwrap_or(primary.path);
    if let Some(reason) = &facts.error {
        out.unknowns.push(Unknown {
            cataloger: "java-archive".into(),
            path: shown_path.into(),
            reason: reason.clone(),
        });
    }
    let identity = facts
        .pom_identity()
        .map(|i| (i, "pom.properties"))
        .or(maven_repo.map(|i| (i, "maven-repo")))
        .or_else(|| facts.manifest_identity().map(|i| (i, "manifest")))
        .or_else(|| facts.file_name_identity().map(|i| (i, "file-name")));
    if let Some((id, source)) = identity {
        let purl = Purl::new(
            "maven",
            id.group.as_deref(),
            &id.artifact,
            Some(&id.version),
            &[],
        );
        out.packages.push(Package {
            id: package_id(&["java", &id.artifact, &id.version, shown_path]),
            name: id.artifact.clone(),
            version: id.version.clone(),
            package_type: PackageType::Java,
            arch: None,
            source_name: None,
            source_version: None,
            licenses: facts.licenses.clone(),
            purl,
            locations: vec![primary.location.clone()],
            files: Vec::new(),
            metadata: PackageMetadata::Java(JavaMetadata {
                group_id: id.group.clone(),
                artifact_id: Some(id.artifact.clone()),
                identity_from: source.into(),
                sha1: facts.sha1.clone(),
                virtual_path: virtual_path.clone(),
            }),
        });
    }
    for nested in &facts.nested {
        let path = format!("{shown_path}:{}", nested.name);
        add(nested, primary, None, Some(path), out);
    }
}

/// Debian installs `/usr/share/maven-repo/GROUP/PATH/ARTIFACT/VERSION/ARTIFACT-VERSION.jar` as a
/// link to the jar in `/usr/share/java`: the link's place names the archive's Maven identity.
/// Debian also adds alias versions (`debian`, `1.2.x`); a concrete version wins over them, and
/// among concrete ones the version the jar's own file name carries.
fn debian_maven_identity(env: &Env<'_>, jar: &str) -> Option<Identity> {
    let mut found: Vec<Identity> = Vec::new();
    for (path, node) in env.tree.iter_prefix(MAVEN_REPO) {
        if !matches!(node.kind, customs_image::NodeKind::Symlink(_)) || !is_archive_name(path) {
            continue;
        }
        if env.tree.resolve(path).is_none_or(|(real, _)| real != jar) {
            continue;
        }
        // GROUP.../ARTIFACT/VERSION/FILE
        let parts: Vec<&str> = path[MAVEN_REPO.len()..].split('/').collect();
        if parts.len() < 4 {
            continue;
        }
        found.push(Identity {
            group: Some(parts[..parts.len() - 3].join(".")),
            artifact: parts[parts.len() - 3].to_string(),
            version: parts[parts.len() - 2].to_string(),
        });
    }
    let concrete = |v: &str| {
        v.starts_with(|c: char| c.is_ascii_digit())
            && !v
                .split(['.', '-'])
                .any(|part| part.eq_ignore_ascii_case("x"))
    };
    let file_name = jar.rsplit('/').next().unwrap_or(jar);
    found.retain(|i| concrete(&i.version));
    found.sort_by_key(|i| !file_name.contains(&i.version));
    found.into_iter().next()
}

#[cfg(test)]
mod tests;
