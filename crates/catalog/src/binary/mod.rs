//! Programs and libraries without package metadata, recognised from version strings in their
//! content. Each executable or shared library is read once, while layers stream, and every
//! classifier that its file name calls for looks at that one buffer. A hit on a file that an OS
//! package installed is dropped later: the OS package already accounts for it.

mod classifiers;

use customs_image::Candidate;
use customs_types::{BinaryMetadata, Package, PackageMetadata, PackageType, Purl};

use crate::{Catalog, Cataloger, Env, Primary, package_id};
pub(crate) use classifiers::Hit;

pub(crate) struct Binary;

impl Cataloger for Binary {
    fn name(&self) -> &'static str {
        "binary-classifier"
    }

    fn reads(&self) -> &'static str {
        "executables and shared libraries, by version strings: busybox, openssl/libcrypto, python, node, nginx, httpd, redis, postgres, curl, bash, glibc; JDK `release` files for the JVM"
    }

    fn is_primary(&self, path: &str) -> bool {
        classifiers::is_jvm_release(path)
    }

    fn inspects(&self, candidate: &Candidate<'_>) -> bool {
        classifiers::may_match(candidate.path)
    }

    fn inspect(&self, path: &str, content: &[u8]) -> Option<Box<dyn std::any::Any + Send + Sync>> {
        classifiers::classify(path, content).map(|hit| Box::new(hit) as _)
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        let hit = match primary.facts.and_then(|f| f.downcast_ref::<Hit>()) {
            Some(hit) => hit.clone(),
            None => match classifiers::jvm_release(primary.content) {
                Some(hit) => hit,
                None => return,
            },
        };
        out.packages.push(Package {
            id: package_id(&["binary", hit.product, &hit.version, primary.path]),
            name: hit.product.to_string(),
            version: hit.version.clone(),
            package_type: PackageType::Binary,
            arch: None,
            source_name: None,
            source_version: None,
            licenses: Vec::new(),
            purl: Purl::new("generic", None, hit.product, Some(&hit.version), &[]),
            locations: vec![primary.location.clone()],
            files: Vec::new(),
            metadata: PackageMetadata::Binary(BinaryMetadata {
                classifier: hit.classifier.to_string(),
                evidence: hit.evidence.clone(),
            }),
        });
    }
}

#[cfg(test)]
mod tests;
