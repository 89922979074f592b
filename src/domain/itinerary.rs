//! The Connect search answer: vehicles, segments and itineraries (10 §1).

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::domain::ids::TransportType;
use crate::domain::money::Money;

/// A class image (the type allows it; search emits `null` today).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Image {
    pub url: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SeatClass {
    pub id: String,
    pub name: String,
    pub description: String,
    #[schema(value_type = Option<Vec<String>>)]
    pub keywords: Option<Vec<String>>,
    pub images: Option<Vec<Image>>,
    pub amenities: Vec<String>,
}

/// `{operator}-{TransportType}`; the extra descriptive fields are always `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Vehicle {
    pub id: String,
    pub name: String,
    pub seat_classes: Vec<SeatClass>,
    #[schema(value_type = Option<Vec<Image>>)]
    pub images: Option<Vec<Image>>,
    #[schema(value_type = Option<String>)]
    pub description: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub keywords: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<String>>)]
    pub amenities: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub id: String,
    pub from_station: String,
    pub to_station: String,
    /// Local wall clock, `YYYY-MM-DDTHH:MM`.
    pub departure_time: String,
    pub arrival_time: String,
    /// ISO 8601, hours never rolled into days (`PT12H23M`).
    pub travel_duration: String,
    pub vehicle_id: String,
    pub operating_carrier_id: String,
    pub seat_class_id: String,
    pub transportation_types: Vec<TransportType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum PriceType {
    Max,
    Min,
    Exact,
    Recommended,
}

impl PriceType {
    /// The wire name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Max => "Max",
            Self::Min => "Min",
            Self::Exact => "Exact",
            Self::Recommended => "Recommended",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "Max" => Some(Self::Max),
            "Min" => Some(Self::Min),
            "Exact" => Some(Self::Exact),
            "Recommended" => Some(Self::Recommended),
            _ => None,
        }
    }
}

/// Gross price: money plus how binding it is.
#[derive(Debug, Clone, PartialEq, Eq, utoipa::ToSchema)]
pub struct GrossPrice {
    #[schema(inline)]
    pub price: Money,
    pub price_type: PriceType,
}

impl Serialize for GrossPrice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("GrossPrice", 3)?;
        st.serialize_field("amount", &self.price.amount_string())?;
        st.serialize_field("currency", self.price.currency.as_str())?;
        st.serialize_field("price_type", &self.price_type)?;
        st.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pricing {
    pub gross_price: GrossPrice,
    pub net_price: Money,
    pub taxes_and_fees: Money,
}

/// `{"percent": 100}` or `{"amount": Money}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Penalty {
    Percent(u32),
    Amount(Money),
}

/// Applies when cancelling within `from` before departure; `null` = from booking on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CancellationPolicy {
    pub from: Option<String>,
    pub penalty: Penalty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum ConfirmationType {
    Instant,
    Pending,
}

impl ConfirmationType {
    /// The wire name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "Instant",
            Self::Pending => "Pending",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum TicketType {
    PaperTicket,
    ShowOnScreen,
    PickUp,
}

impl TicketType {
    /// The wire name (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaperTicket => "PaperTicket",
            Self::ShowOnScreen => "ShowOnScreen",
            Self::PickUp => "PickUp",
        }
    }

    /// Maps 12go's `ticket_type`; `None` for an unknown value (omitted, with a WARN).
    pub fn from_12go(raw: &str) -> Option<Self> {
        const NAMES: [(&str, TicketType); 8] = [
            ("paper", TicketType::PaperTicket),
            ("printed", TicketType::PaperTicket),
            ("eticket", TicketType::ShowOnScreen),
            ("e-ticket", TicketType::ShowOnScreen),
            ("show_on_screen", TicketType::ShowOnScreen),
            ("mobile", TicketType::ShowOnScreen),
            ("pickup", TicketType::PickUp),
            ("pick_up", TicketType::PickUp),
        ];
        // Compared without lowercasing into a new string (once per travel option).
        let raw = raw.trim();
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(raw))
            .map(|(_, t)| *t)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Itinerary {
    pub id: String,
    pub departure_segments: Vec<String>,
    pub connection_guaranteed: bool,
    pub cancellation_policies: Vec<CancellationPolicy>,
    pub number_of_available_seats: i64,
    pub pricing: Pricing,
    pub confirmation_type: ConfirmationType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<TicketType>,
}

/// The search answer: three linked arrays, always present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    pub vehicles: Vec<Vehicle>,
    pub segments: Vec<Segment>,
    pub itineraries: Vec<Itinerary>,
}
