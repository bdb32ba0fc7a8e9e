//! CISA's catalog of Known Exploited Vulnerabilities.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One KEV entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KevEntry {
    pub cve: String,
    pub date_added: Option<String>,
    pub due_date: Option<String>,
    pub known_ransomware: Option<String>,
    pub vulnerability_name: Option<String>,
}

pub(crate) fn read(bytes: &[u8]) -> Result<(Vec<KevEntry>, Option<String>), String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let text = |v: &Value| v.as_str().map(str::to_string);
    let entries = doc["vulnerabilities"]
        .as_array()
        .ok_or("no vulnerabilities list")?
        .iter()
        .filter_map(|v| {
            Some(KevEntry {
                cve: text(&v["cveID"])?,
                date_added: text(&v["dateAdded"]),
                due_date: text(&v["dueDate"]),
                known_ransomware: text(&v["knownRansomwareCampaignUse"]),
                vulnerability_name: text(&v["vulnerabilityName"]),
            })
        })
        .collect();
    Ok((entries, text(&doc["dateReleased"])))
}
