//! Where outputs go: standard output, or files written whole (a temporary file renamed into
//! place, so a failed run never leaves half a file, nor clobbers the previous one).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use customs_sbom::Format;

#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) format: Format,
    pub(crate) file: Option<PathBuf>,
}

/// `-o FORMAT` and `-o FORMAT=FILE`, with `--file` for the one without a file.
pub(crate) fn parse_targets(outputs: &[String], file: Option<&Path>) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    for o in outputs {
        let (format, path) = match o.split_once('=') {
            Some((f, p)) if !p.is_empty() => (f, Some(PathBuf::from(p))),
            Some((f, _)) => (f, None),
            None => (o.as_str(), None),
        };
        let format: Format = format.parse()?;
        targets.push(Target { format, file: path });
    }
    let to_stdout = targets.iter().filter(|t| t.file.is_none()).count();
    if to_stdout > 1 {
        bail!("only one output can go to standard output; give the others a file (-o FORMAT=FILE)");
    }
    if let Some(f) = file {
        match targets.iter_mut().find(|t| t.file.is_none()) {
            Some(t) => t.file = Some(f.to_path_buf()),
            None => bail!("--file given, but every -o already names its file"),
        }
    }
    Ok(targets)
}

pub(crate) fn write(file: Option<&Path>, text: &str) -> Result<()> {
    let Some(path) = file else {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("standard output"),
        };
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "{}: cannot create a file in {}",
            path.display(),
            dir.display()
        )
    })?;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| path.display().to_string())?;
    tmp.persist(path)
        .with_context(|| format!("{}: cannot move the output into place", path.display()))?;
    Ok(())
}
