//! Add-on prices and the CreateBooking estimate (20 §9).

use rust_decimal::Decimal;

use super::classify::{ClassifiedForm, Family};
use super::model::SeatMap;
use super::reserve::BookingData;
use super::schema::translate_enum;
use crate::domain::money::Money;

/// The quote the add-ons are measured against: the token's net price for all seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub net: Money,
    pub seats: u32,
}

impl Quote {
    /// Base per-seat price: quoted net ÷ n.
    fn per_seat(&self) -> Decimal {
        self.net.amount / Decimal::from(self.seats.max(1))
    }
}

/// Per available seat: `price_diff` when 12go gives one, else seat `price` − the
/// per-seat base of `quote` (never below 0); without a quote, the price above the
/// cheapest available seat.
pub fn seat_addons(map: &SeatMap, quote: Option<&Quote>) -> Vec<(String, Option<Money>)> {
    let base = match quote {
        Some(q) => Some(q.per_seat()),
        None => map
            .available()
            .filter_map(|s| s.price.as_ref().map(|p| p.amount))
            .min(),
    };
    map.available()
        .map(|s| {
            let price = s.price_diff.clone().or_else(|| {
                let p = s.price.as_ref()?;
                Some(Money::new(
                    (p.amount - base?).max(Decimal::ZERO),
                    p.currency.clone(),
                ))
            });
            (s.id.clone(), price)
        })
        .collect()
}

/// Quoted net + Σ selected seats' add-ons + Σ passengers' baggage add-ons, in the
/// quote's currency (add-ons in another currency are not added, they cannot be).
pub fn estimate(form: &ClassifiedForm, data: &BookingData, quote: &Quote) -> Money {
    let mut total = quote.net.amount;
    let same = |m: &Money| m.currency == quote.net.currency;
    if let Some(map) = form
        .find(&Family::Seat)
        .and_then(|f| f.field.seatmap.as_ref())
    {
        let addons = seat_addons(map, Some(quote));
        for seat in &data.seat_selection {
            if let Some((_, Some(m))) = addons.iter().find(|(id, _)| id == seat) {
                if same(m) {
                    total += m.amount;
                }
            }
        }
    }
    if let Some(bag) = form
        .fields
        .iter()
        .find(|f| matches!(f.family, Family::Baggage))
    {
        for p in &data.passengers {
            let Some(choice) = p.baggage_option.as_deref() else {
                continue;
            };
            let value = translate_enum(&bag.field.options, choice);
            let price = bag
                .field
                .options
                .iter()
                .find(|o| o.value == value)
                .and_then(|o| o.price.as_ref());
            if let Some(m) = price.filter(|m| same(m)) {
                total += m.amount;
            }
        }
    }
    Money::new(total, quote.net.currency.clone())
}

/// The cost check: same currency (case-insensitive), equal at minor-unit precision.
pub fn matches_total(client: &Money, estimate: &Money) -> bool {
    client
        .currency
        .as_str()
        .eq_ignore_ascii_case(estimate.currency.as_str())
        && client.amount_string() == estimate.amount_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checkout::tests::fixture;
    use crate::domain::money::Currency;
    use std::str::FromStr;

    fn thb(s: &str) -> Money {
        Money::new(Decimal::from_str(s).unwrap(), Currency::new("THB"))
    }

    fn quote(net: &str, seats: u32) -> Quote {
        Quote {
            net: thb(net),
            seats,
        }
    }

    fn data(json: serde_json::Value) -> BookingData {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn seat_addons_are_measured_against_the_quoted_per_seat_price() {
        let form = fixture("spec-example");
        let map = form
            .find(&Family::Seat)
            .unwrap()
            .field
            .seatmap
            .clone()
            .unwrap();
        // 914 / 2 = 457: 1A (457) costs nothing extra, 1B (477) 20.
        let a = seat_addons(&map, Some(&quote("914", 2)));
        assert_eq!(
            a,
            [
                ("1A".into(), Some(thb("0"))),
                ("1B".into(), Some(thb("20")))
            ]
        );
        // Never below zero.
        let a = seat_addons(&map, Some(&quote("1000", 2)));
        assert_eq!(a[0].1, Some(thb("0")));
        assert_eq!(a[1].1, Some(thb("0")));
    }

    #[test]
    fn the_estimate_adds_seats_and_each_passengers_baggage() {
        let form = fixture("spec-example");
        let d = data(serde_json::json!({"seat_selection":["1A","1B"],
            "passengers":[{"baggage_option":"10kg"},{"baggage_option":"Carry-on"},{}]}));
        let e = estimate(&form, &d, &quote("914", 2));
        assert_eq!(e.amount_string(), "1134.00");
        assert_eq!(e.currency.as_str(), "THB");
    }

    #[test]
    fn the_cost_check_is_exact_at_minor_units_and_ignores_currency_case() {
        let est = thb("1134");
        assert!(matches_total(
            &Money::new(Decimal::from_str("1134.00").unwrap(), Currency::new("thb")),
            &est
        ));
        assert!(matches_total(&thb("1134.004"), &est));
        assert!(!matches_total(&thb("1134.01"), &est));
        assert!(!matches_total(
            &Money::new(Decimal::from(1134), Currency::new("USD")),
            &est
        ));
    }
}
