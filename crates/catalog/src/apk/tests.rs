use crate::catalog_fixture;

#[test]
fn installed_database() {
    let (catalog, distro) = catalog_fixture("src/apk/testdata/basic");
    assert_eq!(distro.unwrap().purl_qualifier(), "alpine-3.12.12");
    let got: Vec<(&str, &str, Option<&str>)> = catalog
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.source_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("musl", "1.1.24-r10", Some("musl")),
            ("ssl_client", "1.31.1-r22", Some("busybox"))
        ]
    );
    let ssl = &catalog.packages[1];
    assert_eq!(
        ssl.purl.as_str(),
        "pkg:apk/alpine/ssl_client@1.31.1-r22?arch=x86_64&distro=alpine-3.12.12&upstream=busybox"
    );
    assert_eq!(ssl.licenses, vec!["GPL-2.0-only"]);
    assert_eq!(ssl.files[0].path, "/usr/bin/ssl_client");
    let musl = &catalog.packages[0];
    assert_eq!(musl.files.len(), 2);
    assert_eq!(musl.files[0].path, "/lib/ld-musl-x86_64.so.1");
    assert_eq!(
        musl.files[0].digest.as_deref(),
        Some("sha1:22d3e80c990e5269aa5501ba39bdab0a16cb4fc6")
    );
    // ssl_client needs so:libc.musl-x86_64.so.1, which musl provides.
    assert_eq!(catalog.relationships.len(), 1);
    assert_eq!(catalog.relationships[0].from, ssl.id);
    assert_eq!(catalog.relationships[0].to, musl.id);
}
