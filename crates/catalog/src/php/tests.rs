use crate::catalog_fixture;

#[test]
fn installed_json_and_composer_lock() {
    let (installed, _) = catalog_fixture("src/php/testdata/installed");
    assert_eq!(installed.packages.len(), 1);
    let monolog = &installed.packages[0];
    assert_eq!(monolog.purl.as_str(), "pkg:composer/monolog/monolog@2.9.1");
    assert_eq!(monolog.licenses, vec!["MIT"]);

    let (lock, _) = catalog_fixture("src/php/testdata/project");
    let got: Vec<(&str, &str, bool)> = lock
        .packages
        .iter()
        .map(|p| {
            let dev = matches!(&p.metadata, customs_types::PackageMetadata::Declared(m) if m.dev);
            (p.name.as_str(), p.version.as_str(), dev)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("symfony/console", "v6.3.0", false),
            ("phpunit/phpunit", "10.2.2", true)
        ]
    );
}
