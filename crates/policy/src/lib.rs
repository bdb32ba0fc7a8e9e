//! Anchore-compatible policies: v1 bundles and v2 policies read unchanged
//! ([`read_policy`], every problem reported at once), evaluated against an image's facts
//! ([`evaluate`], Anchore's mapping, allowlist and final-action rules), with the gate catalogue
//! ([`spec`]) and the built-in compliance packs ([`packs`]).

mod document;
mod eval;
mod gates;
mod packs;
mod pattern;
mod spec;
mod subject;

pub use document::{Action, DocumentVersion, Policy, PolicyError, read_policy};
pub use eval::{
    AllowlistMatch, Details, Evaluation, EvaluationEntry, PolicyFinding, PolicyRef, Problem,
    evaluate,
};
pub use gates::spec;
pub use packs::{Pack, pack, packs};
pub use pattern::ImageRef;
pub use subject::{FeedFacts, Subject};
