//! Malware scanning through ClamAV's daemon: every file's content is streamed to `clamd` with
//! its `INSTREAM` command (4-byte big-endian chunk lengths, a zero length to end) over a Unix
//! or TCP socket, as the layers are read; the image is never unpacked to disk.

use std::io::{Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use customs_image::{Candidate, FileTree, NodeKind};
use customs_sbom::{MalwareFinding, MalwareScan};
use customs_types::Digest;

/// Where clamd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    Unix(PathBuf),
    Tcp(String),
}

impl std::str::FromStr for ClamdAddress {
    type Err = String;

    /// `unix:/run/clamav/clamd.ctl`, `tcp:127.0.0.1:3310`, a path (starts with `/` or `.`),
    /// or `HOST:PORT`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(p) = s.strip_prefix("unix:") {
            return Ok(ClamdAddress::Unix(PathBuf::from(p)));
        }
        if let Some(a) = s.strip_prefix("tcp:") {
            return Ok(ClamdAddress::Tcp(a.to_string()));
        }
        if s.starts_with('/') || s.starts_with('.') {
            return Ok(ClamdAddress::Unix(PathBuf::from(s)));
        }
        if s.rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        {
            return Ok(ClamdAddress::Tcp(s.to_string()));
        }
        Err(format!(
            "{s:?} is not a clamd address (unix:/path/to/clamd.ctl, a socket path, or HOST:PORT)"
        ))
    }
}

impl std::fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClamdAddress::Unix(p) => write!(f, "unix:{}", p.display()),
            ClamdAddress::Tcp(a) => write!(f, "tcp:{a}"),
        }
    }
}

/// The default socket of Debian's `clamav-daemon`.
pub const DEFAULT_CLAMD_SOCKET: &str = "/run/clamav/clamd.ctl";

#[derive(Debug, thiserror::Error)]
pub enum ClamdError {
    #[error("cannot reach clamd at {address}: {reason}")]
    Connect { address: String, reason: String },
    #[error("clamd at {address}: {reason}")]
    Protocol { address: String, reason: String },
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// A client of one clamd.
#[derive(Debug, Clone)]
pub struct Clamd {
    address: ClamdAddress,
    timeout: Duration,
}

/// What clamd said of one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Found(String),
}

impl Clamd {
    pub fn new(address: ClamdAddress) -> Clamd {
        Clamd {
            address,
            timeout: Duration::from_secs(120),
        }
    }

    fn connect(&self) -> Result<Box<dyn Stream>, ClamdError> {
        let fail = |e: std::io::Error| ClamdError::Connect {
            address: self.address.to_string(),
            reason: e.to_string(),
        };
        Ok(match &self.address {
            #[cfg(unix)]
            ClamdAddress::Unix(path) => {
                let s = UnixStream::connect(path).map_err(fail)?;
                s.set_read_timeout(Some(self.timeout)).map_err(fail)?;
                s.set_write_timeout(Some(self.timeout)).map_err(fail)?;
                Box::new(s)
            }
            #[cfg(not(unix))]
            ClamdAddress::Unix(_) => {
                return Err(fail(std::io::Error::other(
                    "Unix sockets need a Unix system",
                )));
            }
            ClamdAddress::Tcp(addr) => {
                let s = TcpStream::connect(addr).map_err(fail)?;
                s.set_read_timeout(Some(self.timeout)).map_err(fail)?;
                s.set_write_timeout(Some(self.timeout)).map_err(fail)?;
                Box::new(s)
            }
        })
    }

    fn protocol(&self, reason: impl Into<String>) -> ClamdError {
        ClamdError::Protocol {
            address: self.address.to_string(),
            reason: reason.into(),
        }
    }

    /// Reads one NUL-terminated reply (the `z` form of the commands).
    fn reply(&self, stream: &mut dyn Stream) -> Result<String, ClamdError> {
        let mut out = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match stream.read(&mut byte) {
                Ok(0) => break,
                Ok(_) if byte[0] == 0 => break,
                Ok(_) => out.push(byte[0]),
                Err(e) => return Err(self.protocol(format!("reading the reply: {e}"))),
            }
            if out.len() > 64 * 1024 {
                return Err(self.protocol("reply too long"));
            }
        }
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The engine and signature versions (`ClamAV 1.0.7/27000/...`).
    pub fn version(&self) -> Result<String, ClamdError> {
        let mut s = self.connect()?;
        s.write_all(b"zVERSION\0")
            .map_err(|e| self.protocol(format!("sending VERSION: {e}")))?;
        let reply = self.reply(&mut *s)?;
        if reply.is_empty() {
            return Err(self.protocol("empty reply to VERSION"));
        }
        Ok(reply)
    }

    /// Scans one file's content.
    pub fn scan(&self, content: &[u8]) -> Result<Verdict, ClamdError> {
        let mut s = self.connect()?;
        let send = |s: &mut Box<dyn Stream>, bytes: &[u8]| {
            s.write_all(bytes)
                .map_err(|e| self.protocol(format!("streaming the file: {e}")))
        };
        send(&mut s, b"zINSTREAM\0")?;
        for chunk in content.chunks(1 << 20) {
            send(&mut s, &(chunk.len() as u32).to_be_bytes())?;
            send(&mut s, chunk)?;
        }
        send(&mut s, &0u32.to_be_bytes())?;
        let reply = self.reply(&mut *s)?;
        // `stream: OK`, `stream: Eicar-Test-Signature FOUND`, `INSTREAM size limit exceeded. ERROR`.
        let body = reply.strip_prefix("stream:").map(str::trim);
        match body {
            Some("OK") => Ok(Verdict::Clean),
            Some(b) if b.ends_with(" FOUND") => Ok(Verdict::Found(
                b.trim_end_matches(" FOUND").trim().to_string(),
            )),
            _ => Err(self.protocol(format!("unexpected reply {reply:?}"))),
        }
    }
}

/// Files larger than this are not sent (clamd's own `StreamMaxLength` defaults to 25 MB;
/// larger files would be refused by it anyway).
pub const MAX_SCANNED_SIZE: u64 = 25 * 1024 * 1024;

struct Hit {
    layer: usize,
    path: String,
    signature: String,
}

/// Scans files as the layers stream, and gathers the findings.
pub(crate) struct MalwareScanner {
    clamd: Clamd,
    version: String,
    scanned: std::sync::atomic::AtomicU64,
    hits: Mutex<Vec<Hit>>,
    /// The first failure: a scan that failed for one file is not a clean scan.
    failure: Mutex<Option<(String, ClamdError)>>,
}

impl MalwareScanner {
    /// Checks that clamd answers before any layer is read.
    pub(crate) fn connect(clamd: Clamd) -> Result<MalwareScanner, ClamdError> {
        let version = clamd.version()?;
        Ok(MalwareScanner {
            clamd,
            version,
            scanned: Default::default(),
            hits: Mutex::new(Vec::new()),
            failure: Mutex::new(None),
        })
    }

    pub(crate) fn observes(&self, candidate: &Candidate<'_>) -> bool {
        candidate.size > 0 && candidate.size <= MAX_SCANNED_SIZE
    }

    pub(crate) fn observe(&self, layer: usize, path: &str, content: &[u8]) {
        if content.is_empty() || content.len() as u64 > MAX_SCANNED_SIZE {
            return;
        }
        if self.failure.lock().expect("no scanner panics").is_some() {
            return;
        }
        match self.clamd.scan(content) {
            Ok(verdict) => {
                self.scanned
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Verdict::Found(signature) = verdict {
                    self.hits.lock().expect("no scanner panics").push(Hit {
                        layer,
                        path: path.to_string(),
                        signature,
                    });
                }
            }
            Err(e) => {
                let mut failure = self.failure.lock().expect("no scanner panics");
                if failure.is_none() {
                    *failure = Some((path.to_string(), e));
                }
            }
        }
    }

    /// The result: findings in the files the squashed tree shows, or (with `all_layers`) in
    /// every version of every file, marked visible or not.
    pub(crate) fn finish(
        self,
        squashed: &FileTree,
        layer_ids: &[Option<Digest>],
        all_layers: bool,
    ) -> Result<MalwareScan, (String, ClamdError)> {
        if let Some(f) = self.failure.into_inner().expect("no scanner panics") {
            return Err(f);
        }
        let mut findings: Vec<MalwareFinding> = self
            .hits
            .into_inner()
            .expect("no scanner panics")
            .into_iter()
            .filter_map(|h| {
                let visible = squashed
                    .get(&h.path)
                    .is_some_and(|n| n.kind == NodeKind::File && n.layer == h.layer);
                (visible || all_layers).then(|| MalwareFinding {
                    path: h.path,
                    signature: h.signature,
                    layer: layer_ids.get(h.layer).cloned().flatten(),
                    visible,
                })
            })
            .collect();
        findings.sort();
        findings.dedup();
        Ok(MalwareScan {
            scanner: "clamav".into(),
            version: Some(self.version),
            files_scanned: self.scanned.into_inner(),
            findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = |s: &str| s.parse::<ClamdAddress>();
        assert_eq!(
            a("unix:/run/c.ctl"),
            Ok(ClamdAddress::Unix("/run/c.ctl".into()))
        );
        assert_eq!(a("/tmp/s"), Ok(ClamdAddress::Unix("/tmp/s".into())));
        assert_eq!(
            a("127.0.0.1:3310"),
            Ok(ClamdAddress::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            a("tcp:clamd:3310"),
            Ok(ClamdAddress::Tcp("clamd:3310".into()))
        );
        assert!(a("clamd").is_err());
    }

    #[test]
    fn a_daemon_that_is_not_there_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = Clamd::new(ClamdAddress::Unix(dir.path().join("none.ctl")))
            .version()
            .unwrap_err();
        assert!(
            e.to_string().starts_with("cannot reach clamd at unix:"),
            "{e}"
        );
    }
}
