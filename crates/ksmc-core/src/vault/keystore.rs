//! Where the vault key lives: the OS keyring (one entry per installation), or memory for a
//! session-only vault and for tests.
//!
//! Every call goes through [`KeyringAccess`]: one dedicated worker thread, one call at a time,
//! each with a deadline. A call that does not return in time (a locked keyring showing an
//! unlock prompt blocks until someone answers it) gives [`KeyringCause::Timeout`]; while it is
//! still stuck, later calls fail at once with [`KeyringCause::Busy`] instead of queueing.

use std::collections::HashMap;
use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::vault::error::{KeyringCause, KeyringError};

/// The deadline of one keyring call.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(30);

/// The keyring service name of ksmc's entries. No '.', the Windows target delimiter.
pub const KEYRING_SERVICE: &str = "ksmc";

/// A place holding the vault key's text form under an account name. Implementations are
/// blocking; [`KeyringAccess`] runs them on its worker with a deadline.
pub trait KeyStore: Send + Sync + fmt::Debug {
    /// What the user should know the key is in ("Secret Service", "memory (session only)").
    fn description(&self) -> String;
    /// Whether the key outlives this process. A key missing from a persistent store while
    /// sealed clusters exist is never replaced; a non-persistent store starts empty every time.
    fn persistent(&self) -> bool;
    /// Whether the store can be reached at all.
    ///
    /// # Errors
    /// When it cannot.
    fn check(&self) -> Result<(), KeyringError>;
    /// The stored text, `None` when there is no entry.
    ///
    /// # Errors
    /// When the store fails.
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeyringError>;
    /// Stores the text, replacing an existing entry.
    ///
    /// # Errors
    /// When the store fails.
    fn set(&self, account: &str, secret: &str) -> Result<(), KeyringError>;
    /// Deletes the entry; `Ok` when there was none.
    ///
    /// # Errors
    /// When the store fails.
    fn delete(&self, account: &str) -> Result<(), KeyringError>;
}

type StoreFactory =
    dyn Fn() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> + Send + Sync;

/// The OS keyring through keyring-core: Secret Service (zbus) on Linux and the BSDs, the
/// login Keychain on macOS, Credential Manager on Windows with local (non-roaming)
/// persistence. The store is created at the first call; a failed creation is not cached, so
/// starting the keyring and retrying works without restarting ksmc.
pub struct KeyringKeyStore {
    factory: Box<StoreFactory>,
    store: Mutex<Option<Arc<keyring_core::CredentialStore>>>,
    modifiers: Vec<(&'static str, &'static str)>,
    description: String,
}

impl fmt::Debug for KeyringKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringKeyStore")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl KeyringKeyStore {
    /// The platform's keyring.
    #[must_use]
    pub fn platform() -> Self {
        #[cfg(all(
            unix,
            not(any(target_os = "macos", target_os = "ios", target_os = "android"))
        ))]
        {
            fn make() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
                let store: Arc<keyring_core::CredentialStore> =
                    zbus_secret_service_keyring_store::Store::new()?;
                Ok(store)
            }
            let mut s = Self::with_factory("Secret Service (D-Bus)", make);
            s.modifiers = vec![("label", "ksmc vault key")];
            s
        }
        #[cfg(target_os = "macos")]
        {
            fn make() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
                let store: Arc<keyring_core::CredentialStore> =
                    apple_native_keyring_store::keychain::Store::new()?;
                Ok(store)
            }
            Self::with_factory("macOS Keychain", make)
        }
        #[cfg(target_os = "windows")]
        {
            fn make() -> keyring_core::Result<Arc<keyring_core::CredentialStore>> {
                let store: Arc<keyring_core::CredentialStore> =
                    windows_native_keyring_store::Store::new()?;
                Ok(store)
            }
            let mut s = Self::with_factory("Windows Credential Manager", make);
            // Enterprise (the default) roams with the profile; keep the key on this machine.
            s.modifiers = vec![("persistence", "Local")];
            s
        }
        #[cfg(not(any(
            all(
                unix,
                not(any(target_os = "macos", target_os = "ios", target_os = "android"))
            ),
            target_os = "macos",
            target_os = "windows"
        )))]
        {
            Self::with_factory("no keyring on this platform", || {
                Err(keyring_core::Error::NoDefaultStore)
            })
        }
    }

    /// A keyring-core store made by `factory` (e.g. `keyring_core::mock::Store::new` in tests).
    pub fn with_factory(
        description: impl Into<String>,
        factory: impl Fn() -> keyring_core::Result<Arc<keyring_core::CredentialStore>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self {
            factory: Box::new(factory),
            store: Mutex::new(None),
            modifiers: Vec::new(),
            description: description.into(),
        }
    }

    fn store(&self) -> Result<Arc<keyring_core::CredentialStore>, KeyringError> {
        let mut cached = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = cached.as_ref() {
            return Ok(store.clone());
        }
        let store = (self.factory)().map_err(|e| KeyringError::from_keyring(&e))?;
        *cached = Some(store.clone());
        Ok(store)
    }

    fn entry(&self, account: &str) -> Result<keyring_core::Entry, KeyringError> {
        let store = self.store()?;
        let modifiers: HashMap<&str, &str> = self.modifiers.iter().copied().collect();
        let modifiers = (!modifiers.is_empty()).then_some(&modifiers);
        store
            .build(KEYRING_SERVICE, account, modifiers)
            .map_err(|e| KeyringError::from_keyring(&e))
    }

    fn forget_store_on_failure(&self, e: &KeyringError) {
        // A dropped connection (keyring daemon restarted) is re-made at the next call.
        if matches!(e.cause, KeyringCause::NoService | KeyringCause::Platform) {
            *self.store.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
    }
}

impl KeyStore for KeyringKeyStore {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn persistent(&self) -> bool {
        true
    }

    fn check(&self) -> Result<(), KeyringError> {
        self.store().map(|_| ())
    }

    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeyringError> {
        let result = self
            .entry(account)
            .and_then(|entry| match entry.get_password() {
                Ok(text) => Ok(Some(Zeroizing::new(text))),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(e) => Err(KeyringError::from_keyring(&e)),
            });
        if let Err(e) = &result {
            self.forget_store_on_failure(e);
        }
        result
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeyringError> {
        let result = self.entry(account).and_then(|entry| {
            entry
                .set_password(secret)
                .map_err(|e| KeyringError::from_keyring(&e))
        });
        if let Err(e) = &result {
            self.forget_store_on_failure(e);
        }
        result
    }

    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        let result = self
            .entry(account)
            .and_then(|entry| match entry.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(KeyringError::from_keyring(&e)),
            });
        if let Err(e) = &result {
            self.forget_store_on_failure(e);
        }
        result
    }
}

/// The key in memory only: gone when the process ends. For session-only vaults and tests.
#[derive(Default)]
pub struct MemoryKeyStore {
    entries: Mutex<HashMap<String, Zeroizing<String>>>,
}

impl fmt::Debug for MemoryKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemoryKeyStore")
            .field("entries", &count)
            .finish()
    }
}

impl MemoryKeyStore {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl KeyStore for MemoryKeyStore {
    fn description(&self) -> String {
        "memory (session only)".into()
    }

    fn persistent(&self) -> bool {
        false
    }

    fn check(&self) -> Result<(), KeyringError> {
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeyringError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(account)
            .cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), KeyringError> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(account.to_owned(), Zeroizing::new(secret.to_owned()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(account);
        Ok(())
    }
}

type Job = Box<dyn FnOnce(&dyn KeyStore) + Send>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum JobState {
    Pending,
    Running,
    Done,
    Abandoned,
}

struct Shared {
    /// Set while a call whose caller gave up is still inside the store.
    wedged: Mutex<bool>,
}

/// Serialised, deadline-bound access to a [`KeyStore`] on one dedicated worker thread.
pub struct KeyringAccess {
    store: Arc<dyn KeyStore>,
    jobs: Mutex<mpsc::Sender<Job>>,
    shared: Arc<Shared>,
    timeout: Duration,
}

impl fmt::Debug for KeyringAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringAccess")
            .field("store", &self.store)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl KeyringAccess {
    #[must_use]
    pub fn new(store: Arc<dyn KeyStore>, timeout: Duration) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let worker_store = store.clone();
        let spawned = std::thread::Builder::new()
            .name("ksmc-keyring".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(worker_store.as_ref());
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the keyring worker thread");
        }
        Self {
            store,
            jobs: Mutex::new(tx),
            shared: Arc::new(Shared {
                wedged: Mutex::new(false),
            }),
            timeout,
        }
    }

    #[must_use]
    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    /// Runs `op` on the worker and waits at most the deadline for it.
    ///
    /// # Errors
    /// The store's error, [`KeyringCause::Timeout`] after the deadline, or
    /// [`KeyringCause::Busy`] while an abandoned call is still stuck in the store.
    pub fn call<T: Send + 'static>(
        &self,
        op: impl FnOnce(&dyn KeyStore) -> Result<T, KeyringError> + Send + 'static,
    ) -> Result<T, KeyringError> {
        if *self
            .shared
            .wedged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            return Err(KeyringError::new(
                KeyringCause::Busy,
                "still waiting for an earlier answer",
            ));
        }
        let state = Arc::new(Mutex::new(JobState::Pending));
        let (tx, rx) = mpsc::sync_channel::<Result<T, KeyringError>>(1);
        let job: Job = {
            let state = state.clone();
            let shared = self.shared.clone();
            Box::new(move |store: &dyn KeyStore| {
                {
                    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                    if *s == JobState::Abandoned {
                        return;
                    }
                    *s = JobState::Running;
                }
                let result = op(store);
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                if *s == JobState::Abandoned {
                    *shared.wedged.lock().unwrap_or_else(PoisonError::into_inner) = false;
                }
                *s = JobState::Done;
                drop(s);
                let _ = tx.send(result);
            })
        };
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job);
        if sent.is_err() {
            return Err(KeyringError::new(
                KeyringCause::Platform,
                "the keyring worker thread is not running",
            ));
        }
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(_) => {
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                match *s {
                    JobState::Done => {
                        drop(s);
                        rx.try_recv()
                            .unwrap_or_else(|_| Err(KeyringError::timeout(self.timeout)))
                    }
                    JobState::Running => {
                        *self
                            .shared
                            .wedged
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner) = true;
                        *s = JobState::Abandoned;
                        Err(KeyringError::timeout(self.timeout))
                    }
                    JobState::Pending | JobState::Abandoned => {
                        *s = JobState::Abandoned;
                        Err(KeyringError::timeout(self.timeout))
                    }
                }
            }
        }
    }
}
