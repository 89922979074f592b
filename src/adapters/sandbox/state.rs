//! Funnel state: carts and bookings, each in a [`Bounded`] map.

use jiff::civil::DateTime;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use super::booking::CAPACITY;
use super::checkout::fnv;
use crate::domain::twelvego::{Price, TravelOption, Trip};

/// Insertion-ordered map that forgets its oldest entry beyond [`CAPACITY`].
#[derive(Debug)]
pub struct Bounded<T> {
    map: HashMap<String, T>,
    order: VecDeque<String>,
    cap: usize,
}

impl<T> Default for Bounded<T> {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl<T> Bounded<T> {
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }
    pub fn insert(&mut self, key: String, value: T) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > self.cap {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
    pub fn get(&self, key: &str) -> Option<&T> {
        self.map.get(key)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.map.get_mut(key)
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A trip put in a cart (A) for `seats` passengers.
#[derive(Debug, Clone)]
pub struct Cart {
    pub id: String,
    /// The trip as search has it, with only the carted travel option.
    pub trip: Trip<'static>,
    /// The carted option with search's (one-seat) prices.
    pub option: TravelOption<'static>,
    pub seats: u8,
    pub departure: DateTime,
    /// Set once reserved.
    pub bid: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    PendingClientConfirmation,
    Pending,
    Confirmed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingClientConfirmation => "pending_client_confirmation",
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Booking {
    pub bid: u64,
    pub status: Status,
    pub tracker: String,
    pub from_id: Option<i64>,
    pub to_id: Option<i64>,
    pub dep_date_time: String,
    /// The departure (local time of the trip).
    pub departure: DateTime,
    pub seats: u8,
    pub price: Option<Price>,
    pub netprice: Option<Price>,
    pub agfee: Option<Price>,
    pub sysfee: Option<Price>,
    pub created_on: i64,
    pub stamp: i64,
    pub ticket_url: String,
    /// Extra wait of R and C for this booking ([`super::booking::SLOW`] or zero).
    pub delay: Duration,
    /// Minutes (0 = Instant).
    pub confirmation_time: i64,
    /// When a Pending booking turns `confirmed` (or `cancelled`) (unix s).
    pub ready_at: Option<i64>,
    /// A Pending booking ends `cancelled` instead of `confirmed`
    /// ([`super::confirm::pending_ends_cancelled`]).
    pub ends_cancelled: bool,
    /// When the ticket URL appears (unix s); `None` until confirmed, or never.
    pub ticket_at: Option<i64>,
    /// F answers `success: false` (contact e-mail `refundfail@…`).
    pub refund_fails: bool,
    /// Whom webhook calls for this booking go to (from the key R was called with).
    pub client_id: Option<String>,
}

/// Everything the funnel remembers.
#[derive(Debug, Default)]
pub struct Books {
    pub carts: Bounded<Cart>,
    pub bookings: Bounded<Booking>,
    issued: u64,
    bids: u64,
}

impl Books {
    /// A fresh cart id (8 hex digits, unique among kept carts).
    pub fn next_cart_id(&mut self) -> String {
        loop {
            self.issued += 1;
            let id = format!(
                "{:08x}",
                fnv(&format!("cart:{}", self.issued)) & 0xffff_ffff
            );
            if self.carts.get(&id).is_none() {
                return id;
            }
        }
    }

    /// A fresh booking id (8 digits).
    pub fn next_bid(&mut self) -> u64 {
        // Its own counter: the first booking of a process is always 70000001.
        self.bids += 1;
        70_000_000 + self.bids
    }
}
