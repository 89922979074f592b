//! The client registry, as the use cases see it.

use std::sync::Arc;

use crate::domain::clients::Client;

/// Looks up clients by id. Implementations swap their contents atomically on reload.
#[cfg_attr(test, mockall::automock)]
pub trait ClientDirectory: Send + Sync {
    /// The client with this id, enabled or not; `None` when unknown.
    fn get(&self, client_id: &str) -> Option<Arc<Client>>;
    /// Increases on every successful reload (authentication caches key on it).
    fn generation(&self) -> u64;
}
