//! `image_age`: how long ago the image was built.

use super::common::fire;
use crate::spec::{Args, Fire, Gate, Kind, Trigger, param};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "image_age",
    description: "Checks how long ago the image was built (its config's created time).",
    triggers: &[Trigger {
        name: "image_age_check",
        description: "Fires when the image was built more than max_age_days days ago, or its build time is unknown.",
        params: &[param(
            "max_age_days",
            Kind::Int,
            true,
            "90",
            "The oldest acceptable image, in days.",
        )],
        evaluate: check,
    }],
};

fn check(args: &Args, subject: &Subject<'_>, fires: &mut Vec<Fire>) {
    let max = args.int("max_age_days").unwrap_or(0);
    let created = subject
        .sbom
        .source
        .image
        .as_ref()
        .and_then(|i| i.created.as_deref())
        .and_then(customs_sbom::Timestamp::parse_unix);
    match created {
        Some(t) => {
            let days = (subject.now - t).div_euclid(86_400);
            if days > max {
                fire(
                    fires,
                    format!("The image was built {days} days ago (more than {max})"),
                );
            }
        }
        None => fire(fires, "The image's build time is unknown".into()),
    }
}
