//! Notification use cases (30 §7–§8).

pub mod deliver;
pub mod inbound;
pub mod worker;

pub use deliver::{Delivered, Deliverer, DeliverySettings};
pub use inbound::{authenticate, Inbound, Outcome, Processed};
