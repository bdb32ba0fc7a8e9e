//! Python version ordering (PEP 440), with the spellings `packaging` normalises (`alpha`,
//! `preview`, `rev`, `-1` for a post-release, separators and case).

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct Version {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<LocalPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    // Declared first: strings sort before numbers.
    Text(String),
    Number(u64),
}

struct Cursor<'a> {
    s: &'a str,
}

impl Cursor<'_> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.s.strip_prefix(prefix) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    fn eat_separator(&mut self) -> bool {
        self.eat(".") || self.eat("-") || self.eat("_")
    }

    fn number(&mut self) -> Option<u64> {
        let end = self
            .s
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.s.len());
        if end == 0 {
            return None;
        }
        let n = self.s[..end].parse().ok();
        self.s = &self.s[end..];
        n
    }

    /// An optional separator then a number (0 when the number is left out).
    fn implicit_number(&mut self) -> u64 {
        let saved = self.s;
        self.eat_separator();
        match self.number() {
            Some(n) => n,
            None => {
                self.s = saved;
                0
            }
        }
    }
}

impl Version {
    pub(crate) fn parse(input: &str) -> Result<Self, VersionError> {
        let invalid = |why: &str| VersionError::invalid(Scheme::Pep440, input, why);
        let lower = input.trim().to_ascii_lowercase();
        let mut c = Cursor { s: &lower };
        c.eat("v");
        let mut epoch = 0;
        let mut release = vec![c.number().ok_or_else(|| invalid("no release number"))?];
        if c.eat("!") {
            epoch = release[0];
            release = vec![
                c.number()
                    .ok_or_else(|| invalid("no release after the epoch"))?,
            ];
        }
        while c.s.starts_with('.') && c.s[1..].starts_with(|ch: char| ch.is_ascii_digit()) {
            c.eat(".");
            release.push(c.number().ok_or_else(|| invalid("bad release segment"))?);
        }
        let mut v = Version {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        };
        // Pre-release.
        let saved = c.s;
        c.eat_separator();
        let pre_kind = [
            ("alpha", 0u8),
            ("a", 0),
            ("beta", 1),
            ("b", 1),
            ("preview", 2),
            ("pre", 2),
            ("rc", 2),
            ("c", 2),
        ]
        .into_iter()
        .find(|(word, _)| c.eat(word));
        match pre_kind {
            Some((_, kind)) => v.pre = Some((kind, c.implicit_number())),
            None => c.s = saved,
        }
        // Post-release: `.post1`, `-rev1`, `.r1`, or the implicit `-1`.
        let saved = c.s;
        let had_dash = c.s.starts_with('-');
        c.eat_separator();
        if c.eat("post") || c.eat("rev") || c.eat("r") {
            v.post = Some(c.implicit_number());
        } else if had_dash && c.s.starts_with(|ch: char| ch.is_ascii_digit()) {
            v.post = c.number();
        } else {
            c.s = saved;
        }
        // Development release.
        let saved = c.s;
        c.eat_separator();
        if c.eat("dev") {
            v.dev = Some(c.implicit_number());
        } else {
            c.s = saved;
        }
        // Local version label.
        if c.eat("+") {
            for part in c.s.split(['.', '-', '_']) {
                if part.is_empty() || !part.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                    return Err(invalid("bad local version label"));
                }
                v.local.push(match part.parse() {
                    Ok(n) => LocalPart::Number(n),
                    Err(_) => LocalPart::Text(part.to_string()),
                });
            }
            c.s = "";
        }
        if !c.s.is_empty() {
            return Err(invalid(&format!("unexpected {:?}", c.s)));
        }
        Ok(v)
    }

    fn release_key(&self) -> &[u64] {
        let mut r = &self.release[..];
        while r.len() > 1 && r.last() == Some(&0) {
            r = &r[..r.len() - 1];
        }
        r
    }
}

/// `None`-below and `None`-above values, as `packaging`'s comparison key uses infinities.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    Below,
    Value(T),
    Above,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |v: &Version| {
            // A dev release without a pre or post release sorts before every pre-release.
            let pre = match (v.pre, v.post, v.dev) {
                (None, None, Some(_)) => Bound::Below,
                (None, _, _) => Bound::Above,
                (Some(p), _, _) => Bound::Value(p),
            };
            let post = v.post.map_or(Bound::Below, Bound::Value);
            let dev = v.dev.map_or(Bound::Above, Bound::Value);
            (pre, post, dev)
        };
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_key().cmp(other.release_key()))
            .then_with(|| key(self).cmp(&key(other)))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialEq for Version {
    /// `1.0` and `1.0.0` are the same version.
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn known_orderings_in_order() {
        let ordered = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.5",
        ];
        for w in ordered.windows(2) {
            let (a, b) = (Version::parse(w[0]).unwrap(), Version::parse(w[1]).unwrap());
            assert!(a < b, "{} < {}", w[0], w[1]);
        }
        assert_eq!(
            Version::parse("1.0").unwrap(),
            Version::parse("1.0.0").unwrap()
        );
        assert_eq!(
            Version::parse("1.0-1")
                .unwrap()
                .cmp(&Version::parse("1.0.post1").unwrap()),
            std::cmp::Ordering::Equal
        );
        assert!(Version::parse("1.0 junk").is_err());
        assert!(Version::parse("").is_err());
    }
}
