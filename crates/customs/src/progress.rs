//! A progress display on standard error when it is a terminal: bytes of layers read, layers done,
//! packages found. Nothing at all when standard error is redirected.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use customs_engine::{Observer, Progress};
use customs_image::ImageMetadata;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(crate) struct TerminalProgress {
    bar: Option<ProgressBar>,
    layers: AtomicUsize,
    layers_done: AtomicUsize,
}

impl TerminalProgress {
    pub(crate) fn new(enabled: bool) -> Self {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes}/{total_bytes} [{elapsed}]")
                    .expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message("opening");
            bar
        });
        Self {
            bar,
            layers: AtomicUsize::new(0),
            layers_done: AtomicUsize::new(0),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn layer_message(&self) -> String {
        format!(
            "reading layers {}/{}",
            self.layers_done.load(Ordering::Relaxed),
            self.layers.load(Ordering::Relaxed)
        )
    }
}

impl Progress for TerminalProgress {
    fn started(&self, layers: usize, total_bytes: Option<u64>) {
        self.layers.store(layers, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            if let Some(total) = total_bytes {
                bar.set_length(total);
            }
            bar.set_message(if layers == 0 {
                "walking directory".to_string()
            } else {
                self.layer_message()
            });
        }
    }

    fn bytes_read(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn layer_done(&self, _index: usize) {
        self.layers_done.fetch_add(1, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_message(self.layer_message());
        }
    }
}

impl Observer for TerminalProgress {
    fn opened(&self, metadata: &ImageMetadata) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("opened {} image", metadata.source_kind));
        }
    }

    fn cataloged(&self, packages: usize) {
        if let Some(bar) = &self.bar {
            bar.println(format!(" ✔ cataloged {packages} packages"));
        }
    }
}
