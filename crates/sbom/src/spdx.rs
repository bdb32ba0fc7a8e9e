//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>).

use std::collections::BTreeMap;

use customs_types::{Package, RelationshipKind};
use serde_json::{Value, json};

use crate::licenses::{license_ref, spdx_id};
use crate::{Sbom, content_uuid};

const NOASSERTION: &str = "NOASSERTION";

/// SPDX element ids allow letters, digits, `.` and `-`.
fn element_id(prefix: &str, p: &Package) -> String {
    let clean: String = p
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "SPDXRef-{prefix}-{}-{clean}-{}",
        p.package_type.as_str(),
        p.id
    )
}

pub(crate) fn document(sbom: &Sbom) -> Value {
    let subject_name = sbom.subject_name();
    let root_id = "SPDXRef-DocumentRoot".to_string();
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    let mut root = json!({
        "name": subject_name,
        "SPDXID": root_id,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": false,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": if sbom.source.image.is_some() { "CONTAINER" } else { "FILE" },
    });
    if let Some(d) = sbom.subject_digest() {
        root["versionInfo"] = json!(d.to_string());
        if d.algorithm() == "sha256" {
            root["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": d.hex()}]);
        }
    }
    let mut packages = vec![root];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root_id,
    })];
    let ids: BTreeMap<&str, String> = sbom
        .packages
        .iter()
        .map(|p| (p.id.as_str(), element_id("Package", p)))
        .collect();
    for p in &sbom.packages {
        let id = ids[p.id.as_str()].clone();
        let declared = license_expression(&p.licenses, &mut extracted);
        let mut pkg = json!({
            "name": p.name,
            "SPDXID": id,
            "versionInfo": p.version,
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": false,
            "licenseConcluded": NOASSERTION,
            "licenseDeclared": declared,
            "copyrightText": NOASSERTION,
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl.as_str(),
            }],
            "primaryPackagePurpose": "LIBRARY",
        });
        if let Some(l) = p.locations.first() {
            pkg["sourceInfo"] = json!(format!(
                "acquired package info from the {} database: {}",
                p.package_type.as_str(),
                l.path
            ));
        }
        packages.push(pkg);
        relationships.push(json!({
            "spdxElementId": root_id,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    for r in &sbom.relationships {
        let (Some(from), Some(to)) = (ids.get(r.from.as_str()), ids.get(r.to.as_str())) else {
            continue;
        };
        let kind = match r.kind {
            RelationshipKind::DependsOn => "DEPENDS_ON",
            RelationshipKind::OwnershipByFileOverlap => "OTHER",
        };
        let mut rel = json!({
            "spdxElementId": from,
            "relationshipType": kind,
            "relatedSpdxElement": to,
        });
        if r.kind == RelationshipKind::OwnershipByFileOverlap {
            rel["comment"] = json!("ownership-by-file-overlap");
        }
        relationships.push(rel);
    }
    let uuid = content_uuid(&format!(
        "{}|{}|{}",
        sbom.source.input,
        packages.len(),
        sbom.created.as_str()
    ));
    let safe_name: String = subject_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject_name,
        "documentNamespace": format!("https://customs.dev/spdx/{safe_name}-{uuid}"),
        "creationInfo": {
            "created": sbom.created.as_str(),
            "creators": [
                format!("Tool: {}-{}", sbom.descriptor.name, sbom.descriptor.version),
                "Organization: customs",
            ],
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = json!(
            extracted
                .into_iter()
                .map(|(id, text)| json!({"licenseId": id, "extractedText": text, "name": text}))
                .collect::<Vec<_>>()
        );
    }
    doc
}

/// The declared licences as one SPDX expression (`A AND B`); unknown names become `LicenseRef-`s,
/// recorded in `extracted` with their original text.
fn license_expression(licenses: &[String], extracted: &mut BTreeMap<String, String>) -> String {
    let mut terms: Vec<String> = Vec::new();
    for l in licenses.iter().filter(|l| !l.trim().is_empty()) {
        let term = match spdx_id(l) {
            Some(id) => id.to_string(),
            None => {
                let id = license_ref(l);
                extracted.entry(id.clone()).or_insert_with(|| l.clone());
                id
            }
        };
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    if terms.is_empty() {
        NOASSERTION.to_string()
    } else {
        terms.join(" AND ")
    }
}
