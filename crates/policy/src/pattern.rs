//! The patterns of mappings, image selection rules and allowlist items: `*` matches anything
//! and everything else is literal, or `regexp:` followed by a regular expression. Both match
//! the whole text.

use regex::Regex;

#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// `None` with the compiler's message when a `regexp:` pattern does not compile.
    pub(crate) fn new(source: &str) -> Result<Self, String> {
        let expression = match source.strip_prefix("regexp:") {
            Some(raw) => format!("^(?:{raw})$"),
            None => {
                let parts: Vec<String> = source.split('*').map(regex::escape).collect();
                format!("^{}$", parts.join(".*"))
            }
        };
        let regex = Regex::new(&expression).map_err(|e| match source.strip_prefix("regexp:") {
            Some(raw) => format!(
                "the regular expression {raw:?} does not compile: {}",
                regex_reason(&e)
            ),
            None => format!(
                "the pattern {source:?} does not compile: {}",
                regex_reason(&e)
            ),
        })?;
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }
}

/// The compiler's reason on one line (its message draws the pattern with a caret under the
/// fault, over several lines; the last one says what is wrong).
pub(crate) fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    last.trim().trim_start_matches("error: ").to_string()
}

/// An image reference split the way mappings read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub registry: String,
    pub repository: String,
    pub tag: String,
}

impl ImageRef {
    /// Reads `[registry/]repository[:tag]` as Docker does: a first component with a dot, a
    /// colon or `localhost` is a registry, else the image is on `docker.io` (official images under
    /// `library/`); a missing tag is `latest`. A digest (`@sha256:...`) is dropped.
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let reference = reference.split('@').next().unwrap_or(reference);
        let reference = reference
            .strip_prefix("dockerhub/")
            .map_or_else(|| reference.to_string(), |rest| format!("docker.io/{rest}"));
        let (name, tag) = match reference.rfind(':') {
            Some(i) if !reference[i..].contains('/') => {
                (reference[..i].to_string(), reference[i + 1..].to_string())
            }
            _ => (reference.clone(), "latest".to_string()),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.clone()),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        ImageRef {
            registry,
            repository,
            tag,
        }
    }

    pub fn full(&self) -> String {
        format!("{}/{}:{}", self.registry, self.repository, self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_regexps_match_the_whole_text() {
        let p = Pattern::new("CVE-2021-40438+httpd*").unwrap();
        assert!(p.matches("CVE-2021-40438+httpd-2.4"));
        assert!(!p.matches("XCVE-2021-40438+httpd"));
        assert!(Pattern::new("*").unwrap().matches(""));
        assert!(Pattern::new("a.b").unwrap().matches("a.b"));
        assert!(!Pattern::new("a.b").unwrap().matches("axb"));
        let r = Pattern::new("regexp:v[0-9]+").unwrap();
        assert!(r.matches("v12") && !r.matches("v12-rc"));
        assert!(
            Pattern::new("regexp:(")
                .unwrap_err()
                .contains("does not compile")
        );
    }

    #[test]
    fn references_read_as_docker_reads_them() {
        let r = ImageRef::parse("alpine");
        assert_eq!(r.full(), "docker.io/library/alpine:latest");
        let r = ImageRef::parse("127.0.0.1:5000/example/lang:1");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("127.0.0.1:5000", "example/lang", "1")
        );
        assert_eq!(
            ImageRef::parse("ghcr.io/org/app@sha256:abcd").full(),
            "ghcr.io/org/app:latest"
        );
        assert_eq!(ImageRef::parse("org/app:2").full(), "docker.io/org/app:2");
        assert_eq!(
            ImageRef::parse("dockerhub/library/nginx:1").full(),
            "docker.io/library/nginx:1"
        );
    }
}
