use crate::catalog_fixture;

#[test]
fn installed_gemspecs() {
    let (catalog, _) = catalog_fixture("src/ruby/testdata/installed");
    assert_eq!(catalog.packages.len(), 1);
    let rake = &catalog.packages[0];
    assert_eq!(
        (rake.name.as_str(), rake.version.as_str()),
        ("rake", "13.0.6")
    );
    assert_eq!(rake.purl.as_str(), "pkg:gem/rake@13.0.6");
    assert_eq!(rake.licenses, vec!["MIT"]);
}

#[test]
fn gemfile_lock() {
    let (catalog, _) = catalog_fixture("src/ruby/testdata/project");
    let got: Vec<(&str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("actionpack", "7.0.4"),
            ("nokogiri", "1.13.10-x86_64-linux"),
            ("rack", "2.2.4")
        ]
    );
}
