//! `tag_drift`: what changed in the packages since the image the tag pointed at before.

use std::collections::BTreeMap;

use super::common::fire;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

const TYPE: crate::spec::Param = param(
    "package_type",
    Kind::OneOf(super::common::PACKAGE_TYPES),
    false,
    "all",
    "Only packages of this type (os, non-os or a package type).",
);

pub(crate) const GATE: Gate = Gate {
    name: "tag_drift",
    description: "Compares the image's packages with those of the image the tag pointed at before (an earlier SBOM given with --previous-sbom).",
    triggers: &[
        Trigger {
            name: "packages_added",
            description: "Fires for each package the earlier image did not have.",
            params: &[TYPE],
            evaluate: added,
        },
        Trigger {
            name: "packages_removed",
            description: "Fires for each package of the earlier image that is gone.",
            params: &[TYPE],
            evaluate: removed,
        },
        Trigger {
            name: "packages_modified",
            description: "Fires for each package whose version changed.",
            params: &[TYPE],
            evaluate: modified,
        },
    ],
};

type Inventory = BTreeMap<(String, String), Vec<String>>;

fn inventory(sbom: &customs_sbom::Sbom, wanted: Option<&str>) -> Inventory {
    let mut out: Inventory = BTreeMap::new();
    for p in &sbom.packages {
        if super::common::package_type_matches(wanted, p) {
            let versions = out
                .entry((p.package_type.as_str().to_string(), p.name.clone()))
                .or_default();
            if !versions.contains(&p.version) {
                versions.push(p.version.clone());
            }
        }
    }
    out
}

fn both(args: &Args, subject: &Subject<'_>) -> Option<(Inventory, Inventory)> {
    let previous = subject.previous?;
    let t = args.text("package_type");
    Some((inventory(previous, t), inventory(subject.sbom, t)))
}

fn added(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((before, now)) = both(args, subject) else {
        return;
    };
    for ((t, name), versions) in &now {
        if !before.contains_key(&(t.clone(), name.clone())) {
            fire(
                fires,
                format!("Package added: {name} {} ({t})", versions.join(", ")),
            );
        }
    }
}

fn removed(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((before, now)) = both(args, subject) else {
        return;
    };
    for ((t, name), versions) in &before {
        if !now.contains_key(&(t.clone(), name.clone())) {
            fire(
                fires,
                format!("Package removed: {name} {} ({t})", versions.join(", ")),
            );
        }
    }
}

fn modified(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((before, now)) = both(args, subject) else {
        return;
    };
    for (key, versions) in &now {
        if let Some(old) = before.get(key)
            && old != versions
        {
            fire(
                fires,
                format!(
                    "Package modified: {} {} -> {} ({})",
                    key.1,
                    old.join(", "),
                    versions.join(", "),
                    key.0
                ),
            );
        }
    }
}
