//! What several gates share: comparison operators and the parameter words they accept.

use std::cmp::Ordering;

use crate::spec::Fire;

pub(crate) const COMPARISONS: &[&str] = &["=", "!=", "<", ">", "<=", ">="];

/// Whether `ordering` (of the actual value against the policy's) satisfies `operator`.
pub(crate) fn holds(operator: &str, ordering: Ordering) -> bool {
    match operator {
        "=" => ordering == Ordering::Equal,
        "!=" => ordering != Ordering::Equal,
        "<" => ordering == Ordering::Less,
        ">" => ordering == Ordering::Greater,
        "<=" => ordering != Ordering::Greater,
        ">=" => ordering != Ordering::Less,
        _ => false,
    }
}

pub(crate) fn compare_f64(actual: f64, operator: &str, wanted: f64) -> bool {
    actual
        .partial_cmp(&wanted)
        .is_some_and(|o| holds(operator, o))
}

/// `whitelist`/`blacklist` (v1) and `allowlist`/`denylist` (v2) mean the same.
pub(crate) const LIST_TYPES: &[&str] = &["allowlist", "denylist", "whitelist", "blacklist"];

pub(crate) fn is_allowlist(word: &str) -> bool {
    matches!(word, "allowlist" | "whitelist")
}

/// Orders dotted versions numerically where both parts are numbers (`3.10` > `3.9`).
pub(crate) fn compare_dotted(a: &str, b: &str) -> Ordering {
    let mut left = a.split(['.', '-', '_']);
    let mut right = b.split(['.', '-', '_']);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

pub(crate) fn fire(fires: &mut Vec<Fire>, message: String) {
    fires.push(Fire { id: None, message });
}

pub(crate) fn fire_with_id(fires: &mut Vec<Fire>, id: String, message: String) {
    fires.push(Fire {
        id: Some(id),
        message,
    });
}

/// The checks of the `dockerfile/instruction` and `metadata/attribute` triggers on text.
pub(crate) fn text_check(check: &str, actual: Option<&str>, value: Option<&str>) -> bool {
    let value = value.unwrap_or_default();
    match (check, actual) {
        ("exists", a) => a.is_some(),
        ("not_exists", a) => a.is_none(),
        (_, None) => false,
        ("=", Some(a)) => a == value,
        ("!=", Some(a)) => a != value,
        ("like", Some(a)) => regex::Regex::new(value).is_ok_and(|r| r.is_match(a)),
        ("not_like", Some(a)) => regex::Regex::new(value).is_ok_and(|r| !r.is_match(a)),
        ("in", Some(a)) => crate::spec::split_list(value).iter().any(|v| v == a),
        ("not_in", Some(a)) => !crate::spec::split_list(value).iter().any(|v| v == a),
        (op, Some(a)) => holds(op, compare_dotted(a, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(text_check(
            "like",
            Some("apt-get update"),
            Some("apt-get +update")
        ));
        assert!(text_check("in", Some("b"), Some("a, b")));
        assert!(text_check("not_in", Some("c"), Some("a, b")));
        assert!(text_check(">", Some("3.10"), Some("3.9")));
        assert!(text_check("not_exists", None, None));
        assert!(!text_check("=", None, Some("x")));
        assert_eq!(compare_dotted("12", "9"), Ordering::Greater);
    }
}
