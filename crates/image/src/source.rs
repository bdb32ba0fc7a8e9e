//! What the user asked to scan: `SCHEME:REF`, or a bare reference whose scheme is guessed.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ImageError;
use crate::registry::RegistryRef;

/// An image (or directory) to analyse, as parsed from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceRef {
    /// An OCI image layout directory; `reference` picks an image by its ref name annotation.
    OciDir {
        path: PathBuf,
        reference: Option<String>,
    },
    /// An OCI image layout packed in a tar file.
    OciArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A `docker save` archive, classic or Docker 25+ (an OCI layout with `manifest.json`).
    DockerArchive {
        path: PathBuf,
        reference: Option<String>,
    },
    /// A root filesystem on disk.
    Dir { path: PathBuf },
    /// An image in a registry, pulled over the OCI distribution API.
    Registry(RegistryRef),
}

/// The schemes a source may be written with, for help texts and errors.
pub const SCHEMES: &[&str] = &[
    "oci-dir",
    "oci-archive",
    "docker-archive",
    "dir",
    "registry",
];

impl SourceRef {
    /// Parses `SCHEME:REF`. Without a known scheme, guesses like syft does: an existing directory
    /// is an OCI layout (when it holds `oci-layout`) or a root filesystem, an existing file is an
    /// archive of the kind its members show, and anything else is a registry reference.
    pub fn parse(input: &str) -> Result<Self, ImageError> {
        if input.is_empty() {
            return Err(ImageError::Usage("empty source".into()));
        }
        if let Some((scheme, rest)) = input.split_once(':') {
            let path_and_ref = || split_path_ref(rest);
            match scheme {
                "oci-dir" | "oci" => {
                    let (path, reference) = path_and_ref();
                    return Ok(SourceRef::OciDir { path, reference });
                }
                "oci-archive" => {
                    let (path, reference) = path_and_ref();
                    return Ok(SourceRef::OciArchive { path, reference });
                }
                "docker-archive" => {
                    let (path, reference) = path_and_ref();
                    return Ok(SourceRef::DockerArchive { path, reference });
                }
                "dir" => {
                    return Ok(SourceRef::Dir {
                        path: PathBuf::from(rest),
                    });
                }
                "registry" => return Ok(SourceRef::Registry(RegistryRef::parse(rest)?)),
                "docker" if rest.starts_with("//") => {
                    return Ok(SourceRef::Registry(RegistryRef::parse(&rest[2..])?));
                }
                _ => {}
            }
        }
        guess(input)
    }

    /// The scheme name of this source.
    pub fn scheme(&self) -> &'static str {
        match self {
            SourceRef::OciDir { .. } => "oci-dir",
            SourceRef::OciArchive { .. } => "oci-archive",
            SourceRef::DockerArchive { .. } => "docker-archive",
            SourceRef::Dir { .. } => "dir",
            SourceRef::Registry(_) => "registry",
        }
    }
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceRef::OciDir { path, reference }
            | SourceRef::OciArchive { path, reference }
            | SourceRef::DockerArchive { path, reference } => {
                write!(f, "{}:{}", self.scheme(), path.display())?;
                if let Some(r) = reference {
                    write!(f, ":{r}")?;
                }
                Ok(())
            }
            SourceRef::Dir { path } => write!(f, "dir:{}", path.display()),
            SourceRef::Registry(r) => write!(f, "registry:{r}"),
        }
    }
}

/// `PATH[:REF]`: the whole text when it names an existing path, else split at the last colon.
fn split_path_ref(rest: &str) -> (PathBuf, Option<String>) {
    if Path::new(rest).exists() {
        return (PathBuf::from(rest), None);
    }
    match rest.rsplit_once(':') {
        Some((path, reference)) if !reference.is_empty() && !reference.contains('/') => {
            (PathBuf::from(path), Some(reference.to_string()))
        }
        _ => (PathBuf::from(rest), None),
    }
}

fn guess(input: &str) -> Result<SourceRef, ImageError> {
    let (path, reference) = split_path_ref(input);
    if path.is_dir() {
        if path.join("oci-layout").is_file() || path.join("index.json").is_file() {
            return Ok(SourceRef::OciDir { path, reference });
        }
        if reference.is_none() {
            return Ok(SourceRef::Dir { path });
        }
    }
    if path.is_file() {
        let members = crate::store::archive_member_names(&path)?;
        if members.iter().any(|m| m == "manifest.json") {
            return Ok(SourceRef::DockerArchive { path, reference });
        }
        if members
            .iter()
            .any(|m| m == "index.json" || m == "oci-layout")
        {
            return Ok(SourceRef::OciArchive { path, reference });
        }
        return Err(ImageError::Usage(format!(
            "{}: not an image archive (no manifest.json, index.json or oci-layout inside); \
             use dir: for a root filesystem",
            path.display()
        )));
    }
    if looks_like_registry_reference(input) {
        return Ok(SourceRef::Registry(RegistryRef::parse(input)?));
    }
    Err(ImageError::Usage(format!(
        "{input:?}: no such file or directory, and not an image reference \
         (use SCHEME:REF with one of: {})",
        SCHEMES.join(", ")
    )))
}

fn looks_like_registry_reference(input: &str) -> bool {
    !input.starts_with('.')
        && !input.starts_with('/')
        && input
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_schemes() {
        assert_eq!(
            SourceRef::parse("oci-dir:/nonexistent/layout:lang").unwrap(),
            SourceRef::OciDir {
                path: "/nonexistent/layout".into(),
                reference: Some("lang".into())
            }
        );
        assert_eq!(
            SourceRef::parse("docker-archive:/tmp/x.tar").unwrap(),
            SourceRef::DockerArchive {
                path: "/tmp/x.tar".into(),
                reference: None
            }
        );
        assert_eq!(
            SourceRef::parse("dir:/").unwrap(),
            SourceRef::Dir { path: "/".into() }
        );
        assert!(matches!(
            SourceRef::parse("registry:127.0.0.1:5000/example/lang:1").unwrap(),
            SourceRef::Registry(_)
        ));
    }

    #[test]
    fn guesses_directories_and_references() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(
            SourceRef::parse(tmp.path().to_str().unwrap()).unwrap(),
            SourceRef::Dir {
                path: tmp.path().into()
            }
        );
        std::fs::write(tmp.path().join("oci-layout"), "{}").unwrap();
        let with_ref = format!("{}:lang", tmp.path().display());
        assert_eq!(
            SourceRef::parse(&with_ref).unwrap(),
            SourceRef::OciDir {
                path: tmp.path().into(),
                reference: Some("lang".into())
            }
        );
        assert!(matches!(
            SourceRef::parse("alpine:3.12").unwrap(),
            SourceRef::Registry(_)
        ));
        assert!(SourceRef::parse("./no/such/thing").is_err());
    }
}
