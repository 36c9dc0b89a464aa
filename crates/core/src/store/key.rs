//! The database key: 32 random bytes, kept only in the OS keychain (Secret Service on Linux).
//! Its `Debug` never prints it.

use std::sync::Arc;

use crate::error::{CoreError, Result};

pub struct DbKey([u8; 32]);

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

impl DbKey {
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| CoreError::Keychain(format!("no randomness: {e}")))?;
        Ok(Self(bytes))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub(super) fn hex(&self) -> String {
        hex::encode(self.0)
    }

    fn from_hex(s: &str) -> Option<Self> {
        let v = hex::decode(s.trim()).ok()?;
        Some(Self(v.try_into().ok()?))
    }
}

/// The keychain entry holding the database key.
pub struct Keychain {
    service: String,
    user: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new("de.schreibstube.app", "database-key")
    }
}

impl Keychain {
    pub fn new(service: &str, user: &str) -> Self {
        Self { service: service.into(), user: user.into() }
    }

    fn entry(&self) -> Result<keyring_core::Entry> {
        let store = platform_store()?;
        keyring_core::Entry::new_in_store(&store, &self.service, &self.user).map_err(keychain_error)
    }

    /// The stored key, or `None` when there is none yet.
    pub fn get(&self) -> Result<Option<DbKey>> {
        match self.entry()?.get_password() {
            Ok(hex) => DbKey::from_hex(&hex).map(Some).ok_or_else(|| CoreError::Keychain("stored key is malformed".into())),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    pub fn set(&self, key: &DbKey) -> Result<()> {
        self.entry()?.set_password(&key.hex()).map_err(keychain_error)
    }

    pub fn delete(&self) -> Result<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(keychain_error)?;
    Ok(store)
}

#[cfg(not(target_os = "linux"))]
fn platform_store() -> Result<Arc<keyring_core::CredentialStore>> {
    // Windows Credential Manager and the macOS Keychain have keyring stores of their own; they
    // are added with the installers for those systems.
    Err(CoreError::Keychain("no keychain store for this operating system yet".into()))
}

fn keychain_error(e: keyring_core::Error) -> CoreError {
    // The platform's message may name the keyring service, never the key.
    CoreError::Keychain(e.to_string())
}
