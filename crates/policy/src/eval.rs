//! Evaluation, as Anchore does it: the first mapping that matches the image picks the rule sets
//! and allowlists; every rule's trigger fires zero or more times; a finding an allowlist item
//! matches (same gate, trigger id by pattern, not expired) is kept but counts as GO; the final
//! action is the lowest of the rest (STOP < WARN < GO), overridden by a denylisted image (STOP)
//! and then an allowlisted one (GO).

use md5::{Digest as _, Md5};
use serde::Serialize;
use serde_json::Value;

use crate::document::{Action, ImageKind, ImageSelector, Policy};
use crate::pattern::ImageRef;
use crate::spec::Fire;
use crate::subject::Subject;

/// The result, in the shape of Anchore Enterprise's policy evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub policy_id: String,
    pub image_digest: Option<String>,
    pub evaluated_tag: String,
    pub evaluations: Vec<EvaluationEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationEntry {
    /// `pass` when the final action is GO or WARN, else `fail`.
    pub status: String,
    pub final_action: Action,
    /// `policy_evaluation`, `allowlisted` or `denylisted`.
    pub final_action_reason: String,
    pub image_allowlisted: bool,
    pub matched_allowlisted_images_rule: Option<Value>,
    pub image_denylisted: bool,
    pub matched_denylisted_images_rule: Option<Value>,
    pub image_mapped_to_rule: bool,
    pub matched_mapping_rule: Option<Value>,
    pub number_of_findings: usize,
    pub evaluation_time: String,
    pub evaluation_problems: Vec<Problem>,
    pub details: Details,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub severity: String,
    pub problem_type: String,
    pub details: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Details {
    pub policy: PolicyRef,
    /// The action of the mapped rule sets before image allow/deny lists.
    pub policy_action: Action,
    pub findings: Vec<PolicyFinding>,
    pub remediations: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyFinding {
    pub trigger_id: String,
    pub gate: String,
    pub trigger: String,
    pub message: String,
    /// What the finding counts as: the rule's action, or GO when an allowlist matched it.
    pub action: Action,
    /// The rule set the rule is in.
    pub policy_id: String,
    pub rule_id: String,
    pub recommendation: Option<String>,
    pub allowlisted: bool,
    pub allowlist_match: Option<AllowlistMatch>,
    pub inherited_from_base: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AllowlistMatch {
    pub id: String,
    pub name: String,
    pub matched_rule_id: String,
}

impl Evaluation {
    pub fn final_action(&self) -> Action {
        self.evaluations
            .first()
            .map_or(Action::Go, |e| e.final_action)
    }

    pub fn entry(&self) -> &EvaluationEntry {
        &self.evaluations[0]
    }
}

/// The image as mappings see it.
struct Target {
    reference: ImageRef,
    digest: Option<String>,
    image_id: Option<String>,
}

fn selects(selector: &ImageSelector, target: &Target) -> bool {
    if !selector.registry.matches(&target.reference.registry)
        || !selector.repository.matches(&target.reference.repository)
    {
        return false;
    }
    let same = |wanted: &str, have: &Option<String>| {
        have.as_deref()
            .is_some_and(|h| h == wanted || h.strip_prefix("sha256:") == Some(wanted))
    };
    match selector.kind {
        ImageKind::Tag => {
            selector.value.matches(&target.reference.tag)
                || same(selector.value.as_str(), &target.digest)
                || same(selector.value.as_str(), &target.image_id)
        }
        ImageKind::Digest => same(selector.value.as_str(), &target.digest),
        ImageKind::Id => same(selector.value.as_str(), &target.image_id),
    }
}

/// The id Anchore gives a firing without one of its own: the MD5 of gate, trigger and message.
pub(crate) fn derived_trigger_id(gate: &str, trigger: &str, message: &str) -> String {
    let mut h = Md5::new();
    h.update(gate.as_bytes());
    h.update(trigger.as_bytes());
    h.update(message.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Evaluates `policy` for the image in `subject`, as `tag` (`registry/repository:tag`).
pub fn evaluate(policy: &Policy, subject: &Subject<'_>, tag: &str) -> Evaluation {
    let reference = ImageRef::parse(tag);
    let image = subject.sbom.source.image.as_ref();
    let target = Target {
        reference: reference.clone(),
        digest: subject.sbom.subject_digest().map(|d| d.to_string()),
        image_id: image
            .and_then(|i| i.config_digest.as_ref())
            .map(|d| d.to_string()),
    };
    let document_list = |key_v1: &str, key_v2: &str, index: usize| -> Option<Value> {
        let doc = policy.document();
        doc.get(key_v2)
            .or_else(|| doc.get(key_v1))
            .and_then(|l| l.get(index))
            .cloned()
    };
    let mut problems = Vec::new();
    let mapping = policy
        .mappings
        .iter()
        .position(|m| selects(&m.selector, &target));
    let mut findings = Vec::new();
    let mut policy_action = Action::Go;
    match mapping {
        None => problems.push(Problem {
            severity: "warn".into(),
            problem_type: "no_mapping".into(),
            details: format!("no mapping of the policy matches {}", reference.full()),
        }),
        Some(index) => {
            let m = &policy.mappings[index];
            let allowlists: Vec<_> = m
                .allowlist_ids
                .iter()
                .filter_map(|id| policy.allowlists.iter().find(|a| &a.id == id))
                .collect();
            for set_id in &m.rule_set_ids {
                let Some(set) = policy.rule_sets.iter().find(|s| &s.id == set_id) else {
                    continue;
                };
                let mut set_action = Action::Go;
                // Grouped by gate in order, as Anchore runs them (a gate prepares once).
                let mut order: Vec<&str> = Vec::new();
                for r in &set.rules {
                    if !order.contains(&r.gate.name) {
                        order.push(r.gate.name);
                    }
                }
                for gate in order {
                    for rule in set.rules.iter().filter(|r| r.gate.name == gate) {
                        let mut fires: Vec<Fire> = Vec::new();
                        (rule.trigger.evaluate)(&rule.args, subject, &mut fires);
                        for fire in fires {
                            let trigger_id = fire.id.clone().unwrap_or_else(|| {
                                derived_trigger_id(rule.gate.name, rule.trigger.name, &fire.message)
                            });
                            let allowed = allowlists.iter().find_map(|list| {
                                list.items
                                    .iter()
                                    .find(|item| {
                                        item.gate.eq_ignore_ascii_case(rule.gate.name)
                                            && item.trigger_id.matches(&trigger_id)
                                            && item.expires_on.is_none_or(|t| t > subject.now)
                                    })
                                    .map(|item| AllowlistMatch {
                                        id: list.id.clone(),
                                        name: list.name.clone(),
                                        matched_rule_id: item.id.clone(),
                                    })
                            });
                            let action = if allowed.is_some() {
                                Action::Go
                            } else {
                                rule.action
                            };
                            set_action = set_action.min(action);
                            findings.push(PolicyFinding {
                                trigger_id,
                                gate: rule.gate.name.to_string(),
                                trigger: rule.trigger.name.to_string(),
                                message: fire.message,
                                action,
                                policy_id: set.id.clone(),
                                rule_id: rule.id.clone(),
                                recommendation: rule.recommendation.clone(),
                                allowlisted: allowed.is_some(),
                                allowlist_match: allowed,
                                inherited_from_base: false,
                            });
                        }
                    }
                }
                policy_action = policy_action.min(set_action);
            }
        }
    }
    let denied = policy
        .denylisted_images
        .iter()
        .position(|s| selects(s, &target));
    let allowed = policy
        .allowlisted_images
        .iter()
        .position(|s| selects(s, &target));
    let (final_action, reason) = if denied.is_some() {
        (Action::Stop, "denylisted")
    } else if allowed.is_some() {
        (Action::Go, "allowlisted")
    } else {
        (policy_action, "policy_evaluation")
    };
    let entry = EvaluationEntry {
        status: if final_action == Action::Stop {
            "fail"
        } else {
            "pass"
        }
        .into(),
        final_action,
        final_action_reason: reason.into(),
        image_allowlisted: allowed.is_some(),
        matched_allowlisted_images_rule: allowed
            .and_then(|i| document_list("whitelisted_images", "allowlisted_images", i)),
        image_denylisted: denied.is_some(),
        matched_denylisted_images_rule: denied
            .and_then(|i| document_list("blacklisted_images", "denylisted_images", i)),
        image_mapped_to_rule: mapping.is_some(),
        matched_mapping_rule: mapping.and_then(|i| document_list("mappings", "mappings", i)),
        number_of_findings: findings.len(),
        evaluation_time: customs_sbom::Timestamp::from_unix(subject.now)
            .as_str()
            .to_string(),
        evaluation_problems: problems,
        details: Details {
            policy: PolicyRef {
                id: policy.id.clone(),
                name: policy.name.clone(),
            },
            policy_action,
            findings,
            remediations: Vec::new(),
        },
    };
    Evaluation {
        policy_id: policy.id.clone(),
        image_digest: target.digest,
        evaluated_tag: reference.full(),
        evaluations: vec![entry],
    }
}
