//! Generated documentation must match what the binary says.

mod common;

use common::*;

#[test]
fn cataloger_table_in_docs_is_current() {
    let out = run(customs().arg("catalogers"));
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let doc_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sbom.md");
    let doc = std::fs::read_to_string(doc_path).unwrap();
    let start = doc
        .find("<!-- catalogers:start -->\n")
        .expect("start marker")
        + 26;
    let end = doc.find("<!-- catalogers:end -->").expect("end marker");
    assert_eq!(
        &doc[start..end],
        generated,
        "docs/sbom.md is stale: paste the output of `customs catalogers` between the markers"
    );
}
