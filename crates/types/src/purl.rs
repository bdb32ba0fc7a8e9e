use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A package URL (<https://github.com/package-url/purl-spec>), kept in its canonical string form:
/// lowercase type, percent-encoded components, qualifiers sorted by key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purl(String);

impl Purl {
    /// Builds a purl. Empty qualifier values are left out, as the specification asks.
    pub fn new(
        purl_type: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: &[(&str, Option<&str>)],
    ) -> Self {
        let mut out = format!("pkg:{}/", purl_type.to_ascii_lowercase());
        if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
            for segment in ns.split('/').filter(|s| !s.is_empty()) {
                out.push_str(&encode(segment));
                out.push('/');
            }
        }
        out.push_str(&encode(name));
        if let Some(v) = version.filter(|v| !v.is_empty()) {
            out.push('@');
            out.push_str(&encode(v));
        }
        let mut qs: Vec<(String, &str)> = qualifiers
            .iter()
            .filter_map(|(k, v)| {
                v.filter(|v| !v.is_empty())
                    .map(|v| (k.to_ascii_lowercase(), v))
            })
            .collect();
        qs.sort();
        for (i, (k, v)) in qs.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            out.push_str(&encode(v));
        }
        Purl(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `:` (which the purl
/// specification allows unencoded, and which dpkg and rpm epochs use).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Purl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Purl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        if !raw.starts_with("pkg:") {
            return Err(serde::de::Error::custom(format!(
                "{raw:?} is not a package URL (it must start with pkg:)"
            )));
        }
        Ok(Purl(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl_has_sorted_encoded_qualifiers() {
        let p = Purl::new(
            "deb",
            Some("debian"),
            "libgcc-s1",
            Some("12.2.0-14+deb12u1"),
            &[
                ("distro", Some("debian-12")),
                ("arch", Some("amd64")),
                ("upstream", Some("gcc-12@12.2.0-14+deb12u1")),
                ("epoch", None),
            ],
        );
        assert_eq!(
            p.as_str(),
            "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14%2Bdeb12u1"
        );
    }

    #[test]
    fn epoch_colon_stays_readable() {
        let p = Purl::new("deb", Some("debian"), "bsdutils", Some("1:2.38.1-5"), &[]);
        assert_eq!(p.as_str(), "pkg:deb/debian/bsdutils@1:2.38.1-5");
    }
}
