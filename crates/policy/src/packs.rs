//! The compliance packs shipped in the binary: ordinary v2 policies, each rule naming its
//! control in its description and recommendation.

use crate::document::{Policy, read_policy};

/// A built-in policy.
#[derive(Debug, Clone, Copy)]
pub struct Pack {
    pub name: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

const PACKS: &[Pack] = &[
    Pack {
        name: "secure",
        title: "Secure: fail on critical vulnerabilities and missing data, warn on fixable ones (the default)",
        text: include_str!("packs/secure.json"),
    },
    Pack {
        name: "fedramp",
        title: "FedRAMP container scanning requirements with NIST 800-53 rev5 controls and remediation windows",
        text: include_str!("packs/fedramp.json"),
    },
    Pack {
        name: "nist-800-53",
        title: "NIST SP 800-53 rev5 controls an image scan can check",
        text: include_str!("packs/nist-800-53.json"),
    },
    Pack {
        name: "nist-800-190",
        title: "NIST SP 800-190 image countermeasures (section 4.1)",
        text: include_str!("packs/nist-800-190.json"),
    },
    Pack {
        name: "cis-docker",
        title: "CIS Docker Benchmark section 4 (images and build files)",
        text: include_str!("packs/cis-docker.json"),
    },
    Pack {
        name: "disa",
        title: "DISA container image creation and deployment guide",
        text: include_str!("packs/disa.json"),
    },
];

pub fn packs() -> &'static [Pack] {
    PACKS
}

/// The pack named `name`, read.
pub fn pack(name: &str) -> Option<Policy> {
    let p = PACKS.iter().find(|p| p.name == name)?;
    Some(read_policy(p.name, p.text).expect("the built-in packs are valid (a test reads each)"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_pack_reads_and_names_its_controls() {
        for p in super::packs() {
            let policy = super::read_policy(p.name, p.text).unwrap_or_else(|e| panic!("{e}"));
            assert!(policy.rule_count() > 0, "{}", p.name);
            let doc = policy.document();
            for set in doc["rule_sets"].as_array().unwrap() {
                for rule in set["rules"].as_array().unwrap() {
                    let d = rule["description"].as_str().unwrap();
                    let r = rule["recommendation"].as_str().unwrap();
                    // The compliance packs name a control first (`AC-6(10): ...`); `secure`
                    // is not tied to a standard.
                    if p.name != "secure" {
                        let control =
                            |t: &str| t.split_once(':').is_some_and(|(c, _)| c.len() < 24);
                        assert!(control(d) && control(r), "{}: {d} / {r}", p.name);
                    }
                }
            }
        }
    }
}
