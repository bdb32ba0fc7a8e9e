//! Named regular expressions (`NAME=regex`, as Anchore's analyzer configuration writes them)
//! and the built-in secret rules.

use regex::bytes::Regex;

/// A named regular expression searched in file contents.
#[derive(Debug, Clone)]
pub struct ContentRule {
    name: String,
    pattern: String,
    regex: Regex,
    /// Words one of which every match contains (compared without case); `None` for a
    /// user's rule, whose words are not known.
    needles: Option<&'static [&'static str]>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule {0:?} is not NAME=REGEX")]
    Shape(String),
    #[error("rule {name}: the regular expression does not compile: {reason}")]
    Regex { name: String, reason: String },
}

impl ContentRule {
    pub fn new(name: &str, pattern: &str) -> Result<ContentRule, RuleError> {
        let regex = regex::bytes::RegexBuilder::new(pattern)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| RuleError::Regex {
                name: name.to_string(),
                reason: e.to_string(),
            })?;
        Ok(ContentRule {
            name: name.to_string(),
            pattern: pattern.to_string(),
            regex,
            needles: None,
        })
    }

    /// Reads `NAME=regex` (the name is letters, digits, `_` and `-`).
    pub fn parse(text: &str) -> Result<ContentRule, RuleError> {
        let (name, pattern) = text
            .split_once('=')
            .filter(|(n, p)| {
                !n.is_empty()
                    && !p.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
            .ok_or_else(|| RuleError::Shape(text.to_string()))?;
        ContentRule::new(name, pattern)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub(crate) fn regex(&self) -> &Regex {
        &self.regex
    }

    pub(crate) fn needles(&self) -> Option<&'static [&'static str]> {
        self.needles
    }
}

/// (name, regular expression, words one of which every match contains).
type BuiltIn = (&'static str, &'static str, &'static [&'static str]);

/// The secret rules used when none are configured: Anchore's five names first, so that
/// policies written for Anchore (`content_regex_name: AWS_ACCESS_KEY`) keep working, then
/// tokens of the common hosted services and passwords assigned in configuration.
const SECRET_RULES: &[BuiltIn] = &[
    // Access key ids: a four-letter kind prefix and 16 more upper-case letters and digits.
    (
        "AWS_ACCESS_KEY",
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z0-9]{16}\b",
        &[
            "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA", "ABIA", "ACCA",
        ],
    ),
    // The 40-character secret key, where it is assigned to a name that says what it is.
    (
        "AWS_SECRET_KEY",
        r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}(?:[^A-Za-z0-9/+=]|$)"#,
        &["secret"],
    ),
    (
        "PRIV_KEY",
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
        &["PRIVATE KEY"],
    ),
    // A Docker client config with stored registry credentials.
    (
        "DOCKER_AUTH",
        r#""auth"\s*:\s*"[A-Za-z0-9+/]{8,}={0,2}""#,
        &["\"auth\""],
    ),
    (
        "API_KEY",
        r#"(?i)api[_-]?key["']?\s*[:=]\s*["']?[A-Za-z0-9_\-]{20,64}(?:[^A-Za-z0-9_\-]|$)"#,
        &["api_key", "api-key", "apikey"],
    ),
    (
        "GITHUB_TOKEN",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    ),
    (
        "GITLAB_TOKEN",
        r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
        &["glpat-"],
    ),
    (
        "SLACK_TOKEN",
        r"\bxox[abposr]-[0-9A-Za-z]{6,}-[0-9A-Za-z-]{6,}",
        &["xox"],
    ),
    (
        "SLACK_WEBHOOK",
        r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}",
        &["hooks.slack.com"],
    ),
    // A password given as a quoted literal (`password = "..."`, `"db_password": "..."`), or
    // assigned to an upper-case variable on a line of its own (`DB_PASSWORD=...` in an env
    // file or an ENV instruction). Code that passes a password along (`password=password`),
    // placeholders (`${...}`, `<...>`, `%(...)s`) and comments are not secrets.
    (
        "PASSWORD",
        r#"(?i:(?:^|[^a-z0-9_.-])(?:[a-z0-9]+[_.-])*(?:password|passwd)["']?\s*[:=]\s*["'][^"'\s$<{%*][^"'\s]{5,}["'])|(?m:^\s*(?:export\s+)?(?:[A-Z0-9]+_)*(?:PASSWORD|PASSWD)(?:_[A-Z0-9]+)*\s*=\s*[^\s"'$<{%*#][^\s]{5,}\s*$)"#,
        &["passw"],
    ),
];

/// The built-in secret rules, compiled.
pub fn default_secret_rules() -> Vec<ContentRule> {
    SECRET_RULES
        .iter()
        .map(|(name, pattern, needles)| ContentRule {
            needles: Some(needles),
            ..ContentRule::new(name, pattern).expect("the built-in rules compile (a test checks)")
        })
        .collect()
}
