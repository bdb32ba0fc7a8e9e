use customs_types::{PackageMetadata, RelationshipKind};

use crate::catalog_fixture;

#[test]
fn status_file_packages_with_sources_files_and_licences() {
    let (catalog, _) = catalog_fixture("src/dpkg/testdata/status");
    let names: Vec<(&str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    // The deinstalled package with only its config files left is not installed.
    assert_eq!(
        names,
        vec![
            ("libtinfo6", "6.4+20230625-2"),
            ("libc6", "2.36-9+deb12u4"),
            ("dash", "0.5.12-2")
        ]
    );
    let tinfo = &catalog.packages[0];
    assert_eq!(tinfo.source_name.as_deref(), Some("ncurses"));
    assert_eq!(tinfo.source_version.as_deref(), Some("6.4-4"));
    assert_eq!(
        tinfo.purl.as_str(),
        "pkg:deb/debian/libtinfo6@6.4%2B20230625-2?arch=amd64&distro=debian-12&upstream=ncurses%406.4-4"
    );
    assert_eq!(tinfo.licenses, vec!["X11", "GPL-2+"]);
    let files: Vec<(&str, Option<&str>)> = tinfo
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.digest.as_deref()))
        .collect();
    assert_eq!(
        files,
        vec![
            (
                "/usr/lib/x86_64-linux-gnu/libtinfo.so.6.4",
                Some("md5:aa5c6d3c1b2f4a2c8d0e9f1a2b3c4d5e")
            ),
            ("/usr/share/doc/libtinfo6/copyright", None),
        ]
    );
    let PackageMetadata::Dpkg(meta) = &tinfo.metadata else {
        panic!("dpkg metadata expected");
    };
    assert_eq!(meta.installed_size_kib, Some(1056));

    let libc = &catalog.packages[1];
    // `Source:` without a version: the source version is the package's own.
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.source_version.as_deref(), Some("2.36-9+deb12u4"));
    assert!(libc.purl.as_str().ends_with("&upstream=glibc"));
    assert!(libc.files[0].is_config);

    let dash = &catalog.packages[2];
    assert_eq!(dash.files.len(), 1, "directories are not owned files");
    assert_eq!(dash.source_name.as_deref(), Some("dash"));
    assert!(!dash.purl.as_str().contains("upstream"));
    let edges: Vec<(&str, &str)> = catalog
        .relationships
        .iter()
        .filter(|r| r.kind == RelationshipKind::DependsOn)
        .map(|r| {
            let name = |id: &str| {
                catalog
                    .packages
                    .iter()
                    .find(|p| p.id == id)
                    .unwrap()
                    .name
                    .as_str()
            };
            (name(&r.from), name(&r.to))
        })
        .collect();
    assert!(edges.contains(&("libtinfo6", "libc6")));
    assert!(edges.contains(&("dash", "libc6")));
}

#[test]
fn distroless_status_d() {
    let (catalog, distro) = catalog_fixture("src/dpkg/testdata/distroless");
    assert!(distro.is_none());
    assert_eq!(catalog.packages.len(), 1);
    let ssl = &catalog.packages[0];
    assert_eq!(
        (ssl.name.as_str(), ssl.version.as_str()),
        ("libssl3", "3.0.11-1~deb12u2")
    );
    assert_eq!(ssl.locations[0].path, "/var/lib/dpkg/status.d/libssl3");
    assert_eq!(
        ssl.files[0].digest.as_deref(),
        Some("md5:0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    );
    assert_eq!(
        ssl.purl.as_str(),
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl"
    );
}
