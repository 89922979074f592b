//! SeatLock (20 §3): seats validated against a fresh checkout and remembered for
//! CreateBooking. Nothing is held at 12go, which has no seat-lock call.

use serde::Serialize;

use super::state::{lock_key, Records};
use super::{BookingService, Caller};
use crate::domain::booking_token::VerifiedToken;
use crate::domain::checkout::{classify, estimate, BookingData, Family, Quote};
use crate::domain::field_error::FieldError;
use crate::domain::funnel_error::{Call, FunnelError};
use crate::domain::money::Money;

/// The partial Booking SeatLock answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LockedSeats {
    pub passenger_count: u32,
    /// Always `reserved`.
    pub status: &'static str,
    pub total_price: Money,
}

pub(super) fn quote_of(token: &VerifiedToken) -> Quote {
    Quote {
        net: token.claims.price.clone(),
        seats: token.claims.seats,
    }
}

impl BookingService {
    /// Verifies a token for `client_id` (20 §8).
    pub(super) fn verify(
        &self,
        token: &str,
        client_id: &str,
    ) -> Result<VerifiedToken, FunnelError> {
        self.keys
            .verify(token, client_id, self.clock.now())
            .map_err(FunnelError::token)
    }

    #[tracing::instrument(name = "seat_lock", skip_all)]
    pub async fn lock_seats(
        &self,
        caller: &Caller,
        token: &str,
        seats: &[String],
    ) -> Result<LockedSeats, FunnelError> {
        let verified = self.verify(token, &caller.client_id)?;
        let n = verified.claims.seats;
        let path = "booking_data.seat_selection";
        if seats.is_empty() || seats.len() != n as usize {
            return Err(FunnelError::validation_failed(vec![FieldError::new(
                path,
                format!("Select exactly {n} seats."),
            )]));
        }
        let form = self
            .twelvego
            .checkout(&verified.claims.cart_id, &caller.ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Checkout, &e, None))?;
        let form = classify(&form);
        let map = form
            .find(&Family::Seat)
            .and_then(|f| f.field.seatmap.as_ref())
            .ok_or_else(FunnelError::seat_selection_not_supported)?;
        let unavailable: Vec<FieldError> = seats
            .iter()
            .enumerate()
            .filter(|(i, s)| !map.available().any(|a| &a.id == *s) || seats[..*i].contains(s))
            .map(|(i, _)| FieldError::new(format!("{path}[{i}]"), "Not available."))
            .collect();
        if !unavailable.is_empty() {
            return Err(FunnelError::seats_unavailable(unavailable));
        }
        let ttl = verified.remaining(self.clock.now());
        Records { kv: &*self.kv }
            .put(&lock_key(token), &seats, ttl)
            .await?;
        let data = BookingData {
            seat_selection: seats.to_vec(),
            ..BookingData::default()
        };
        Ok(LockedSeats {
            passenger_count: n,
            status: "reserved",
            total_price: estimate(&form, &data, &quote_of(&verified)),
        })
    }
}
