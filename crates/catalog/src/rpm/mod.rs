//! rpm: the package database, one header blob per installed package, in either of its two common
//! containers: SQLite (`rpmdb.sqlite`, rpm ≥ 4.16) and Berkeley DB (`Packages`, older rpm). The
//! NDB format (`Packages.db`, SUSE) is recognised and reported as an unknown: not read yet.

mod bdb;
mod header;

use customs_types::{OwnedFile, Package, PackageMetadata, PackageType, Purl, RpmMetadata, Unknown};

use crate::{Catalog, Cataloger, Env, Primary, package_id};

pub(crate) struct Rpm;

const DB_DIRS: &[&str] = &["/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/"];

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        "rpm-db"
    }

    fn reads(&self) -> &'static str {
        "`**/{var/lib,usr/lib/sysimage,usr/share}/rpm/`: `rpmdb.sqlite` (rpm >= 4.16) and `Packages` (Berkeley DB, older rpm); `Packages.db` (NDB) is reported as an unknown"
    }

    fn is_primary(&self, path: &str) -> bool {
        DB_DIRS.iter().any(|dir| {
            path.find(dir).is_some_and(|at| {
                matches!(
                    &path[at + dir.len()..],
                    "rpmdb.sqlite" | "Packages" | "Packages.db"
                )
            })
        })
    }

    fn catalog(&self, primary: &Primary<'_>, env: &Env<'_>, out: &mut Catalog) {
        let unknown = |reason: String| Unknown {
            cataloger: "rpm-db".into(),
            path: primary.path.into(),
            reason,
        };
        let blobs = if primary.path.ends_with("rpmdb.sqlite") {
            read_sqlite_blobs(primary.content)
                .map_err(|e| format!("cannot read the SQLite database: {e}"))
        } else if primary.path.ends_with("/Packages") {
            bdb::values(primary.content)
                .map_err(|e| format!("cannot read the Berkeley DB database: {e}"))
        } else {
            Err("NDB rpm databases (Packages.db) are not supported yet".to_string())
        };
        let blobs = match blobs {
            Ok(b) => b,
            Err(reason) => {
                out.unknowns.push(unknown(reason));
                return;
            }
        };
        for (i, blob) in blobs.iter().enumerate() {
            match header::parse(blob) {
                Ok(h) => {
                    if let Some(p) = package_from(&h, primary, env) {
                        out.packages.push(p);
                    }
                }
                Err(e) => out
                    .unknowns
                    .push(unknown(format!("package header {}: {e}", i + 1))),
            }
        }
    }
}

/// SQLite needs a file: the database is copied to a private temporary file and opened read-only.
fn read_sqlite_blobs(content: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let tmp = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    std::fs::write(tmp.path(), content).map_err(|e| e.to_string())?;
    let conn = rusqlite::Connection::open_with_flags(
        tmp.path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

fn package_from(h: &header::Header, primary: &Primary<'_>, env: &Env<'_>) -> Option<Package> {
    let name = h.string(header::NAME)?;
    // Imported signing keys are stored as packages, but they are not software.
    if name == "gpg-pubkey" {
        return None;
    }
    let upstream_version = h.string(header::VERSION)?;
    let release = h.string(header::RELEASE).unwrap_or_default();
    let epoch = h.int32(header::EPOCH).first().copied();
    let version_release = if release.is_empty() {
        upstream_version.clone()
    } else {
        format!("{upstream_version}-{release}")
    };
    let version = match epoch {
        Some(e) => format!("{e}:{version_release}"),
        None => version_release.clone(),
    };
    let arch = h.string(header::ARCH);
    let source_rpm = h.string(header::SOURCERPM).filter(|s| s != "(none)");
    let (source_name, source_version) = match source_rpm.as_deref().and_then(split_source_rpm) {
        Some((n, v)) => (Some(n), Some(v)),
        None => (Some(name.clone()), Some(version_release.clone())),
    };
    let distro = env.distro;
    let namespace = distro
        .map(|d| d.id.clone())
        .unwrap_or_else(|| "redhat".into());
    let distro_qualifier = distro.map(|d| d.purl_qualifier());
    let epoch_text = epoch.map(|e| e.to_string());
    let purl = Purl::new(
        "rpm",
        Some(&namespace),
        &name,
        Some(&version_release),
        &[
            ("arch", arch.as_deref()),
            ("epoch", epoch_text.as_deref()),
            ("upstream", source_rpm.as_deref()),
            ("distro", distro_qualifier.as_deref()),
        ],
    );
    let metadata = RpmMetadata {
        epoch,
        release,
        source_rpm,
        vendor: h.string(header::VENDOR),
        size: h
            .int64(header::LONGSIZE)
            .first()
            .copied()
            .or_else(|| h.int32(header::SIZE).first().map(|s| u64::from(*s))),
        modularity_label: h.string(header::MODULARITYLABEL),
    };
    Some(Package {
        id: package_id(&[
            "rpm",
            &name,
            &version,
            arch.as_deref().unwrap_or(""),
            primary.path,
        ]),
        licenses: h.string(header::LICENSE).into_iter().collect(),
        files: files(h),
        name,
        version,
        package_type: PackageType::Rpm,
        arch,
        source_name,
        source_version,
        purl,
        locations: vec![primary.location.clone()],
        metadata: PackageMetadata::Rpm(metadata),
    })
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7-27.el9`).
fn split_source_rpm(srpm: &str) -> Option<(String, String)> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = base.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    Some((name.to_string(), format!("{version}-{release}")))
}

fn files(h: &header::Header) -> Vec<OwnedFile> {
    let basenames = h.strings(header::BASENAMES);
    let dirnames = h.strings(header::DIRNAMES);
    let dirindexes = h.int32(header::DIRINDEXES);
    let digests = h.strings(header::FILEDIGESTS);
    let flags = h.int32(header::FILEFLAGS);
    let algorithm = match h.int32(header::FILEDIGESTALGO).first() {
        Some(2) => "sha1",
        Some(8) => "sha256",
        Some(9) => "sha384",
        Some(10) => "sha512",
        Some(11) => "sha224",
        _ => "md5",
    };
    basenames
        .iter()
        .enumerate()
        .filter_map(|(i, base)| {
            let dir = dirnames.get(*dirindexes.get(i)? as usize)?;
            let digest = digests
                .get(i)
                .filter(|d| !d.is_empty())
                .map(|d| format!("{algorithm}:{d}"));
            Some(OwnedFile {
                path: format!("{dir}{base}"),
                digest,
                // RPMFILE_CONFIG is bit 0 of the file flags.
                is_config: flags.get(i).is_some_and(|f| f & 1 == 1),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
