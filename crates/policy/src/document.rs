//! Policy documents as Anchore writes them: v1 bundles (`version: "1_0"`: `policies`,
//! `whitelists`, `mappings`, `whitelisted_images`, `blacklisted_images`) and v2 policies
//! (`version: "2"`: `rule_sets`, `allowlists`, `mappings`, `allowlisted_images`,
//! `denylisted_images`). Both read into one [`Policy`]; a document with any problem is refused
//! with every problem listed, each with where it is.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::gates;
use crate::pattern::Pattern;
use crate::spec::{Args, Gate, Trigger, read_args};

/// What a rule asks for when it fires. Ordered as Anchore orders them: STOP < WARN < GO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Stop,
    Warn,
    Go,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Stop => "stop",
            Action::Warn => "warn",
            Action::Go => "go",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        match s.to_ascii_uppercase().as_str() {
            "STOP" => Some(Action::Stop),
            "WARN" => Some(Action::Warn),
            "GO" => Some(Action::Go),
            _ => None,
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str().to_ascii_uppercase())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentVersion {
    /// A v1 bundle (`1_0`).
    V1,
    /// A v2 policy (`2`).
    V2,
}

pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) gate: &'static Gate,
    pub(crate) trigger: &'static Trigger,
    pub(crate) action: Action,
    pub(crate) args: Args,
    pub(crate) recommendation: Option<String>,
}

pub(crate) struct RuleSet {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) rules: Vec<Rule>,
}

pub(crate) struct AllowItem {
    pub(crate) id: String,
    pub(crate) gate: String,
    pub(crate) trigger_id: Pattern,
    /// Unix seconds; an item whose time has come no longer applies.
    pub(crate) expires_on: Option<i64>,
}

pub(crate) struct Allowlist {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) items: Vec<AllowItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageKind {
    Tag,
    Digest,
    Id,
}

pub(crate) struct ImageSelector {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) registry: Pattern,
    pub(crate) repository: Pattern,
    pub(crate) kind: ImageKind,
    pub(crate) value: Pattern,
}

pub(crate) struct Mapping {
    pub(crate) selector: ImageSelector,
    pub(crate) rule_set_ids: Vec<String>,
    pub(crate) allowlist_ids: Vec<String>,
}

/// A policy read and checked: every gate, trigger and parameter known, every reference resolved.
pub struct Policy {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: DocumentVersion,
    pub(crate) rule_sets: Vec<RuleSet>,
    pub(crate) allowlists: Vec<Allowlist>,
    pub(crate) mappings: Vec<Mapping>,
    pub(crate) allowlisted_images: Vec<ImageSelector>,
    pub(crate) denylisted_images: Vec<ImageSelector>,
    /// Things that are allowed but worth saying (unknown keys in a v1 bundle).
    pub warnings: Vec<String>,
    /// The document as given.
    pub(crate) document: Value,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Policy {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn version(&self) -> DocumentVersion {
        self.version
    }
    pub fn document(&self) -> &Value {
        &self.document
    }
    /// The number of rules in all rule sets.
    pub fn rule_count(&self) -> usize {
        self.rule_sets.iter().map(|r| r.rules.len()).sum()
    }
}

/// Every problem of a refused document, each as `where: what`.
#[derive(Debug, thiserror::Error)]
#[error("{} in the policy {source_name}:\n  {}", plural(.problems.len()), .problems.join("\n  "))]
pub struct PolicyError {
    pub source_name: String,
    pub problems: Vec<String>,
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

/// The names each version uses for the same things.
struct Names {
    rule_sets: &'static str,
    allowlists: &'static str,
    allowlisted_images: &'static str,
    denylisted_images: &'static str,
    rule_set_ids: &'static str,
    allowlist_ids: &'static str,
    top: &'static [&'static str],
    rule: &'static [&'static str],
    mapping: &'static [&'static str],
}

const V1: Names = Names {
    rule_sets: "policies",
    allowlists: "whitelists",
    allowlisted_images: "whitelisted_images",
    denylisted_images: "blacklisted_images",
    rule_set_ids: "policy_ids",
    allowlist_ids: "whitelist_ids",
    top: &[
        "id",
        "name",
        "comment",
        "version",
        "policies",
        "whitelists",
        "mappings",
        "whitelisted_images",
        "blacklisted_images",
        "last_updated",
        "description",
    ],
    rule: &["id", "gate", "trigger", "action", "params", "comment"],
    mapping: &[
        "id",
        "name",
        "registry",
        "repository",
        "image",
        "policy_id",
        "policy_ids",
        "whitelist_ids",
        "comment",
    ],
};

const V2: Names = Names {
    rule_sets: "rule_sets",
    allowlists: "allowlists",
    allowlisted_images: "allowlisted_images",
    denylisted_images: "denylisted_images",
    rule_set_ids: "rule_set_ids",
    allowlist_ids: "allowlist_ids",
    top: &[
        "id",
        "name",
        "description",
        "version",
        "last_updated",
        "rule_sets",
        "allowlists",
        "mappings",
        "source_mappings",
        "allowlisted_images",
        "denylisted_images",
    ],
    rule: &[
        "id",
        "gate",
        "trigger",
        "action",
        "params",
        "description",
        "recommendation",
    ],
    mapping: &[
        "id",
        "name",
        "description",
        "registry",
        "repository",
        "image",
        "rule_set_ids",
        "allowlist_ids",
    ],
};

struct Reader {
    problems: Vec<String>,
    warnings: Vec<String>,
    names: &'static Names,
    version: DocumentVersion,
}

/// Reads a policy document (JSON). `source_name` names it in errors.
pub fn read_policy(source_name: &str, text: &str) -> Result<Policy, PolicyError> {
    let refuse = |problems: Vec<String>| PolicyError {
        source_name: source_name.to_string(),
        problems,
    };
    let document: Value =
        serde_json::from_str(text).map_err(|e| refuse(vec![format!("not JSON: {e}")]))?;
    let Some(top) = document.as_object() else {
        return Err(refuse(vec!["the document is not a JSON object".into()]));
    };
    let version = match top.get("version").and_then(Value::as_str) {
        Some("1_0") => DocumentVersion::V1,
        Some("2") => DocumentVersion::V2,
        Some(other) => {
            return Err(refuse(vec![format!(
                "version: {other:?} is neither \"1_0\" (a v1 bundle) nor \"2\" (a v2 policy)"
            )]));
        }
        None if top.contains_key("policies") || top.contains_key("whitelists") => {
            DocumentVersion::V1
        }
        None if top.contains_key("rule_sets") => DocumentVersion::V2,
        None => {
            return Err(refuse(vec![
                "version: missing, and neither policies (v1) nor rule_sets (v2) is there".into(),
            ]));
        }
    };
    let mut r = Reader {
        problems: Vec::new(),
        warnings: Vec::new(),
        names: if version == DocumentVersion::V1 {
            &V1
        } else {
            &V2
        },
        version,
    };
    r.keys(top, r.names.top, "the document");
    let id = r.text(top, "id", "the document", true);
    let name = r.text(top, "name", "the document", false);

    let rule_sets: Vec<RuleSet> = r
        .list(top, r.names.rule_sets, "")
        .into_iter()
        .map(|(at, v)| r.rule_set(&at, v))
        .collect();
    let allowlists: Vec<Allowlist> = r
        .list(top, r.names.allowlists, "")
        .into_iter()
        .map(|(at, v)| r.allowlist(&at, v))
        .collect();
    let mappings: Vec<Mapping> = r
        .list(top, "mappings", "")
        .into_iter()
        .map(|(at, v)| r.mapping(&at, v))
        .collect();
    let allowlisted_images: Vec<ImageSelector> = r
        .list(top, r.names.allowlisted_images, "")
        .into_iter()
        .map(|(at, v)| r.selector(&at, &v, true))
        .collect();
    let denylisted_images: Vec<ImageSelector> = r
        .list(top, r.names.denylisted_images, "")
        .into_iter()
        .map(|(at, v)| r.selector(&at, &v, true))
        .collect();

    // Ids are references: each defined once, each reference defined.
    let rule_set_ids = r.unique_ids(rule_sets.iter().map(|s| s.id.as_str()), r.names.rule_sets);
    let allowlist_ids = r.unique_ids(allowlists.iter().map(|a| a.id.as_str()), r.names.allowlists);
    for (i, m) in mappings.iter().enumerate() {
        for id in &m.rule_set_ids {
            if !rule_set_ids.contains(id.as_str()) {
                r.problems.push(format!(
                    "mappings[{i}]: refers to {} id {id:?}, which no entry of {} has",
                    r.names.rule_sets, r.names.rule_sets
                ));
            }
        }
        for id in &m.allowlist_ids {
            if !allowlist_ids.contains(id.as_str()) {
                r.problems.push(format!(
                    "mappings[{i}]: refers to {} id {id:?}, which no entry of {} has",
                    r.names.allowlists, r.names.allowlists
                ));
            }
        }
    }
    if !r.problems.is_empty() {
        return Err(refuse(r.problems));
    }
    Ok(Policy {
        id,
        name,
        version,
        rule_sets,
        allowlists,
        mappings,
        allowlisted_images,
        denylisted_images,
        warnings: r.warnings,
        document,
    })
}

impl Reader {
    fn keys(&mut self, object: &Map<String, Value>, known: &[&str], at: &str) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                let message = format!("{at}: unknown key {key:?}");
                if self.version == DocumentVersion::V2 {
                    self.problems.push(message);
                } else {
                    self.warnings.push(message);
                }
            }
        }
    }

    fn text(&mut self, object: &Map<String, Value>, key: &str, at: &str, required: bool) -> String {
        match object.get(key) {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) if !required => String::new(),
            None | Some(Value::Null) => {
                self.problems.push(format!("{at}: {key} is missing"));
                String::new()
            }
            Some(other) => {
                self.problems
                    .push(format!("{at}: {key} must be a string, not {other}"));
                String::new()
            }
        }
    }

    fn list(&mut self, object: &Map<String, Value>, key: &str, at: &str) -> Vec<(String, Value)> {
        match object.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{at}{key}[{i}]"), v.clone()))
                .collect(),
            Some(_) => {
                self.problems.push(format!("{at}{key}: must be a list"));
                Vec::new()
            }
        }
    }

    fn strings(&mut self, object: &Map<String, Value>, key: &str, at: &str) -> Vec<String> {
        match object.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v.as_str() {
                    Some(s) => Some(s.to_string()),
                    None => {
                        self.problems
                            .push(format!("{at}.{key}[{i}]: must be a string"));
                        None
                    }
                })
                .collect(),
            Some(_) => {
                self.problems
                    .push(format!("{at}.{key}: must be a list of strings"));
                Vec::new()
            }
        }
    }

    fn object<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            self.problems.push(format!("{at}: must be an object"));
        }
        object
    }

    fn pattern(&mut self, object: &Map<String, Value>, key: &str, at: &str) -> Pattern {
        let text = match object.get(key) {
            None | Some(Value::Null) => "*".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.problems
                    .push(format!("{at}: {key} must be a string, not {other}"));
                "*".to_string()
            }
        };
        Pattern::new(&text).unwrap_or_else(|why| {
            self.problems.push(format!("{at}.{key}: {why}"));
            Pattern::new("*").expect("the catch-all pattern compiles")
        })
    }

    fn unique_ids<'a>(
        &mut self,
        ids: impl Iterator<Item = &'a str>,
        what: &str,
    ) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        for id in ids {
            if !seen.insert(id) {
                self.problems
                    .push(format!("{what}: the id {id:?} is used more than once"));
            }
        }
        seen
    }

    fn rule_set(&mut self, at: &str, value: Value) -> RuleSet {
        let mut set = RuleSet {
            id: String::new(),
            name: String::new(),
            rules: Vec::new(),
        };
        let Some(object) = self.object(&value, at) else {
            return set;
        };
        let known: &[&str] = match self.version {
            DocumentVersion::V1 => &["id", "name", "version", "comment", "rules", "description"],
            DocumentVersion::V2 => &[
                "id",
                "name",
                "version",
                "description",
                "artifact_type",
                "rules",
            ],
        };
        self.keys(object, known, at);
        set.id = self.text(object, "id", at, true);
        set.name = self.text(object, "name", at, false);
        let rules_at = format!("{at}.");
        let rules = self.list(object, "rules", &rules_at);
        // Every rule's id counts, also of a rule refused for another reason.
        let ids: Vec<String> = rules
            .iter()
            .filter_map(|(_, r)| r.get("id").and_then(Value::as_str))
            .filter(|i| !i.is_empty())
            .map(str::to_string)
            .collect();
        self.unique_ids(
            ids.iter().map(String::as_str),
            &format!("the rules of {} {:?}", self.names.rule_sets, set.id),
        );
        for (rule_at, rule) in rules {
            if let Some(rule) = self.rule(&rule_at, &rule) {
                set.rules.push(rule);
            }
        }
        set
    }

    fn rule(&mut self, at: &str, value: &Value) -> Option<Rule> {
        let object = self.object(value, at)?;
        self.keys(object, self.names.rule, at);
        let id = self.text(object, "id", at, false);
        let gate_name = self.text(object, "gate", at, true);
        let trigger_name = self.text(object, "trigger", at, true);
        let action_text = self.text(object, "action", at, true);
        let action = Action::parse(&action_text);
        if action.is_none() && !action_text.is_empty() {
            self.problems.push(format!(
                "{at}: action {action_text:?} is not one of STOP, WARN, GO"
            ));
        }
        let mut params = Vec::new();
        match object.get("params") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, p) in items.iter().enumerate() {
                    match (p.get("name").and_then(Value::as_str), p.get("value")) {
                        (Some(name), Some(value)) => params.push((name.to_string(), value.clone())),
                        _ => self.problems.push(format!(
                            "{at}.params[{i}]: must be an object with a name and a value"
                        )),
                    }
                }
            }
            Some(_) => self.problems.push(format!("{at}.params: must be a list")),
        }
        if gate_name.is_empty() || trigger_name.is_empty() {
            return None;
        }
        let gate = match gates::find(&gate_name) {
            Ok(g) => g,
            Err(why) => {
                self.problems.push(format!("{at}: {why}"));
                return None;
            }
        };
        let Some(trigger) = gates::trigger(gate, &trigger_name) else {
            let known: Vec<&str> = gate.triggers.iter().map(|t| t.name).collect();
            self.problems.push(format!(
                "{at}: gate {} has no trigger {trigger_name:?} (it has {})",
                gate.name,
                known.join(", ")
            ));
            return None;
        };
        let args = match read_args(trigger, &params) {
            Ok(a) => a,
            Err(problems) => {
                for p in problems {
                    self.problems
                        .push(format!("{at} ({} / {}): {p}", gate.name, trigger.name));
                }
                return None;
            }
        };
        if let Err(why) = gates::check_args(gate, trigger, &args) {
            self.problems
                .push(format!("{at} ({} / {}): {why}", gate.name, trigger.name));
            return None;
        }
        Some(Rule {
            id,
            gate,
            trigger,
            action: action?,
            args,
            recommendation: object
                .get("recommendation")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(String::from),
        })
    }

    fn allowlist(&mut self, at: &str, value: Value) -> Allowlist {
        let mut list = Allowlist {
            id: String::new(),
            name: String::new(),
            items: Vec::new(),
        };
        let Some(object) = self.object(&value, at) else {
            return list;
        };
        self.keys(
            object,
            &["id", "name", "version", "comment", "description", "items"],
            at,
        );
        list.id = self.text(object, "id", at, true);
        list.name = self.text(object, "name", at, false);
        let items_at = format!("{at}.");
        for (item_at, item) in self.list(object, "items", &items_at) {
            let Some(o) = self.object(&item, &item_at) else {
                continue;
            };
            self.keys(
                o,
                &[
                    "id",
                    "gate",
                    "trigger_id",
                    "expires_on",
                    "description",
                    "comment",
                ],
                &item_at,
            );
            let id = self.text(o, "id", &item_at, false);
            let gate = self.text(o, "gate", &item_at, true);
            let trigger_id = self.pattern(o, "trigger_id", &item_at);
            if !o.contains_key("trigger_id") {
                self.problems
                    .push(format!("{item_at}: trigger_id is missing"));
            }
            let expires_on = match o.get("expires_on") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.is_empty() => None,
                Some(Value::String(s)) => match customs_sbom::Timestamp::parse_unix(s) {
                    Some(t) => Some(t),
                    None => {
                        self.problems.push(format!(
                            "{item_at}: expires_on {s:?} is not an RFC 3339 time (2025-01-31T00:00:00Z)"
                        ));
                        None
                    }
                },
                Some(other) => {
                    self.problems.push(format!(
                        "{item_at}: expires_on must be a string, not {other}"
                    ));
                    None
                }
            };
            list.items.push(AllowItem {
                id,
                gate,
                trigger_id,
                expires_on,
            });
        }
        list
    }

    fn selector(&mut self, at: &str, value: &Value, check_keys: bool) -> ImageSelector {
        let mut selector = ImageSelector {
            id: String::new(),
            name: String::new(),
            registry: Pattern::new("*").expect("compiles"),
            repository: Pattern::new("*").expect("compiles"),
            kind: ImageKind::Tag,
            value: Pattern::new("*").expect("compiles"),
        };
        let Some(object) = self.object(value, at) else {
            return selector;
        };
        if check_keys {
            self.keys(
                object,
                &[
                    "id",
                    "name",
                    "registry",
                    "repository",
                    "image",
                    "description",
                    "comment",
                ],
                at,
            );
        }
        selector.id = self.text(object, "id", at, false);
        selector.name = self.text(object, "name", at, false);
        selector.registry = self.pattern(object, "registry", at);
        selector.repository = self.pattern(object, "repository", at);
        match object.get("image") {
            None | Some(Value::Null) => {}
            Some(Value::Object(image)) => {
                let image_at = format!("{at}.image");
                let kind = self.text(image, "type", &image_at, true);
                selector.kind = match kind.as_str() {
                    "tag" => ImageKind::Tag,
                    "digest" => ImageKind::Digest,
                    "id" => ImageKind::Id,
                    "" => ImageKind::Tag,
                    other => {
                        self.problems.push(format!(
                            "{image_at}: type {other:?} is not one of tag, digest, id"
                        ));
                        ImageKind::Tag
                    }
                };
                selector.value = self.pattern(image, "value", &image_at);
            }
            Some(_) => self.problems.push(format!("{at}.image: must be an object")),
        }
        selector
    }

    fn mapping(&mut self, at: &str, value: Value) -> Mapping {
        // A mapping is a selector with references; its keys are checked as a mapping's.
        let selector = self.selector(at, &value, false);
        let mut mapping = Mapping {
            selector,
            rule_set_ids: Vec::new(),
            allowlist_ids: Vec::new(),
        };
        let Some(object) = value.as_object() else {
            return mapping;
        };
        self.keys(object, self.names.mapping, at);
        mapping.rule_set_ids = self.strings(object, self.names.rule_set_ids, at);
        if self.version == DocumentVersion::V1
            && let Some(one) = object.get("policy_id")
        {
            if object.contains_key("policy_ids") {
                self.problems.push(format!(
                    "{at}: policy_id and policy_ids are both given (use one)"
                ));
            }
            match one.as_str() {
                Some(id) => mapping.rule_set_ids.push(id.to_string()),
                None => self
                    .problems
                    .push(format!("{at}: policy_id must be a string")),
            }
        }
        mapping.allowlist_ids = self.strings(object, self.names.allowlist_ids, at);
        mapping
    }
}
