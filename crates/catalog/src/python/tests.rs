use customs_types::PackageMetadata;

use crate::catalog_fixture;

#[test]
fn installed_distributions() {
    let (catalog, _) = catalog_fixture("src/python/testdata/site");
    let got = crate::summary(&catalog);
    assert_eq!(
        got,
        vec![
            ("Jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
            (
                "python-apt_helper",
                "2.6.0",
                "pkg:pypi/python-apt-helper@2.6.0"
            ),
            ("urllib3", "1.24.1", "pkg:pypi/urllib3@1.24.1"),
        ]
    );
    let jinja = &catalog.packages[0];
    assert_eq!(jinja.licenses, vec!["BSD"]);
    let files: Vec<(&str, Option<&str>)> = jinja
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.digest.as_deref()))
        .collect();
    assert_eq!(
        files,
        vec![
            ("/opt/venv/bin/jinja-tool", None),
            (
                "/opt/venv/lib/python3.11/site-packages/Jinja2-2.10.dist-info/RECORD",
                None
            ),
            (
                "/opt/venv/lib/python3.11/site-packages/jinja2/__init__.py",
                Some("sha256:76ac3d16a3757fa68792acbf0766ca814a5a9a310473acc87cbd166503807f63")
            ),
            (
                "/opt/venv/lib/python3.11/site-packages/jinja2/odd,name.py",
                Some("sha256:000000")
            ),
        ]
    );
    let PackageMetadata::Python(meta) = &jinja.metadata else {
        panic!("python metadata expected")
    };
    assert_eq!(
        meta.site_packages.as_deref(),
        Some("/opt/venv/lib/python3.11/site-packages")
    );
    assert_eq!(meta.requires_dist, vec!["MarkupSafe (>=0.23)"]);
    let urllib3 = &catalog.packages[2];
    assert_eq!(
        urllib3.files[0].path,
        "/usr/lib/python3/dist-packages/urllib3/__init__.py"
    );
    // Binary junk becomes an unknown with its reason; the scan goes on.
    assert_eq!(catalog.unknowns.len(), 1, "{:?}", catalog.unknowns);
    assert!(catalog.unknowns[0].path.ends_with("junk-0.1.egg-info"));
    assert!(catalog.unknowns[0].reason.contains("not printable"));
}

#[test]
fn pep503_names() {
    assert_eq!(super::normalize("Foo.Bar__baz"), "foo-bar-baz");
    assert_eq!(super::normalize("PyYAML"), "pyyaml");
}

#[test]
fn requirements_and_lockfiles() {
    let (catalog, _) = catalog_fixture("src/python/testdata/project");
    let mut got: Vec<(&str, &str, &str)> = catalog
        .packages
        .iter()
        .map(|p| {
            let dev = matches!(&p.metadata, PackageMetadata::Declared(m) if m.dev);
            (
                p.name.as_str(),
                p.version.as_str(),
                if dev { "dev" } else { "" },
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("Django", "2.2", ""),
            ("black", "23.1.0", "dev"),
            ("certifi", "2023.7.22", ""),
            ("idna", "2.7", ""),
            ("pytest", "7.4.0", "dev"),
            ("requests", "2.19.1", ""),
            ("sqlparse", "0.4.4", ""),
            ("urllib3", "1.23", ""),
        ]
    );
    assert!(
        catalog
            .packages
            .iter()
            .any(|p| p.purl.as_str() == "pkg:pypi/django@2.2")
    );
}
