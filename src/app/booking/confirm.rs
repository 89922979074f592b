//! ConfirmBooking (20 §5): B pre-check → C (at most once) → B; an ambiguous C is
//! reconciled by reading B, never by sending C again.

use std::time::Instant;

use super::events::{booking_confirmed, BookingFacts};
use super::incomplete::Answer;
use super::state::{confirm_key, Operation, Records};
use super::{outcome_unknown, BookingService, Caller};
use crate::domain::booking::{Booking, BookingStatus};
use crate::domain::funnel_error::{Call, FunnelError};

impl BookingService {
    /// `booking_id` exactly as the client sent it.
    #[tracing::instrument(name = "confirm_booking", skip_all)]
    pub async fn confirm_booking(&self, caller: &Caller, booking_id: &str) -> Answer {
        let started = Instant::now();
        let bid = match self.resolve(booking_id, &caller.client_id) {
            Ok(bid) => bid,
            Err(e) => return Answer::error(e),
        };
        let records = Records { kv: &*self.kv };
        let key = confirm_key(&caller.client_id, &bid);
        let ir_id = match self
            .open_record(&caller.client_id, Operation::Confirm)
            .await
        {
            Ok(id) => id,
            Err(e) => return Answer::error(e),
        };
        // One confirm at a time per booking: a running one is answered with its record.
        loop {
            match records
                .create(&key, &ir_id, self.settings.ir_retention)
                .await
            {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => return Answer::error(e.into()),
            }
            match records.get::<String>(&key).await {
                Ok(Some(other)) => match self.is_pending(&other).await {
                    Ok(true) => {
                        let _ = records.delete(&super::state::ir_key(&ir_id)).await;
                        return Answer::Accepted(other);
                    }
                    Ok(false) => {
                        if let Err(e) = records.put(&key, &ir_id, self.settings.ir_retention).await
                        {
                            return Answer::error(e.into());
                        }
                        break;
                    }
                    Err(e) => return Answer::error(e),
                },
                Ok(None) => {}
                Err(e) => return Answer::error(e.into()),
            }
        }
        let svc = self.clone();
        let (task_caller, id) = (caller.clone(), booking_id.to_string());
        let work = async move {
            let result = svc.confirm_task(&task_caller, &bid, &id).await;
            let _ = Records { kv: &*svc.kv }.delete(&key).await;
            result
        };
        let deadline = caller.ctx.deadline;
        self.within_budget(
            started,
            deadline,
            ir_id,
            &caller.client_id,
            Operation::Confirm,
            work,
        )
        .await
    }

    async fn confirm_task(
        &self,
        caller: &Caller,
        bid: &str,
        id: &str,
    ) -> Result<Booking, FunnelError> {
        let result = self.confirm_steps(caller, bid, id).await;
        match &result {
            Ok(booking) => {
                self.metrics
                    .count("booking.confirmed", 1, &[("client_id", &caller.client_id)]);
                booking_confirmed(BookingFacts {
                    correlation_id: &caller.ctx.correlation_id,
                    client_id: &caller.client_id,
                    booking,
                    itinerary_id: None,
                    net_price: None,
                });
            }
            Err(e) => self.failed(&caller.client_id, e),
        }
        result
    }

    async fn confirm_steps(
        &self,
        caller: &Caller,
        bid: &str,
        id: &str,
    ) -> Result<Booking, FunnelError> {
        let before = self
            .read_booking(bid, id, &caller.client_id, &caller.ctx)
            .await?;
        match before.status {
            BookingStatus::Approved => return Err(FunnelError::already_confirmed()),
            BookingStatus::Cancelled => return Err(FunnelError::booking_cancelled()),
            _ => {}
        }
        let ctx = self.task_ctx(caller);
        if let Err(e) = self.twelvego.confirm(bid, &ctx).await {
            if !outcome_unknown(&e) {
                return Err(FunnelError::upstream(Call::Confirm, &e, None));
            }
            tracing::warn!(error = %e, bid, "confirm outcome unknown; reading the booking back");
            let original = FunnelError::upstream(Call::Confirm, &e, None);
            return match self.read_booking(bid, id, &caller.client_id, &ctx).await {
                Ok(b) if matches!(b.status, BookingStatus::Approved | BookingStatus::Pending) => {
                    Ok(self.for_caller(caller, b))
                }
                _ => Err(original),
            };
        }
        let booking = self.read_booking(bid, id, &caller.client_id, &ctx).await?;
        Ok(self.for_caller(caller, booking))
    }
}
