//! The `Field: value` paragraphs of dpkg's status file (RFC 822 style, with continuation lines).

/// One paragraph: fields in order, continuation lines joined with `\n`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Paragraph {
    fields: Vec<(String, String)>,
}

impl Paragraph {
    /// Every value of a repeated field (Python metadata repeats `Classifier`, `Requires-Dist`).
    pub(crate) fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of a field; field names compare case-insensitively, as dpkg does.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a control file into paragraphs. Lines that are neither fields nor continuations are
/// ignored, as dpkg's own parser would reject only its own malformed database.
pub(crate) fn parse(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut current = Paragraph::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.fields.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, value)) = current.fields.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            current
                .fields
                .push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_paragraphs_and_continuations() {
        let text = "Package: a\nStatus: install ok installed\nDescription: short\n long line\n .\n\n\nPackage: b\nversion: 1\n";
        let ps = super::parse(text);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].get("package"), Some("a"));
        assert_eq!(ps[0].get("Description"), Some("short\nlong line\n."));
        assert_eq!(ps[1].get("Version"), Some("1"));
    }
}
