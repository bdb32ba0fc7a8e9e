use std::os::unix::fs::PermissionsExt;

use crate::catalog_root;

/// Bytes around a version string, as a compiler would leave them (no ELF header: the classifier
/// reads content, not structure).
fn program(text: &[u8]) -> Vec<u8> {
    let mut b = b"\0\0\0\0".to_vec();
    b.extend(std::iter::repeat_n(0x90u8, 3000));
    b.push(0);
    b.extend_from_slice(text);
    b.push(0);
    b.extend(std::iter::repeat_n(0xccu8, 3000));
    b
}

fn write(root: &std::path::Path, path: &str, content: &[u8], mode: u32) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, content).unwrap();
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn recognises_each_product() {
    let cases: &[(&str, &[u8], &str, &str)] = &[
        (
            "bin/busybox",
            b"BusyBox v1.36.1 (2023-11-07 18:53:09 UTC)",
            "busybox",
            "1.36.1",
        ),
        (
            "usr/bin/openssl",
            b"OpenSSL 3.0.11 19 Sep 2023",
            "openssl",
            "3.0.11",
        ),
        (
            "usr/lib/libcrypto.so.1.1",
            b"OpenSSL 1.1.1n  15 Mar 2022",
            "openssl",
            "1.1.1n",
        ),
        (
            "usr/bin/python3.11",
            b"3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]",
            "python",
            "3.11.2",
        ),
        ("usr/lib/libpython3.9.so.1.0", b"3.9.18", "python", "3.9.18"),
        (
            "usr/local/bin/node",
            b"https://nodejs.org/download/release/node.js/v18.19.0/",
            "node",
            "18.19.0",
        ),
        (
            "usr/sbin/nginx",
            b"nginx version: nginx/1.25.3",
            "nginx",
            "1.25.3",
        ),
        ("usr/sbin/httpd", b"Apache/2.4.58 (Unix)", "httpd", "2.4.58"),
        (
            "usr/bin/redis-server",
            b"payload %5.7.2.4buildhost1a2b3c-1234567890123456789",
            "redis",
            "7.2.4",
        ),
        (
            "usr/lib/postgresql/15/bin/postgres",
            b"postgres (PostgreSQL) 15.5 (Debian 15.5-0+deb12u1)",
            "postgresql",
            "15.5",
        ),
        ("usr/bin/curl", b"curl/8.5.0", "curl", "8.5.0"),
        (
            "bin/bash",
            b"@(#)Bash version 5.2.15(1) release GNU",
            "bash",
            "5.2.15",
        ),
        (
            "lib/libc.so.6",
            b"GNU C Library (GNU libc) stable release version 2.38.\n",
            "glibc",
            "2.38",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, text, _, _) in cases {
        // Shared libraries are not executable on Debian; programs are.
        let mode = if path.contains(".so") { 0o644 } else { 0o755 };
        write(dir.path(), path, &program(text), mode);
    }
    write(
        dir.path(),
        "usr/lib/jvm/java-17-openjdk-amd64/release",
        b"IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n",
        0o644,
    );
    // Named like a classified program but holding no version: nothing.
    write(
        dir.path(),
        "usr/local/bin/nginx",
        &program(b"nothing to see"),
        0o755,
    );
    let (catalog, _) = catalog_root(dir.path());
    assert!(catalog.unknowns.is_empty(), "{:?}", catalog.unknowns);
    let mut got: Vec<(String, String, String)> = catalog
        .packages
        .iter()
        .map(|p| {
            (
                p.locations[0].path.clone(),
                p.name.clone(),
                p.version.clone(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> = cases
        .iter()
        .map(|(path, _, name, version)| (format!("/{path}"), name.to_string(), version.to_string()))
        .collect();
    want.push((
        "/usr/lib/jvm/java-17-openjdk-amd64/release".into(),
        "openjdk".into(),
        "17.0.15".into(),
    ));
    want.sort();
    assert_eq!(got, want);
    let busybox = catalog
        .packages
        .iter()
        .find(|p| p.name == "busybox")
        .unwrap();
    assert_eq!(busybox.purl.as_str(), "pkg:generic/busybox@1.36.1");
}

#[test]
fn hits_on_files_an_os_package_installed_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "var/lib/dpkg/status",
        b"Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\n",
        0o644,
    );
    write(
        dir.path(),
        "var/lib/dpkg/info/bash.list",
        b"/.\n/bin\n/bin/bash\n",
        0o644,
    );
    let bash = program(b"@(#)Bash version 5.2.15(1) release GNU");
    write(dir.path(), "bin/bash", &bash, 0o755);
    write(dir.path(), "opt/tools/bash", &bash, 0o755);
    let (catalog, _) = catalog_root(dir.path());
    let got: Vec<(&str, &str, &str)> = catalog
        .packages
        .iter()
        .map(|p| {
            (
                p.package_type.as_str(),
                p.name.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("binary", "bash", "/opt/tools/bash"),
            ("deb", "bash", "/var/lib/dpkg/status")
        ]
    );
    assert!(
        catalog
            .relationships
            .iter()
            .all(|r| catalog.packages.iter().any(|p| p.id == r.to))
    );
}
