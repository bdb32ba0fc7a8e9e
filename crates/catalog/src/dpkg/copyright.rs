//! Licence names from a Debian `copyright` file: the `License:` fields of the machine-readable
//! format, and references to `/usr/share/common-licenses/NAME` in free-form ones.

pub(crate) fn licenses(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        let name = name
            .trim()
            .trim_end_matches(['.', ',', ';', ')', '"', '\''])
            .to_string();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("License:") {
            // `License: GPL-2+ or Artistic` names an expression: keep its parts.
            for part in rest.split_whitespace() {
                if !matches!(part.to_ascii_lowercase().as_str(), "or" | "and" | "with") {
                    add(part);
                }
            }
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("/usr/share/common-licenses/") {
            let after = &rest[at + "/usr/share/common-licenses/".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
                .collect();
            add(&name);
            rest = after;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn machine_readable_and_free_form() {
        let dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: LGPL-2.1+ or Artistic\n";
        assert_eq!(
            super::licenses(dep5),
            vec!["GPL-2+", "LGPL-2.1+", "Artistic"]
        );
        let free = "On Debian systems, see /usr/share/common-licenses/GPL-3.\nAlso /usr/share/common-licenses/GPL-3";
        assert_eq!(super::licenses(free), vec!["GPL-3"]);
    }
}
