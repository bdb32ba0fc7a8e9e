//! `dockerfile`: the instructions the image was built with: from a Dockerfile given with the
//! image (`--dockerfile`), else as the image's history and config record them.

use super::common::{LIST_TYPES, fire, is_allowlist, text_check};
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "COPY",
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "USER",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "VOLUME",
    "WORKDIR",
];
const CHECKS: &[&str] = &[
    "=",
    "!=",
    "exists",
    "not_exists",
    "like",
    "not_like",
    "in",
    "not_in",
];

pub(crate) const GATE: Gate = Gate {
    name: "dockerfile",
    description: "Checks the instructions of the image's Dockerfile: given with the image, or as its history and config record them.",
    triggers: &[
        Trigger {
            name: "instruction",
            description: "Fires for each line of the named instruction whose arguments pass the check (not_exists: when there is no such line).",
            params: &[
                param(
                    "instruction",
                    Kind::OneOf(INSTRUCTIONS),
                    true,
                    "RUN",
                    "The instruction to check.",
                ),
                param(
                    "check",
                    Kind::OneOf(CHECKS),
                    true,
                    "like",
                    "How the instruction's arguments are checked: = != like not_like (a regular expression) in not_in (comma-separated) exists not_exists.",
                ),
                param(
                    "value",
                    Kind::Text,
                    false,
                    "apt-get update",
                    "What the arguments are checked against (needed by all checks but exists and not_exists).",
                ),
                param(
                    "actual_dockerfile_only",
                    Kind::Bool,
                    false,
                    "false",
                    "true: only check a Dockerfile given with the image, never one inferred from its history.",
                ),
            ],
            evaluate: instruction,
        },
        Trigger {
            name: "effective_user",
            description: "Fires when the user the container runs as (the image's USER, root when none) is not in an allowlist or is in a denylist.",
            params: &[
                param(
                    "users",
                    Kind::List,
                    true,
                    "root,docker",
                    "User names or ids, comma-separated (0 and root are the same user).",
                ),
                param(
                    "type",
                    Kind::OneOf(LIST_TYPES),
                    true,
                    "denylist",
                    "allowlist: the user must be listed; denylist: it must not be.",
                ),
            ],
            evaluate: effective_user,
        },
        Trigger {
            name: "exposed_ports",
            description: "Fires for each exposed port not in an allowlist, or in a denylist.",
            params: &[
                param(
                    "ports",
                    Kind::IntList,
                    true,
                    "22,23",
                    "Port numbers, comma-separated; 0 stands for any port.",
                ),
                param(
                    "type",
                    Kind::OneOf(LIST_TYPES),
                    true,
                    "denylist",
                    "allowlist or denylist.",
                ),
                param(
                    "actual_dockerfile_only",
                    Kind::Bool,
                    false,
                    "false",
                    "true: only check a Dockerfile given with the image.",
                ),
            ],
            evaluate: exposed_ports,
        },
        Trigger {
            name: "no_dockerfile_provided",
            description: "Fires when no Dockerfile was given with the image (the checks then read its history).",
            params: &[],
            evaluate: no_dockerfile,
        },
    ],
};

pub(crate) fn check_args(trigger: &Trigger, args: &Args) -> Result<(), String> {
    if trigger.name == "instruction" {
        let check = args.text("check").unwrap_or_default();
        if !matches!(check, "exists" | "not_exists") && args.text("value").is_none() {
            return Err(format!("the check {check:?} needs a value"));
        }
        if matches!(check, "like" | "not_like")
            && let Some(v) = args.text("value")
            && let Err(e) = regex::Regex::new(v)
        {
            return Err(format!(
                "the regular expression {v:?} does not compile: {}",
                crate::pattern::regex_reason(&e)
            ));
        }
    }
    Ok(())
}

/// One instruction: its keyword in upper case and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) instruction: String,
    pub(crate) arguments: String,
}

/// Reads a Dockerfile: comments and blank lines dropped, `\` continuations joined.
pub(crate) fn parse_dockerfile(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        push_line(&mut out, &pending);
        pending.clear();
    }
    if !pending.trim().is_empty() {
        push_line(&mut out, &pending);
    }
    out
}

fn push_line(out: &mut Vec<Line>, text: &str) {
    let text = text.trim();
    let (keyword, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    out.push(Line {
        instruction: keyword.to_ascii_uppercase(),
        arguments: rest.trim().to_string(),
    });
}

/// The instructions the image's history records (`/bin/sh -c #(nop)  EXPOSE 22`,
/// `RUN /bin/sh -c apt-get update # buildkit`), with what the config says on top when history
/// leaves it out (user, exposed ports, health check).
pub(crate) fn inferred(subject: &Subject<'_>) -> Vec<Line> {
    let Some(image) = subject.sbom.source.image.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for step in &image.history {
        let Some(created_by) = step.created_by.as_deref() else {
            continue;
        };
        let text = created_by.trim();
        let text = text.strip_suffix("# buildkit").unwrap_or(text).trim();
        let line = if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop)") {
            rest.trim().to_string()
        } else if let Some(rest) = text.strip_prefix("/bin/sh -c ") {
            format!("RUN {rest}")
        } else {
            text.to_string()
        };
        let (keyword, _) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
        if INSTRUCTIONS.contains(&keyword.to_ascii_uppercase().as_str()) {
            push_line(&mut out, &line);
        }
    }
    let Some(config) = image.config.as_ref() else {
        return out;
    };
    let has = |out: &[Line], i: &str| out.iter().any(|l| l.instruction == i);
    if !has(&out, "USER")
        && let Some(user) = config.user.as_deref().filter(|u| !u.is_empty())
    {
        push_line(&mut out, &format!("USER {user}"));
    }
    if !has(&out, "EXPOSE") && !config.exposed_ports.is_empty() {
        push_line(
            &mut out,
            &format!("EXPOSE {}", config.exposed_ports.join(" ")),
        );
    }
    if !has(&out, "HEALTHCHECK")
        && let Some(h) = &config.healthcheck
        && !h.test.is_empty()
    {
        let test = if h.test.first().is_some_and(|t| t == "NONE") {
            "NONE".to_string()
        } else {
            h.test.iter().skip(1).cloned().collect::<Vec<_>>().join(" ")
        };
        push_line(&mut out, &format!("HEALTHCHECK {test}"));
    }
    out
}

/// The lines to check, and whether they come from a Dockerfile given with the image; `None`
/// when there is nothing to judge (a directory or an SBOM without an image config, and no
/// Dockerfile given), so that no instruction is said to be missing from a build never seen.
fn lines(subject: &Subject<'_>) -> Option<(Vec<Line>, bool)> {
    match subject.dockerfile {
        Some(text) => Some((parse_dockerfile(text), true)),
        None => {
            let image = subject.sbom.source.image.as_ref()?;
            (image.config.is_some() || !image.history.is_empty())
                .then(|| (inferred(subject), false))
        }
    }
}

fn instruction(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((lines, actual)) = lines(subject) else {
        return;
    };
    if args.bool("actual_dockerfile_only") == Some(true) && !actual {
        return;
    }
    let wanted = args.text("instruction").unwrap_or_default();
    let check = args.text("check").unwrap_or_default();
    let value = args.text("value");
    let mine: Vec<&Line> = lines.iter().filter(|l| l.instruction == wanted).collect();
    match check {
        "not_exists" => {
            if mine.is_empty() {
                fire(
                    fires,
                    format!(
                        "Dockerfile directive '{wanted}' not found, matching condition 'not_exists' check"
                    ),
                );
            }
        }
        "exists" => {
            if !mine.is_empty() {
                fire(
                    fires,
                    format!(
                        "Dockerfile directive '{wanted}' found, matching condition 'exists' check"
                    ),
                );
            }
        }
        _ => {
            for line in mine {
                if text_check(check, Some(&line.arguments), value) {
                    fire(
                        fires,
                        format!(
                            "Dockerfile directive '{wanted}' check '{check}' matched against '{}' for line '{}'",
                            value.unwrap_or_default(),
                            line.arguments
                        ),
                    );
                }
            }
        }
    }
}

/// The user part of `USER user[:group]`, with uid 0 read as root.
fn user_name(user: &str) -> &str {
    let name = user.split(':').next().unwrap_or(user).trim();
    if name == "0" { "root" } else { name }
}

fn effective_user(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((lines, actual)) = lines(subject) else {
        return;
    };
    let from_lines = lines
        .iter()
        .rev()
        .find(|l| l.instruction == "USER")
        .map(|l| l.arguments.clone());
    let configured = subject
        .sbom
        .source
        .image
        .as_ref()
        .and_then(|i| i.config.as_ref())
        .and_then(|c| c.user.clone())
        .filter(|u| !u.is_empty());
    let user = if actual {
        from_lines.or(configured)
    } else {
        configured.or(from_lines)
    }
    .unwrap_or_else(|| "root".to_string());
    let user = user_name(&user);
    let listed = args.list("users").iter().any(|u| user_name(u) == user);
    let allow = is_allowlist(args.text("type").unwrap_or_default());
    if allow && !listed {
        fire(
            fires,
            format!("User {user} found as effective user, which is not on the allowed list"),
        );
    } else if !allow && listed {
        fire(
            fires,
            format!("User {user} found as effective user, which is on the denied list"),
        );
    }
}

fn exposed_ports(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some((lines, actual)) = lines(subject) else {
        return;
    };
    if args.bool("actual_dockerfile_only") == Some(true) && !actual {
        return;
    }
    let mut ports: Vec<i64> = Vec::new();
    for l in lines.iter().filter(|l| l.instruction == "EXPOSE") {
        for word in l.arguments.split_whitespace() {
            let number = word
                .trim_start_matches("map[")
                .trim_end_matches(":{}]")
                .trim_end_matches(":{}");
            let number = number.split('/').next().unwrap_or(number);
            if let Ok(p) = number.parse::<i64>()
                && !ports.contains(&p)
            {
                ports.push(p);
            }
        }
    }
    let listed = args.ints("ports");
    let allow = is_allowlist(args.text("type").unwrap_or_default());
    for p in ports {
        let on_list = listed.iter().any(|l| *l == 0 || *l == p);
        if allow && !on_list {
            fire(
                fires,
                format!("Dockerfile exposes port ({p}) which is not in the allowed list"),
            );
        } else if !allow && on_list {
            fire(
                fires,
                format!("Dockerfile exposes port ({p}) which is in the denied list"),
            );
        }
    }
}

fn no_dockerfile(_: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    if subject.dockerfile.is_none() {
        fire(
            fires,
            "Image was not analyzed with an actual Dockerfile".to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_are_read_with_continuations_and_comments() {
        let lines = parse_dockerfile(
            "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl\n\nexpose 22 80/tcp\nUSER app:app\n",
        );
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.instruction.as_str(), l.arguments.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("FROM", "debian:12"),
                ("RUN", "apt-get update && apt-get install -y curl"),
                ("EXPOSE", "22 80/tcp"),
                ("USER", "app:app"),
            ]
        );
        assert_eq!(user_name("0:0"), "root");
        assert_eq!(user_name("app:app"), "app");
    }
}
