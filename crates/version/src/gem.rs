//! RubyGems version ordering (`Gem::Version#<=>`): segments are runs of digits or of letters;
//! `-` reads as `.pre.`; trailing zero numbers before the first letter segment do not count; a
//! letter segment (a pre-release) sorts before a number.

use std::cmp::Ordering;

use crate::dpkg::compare_digits;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(String),
    Text(String),
}

fn segments(input: &str) -> Result<Vec<Segment>, VersionError> {
    let s = input.trim();
    if !well_formed(s) {
        return Err(VersionError::invalid(
            Scheme::Gem,
            input,
            "expected DIGITS(.ALNUM)*(-ALNUM(.ALNUM)*)?",
        ));
    }
    let normalized = s.replace('-', ".pre.");
    let mut out = Vec::new();
    let bytes = normalized.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = normalized[start..i].trim_start_matches('0');
            out.push(Segment::Number(if digits.is_empty() {
                "0".into()
            } else {
                digits.into()
            }));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Segment::Text(normalized[start..i].to_string()));
        } else {
            i += 1;
        }
    }
    // Canonical form: trailing zeros dropped from the numeric part and from the rest.
    let first_text = out
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(out.len());
    let (mut numeric, mut rest) = (out[..first_text].to_vec(), out[first_text..].to_vec());
    for part in [&mut numeric, &mut rest] {
        while part.last() == Some(&Segment::Number("0".into())) {
            part.pop();
        }
    }
    numeric.extend(rest);
    Ok(numeric)
}

/// RubyGems' pattern: digits, then `.`-separated alphanumeric segments, then optionally `-` and
/// `.`-separated segments of alphanumerics and dashes.
fn well_formed(s: &str) -> bool {
    let (main, pre) = match s.split_once('-') {
        Some((m, p)) => (m, Some(p)),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    });
    first_ok && rest_ok && pre_ok
}

pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (la, lb) = (segments(a)?, segments(b)?);
    let zero = Segment::Number("0".into());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).unwrap_or(&zero), lb.get(i).unwrap_or(&zero));
        let ord = match (x, y) {
            (Segment::Number(p), Segment::Number(q)) => compare_digits(p.as_bytes(), q.as_bytes()),
            (Segment::Text(p), Segment::Text(q)) => p.cmp(q),
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
        };
        if ord != Ordering::Equal {
            return Ok(ord);
        }
    }
    Ok(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn known_orderings() {
        let cases = [
            ("1.0", "1.0.0", Equal),
            ("1.0.a", "1.0", Less),
            ("1.0a", "1.0.a", Equal),
            ("1.0.rc1", "1.0.beta2", Greater),
            ("2.0.0-rc1", "2.0.0", Less),
            ("1.10", "1.9", Greater),
            ("5.2.4.1", "5.2.4", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(super::compare(a, b).unwrap(), want, "{a} vs {b}");
        }
        assert!(super::compare("not a version", "1").is_err());
        assert!(super::compare("5a", "1").is_err());
    }
}
