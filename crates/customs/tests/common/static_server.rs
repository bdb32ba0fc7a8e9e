//! A static file server on 127.0.0.1 for the feed tests: serves a directory like a mirror of
//! the upstream feeds, and can misbehave on purpose.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub enum Misbehaviour {
    None,
    /// Requests whose path contains the text answer this status.
    Status(&'static str, u16),
    /// Requests whose path contains the text get half the body under the full Content-Length.
    Truncate(&'static str),
}

pub struct StaticServer {
    pub url: String,
}

impl StaticServer {
    pub fn start(root: PathBuf, misbehaviour: Misbehaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new((root, misbehaviour));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state.0, &state.1);
                });
            }
        });
        StaticServer { url }
    }
}

fn serve(mut stream: TcpStream, root: &std::path::Path, how: &Misbehaviour) -> std::io::Result<()> {
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        if h.trim_end().is_empty() {
            break;
        }
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .replace("%20", " ");
    let (status, body, declared) = match how {
        Misbehaviour::Status(text, status) if path.contains(text) => (*status, b"no".to_vec(), 2),
        _ => {
            let file = root.join(path.trim_start_matches('/'));
            if path.contains("..") || !file.is_file() {
                (404, b"not found".to_vec(), 9)
            } else {
                let bytes = std::fs::read(&file)?;
                let len = bytes.len();
                match how {
                    Misbehaviour::Truncate(text) if path.contains(text) => {
                        (200, bytes[..len / 2].to_vec(), len)
                    }
                    _ => (200, bytes, len),
                }
            }
        }
    };
    let head = format!(
        "HTTP/1.1 {status} Status\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}
