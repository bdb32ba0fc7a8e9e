//! CVSS v4.0 scores (FIRST's specification, section 8): a vector falls into a "macrovector"
//! (six equivalence classes, EQ1–EQ6) whose score FIRST publishes, and the score is then lowered
//! by how far the vector sits, within its macrovector, from the macrovector's most severe
//! vectors, in proportion to the gap to the next lower macrovector.

/// FIRST's published score of every macrovector, times ten, indexed by the six EQ levels
/// (EQ1 0–2, EQ2 0–1, EQ3 0–2, EQ4 0–2, EQ5 0–2, EQ6 0–1, last fastest); 255 marks the
/// combinations that cannot occur (EQ3 = 2 with EQ6 = 0).
#[rustfmt::skip]
const MACROVECTOR_SCORES: [u8; 324] = [
    100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68,
    98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48,
    255, 92, 255, 82, 255, 72, 255, 79, 255, 69, 255, 50, 255, 69, 255, 55, 255, 27,
    99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53,
    95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30,
    255, 86, 255, 75, 255, 52, 255, 71, 255, 52, 255, 29, 255, 63, 255, 29, 255, 17,
    98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49,
    94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25,
    255, 83, 255, 70, 255, 54, 255, 65, 255, 58, 255, 26, 255, 53, 255, 21, 255, 13,
    95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30,
    89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16,
    255, 71, 255, 59, 255, 30, 255, 58, 255, 26, 255, 15, 255, 23, 255, 13, 255, 6,
    93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22,
    85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8,
    255, 64, 255, 51, 255, 20, 255, 47, 255, 21, 255, 11, 255, 24, 255, 9, 255, 4,
    88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11,
    75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2,
    255, 53, 255, 24, 255, 14, 255, 24, 255, 12, 255, 5, 255, 10, 255, 3, 255, 1,
];

fn lookup(eq: [u8; 6]) -> Option<f64> {
    let limits = [3u8, 2, 3, 3, 3, 2];
    if eq.iter().zip(limits).any(|(e, l)| *e >= l) {
        return None;
    }
    let mut index = 0usize;
    for (e, l) in eq.iter().zip(limits) {
        index = index * usize::from(l) + usize::from(*e);
    }
    match MACROVECTOR_SCORES[index] {
        255 => None,
        v => Some(f64::from(v) / 10.0),
    }
}

/// The metrics of a vector, with the effective value of each (a modified environmental
/// metric overrides the base one; unset threat and requirement metrics take their defaults).
struct Vector {
    values: Vec<(String, String)>,
}

impl Vector {
    fn parse(vector: &str) -> Option<Vector> {
        let rest = vector.strip_prefix("CVSS:4.0/")?;
        let mut values: Vec<(String, String)> = Vec::new();
        for part in rest.split('/') {
            let (k, v) = part.split_once(':')?;
            if values.iter().any(|(key, _)| key == k) {
                return None;
            }
            values.push((k.to_string(), v.to_string()));
        }
        let allowed = |k: &str, v: &str| -> Option<bool> {
            let options: &[&str] = match k {
                "AV" => &["N", "A", "L", "P"],
                "AC" => &["L", "H"],
                "AT" => &["N", "P"],
                "PR" => &["N", "L", "H"],
                "UI" => &["N", "P", "A"],
                "VC" | "VI" | "VA" | "SC" | "SI" | "SA" => &["H", "L", "N"],
                "E" => &["X", "A", "P", "U"],
                "CR" | "IR" | "AR" => &["X", "H", "M", "L"],
                "MAV" => &["X", "N", "A", "L", "P"],
                "MAC" => &["X", "L", "H"],
                "MAT" => &["X", "N", "P"],
                "MPR" => &["X", "N", "L", "H"],
                "MUI" => &["X", "N", "P", "A"],
                "MVC" | "MVI" | "MVA" | "MSC" => &["X", "H", "L", "N"],
                "MSI" | "MSA" => &["X", "S", "H", "L", "N"],
                // Supplemental metrics do not change the score.
                "S" | "AU" | "R" | "V" | "RE" | "U" => return Some(true),
                _ => return None,
            };
            Some(options.contains(&v))
        };
        for (k, v) in &values {
            if !allowed(k, v)? {
                return None;
            }
        }
        let v = Vector { values };
        for base in [
            "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
        ] {
            v.raw(base)?;
        }
        Some(v)
    }

    fn raw(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value that counts for a metric.
    fn m(&self, key: &str) -> &str {
        let base = self.raw(key).unwrap_or("X");
        match (key, base) {
            ("E", "X") => return "A",
            ("CR" | "IR" | "AR", "X") => return "H",
            _ => {}
        }
        match self.raw(&format!("M{key}")) {
            Some(modified) if modified != "X" => modified,
            _ => base,
        }
    }

    fn eq(&self) -> [u8; 6] {
        let is = |k: &str, v: &str| self.m(k) == v;
        let eq1 = if is("AV", "N") && is("PR", "N") && is("UI", "N") {
            0
        } else if (is("AV", "N") || is("PR", "N") || is("UI", "N")) && !is("AV", "P") {
            1
        } else {
            2
        };
        let eq2 = if is("AC", "L") && is("AT", "N") { 0 } else { 1 };
        let eq3 = if is("VC", "H") && is("VI", "H") {
            0
        } else if is("VC", "H") || is("VI", "H") || is("VA", "H") {
            1
        } else {
            2
        };
        let eq4 = if is("MSI", "S") || is("MSA", "S") {
            0
        } else if is("SC", "H") || is("SI", "H") || is("SA", "H") {
            1
        } else {
            2
        };
        let eq5 = match self.m("E") {
            "A" => 0,
            "P" => 1,
            _ => 2,
        };
        let eq6 = if (is("CR", "H") && is("VC", "H"))
            || (is("IR", "H") && is("VI", "H"))
            || (is("AR", "H") && is("VA", "H"))
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }
}

/// How far each metric value sits from the most severe one, in tenths.
fn level(metric: &str, value: &str) -> f64 {
    let tenths = match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 2,
        ("AV", "P") => 3,
        ("VC" | "VI" | "VA", "H") => 0,
        ("VC" | "VI" | "VA", "L") => 1,
        ("VC" | "VI" | "VA", "N") => 2,
        ("SI" | "SA", "S") => 0,
        ("SC" | "SI" | "SA", "H") => 1,
        ("SC" | "SI" | "SA", "L") => 2,
        ("SC" | "SI" | "SA", "N") => 3,
        ("CR" | "IR" | "AR", "H") => 0,
        ("CR" | "IR" | "AR", "M") => 1,
        ("CR" | "IR" | "AR", "L") => 2,
        _ => 0,
    };
    f64::from(tenths) / 10.0
}

/// The most severe vectors of each EQ level, as the specification lists them (EQ3 and EQ6
/// together), written as metric=value pairs.
fn max_vectors(eq: usize, level: u8, eq6: u8) -> &'static [&'static str] {
    match (eq, level, eq6) {
        (1, 0, _) => &["AV:N/PR:N/UI:N"],
        (1, 1, _) => &["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
        (1, 2, _) => &["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
        (2, 0, _) => &["AC:L/AT:N"],
        (2, 1, _) => &["AC:H/AT:N", "AC:L/AT:P"],
        (3, 0, 0) => &["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
        (3, 0, 1) => &[
            "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H",
            "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M",
        ],
        (3, 1, 0) => &[
            "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H",
            "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H",
        ],
        (3, 1, 1) => &[
            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H",
            "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
            "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
            "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
        ],
        (3, 2, _) => &["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
        (4, 0, _) => &["SC:H/SI:S/SA:S"],
        (4, 1, _) => &["SC:H/SI:H/SA:H"],
        (4, 2, _) => &["SC:L/SI:L/SA:L"],
        _ => &[],
    }
}

/// The depth of each EQ level (in tenths): how far its least severe vector is from its most
/// severe.
fn depth(eq: usize, level: u8, eq6: u8) -> f64 {
    let tenths = match (eq, level, eq6) {
        (1, 0, _) => 1,
        (1, 1, _) => 4,
        (1, 2, _) => 5,
        (2, 0, _) => 1,
        (2, 1, _) => 2,
        (3, 0, 0) => 7,
        (3, 0, 1) => 6,
        (3, 1, _) => 8,
        (3, 2, _) => 10,
        (4, 0, _) => 6,
        (4, 1, _) => 5,
        (4, 2, _) => 4,
        _ => 1,
    };
    f64::from(tenths) / 10.0
}

/// The CVSS v4.0 score of a vector (base, threat and environmental metrics all count), `None`
/// when it is not a valid v4.0 vector.
pub(crate) fn score(vector: &str) -> Option<f64> {
    let v = Vector::parse(vector)?;
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|k| v.m(k) == "N")
    {
        return Some(0.0);
    }
    let eq = v.eq();
    let value = lookup(eq)?;

    // Each metric's distance from the chosen most severe vector: the first of the
    // macrovector's most severe vectors that the vector is nowhere more severe than.
    let metrics = [
        "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
    ];
    let mut distances = [0.0f64; 14];
    let (e1, e2, e3, e4, e6) = (eq[0], eq[1], eq[2], eq[3], eq[5]);
    'search: for a in max_vectors(1, e1, 0) {
        for b in max_vectors(2, e2, 0) {
            for c in max_vectors(3, e3, e6) {
                for d in max_vectors(4, e4, 0) {
                    let max = format!("{a}/{b}/{c}/{d}");
                    let max_value = |k: &str| {
                        max.split('/')
                            .find_map(|p| p.strip_prefix(k)?.strip_prefix(':'))
                            .unwrap_or("")
                    };
                    for (slot, k) in distances.iter_mut().zip(metrics) {
                        *slot = level(k, v.m(k)) - level(k, max_value(k));
                    }
                    if distances.iter().all(|d| *d >= 0.0) {
                        break 'search;
                    }
                }
            }
        }
    }
    let sum = |range: std::ops::Range<usize>| -> f64 { distances[range].iter().sum() };
    let current = [
        sum(0..3),
        sum(3..5),
        sum(5..8) + sum(11..14),
        sum(8..11),
        0.0,
    ];

    // The next lower macrovector along each EQ (EQ3 and EQ6 move together).
    let bump = |i: usize| {
        let mut next = eq;
        next[i] += 1;
        next
    };
    let eq3eq6_next = match (e3, e6) {
        (0, 0) => {
            let left = lookup(bump(5));
            let right = lookup(bump(2));
            match (left, right) {
                (Some(l), Some(r)) => Some(l.max(r)),
                _ => None,
            }
        }
        (1, 0) => lookup(bump(5)),
        (_, 1) => lookup(bump(2)),
        _ => {
            let mut both = eq;
            both[2] += 1;
            both[5] += 1;
            lookup(both)
        }
    };
    let next_lower = [
        lookup(bump(0)),
        lookup(bump(1)),
        eq3eq6_next,
        lookup(bump(3)),
        lookup(bump(4)),
    ];
    let depths = [
        depth(1, e1, 0),
        depth(2, e2, 0),
        depth(3, e3, e6),
        depth(4, e4, 0),
        1.0,
    ];
    let mut count = 0;
    let mut total = 0.0;
    for i in 0..5 {
        if let Some(lower) = next_lower[i] {
            let available = value - lower;
            if available >= 0.0 {
                count += 1;
                total += available * (current[i] / depths[i]);
            }
        }
    }
    let mean = if count == 0 {
        0.0
    } else {
        total / f64::from(count)
    };
    let adjusted = (value - mean).clamp(0.0, 10.0);
    // One decimal, halves away from zero; the small nudge keeps 1.4499999… at 1.5.
    Some(((adjusted + 1e-6) * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn published_examples() {
        for (vector, expected) in [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ] {
            assert_eq!(score(vector), Some(expected), "{vector}");
        }
        assert_eq!(score("CVSS:4.0/AV:N/AC:L"), None);
        assert_eq!(
            score("CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            None
        );
    }
}
