//! Every CVSS v2, v3.0 and v3.1 base vector, every CVSS v4.0 base vector and thousands of v4.0
//! vectors with threat and environmental metrics, scored by customs and by the Python `cvss`
//! package (Red Hat's implementation of FIRST's specifications): all must agree.

use std::io::Write;
use std::process::{Command, Stdio};

fn all_v3(version: &str) -> Vec<String> {
    let mut out = Vec::new();
    for av in ["N", "A", "L", "P"] {
        for ac in ["L", "H"] {
            for pr in ["N", "L", "H"] {
                for ui in ["N", "R"] {
                    for s in ["U", "C"] {
                        for c in ["H", "L", "N"] {
                            for i in ["H", "L", "N"] {
                                for a in ["H", "L", "N"] {
                                    out.push(format!(
                                        "CVSS:{version}/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn all_v2() -> Vec<String> {
    let mut out = Vec::new();
    for av in ["L", "A", "N"] {
        for ac in ["H", "M", "L"] {
            for au in ["M", "S", "N"] {
                for c in ["N", "P", "C"] {
                    for i in ["N", "P", "C"] {
                        for a in ["N", "P", "C"] {
                            out.push(format!("AV:{av}/AC:{ac}/Au:{au}/C:{c}/I:{i}/A:{a}"));
                        }
                    }
                }
            }
        }
    }
    out
}

const V4_BASE: [(&str, &[&str]); 11] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
];

/// Every v4.0 base vector (104,976 of them).
fn all_v4_base() -> Vec<String> {
    let mut out = vec![String::from("CVSS:4.0")];
    for (metric, values) in V4_BASE {
        out = out
            .iter()
            .flat_map(|prefix| values.iter().map(move |v| format!("{prefix}/{metric}:{v}")))
            .collect();
    }
    out
}

/// Random v4.0 vectors with threat, environmental and supplemental metrics (deterministic).
fn v4_with_threat_and_environment(n: usize) -> Vec<String> {
    let optional: [(&str, &[&str]); 15] = [
        ("E", &["X", "A", "P", "U"]),
        ("CR", &["X", "H", "M", "L"]),
        ("IR", &["X", "H", "M", "L"]),
        ("AR", &["X", "H", "M", "L"]),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MAC", &["X", "L", "H"]),
        ("MAT", &["X", "N", "P"]),
        ("MPR", &["X", "N", "L", "H"]),
        ("MUI", &["X", "N", "P", "A"]),
        ("MVC", &["X", "H", "L", "N"]),
        ("MVI", &["X", "H", "L", "N"]),
        ("MVA", &["X", "H", "L", "N"]),
        ("MSC", &["X", "H", "L", "N"]),
        ("MSI", &["X", "S", "H", "L", "N"]),
        ("MSA", &["X", "S", "H", "L", "N"]),
    ];
    let mut state: u64 = 0x5eed_c0de_1234_5678;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..n)
        .map(|_| {
            let mut v = String::from("CVSS:4.0");
            for (metric, values) in V4_BASE {
                v.push_str(&format!("/{metric}:{}", values[next(values.len())]));
            }
            for (metric, values) in optional {
                if next(3) > 0 {
                    v.push_str(&format!("/{metric}:{}", values[next(values.len())]));
                }
            }
            if next(4) == 0 {
                v.push_str("/S:P/AU:Y/R:U/V:C/RE:M/U:Amber");
            }
            v
        })
        .collect()
}

#[test]
fn every_base_vector_agrees_with_the_cvss_package() {
    let available = Command::new("python3")
        .args(["-c", "import cvss"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "the python cvss package is required in CI"
        );
        eprintln!("skipping: python package cvss is not installed");
        return;
    }
    let mut vectors = all_v3("3.1");
    vectors.extend(all_v3("3.0"));
    vectors.extend(all_v2());
    vectors.extend(all_v4_base());
    vectors.extend(v4_with_threat_and_environment(20_000));
    let script = r#"
import sys
from cvss import CVSS2, CVSS3, CVSS4
for line in sys.stdin:
    v = line.strip()
    if v.startswith("CVSS:4"):
        score = CVSS4(v).base_score
    elif v.startswith("CVSS:3"):
        score = CVSS3(v).base_score
    else:
        score = CVSS2(v).base_score
    print(score)
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input: String = vectors.iter().map(|v| format!("{v}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success());
    let theirs: Vec<f64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(theirs.len(), vectors.len());
    let disagreements: Vec<String> = vectors
        .iter()
        .zip(&theirs)
        .filter_map(|(v, t)| {
            let ours = customs_vulndb::base_score(v).unwrap();
            ((ours - t).abs() > 1e-9).then(|| format!("{v}: customs {ours}, cvss {t}"))
        })
        .collect();
    println!(
        "cvss: {} vectors, {} agree with the cvss package",
        vectors.len(),
        vectors.len() - disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{:#?}",
        &disagreements[..disagreements.len().min(10)]
    );
}
