//! Debian version ordering (deb-version(7)): `[epoch:]upstream[-revision]`, each part compared
//! as alternating non-digit and digit runs, where `~` sorts before everything, even the end.

use std::cmp::Ordering;

struct Parts<'a> {
    epoch: u64,
    upstream: &'a str,
    revision: &'a str,
}

fn split(v: &str) -> Parts<'_> {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(u64::MAX), r)
        }
        _ => (0, v),
    };
    let (upstream, revision) = match rest.rfind('-') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    Parts {
        epoch,
        upstream,
        revision,
    }
}

/// The weight of a character in the non-digit part: `~` first, then the end, letters, then the
/// other characters.
fn order(c: Option<u8>) -> i32 {
    match c {
        Some(b'~') => -1,
        None => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

pub(crate) fn compare_part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit runs, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let cb = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            let (oa, ob) = (order(ca), order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            if ca.is_some() {
                i += 1;
            }
            if cb.is_some() {
                j += 1;
            }
        }
        // Digit runs, numerically (leading zeros do not count).
        let start_a = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let start_b = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let ord = compare_digits(&a[start_a..i], &b[start_b..j]);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Compares two runs of ASCII digits as numbers of any length.
pub(crate) fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (split(a), split(b));
    pa.epoch
        .cmp(&pb.epoch)
        .then_with(|| compare_part(pa.upstream, pb.upstream))
        .then_with(|| compare_part(pa.revision, pb.revision))
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn known_orderings() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0+b1", Less),
            ("1:0.1", "2.0", Greater),
            ("2.36-9+deb12u4", "2.36-9+deb12u10", Less),
            ("1.0-1", "1.0-1~bpo1", Greater),
            ("1.001", "1.1", Equal),
            ("1.0a", "1.0", Greater),
            ("1.0~~", "1.0~", Less),
            ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", Less),
        ];
        crate::assert_orderings(super::compare, &cases);
    }
}
