use crate::catalog_fixture;

#[test]
fn installed_packages() {
    let (catalog, _) = catalog_fixture("src/npm/testdata/app");
    let got = crate::summary(&catalog);
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

#[test]
fn lockfiles_in_a_directory_scan() {
    let (catalog, _) = catalog_fixture("src/npm/testdata/project");
    let mut got: Vec<(String, &str, &str, bool)> = catalog
        .packages
        .iter()
        .map(|p| {
            let declared = matches!(p.metadata, customs_types::PackageMetadata::Declared(_));
            (
                p.locations[0].path.rsplit('/').nth(1).unwrap().to_string(),
                p.name.as_str(),
                p.version.as_str(),
                declared,
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("app".into(), "@babel/core", "7.0.0", true),
            ("app".into(), "semver", "5.7.2", true),
            // lodash is in the lockfile and installed: reported once, as installed.
            ("berry".into(), "lodash", "4.17.21", true),
            ("legacy".into(), "debug", "2.6.9", true),
            ("legacy".into(), "express", "4.16.0", true),
            ("legacy".into(), "minimist", "1.2.0", true),
            ("lodash".into(), "lodash", "4.17.15", false),
            ("pnpm".into(), "@types/node", "20.10.0", true),
            ("pnpm".into(), "express", "4.18.2", true),
            ("pnpm".into(), "react-dom", "18.2.0", true),
            ("yarn1".into(), "@types/node", "18.11.9", true),
            ("yarn1".into(), "minimist", "1.2.0", true),
        ]
    );
    let babel = catalog
        .packages
        .iter()
        .find(|p| p.name == "@babel/core")
        .unwrap();
    assert_eq!(babel.purl.as_str(), "pkg:npm/%40babel/core@7.0.0");
    let customs_types::PackageMetadata::Declared(meta) = &babel.metadata else {
        panic!()
    };
    assert!(meta.dev);
    assert_eq!(meta.integrity.as_deref(), Some("sha512-babel"));
}
