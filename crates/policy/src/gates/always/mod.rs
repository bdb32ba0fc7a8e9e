//! `always`: fires unconditionally (to test mappings and allowlists, or to deny by mapping).

use crate::spec::{Args, Fire, Gate, Trigger};
use crate::subject::Subject;

pub(crate) const GATE: Gate = Gate {
    name: "always",
    description: "Fires unconditionally: for testing mappings and allowlists, or denying what a mapping selects.",
    triggers: &[Trigger {
        name: "always",
        description: "Fires once, always.",
        params: &[],
        evaluate,
    }],
};

fn evaluate(_: &Args, _: &Subject<'_>, fires: &mut Vec<Fire>) {
    super::common::fire_with_id(fires, "always".into(), "always".into());
}
