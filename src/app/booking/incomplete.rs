//! The synchronous budget and `incomplete_results` (20 §6): CreateBooking and
//! ConfirmBooking run their 12go work in a task on this worker; the request waits
//! at most `BOOKING_SYNC_BUDGET_MS`, after which the task goes on and stores its
//! outcome for the poll.

use std::future::Future;
use std::time::Instant;

use super::state::{ir_key, IrRecord, IrState, Operation, Outcome, Records};
use super::BookingService;
use crate::domain::booking::Booking;
use crate::domain::funnel_error::FunnelError;

/// What CreateBooking, ConfirmBooking and the poll answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The final answer: a Booking (200) or an error.
    Done(Outcome),
    /// Still running: 202 with `Location` to this `incomplete_results` id.
    Accepted(String),
}

impl Answer {
    pub fn error(e: FunnelError) -> Self {
        Self::Done(Outcome::Error(e))
    }
}

impl BookingService {
    fn records(&self) -> Records<'_> {
        Records { kv: &*self.kv }
    }

    /// Creates the pending `ir:{id}` record (id = random UUIDv4).
    pub(super) async fn open_record(
        &self,
        client_id: &str,
        operation: Operation,
    ) -> Result<String, FunnelError> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now_ms();
        let record = IrRecord {
            client_id: client_id.to_string(),
            operation,
            state: IrState::Pending,
            outcome: None,
            created_at: now,
            updated_at: now,
        };
        self.records()
            .put(&ir_key(&id), &record, self.settings.ir_retention)
            .await?;
        Ok(id)
    }

    /// Stores the final outcome; a failure is logged (the client can still read
    /// the booking, or repeat the request and be answered from `idem`).
    async fn close_record(
        &self,
        id: &str,
        client_id: &str,
        operation: Operation,
        outcome: &Outcome,
    ) {
        let key = ir_key(id);
        let created_at = match self.records().get::<IrRecord>(&key).await {
            Ok(Some(r)) => r.created_at,
            _ => self.now_ms(),
        };
        let record = IrRecord {
            client_id: client_id.to_string(),
            operation,
            state: IrState::Done,
            outcome: Some(outcome.clone()),
            created_at,
            updated_at: self.now_ms(),
        };
        if let Err(e) = self
            .records()
            .put(&key, &record, self.settings.ir_retention)
            .await
        {
            tracing::error!(error = %e, incomplete_results_id = id, "outcome of a booking task not stored");
        }
    }

    /// Runs `work` in a task, records its outcome under `ir_id`, and answers it if
    /// it ends before `started + sync_budget` (or the request deadline, if sooner);
    /// otherwise `Accepted(ir_id)`.
    pub(super) async fn within_budget(
        &self,
        started: Instant,
        deadline: Instant,
        ir_id: String,
        client_id: &str,
        operation: Operation,
        work: impl Future<Output = Result<Booking, FunnelError>> + 'static,
    ) -> Answer {
        let svc = self.clone();
        let (id, client) = (ir_id.clone(), client_id.to_string());
        let slot = self.tasks.enter();
        let handle = actix_rt::spawn(async move {
            let _slot = slot;
            let outcome = Outcome::of(&work.await);
            svc.close_record(&id, &client, operation, &outcome).await;
            outcome
        });
        let budget_end = (started + self.settings.sync_budget).min(deadline);
        match tokio::time::timeout_at(budget_end.into(), handle).await {
            Ok(Ok(outcome)) => Answer::Done(outcome),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "booking task failed");
                Answer::error(FunnelError::internal())
            }
            Err(_) => {
                tracing::info!(incomplete_results_id = %ir_id, operation = operation.as_str(), "sync budget exhausted; answering 202");
                self.metrics.count(
                    "booking.async",
                    1,
                    &[("client_id", client_id), ("operation", operation.as_str())],
                );
                Answer::Accepted(ir_id)
            }
        }
    }

    /// `GET …/incomplete_results/{id}`.
    pub async fn incomplete_result(&self, client_id: &str, id: &str) -> Answer {
        let record = match self.records().get::<IrRecord>(&ir_key(id)).await {
            Ok(Some(r)) if r.client_id == client_id => r,
            Ok(_) => return Answer::error(FunnelError::incomplete_results_not_found()),
            Err(e) => return Answer::error(e.into()),
        };
        match (record.state, record.outcome) {
            (IrState::Done, Some(outcome)) => Answer::Done(outcome),
            _ if self.expired(record.updated_at) => {
                Answer::error(FunnelError::incomplete_results_expired())
            }
            _ => Answer::Accepted(id.to_string()),
        }
    }

    /// A pending record untouched for `INCOMPLETE_RESULTS_EXPIRY_SECS` (its task
    /// died with a stopped process).
    pub(super) fn expired(&self, updated_at_ms: i64) -> bool {
        let age_ms = self.now_ms().saturating_sub(updated_at_ms);
        u128::try_from(age_ms).unwrap_or(0) > self.settings.ir_expiry.as_millis()
    }

    /// Whether `ir:{id}` is still pending and alive (for a duplicate request).
    pub(super) async fn is_pending(&self, id: &str) -> Result<bool, FunnelError> {
        Ok(match self.records().get::<IrRecord>(&ir_key(id)).await? {
            Some(r) => r.state == IrState::Pending && !self.expired(r.updated_at),
            None => false,
        })
    }
}
