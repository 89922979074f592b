//! GetItinerary (20 §2): T → A → S, then the itinerary with its booking schema
//! and a signed booking token.

use jiff::civil::DateTime;
use rand::RngExt;
use serde_json::{json, Map, Value};

use super::{BookingService, Caller};
use crate::domain::booking_token::{Nonce, TokenClaims};
use crate::domain::checkout::{booking_schema, classify, seat_map, ClassifiedForm, Quote};
use crate::domain::funnel_error::{Call, FunnelError};
use crate::domain::idmap::map_search_result;
use crate::domain::ids::ItineraryRef;
use crate::domain::translate::SearchTranslator;
use crate::domain::trip_choice::{choose, single, ChoiceError};
use crate::ports::twelvego::TripCall;

/// What the client asked for: the path id and the `pax` query parameter.
#[derive(Debug, Clone)]
pub struct ItineraryRequest {
    pub itinerary_id: String,
    /// Seat count for the short id form (default 1).
    pub pax: Option<u8>,
}

impl BookingService {
    /// The answer body `{itineraries:[1], segments, vehicles}`.
    #[tracing::instrument(name = "get_itinerary", skip_all)]
    pub async fn get_itinerary(
        &self,
        caller: &Caller,
        req: &ItineraryRequest,
    ) -> Result<Value, FunnelError> {
        let id =
            ItineraryRef::parse(&req.itinerary_id).ok_or_else(FunnelError::invalid_itinerary_id)?;
        let seats = id.seats.or(req.pax).unwrap_or(1);
        let departure = DateTime::new(
            id.date.year(),
            id.date.month(),
            id.date.day(),
            id.hour,
            id.minute,
            0,
            0,
        )
        .map_err(|_| FunnelError::invalid_itinerary_id())?;
        let call = TripCall {
            trip_key: id.trip_key.clone(),
            departure,
            seats,
        };
        let ctx = &caller.ctx;
        let body = self
            .twelvego
            .trip(&call, ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Trip, &e, None))?;
        let answer = body.get();
        let (trip, option) = choose(answer, &id.trip_key, seats).map_err(|e| match e {
            ChoiceError::NoTrip => FunnelError::itinerary_not_found(),
            ChoiceError::NotBookable => FunnelError::trip_unavailable(),
        })?;
        let mut translator = SearchTranslator::new(seats, id.date, &self.settings.price_types);
        translator.add(&single(answer, trip, option));
        let mut result = translator.finish();
        if let Some(maps) = &caller.id_maps {
            let translated = !result.itineraries.is_empty();
            let (mapped, misses) = map_search_result(result, maps);
            self.report_misses(&caller.client_id, misses);
            result = mapped;
            if translated && result.itineraries.is_empty() {
                // Search never shows this client such a trip (10 §6); no cart is made.
                tracing::info!(client_id = %caller.client_id, trip = %trip.id, "itinerary touches an unmapped station or operator");
                return Err(FunnelError::itinerary_not_found());
            }
        }
        let Some(itinerary) = result.itineraries.first() else {
            tracing::warn!(trip = %trip.id, "12go trip could not be translated");
            return Err(FunnelError::trip_unavailable());
        };
        let cart_id = self
            .twelvego
            .add_to_cart(&call, ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Cart, &e, None))?;
        let form = self
            .twelvego
            .checkout(&cart_id, ctx)
            .await
            .map_err(|e| FunnelError::upstream(Call::Checkout, &e, None))?;
        let form = classify(&form);
        self.report_form(&form, &caller.client_id);
        let quote = Quote {
            net: itinerary.pricing.net_price.clone(),
            seats: u32::from(seats),
        };
        let claims = TokenClaims {
            client_id: caller.client_id.clone(),
            cart_id,
            seats: u32::from(seats),
            trip_key: id.trip_key.clone(),
            departure,
            price: quote.net.clone(),
            nonce: Nonce::from_bytes(rand::rng().random()),
        };
        let token = self.keys.issue(&claims, self.clock.now());
        let mut it = match serde_json::to_value(itinerary) {
            Ok(Value::Object(m)) => m,
            _ => return Err(FunnelError::internal()),
        };
        it.insert("booking_token".into(), Value::String(token));
        let extras = match seat_map(&form) {
            Some(map) => json!({ "seat_map": map }),
            None => json!({}),
        };
        it.insert("extras".into(), extras);
        it.insert(
            "booking_schema".into(),
            booking_schema(&form, u32::from(seats), Some(&quote)),
        );
        let mut body = Map::new();
        body.insert("itineraries".into(), Value::Array(vec![Value::Object(it)]));
        body.insert("segments".into(), json!(result.segments));
        body.insert("vehicles".into(), json!(result.vehicles));
        Ok(Value::Object(body))
    }

    /// WARN and count required checkout keys we do not know, and patterns skipped.
    pub(super) fn report_form(&self, form: &ClassifiedForm, client_id: &str) {
        for key in &form.unknown_required {
            tracing::warn!(key = %key, client_id, "unknown required checkout field exposed in additional_fields");
            self.metrics
                .count("checkout.unknown_field", 1, &[("client_id", client_id)]);
        }
        for (key, pattern) in &form.skipped_patterns {
            tracing::warn!(key = %key, pattern = %pattern, "12go pattern does not compile; not checked");
        }
    }
}
