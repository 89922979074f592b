//! Cancel with refund (30 §5): B → O → choose → F, at most one F per booking.
//! Concurrent cancels of one booking are serialized through the key-value store
//! (`cancel:{client}:{bid}`): the second caller is answered from the first's outcome.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

use super::state::{Outcome, Records};
use super::{outcome_unknown, BookingService, Caller};
use crate::domain::booking::BookingStatus;
use crate::domain::funnel_error::{Call, FunnelError};
use crate::domain::money::{Currency, Money};
use crate::domain::refund_choice::choose;
use crate::domain::twelvego::refund::{RefundOption, RefundRequest};
use crate::domain::upstream::{UpstreamClass, UpstreamError};

/// 200 answer of a cancel.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Cancelled {
    /// The id as the client sent it.
    pub booking_id: String,
    /// Always `cancelled`.
    pub booking_status: &'static str,
    pub refund: Money,
}

/// `cancel:{client}:{bid}`: running, or the stored outcome (200 and 4xx only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum CancelRecord {
    Running,
    Done { outcome: Outcome },
}

const CANCEL_TTL: Duration = Duration::from_secs(600);
const POLL_EVERY: Duration = Duration::from_millis(200);

fn cancel_key(client_id: &str, bid: &str) -> String {
    format!("cancel:{client_id}:{bid}")
}

impl BookingService {
    /// `POST …/bookings/{booking_id}/cancel`. `enabled` is the client's `cancel_enabled`.
    #[tracing::instrument(name = "cancel_booking", skip_all)]
    pub async fn cancel(&self, caller: &Caller, booking_id: &str, enabled: bool) -> Outcome {
        let bid = match self.resolve(booking_id, &caller.client_id) {
            Ok(bid) => bid,
            Err(e) => return Outcome::Error(e),
        };
        if !enabled {
            return Outcome::Error(FunnelError::cancel_not_supported());
        }
        let key = cancel_key(&caller.client_id, &bid);
        let records = Records { kv: &*self.kv };
        match records
            .create(&key, &CancelRecord::Running, CANCEL_TTL)
            .await
        {
            Ok(true) => {}
            Ok(false) => return self.await_other(&key, caller.ctx.deadline).await,
            Err(e) => return Outcome::Error(e.into()),
        }
        // The work runs in its own task: a client that hangs up does not cut F short.
        let svc = self.clone();
        let (c, id, b, k) = (caller.clone(), booking_id.to_string(), bid, key);
        let handle = actix_rt::spawn(async move {
            let result = svc.cancel_steps(&c, &b, &id).await;
            svc.store_cancel(&k, &result).await;
            match &result {
                Ok(_) => {
                    svc.metrics
                        .count("booking.cancelled", 1, &[("client_id", &c.client_id)]);
                }
                Err(e) => svc.failed(&c.client_id, e),
            }
            result
        });
        match tokio::time::timeout_at(caller.ctx.deadline.into(), handle).await {
            Ok(Ok(Ok(v))) => Outcome::Booking(v),
            Ok(Ok(Err(e))) => Outcome::Error(e),
            Ok(Err(_)) => Outcome::Error(FunnelError::internal()),
            Err(_) => Outcome::Error(FunnelError::upstream_timeout()),
        }
    }

    /// Another cancel holds the record: its stored outcome, once there, else 409.
    async fn await_other(&self, key: &str, deadline: Instant) -> Outcome {
        let records = Records { kv: &*self.kv };
        loop {
            match records.get::<CancelRecord>(key).await {
                Ok(Some(CancelRecord::Done { outcome })) => return outcome,
                Ok(Some(CancelRecord::Running)) => {}
                // Deleted after a 5xx: the client may simply try again.
                Ok(None) => return Outcome::Error(FunnelError::cancel_in_progress()),
                Err(e) => return Outcome::Error(e.into()),
            }
            if Instant::now() + POLL_EVERY >= deadline {
                return Outcome::Error(FunnelError::cancel_in_progress());
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Only 200 and 4xx outcomes are kept; after a 5xx the record is deleted.
    async fn store_cancel(&self, key: &str, result: &Result<serde_json::Value, FunnelError>) {
        let records = Records { kv: &*self.kv };
        let stored = match result {
            Ok(v) => {
                records
                    .put(
                        key,
                        &CancelRecord::Done {
                            outcome: Outcome::Booking(v.clone()),
                        },
                        CANCEL_TTL,
                    )
                    .await
            }
            Err(e) if e.status < 500 => {
                records
                    .put(
                        key,
                        &CancelRecord::Done {
                            outcome: Outcome::Error(e.clone()),
                        },
                        CANCEL_TTL,
                    )
                    .await
            }
            Err(_) => records.delete(key).await,
        };
        if let Err(e) = stored {
            tracing::error!(error = %e, "cancel record not updated");
        }
    }

    async fn cancel_steps(
        &self,
        caller: &Caller,
        bid: &str,
        id: &str,
    ) -> Result<serde_json::Value, FunnelError> {
        let ctx = &caller.ctx;
        let booking = self.read_booking(bid, id, &caller.client_id, ctx).await?;
        if booking.status != BookingStatus::Approved {
            return Err(FunnelError::booking_not_cancellable());
        }
        let options =
            self.twelvego
                .refund_options(bid, ctx)
                .await
                .map_err(|e| match e.class() {
                    UpstreamClass::Rejected => FunnelError::no_refund_option(),
                    _ => FunnelError::upstream(Call::Booking, &e, None),
                })?;
        let now = self
            .clock
            .now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .datetime();
        let option = choose(&options, booking.total_price.currency.as_str(), now)
            .map_err(|_| FunnelError::no_refund_option())?
            .clone();
        let request = RefundRequest {
            hash: option.hash.clone(),
            refund_fxcode: option.refund_fxcode.clone(),
            refund_amount: option.refund_amount.clone(),
        };
        let task_ctx = self.task_ctx(caller);
        match self.twelvego.refund(bid, &request, &task_ctx).await {
            Ok(answer) if answer.success => {
                if let Some(delay) = answer.delay_minutes.filter(|d| *d > 0) {
                    tracing::info!(bid, delay_minutes = delay, "refund accepted with a delay");
                }
            }
            Ok(answer) => {
                tracing::warn!(
                    bid,
                    message = answer.message.as_deref().unwrap_or(""),
                    "12go refused the refund"
                );
                return Err(FunnelError::refund_failed());
            }
            Err(e) if outcome_unknown(&e) => {
                tracing::warn!(error = %e, bid, "refund outcome unknown; reading the booking back");
                self.reconcile_cancel(bid, id, caller, &e).await?;
            }
            Err(e) => return Err(refund_rejected(&e)),
        }
        let answer = Cancelled {
            booking_id: id.to_string(),
            booking_status: "cancelled",
            refund: refund_money(&option),
        };
        super::events::booking_cancelled(
            &caller.ctx.correlation_id,
            &caller.client_id,
            bid,
            &answer,
        );
        serde_json::to_value(&answer).map_err(|_| FunnelError::internal())
    }

    /// F was sent and its outcome is unknown: cancelled when B says so; F is
    /// never sent again (the hash may be single-use).
    async fn reconcile_cancel(
        &self,
        bid: &str,
        id: &str,
        caller: &Caller,
        e: &UpstreamError,
    ) -> Result<(), FunnelError> {
        let original = FunnelError::upstream(Call::Booking, e, None);
        let ctx = self.task_ctx(caller);
        match self.read_booking(bid, id, &caller.client_id, &ctx).await {
            Ok(b) if b.status == BookingStatus::Cancelled => Ok(()),
            _ => Err(original),
        }
    }
}

fn refund_rejected(e: &UpstreamError) -> FunnelError {
    match e.class() {
        UpstreamClass::Rejected => FunnelError::booking_not_cancellable(),
        _ => FunnelError::upstream(Call::Booking, e, None),
    }
}

fn refund_money(o: &RefundOption) -> Money {
    Money::new(o.refund_amount.value, Currency::new(&o.refund_fxcode))
}
