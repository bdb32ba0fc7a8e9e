//! Every CVSS v2, v3.0 and v3.1 base vector, scored by customs and by the Python `cvss` package
//! (Red Hat's implementation of FIRST's specification): all must agree.

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
    let script = r#"
import sys
from cvss import CVSS2, CVSS3
for line in sys.stdin:
    v = line.strip()
    score = CVSS3(v).base_score if v.startswith("CVSS:3") else CVSS2(v).base_score
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
