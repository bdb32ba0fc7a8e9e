//! Composer (Packagist) version ordering: Composer first normalises a version
//! (`v1.2` → `1.2.0.0`, `1.0-b2` → `1.0.0.0-beta2`, `2.x-dev` → `2.9999999.9999999.9999999-dev`),
//! then orders the normalised strings as PHP's `version_compare` does.

use std::cmp::Ordering;

use crate::dpkg::compare_digits;
use crate::{Scheme, VersionError};

/// The normalised form Composer's `VersionParser::normalize` gives.
pub(crate) fn normalize(input: &str) -> Result<String, VersionError> {
    let invalid = |why: &str| VersionError::invalid(Scheme::Composer, input, why);
    let mut s = input.trim();
    if let Some((version, _alias)) = s.split_once(" as ") {
        s = version.trim();
    }
    if s.is_empty() {
        return Err(invalid("empty version"));
    }
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("dev-") {
        return Ok(format!("dev-{}", &s[4..]));
    }
    // Build metadata does not order.
    if let Some((version, build)) = s.split_once('+')
        && !version.is_empty()
        && !build.is_empty()
        && !build.contains(char::is_whitespace)
    {
        s = version;
    }
    let body = s
        .strip_prefix('v')
        .or_else(|| s.strip_prefix('V'))
        .unwrap_or(s);
    if let Some(normalized) =
        numeric_prefix(body).and_then(|(numbers, rest)| with_modifier(numbers, rest))
    {
        return Ok(normalized);
    }
    // A branch: `1.x-dev`, `2.1.*-dev`.
    if let Some(branch) = lower
        .strip_suffix("dev")
        .map(|b| b.trim_end_matches(['.', '-']))
    {
        let branch = branch.strip_prefix('v').unwrap_or(branch);
        let parts: Vec<&str> = branch.split('.').collect();
        if !parts.is_empty()
            && parts.len() <= 4
            && parts.iter().all(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) || matches!(*p, "x" | "*")
            })
        {
            let mut out: Vec<String> = parts
                .iter()
                .map(|p| {
                    if matches!(*p, "x" | "*") {
                        "9999999".to_string()
                    } else {
                        p.to_string()
                    }
                })
                .collect();
            while out.len() < 4 {
                out.push("9999999".into());
            }
            return Ok(format!("{}-dev", out.join(".")));
        }
    }
    Err(invalid(
        "expected NUMBER(.NUMBER){0,3} and an optional stability",
    ))
}

/// `1.2.3` (one to four numbers, the first at most five digits) and what follows, as four numbers.
fn numeric_prefix(s: &str) -> Option<(String, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut numbers: Vec<&str> = Vec::new();
    loop {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            if numbers.is_empty() {
                return None;
            }
            // A dot not followed by digits belongs to the suffix.
            i = start - 1;
            break;
        }
        numbers.push(&s[start..i]);
        if numbers.len() == 4 || i >= bytes.len() || bytes[i] != b'.' {
            break;
        }
        i += 1;
    }
    if numbers[0].len() > 5 {
        // Date versions (`20100102`, `2010-01-02`): every non-digit becomes a dot.
        let date: String = s
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '-'))
            .collect();
        let date = date.trim_end_matches(['.', ':', '-']);
        let rest = &s[date.len()..];
        return Some((date.replace([':', '-'], "."), rest));
    }
    let mut out: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
    while out.len() < 4 {
        out.push("0".into());
    }
    Some((out.join("."), &s[i..]))
}

/// Appends the stability (`-beta2`, `-RC1`, `-patch1`, `-dev`) Composer keeps, or `None` when
/// the rest is not one. The grammar is Composer's:
/// `[._-]?((stable|beta|b|RC|alpha|a|patch|pl|p)([.-]?DIGITS)*)?([.-]?dev)?`.
fn with_modifier(numbers: String, rest: &str) -> Option<String> {
    const STABILITIES: [(&str, &str); 9] = [
        ("stable", ""),
        ("beta", "beta"),
        ("b", "beta"),
        ("rc", "RC"),
        ("alpha", "alpha"),
        ("a", "alpha"),
        ("patch", "patch"),
        ("pl", "patch"),
        ("p", "patch"),
    ];
    let lower = rest.to_ascii_lowercase();
    let mut r = lower.as_str();
    r = r.strip_prefix(['.', '_', '-']).unwrap_or(r);
    let mut stability = None;
    if let Some((word, name)) = STABILITIES.iter().find(|(w, _)| r.starts_with(w)) {
        r = &r[word.len()..];
        // `([.-]?DIGITS)*`
        let bytes = r.as_bytes();
        let mut end = 0;
        loop {
            let mut i = end;
            if i < bytes.len() && matches!(bytes[i], b'.' | b'-') {
                i += 1;
            }
            let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                break;
            }
            end = i + digits;
        }
        stability = Some((*name, r[..end].trim_start_matches(['.', '-']).to_string()));
        r = &r[end..];
    }
    let r = r.strip_prefix(['.', '-']).unwrap_or(r);
    let dev = match r {
        "" => false,
        "dev" => true,
        _ => return None,
    };
    let mut out = numbers;
    match stability {
        Some(("", _)) => return Some(out),
        Some((name, number)) => {
            out.push('-');
            out.push_str(name);
            out.push_str(&number);
        }
        None => {}
    }
    if dev {
        out.push_str("-dev");
    }
    Some(out)
}

/// PHP's canonical form: `-`, `_`, `+` and other punctuation become dots, and a dot goes between
/// a digit and a letter.
fn canonical(version: &str) -> Vec<String> {
    let mut chars = version.chars();
    // PHP copies the first character as it is.
    let Some(first) = chars.next() else {
        return Vec::new();
    };
    let mut out = String::from(first);
    let mut last = first;
    let digit = |c: char| c.is_ascii_digit();
    let other = |c: char| !c.is_ascii_digit() && c != '.';
    for c in chars {
        if matches!(c, '-' | '_' | '+') {
            if !out.ends_with('.') {
                out.push('.');
            }
        } else if (other(last) && digit(c)) || (digit(last) && other(c)) {
            if !out.ends_with('.') {
                out.push('.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if !out.ends_with('.') {
                out.push('.');
            }
        } else {
            out.push(c);
        }
        last = c;
    }
    // PHP splits with strtok, which skips empty parts.
    out.split('.')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The order of PHP's special version words; a word is known by its prefix.
fn special_rank(word: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| word.starts_with(name))
        .map_or(-6, |(_, rank)| *rank)
}

fn is_number(part: &str) -> bool {
    part.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn leading_number(part: &str) -> &[u8] {
    let end = part
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(part.len());
    part[..end].trim_start_matches('0').as_bytes()
}

/// PHP's `version_compare` on two version strings.
pub(crate) fn php_version_compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (canonical(a), canonical(b));
    let mut i = 0;
    while i < pa.len() && i < pb.len() {
        let (x, y) = (&pa[i], &pb[i]);
        let ord = match (is_number(x), is_number(y)) {
            (true, true) => compare_digits(leading_number(x), leading_number(y)),
            (false, false) => special_rank(x).cmp(&special_rank(y)),
            (true, false) => special_rank("#").cmp(&special_rank(y)),
            (false, true) => special_rank(x).cmp(&special_rank("#")),
        };
        if ord != Ordering::Equal {
            return ord;
        }
        i += 1;
    }
    if i < pa.len() {
        if is_number(&pa[i]) {
            Ordering::Greater
        } else {
            php_version_compare(&pa[i..].join("."), "#")
        }
    } else if i < pb.len() {
        if is_number(&pb[i]) {
            Ordering::Less
        } else {
            php_version_compare("#", &pb[i..].join("."))
        }
    } else {
        Ordering::Equal
    }
}

pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(php_version_compare(&normalize(a)?, &normalize(b)?))
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    use super::*;

    #[test]
    fn normalises_like_composer() {
        for (input, want) in [
            ("1.0.0", "1.0.0.0"),
            ("v1.2", "1.2.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0-beta2", "1.0.0.0-beta2"),
            ("1.0b2", "1.0.0.0-beta2"),
            ("1.0.0-RC1", "1.0.0.0-RC1"),
            ("1.0.0-rc.1", "1.0.0.0-RC1"),
            ("1.0.0-alpha.3", "1.0.0.0-alpha3"),
            ("1.0.0-pl3", "1.0.0.0-patch3"),
            ("1.0.0-stable", "1.0.0.0"),
            ("1.0.0-dev", "1.0.0.0-dev"),
            ("1.0.0+build.5", "1.0.0.0"),
            ("2.x-dev", "2.9999999.9999999.9999999-dev"),
            ("dev-master", "dev-master"),
            ("20100102", "20100102"),
        ] {
            assert_eq!(normalize(input).unwrap(), want, "{input}");
        }
        assert!(normalize("").is_err());
        assert!(normalize("1.0.0-whatever").is_err());
        assert_eq!(normalize("1.0.x-dev").unwrap(), "1.0.9999999.9999999-dev");
        assert!(normalize("latest").is_err());
    }

    #[test]
    fn orders_like_php_version_compare() {
        crate::assert_orderings(
            php_version_compare,
            &[
                ("1.0.0.0", "1.0.0.0", Equal),
                ("1.0.0.0-dev", "1.0.0.0-alpha1", Less),
                ("1.0.0.0-alpha1", "1.0.0.0-beta1", Less),
                ("1.0.0.0-beta2", "1.0.0.0-RC1", Less),
                ("1.0.0.0-RC1", "1.0.0.0", Less),
                ("1.0.0.0", "1.0.0.0-patch1", Less),
                ("1.0", "1.0.0", Less),
                ("1.10", "1.9", Greater),
                ("1.0rc1", "1.0", Less),
                ("1.0.0.0-beta10", "1.0.0.0-beta9", Greater),
            ],
        );
        crate::assert_orderings(
            |a, b| compare(a, b).unwrap(),
            &[
                ("1.0", "1.0.0", Equal),
                ("v2.3.1", "2.3.1", Equal),
                ("1.0.0-beta", "1.0.0", Less),
                ("6.4.39", "6.4.40", Less),
                ("2.x-dev", "2.99", Greater),
            ],
        );
    }
}
