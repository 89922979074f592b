//! Per-client token buckets (40 §6), per instance, keyed by client id and class.
//! A bucket is rebuilt when a registry reload changes the client's quota.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use crate::domain::rate_limit::{RateClass, RateDefaults, RateLimitOverrides};

type Key = (String, RateClass);

/// `Send + Sync`; shared by every worker.
pub struct ClientRateLimits {
    defaults: RateDefaults,
    clock: DefaultClock,
    buckets: Mutex<HashMap<Key, (u32, Arc<DefaultDirectRateLimiter>)>>,
    /// The inbound webhook's per-client buckets (50/s, 40 §6).
    webhook: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
}

/// Webhook calls per second and client.
pub const WEBHOOK_PER_SEC: u32 = 50;

impl ClientRateLimits {
    pub fn new(defaults: RateDefaults) -> Self {
        Self {
            defaults,
            clock: DefaultClock::default(),
            buckets: Mutex::new(HashMap::new()),
            webhook: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one webhook token for `client_id`.
    ///
    /// # Errors
    /// Whole seconds until a token is free (≥ 1).
    pub fn check_webhook(&self, client_id: &str) -> Result<(), u64> {
        let Some(bucket) = self.webhook.lock().ok().map(|mut m| {
            m.entry(client_id.to_owned())
                .or_insert_with(|| {
                    let n = NonZeroU32::new(WEBHOOK_PER_SEC).unwrap_or(NonZeroU32::MIN);
                    Arc::new(RateLimiter::direct(Quota::per_second(n)))
                })
                .clone()
        }) else {
            return Ok(());
        };
        bucket.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs_f64().ceil() as u64).max(1)
        })
    }

    /// Takes one token of `class` for `client_id`.
    ///
    /// # Errors
    /// Whole seconds until a token is free (≥ 1) when the bucket is empty.
    pub fn check(
        &self,
        client_id: &str,
        overrides: &RateLimitOverrides,
        class: RateClass,
    ) -> Result<(), u64> {
        let per_min = self.defaults.per_min(class, overrides);
        let Some(bucket) = self.bucket(client_id, class, per_min) else {
            // A poisoned lock never blocks traffic.
            return Ok(());
        };
        bucket.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs_f64().ceil() as u64).max(1)
        })
    }

    fn bucket(
        &self,
        client_id: &str,
        class: RateClass,
        per_min: u32,
    ) -> Option<Arc<DefaultDirectRateLimiter>> {
        let mut buckets = self.buckets.lock().ok()?;
        let key = (client_id.to_owned(), class);
        if let Some((quota, b)) = buckets.get(&key) {
            if *quota == per_min {
                return Some(b.clone());
            }
        }
        let n = NonZeroU32::new(per_min).unwrap_or(NonZeroU32::MIN);
        let b = Arc::new(RateLimiter::direct(Quota::per_minute(n)));
        buckets.insert(key, (per_min, b.clone()));
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_quota_then_gives_a_retry_after() {
        let limits = ClientRateLimits::new(RateDefaults::default());
        let two = RateLimitOverrides {
            search_per_min: Some(2),
            booking_per_min: None,
        };
        assert_eq!(limits.check("acme", &two, RateClass::Search), Ok(()));
        assert_eq!(limits.check("acme", &two, RateClass::Search), Ok(()));
        let retry = limits.check("acme", &two, RateClass::Search).unwrap_err();
        assert!((29..=30).contains(&retry), "{retry}");
        // Other classes and clients have their own buckets.
        assert_eq!(limits.check("acme", &two, RateClass::Booking), Ok(()));
        assert_eq!(limits.check("other", &two, RateClass::Search), Ok(()));
    }

    #[test]
    fn a_changed_quota_rebuilds_the_bucket() {
        let limits = ClientRateLimits::new(RateDefaults::default());
        let one = RateLimitOverrides {
            search_per_min: Some(1),
            booking_per_min: None,
        };
        assert_eq!(limits.check("acme", &one, RateClass::Search), Ok(()));
        assert!(limits.check("acme", &one, RateClass::Search).is_err());
        let more = RateLimitOverrides::default();
        assert_eq!(limits.check("acme", &more, RateClass::Search), Ok(()));
    }
}
