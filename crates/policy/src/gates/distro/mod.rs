//! `distro`: the image's distribution release.

use super::common::{COMPARISONS, compare_dotted, fire, holds};
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "distro",
    description: "Checks the image's distribution and its release.",
    triggers: &[Trigger {
        name: "deny",
        description: "Fires when the image's distribution is the one named and its release passes the check (debian < 11).",
        params: &[
            param(
                "distro",
                Kind::Text,
                true,
                "debian",
                "The distribution's id (os-release ID).",
            ),
            param(
                "version",
                Kind::Text,
                true,
                "11",
                "The release to compare with.",
            ),
            param(
                "check",
                Kind::OneOf(COMPARISONS),
                true,
                "<",
                "How the image's release compares.",
            ),
        ],
        evaluate: deny,
    }],
};

fn deny(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let Some(distro) = subject.sbom.distro.as_ref() else {
        return;
    };
    let wanted = args.text("distro").unwrap_or_default();
    if !distro.id.eq_ignore_ascii_case(wanted) {
        return;
    }
    let version = args.text("version").unwrap_or_default();
    let check = args.text("check").unwrap_or("=");
    if let Some(have) = distro.version_id.as_deref()
        && holds(check, compare_dotted(have, version))
    {
        fire(
            fires,
            format!(
                "Distribution {} {have} is denied ({check} {version})",
                distro.id
            ),
        );
    }
}
