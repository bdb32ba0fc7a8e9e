//! `licenses`: the licences the image's packages declare.

use super::common::fire;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "licenses",
    description: "Checks the licences of the image's packages.",
    triggers: &[
        Trigger {
            name: "denylist_exact_match",
            description: "Fires for each package with a licence equal to one listed.",
            params: &[param(
                "licenses",
                Kind::List,
                true,
                "GPL-2.0-only,AGPL-3.0-only",
                "Licences, comma-separated.",
            )],
            evaluate: exact,
        },
        Trigger {
            name: "denylist_partial_match",
            description: "Fires for each package with a licence containing one listed.",
            params: &[param(
                "licenses",
                Kind::List,
                true,
                "GPL,AGPL",
                "Parts of licence names, comma-separated.",
            )],
            evaluate: partial,
        },
    ],
};

fn each(subject: &Subject<'_>, fires: &mut Vec<Fire>, hit: impl Fn(&str) -> Option<String>) {
    for p in &subject.sbom.packages {
        for l in &p.licenses {
            if let Some(listed) = hit(l) {
                fire(
                    fires,
                    format!(
                        "Denylisted licence {listed} found in package {} {} ({}): {l}",
                        p.name,
                        p.version,
                        p.package_type.as_str()
                    ),
                );
            }
        }
    }
}

fn exact(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let listed = args.list("licenses");
    each(subject, fires, |l| {
        listed.iter().find(|x| x.as_str() == l).cloned()
    });
}

fn partial(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let listed = args.list("licenses");
    each(subject, fires, |l| {
        listed.iter().find(|x| l.contains(x.as_str())).cloned()
    });
}
