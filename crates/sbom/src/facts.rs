//! Facts about an image's files that policies ask for, collected in the same pass over the
//! layers as the packages: files retrieved by path, secret and content-search hits (where and
//! which rule, never the matched text), and malware scan results.

use customs_types::Digest;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Files kept by path (`/etc/passwd`, `/etc/group` and any asked for), as text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retrieved_files: Vec<RetrievedFile>,
    /// The paths asked for, found or not (a policy tells "not in the image" from "not asked").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retrieve_requested: Vec<String>,
    /// `None`: no secret scan was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_scan: Option<ContentScan>,
    /// `None`: no content search was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_search: Option<ContentScan>,
    /// `None`: no malware scan was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware_scan: Option<MalwareScan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrievedFile {
    pub path: String,
    /// The content as UTF-8 (invalid bytes replaced), cut at the retrieval limit.
    pub content: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// The result of matching named regular expressions over file contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentScan {
    /// The names of the rules that ran.
    pub rules: Vec<String>,
    pub matches: Vec<ContentMatch>,
}

/// One rule matching in one file: where, never what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContentMatch {
    pub path: String,
    pub rule: String,
    /// 1-based line numbers of the matches.
    pub lines: Vec<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Digest>,
    /// False when a later layer deleted or replaced the file (seen with `--scope all-layers`).
    #[serde(default = "yes")]
    pub visible: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MalwareScan {
    /// `clamav`.
    pub scanner: String,
    /// The scanner's version and signature database, as it reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub files_scanned: u64,
    pub findings: Vec<MalwareFinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MalwareFinding {
    pub path: String,
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Digest>,
    /// False when a later layer deleted or replaced the file (seen with `--scope all-layers`).
    #[serde(default = "yes")]
    pub visible: bool,
}

fn yes() -> bool {
    true
}

impl ImageFacts {
    pub fn is_empty(&self) -> bool {
        *self == ImageFacts::default()
    }

    pub fn retrieved(&self, path: &str) -> Option<&RetrievedFile> {
        self.retrieved_files.iter().find(|f| f.path == path)
    }
}
