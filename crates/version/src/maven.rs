//! Maven version ordering, as `ComparableVersion` defines it: items split at `.`, `-` and at
//! digit/letter changes; `-` and such changes open a sub-list; qualifiers order
//! `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < release (`ga`, `final`, `release`,
//! nothing) < `sp` < anything else (alphabetically); trailing "null" items do not count.

use std::cmp::Ordering;

use crate::dpkg::compare_digits;

#[derive(Debug, Clone)]
enum Item {
    /// Digits without leading zeros (any length).
    Int(String),
    Text(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The sort key of a qualifier: its index among the known ones, or after them by name.
fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn text_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match (followed_by_digit, value) {
        (true, "a") => "alpha",
        (true, "b") => "beta",
        (true, "m") => "milestone",
        (_, "ga" | "final" | "release") => "",
        (_, "cr") => "rc",
        (_, v) => v,
    };
    Item::Text(value.to_string())
}

fn parse_item(is_digit: bool, s: &str) -> Item {
    if is_digit {
        let stripped = s.trim_start_matches('0');
        Item::Int(if stripped.is_empty() {
            "0".into()
        } else {
            stripped.into()
        })
    } else {
        text_item(s, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(v) => v == "0",
            Item::Text(v) => v.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int(v) => {
                if v == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Text(v) => qualifier_key(v).cmp(&qualifier_key("")),
            Item::List(l) => l.first().map_or(Ordering::Equal, Item::cmp_null),
        }
    }

    fn compare(&self, other: Option<&Item>) -> Ordering {
        let Some(other) = other else {
            return self.cmp_null();
        };
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => compare_digits(a.as_bytes(), b.as_bytes()),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Text(_), Item::Int(_)) => Ordering::Less,
            (Item::Text(a), Item::Text(b)) => qualifier_key(a).cmp(&qualifier_key(b)),
            (Item::Text(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Text(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => {
                for i in 0..a.len().max(b.len()) {
                    let ord = match (a.get(i), b.get(i)) {
                        (None, Some(r)) => r.compare(None).reverse(),
                        (Some(l), r) => l.compare(r),
                        (None, None) => Ordering::Equal,
                    };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Drops trailing null items of a list, stopping at the first item that is neither null nor a
/// list.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Parses into nested lists. A path of indexes names the list being filled, since each new
/// sub-list is the last item of its parent.
fn parse(version: &str) -> Item {
    let v = version.trim().to_lowercase();
    let bytes = v.as_bytes();
    let mut root: Vec<Item> = Vec::new();
    let mut depth = 0usize;
    fn current(root: &mut Vec<Item>, depth: usize) -> &mut Vec<Item> {
        let mut list = root;
        for _ in 0..depth {
            match list.last_mut() {
                Some(Item::List(inner)) => list = inner,
                _ => unreachable!("every level below the root is a list"),
            }
        }
        list
    }
    let mut is_digit = false;
    let mut start = 0;
    for i in 0..bytes.len() {
        let c = bytes[i];
        if c == b'.' || c == b'-' {
            let item = if i == start {
                Item::Int("0".into())
            } else {
                parse_item(is_digit, &v[start..i])
            };
            current(&mut root, depth).push(item);
            start = i + 1;
            if c == b'-' {
                current(&mut root, depth).push(Item::List(Vec::new()));
                depth += 1;
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `.X1` reads as `-X1`: a qualifier after other items opens a sub-list.
                if !current(&mut root, depth).is_empty() {
                    current(&mut root, depth).push(Item::List(Vec::new()));
                    depth += 1;
                }
                current(&mut root, depth).push(text_item(&v[start..i], true));
                start = i;
                current(&mut root, depth).push(Item::List(Vec::new()));
                depth += 1;
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                current(&mut root, depth).push(parse_item(true, &v[start..i]));
                start = i;
                current(&mut root, depth).push(Item::List(Vec::new()));
                depth += 1;
            }
            is_digit = false;
        }
    }
    if bytes.len() > start {
        // A trailing `.X` reads as `-X` too.
        if !is_digit && !current(&mut root, depth).is_empty() {
            current(&mut root, depth).push(Item::List(Vec::new()));
            depth += 1;
        }
        current(&mut root, depth).push(parse_item(is_digit, &v[start..]));
    }
    // Normalise from the innermost list outwards, as the stack unwinds.
    for level in (0..=depth).rev() {
        normalize(current(&mut root, level));
    }
    Item::List(root)
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    parse(a).compare(Some(&parse(b)))
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn documented_orderings() {
        let ordered = [
            "1-alpha",
            "1-alpha-1",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-1",
            "1.1",
        ];
        for w in ordered.windows(2) {
            assert_eq!(super::compare(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        }
        let equal = [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1.0.final", "1"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
        ];
        for (a, b) in equal {
            assert_eq!(super::compare(a, b), Equal, "{a} = {b}");
        }
        assert_eq!(super::compare("2.17.1", "2.15.0"), Greater);
        assert_eq!(super::compare("1.2.17", "1.2-1.2.17"), Greater);
    }
}
