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

    /// Reads a package URL written by anyone (another tool's SBOM): the type is lowercased,
    /// components are percent-decoded. `None` when it is not a package URL.
    pub fn parse(text: &str) -> Option<PurlParts> {
        let rest = text.trim().strip_prefix("pkg:")?.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (path, version) = match rest.rsplit_once('@') {
            Some((p, v)) if !p.is_empty() => (p, Some(decode(v))),
            _ => (rest, None),
        };
        let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if segments.len() < 2 {
            return None;
        }
        let purl_type = segments.remove(0).to_ascii_lowercase();
        let name = decode(segments.pop()?);
        let namespace = (!segments.is_empty()).then(|| {
            segments
                .iter()
                .map(|s| decode(s))
                .collect::<Vec<_>>()
                .join("/")
        });
        let qualifiers = qualifiers
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
            .collect();
        Some(PurlParts {
            purl_type,
            namespace,
            name,
            version,
            qualifiers,
        })
    }
}

/// The components of a package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlParts {
    pub purl_type: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
}

impl PurlParts {
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn parses_what_it_writes_and_what_others_write() {
        let p = Purl::parse(
            "pkg:deb/debian/libgcc-s1@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14%2Bdeb12u1",
        )
        .unwrap();
        assert_eq!(p.purl_type, "deb");
        assert_eq!(p.namespace.as_deref(), Some("debian"));
        assert_eq!(p.version.as_deref(), Some("12.2.0-14+deb12u1"));
        assert_eq!(p.qualifier("upstream"), Some("gcc-12@12.2.0-14+deb12u1"));
        let npm = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(
            (npm.namespace.as_deref(), npm.name.as_str()),
            (Some("@babel"), "core")
        );
        let go = Purl::parse("pkg:golang/github.com/a/b/v2@v2.1.0").unwrap();
        assert_eq!(go.namespace.as_deref(), Some("github.com/a/b"));
        assert!(Purl::parse("not a purl").is_none());
        assert!(Purl::parse("pkg:npm").is_none());
    }

    #[test]
    fn epoch_colon_stays_readable() {
        let p = Purl::new("deb", Some("debian"), "bsdutils", Some("1:2.38.1-5"), &[]);
        assert_eq!(p.as_str(), "pkg:deb/debian/bsdutils@1:2.38.1-5");
    }
}
