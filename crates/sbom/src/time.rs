use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A UTC time written as RFC 3339 (`2026-12-03T17:26:12Z`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp(String);

impl Timestamp {
    /// Now, unless `SOURCE_DATE_EPOCH` is set (reproducible builds' convention), which then wins.
    pub fn now_or_source_date_epoch() -> Self {
        let seconds = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0)
            });
        Self::from_unix(seconds)
    }

    pub fn from_unix(seconds: i64) -> Self {
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        Timestamp(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unix seconds of an RFC 3339 time (`2024-01-31T12:00:00Z`, `...+02:00`, fractions of a
    /// second) or a plain date (`2024-01-31`, midnight UTC); `None` when it is neither.
    pub fn parse_unix(text: &str) -> Option<i64> {
        let t = text.trim();
        let date = t.get(..10)?;
        let mut parts = date.split('-');
        let (y, m, d): (i64, u32, u32) = (
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
        );
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || date.as_bytes()[4] != b'-' {
            return None;
        }
        let days = days_from_civil(y, m, d);
        let rest = &t[10..];
        if rest.is_empty() {
            return Some(days * 86_400);
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let (clock, offset) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => rest.split_at(i),
            None => return None,
        };
        let clock = clock.split('.').next()?;
        let mut hms = clock.split(':');
        let (h, min, s): (i64, i64, i64) = (
            hms.next()?.parse().ok()?,
            hms.next()?.parse().ok()?,
            hms.next().unwrap_or("0").parse().ok()?,
        );
        if h > 23 || min > 59 || s > 60 {
            return None;
        }
        let offset_seconds = match offset {
            "Z" | "z" => 0,
            o => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let (oh, om) = o[1..].split_once(':')?;
                sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
            }
        };
        Some(days * 86_400 + h * 3600 + min * 60 + s - offset_seconds)
    }
}

/// A proleptic Gregorian date to days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_what_it_formats_and_rfc3339_offsets() {
        for seconds in [0, 86_399, 1_700_000_000, 951_782_400] {
            let t = super::Timestamp::from_unix(seconds);
            assert_eq!(super::Timestamp::parse_unix(t.as_str()), Some(seconds));
        }
        let p = super::Timestamp::parse_unix;
        assert_eq!(p("1970-01-02"), Some(86_400));
        assert_eq!(p("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(p("1970-01-01T00:00:10.5Z"), Some(10));
        assert_eq!(p("2024-13-01"), None);
        assert_eq!(p("yesterday"), None);
        assert_eq!(p("2024-01-01T10:00"), None);
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(
            super::Timestamp::from_unix(0).as_str(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            super::Timestamp::from_unix(1_796_318_772).as_str(),
            "2026-12-03T17:26:12Z"
        );
        assert_eq!(
            super::Timestamp::from_unix(951_782_400).as_str(),
            "2000-02-29T00:00:00Z"
        );
    }
}
