use std::io::Write;

use crate::catalog_root;
use crate::elf::build_test_elf;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn write_exe(dir: &std::path::Path, name: &str, content: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn auditable_binaries() {
    let deps = br#"{"packages":[
        {"name":"demo","version":"0.1.0","source":"local","root":true,"dependencies":[1,2]},
        {"name":"regex","version":"1.5.4","source":"crates.io","dependencies":[]},
        {"name":"autocfg","version":"1.1.0","source":"crates.io","kind":"build"}]}"#;
    let dir = tempfile::tempdir().unwrap();
    write_exe(
        dir.path(),
        "usr/bin/demo",
        &build_test_elf(&[(".dep-v0", &zlib(deps))]),
    );
    write_exe(
        dir.path(),
        "usr/bin/plain",
        &build_test_elf(&[(".text", b"\x90")]),
    );
    let (catalog, _) = catalog_root(dir.path());
    assert!(catalog.unknowns.is_empty(), "{:?}", catalog.unknowns);
    let got = crate::summary(&catalog);
    assert_eq!(
        got,
        vec![
            ("demo", "0.1.0", "pkg:cargo/demo@0.1.0"),
            ("regex", "1.5.4", "pkg:cargo/regex@1.5.4"),
        ]
    );
}

#[test]
fn truncated_and_junk_binaries_are_unknowns() {
    let deps = zlib(br#"{"packages":[{"name":"x","version":"1.0.0"}]}"#);
    let whole = build_test_elf(&[(".dep-v0", &deps)]);
    let dir = tempfile::tempdir().unwrap();
    write_exe(dir.path(), "bin/truncated", &whole[..whole.len() - 100]);
    write_exe(
        dir.path(),
        "bin/junk",
        &build_test_elf(&[(".dep-v0", b"not zlib at all")]),
    );
    let (catalog, _) = catalog_root(dir.path());
    assert!(catalog.packages.is_empty());
    let mut reasons: Vec<(&str, &str)> = catalog
        .unknowns
        .iter()
        .map(|u| (u.path.as_str(), u.reason.as_str()))
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].1.contains("does not inflate"), "{reasons:?}");
    assert!(reasons[1].1.contains("truncated ELF"), "{reasons:?}");
}

#[test]
fn cargo_lock_in_a_directory_scan() {
    let (catalog, _) = crate::catalog_fixture("src/rust/testdata/project");
    let got = crate::summary(&catalog);
    assert_eq!(
        got,
        vec![
            ("demo", "0.1.0", "pkg:cargo/demo@0.1.0"),
            ("regex", "1.5.4", "pkg:cargo/regex@1.5.4"),
        ]
    );
}
