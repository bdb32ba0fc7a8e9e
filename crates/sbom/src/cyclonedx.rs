//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>).

use std::collections::BTreeMap;

use customs_types::{Package, PackageMetadata, RelationshipKind};
use serde_json::{Value, json};

use crate::licenses::spdx_id;
use crate::{Sbom, content_uuid};

/// The `bom-ref` of a package: its purl made unique by the package id.
pub(crate) fn bom_ref(p: &Package) -> String {
    let sep = if p.purl.as_str().contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}package-id={}", p.purl, p.id)
}

pub(crate) fn document(sbom: &Sbom) -> Value {
    let mut components: Vec<Value> = sbom.packages.iter().map(component).collect();
    if let Some(d) = &sbom.distro {
        let mut os = json!({
            "bom-ref": format!("os:{}@{}", d.id, d.version_id.clone().unwrap_or_default()),
            "type": "operating-system",
            "name": d.id,
        });
        if let Some(v) = &d.version_id {
            os["version"] = json!(v);
        }
        if let Some(p) = &d.pretty_name {
            os["description"] = json!(p);
        }
        if let Some(c) = &d.cpe_name {
            os["cpe"] = json!(c);
        }
        components.push(os);
    }
    let mut depends: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let refs: BTreeMap<&str, String> = sbom
        .packages
        .iter()
        .map(|p| (p.id.as_str(), bom_ref(p)))
        .collect();
    for r in &sbom.relationships {
        if r.kind != RelationshipKind::DependsOn {
            continue;
        }
        if let (Some(from), Some(to)) = (refs.get(r.from.as_str()), refs.get(r.to.as_str())) {
            depends.entry(from.clone()).or_default().push(to.clone());
        }
    }
    let dependencies: Vec<Value> = depends
        .into_iter()
        .map(|(r, mut on)| {
            on.sort();
            on.dedup();
            json!({"ref": r, "dependsOn": on})
        })
        .collect();

    let subject = subject(sbom);
    let seed = format!(
        "{}|{}|{}",
        sbom.source.input,
        subject["version"].as_str().unwrap_or_default(),
        components.len()
    );
    let mut doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", content_uuid(&seed)),
        "version": 1,
        "metadata": {
            "timestamp": sbom.created.as_str(),
            "tools": {
                "components": [{
                    "type": "application",
                    "author": "customs",
                    "name": sbom.descriptor.name,
                    "version": sbom.descriptor.version,
                }]
            },
            "component": subject,
        },
        "components": components,
    });
    if !dependencies.is_empty() {
        doc["dependencies"] = json!(dependencies);
    }
    doc
}

fn subject(sbom: &Sbom) -> Value {
    let name = sbom.subject_name();
    let is_image = sbom.source.image.is_some();
    let mut c = json!({
        "bom-ref": format!("subject:{}", content_uuid(&sbom.source.input)),
        "type": if is_image { "container" } else { "file" },
        "name": name,
    });
    if let Some(d) = sbom.subject_digest() {
        c["version"] = json!(d.to_string());
    }
    c
}

fn component(p: &Package) -> Value {
    let mut c = json!({
        "bom-ref": bom_ref(p),
        "type": "library",
        "name": p.name,
        "version": p.version,
    });
    if let Some(publisher) = maintainer(p) {
        c["publisher"] = json!(publisher);
    }
    if !p.licenses.is_empty() {
        let licenses: Vec<Value> = p
            .licenses
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match spdx_id(l) {
                Some(id) => json!({"license": {"id": id}}),
                None => json!({"license": {"name": l}}),
            })
            .collect();
        c["licenses"] = json!(licenses);
    }
    c["purl"] = json!(p.purl.as_str());
    let mut properties: Vec<(String, String)> = vec![
        (
            "customs:package:type".into(),
            p.package_type.as_str().into(),
        ),
        ("customs:package:id".into(), p.id.clone()),
    ];
    let mut add = |name: &str, value: Option<&String>| {
        if let Some(v) = value {
            properties.push((format!("customs:package:{name}"), v.clone()));
        }
    };
    add("arch", p.arch.as_ref());
    add("sourceName", p.source_name.as_ref());
    add("sourceVersion", p.source_version.as_ref());
    for (i, l) in p.locations.iter().enumerate() {
        properties.push((format!("customs:location:{i}:path"), l.path.clone()));
        if let Some(layer) = &l.layer {
            properties.push((format!("customs:location:{i}:layerID"), layer.to_string()));
        }
        properties.push((
            format!("customs:location:{i}:visible"),
            l.visible.to_string(),
        ));
    }
    c["properties"] = json!(
        properties
            .into_iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect::<Vec<_>>()
    );
    c
}

fn maintainer(p: &Package) -> Option<String> {
    match &p.metadata {
        PackageMetadata::Dpkg(m) => m.maintainer.clone(),
        PackageMetadata::Apk(m) => m.maintainer.clone(),
        PackageMetadata::Rpm(m) => m.vendor.clone(),
        PackageMetadata::Python(m) => m.author.clone(),
        PackageMetadata::Npm(m) => m.author.clone(),
        _ => None,
    }
}
