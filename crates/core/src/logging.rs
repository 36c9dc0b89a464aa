//! Logging for both front ends: `tracing` to a daily rotating file in the data folder
//! (`<data>/logs/schreibstube.YYYY-MM-DD.log`, the newest [`KEEP_FILES`] kept), and to stderr only
//! when asked for.
//!
//! What is logged is figures, codes and states — never document text, prompts, names or output,
//! at any level (invariant 5). The core keeps to that: events carry counts, sizes, durations and
//! error codes; `#[instrument]` is not used (it would record arguments); panics log their
//! location only (`diagnostics`); llama.cpp's own lines arrive through tracing (target
//! `llama-cpp-2`) and are kept at `warn` unless the filter asks for more. A test runs the CLI at
//! `debug` on distinctive sentences and searches the log for them (crates/cli/tests/privacy.rs).
//! Other libraries are held at `warn` (see [`allowed`]).
//!
//! Filter: `$SCHREIBSTUBE_LOG`, else `$RUST_LOG`, else [`DEFAULT_FILTER`].

use std::path::{Path, PathBuf};

use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Log files kept (one per day with activity).
pub const KEEP_FILES: usize = 14;
pub const DEFAULT_FILTER: &str = "info,llama-cpp-2=warn";

/// Only Schreibstube's own events and llama.cpp's may be more detailed than `warn`, whatever the
/// filter says: libraries log what they process at `debug` (an HTML parser its tokens, a D-Bus
/// library its messages — the keychain's among them), and none of that may reach a log.
fn allowed(meta: &tracing::Metadata<'_>) -> bool {
    let target = meta.target();
    *meta.level() <= tracing::Level::WARN || target.starts_with("schreibstube") || target.starts_with("llama")
}

/// Where the log files are.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Where to log besides the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stderr {
    /// Nothing on stderr (the CLI: a failing command prints exactly one sentence).
    Off,
    /// stderr too, at the same filter (the desktop app; `$SCHREIBSTUBE_LOG` set for the CLI).
    On,
}

/// Installs the global subscriber. A data folder that cannot hold logs (read-only, full) is no
/// reason not to run: then only stderr (if on) gets them. Returns the log folder when the file
/// log is active.
pub fn init(data_dir: &Path, stderr: Stderr) -> Option<PathBuf> {
    let filter = || {
        std::env::var("SCHREIBSTUBE_LOG")
            .or_else(|_| std::env::var("RUST_LOG"))
            .map(|f| EnvFilter::try_new(f).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER)))
            .unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
    };
    let dir = log_dir(data_dir);
    let appender = std::fs::create_dir_all(&dir).ok().and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("schreibstube")
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(&dir)
            .ok()
    });
    let file_on = appender.is_some();
    // Written synchronously (a mutex around the file): a crash or SIGKILL loses no line that
    // was logged before it.
    let file_layer = appender.map(|a| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(a))
            .with_filter(filter().and(filter_fn(allowed)))
    });
    let stderr_layer = (stderr == Stderr::On)
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter().and(filter_fn(allowed))));
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();
    file_on.then_some(dir)
}
