//! Shared by the fuzz targets.

/// libFuzzer's panic hook aborts on every panic, even one the reader's `catch_unwind` contains
/// (as it does in the app). Unless `FUZZ_PANICS=1`, panics are therefore made silent so that
/// only what really takes the app down counts as a crash; with `FUZZ_PANICS=1`, contained
/// panics are findings too (to report them upstream).
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("FUZZ_PANICS").is_none_or(|v| v != "1") {
            std::panic::set_hook(Box::new(|_| {}));
        }
    });
}
