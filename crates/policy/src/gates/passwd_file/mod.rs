//! `passwd_file`: the entries of the image's `/etc/passwd`.

use super::common::fire;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "passwd_file",
    description: "Checks the users of the image's /etc/passwd.",
    triggers: &[
        Trigger {
            name: "content_not_available",
            description: "Fires when the image has no /etc/passwd that could be read.",
            params: &[],
            evaluate: not_available,
        },
        Trigger {
            name: "denylist_usernames",
            description: "Fires for each listed user name present.",
            params: &[param(
                "user_names",
                Kind::List,
                true,
                "daemon,ftp",
                "User names, comma-separated.",
            )],
            evaluate: usernames,
        },
        Trigger {
            name: "denylist_userids",
            description: "Fires for each listed user id present.",
            params: &[param(
                "user_ids",
                Kind::IntList,
                true,
                "0,1",
                "User ids, comma-separated.",
            )],
            evaluate: userids,
        },
        Trigger {
            name: "denylist_groupids",
            description: "Fires for each listed group id present (as a user's primary group).",
            params: &[param(
                "group_ids",
                Kind::IntList,
                true,
                "999,20",
                "Group ids, comma-separated.",
            )],
            evaluate: groupids,
        },
        Trigger {
            name: "denylist_shells",
            description: "Fires for each user whose login shell is listed.",
            params: &[param(
                "shells",
                Kind::List,
                true,
                "/bin/bash,/bin/zsh",
                "Shells, comma-separated.",
            )],
            evaluate: shells,
        },
        Trigger {
            name: "denylist_full_entry",
            description: "Fires when the exact entry is present.",
            params: &[param(
                "entry",
                Kind::Text,
                true,
                "ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin",
                "A whole /etc/passwd line.",
            )],
            evaluate: full_entry,
        },
    ],
};

struct Entry<'a> {
    line: &'a str,
    name: &'a str,
    uid: Option<i64>,
    gid: Option<i64>,
    shell: &'a str,
}

fn entries<'a>(subject: &'a Subject<'_>) -> Option<Vec<Entry<'a>>> {
    let file = subject.facts()?.retrieved("/etc/passwd")?;
    Some(
        file.content
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| {
                let f: Vec<&str> = line.split(':').collect();
                Entry {
                    line,
                    name: f.first().copied().unwrap_or(""),
                    uid: f.get(2).and_then(|u| u.parse().ok()),
                    gid: f.get(3).and_then(|g| g.parse().ok()),
                    shell: f.get(6).copied().unwrap_or(""),
                }
            })
            .collect(),
    )
}

fn not_available(_: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    if entries(subject).is_none() {
        fire(
            fires,
            "No /etc/passwd content available in the image".into(),
        );
    }
}

fn usernames(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for e in entries(subject).unwrap_or_default() {
        if args.list("user_names").iter().any(|n| n == e.name) {
            fire(
                fires,
                format!(
                    "Denylisted user '{}' found in image's /etc/passwd: pw_name={} pw_uid={} pw_gid={} pw_shell={}",
                    e.name,
                    e.name,
                    fmt(e.uid),
                    fmt(e.gid),
                    e.shell
                ),
            );
        }
    }
}

fn fmt(v: Option<i64>) -> String {
    v.map_or_else(|| "?".into(), |v| v.to_string())
}

fn userids(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for e in entries(subject).unwrap_or_default() {
        if e.uid.is_some_and(|u| args.ints("user_ids").contains(&u)) {
            fire(
                fires,
                format!(
                    "Denylisted uid '{}' found in image's /etc/passwd: pw_name={}",
                    fmt(e.uid),
                    e.name
                ),
            );
        }
    }
}

fn groupids(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for e in entries(subject).unwrap_or_default() {
        if e.gid.is_some_and(|g| args.ints("group_ids").contains(&g)) {
            fire(
                fires,
                format!(
                    "Denylisted gid '{}' found in image's /etc/passwd: pw_name={}",
                    fmt(e.gid),
                    e.name
                ),
            );
        }
    }
}

fn shells(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    for e in entries(subject).unwrap_or_default() {
        if args.list("shells").iter().any(|s| s == e.shell) {
            fire(
                fires,
                format!(
                    "Denylisted shell '{}' found in image's /etc/passwd: pw_name={}",
                    e.shell, e.name
                ),
            );
        }
    }
}

fn full_entry(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let wanted = args.text("entry").unwrap_or_default();
    for e in entries(subject).unwrap_or_default() {
        if e.line == wanted {
            fire(
                fires,
                format!("Denylisted entry '{wanted}' found in image's /etc/passwd"),
            );
        }
    }
}
