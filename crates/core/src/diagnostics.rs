//! Panics without personal data. A panic message can quote whatever the code was holding (a
//! line of a document, a prompt), so the hook logs where it happened and never what it said
//! (invariant 5). Both front ends install it at start.

/// Replaces the default hook (which prints the message to stderr) with one that logs the
/// location only. Panics inside the core's parsers and the inference worker are caught there and
/// become typed errors; this hook only decides what the log sees.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        tracing::error!(location = location.as_deref().unwrap_or("unknown"), "panic (message withheld: it may quote user data)");
    }));
}
