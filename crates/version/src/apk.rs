//! Alpine (apk) version ordering: `1.2.3[letter][_suffix[N]]...[-rN]`, where the pre-release
//! suffixes `_alpha` < `_beta` < `_pre` < `_rc` sort before the bare version and the others
//! (`_cvs`, `_svn`, `_git`, `_hg`, `_p`) after it, and a component after the first that starts
//! with `0` compares by its leading zeros first (`1.01` < `1.1`), as Gentoo does.

use std::cmp::Ordering;

/// Token kinds in the order that decides when one version stops before the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Invalid,
    DigitOrZero,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    Revision,
    End,
}

const PRE: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

struct Tokens<'a> {
    s: &'a [u8],
    at: usize,
    next: Kind,
}

impl Tokens<'_> {
    /// The value of the token of kind `self.next` at the cursor; moves on and sets the next kind.
    fn take(&mut self) -> i64 {
        let s = self.s;
        let mut value: i64 = 0;
        match self.next {
            Kind::DigitOrZero if s.get(self.at) == Some(&b'0') => {
                let mut zeros = 0;
                while s.get(self.at) == Some(&b'0') {
                    self.at += 1;
                    zeros += 1;
                }
                // The digits after the zeros are read as the next token.
                self.next = Kind::Digit;
                return -zeros;
            }
            Kind::DigitOrZero | Kind::Digit | Kind::SuffixNumber | Kind::Revision => {
                while let Some(c) = s.get(self.at).filter(|c| c.is_ascii_digit()) {
                    value = value.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                    self.at += 1;
                }
            }
            Kind::Letter => {
                value = i64::from(s[self.at]);
                self.at += 1;
            }
            Kind::Suffix => {
                let rest = &s[self.at..];
                let found = PRE
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i as i64 - PRE.len() as i64, p))
                    .chain(POST.iter().enumerate().map(|(i, p)| (i as i64, p)))
                    .filter(|(_, p)| rest.starts_with(p.as_bytes()))
                    // `pre` must not be read from `p` nor `p` from `pre`: the longest wins.
                    .max_by_key(|(_, p)| p.len());
                match found {
                    Some((v, p)) => {
                        value = v;
                        self.at += p.len();
                    }
                    None => {
                        self.next = Kind::Invalid;
                        return 0;
                    }
                }
            }
            Kind::Invalid | Kind::End => return 0,
        }
        self.next = self.kind_after();
        value
    }

    /// What comes after the token just read.
    fn kind_after(&mut self) -> Kind {
        let s = self.s;
        match s.get(self.at) {
            None => Kind::End,
            Some(c) if c.is_ascii_digit() && self.next == Kind::Suffix => Kind::SuffixNumber,
            Some(b'.') if s.get(self.at + 1).is_some_and(u8::is_ascii_digit) => {
                self.at += 1;
                Kind::DigitOrZero
            }
            Some(c)
                if c.is_ascii_lowercase()
                    && matches!(self.next, Kind::Digit | Kind::DigitOrZero) =>
            {
                Kind::Letter
            }
            Some(b'_') => {
                self.at += 1;
                Kind::Suffix
            }
            Some(b'-') if s.get(self.at + 1) == Some(&b'r') => {
                self.at += 2;
                Kind::Revision
            }
            _ => Kind::Invalid,
        }
    }
}

pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let mut ta = Tokens {
        s: a.trim().as_bytes(),
        at: 0,
        next: Kind::Digit,
    };
    let mut tb = Tokens {
        s: b.trim().as_bytes(),
        at: 0,
        next: Kind::Digit,
    };
    while ta.next == tb.next && ta.next != Kind::End && ta.next != Kind::Invalid {
        let (va, vb) = (ta.take(), tb.take());
        if va != vb {
            return va.cmp(&vb);
        }
    }
    if ta.next == tb.next {
        return Ordering::Equal;
    }
    // The versions agree so far; what comes next in each decides.
    if ta.next == Kind::Suffix && peek_suffix(&ta) < 0 {
        return Ordering::Less;
    }
    if tb.next == Kind::Suffix && peek_suffix(&tb) < 0 {
        return Ordering::Greater;
    }
    // The one that goes on with a more significant part is newer.
    tb.next.cmp(&ta.next)
}

fn peek_suffix(t: &Tokens<'_>) -> i64 {
    let mut copy = Tokens {
        s: t.s,
        at: t.at,
        next: t.next,
    };
    copy.take()
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::*;

    #[test]
    fn known_orderings() {
        let cases = [
            ("1.2.3", "1.2.3", Equal),
            ("1.2.3", "1.2.4", Less),
            ("1.2", "1.2.0", Less),
            ("1.2.3-r0", "1.2.3-r1", Less),
            ("1.2.3", "1.2.3-r1", Less),
            ("1.2.3_rc1", "1.2.3", Less),
            ("1.2.3_alpha", "1.2.3_beta", Less),
            ("1.2.3_beta2", "1.2.3_rc1", Less),
            ("1.2.3_p1", "1.2.3", Greater),
            ("1.2.3_p1", "1.2.4", Less),
            ("1.2.3a", "1.2.3", Greater),
            ("1.2.3a", "1.2.3b", Less),
            ("1.01", "1.1", Less),
            ("1.1.1n-r0", "1.1.1t-r2", Less),
            ("1.31.1-r22", "1.31.1-r9", Greater),
            ("2.10.8-r1", "2.10.10-r0", Less),
            ("1.2.3_git20230101", "1.2.3", Greater),
        ];
        crate::assert_orderings(super::compare, &cases);
    }
}
