//! The gates: one folder each, with its triggers and their parameters. `GATES` is the list a
//! policy's rules are read against and the catalogue `customs policy spec` prints; a test
//! fails when a folder is not in it.

mod always;
mod common;
mod distro;
mod dockerfile;
mod files;
mod image_age;
mod licenses;
mod malware;
mod metadata;
mod packages;
mod passwd_file;
mod retrieved_files;
mod secret_scans;
mod tag_drift;
mod vulnerabilities;

use crate::spec::{Args, Gate, Trigger};

pub(crate) const GATES: &[&Gate] = &[
    &always::GATE,
    &vulnerabilities::GATE,
    &dockerfile::GATE,
    &files::GATE,
    &passwd_file::GATE,
    &packages::GATE,
    &licenses::GATE,
    &metadata::GATE,
    &secret_scans::GATE,
    &retrieved_files::GATE,
    &malware::GATE,
    &distro::GATE,
    &image_age::GATE,
    &tag_drift::GATE,
];

/// Gates of Anchore's first policy format, retired with a successor or none.
const END_OF_LIFE: &[(&str, Option<&str>)] = &[
    ("anchoresec", Some("vulnerabilities")),
    ("pkgcheck", Some("packages")),
    ("dockerfilecheck", Some("dockerfile")),
    ("filecheck", Some("files")),
    ("fileparse_passwd", Some("passwd_file")),
    ("gemcheck", None),
    ("npmcheck", None),
    ("metadatacheck", Some("metadata")),
    ("licblacklist", Some("licenses")),
    ("suiddiff", None),
    ("imagecheck", None),
    ("pkgdiff", None),
];

/// Trigger names of v1 bundles that v2 renamed, per gate.
const RENAMED_TRIGGERS: &[(&str, &str, &str)] = &[
    ("vulnerabilities", "blacklist", "denylist"),
    ("packages", "blacklist", "denylist"),
    ("licenses", "blacklist_exact_match", "denylist_exact_match"),
    (
        "licenses",
        "blacklist_partial_match",
        "denylist_partial_match",
    ),
    ("passwd_file", "blacklist_usernames", "denylist_usernames"),
    ("passwd_file", "blacklist_userids", "denylist_userids"),
    ("passwd_file", "blacklist_groupids", "denylist_groupids"),
    ("passwd_file", "blacklist_shells", "denylist_shells"),
    ("passwd_file", "blacklist_full_entry", "denylist_full_entry"),
];

pub(crate) fn find(name: &str) -> Result<&'static Gate, String> {
    if let Some(g) = GATES.iter().find(|g| g.name.eq_ignore_ascii_case(name)) {
        return Ok(g);
    }
    if let Some((_, successor)) = END_OF_LIFE
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(name))
    {
        return Err(match successor {
            Some(s) => format!("gate {name:?} is end-of-life; its checks are in the {s} gate"),
            None => format!("gate {name:?} is end-of-life and has no successor"),
        });
    }
    let known: Vec<&str> = GATES.iter().map(|g| g.name).collect();
    Err(format!(
        "unknown gate {name:?} (known gates: {})",
        known.join(", ")
    ))
}

pub(crate) fn trigger(gate: &'static Gate, name: &str) -> Option<&'static Trigger> {
    gate.trigger(name).or_else(|| {
        RENAMED_TRIGGERS
            .iter()
            .find(|(g, old, _)| *g == gate.name && old.eq_ignore_ascii_case(name))
            .and_then(|(_, _, new)| gate.trigger(new))
    })
}

/// Checks between parameters that their kinds alone cannot say.
pub(crate) fn check_args(gate: &Gate, trigger: &Trigger, args: &Args) -> Result<(), String> {
    match gate.name {
        "vulnerabilities" => vulnerabilities::check_args(trigger, args),
        "dockerfile" => dockerfile::check_args(trigger, args),
        "metadata" => metadata::check_args(args),
        _ => Ok(()),
    }
}

/// The catalogue as JSON (`customs policy spec`, `GET /v2/system/policy-spec`).
pub fn spec() -> serde_json::Value {
    crate::spec::spec_json(GATES)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_gate_folder_is_listed() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gates");
        let mut folders: Vec<String> = std::fs::read_dir(&src)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let mut listed: Vec<String> = super::GATES.iter().map(|g| g.name.to_string()).collect();
        listed.sort();
        assert_eq!(folders, listed);
    }

    #[test]
    fn trigger_and_parameter_names_are_unique_and_lower_case() {
        for g in super::GATES {
            let mut names: Vec<&str> = g.triggers.iter().map(|t| t.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), g.triggers.len(), "{}", g.name);
            for t in g.triggers {
                for p in t.params {
                    assert_eq!(p.name, p.name.to_ascii_lowercase(), "{}/{}", g.name, t.name);
                }
            }
        }
    }
}
