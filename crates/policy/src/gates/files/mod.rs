//! `files`: the image's files: names, attributes, set-id bits, and content-search hits.

use super::common::fire;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "files",
    description: "Checks the image's files: names, checksums and modes, setuid/setgid bits, and content-search matches.",
    triggers: &[
        Trigger {
            name: "content_regex_match",
            description: "Fires for each file in which a content-search rule matched (all rules, or the one named).",
            params: &[param(
                "regex_name",
                Kind::Text,
                false,
                "PRIVATE_KEY",
                "Only matches of the content-search rule with this name.",
            )],
            evaluate: content_regex_match,
        },
        Trigger {
            name: "name_match",
            description: "Fires for each file whose path matches the regular expression.",
            params: &[param(
                "regex",
                Kind::Regex,
                true,
                ".*\\.pem$",
                "A regular expression over the full path.",
            )],
            evaluate: name_match,
        },
        Trigger {
            name: "attribute_match",
            description: "Fires when the named file's attributes match every check given (or, with skip_missing=false, when the file is missing).",
            params: &[
                param(
                    "filename",
                    Kind::Text,
                    true,
                    "/etc/passwd",
                    "The file's full path.",
                ),
                param(
                    "checksum_algorithm",
                    Kind::OneOf(&["sha256"]),
                    false,
                    "sha256",
                    "The checksum's algorithm.",
                ),
                param(
                    "checksum",
                    Kind::Text,
                    false,
                    "832cd0f75b227d13aac82b1f70b7f90191a4186c151f9db50851d209c45ede11",
                    "The checksum to compare (hex).",
                ),
                param(
                    "checksum_match",
                    Kind::OneOf(&["equals", "not_equals"]),
                    false,
                    "equals",
                    "How the file's checksum compares.",
                ),
                param("mode", Kind::Text, false, "00644", "A mode in octal."),
                param(
                    "mode_op",
                    Kind::OneOf(&["equals", "not_equals"]),
                    false,
                    "equals",
                    "How the file's mode compares.",
                ),
                param(
                    "skip_missing",
                    Kind::Bool,
                    false,
                    "true",
                    "true (default): a missing file does not fire.",
                ),
            ],
            evaluate: attribute_match,
        },
        Trigger {
            name: "suid_or_guid_set",
            description: "Fires for each file with the setuid or setgid bit set.",
            params: &[],
            evaluate: suid_or_guid,
        },
    ],
};

fn mode_bits(mode: &str) -> Option<u32> {
    u32::from_str_radix(mode.trim(), 8).ok()
}

fn content_regex_match(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some(scan) = subject.facts().and_then(|f| f.content_search.as_ref()) else {
        return;
    };
    let name = args.text("regex_name");
    for m in scan
        .matches
        .iter()
        .filter(|m| name.is_none_or(|n| n == m.rule))
    {
        super::common::fire_with_id(
            fires,
            format!("{}+file://{}", m.rule, m.path),
            format!(
                "File content search rule '{}' matched in file {}",
                m.rule, m.path
            ),
        );
    }
}

fn name_match(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some(regex) = args.regex("regex") else {
        return;
    };
    for f in subject
        .sbom
        .files
        .iter()
        .filter(|f| regex.is_match(&f.path))
    {
        fire(
            fires,
            format!(
                "Application of regex matched file found in container: file={} regexp={}",
                f.path,
                regex.as_str()
            ),
        );
    }
}

fn attribute_match(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let name = args.text("filename").unwrap_or_default();
    let Some(file) = super::common::FileIndex::new(&subject.sbom.files).resolve(name) else {
        if args.bool("skip_missing") == Some(false) {
            fire(
                fires,
                format!("Specified filename not found in container: {name}"),
            );
        }
        return;
    };
    let mut checks = Vec::new();
    if let Some(sum) = args.text("checksum") {
        let have = file.sha256.as_ref().map(|d| d.to_string());
        let have = have.as_deref().map(|h| h.trim_start_matches("sha256:"));
        let equal = have.is_some_and(|h| h.eq_ignore_ascii_case(sum.trim_start_matches("sha256:")));
        let ok = match args.text("checksum_match").unwrap_or("equals") {
            "not_equals" => have.is_some() && !equal,
            _ => equal,
        };
        checks.push((
            ok,
            format!(
                "checksum {}",
                args.text("checksum_match").unwrap_or("equals")
            ),
        ));
    }
    if let Some(mode) = args.text("mode") {
        let wanted = mode_bits(mode);
        let have = mode_bits(&file.mode);
        let equal = wanted.is_some() && wanted == have;
        let ok = match args.text("mode_op").unwrap_or("equals") {
            "not_equals" => !equal,
            _ => equal,
        };
        checks.push((
            ok,
            format!("mode {}", args.text("mode_op").unwrap_or("equals")),
        ));
    }
    if !checks.is_empty() && checks.iter().all(|(ok, _)| *ok) {
        let what: Vec<String> = checks.into_iter().map(|(_, w)| w).collect();
        fire(
            fires,
            format!(
                "File attributes found matching all checks ({}) for {name}",
                what.join(", ")
            ),
        );
    }
}

fn suid_or_guid(_: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for f in &subject.sbom.files {
        if f.kind == "file"
            && let Some(bits) = mode_bits(&f.mode)
            && bits & 0o6000 != 0
        {
            fire(
                fires,
                format!(
                    "SUID or SGID found set on file {}. Mode: {:o}",
                    f.path, bits
                ),
            );
        }
    }
}
