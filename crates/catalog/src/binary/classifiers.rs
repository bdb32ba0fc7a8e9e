//! The classifiers: which files each looks at (by name) and the text that gives a version away.

/// What a classifier found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) classifier: &'static str,
    pub(crate) product: &'static str,
    pub(crate) version: String,
    pub(crate) evidence: String,
}

/// How a version follows its marker.
#[derive(Clone, Copy)]
enum After {
    /// Right after the marker.
    Marker(&'static [u8]),
    /// NUL-delimited `MAJOR.MINOR.` + rest, where MAJOR.MINOR comes from the file name
    /// (`python3.11` → `\03.11.`).
    NameVersion,
    /// Redis keeps its version right before its build id: `7.0.15` + a 12-15 character host
    /// hash + `-` + 19 digits.
    RedisBuildId,
}

struct Classifier {
    name: &'static str,
    product: &'static str,
    files: fn(&str) -> bool,
    after: After,
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn lib(path: &str, stem: &str) -> bool {
    let b = base(path);
    b.starts_with(stem) && b[stem.len()..].starts_with(".so")
}

const CLASSIFIERS: &[Classifier] = &[
    Classifier {
        name: "busybox-binary",
        product: "busybox",
        files: |p| base(p) == "busybox",
        after: After::Marker(b"BusyBox v"),
    },
    Classifier {
        name: "openssl-binary",
        product: "openssl",
        files: |p| base(p) == "openssl" || lib(p, "libcrypto") || lib(p, "libssl"),
        after: After::Marker(b"OpenSSL "),
    },
    Classifier {
        name: "python-binary",
        product: "python",
        files: |p| {
            let b = base(p);
            (b.starts_with("python") && python_minor(b).is_some())
                || (b.starts_with("libpython") && b.contains(".so"))
        },
        after: After::NameVersion,
    },
    Classifier {
        name: "nodejs-binary",
        product: "node",
        files: |p| matches!(base(p), "node" | "nodejs"),
        after: After::Marker(b"node.js/v"),
    },
    Classifier {
        name: "nginx-binary",
        product: "nginx",
        files: |p| base(p) == "nginx",
        after: After::Marker(b"nginx/"),
    },
    Classifier {
        name: "httpd-binary",
        product: "httpd",
        files: |p| matches!(base(p), "httpd" | "apache2"),
        after: After::Marker(b"Apache/"),
    },
    Classifier {
        name: "redis-binary",
        product: "redis",
        files: |p| base(p) == "redis-server",
        after: After::RedisBuildId,
    },
    Classifier {
        name: "postgresql-binary",
        product: "postgresql",
        files: |p| base(p) == "postgres",
        after: After::Marker(b"(PostgreSQL) "),
    },
    Classifier {
        name: "curl-binary",
        product: "curl",
        files: |p| base(p) == "curl" || lib(p, "libcurl"),
        after: After::Marker(b"curl/"),
    },
    Classifier {
        name: "bash-binary",
        product: "bash",
        files: |p| base(p) == "bash",
        after: After::Marker(b"@(#)Bash version "),
    },
    Classifier {
        name: "glibc-binary",
        product: "glibc",
        files: |p| {
            base(p) == "libc.so.6" || (base(p).starts_with("libc-") && base(p).ends_with(".so"))
        },
        after: After::Marker(b"stable release version "),
    },
];

/// Whether any classifier looks at this file (decided from the name alone).
pub(crate) fn may_match(path: &str) -> bool {
    CLASSIFIERS.iter().any(|c| (c.files)(path))
}

/// `python3.11` → `3.11`.
fn python_minor(base_name: &str) -> Option<&str> {
    let v = base_name
        .strip_prefix("libpython")
        .or_else(|| base_name.strip_prefix("python"))?;
    let v = v.split(".so").next()?;
    let mut parts = v.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (digits(major) && digits(minor.trim_end_matches(['m', 'd', 'u'])) && parts.next().is_none())
        .then_some(v.trim_end_matches(['m', 'd', 'u']))
}

/// Runs every classifier the file's name calls for over its content, once.
pub(crate) fn classify(path: &str, content: &[u8]) -> Option<Hit> {
    CLASSIFIERS
        .iter()
        .filter(|c| (c.files)(path))
        .find_map(|c| {
            let (version, evidence) = match c.after {
                After::Marker(marker) => version_after(content, marker, true)?,
                After::RedisBuildId => redis_version(content)?,
                After::NameVersion => {
                    let minor = python_minor(base(path))?;
                    let marker = format!("\0{minor}.");
                    let (rest, evidence) = version_after(content, marker.as_bytes(), false)?;
                    (format!("{minor}.{rest}"), evidence)
                }
            };
            Some(Hit {
                classifier: c.name,
                product: c.product,
                version,
                evidence,
            })
        })
}

/// The version text right after the first occurrence of `marker` that has one (`dotted`: the
/// version must have a dot, which tells it from a stray number).
fn version_after(content: &[u8], marker: &[u8], dotted: bool) -> Option<(String, String)> {
    let mut from = 0;
    while let Some(at) = find(&content[from..], marker) {
        let start = from + at + marker.len();
        let version: String = content[start..]
            .iter()
            .take(64)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'~'))
            .map(|b| *b as char)
            .collect();
        let version = version.trim_end_matches(['.', '-']).to_string();
        if version.starts_with(|c: char| c.is_ascii_digit()) && (!dotted || version.contains('.')) {
            let end = (start + version.len() + 16).min(content.len());
            let evidence = String::from_utf8_lossy(&content[from + at..end])
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            return Some((version, evidence));
        }
        from = start;
    }
    None
}

fn redis_version(content: &[u8]) -> Option<(String, String)> {
    let is_version = |v: &[u8]| {
        // D.D.D or D.D.DD, as Redis numbers its releases.
        (v.len() == 5 || v.len() == 6)
            && v[0].is_ascii_digit()
            && v[1] == b'.'
            && v[2].is_ascii_digit()
            && v[3] == b'.'
            && v[4..].iter().all(u8::is_ascii_digit)
    };
    let mut from = 0;
    while let Some(at) = content[from..].iter().position(|b| *b == b'-') {
        let dash = from + at;
        from = dash + 1;
        let digits = content.get(dash + 1..dash + 20)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            continue;
        }
        for host_len in 12..=15 {
            let Some(host_start) = dash.checked_sub(host_len) else {
                break;
            };
            let host = &content[host_start..dash];
            if !host
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                break;
            }
            for version_len in [6, 5] {
                let Some(v_start) = host_start.checked_sub(version_len) else {
                    continue;
                };
                let v = &content[v_start..host_start];
                if is_version(v) {
                    let version = String::from_utf8_lossy(v).into_owned();
                    let evidence =
                        String::from_utf8_lossy(&content[v_start..dash + 20]).into_owned();
                    return Some((version, evidence));
                }
            }
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut at = 0;
    while let Some(i) = haystack[at..].iter().position(|b| *b == first) {
        let start = at + i;
        if haystack[start + 1..].starts_with(rest) {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

/// A JDK or JRE's `release` file (`JAVA_VERSION="17.0.15"`).
pub(crate) fn is_jvm_release(path: &str) -> bool {
    path.ends_with("/release") && path.contains("/jvm/") || path.ends_with("/jre/release")
}

pub(crate) fn jvm_release(content: &[u8]) -> Option<Hit> {
    let text = String::from_utf8_lossy(content);
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    let version = value("JAVA_VERSION")?;
    Some(Hit {
        classifier: "java-jvm-release",
        product: "openjdk",
        evidence: format!("JAVA_VERSION=\"{version}\""),
        version,
    })
}
