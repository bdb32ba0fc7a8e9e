use serde::{Deserialize, Serialize};

/// The Linux distribution an image is built on, as its `os-release` file (or a fallback) says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID`, lowercase: `debian`, `alpine`, `rhel`, `ubuntu` ...
    pub id: String,
    /// `VERSION_ID`: `12`, `3.12.12`, `9.4` ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe_name: Option<String>,
}

impl Distro {
    /// `debian-12`, `alpine-3.12.12`: the value of a purl `distro=` qualifier.
    pub fn purl_qualifier(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{}-{}", self.id, v),
            None => self.id.clone(),
        }
    }

    /// Whether this distro is `family` or says it is like it (`ID_LIKE`).
    pub fn is_like(&self, family: &str) -> bool {
        self.id == family || self.id_like.iter().any(|l| l == family)
    }
}
