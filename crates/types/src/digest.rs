use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A content digest as written in OCI manifests: `ALGORITHM:HEX` (for example `sha256:ab12...`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: String,
    hex: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    #[error("digest {0:?} has no algorithm prefix (expected ALGORITHM:HEX)")]
    MissingAlgorithm(String),
    #[error("digest {digest:?}: unsupported algorithm {algorithm:?}")]
    UnsupportedAlgorithm { digest: String, algorithm: String },
    #[error("digest {0:?}: the hex part must be {1} lowercase hex characters")]
    BadHex(String, usize),
}

impl Digest {
    /// A SHA-256 digest from its lowercase hex encoding.
    pub fn sha256_hex(hex: &str) -> Result<Self, DigestError> {
        Self::from_str(&format!("sha256:{hex}"))
    }

    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The first 12 hex characters, as `docker images` shows them.
    pub fn short(&self) -> &str {
        &self.hex[..12.min(self.hex.len())]
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algorithm, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::MissingAlgorithm(s.to_string()))?;
        let expected_len = match algorithm {
            "sha256" => 64,
            "sha512" => 128,
            _ => {
                return Err(DigestError::UnsupportedAlgorithm {
                    digest: s.to_string(),
                    algorithm: algorithm.to_string(),
                });
            }
        };
        let valid = hex.len() == expected_len
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(DigestError::BadHex(s.to_string(), expected_len));
        }
        Ok(Self {
            algorithm: algorithm.to_string(),
            hex: hex.to_string(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sha256() {
        let hex = "4de02a229367368a83e9547a03725bd95ceb01c336090ec4a269d487575ea651";
        let d: Digest = format!("sha256:{hex}").parse().unwrap();
        assert_eq!(d.hex(), hex);
        assert_eq!(d.to_string(), format!("sha256:{hex}"));
        assert_eq!(d.short(), "4de02a229367");
    }

    #[test]
    fn rejects_malformed_digests() {
        assert!(matches!(
            "abc".parse::<Digest>(),
            Err(DigestError::MissingAlgorithm(_))
        ));
        assert!(matches!(
            "md5:abc".parse::<Digest>(),
            Err(DigestError::UnsupportedAlgorithm { .. })
        ));
        assert!(matches!(
            "sha256:ABC".parse::<Digest>(),
            Err(DigestError::BadHex(..))
        ));
        assert!(matches!(
            "sha256:../../etc/passwd".parse::<Digest>(),
            Err(DigestError::BadHex(..))
        ));
    }
}
