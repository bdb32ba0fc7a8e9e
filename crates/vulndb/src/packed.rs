//! The lookup records: every candidate advisory of one package key packed into one binary
//! record, stored as one row of the `lookup` table. A lookup is then one read of an integer
//! key and the decoding of one contiguous record, instead of one row and one JSON document per
//! candidate.
//!
//! Record layout (little-endian): for each (ecosystem, package) filed under the key (a hash
//! collision files several): ecosystem, package, candidate count, then per candidate: the
//! advisory row, its id, the fix state, the severity, the ranges (kind, events) and the listed
//! versions. Strings are a u32 length and UTF-8 bytes.

use crate::model::{Affected, Event, FixState, Range};

/// Packs candidates into one record per key.
#[derive(Default)]
pub(crate) struct Writer {
    key: Option<i64>,
    record: Vec<u8>,
    current: Option<(String, String, u32, usize)>,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn state_code(s: FixState) -> u8 {
    match s {
        FixState::Fixed => 0,
        FixState::NotFixed => 1,
        FixState::WontFix => 2,
        FixState::NotAffected => 3,
        FixState::Unknown => 4,
    }
}

impl Writer {
    /// Adds one candidate; calls must come grouped by key and then by (ecosystem, package).
    /// Returns the finished record of the previous key when the key changes.
    pub(crate) fn add(
        &mut self,
        key: i64,
        advisory: i64,
        id: &str,
        affected: &Affected,
    ) -> Option<(i64, Vec<u8>)> {
        let finished = if self.key != Some(key) {
            let done = self.finish();
            self.key = Some(key);
            done
        } else {
            None
        };
        let same = matches!(&self.current, Some((e, p, _, _))
            if *e == affected.ecosystem && *p == affected.package);
        if !same {
            self.finish_package();
            let start = self.record.len();
            put_str(&mut self.record, &affected.ecosystem);
            put_str(&mut self.record, &affected.package);
            self.record.extend_from_slice(&0u32.to_le_bytes());
            self.current = Some((
                affected.ecosystem.clone(),
                affected.package.clone(),
                0,
                start,
            ));
        }
        if let Some(current) = self.current.as_mut() {
            current.2 += 1;
        }
        let out = &mut self.record;
        out.extend_from_slice(&advisory.to_le_bytes());
        put_str(out, id);
        out.push(state_code(affected.state));
        match &affected.severity {
            Some(s) => {
                out.push(1);
                put_str(out, s);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&(affected.ranges.len() as u32).to_le_bytes());
        for r in &affected.ranges {
            put_str(out, &r.kind);
            out.extend_from_slice(&(r.events.len() as u32).to_le_bytes());
            for e in &r.events {
                let (tag, v) = match e {
                    Event::Introduced(v) => (0u8, v),
                    Event::IntroducedAfter(v) => (1, v),
                    Event::Fixed(v) => (2, v),
                    Event::LastAffected(v) => (3, v),
                    Event::Limit(v) => (4, v),
                };
                out.push(tag);
                put_str(out, v);
            }
        }
        out.extend_from_slice(&(affected.versions.len() as u32).to_le_bytes());
        for v in &affected.versions {
            put_str(out, v);
        }
        finished
    }

    /// Writes the candidate count of the package being packed.
    fn finish_package(&mut self) {
        if let Some((eco, package, count, start)) = self.current.take() {
            let count_at = start + 4 + eco.len() + 4 + package.len();
            self.record[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
        }
    }

    /// The record of the key being packed, if any.
    pub(crate) fn finish(&mut self) -> Option<(i64, Vec<u8>)> {
        self.finish_package();
        let key = self.key.take()?;
        Some((key, std::mem::take(&mut self.record)))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at + n)?;
        self.at += n;
        Some(slice)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
    fn i64(&mut self) -> Option<i64> {
        self.take(8)
            .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

/// A candidate as the index holds it.
pub(crate) struct Packed {
    pub(crate) advisory: i64,
    pub(crate) id: String,
    pub(crate) affected: Affected,
}

/// The candidates in `record` for exactly (`ecosystem`, `package`); `None` when the record is
/// damaged.
pub(crate) fn decode(record: &[u8], ecosystem: &str, package: &str) -> Option<Vec<Packed>> {
    let mut r = Reader {
        bytes: record,
        at: 0,
    };
    let mut out = Vec::new();
    while r.at < record.len() {
        let (eco, name) = (r.str()?, r.str()?);
        let mine = eco == ecosystem && name == package;
        let count = r.u32()?;
        for _ in 0..count {
            let c = candidate(&mut r, ecosystem, package)?;
            if mine {
                out.push(c);
            }
        }
    }
    Some(out)
}

fn candidate(r: &mut Reader<'_>, ecosystem: &str, package: &str) -> Option<Packed> {
    let advisory = r.i64()?;
    let id = r.str()?.to_string();
    let state = match r.u8()? {
        0 => FixState::Fixed,
        1 => FixState::NotFixed,
        2 => FixState::WontFix,
        3 => FixState::NotAffected,
        4 => FixState::Unknown,
        _ => return None,
    };
    let severity = match r.u8()? {
        0 => None,
        _ => Some(r.str()?.to_string()),
    };
    let mut ranges = Vec::new();
    for _ in 0..r.u32()? {
        let kind = r.str()?.to_string();
        let mut events = Vec::new();
        for _ in 0..r.u32()? {
            let tag = r.u8()?;
            let v = r.str()?.to_string();
            events.push(match tag {
                0 => Event::Introduced(v),
                1 => Event::IntroducedAfter(v),
                2 => Event::Fixed(v),
                3 => Event::LastAffected(v),
                4 => Event::Limit(v),
                _ => return None,
            });
        }
        ranges.push(Range { kind, events });
    }
    let mut versions = Vec::new();
    for _ in 0..r.u32()? {
        versions.push(r.str()?.to_string());
    }
    Some(Packed {
        advisory,
        id,
        affected: Affected {
            ecosystem: ecosystem.to_string(),
            package: package.to_string(),
            state,
            ranges,
            versions,
            severity,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn affected(ecosystem: &str, package: &str, state: FixState, versions: &[&str]) -> Affected {
        Affected {
            ecosystem: ecosystem.into(),
            package: package.into(),
            state,
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events: vec![
                    Event::Introduced("0".into()),
                    Event::Fixed("2.2.28".into()),
                    Event::LastAffected("3.0".into()),
                ],
            }],
            versions: versions.iter().map(|v| v.to_string()).collect(),
            severity: Some("HIGH".into()),
        }
    }

    /// Two packages filed under one key (as a hash collision files them), each decoded back
    /// exactly and only for its own name.
    #[test]
    fn a_record_decodes_to_what_was_packed_per_package() {
        let django = affected("PyPI", "django", FixState::Fixed, &["1.0", "1.1"]);
        let other = affected("npm", "lodash", FixState::WontFix, &[]);
        let mut writer = Writer::default();
        assert!(writer.add(7, 1, "GHSA-a", &django).is_none());
        assert!(writer.add(7, 2, "GHSA-b", &django).is_none());
        assert!(writer.add(7, 3, "GHSA-c", &other).is_none());
        let (key, record) = writer.finish().expect("a record");
        assert_eq!(key, 7);

        let found = decode(&record, "PyPI", "django").expect("decodes");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].advisory, found[0].id.as_str()), (1, "GHSA-a"));
        assert_eq!((found[1].advisory, found[1].id.as_str()), (2, "GHSA-b"));
        assert_eq!(found[0].affected, django);
        let lodash = decode(&record, "npm", "lodash").expect("decodes");
        assert_eq!(lodash.len(), 1);
        assert_eq!(lodash[0].affected, other);
        assert!(
            decode(&record, "npm", "django")
                .expect("decodes")
                .is_empty()
        );
    }

    #[test]
    fn a_new_key_hands_back_the_previous_record() {
        let a = affected("PyPI", "a", FixState::Fixed, &[]);
        let mut writer = Writer::default();
        assert!(writer.add(1, 1, "X", &a).is_none());
        let (key, first) = writer.add(2, 2, "Y", &a).expect("key 1 finished");
        assert_eq!(key, 1);
        assert_eq!(decode(&first, "PyPI", "a").unwrap()[0].id, "X");
        assert_eq!(writer.finish().unwrap().0, 2);
        assert!(writer.finish().is_none());
    }

    /// Every truncation of a record, and a bad tag, is reported as damage, never a panic or a
    /// silently shorter list.
    #[test]
    fn a_damaged_record_is_refused() {
        let mut writer = Writer::default();
        writer.add(1, 1, "X", &affected("PyPI", "a", FixState::Fixed, &["1.0"]));
        let (_, record) = writer.finish().unwrap();
        for cut in 1..record.len() {
            assert!(
                decode(&record[..cut], "PyPI", "a").is_none(),
                "cut at {cut}"
            );
        }
        let mut bad_state = record.clone();
        let state_at = 4 + 4 + 4 + 1 + 4 + 8 + 4 + 1;
        bad_state[state_at] = 9;
        assert!(decode(&bad_state, "PyPI", "a").is_none());
    }
}
