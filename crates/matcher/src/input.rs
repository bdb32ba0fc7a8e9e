//! What matching reads: a customs SBOM as made in the same run, or an SBOM document written by
//! customs or another tool (CycloneDX JSON, SPDX 2 JSON, Syft JSON, customs' native JSON). From
//! another tool's document only what the package URL says is used, with the distribution taken
//! from the purls' `distro` qualifier (`debian-12`) when the document has no other.

use customs_sbom::Sbom;
use customs_types::{Distro, Purl, PurlParts, RelationshipKind};
use serde_json::Value;

use crate::MatchPackage;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Format(String),
}

/// The packages of a customs SBOM, with which OS packages own which others.
pub fn packages_from_sbom(sbom: &Sbom) -> (Vec<MatchPackage>, Option<Distro>) {
    let mut packages: Vec<MatchPackage> = sbom
        .packages
        .iter()
        .map(|p| {
            let parts = Purl::parse(p.purl.as_str());
            MatchPackage {
                id: p.id.clone(),
                name: p.name.clone(),
                version: p.version.clone(),
                package_type: p.package_type.as_str().to_string(),
                purl: p.purl.as_str().to_string(),
                purl_type: parts
                    .as_ref()
                    .map(|x| x.purl_type.clone())
                    .unwrap_or_default(),
                namespace: parts.and_then(|x| x.namespace),
                source: p.source_name.clone().map(|s| (s, p.source_version.clone())),
                locations: p.locations.iter().map(|l| l.path.clone()).collect(),
                layer: p.introduced_by().map(|d| d.to_string()),
                owned_by: Vec::new(),
            }
        })
        .collect();
    for r in &sbom.relationships {
        if r.kind == RelationshipKind::OwnershipByFileOverlap
            && let Some(child) = packages.iter_mut().find(|p| p.id == r.to)
        {
            child.owned_by.push(r.from.clone());
        }
    }
    (packages, sbom.distro.clone())
}

fn from_purl(id: String, purl: &str, fallback_name: &str, fallback_version: &str) -> MatchPackage {
    let parts = Purl::parse(purl);
    let source = parts.as_ref().and_then(|p| {
        let upstream = p.qualifier("upstream")?;
        Some(match upstream.split_once('@') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (upstream.to_string(), None),
        })
    });
    // The document's own name and version, as its tool spelled them (`Django`, `go1.19.8`),
    // else the purl's.
    let name = Some(fallback_name)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| parts.as_ref().map(|p| p.name.clone()))
        .unwrap_or_default();
    let version = Some(fallback_version)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| parts.as_ref().and_then(|p| p.version.clone()))
        .unwrap_or_default();
    let purl_type = parts
        .as_ref()
        .map(|p| p.purl_type.clone())
        .unwrap_or_default();
    MatchPackage {
        id,
        name,
        version,
        package_type: purl_type.clone(),
        purl: purl.to_string(),
        purl_type,
        namespace: parts.and_then(|p| p.namespace),
        source,
        locations: Vec::new(),
        layer: None,
        owned_by: Vec::new(),
    }
}

/// `debian-12` → Debian 12, from the first purl that has a `distro` qualifier.
fn distro_from_purls<'a>(purls: impl Iterator<Item = &'a str>) -> Option<Distro> {
    for purl in purls {
        let Some(parts): Option<PurlParts> = Purl::parse(purl) else {
            continue;
        };
        if !matches!(parts.purl_type.as_str(), "deb" | "apk" | "rpm") {
            continue;
        }
        let Some(q) = parts.qualifier("distro") else {
            continue;
        };
        let (id, version) = match q.split_once('-') {
            Some((id, v)) => (id.to_string(), Some(v.to_string())),
            None => (q.to_string(), None),
        };
        return Some(Distro {
            id: id.to_ascii_lowercase(),
            version_id: version,
            id_like: Vec::new(),
            version_codename: None,
            pretty_name: None,
            cpe_name: None,
        });
    }
    None
}

/// Reads an SBOM document, whichever of the supported formats it is.
pub fn read_sbom_document(bytes: &[u8]) -> Result<(Vec<MatchPackage>, Option<Distro>), InputError> {
    let doc: Value = serde_json::from_slice(bytes)?;
    if doc["schema"]
        .as_str()
        .is_some_and(|s| s.starts_with("customs.sbom/"))
    {
        let sbom: Sbom = serde_json::from_value(doc)
            .map_err(|e| InputError::Format(format!("not a valid customs SBOM: {e}")))?;
        return Ok(packages_from_sbom(&sbom));
    }
    let mut packages = Vec::new();
    if doc["bomFormat"] == "CycloneDX" {
        let mut stack: Vec<&Value> = doc["components"].as_array().into_iter().flatten().collect();
        while let Some(c) = stack.pop() {
            stack.extend(c["components"].as_array().into_iter().flatten());
            let Some(purl) = c["purl"].as_str() else {
                continue;
            };
            let id = c["bom-ref"].as_str().unwrap_or(purl).to_string();
            packages.push(from_purl(
                id,
                purl,
                c["name"].as_str().unwrap_or_default(),
                c["version"].as_str().unwrap_or_default(),
            ));
        }
    } else if doc["spdxVersion"].is_string() {
        for p in doc["packages"].as_array().into_iter().flatten() {
            let Some(purl) = p["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str())
            else {
                continue;
            };
            let id = p["SPDXID"].as_str().unwrap_or(purl).to_string();
            packages.push(from_purl(
                id,
                purl,
                p["name"].as_str().unwrap_or_default(),
                p["versionInfo"].as_str().unwrap_or_default(),
            ));
        }
    } else if doc["artifacts"].is_array() && doc["descriptor"].is_object() {
        // Syft's own JSON.
        for a in doc["artifacts"].as_array().into_iter().flatten() {
            let Some(purl) = a["purl"].as_str().filter(|p| !p.is_empty()) else {
                continue;
            };
            let id = a["id"].as_str().unwrap_or(purl).to_string();
            let mut p = from_purl(
                id,
                purl,
                a["name"].as_str().unwrap_or_default(),
                a["version"].as_str().unwrap_or_default(),
            );
            p.locations = a["locations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["path"].as_str().map(str::to_string))
                .collect();
            packages.push(p);
        }
        let distro = doc["distro"]["id"].as_str().map(|id| Distro {
            id: id.to_string(),
            version_id: doc["distro"]["versionID"].as_str().map(str::to_string),
            id_like: Vec::new(),
            version_codename: None,
            pretty_name: None,
            cpe_name: None,
        });
        if distro.is_some() {
            return Ok((packages, distro));
        }
    } else {
        return Err(InputError::Format(
            "not an SBOM customs reads (CycloneDX JSON, SPDX JSON, Syft JSON or customs JSON)"
                .into(),
        ));
    }
    let distro = distro_from_purls(packages.iter().map(|p| p.purl.as_str()));
    Ok((packages, distro))
}
