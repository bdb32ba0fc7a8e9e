use crate::catalog_fixture;

#[test]
fn deps_json_with_its_assemblies() {
    let (catalog, _) = catalog_fixture("src/dotnet/testdata/installed");
    assert_eq!(
        catalog.packages.len(),
        1,
        "the project itself is not a package"
    );
    let json = &catalog.packages[0];
    assert_eq!(json.purl.as_str(), "pkg:nuget/Newtonsoft.Json@13.0.1");
    assert_eq!(json.files[0].path, "/app/Newtonsoft.Json.dll");
}

#[test]
fn packages_lock_json() {
    let (catalog, _) = catalog_fixture("src/dotnet/testdata/project");
    let got: Vec<(&str, &str)> = catalog
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(got, vec![("Serilog", "2.12.0")]);
}
