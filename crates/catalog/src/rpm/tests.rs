use customs_types::PackageMetadata;

use crate::catalog_fixture;

/// The fixture was made with rpm 4.18 (`--define "_db_backend sqlite"`, `rpm -i --justdb`) from
/// two packages built with rpmbuild: demo-tool 2:1.4.2-3.el9 (x86_64) and demo-lib 0.9-1.el9.
#[test]
fn sqlite_database() {
    let (catalog, distro) = catalog_fixture("src/rpm/testdata/sqlite");
    assert!(catalog.unknowns.is_empty(), "{:?}", catalog.unknowns);
    assert_eq!(distro.unwrap().purl_qualifier(), "rhel-9.4");
    let got: Vec<(&str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("demo-tool", "2:1.4.2-3.el9"), ("demo-lib", "0.9-1.el9")]
    );
    let tool = &catalog.packages[0];
    assert_eq!(
        tool.purl.as_str(),
        "pkg:rpm/rhel/demo-tool@1.4.2-3.el9?arch=x86_64&distro=rhel-9.4&epoch=2&upstream=demo-tool-1.4.2-3.el9.src.rpm"
    );
    assert_eq!(tool.source_name.as_deref(), Some("demo-tool"));
    assert_eq!(tool.source_version.as_deref(), Some("1.4.2-3.el9"));
    assert_eq!(tool.licenses, vec!["MIT and BSD"]);
    let PackageMetadata::Rpm(meta) = &tool.metadata else {
        panic!("rpm metadata expected");
    };
    assert_eq!(meta.epoch, Some(2));
    assert_eq!(meta.vendor.as_deref(), Some("customs tests"));
    let files: Vec<(&str, bool)> = tool
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.is_config))
        .collect();
    assert_eq!(
        files,
        vec![("/etc/demo-tool.conf", true), ("/usr/bin/demo-tool", false)]
    );
    assert!(
        tool.files[1]
            .digest
            .as_deref()
            .unwrap()
            .starts_with("sha256:")
    );
    let lib = &catalog.packages[1];
    assert_eq!(lib.arch.as_deref(), Some("noarch"));
    assert!(!lib.purl.as_str().contains("epoch"));
}

#[test]
fn corrupt_database_is_an_unknown_not_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("var/lib/rpm");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::write(db.join("rpmdb.sqlite"), b"this is not sqlite").unwrap();
    std::fs::write(db.join("Packages"), b"\0\0\0\0").unwrap();
    let (catalog, _) = crate::catalog_root(tmp.path());
    assert!(catalog.packages.is_empty());
    let reasons: Vec<(&str, &str)> = catalog
        .unknowns
        .iter()
        .map(|u| (u.path.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0]
            .1
            .contains("cannot read the Berkeley DB database")
    );
    assert!(reasons[1].1.contains("cannot read the SQLite database"));
}

/// The same two headers in a Berkeley DB hash file, made with `db5.3_load -t hash` from the SQLite
/// fixture's blobs (keyed by header number) and checked with rpm 4.18's own `bdb_ro` reader. The
/// second copy uses 512-byte pages, so every header lives in a chain of overflow pages.
#[test]
fn berkeley_db_database() {
    for (fixture, distro) in [
        ("src/rpm/testdata/bdb", Some("centos-7")),
        ("src/rpm/testdata/bdb-small-pages", None),
    ] {
        let (catalog, detected) = catalog_fixture(fixture);
        assert!(catalog.unknowns.is_empty(), "{:?}", catalog.unknowns);
        assert_eq!(detected.map(|d| d.purl_qualifier()).as_deref(), distro);
        let mut got: Vec<(&str, &str)> = catalog
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![("demo-lib", "0.9-1.el9"), ("demo-tool", "2:1.4.2-3.el9")]
        );
        let tool = catalog
            .packages
            .iter()
            .find(|p| p.name == "demo-tool")
            .unwrap();
        assert_eq!(tool.files.len(), 2);
        assert_eq!(tool.source_name.as_deref(), Some("demo-tool"));
    }
}

#[test]
fn truncated_berkeley_db_is_an_unknown() {
    let full = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/rpm/testdata/bdb-small-pages/var/lib/rpm/Packages"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("var/lib/rpm");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::write(db.join("Packages"), &full[..full.len() / 2]).unwrap();
    let (catalog, _) = crate::catalog_root(tmp.path());
    assert!(catalog.packages.is_empty());
    assert_eq!(catalog.unknowns.len(), 1);
    assert!(
        catalog.unknowns[0].reason.contains("Berkeley DB"),
        "{:?}",
        catalog.unknowns
    );
}
