use crate::catalog_fixture;

#[test]
fn installed_packages() {
    let (catalog, _) = catalog_fixture("src/npm/testdata/app");
    let got: Vec<(&str, &str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.purl.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("@types/node", "18.11.9", "pkg:npm/%40types/node@18.11.9"),
            ("lodash", "4.17.15", "pkg:npm/lodash@4.17.15"),
            ("demo-app", "1.0.1", "pkg:npm/demo-app@1.0.1"),
        ]
    );
    assert_eq!(catalog.packages[1].licenses, vec!["MIT"]);
    // A package.json that is not JSON is an unknown; one without a version is no package.
    assert_eq!(catalog.unknowns.len(), 1);
    assert!(catalog.unknowns[0].path.ends_with("broken/package.json"));
    assert!(catalog.unknowns[0].reason.starts_with("not valid JSON"));
}
