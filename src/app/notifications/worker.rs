//! The delivery loop (30 §8, 40 §2 shutdown): claims due items while attempts
//! are free, runs each attempt as a local task, wakes at once when this
//! instance enqueues, polls for retries and other instances' items, and sends
//! the outbox gauges. On stop it claims nothing more and waits for attempts in
//! flight; with the in-memory outbox the undelivered count is logged at WARN.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify, Semaphore};

use super::deliver::Deliverer;

const GAUGE_EVERY: Duration = Duration::from_secs(10);
/// After a failed claim (store down), wait this long instead of the poll.
const STORE_BACKOFF: Duration = Duration::from_secs(5);

/// How the loop is driven.
pub struct WorkerControl {
    /// Notified after this instance enqueues: deliver now, not at the next poll.
    pub wake: Arc<Notify>,
    /// Turns `true` at shutdown.
    pub stop: watch::Receiver<bool>,
    /// Attempts in flight get this long after stop.
    pub drain: Duration,
    /// The outbox is in memory: what is left is lost on exit.
    pub volatile: bool,
}

/// Runs until `control.stop` turns true, then drains.
pub async fn run(deliverer: Rc<Deliverer>, mut control: WorkerControl) {
    let permits = deliverer.settings().concurrency.max(1);
    let slots = Arc::new(Semaphore::new(permits));
    let mut last_gauges: Option<Instant> = None;
    let mut store_failed = false;
    while !*control.stop.borrow() {
        if last_gauges.is_none_or(|t| t.elapsed() >= GAUGE_EVERY) {
            send_gauges(&deliverer).await;
            last_gauges = Some(Instant::now());
        }
        let free = slots.available_permits();
        // All slots busy: claim again as soon as one frees.
        let mut wait = if free == 0 {
            Duration::ZERO
        } else {
            deliverer.settings().poll
        };
        if free > 0 {
            let claim = deliverer
                .outbox()
                .claim_due(deliverer.now(), deliverer.settings().lease(), free)
                .await;
            match claim {
                Ok(entries) => {
                    if store_failed {
                        tracing::info!("notification outbox reachable again");
                        store_failed = false;
                    }
                    let claimed = entries.len();
                    for entry in entries {
                        let Ok(permit) = slots.clone().try_acquire_owned() else {
                            break; // cannot happen: only this loop takes permits
                        };
                        let d = deliverer.clone();
                        actix_rt::spawn(async move {
                            d.attempt(entry).await;
                            drop(permit);
                        });
                    }
                    if claimed == free {
                        // Possibly more due: claim again as soon as a slot frees.
                        wait = Duration::ZERO;
                    }
                }
                Err(e) => {
                    if !store_failed {
                        tracing::error!(error = %e, "notification outbox unreachable; delivery paused");
                        store_failed = true;
                    }
                    wait = STORE_BACKOFF;
                }
            }
        }
        let slot_freed = async {
            // Ready once at least one attempt slot is free.
            if let Ok(p) = slots.acquire().await {
                drop(p);
            }
        };
        if wait.is_zero() {
            tokio::select! {
                () = slot_freed => {}
                _ = control.stop.changed() => {}
            }
        } else {
            tokio::select! {
                () = control.wake.notified() => {}
                () = actix_rt::time::sleep(wait) => {}
                _ = control.stop.changed() => {}
            }
        }
    }
    drain(&deliverer, &slots, permits, &control).await;
}

async fn drain(deliverer: &Deliverer, slots: &Semaphore, permits: usize, control: &WorkerControl) {
    let all = u32::try_from(permits).unwrap_or(u32::MAX);
    let in_flight = permits - slots.available_permits();
    if in_flight > 0 {
        tracing::info!(in_flight, "waiting for notification attempts in flight");
        if actix_rt::time::timeout(control.drain, slots.acquire_many(all))
            .await
            .is_err()
        {
            tracing::warn!(
                in_flight = permits - slots.available_permits(),
                "notification attempts still running at the end of the drain window; they come due again when their leases end"
            );
        }
    }
    if control.volatile {
        match deliverer.outbox().counts().await {
            Ok((0, _)) => {}
            Ok((pending, _)) => tracing::warn!(
                pending,
                "in-memory outbox: undelivered notifications are lost on exit (set REDIS_URL to keep them)"
            ),
            Err(e) => tracing::warn!(error = %e, "outbox counts unavailable at exit"),
        }
    }
    tracing::info!("notification worker stopped");
}

async fn send_gauges(deliverer: &Deliverer) {
    if let Ok((pending, dead)) = deliverer.outbox().counts().await {
        deliverer
            .metrics()
            .gauge("notification.outbox_pending", pending as f64, &[]);
        deliverer
            .metrics()
            .gauge("notification.dead_letters", dead as f64, &[]);
    }
}
