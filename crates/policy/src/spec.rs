//! The gate and trigger catalogue: each trigger's parameters with their kinds, read from a
//! rule's string values into typed arguments (every problem reported), and rendered as
//! Anchore's `policy_spec` JSON.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Value, json};

use crate::subject::Subject;

/// What a parameter's value must be.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Text,
    Int,
    Float,
    Bool,
    /// A comma-separated list.
    List,
    /// A comma-separated list of integers.
    IntList,
    /// A regular expression.
    Regex,
    /// One of the listed words (compared without case).
    OneOf(&'static [&'static str]),
}

impl Kind {
    fn json_schema(self) -> Value {
        match self {
            Kind::Text => json!({"type": "string"}),
            Kind::Int => json!({"type": "integer"}),
            Kind::Float => json!({"type": "number"}),
            Kind::Bool => json!({"type": "boolean"}),
            Kind::List => json!({"type": "string", "format": "comma-separated list"}),
            Kind::IntList => json!({"type": "string", "format": "comma-separated integers"}),
            Kind::Regex => json!({"type": "string", "format": "regex"}),
            Kind::OneOf(words) => json!({"type": "string", "enum": words}),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) example: &'static str,
    pub(crate) required: bool,
    pub(crate) kind: Kind,
}

/// A shorthand for the tables of parameters in the gates.
pub(crate) const fn param(
    name: &'static str,
    kind: Kind,
    required: bool,
    example: &'static str,
    description: &'static str,
) -> Param {
    Param {
        name,
        description,
        example,
        required,
        kind,
    }
}

/// One firing of a trigger: its id (the trigger's own, or derived from the message) and message.
#[derive(Debug, Clone)]
pub(crate) struct Fire {
    pub(crate) id: Option<String>,
    pub(crate) message: String,
}

pub(crate) type Evaluate = fn(&Args, &Subject<'_>, &mut Vec<Fire>);

pub(crate) struct Trigger {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) params: &'static [Param],
    pub(crate) evaluate: Evaluate,
}

pub(crate) struct Gate {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) triggers: &'static [Trigger],
}

impl Gate {
    pub(crate) fn trigger(&self, name: &str) -> Option<&'static Trigger> {
        self.triggers
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

/// A parameter's value, read into its kind.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<String>),
    IntList(Vec<i64>),
    Regex(Regex),
}

/// The arguments of one rule, by parameter name (lower case).
#[derive(Debug, Clone, Default)]
pub(crate) struct Args(BTreeMap<String, Arg>);

impl Args {
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name)? {
            Arg::Text(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        match self.0.get(name)? {
            Arg::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub(crate) fn float(&self, name: &str) -> Option<f64> {
        match self.0.get(name)? {
            Arg::Float(f) => Some(*f),
            Arg::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        match self.0.get(name)? {
            Arg::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub(crate) fn list(&self, name: &str) -> &[String] {
        match self.0.get(name) {
            Some(Arg::List(l)) => l,
            _ => &[],
        }
    }
    pub(crate) fn ints(&self, name: &str) -> &[i64] {
        match self.0.get(name) {
            Some(Arg::IntList(l)) => l,
            _ => &[],
        }
    }
    pub(crate) fn regex(&self, name: &str) -> Option<&Regex> {
        match self.0.get(name)? {
            Arg::Regex(r) => Some(r),
            _ => None,
        }
    }
}

/// Reads a rule's parameters against the trigger's table. Every problem is returned, each as a
/// message naming the parameter.
pub(crate) fn read_args(trigger: &Trigger, given: &[(String, Value)]) -> Result<Args, Vec<String>> {
    let mut args = Args::default();
    let mut problems = Vec::new();
    for (name, value) in given {
        let lower = name.to_ascii_lowercase();
        let Some(param) = trigger.params.iter().find(|p| p.name == lower) else {
            let known: Vec<&str> = trigger.params.iter().map(|p| p.name).collect();
            problems.push(if known.is_empty() {
                format!(
                    "unknown parameter {name:?} (trigger {} takes none)",
                    trigger.name
                )
            } else {
                format!(
                    "unknown parameter {name:?} (trigger {} takes {})",
                    trigger.name,
                    known.join(", ")
                )
            });
            continue;
        };
        if args.0.contains_key(&lower) {
            problems.push(format!("parameter {name:?} is given twice"));
            continue;
        }
        match read_value(param.kind, value) {
            Ok(arg) => {
                args.0.insert(lower, arg);
            }
            Err(why) => problems.push(format!("parameter {name:?}: {why}")),
        }
    }
    let given: Vec<String> = given.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    for p in trigger.params.iter().filter(|p| p.required) {
        // A parameter given with a bad value is reported for that, not as missing too.
        if !args.0.contains_key(p.name) && !given.iter().any(|g| g == p.name) {
            problems.push(format!("required parameter {:?} is missing", p.name));
        }
    }
    if problems.is_empty() {
        Ok(args)
    } else {
        Err(problems)
    }
}

/// Policies write every value as a string; numbers and booleans written as JSON are taken too.
fn read_value(kind: Kind, value: &Value) -> Result<Arg, String> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => return Err(format!("expected a string, found {}", json_type(other))),
    };
    match kind {
        Kind::Text => Ok(Arg::Text(text)),
        Kind::Int => text
            .parse::<i64>()
            .map(Arg::Int)
            .map_err(|_| format!("{text:?} is not an integer")),
        Kind::Float => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Arg::Float)
            .ok_or_else(|| format!("{text:?} is not a number")),
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Arg::Bool(true)),
            "false" => Ok(Arg::Bool(false)),
            _ => Err(format!("{text:?} is not true or false")),
        },
        Kind::List => Ok(Arg::List(split_list(&text))),
        Kind::IntList => split_list(&text)
            .iter()
            .map(|i| {
                i.parse::<i64>()
                    .map_err(|_| format!("{i:?} in {text:?} is not an integer"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Arg::IntList),
        Kind::Regex => Regex::new(&text).map(Arg::Regex).map_err(|e| {
            format!(
                "the regular expression {text:?} does not compile: {}",
                crate::pattern::regex_reason(&e)
            )
        }),
        Kind::OneOf(words) => words
            .iter()
            .find(|w| w.eq_ignore_ascii_case(&text))
            .map(|w| Arg::Text(w.to_string()))
            .ok_or_else(|| format!("{text:?} is not one of {}", words.join(", "))),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// `10GB`, `1.5 MB`, `512k`, `1024` (bytes); units are powers of 1000 as Anchore reads them,
/// and `KiB`/`MiB`/`GiB` powers of 1024.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((number * factor) as u64)
}

/// The catalogue as Anchore's `GET /system/policy-spec` returns it.
pub(crate) fn spec_json(gates: &[&Gate]) -> Value {
    Value::Array(
        gates
            .iter()
            .map(|g| {
                json!({
                    "name": g.name,
                    "description": g.description,
                    "state": "active",
                    "superceded_by": null,
                    "triggers": g.triggers.iter().map(|t| json!({
                        "name": t.name,
                        "description": t.description,
                        "state": "active",
                        "superceded_by": null,
                        "parameters": t.params.iter().map(|p| json!({
                            "name": p.name,
                            "description": p.description,
                            "example": p.example,
                            "required": p.required,
                            "state": "active",
                            "superceded_by": null,
                            "validator": p.kind.json_schema(),
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10GB"), Some(10_000_000_000));
        assert_eq!(parse_size("1.5 MB"), Some(1_500_000));
        assert_eq!(parse_size("2MiB"), Some(2 * 1024 * 1024));
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("ten"), None);
        assert_eq!(parse_size("5 parsecs"), None);
    }

    #[test]
    fn values_are_read_into_their_kinds() {
        assert!(matches!(
            read_value(Kind::Int, &json!("12")),
            Ok(Arg::Int(12))
        ));
        assert!(read_value(Kind::Int, &json!("twelve")).is_err());
        assert!(matches!(
            read_value(Kind::Bool, &json!("TRUE")),
            Ok(Arg::Bool(true))
        ));
        assert!(read_value(Kind::Bool, &json!("yes")).is_err());
        assert!(
            read_value(Kind::Regex, &json!("a("))
                .unwrap_err()
                .contains("does not compile")
        );
        assert!(
            read_value(Kind::Text, &json!(["a"]))
                .unwrap_err()
                .contains("an array")
        );
        match read_value(Kind::OneOf(&["os", "non-os"]), &json!("OS")) {
            Ok(Arg::Text(t)) => assert_eq!(t, "os"),
            other => panic!("{other:?}"),
        }
        match read_value(Kind::IntList, &json!("22, 80")) {
            Ok(Arg::IntList(l)) => assert_eq!(l, vec![22, 80]),
            other => panic!("{other:?}"),
        }
    }
}
