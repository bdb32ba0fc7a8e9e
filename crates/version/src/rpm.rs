//! RPM version ordering: `rpmvercmp` on each of epoch, version and release. Segments are runs of
//! digits or of letters; separators only separate; `~` sorts before everything (pre-releases)
//! and `^` after the end but before anything else (post-release snapshots).

use std::cmp::Ordering;

use crate::dpkg::compare_digits;

/// rpm's segment comparison of one version or release string.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(first), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = first.is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let start = k;
            while k < s.len()
                && if numeric {
                    s[k].is_ascii_digit()
                } else {
                    s[k].is_ascii_alphabetic()
                }
            {
                k += 1;
            }
            (start, k)
        };
        let (sa, ea) = take(a, i);
        let (sb, eb) = take(b, j);
        if sb == eb {
            // A number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if numeric {
            compare_digits(&a[sa..ea], &b[sb..eb])
        } else {
            a[sa..ea].cmp(&b[sb..eb])
        };
        if ord != Ordering::Equal {
            return ord;
        }
        i = ea;
        j = eb;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (false, _) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

/// `[epoch:]version[-release]`.
fn split(evr: &str) -> (u64, &str, Option<&str>) {
    let (epoch, rest) = match evr.split_once(':') {
        Some((e, r)) if e.bytes().all(|b| b.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
        _ => (0, evr),
    };
    match rest.rfind('-') {
        Some(k) => (epoch, &rest[..k], Some(&rest[k + 1..])),
        None => (epoch, rest, None),
    }
}

/// Orders two `[epoch:]version[-release]` strings as rpm does: a missing epoch is 0 and a
/// missing release an empty one (older than any release). A matcher that means "every release
/// of 1.2" strips the release first.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split(a);
    let (eb, vb, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| rpmvercmp(va, vb))
        .then_with(|| rpmvercmp(ra.unwrap_or(""), rb.unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn known_orderings() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "1.0.1", Less),
            ("1.0a", "1.0", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.0.1", Less),
            ("2.0", "10", Less),
            ("a", "1", Less),
            ("1.0-1.el9", "1.0-2.el9", Less),
            ("1:1.0-1", "2.0-1", Greater),
            ("1.0_1", "1.0.1", Equal),
            ("1.0", "1.0-2", Less),
        ];
        crate::assert_orderings(super::compare, &cases);
    }
}
