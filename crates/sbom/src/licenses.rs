//! Licence names as package databases write them, mapped to SPDX identifiers where the mapping
//! is certain. Anything else stays a free-form name (CycloneDX) or a `LicenseRef-` (SPDX).

/// SPDX identifiers that package databases commonly use verbatim.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-2.1",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "BSL-1.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "EPL-1.0",
    "EPL-2.0",
    "FSFAP",
    "FTL",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "Libpng",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "OpenSSL",
    "PHP-3.01",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Unicode-DFS-2016",
    "Unlicense",
    "Vim",
    "X11",
    "Zlib",
    "bzip2-1.0.6",
    "curl",
    "libtiff",
];

/// Debian's short names (and a few common spellings) whose SPDX identifier is unambiguous.
const ALIASES: &[(&str, &str)] = &[
    ("Expat", "MIT"),
    ("GPL-1", "GPL-1.0-only"),
    ("GPL-1+", "GPL-1.0-or-later"),
    ("GPL-2", "GPL-2.0-only"),
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-3", "GPL-3.0-only"),
    ("GPL-3+", "GPL-3.0-or-later"),
    ("GPL2", "GPL-2.0-only"),
    ("GPL-2.0", "GPL-2.0-only"),
    ("GPL-3.0", "GPL-3.0-only"),
    ("LGPL-2", "LGPL-2.0-only"),
    ("LGPL-2+", "LGPL-2.0-or-later"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPL-3", "LGPL-3.0-only"),
    ("LGPL-3+", "LGPL-3.0-or-later"),
    ("AGPL-3", "AGPL-3.0-only"),
    ("AGPL-3+", "AGPL-3.0-or-later"),
    ("GFDL-1.2", "GFDL-1.2-only"),
    ("GFDL-1.2+", "GFDL-1.2-or-later"),
    ("GFDL-1.3", "GFDL-1.3-only"),
    ("GFDL-1.3+", "GFDL-1.3-or-later"),
    ("Apache-2", "Apache-2.0"),
    ("BSD-2-clause", "BSD-2-Clause"),
    ("BSD-3-clause", "BSD-3-Clause"),
    ("BSD-4-clause", "BSD-4-Clause"),
    ("MPL-2", "MPL-2.0"),
    ("public-domain", "LicenseRef-public-domain"),
    ("zlib", "Zlib"),
    ("ZLIB", "Zlib"),
    ("CC0", "CC0-1.0"),
];

/// The SPDX identifier for a licence name, when it has a certain one.
pub(crate) fn spdx_id(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if let Some(id) = SPDX_IDS.iter().find(|id| **id == name) {
        return Some(id);
    }
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, id)| *id)
        .filter(|id| !id.starts_with("LicenseRef-"))
}

/// A `LicenseRef-` identifier for a free-form name: letters, digits, `.` and `-` only.
pub(crate) fn license_ref(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '+' => 'p',
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => c,
            _ => '-',
        })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    if cleaned.is_empty() {
        // Nothing usable in the name: a stable id from its bytes.
        let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
        return format!("LicenseRef-x{hex}");
    }
    format!("LicenseRef-{cleaned}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn maps_only_certain_names() {
        assert_eq!(super::spdx_id("GPL-2+"), Some("GPL-2.0-or-later"));
        assert_eq!(super::spdx_id("MIT"), Some("MIT"));
        assert_eq!(super::spdx_id("Artistic"), None);
        assert_eq!(
            super::license_ref("GPL2+ or BSD"),
            "LicenseRef-GPL2p-or-BSD"
        );
    }
}
