//! CreateBooking (20 §4): idempotent per booking token; S → validate → R (at most
//! once) → B, under the synchronous budget.

use std::time::Instant;

use super::events::{booking_created, BookingFacts};
use super::incomplete::Answer;
use super::seat_lock::quote_of;
use super::state::{idem_key, lock_key, Idem, Operation, Records};
use super::{outcome_unknown, BookingService, Caller};
use crate::domain::booking::Booking;
use crate::domain::booking_token::VerifiedToken;
use crate::domain::checkout::{
    classify, estimate, matches_total, reserve_body, validate, BookingData,
};
use crate::domain::funnel_error::{Call, FunnelError};
use crate::domain::money::Money;

/// A parsed CreateBooking body.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub booking_token: String,
    pub booking_data: BookingData,
    pub total_price: Option<Money>,
    /// `/v1` when the request used it: `Location` headers keep the same form.
    pub prefix: String,
}

/// How many times a vanished `idem` record is re-claimed before giving up.
const CLAIM_ATTEMPTS: usize = 3;

impl BookingService {
    #[tracing::instrument(name = "create_booking", skip_all)]
    pub async fn create_booking(&self, caller: &Caller, req: CreateRequest) -> Answer {
        let started = Instant::now();
        let verified = match self.verify(&req.booking_token, &caller.client_id) {
            Ok(v) => v,
            Err(e) => return Answer::error(e),
        };
        let ir_id = match self.claim(caller, &req, &verified).await {
            Ok(Ok(id)) => id,
            Ok(Err(answer)) => return answer,
            Err(e) => return Answer::error(e),
        };
        let svc = self.clone();
        let (task_caller, client_id) = (caller.clone(), caller.client_id.clone());
        let id = ir_id.clone();
        let work = async move { svc.create_task(&task_caller, &req, &verified, &id).await };
        let deadline = caller.ctx.deadline;
        self.within_budget(
            started,
            deadline,
            ir_id,
            &client_id,
            Operation::Create,
            work,
        )
        .await
    }

    /// Step 3: set `idem` = pending only if absent, else answer from it. The
    /// inner `Err` is the answer for a token already used.
    async fn claim(
        &self,
        caller: &Caller,
        req: &CreateRequest,
        token: &VerifiedToken,
    ) -> Result<Result<String, Answer>, FunnelError> {
        let records = Records { kv: &*self.kv };
        let key = idem_key(&req.booking_token);
        let ttl = token.remaining(self.clock.now());
        for _ in 0..CLAIM_ATTEMPTS {
            let ir_id = self
                .open_record(&caller.client_id, Operation::Create)
                .await?;
            let mine = Idem::Pending { ir: ir_id.clone() };
            if records.create(&key, &mine, ttl).await? {
                return Ok(Ok(ir_id));
            }
            let _ = records.delete(&super::state::ir_key(&ir_id)).await;
            match records.get::<Idem>(&key).await? {
                Some(Idem::Reserved { bid }) => {
                    let location = format!("{}/{}/bookings/{bid}", req.prefix, caller.client_id);
                    return Ok(Err(Answer::error(FunnelError::already_reserved(
                        &bid, location,
                    ))));
                }
                Some(Idem::Unknown) => {
                    return Ok(Err(Answer::error(FunnelError::booking_outcome_unknown())))
                }
                Some(Idem::Pending { ir }) => {
                    if self.is_pending(&ir).await? {
                        return Ok(Err(Answer::Accepted(ir)));
                    }
                    // Its process stopped before R was sent (`Reserving` marks
                    // that): nothing reached 12go, so the token may be used again.
                    tracing::warn!("stale pending CreateBooking record replaced");
                    records.delete(&key).await?;
                }
                Some(Idem::Reserving { ir }) => {
                    if self.is_pending(&ir).await? {
                        return Ok(Err(Answer::Accepted(ir)));
                    }
                    // R was sent by a process that stopped: its outcome is unknown.
                    return Ok(Err(Answer::error(FunnelError::booking_outcome_unknown())));
                }
                // Deleted between our create and get: try again.
                None => {}
            }
        }
        Err(FunnelError::store_unavailable())
    }

    /// Steps 5–8; `idem` ends as the table of 20 §4 says.
    async fn create_task(
        &self,
        caller: &Caller,
        req: &CreateRequest,
        token: &VerifiedToken,
        ir_id: &str,
    ) -> Result<Booking, FunnelError> {
        let records = Records { kv: &*self.kv };
        let key = idem_key(&req.booking_token);
        let ttl = || token.remaining(self.clock.now());
        let result = self.reserve_step(caller, req, token, ir_id).await;
        let (bid, quote_total) = match result {
            Ok(ok) => ok,
            Err((e, sent)) => {
                let after = if sent {
                    records.put(&key, &Idem::Unknown, ttl()).await
                } else {
                    records.delete(&key).await
                };
                if let Err(store) = after {
                    tracing::error!(error = %store, "idempotency record not updated after a failed CreateBooking");
                }
                self.failed(&caller.client_id, &e);
                return Err(e);
            }
        };
        if let Err(e) = records
            .put(&key, &Idem::Reserved { bid: bid.clone() }, ttl())
            .await
        {
            tracing::error!(error = %e, bid = %bid, "idempotency record not updated after a reserve");
        }
        let ctx = self.task_ctx(caller);
        let booking = match self.read_booking(&bid, &bid, &caller.client_id, &ctx).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(bid = %bid, code = %e.code, "reserved, but booking details failed");
                self.failed(&caller.client_id, &e);
                return Err(e);
            }
        };
        if !matches_total(&booking.total_price, &quote_total) {
            tracing::warn!(
                bid = %bid,
                estimate = %quote_total.amount_string(),
                total = %booking.total_price.amount_string(),
                "booking.price_drift"
            );
            self.metrics.count(
                "booking.price_drift",
                1,
                &[("client_id", &caller.client_id)],
            );
        }
        self.metrics
            .count("booking.created", 1, &[("client_id", &caller.client_id)]);
        booking_created(BookingFacts {
            correlation_id: &caller.ctx.correlation_id,
            client_id: &caller.client_id,
            booking: &booking,
            itinerary_id: Some(itinerary_id(token)),
            net_price: Some(&token.claims.price),
        });
        Ok(self.for_caller(caller, booking))
    }

    /// S, validation, cost check and R. `Err((e, true))` when R was sent and its
    /// outcome is unknown.
    async fn reserve_step(
        &self,
        caller: &Caller,
        req: &CreateRequest,
        token: &VerifiedToken,
        ir_id: &str,
    ) -> Result<(String, Money), (FunnelError, bool)> {
        let not_sent = |e: FunnelError| (e, false);
        let cart = &token.claims.cart_id;
        let form = self
            .twelvego
            .checkout(cart, &caller.ctx)
            .await
            .map_err(|e| not_sent(FunnelError::upstream(Call::Checkout, &e, None)))?;
        let form = classify(&form);
        self.report_form(&form, &caller.client_id);
        let mut data = req.booking_data.clone();
        let locked: Option<Vec<String>> = Records { kv: &*self.kv }
            .get(&lock_key(&req.booking_token))
            .await
            .map_err(|e| not_sent(e.into()))?;
        if let Some(seats) = locked {
            if !data.seat_selection.is_empty() && data.seat_selection != seats {
                tracing::warn!(
                    "seat_selection differs from the seat lock; the locked seats are used"
                );
            }
            data.seat_selection = seats;
        }
        if data
            .upgrades
            .as_ref()
            .is_some_and(|u| !u.is_null() && u != &serde_json::json!({}))
        {
            tracing::warn!("booking_data.upgrades has no 12go equivalent; ignored");
        }
        for name in data.additional_fields.keys() {
            if !form.additional().any(|(known, _)| known == name) {
                tracing::warn!(field = %name, "additional_fields entry not in this checkout form; ignored");
            }
        }
        let n = token.claims.seats as usize;
        if let Err(fields) = validate(&form, &data, n) {
            return Err(not_sent(FunnelError::validation_failed(fields)));
        }
        let total = estimate(&form, &data, &quote_of(token));
        if let Some(client_total) = &req.total_price {
            if !matches_total(client_total, &total) {
                tracing::info!(
                    estimate = %total.amount_string(),
                    client = %client_total.amount_string(),
                    "cost mismatch; no reserve"
                );
                return Err(not_sent(FunnelError::cost_mismatch()));
            }
        }
        let body = reserve_body(&form, &data);
        // From here a stopped process leaves an unknown outcome, not a free token.
        let reserving = Idem::Reserving {
            ir: ir_id.to_string(),
        };
        Records { kv: &*self.kv }
            .put(
                &idem_key(&req.booking_token),
                &reserving,
                token.remaining(self.clock.now()),
            )
            .await
            .map_err(|e| not_sent(e.into()))?;
        let ctx = self.task_ctx(caller);
        match self.twelvego.reserve(cart, &body, &ctx).await {
            Ok(bid) => Ok((bid, total)),
            Err(e) => {
                let unknown = outcome_unknown(&e);
                if unknown {
                    tracing::error!(error = %e, "reserve outcome unknown; the token is blocked");
                }
                Err((
                    FunnelError::upstream(Call::Reserve, &e, Some(&form)),
                    unknown,
                ))
            }
        }
    }
}

/// The itinerary id the token was issued for (joins search and booking events).
fn itinerary_id(token: &VerifiedToken) -> String {
    let c = &token.claims;
    crate::domain::ids::itinerary_id(&c.trip_key, c.departure, u8::try_from(c.seats).unwrap_or(0))
}
