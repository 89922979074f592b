//! The Booking object of a `mapped` client (30 §2): `from_station`/`to_station`
//! reverse-mapped. A booking is never hidden: an unmapped station keeps its
//! native id and is reported so the caller can WARN.

use super::{IdKind, IdMaps, Misses};
use crate::domain::booking::Booking;

/// Reverse-maps the booking's stations in place; returns the native ids left as
/// they were.
pub fn map_booking(booking: &mut Booking, maps: &IdMaps) -> (Misses, Vec<String>) {
    let mut misses = Misses::default();
    let mut unmapped = Vec::new();
    for station in [&mut booking.from_station, &mut booking.to_station] {
        match maps.station_to_previous(station) {
            Some(previous) => *station = previous.to_string(),
            None => {
                misses.add(IdKind::Station);
                unmapped.push(station.clone());
            }
        }
    }
    (misses, unmapped)
}
