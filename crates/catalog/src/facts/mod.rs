//! File facts policies ask about, collected while the layers stream: files kept by path
//! (`/etc/passwd`, `/etc/group`, any asked for), and named regular expressions searched in file
//! contents (the secret rules and the content-search rules). A hit records where (path, line,
//! layer) and which rule, never the text that matched: a secret found is never copied.

mod rules;

use std::sync::Mutex;

use customs_image::{Candidate, FileTree, NodeKind};
use customs_sbom::{ContentMatch, ContentScan, ImageFacts, RetrievedFile};
use customs_types::{ContainerConfig, Digest};
use regex::bytes::{Regex, RegexSet};

pub use rules::{ContentRule, RuleError, default_secret_rules};

/// Files kept by path when nothing else is asked for: the user and group databases.
pub const DEFAULT_RETRIEVED: &[&str] = &["/etc/passwd", "/etc/group"];

/// Files larger than this are not searched for secrets or content (Anchore's analyzer uses
/// the same order of size); archives and images of that size are data, not configuration.
pub const DEFAULT_MAX_SEARCHED_SIZE: u64 = 10 * 1024 * 1024;

/// A retrieved file's content is cut at this many bytes.
pub const MAX_RETRIEVED_SIZE: usize = 1024 * 1024;

/// What to collect.
#[derive(Debug, Clone, Default)]
pub struct FactsOptions {
    /// Paths whose content is kept (see [`DEFAULT_RETRIEVED`]).
    pub retrieve: Vec<String>,
    /// Secret rules; `None`: no secret search.
    pub secrets: Option<Vec<ContentRule>>,
    /// Content-search rules; `None`: no content search.
    pub content: Option<Vec<ContentRule>>,
    /// Larger files are not searched (`0`: [`DEFAULT_MAX_SEARCHED_SIZE`]).
    pub max_searched_size: u64,
}

/// The rules of one search, compiled into a set for a fast first pass, behind a literal
/// prefilter when every rule names the words its matches contain: most files contain none,
/// and a search for a few literals is many times faster than the set of regular expressions.
struct Search {
    rules: Vec<ContentRule>,
    prefilter: Option<Regex>,
    set: RegexSet,
    line_regexes: Vec<Regex>,
}

impl Search {
    fn new(rules: Vec<ContentRule>) -> Search {
        let set = RegexSet::new(rules.iter().map(|r| r.pattern()))
            .expect("each rule compiled on its own, so the set compiles");
        let line_regexes = rules.iter().map(|r| r.regex().clone()).collect();
        let needles: Option<Vec<&str>> = rules
            .iter()
            .map(|r| r.needles())
            .collect::<Option<Vec<_>>>()
            .map(|lists| lists.concat());
        let prefilter = needles.filter(|n| !n.is_empty()).map(|n| {
            let words: Vec<String> = n.iter().map(|w| regex::escape(w)).collect();
            Regex::new(&format!("(?i){}", words.join("|")))
                .expect("an alternation of escaped words compiles")
        });
        Search {
            rules,
            prefilter,
            set,
            line_regexes,
        }
    }

    /// Which rules match in `content`, with the 1-based lines they match on.
    fn run(&self, content: &[u8]) -> Vec<(usize, Vec<u64>)> {
        if self
            .prefilter
            .as_ref()
            .is_some_and(|p| !p.is_match(content))
        {
            return Vec::new();
        }
        let matched = self.set.matches(content);
        if !matched.matched_any() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for index in matched.iter() {
            let regex = &self.line_regexes[index];
            let lines: Vec<u64> = content
                .split(|b| *b == b'\n')
                .enumerate()
                .filter(|(_, line)| regex.is_match(line))
                .map(|(n, _)| n as u64 + 1)
                .collect();
            // A rule spanning lines (a whole PEM block) is reported at its first line.
            let lines = if lines.is_empty() {
                regex
                    .find(content)
                    .map(|m| {
                        vec![
                            content[..m.start()].iter().filter(|b| **b == b'\n').count() as u64 + 1,
                        ]
                    })
                    .unwrap_or_default()
            } else {
                lines
            };
            out.push((index, lines));
        }
        out
    }
}

/// A hit as seen while streaming: in which layer.
struct LayerHit {
    layer: usize,
    path: String,
    rule: String,
    lines: Vec<u64>,
}

/// Collects the facts while layers stream ([`FileScan::observe`] from any thread) and puts
/// them together afterwards ([`FileScan::finish`]).
pub struct FileScan {
    retrieve: Vec<String>,
    secrets: Option<Search>,
    content: Option<Search>,
    max_searched_size: u64,
    secret_hits: Mutex<Vec<LayerHit>>,
    content_hits: Mutex<Vec<LayerHit>>,
}

impl FileScan {
    pub fn new(options: FactsOptions) -> FileScan {
        FileScan {
            retrieve: options.retrieve,
            secrets: options.secrets.map(Search::new),
            content: options.content.map(Search::new),
            max_searched_size: if options.max_searched_size == 0 {
                DEFAULT_MAX_SEARCHED_SIZE
            } else {
                options.max_searched_size
            },
            secret_hits: Mutex::new(Vec::new()),
            content_hits: Mutex::new(Vec::new()),
        }
    }

    /// Whether the file's content must be kept (a retrieved file).
    pub fn keeps(&self, path: &str) -> bool {
        self.retrieve.iter().any(|p| p == path)
    }

    /// Whether the file's content is searched.
    pub fn observes(&self, candidate: &Candidate<'_>) -> bool {
        (self.secrets.is_some() || self.content.is_some())
            && candidate.size > 0
            && candidate.size <= self.max_searched_size
    }

    /// Searches one file's content (binary files are passed over: the rules are for text).
    pub fn observe(&self, layer: usize, path: &str, content: &[u8]) {
        if content.len() as u64 > self.max_searched_size || looks_binary(content) {
            return;
        }
        for (search, hits) in [
            (&self.secrets, &self.secret_hits),
            (&self.content, &self.content_hits),
        ] {
            let Some(search) = search else { continue };
            let found = search.run(content);
            if found.is_empty() {
                continue;
            }
            let mut hits = hits.lock().expect("no observer panics");
            for (index, lines) in found {
                hits.push(LayerHit {
                    layer,
                    path: path.to_string(),
                    rule: search.rules[index].name().to_string(),
                    lines,
                });
            }
        }
    }

    /// The facts: retrieved files from the squashed tree; search hits in the files as the
    /// squashed tree shows them, or (with `all_layers`) in every version of every file, each
    /// marked visible or not. The image config's environment is searched for secrets too.
    pub fn finish(
        self,
        squashed: &FileTree,
        layer_ids: &[Option<Digest>],
        config: Option<&ContainerConfig>,
        all_layers: bool,
    ) -> ImageFacts {
        let mut facts = ImageFacts {
            retrieve_requested: self.retrieve.clone(),
            ..ImageFacts::default()
        };
        for path in &self.retrieve {
            let Some((_, node)) = squashed.resolve(path) else {
                continue;
            };
            if node.kind != NodeKind::File {
                continue;
            }
            let Some(content) = node.content.as_deref() else {
                continue;
            };
            let truncated = content.len() > MAX_RETRIEVED_SIZE;
            let kept = &content[..content.len().min(MAX_RETRIEVED_SIZE)];
            facts.retrieved_files.push(RetrievedFile {
                path: path.clone(),
                content: String::from_utf8_lossy(kept).into_owned(),
                truncated,
            });
        }
        let place = |hits: Vec<LayerHit>| -> Vec<ContentMatch> {
            let mut out: Vec<ContentMatch> = hits
                .into_iter()
                .filter_map(|h| {
                    let visible = squashed
                        .get(&h.path)
                        .is_some_and(|n| n.kind == NodeKind::File && n.layer == h.layer);
                    (visible || all_layers).then(|| ContentMatch {
                        layer: layer_ids.get(h.layer).cloned().flatten(),
                        path: h.path,
                        rule: h.rule,
                        lines: h.lines,
                        visible,
                    })
                })
                .collect();
            out.sort();
            out.dedup();
            out
        };
        if let Some(search) = &self.secrets {
            let mut matches = place(std::mem::take(
                &mut *self.secret_hits.lock().expect("no observer panics"),
            ));
            if let Some(config) = config {
                matches.extend(search_environment(search, config));
            }
            facts.secret_scan = Some(ContentScan {
                rules: search.rules.iter().map(|r| r.name().to_string()).collect(),
                matches,
            });
        }
        if let Some(search) = &self.content {
            facts.content_search = Some(ContentScan {
                rules: search.rules.iter().map(|r| r.name().to_string()).collect(),
                matches: place(std::mem::take(
                    &mut *self.content_hits.lock().expect("no observer panics"),
                )),
            });
        }
        facts
    }
}

/// The pseudo-path under which hits in the image config's environment are reported.
pub const CONFIG_ENV_PATH: &str = "<image config>/Env";

/// Secrets in `ENV` values (`PASSWORD=...` set at build time stays in the image config).
fn search_environment(search: &Search, config: &ContainerConfig) -> Vec<ContentMatch> {
    let mut out = Vec::new();
    for (n, variable) in config.env.iter().enumerate() {
        for (index, _) in search.run(variable.as_bytes()) {
            out.push(ContentMatch {
                path: CONFIG_ENV_PATH.to_string(),
                rule: search.rules[index].name().to_string(),
                lines: vec![n as u64 + 1],
                layer: None,
                visible: true,
            });
        }
    }
    out
}

/// `text` with every span a rule matches replaced by `[REDACTED]`: image configs and build
/// history are copied into SBOMs, and a secret in them must not travel with the SBOM.
pub fn redact(text: &str, rules: &[ContentRule]) -> String {
    let mut spans: Vec<(usize, usize)> = rules
        .iter()
        .flat_map(|r| {
            r.regex()
                .find_iter(text.as_bytes())
                .map(|m| (m.start(), m.end()))
        })
        .collect();
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort();
    let mut out = String::new();
    let mut at = 0;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        // Match boundaries of a byte regex over UTF-8 text can fall inside a character.
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return "[REDACTED]".to_string();
        }
        out.push_str(&text[at..start]);
        out.push_str("[REDACTED]");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// An environment entry (`NAME=value`) with its value hidden when a rule matches the entry.
pub fn redact_env(entry: &str, rules: &[ContentRule]) -> String {
    if rules.iter().any(|r| r.regex().is_match(entry.as_bytes())) {
        let name = entry.split_once('=').map_or(entry, |(n, _)| n);
        format!("{name}=[REDACTED]")
    } else {
        entry.to_string()
    }
}

/// A NUL byte in the first kilobytes: an executable, an archive, an image.
fn looks_binary(content: &[u8]) -> bool {
    content[..content.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod tests;
