use super::*;
use crate::catalog_root;

/// Go's build information (1.18+ layout): magic, pointer size, flags (2 = inline strings), padding
/// to 32 bytes, then the version and the module information as length-prefixed strings, the
/// latter framed by 16-byte sentinels.
fn buildinfo(version: &str, modinfo: &str) -> Vec<u8> {
    let mut b = BUILDINFO_MAGIC.to_vec();
    b.push(8);
    b.push(2);
    b.resize(32, 0);
    let framed = [&[0xaa; 16][..], modinfo.as_bytes(), &[0xbb; 16][..]].concat();
    for s in [version.as_bytes(), &framed[..]] {
        let mut n = s.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                b.push(byte);
                break;
            }
            b.push(byte | 0x80);
        }
        b.extend_from_slice(s);
    }
    b
}

const MODINFO: &str = "path\texample.com/app/cmd/app\nmod\texample.com/app\tv1.2.3\th1:main=\ndep\tgolang.org/x/text\tv0.3.7\th1:text=\ndep\tgithub.com/old/lib\tv1.0.0\th1:old=\n=>\tgithub.com/new/lib\tv1.1.0\th1:new=\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=0\n\n";

#[test]
fn decodes_modules_replacements_and_settings() {
    let info = decode(&buildinfo("go1.21.5", MODINFO)).unwrap();
    assert_eq!(info.go_version, "go1.21.5");
    assert_eq!(info.main.as_ref().unwrap().path, "example.com/app");
    let deps: Vec<(&str, &str)> = info
        .deps
        .iter()
        .map(|d| (d.path.as_str(), d.version.as_str()))
        .collect();
    assert_eq!(
        deps,
        vec![
            ("golang.org/x/text", "v0.3.7"),
            ("github.com/new/lib", "v1.1.0")
        ]
    );
    assert_eq!(
        info.settings[1],
        ("CGO_ENABLED".to_string(), "0".to_string())
    );
}

#[test]
fn catalogs_a_binary_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("usr/local/bin/app");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    // Some program bytes first, so the magic is found by scanning at a 16-byte boundary.
    let mut content = vec![0x90u8; 4096];
    content.extend(buildinfo("go1.21.5", MODINFO));
    std::fs::write(&bin, &content).unwrap();
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (catalog, _) = catalog_root(dir.path());
    let got = crate::summary(&catalog);
    assert_eq!(
        got,
        vec![
            (
                "example.com/app",
                "v1.2.3",
                "pkg:golang/example.com/app@v1.2.3"
            ),
            (
                "golang.org/x/text",
                "v0.3.7",
                "pkg:golang/golang.org/x/text@v0.3.7"
            ),
            (
                "github.com/new/lib",
                "v1.1.0",
                "pkg:golang/github.com/new/lib@v1.1.0"
            ),
            ("stdlib", "go1.21.5", "pkg:golang/stdlib@1.21.5"),
        ]
    );
}

#[test]
fn truncated_build_information_is_an_error() {
    let full = buildinfo("go1.21.5", MODINFO);
    assert!(decode(&full[..40]).unwrap_err().contains("truncated"));
    assert!(decode(&full[..10]).unwrap_err().contains("truncated"));
    let mut old = full.clone();
    old[15] = 0;
    assert!(decode(&old).unwrap_err().contains("pre-1.18"));
    assert!(find_buildinfo(b"\x7fELF not go at all").is_none());
}

#[test]
fn gopath_builds_name_the_main_package() {
    let info = decode(&buildinfo(
        "go1.19.8",
        "path\tgithub.com/x/y/cmd/z\nbuild\t-trimpath=true\n",
    ))
    .unwrap();
    let main = info.main.unwrap();
    assert_eq!(
        (main.path.as_str(), main.version.as_str()),
        ("github.com/x/y/cmd/z", "(devel)")
    );
}

#[test]
fn go_mod_in_a_directory_scan() {
    let (catalog, _) = crate::catalog_fixture("src/go/testdata/project");
    let got: Vec<(&str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("github.com/gorilla/mux", "v1.8.0"),
            ("golang.org/x/text", "v0.3.7"),
            ("github.com/new/lib", "v1.1.0"),
            ("github.com/pkg/errors", "v0.9.1"),
        ]
    );
    let customs_types::PackageMetadata::Declared(mux) = &catalog.packages[0].metadata else {
        panic!()
    };
    assert_eq!(
        mux.integrity.as_deref(),
        Some("h1:i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI=")
    );
    assert_eq!(
        catalog.packages[0].purl.as_str(),
        "pkg:golang/github.com/gorilla/mux@v1.8.0"
    );
}
