//! Go: module binaries, from the build information the Go toolchain (1.18 and later) embeds:
//! the main module, every dependency with its version and checksum, replacements, build
//! settings, and the toolchain itself as the `stdlib` package.

use customs_image::Candidate;
use customs_types::{GoMetadata, Package, PackageMetadata, PackageType, Purl};

use crate::{Catalog, Cataloger, Env, Primary, elf, inspected, package_id};

pub(crate) struct Go;

const BUILDINFO_MAGIC: &[u8] = b"\xff Go buildinf:";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Module {
    pub(crate) path: String,
    pub(crate) version: String,
    pub(crate) sum: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BuildInfo {
    pub(crate) go_version: String,
    pub(crate) main: Option<Module>,
    pub(crate) deps: Vec<Module>,
    pub(crate) settings: Vec<(String, String)>,
}

impl Cataloger for Go {
    fn name(&self) -> &'static str {
        "go-module-binary"
    }

    fn reads(&self) -> &'static str {
        "executables with Go build information (Go >= 1.18): main module, dependencies with versions and sums, build settings, and the toolchain as `stdlib`"
    }

    fn is_primary(&self, _path: &str) -> bool {
        false
    }

    fn inspects(&self, candidate: &Candidate<'_>) -> bool {
        candidate.is_executable()
    }

    fn inspect(&self, _path: &str, content: &[u8]) -> Option<Box<dyn std::any::Any + Send + Sync>> {
        find_buildinfo(content).map(|r| Box::new(r) as _)
    }

    fn catalog(&self, primary: &Primary<'_>, _env: &Env<'_>, out: &mut Catalog) {
        let Some(info) = inspected::<BuildInfo>(self.name(), primary, out) else {
            return;
        };
        let main_path = info.main.as_ref().map(|m| m.path.clone());
        let mut add = |m: &Module, settings: Vec<(String, String)>| {
            // `(devel)` is what a build outside version control says: no version to match on.
            let version = (m.version != "(devel)").then_some(m.version.as_str());
            out.packages.push(Package {
                id: package_id(&["go", &m.path, &m.version, primary.path]),
                name: m.path.clone(),
                version: m.version.clone(),
                package_type: PackageType::GoModule,
                arch: None,
                source_name: None,
                source_version: None,
                licenses: Vec::new(),
                purl: golang_purl(&m.path, version),
                locations: vec![primary.location.clone()],
                files: Vec::new(),
                metadata: PackageMetadata::Go(GoMetadata {
                    go_version: info.go_version.clone(),
                    sum: m.sum.clone(),
                    main_module: main_path.clone(),
                    build_settings: settings,
                }),
            });
        };
        if let Some(main) = &info.main {
            add(main, info.settings.clone());
        }
        for dep in &info.deps {
            add(dep, Vec::new());
        }
        if let Some(v) = info.go_version.strip_prefix("go") {
            let stdlib = Module {
                path: "stdlib".into(),
                version: info.go_version.clone(),
                sum: None,
            };
            add(&stdlib, Vec::new());
            if let Some(last) = out.packages.last_mut() {
                // The stdlib's purl carries the bare toolchain version, as vulnerability
                // databases do.
                last.purl = golang_purl("stdlib", Some(v));
            }
        }
    }
}

/// `pkg:golang/NAMESPACE/NAME@VERSION`: the module path's last segment is the name.
fn golang_purl(module: &str, version: Option<&str>) -> Purl {
    match module.rsplit_once('/') {
        Some((namespace, name)) => Purl::new("golang", Some(namespace), name, version, &[]),
        None => Purl::new("golang", None, module, version, &[]),
    }
}

/// Finds and decodes the build information; `None` for a binary that is not a Go program.
pub(crate) fn find_buildinfo(content: &[u8]) -> Option<Result<BuildInfo, String>> {
    let start = match elf::section(content, ".go.buildinfo") {
        Ok(Some(section)) if section.starts_with(BUILDINFO_MAGIC) => {
            section.as_ptr() as usize - content.as_ptr() as usize
        }
        _ => scan_for_magic(content)?,
    };
    Some(decode(&content[start..]))
}

/// The magic sits at a 16-byte boundary of the file in every Go binary format.
fn scan_for_magic(content: &[u8]) -> Option<usize> {
    (0..content.len().saturating_sub(BUILDINFO_MAGIC.len()))
        .step_by(16)
        .find(|&i| content[i] == 0xff && content[i..].starts_with(BUILDINFO_MAGIC))
}

fn decode(blob: &[u8]) -> Result<BuildInfo, String> {
    let header = blob
        .get(..32)
        .ok_or("truncated Go build information header")?;
    let flags = header[15];
    if flags & 2 == 0 {
        return Err("Go build information in the pre-1.18 layout (pointers into the program) is not read yet".into());
    }
    let mut rest = &blob[32..];
    let version = read_string(&mut rest).ok_or("truncated Go version string")?;
    let modinfo = read_string(&mut rest).ok_or("truncated Go module information")?;
    // The module information is framed by 16-byte sentinels.
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    };
    let mut info = BuildInfo {
        go_version: String::from_utf8_lossy(version).into_owned(),
        ..BuildInfo::default()
    };
    for line in String::from_utf8_lossy(modinfo).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let module = || Module {
            path: fields.get(1).copied().unwrap_or_default().to_string(),
            version: fields.get(2).copied().unwrap_or_default().to_string(),
            sum: fields
                .get(3)
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string()),
        };
        match fields[0] {
            // GOPATH builds record only the main package's path: it stands for the module.
            "path" if info.main.is_none() => {
                info.main = Some(Module {
                    path: fields.get(1).copied().unwrap_or_default().to_string(),
                    version: "(devel)".into(),
                    sum: None,
                })
            }
            "mod" => info.main = Some(module()),
            "dep" => info.deps.push(module()),
            // A replacement applies to the module listed just before it.
            "=>" => {
                if let Some(last) = info.deps.last_mut().or(info.main.as_mut()) {
                    *last = module();
                }
            }
            "build" => {
                if let Some((k, v)) = fields.get(1).and_then(|kv| kv.split_once('=')) {
                    info.settings.push((k.to_string(), v.to_string()));
                }
            }
            _ => {}
        }
    }
    if info.go_version.is_empty() {
        return Err("Go build information without a toolchain version".into());
    }
    Ok(info)
}

/// A uvarint length followed by that many bytes.
fn read_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&b, tail) = rest.split_first()?;
        *rest = tail;
        len |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let len = usize::try_from(len).ok()?;
    let s = rest.get(..len)?;
    *rest = &rest[len..];
    Some(s)
}

pub(crate) mod go_mod;

#[cfg(test)]
mod tests;
