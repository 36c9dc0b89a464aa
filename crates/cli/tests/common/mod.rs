//! Shared by the CLI's integration tests: the binary with a data folder of its own and no IT
//! policy of this machine in the way.

#![allow(dead_code)] // each test file uses a part

use std::path::Path;
use std::process::Command;
use std::sync::Once;

pub const SHA: &str = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";

pub fn cli(data_dir: &Path) -> Command {
    ensure_key();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_schreibstube-cli"));
    // The repository's models/ is found from the crate folder (cargo runs tests there).
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.arg("--data-dir").arg(data_dir);
    cmd.env("SCHREIBSTUBE_POLICY", data_dir.join("keine-policy.toml"));
    cmd.env_remove("SCHREIBSTUBE_LOG").env_remove("RUST_LOG");
    cmd
}

/// The first start makes the database key; tests in one binary run in parallel, so it is made
/// once here, before any CLI runs, instead of by two CLIs at the same moment.
pub fn ensure_key() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "needs a Secret Service: run through scripts/with-keyring.sh (make test does)"
        );
        let keychain = schreibstube_core::store::Keychain::default();
        if keychain.get().expect("keychain").is_none() {
            keychain.set(&schreibstube_core::store::DbKey::generate().unwrap()).unwrap();
        }
    });
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status.code(), stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}
