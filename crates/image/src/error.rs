use std::path::PathBuf;

/// Everything that can go wrong while opening or reading an image. Each variant names what it was
/// working on (the file, the layer digest, the registry URL) so that one line tells the cause.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: {message}")]
    Invalid { context: String, message: String },
    #[error("{context}: not valid JSON: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("layer {layer}: {message}")]
    Layer { layer: String, message: String },
    #[error("layer {layer}: hostile entry {path:?}: {reason}")]
    HostilePath {
        layer: String,
        path: String,
        reason: &'static str,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("registry {registry}: {message}")]
    Registry { registry: String, message: String },
    #[error("{0}")]
    Usage(String),
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ImageError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(context: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Invalid {
            context: context.into(),
            message: message.into(),
        }
    }

    pub(crate) fn layer(layer: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Layer {
            layer: layer.into(),
            message: message.into(),
        }
    }
}
