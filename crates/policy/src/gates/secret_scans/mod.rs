//! `secret_scans`: where the secret scan found credentials (never what they were).

use super::common::fire_with_id;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "secret_scans",
    description: "Checks the results of the secret scan: which rule matched in which file.",
    triggers: &[Trigger {
        name: "content_regex_checks",
        description: "Fires for each file in which a secret rule matched (match_type=found), or once when none did (notfound).",
        params: &[
            param(
                "content_regex_name",
                Kind::Text,
                false,
                "AWS_ACCESS_KEY",
                "Only this rule (`customs policy secret-rules` lists the built-in ones).",
            ),
            param(
                "filename_regex",
                Kind::Regex,
                false,
                "/etc/.*",
                "Only files whose path matches.",
            ),
            param(
                "match_type",
                Kind::OneOf(&["found", "notfound"]),
                false,
                "found",
                "found (default): fire for each match; notfound: fire when nothing matched.",
            ),
        ],
        evaluate: checks,
    }],
};

fn checks(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some(scan) = subject.facts().and_then(|f| f.secret_scan.as_ref()) else {
        return;
    };
    let rule = args.text("content_regex_name");
    let file = args.regex("filename_regex");
    let hits: Vec<_> = scan
        .matches
        .iter()
        .filter(|m| rule.is_none_or(|r| r == m.rule))
        .filter(|m| file.is_none_or(|f| f.is_match(&m.path)))
        .collect();
    if args.text("match_type") == Some("notfound") {
        if hits.is_empty() {
            fire_with_id(
                fires,
                format!("{}+notfound", rule.unwrap_or("*")),
                format!(
                    "No secret matching {} was found",
                    rule.unwrap_or("any rule")
                ),
            );
        }
        return;
    }
    for m in hits {
        let lines: Vec<String> = m.lines.iter().map(u64::to_string).collect();
        fire_with_id(
            fires,
            format!("{}+file://{}", m.rule, m.path),
            format!(
                "Secret search rule '{}' matched in file {} (line {})",
                m.rule,
                m.path,
                lines.join(", ")
            ),
        );
    }
}
