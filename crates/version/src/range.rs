//! Sets of versions (a union of intervals) and the constraint syntaxes that describe them:
//! npm ranges (`^1.2.3 || >=2 <3`, `~1.2`, `1.x`, `1.2.3 - 2`), RubyGems requirements
//! (`~> 2.2, >= 2.2.8.1`), Composer constraints (`>=6.4.0,<6.4.40 || ^7.1`) and plain
//! comparators (`>= 1.0, < 2.0`) for every other scheme.
//!
//! Advisories publish what is affected in these syntaxes; customs turns them into intervals so
//! that a set can be intersected, joined, inverted ("not patched and not unaffected") and written
//! back as the `introduced`/`fixed` events of an OSV range.

use std::cmp::Ordering;

use crate::{Scheme, VersionError, compare};

/// One end of an interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub version: String,
    pub inclusive: bool,
}

/// The versions between two bounds; a missing bound is unbounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
}

/// A set of versions of one scheme, kept as sorted, disjoint intervals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSet {
    scheme: Scheme,
    intervals: Vec<Interval>,
}

fn bound(version: &str, inclusive: bool) -> Option<Bound> {
    Some(Bound {
        version: version.to_string(),
        inclusive,
    })
}

impl VersionSet {
    pub fn all(scheme: Scheme) -> Self {
        VersionSet {
            scheme,
            intervals: vec![Interval {
                lower: None,
                upper: None,
            }],
        }
    }

    pub fn none(scheme: Scheme) -> Self {
        VersionSet {
            scheme,
            intervals: Vec::new(),
        }
    }

    /// The set of the given intervals, which may overlap and come in any order; every version
    /// in them must be valid for `scheme`.
    pub fn from_intervals(scheme: Scheme, intervals: Vec<Interval>) -> Result<Self, VersionError> {
        for b in intervals
            .iter()
            .flat_map(|i| [&i.lower, &i.upper])
            .flatten()
        {
            compare(scheme, &b.version, &b.version)?;
        }
        Ok(VersionSet { scheme, intervals }.normalized())
    }

    /// The interval that holds `version`, if any.
    pub fn interval_of(&self, version: &str) -> Result<Option<&Interval>, VersionError> {
        compare(self.scheme, version, version)?;
        Ok(self
            .intervals
            .iter()
            .find(|i| self.above_lower(version, &i.lower) && self.below_upper(version, &i.upper)))
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    pub fn intervals(&self) -> &[Interval] {
        &self.intervals
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// Reads a constraint in the syntax of `scheme`'s ecosystem (see the module documentation).
    pub fn parse(scheme: Scheme, text: &str) -> Result<Self, VersionError> {
        let sets = match scheme {
            Scheme::Semver => npm::parse(text)?,
            Scheme::Gem => vec![gem::parse(text)?],
            Scheme::Composer => composer::parse(text)?,
            _ => vec![
                text.split(',')
                    .map(|c| comparator(scheme, c))
                    .collect::<Result<Vec<_>, _>>()?,
            ],
        };
        let mut out = VersionSet::none(scheme);
        for conjunction in sets {
            let mut set = VersionSet::all(scheme);
            for c in conjunction {
                c.check(scheme, text)?;
                set = set.intersect(&c.into_set(scheme));
            }
            out = out.union(&set);
        }
        Ok(out)
    }

    fn cmp(&self, a: &str, b: &str) -> Ordering {
        // Every version in a set was checked when the set was made.
        compare(self.scheme, a, b).unwrap_or(Ordering::Equal)
    }

    fn above_lower(&self, v: &str, lower: &Option<Bound>) -> bool {
        lower
            .as_ref()
            .is_none_or(|b| match self.cmp(v, &b.version) {
                Ordering::Greater => true,
                Ordering::Equal => b.inclusive,
                Ordering::Less => false,
            })
    }

    fn below_upper(&self, v: &str, upper: &Option<Bound>) -> bool {
        upper
            .as_ref()
            .is_none_or(|b| match self.cmp(v, &b.version) {
                Ordering::Less => true,
                Ordering::Equal => b.inclusive,
                Ordering::Greater => false,
            })
    }

    pub fn contains(&self, version: &str) -> Result<bool, VersionError> {
        Ok(self.interval_of(version)?.is_some())
    }

    /// Lower bounds ordered: unbounded first; at one version, inclusive first.
    fn cmp_lower(&self, a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
        match (a, b) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(a), Some(b)) => self
                .cmp(&a.version, &b.version)
                .then(b.inclusive.cmp(&a.inclusive)),
        }
    }

    /// Upper bounds ordered: unbounded last; at one version, exclusive first.
    fn cmp_upper(&self, a: &Option<Bound>, b: &Option<Bound>) -> Ordering {
        match (a, b) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Greater,
            (_, None) => Ordering::Less,
            (Some(a), Some(b)) => self
                .cmp(&a.version, &b.version)
                .then(a.inclusive.cmp(&b.inclusive)),
        }
    }

    /// Whether an interval ending at `upper` reaches or touches one starting at `lower`.
    fn meets(&self, upper: &Option<Bound>, lower: &Option<Bound>) -> bool {
        match (upper, lower) {
            (None, _) | (_, None) => true,
            (Some(u), Some(l)) => match self.cmp(&u.version, &l.version) {
                Ordering::Greater => true,
                Ordering::Equal => u.inclusive || l.inclusive,
                Ordering::Less => false,
            },
        }
    }

    fn is_empty_interval(&self, i: &Interval) -> bool {
        match (&i.lower, &i.upper) {
            (Some(l), Some(u)) => match self.cmp(&l.version, &u.version) {
                Ordering::Greater => true,
                Ordering::Equal => !(l.inclusive && u.inclusive),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    fn normalized(mut self) -> Self {
        let mut intervals = std::mem::take(&mut self.intervals);
        intervals.retain(|i| !self.is_empty_interval(i));
        intervals.sort_by(|a, b| self.cmp_lower(&a.lower, &b.lower));
        let mut out: Vec<Interval> = Vec::new();
        for i in intervals {
            match out.last_mut() {
                Some(last) if self.meets(&last.upper, &i.lower) => {
                    if self.cmp_upper(&i.upper, &last.upper) == Ordering::Greater {
                        last.upper = i.upper;
                    }
                }
                _ => out.push(i),
            }
        }
        self.intervals = out;
        self
    }

    pub fn union(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = self.intervals.clone();
        intervals.extend(other.intervals.iter().cloned());
        VersionSet {
            scheme: self.scheme,
            intervals,
        }
        .normalized()
    }

    pub fn intersect(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = Vec::new();
        for a in &self.intervals {
            for b in &other.intervals {
                let lower = if self.cmp_lower(&a.lower, &b.lower) == Ordering::Less {
                    b.lower.clone()
                } else {
                    a.lower.clone()
                };
                let upper = if self.cmp_upper(&a.upper, &b.upper) == Ordering::Greater {
                    b.upper.clone()
                } else {
                    a.upper.clone()
                };
                intervals.push(Interval { lower, upper });
            }
        }
        VersionSet {
            scheme: self.scheme,
            intervals,
        }
        .normalized()
    }

    /// Every version not in the set.
    pub fn complement(&self) -> VersionSet {
        let flip = |b: &Bound| Bound {
            version: b.version.clone(),
            inclusive: !b.inclusive,
        };
        let mut out = Vec::new();
        let mut lower: Option<Bound> = None;
        let mut open = true;
        for i in &self.intervals {
            match &i.lower {
                None => {}
                Some(l) => out.push(Interval {
                    lower: if open { lower.clone() } else { None },
                    upper: Some(flip(l)),
                }),
            }
            match &i.upper {
                None => {
                    open = false;
                    break;
                }
                Some(u) => lower = Some(flip(u)),
            }
        }
        if open {
            out.push(Interval { lower, upper: None });
        }
        // The first gap starts unbounded.
        if let Some(first) = self.intervals.first()
            && first.lower.is_some()
            && let Some(gap) = out.first_mut()
        {
            gap.lower = None;
        }
        VersionSet {
            scheme: self.scheme,
            intervals: out,
        }
        .normalized()
    }
}

/// `>= 1.2`, `< 2`, `= 1.0`, `!= 1.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Comparator {
    Ge(String),
    Gt(String),
    Le(String),
    Lt(String),
    Eq(String),
    Ne(String),
    Any,
}

impl Comparator {
    fn version(&self) -> Option<&str> {
        match self {
            Comparator::Ge(v)
            | Comparator::Gt(v)
            | Comparator::Le(v)
            | Comparator::Lt(v)
            | Comparator::Eq(v)
            | Comparator::Ne(v) => Some(v),
            Comparator::Any => None,
        }
    }

    fn check(&self, scheme: Scheme, text: &str) -> Result<(), VersionError> {
        if let Some(v) = self.version() {
            compare(scheme, v, v).map_err(|e| {
                VersionError::invalid(scheme, text, format!("in the constraint: {e}"))
            })?;
        }
        Ok(())
    }

    fn into_set(self, scheme: Scheme) -> VersionSet {
        let one = |lower, upper| VersionSet {
            scheme,
            intervals: vec![Interval { lower, upper }],
        };
        match self {
            Comparator::Ge(v) => one(bound(&v, true), None),
            Comparator::Gt(v) => one(bound(&v, false), None),
            Comparator::Le(v) => one(None, bound(&v, true)),
            Comparator::Lt(v) => one(None, bound(&v, false)),
            Comparator::Eq(v) => one(bound(&v, true), bound(&v, true)),
            Comparator::Ne(v) => VersionSet {
                scheme,
                intervals: vec![
                    Interval {
                        lower: None,
                        upper: bound(&v, false),
                    },
                    Interval {
                        lower: bound(&v, false),
                        upper: None,
                    },
                ],
            },
            Comparator::Any => VersionSet::all(scheme),
        }
    }
}

/// `OP VERSION` with the operators every syntax shares.
fn comparator(scheme: Scheme, text: &str) -> Result<Comparator, VersionError> {
    let t = text.trim();
    type Make = fn(String) -> Comparator;
    let ops: [(&str, Make); 9] = [
        (">=", Comparator::Ge),
        ("<=", Comparator::Le),
        ("!=", Comparator::Ne),
        ("<>", Comparator::Ne),
        ("==", Comparator::Eq),
        (">", Comparator::Gt),
        ("<", Comparator::Lt),
        ("=", Comparator::Eq),
        ("", Comparator::Eq),
    ];
    if t == "*" {
        return Ok(Comparator::Any);
    }
    let (op, make) = ops
        .iter()
        .find(|(op, _)| t.starts_with(op))
        .expect("the empty operator matches");
    let version = t[op.len()..].trim();
    if version.is_empty() {
        return Err(VersionError::invalid(
            scheme,
            text,
            "a comparator needs a version",
        ));
    }
    Ok(make(version.to_string()))
}

mod gem {
    use super::{Comparator, comparator};
    use crate::{Scheme, VersionError};

    /// `Gem::Version#bump`: drop pre-release segments and the last number, add one to the new
    /// last one.
    fn bump(version: &str) -> Option<String> {
        let mut segments: Vec<&str> = version.split(['.', '-']).collect();
        if let Some(first_text) = segments
            .iter()
            .position(|s| !s.bytes().all(|b| b.is_ascii_digit()))
        {
            segments.truncate(first_text);
        }
        if segments.len() > 1 {
            segments.pop();
        }
        let last: u64 = segments.last()?.parse().ok()?;
        let mut out: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
        *out.last_mut()? = (last + 1).to_string();
        Some(out.join("."))
    }

    /// A requirement list: `~> 2.2.8, >= 2.2.8.1` (all must hold).
    pub(super) fn parse(text: &str) -> Result<Vec<Comparator>, VersionError> {
        let mut out = Vec::new();
        for part in text.split(',') {
            let p = part.trim();
            if let Some(v) = p.strip_prefix("~>") {
                let v = v.trim();
                let upper = bump(v).ok_or_else(|| {
                    VersionError::invalid(Scheme::Gem, text, "~> needs a numeric version")
                })?;
                out.push(Comparator::Ge(v.to_string()));
                out.push(Comparator::Lt(upper));
            } else {
                out.push(comparator(Scheme::Gem, p)?);
            }
        }
        Ok(out)
    }

    #[cfg(test)]
    #[test]
    fn bumps_like_rubygems() {
        assert_eq!(bump("2.2.8").as_deref(), Some("2.3"));
        assert_eq!(bump("2").as_deref(), Some("3"));
        assert_eq!(bump("1.0.rc1").as_deref(), Some("2"));
        assert_eq!(bump("5.2.4.3").as_deref(), Some("5.2.5"));
    }
}

mod composer {
    use super::{Comparator, comparator};
    use crate::{Scheme, VersionError};

    fn numbers(v: &str) -> Vec<u64> {
        v.trim_start_matches(['v', 'V'])
            .split('.')
            .map_while(|p| p.parse().ok())
            .collect()
    }

    fn join(parts: &[u64]) -> String {
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }

    fn one(text: &str, part: &str) -> Result<Vec<Comparator>, VersionError> {
        let invalid = |why: &str| VersionError::invalid(Scheme::Composer, text, why);
        // A stability flag (`@dev`) chooses what may be installed, not what is affected.
        let part = part.split('@').next().unwrap_or_default();
        if let Some(v) = part.strip_prefix('^') {
            let n = numbers(v);
            let Some(first_nonzero) = n.iter().position(|x| *x != 0).or(Some(n.len() - 1)) else {
                return Err(invalid("^ needs a version"));
            };
            let mut upper = n[..=first_nonzero].to_vec();
            *upper.last_mut().expect("not empty") += 1;
            return Ok(vec![Comparator::Ge(v.into()), Comparator::Lt(join(&upper))]);
        }
        if let Some(v) = part.strip_prefix('~') {
            let n = numbers(v);
            if n.is_empty() {
                return Err(invalid("~ needs a version"));
            }
            let mut upper = if n.len() == 1 {
                n.clone()
            } else {
                n[..n.len() - 1].to_vec()
            };
            *upper.last_mut().expect("not empty") += 1;
            return Ok(vec![Comparator::Ge(v.into()), Comparator::Lt(join(&upper))]);
        }
        if let Some(prefix) = part.strip_suffix(".*").or_else(|| part.strip_suffix(".x")) {
            let n = numbers(prefix);
            if n.is_empty() {
                return Err(invalid("a wildcard needs a version before it"));
            }
            let mut upper = n.clone();
            *upper.last_mut().expect("not empty") += 1;
            return Ok(vec![Comparator::Ge(join(&n)), Comparator::Lt(join(&upper))]);
        }
        Ok(vec![comparator(Scheme::Composer, part)?])
    }

    /// `A || B` of conjunctions written with commas or spaces; `X - Y` hyphen ranges.
    pub(super) fn parse(text: &str) -> Result<Vec<Vec<Comparator>>, VersionError> {
        let mut sets = Vec::new();
        for alternative in text.split("||").flat_map(|a| a.split('|')) {
            let mut set = Vec::new();
            if let Some((from, to)) = alternative.split_once(" - ") {
                set.push(Comparator::Ge(from.trim().into()));
                set.push(Comparator::Le(to.trim().into()));
            } else {
                // Operators may be followed by spaces: join them to their version first.
                let mut tokens: Vec<String> = Vec::new();
                for token in alternative.split([',', ' ']).filter(|t| !t.is_empty()) {
                    match tokens.last_mut() {
                        Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => {
                            last.push_str(token)
                        }
                        _ => tokens.push(token.to_string()),
                    }
                }
                for token in &tokens {
                    set.extend(one(text, token)?);
                }
            }
            if set.is_empty() {
                set.push(Comparator::Any);
            }
            sets.push(set);
        }
        Ok(sets)
    }
}

mod npm {
    //! node-semver's range grammar, read as with `includePrerelease` (a pre-release is in a
    //! range when its version is between the bounds).
    use super::Comparator;
    use crate::{Scheme, VersionError};

    /// `1`, `1.2`, `1.x`, `1.2.3-beta.1`: `None` for a wildcard or missing part.
    struct Partial {
        major: Option<u64>,
        minor: Option<u64>,
        patch: Option<u64>,
        pre: Option<String>,
    }

    fn partial(text: &str, whole: &str) -> Result<Partial, VersionError> {
        let invalid = |why: &str| VersionError::invalid(Scheme::Semver, whole, why);
        let s = text.trim().trim_start_matches(['=', 'v']);
        let s = s.split('+').next().unwrap_or_default();
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p.to_string())),
            None => (s, None),
        };
        let mut parts = core.split('.');
        let mut next = || -> Result<Option<u64>, VersionError> {
            match parts.next() {
                None | Some("x" | "X" | "*" | "") => Ok(None),
                Some(n) => n
                    .parse()
                    .map(Some)
                    .map_err(|_| invalid("expected a number, x or *")),
            }
        };
        let (major, minor, patch) = (next()?, next()?, next()?);
        if parts.next().is_some() {
            return Err(invalid("more than three version numbers"));
        }
        Ok(Partial {
            major,
            minor,
            patch,
            pre,
        })
    }

    fn v(major: u64, minor: u64, patch: u64, pre: &str) -> String {
        format!("{major}.{minor}.{patch}{pre}")
    }

    fn with_pre(p: &Partial) -> String {
        p.pre.as_ref().map(|x| format!("-{x}")).unwrap_or_default()
    }

    fn caret(p: &Partial) -> Vec<Comparator> {
        use Comparator::{Ge, Lt};
        let Some(ma) = p.major else {
            return vec![Comparator::Any];
        };
        let Some(mi) = p.minor else {
            return vec![Ge(v(ma, 0, 0, "-0")), Lt(v(ma + 1, 0, 0, "-0"))];
        };
        let Some(pa) = p.patch else {
            return if ma == 0 {
                vec![Ge(v(ma, mi, 0, "-0")), Lt(v(ma, mi + 1, 0, "-0"))]
            } else {
                vec![Ge(v(ma, mi, 0, "-0")), Lt(v(ma + 1, 0, 0, "-0"))]
            };
        };
        let low = match &p.pre {
            Some(_) => v(ma, mi, pa, &with_pre(p)),
            None => v(ma, mi, pa, "-0"),
        };
        let high = if ma == 0 && mi == 0 {
            v(ma, mi, pa + 1, "-0")
        } else if ma == 0 {
            v(ma, mi + 1, 0, "-0")
        } else {
            v(ma + 1, 0, 0, "-0")
        };
        vec![Ge(low), Lt(high)]
    }

    fn tilde(p: &Partial) -> Vec<Comparator> {
        use Comparator::{Ge, Lt};
        let Some(ma) = p.major else {
            return vec![Comparator::Any];
        };
        let Some(mi) = p.minor else {
            return vec![Ge(v(ma, 0, 0, "-0")), Lt(v(ma + 1, 0, 0, "-0"))];
        };
        let low = match p.patch {
            None => v(ma, mi, 0, "-0"),
            Some(pa) => v(ma, mi, pa, &with_pre(p)),
        };
        vec![Ge(low), Lt(v(ma, mi + 1, 0, "-0"))]
    }

    fn x_range(op: &str, p: &Partial) -> Vec<Comparator> {
        use Comparator::{Eq, Ge, Gt, Le, Lt};
        let Some(ma) = p.major else {
            return if matches!(op, "<" | ">") {
                vec![Lt(v(0, 0, 0, "-0"))]
            } else {
                vec![Comparator::Any]
            };
        };
        match (p.minor, p.patch) {
            (Some(mi), Some(pa)) => {
                let ver = v(ma, mi, pa, &with_pre(p));
                vec![match op {
                    ">=" => Ge(ver),
                    ">" => Gt(ver),
                    "<=" => Le(ver),
                    "<" => Lt(ver),
                    _ => Eq(ver),
                }]
            }
            (minor, _) => {
                let mi = minor.unwrap_or(0);
                // The first version after the wildcard's span.
                let next = match minor {
                    None => v(ma + 1, 0, 0, "-0"),
                    Some(mi) => v(ma, mi + 1, 0, "-0"),
                };
                match op {
                    ">" | "<=" => vec![if op == ">" { Ge(next) } else { Lt(next) }],
                    ">=" => vec![Ge(v(ma, mi, 0, "-0"))],
                    "<" => vec![Lt(v(ma, mi, 0, "-0"))],
                    _ => vec![Ge(v(ma, mi, 0, "-0")), Lt(next)],
                }
            }
        }
    }

    fn hyphen(from: &Partial, to: &Partial) -> Vec<Comparator> {
        use Comparator::{Ge, Le, Lt};
        let mut out = Vec::new();
        if let Some(ma) = from.major {
            out.push(Ge(match (from.minor, from.patch) {
                (None, _) => v(ma, 0, 0, "-0"),
                (Some(mi), None) => v(ma, mi, 0, "-0"),
                (Some(mi), Some(pa)) => match &from.pre {
                    Some(_) => v(ma, mi, pa, &with_pre(from)),
                    None => v(ma, mi, pa, "-0"),
                },
            }));
        }
        if let Some(ma) = to.major {
            out.push(match (to.minor, to.patch) {
                (None, _) => Lt(v(ma + 1, 0, 0, "-0")),
                (Some(mi), None) => Lt(v(ma, mi + 1, 0, "-0")),
                (Some(mi), Some(pa)) => match &to.pre {
                    Some(_) => Le(v(ma, mi, pa, &with_pre(to))),
                    None => Lt(v(ma, mi, pa + 1, "-0")),
                },
            });
        }
        if out.is_empty() {
            out.push(Comparator::Any);
        }
        out
    }

    pub(super) fn parse(text: &str) -> Result<Vec<Vec<Comparator>>, VersionError> {
        let mut sets = Vec::new();
        for alternative in text.split("||") {
            let alternative = alternative.trim();
            let mut set = Vec::new();
            if let Some((from, to)) = alternative.split_once(" - ") {
                set = hyphen(&partial(from, text)?, &partial(to, text)?);
            } else {
                let mut tokens: Vec<String> = Vec::new();
                for token in alternative.split_whitespace() {
                    match tokens.last_mut() {
                        Some(last) if last.chars().all(|c| "<>=~^".contains(c)) => {
                            last.push_str(token)
                        }
                        _ => tokens.push(token.to_string()),
                    }
                }
                for token in tokens {
                    let t = token.as_str();
                    if let Some(rest) = t.strip_prefix("~>").or_else(|| t.strip_prefix('~')) {
                        set.extend(tilde(&partial(rest, text)?));
                    } else if let Some(rest) = t.strip_prefix('^') {
                        set.extend(caret(&partial(rest, text)?));
                    } else {
                        let op_len = t.find(|c: char| !"<>=".contains(c)).unwrap_or(t.len());
                        let (op, rest) = t.split_at(op_len);
                        if !matches!(op, "" | "=" | "<" | ">" | "<=" | ">=") {
                            return Err(VersionError::invalid(
                                Scheme::Semver,
                                text,
                                format!("unknown operator {op:?}"),
                            ));
                        }
                        set.extend(x_range(op, &partial(rest, text)?));
                    }
                }
            }
            if set.is_empty() {
                set.push(Comparator::Any);
            }
            sets.push(set);
        }
        Ok(sets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(scheme: Scheme, text: &str) -> VersionSet {
        VersionSet::parse(scheme, text).unwrap()
    }

    #[test]
    fn rubygems_requirements() {
        let patched =
            set(Scheme::Gem, "~> 2.2.8, >= 2.2.8.1").union(&set(Scheme::Gem, ">= 3.0.9.1"));
        let unaffected = set(Scheme::Gem, "< 1.3.0");
        let affected = patched.union(&unaffected).complement();
        for (v, want) in [
            ("1.2.9", false),
            ("1.3.0", true),
            ("2.2.8", true),
            ("2.2.8.1", false),
            ("2.2.9", false),
            ("2.3.0", true),
            ("3.0.9", true),
            ("3.0.9.1", false),
            ("3.1.0", false),
        ] {
            assert_eq!(affected.contains(v).unwrap(), want, "{v}");
        }
        assert_eq!(affected.intervals().len(), 2);
        assert!(VersionSet::parse(Scheme::Gem, ">= not-a-version!").is_err());
    }

    #[test]
    fn composer_constraints() {
        let s = set(Scheme::Composer, ">=6.4.0,<6.4.40 || ^7.1");
        for (v, want) in [
            ("6.3.9", false),
            ("6.4.0", true),
            ("6.4.39", true),
            ("6.4.40", false),
            ("7.0.0", false),
            ("7.1.0", true),
            ("7.9.9", true),
            ("8.0.0", false),
        ] {
            assert_eq!(s.contains(v).unwrap(), want, "{v}");
        }
        assert!(set(Scheme::Composer, "~1.2").contains("1.9").unwrap());
        assert!(!set(Scheme::Composer, "~1.2.3").contains("1.3.0").unwrap());
        assert!(set(Scheme::Composer, "2.1.*").contains("2.1.7").unwrap());
        assert!(
            set(Scheme::Composer, ">= 1.0 < 2.0")
                .contains("1.5")
                .unwrap()
        );
    }

    #[test]
    fn npm_ranges() {
        let s = set(Scheme::Semver, "^1.2.3 || >=3.0.0 <3.1.0");
        for (v, want) in [
            ("1.2.2", false),
            ("1.2.3", true),
            ("1.99.0", true),
            ("2.0.0", false),
            ("3.0.5", true),
            ("3.1.0", false),
        ] {
            assert_eq!(s.contains(v).unwrap(), want, "{v}");
        }
        assert!(set(Scheme::Semver, "~0.2").contains("0.2.9").unwrap());
        assert!(!set(Scheme::Semver, "^0.0.3").contains("0.0.4").unwrap());
        assert!(set(Scheme::Semver, "1.x").contains("1.8.0").unwrap());
        assert!(
            set(Scheme::Semver, "1.2.3 - 2.3")
                .contains("2.3.9")
                .unwrap()
        );
        assert!(set(Scheme::Semver, "*").contains("0.0.1").unwrap());
        assert!(VersionSet::parse(Scheme::Semver, "=> 1.0.0").is_err());
    }

    #[test]
    fn complement_and_union_are_exact() {
        let s = set(Scheme::Semver, ">1.0.0 <=2.0.0");
        let c = s.complement();
        for v in ["0.5.0", "1.0.0", "1.5.0", "2.0.0", "2.0.1"] {
            assert_ne!(s.contains(v).unwrap(), c.contains(v).unwrap(), "{v}");
        }
        assert_eq!(c.complement(), s);
        assert_eq!(s.union(&c), VersionSet::all(Scheme::Semver));
        assert!(s.intersect(&c).is_empty());
    }
}
