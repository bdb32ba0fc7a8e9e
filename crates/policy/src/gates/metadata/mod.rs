//! `metadata`: the image's own attributes (size, architecture, distribution, layer count).

use super::common::{fire, holds, text_check};
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

const ATTRIBUTES: &[&str] = &[
    "size",
    "architecture",
    "os_type",
    "distro",
    "distro_version",
    "like_distro",
    "layer_count",
];
const CHECKS: &[&str] = &[
    "=",
    "!=",
    ">",
    "<",
    ">=",
    "<=",
    "exists",
    "not_exists",
    "like",
    "not_like",
    "in",
    "not_in",
];

pub(crate) const GATE: Gate = Gate {
    name: "metadata",
    description: "Checks the image's attributes: size, architecture, OS, distribution and layer count.",
    triggers: &[Trigger {
        name: "attribute",
        description: "Fires when the attribute passes the check.",
        params: &[
            param(
                "attribute",
                Kind::OneOf(ATTRIBUTES),
                true,
                "size",
                "The attribute.",
            ),
            param(
                "check",
                Kind::OneOf(CHECKS),
                true,
                ">",
                "The comparison (like: a regular expression; in: comma-separated).",
            ),
            param(
                "value",
                Kind::Text,
                false,
                "1GB",
                "The value to compare with (size accepts units: 10GB, 512MB).",
            ),
        ],
        evaluate: attribute,
    }],
};

pub(crate) fn check_args(args: &Args) -> Result<(), String> {
    let check = args.text("check").unwrap_or_default();
    if !matches!(check, "exists" | "not_exists") && args.text("value").is_none() {
        return Err(format!("the check {check:?} needs a value"));
    }
    if args.text("attribute") == Some("size")
        && let Some(v) = args.text("value")
        && size_of(v).is_none()
    {
        return Err(format!("{v:?} is not a size (10GB, 512MB, 1024)"));
    }
    Ok(())
}

fn size_of(text: &str) -> Option<u64> {
    crate::spec::parse_size(text)
}

fn attribute(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let name = args.text("attribute").unwrap_or_default();
    let check = args.text("check").unwrap_or_default();
    let value = args.text("value");
    let image = subject.sbom.source.image.as_ref();
    let distro = subject.sbom.distro.as_ref();
    let fired = if name == "size" || name == "layer_count" {
        let actual = image.map(|i| {
            if name == "size" {
                i.layers.iter().filter_map(|l| l.size).sum::<u64>()
            } else {
                i.layers.len() as u64
            }
        });
        let wanted = if name == "size" {
            value.and_then(size_of)
        } else {
            value.and_then(|v| v.trim().parse::<u64>().ok())
        };
        match (check, actual, wanted) {
            ("exists", a, _) => a.is_some(),
            ("not_exists", a, _) => a.is_none(),
            (op, Some(a), Some(w)) if super::common::COMPARISONS.contains(&op) => {
                holds(op, a.cmp(&w))
            }
            (op, Some(a), _) => text_check(op, Some(&a.to_string()), value),
            _ => false,
        }
    } else {
        let actual: Option<String> = match name {
            "architecture" => image.and_then(|i| i.architecture.clone()),
            "os_type" => image.and_then(|i| i.os.clone()),
            "distro" => distro.map(|d| d.id.clone()),
            "distro_version" => distro.and_then(|d| d.version_id.clone()),
            "like_distro" => distro
                .map(|d| d.id_like.join(","))
                .filter(|s| !s.is_empty()),
            _ => None,
        };
        text_check(check, actual.as_deref(), value)
    };
    if fired {
        fire(
            fires,
            format!(
                "Attribute check for attribute: '{name}' check: '{check}' check_value: '{}' matched",
                value.unwrap_or_default()
            ),
        );
    }
}
