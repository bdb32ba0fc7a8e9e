//! CVSS scores from vectors: version 4.0 (see [`crate::cvss4`]), 3.0 and 3.1 (FIRST's
//! specification, section 7) and version 2 (section 3.2.1).

/// The score of a CVSS v2, v3.x or v4.0 vector, `None` when the vector is not one.
pub fn base_score(vector: &str) -> Option<f64> {
    if vector.starts_with("CVSS:3.") {
        v3(vector)
    } else if vector.starts_with("CVSS:4") {
        crate::cvss4::score(vector)
    } else {
        v2(vector.trim_start_matches('(').trim_end_matches(')'))
    }
}

/// The qualitative rating of a v3 (or v4) score.
pub fn rating(score: f64) -> &'static str {
    if score <= 0.0 {
        "NONE"
    } else if score < 4.0 {
        "LOW"
    } else if score < 7.0 {
        "MEDIUM"
    } else if score < 9.0 {
        "HIGH"
    } else {
        "CRITICAL"
    }
}

fn metrics(parts: &[&str]) -> Option<Vec<(String, String)>> {
    parts
        .iter()
        .map(|p| {
            let (k, v) = p.split_once(':')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

fn get<'a>(m: &'a [(String, String)], key: &str) -> Option<&'a str> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A CVSS v3.x vector's scores: base, and the exploitability and impact sub-scores (rounded
/// to one decimal, as NVD shows them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct V3Scores {
    pub base: f64,
    pub exploitability: f64,
    pub impact: f64,
}

/// The scores of a CVSS v3.0 or v3.1 vector.
pub fn v3_scores(vector: &str) -> Option<V3Scores> {
    if !vector.starts_with("CVSS:3.") {
        return None;
    }
    let (base, impact, exploitability) = v3_parts(vector)?;
    let one_decimal = |x: f64| (x.max(0.0) * 10.0).round() / 10.0;
    Some(V3Scores {
        base,
        exploitability: one_decimal(exploitability),
        impact: one_decimal(impact),
    })
}

fn v3(vector: &str) -> Option<f64> {
    v3_parts(vector).map(|(base, _, _)| base)
}

/// The base score, the impact and the exploitability of a v3 vector.
fn v3_parts(vector: &str) -> Option<(f64, f64, f64)> {
    let parts: Vec<&str> = vector.split('/').collect();
    let version = parts.first()?.strip_prefix("CVSS:")?;
    let m = metrics(&parts[1..])?;
    let changed = match get(&m, "S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match get(&m, "AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match get(&m, "AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (get(&m, "PR")?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match get(&m, "UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |key: &str| -> Option<f64> {
        match get(&m, key)? {
            "H" => Some(0.56),
            "L" => Some(0.22),
            "N" => Some(0.0),
            _ => None,
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some((0.0, impact, exploitability));
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    let base = if version == "3.0" {
        (raw * 10.0).ceil() / 10.0
    } else {
        round_up_31(raw)
    };
    Some((base, impact, exploitability))
}

/// CVSS 3.1's Roundup: the smallest number with one decimal at or above the input, computed so
/// that floating-point noise does not push 4.0000000001 to 4.1.
fn round_up_31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

fn v2(vector: &str) -> Option<f64> {
    let parts: Vec<&str> = vector.split('/').collect();
    let m = metrics(&parts)?;
    let av = match get(&m, "AV")? {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        _ => return None,
    };
    let ac = match get(&m, "AC")? {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        _ => return None,
    };
    let au = match get(&m, "Au")? {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        _ => return None,
    };
    let cia = |key: &str| -> Option<f64> {
        match get(&m, key)? {
            "N" => Some(0.0),
            "P" => Some(0.275),
            "C" => Some(0.660),
            _ => None,
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let score = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Some((score * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::base_score;

    #[test]
    fn v3_sub_scores() {
        // Log4Shell as NVD shows it: 10.0, exploitability 3.9, impact 6.0.
        let s = super::v3_scores("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").unwrap();
        assert_eq!((s.base, s.exploitability, s.impact), (10.0, 3.9, 6.0));
        let s = super::v3_scores("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((s.base, s.exploitability, s.impact), (9.8, 3.9, 5.9));
        assert!(super::v3_scores("AV:N/AC:L/Au:N/C:P/I:P/A:P").is_none());
    }

    #[test]
    fn published_scores() {
        for (vector, score) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
            ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
            ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
        ] {
            assert_eq!(base_score(vector), Some(score), "{vector}");
        }
        assert_eq!(base_score("CVSS:3.1/AV:X/AC:L"), None);
        assert_eq!(
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(super::rating(9.8), "CRITICAL");
        assert_eq!(super::rating(5.3), "MEDIUM");
    }
}
