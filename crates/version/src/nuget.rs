//! NuGet version ordering (`NuGetVersion`): up to four numbers (a missing one is 0), then a
//! release sorts after its pre-releases, whose dot-separated labels compare numerically when both
//! are numbers, a number before a word, and words without regard to case. Build metadata after
//! `+` does not order.

use std::cmp::Ordering;

use crate::dpkg::compare_digits;
use crate::{Scheme, VersionError};

struct Version<'a> {
    numbers: [&'a str; 4],
    labels: Vec<&'a str>,
}

fn parse(input: &str) -> Result<Version<'_>, VersionError> {
    let invalid = |why: &str| VersionError::invalid(Scheme::NuGet, input, why);
    let s = input.trim();
    let s = s.split_once('+').map_or(s, |(v, _)| v);
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return Err(invalid("expected one to four numbers"));
    }
    let mut numbers = ["0"; 4];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("version parts must be numbers"));
        }
        *slot = part.trim_start_matches('0');
    }
    let labels: Vec<&str> = pre.map(|p| p.split('.').collect()).unwrap_or_default();
    if labels
        .iter()
        .any(|l| l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(invalid("bad pre-release label"));
    }
    Ok(Version { numbers, labels })
}

fn compare_label(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => compare_digits(
            a.trim_start_matches('0').as_bytes(),
            b.trim_start_matches('0').as_bytes(),
        ),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
    }
}

pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = (parse(a)?, parse(b)?);
    for (x, y) in a.numbers.iter().zip(&b.numbers) {
        let ord = compare_digits(x.as_bytes(), y.as_bytes());
        if ord != Ordering::Equal {
            return Ok(ord);
        }
    }
    Ok(match (a.labels.is_empty(), b.labels.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a
            .labels
            .iter()
            .zip(&b.labels)
            .map(|(x, y)| compare_label(x, y))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or_else(|| a.labels.len().cmp(&b.labels.len())),
    })
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn published_orderings() {
        // The orderings NuGet's documentation gives for versions and pre-release labels.
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.1",
            "2.0.0",
        ];
        for w in ordered.windows(2) {
            assert_eq!(super::compare(w[0], w[1]).unwrap(), Less, "{w:?}");
        }
        crate::assert_orderings(
            |a, b| super::compare(a, b).unwrap(),
            &[
                ("1.0", "1.0.0.0", Equal),
                ("1.01", "1.1", Equal),
                ("1.0.0-Beta", "1.0.0-beta", Equal),
                ("1.0.0+abc", "1.0.0+def", Equal),
                ("4.7.2", "4.7.10", Less),
                ("13.0.1", "12.0.3", Greater),
            ],
        );
        assert!(super::compare("1.0.0.0.0", "1").is_err());
        assert!(super::compare("abc", "1").is_err());
    }
}
