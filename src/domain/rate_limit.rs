//! Per-client rate-limit classes and their per-minute quotas (40 §6).

/// The rate-limited route classes; other routes are unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// Search.
    Search,
    /// SeatLock, CreateBooking, ConfirmBooking, cancel.
    Booking,
}

impl RateClass {
    /// The metric tag `class`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Search => "search",
            Self::Booking => "booking",
        }
    }

    /// The class of a matched route template (after `BASE_PATH`), if limited.
    pub fn of_route(pattern: &str) -> Option<Self> {
        const BOOKING: &[&str] = &[
            "/{client_id}/bookings/lock_seats",
            "/{client_id}/seats",
            "/{client_id}/bookings",
            "/{client_id}/bookings/{booking_id}/confirm",
            "/{client_id}/bookings/{booking_id}/cancel",
        ];
        if pattern.ends_with("/v1/{client_id}/itineraries") {
            Some(Self::Search)
        } else if BOOKING.iter().any(|b| pattern.ends_with(b)) {
            Some(Self::Booking)
        } else {
            None
        }
    }
}

/// Registry overrides (`[clients.X.rate_limit]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitOverrides {
    pub search_per_min: Option<u32>,
    pub booking_per_min: Option<u32>,
}

/// Instance defaults (`RATE_LIMIT_*_PER_MIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDefaults {
    pub search_per_min: u32,
    pub booking_per_min: u32,
}

impl Default for RateDefaults {
    fn default() -> Self {
        Self {
            search_per_min: 100,
            booking_per_min: 20,
        }
    }
}

impl RateDefaults {
    /// The effective quota of `class` for a client with `overrides` (at least 1).
    pub fn per_min(&self, class: RateClass, overrides: &RateLimitOverrides) -> u32 {
        let v = match class {
            RateClass::Search => overrides.search_per_min.unwrap_or(self.search_per_min),
            RateClass::Booking => overrides.booking_per_min.unwrap_or(self.booking_per_min),
        };
        v.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_over_defaults_per_class() {
        let d = RateDefaults::default();
        let o = RateLimitOverrides {
            search_per_min: Some(2),
            booking_per_min: None,
        };
        assert_eq!(d.per_min(RateClass::Search, &o), 2);
        assert_eq!(d.per_min(RateClass::Booking, &o), 20);
        assert_eq!(
            d.per_min(RateClass::Search, &RateLimitOverrides::default()),
            100
        );
    }

    #[test]
    fn only_the_search_route_is_classed_so_far() {
        assert_eq!(
            RateClass::of_route("/v1/{client_id}/itineraries"),
            Some(RateClass::Search)
        );
        assert_eq!(
            RateClass::of_route("/base/v1/{client_id}/itineraries"),
            Some(RateClass::Search)
        );
        assert_eq!(RateClass::of_route("/health"), None);
    }
}
