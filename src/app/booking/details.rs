//! Booking details and ticket (30 §3–§4): one live B read each, no stored copy.

use serde::Serialize;

use super::{BookingService, Caller};
use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::booking_id::BookingIdMap;
use crate::domain::funnel_error::{Call, FunnelError};

/// What the ticket route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ticket {
    /// 200 `{"ticket_url": …}`.
    Ready(TicketUrl),
    /// 202, `Retry-After: 30`: approved, but 12go has no ticket yet.
    NotReady,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TicketUrl {
    pub ticket_url: String,
}

impl BookingService {
    /// `GET …/bookings/{booking_id}`; `booking_id` is echoed as sent.
    #[tracing::instrument(name = "booking_details", skip_all)]
    pub async fn booking_details(
        &self,
        caller: &Caller,
        booking_id: &str,
    ) -> Result<Booking, FunnelError> {
        let booking = self.native_details(caller, booking_id).await?;
        Ok(self.for_caller(caller, booking))
    }

    /// Details in 12go ids (the ticket needs only status and voucher).
    async fn native_details(
        &self,
        caller: &Caller,
        booking_id: &str,
    ) -> Result<Booking, FunnelError> {
        let bid = self.resolve(booking_id, &caller.client_id)?;
        self.read_booking(&bid, booking_id, &caller.client_id, &caller.ctx)
            .await
    }

    /// The webhook's ownership re-fetch (30 §7 step 6): B with the caller's key,
    /// the Booking in the caller's id space, and B's `stamp`.
    pub async fn notification_booking(
        &self,
        caller: &Caller,
        bid: &str,
    ) -> Result<(Booking, Option<i64>), FunnelError> {
        let answer = self
            .twelvego
            .booking(bid, &caller.ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Booking, &e, None))?;
        let booking = self.booking_object(&answer, bid, &caller.client_id)?;
        Ok((self.for_caller(caller, booking), answer.stamp))
    }

    /// The previous platform's ids (`BOOKING_ID_MAP_FILE`), when loaded.
    pub fn id_map(&self) -> Option<&BookingIdMap> {
        self.settings.id_map.as_deref()
    }

    /// `GET …/bookings/{booking_id}/ticket`: 405 unless approved, 202 until 12go
    /// has the ticket. 12go's URL is passed through (relative ones resolved).
    #[tracing::instrument(name = "booking_ticket", skip_all)]
    pub async fn ticket(&self, caller: &Caller, booking_id: &str) -> Result<Ticket, FunnelError> {
        let booking = self.native_details(caller, booking_id).await?;
        if booking.status != BookingStatus::Approved {
            return Err(FunnelError::ticket_not_available());
        }
        Ok(match booking.voucher_url {
            Some(url) => Ticket::Ready(TicketUrl { ticket_url: url }),
            None => Ticket::NotReady,
        })
    }
}
