//! `retrieved_files`: files kept by path during the analysis, and their content.

use super::common::{fire, fire_with_id};
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "retrieved_files",
    description: "Checks files kept by path during the analysis (--retrieve-file) and their content.",
    triggers: &[
        Trigger {
            name: "content_not_available",
            description: "Fires when the file was not retrieved (not asked for, or not in the image).",
            params: &[param(
                "path",
                Kind::Text,
                true,
                "/etc/app/config.yaml",
                "The file's full path.",
            )],
            evaluate: not_available,
        },
        Trigger {
            name: "content_regex",
            description: "Fires when a whitespace-separated token of the file matches the regular expression (check=match), or when none does (no_match).",
            params: &[
                param(
                    "path",
                    Kind::Text,
                    true,
                    "/etc/ssh/sshd_config",
                    "The file's full path.",
                ),
                param(
                    "regex",
                    Kind::Regex,
                    true,
                    ".*PermitRootLogin.*",
                    "A regular expression.",
                ),
                param(
                    "check",
                    Kind::OneOf(&["match", "no_match"]),
                    true,
                    "match",
                    "match or no_match.",
                ),
            ],
            evaluate: content_regex,
        },
    ],
};

fn not_available(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let path = args.text("path").unwrap_or_default();
    if subject.facts().and_then(|f| f.retrieved(path)).is_none() {
        fire(fires, format!("The file {path} was not retrieved"));
    }
}

fn content_regex(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let path = args.text("path").unwrap_or_default();
    let Some(file) = subject.facts().and_then(|f| f.retrieved(path)) else {
        return;
    };
    let Some(regex) = args.regex("regex") else {
        return;
    };
    let matched = file.content.split_whitespace().any(|t| regex.is_match(t));
    let want_match = args.text("check") != Some("no_match");
    if matched == want_match {
        fire_with_id(
            fires,
            format!("content_regex+file://{path}"),
            format!(
                "The file {path} {} the regular expression {}",
                if matched { "matches" } else { "does not match" },
                regex.as_str()
            ),
        );
    }
}
