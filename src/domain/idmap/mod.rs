//! Identifier spaces (10 §6): clients in `mapped` id mode use the previous
//! platform's station, operator, POI and seat-class ids. The maps come from four
//! CSV files; this module parses them (no I/O) and translates search inputs,
//! search/itinerary answers and Booking objects between the two id spaces.

mod booking;
mod search_input;
mod search_output;
mod table;

pub use booking::map_booking;
pub use search_input::MappedLocations;
pub use search_output::map_search_result;

use table::{IdTable, SeatClassTable};

/// File names inside `ID_MAP_DIR`.
pub const STATIONS_FILE: &str = "stations.csv";
pub const OPERATORS_FILE: &str = "operators.csv";
pub const POIS_FILE: &str = "pois.csv";
pub const SEAT_CLASSES_FILE: &str = "seat_classes.csv";

/// A row left out of a map file, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub file: &'static str,
    pub line: usize,
    pub reason: String,
}

impl BadRow {
    fn new(file: &'static str, line: usize, reason: impl Into<String>) -> Self {
        Self {
            file,
            line,
            reason: reason.into(),
        }
    }
}

/// The texts of the four files; `None` = the file does not exist (empty map).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdMapTexts<'a> {
    pub stations: Option<&'a str>,
    pub operators: Option<&'a str>,
    pub pois: Option<&'a str>,
    pub seat_classes: Option<&'a str>,
}

/// Rows loaded per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub stations: usize,
    pub operators: usize,
    pub pois: usize,
    pub seat_classes: usize,
}

/// All four maps, immutable once built; `generation` counts reloads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMaps {
    generation: u64,
    stations: IdTable,
    operators: IdTable,
    pois: IdTable,
    seat_classes: SeatClassTable,
}

impl IdMaps {
    /// Generation 0, no rows: every id is unmapped.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses the files; rows left out are returned, never logged here.
    pub fn load(texts: &IdMapTexts<'_>, generation: u64) -> (Self, Vec<BadRow>) {
        let mut bad = Vec::new();
        let mut table = |file, text: Option<&str>| {
            text.map(|t| IdTable::parse(file, t, &mut bad))
                .unwrap_or_default()
        };
        let stations = table(STATIONS_FILE, texts.stations);
        let operators = table(OPERATORS_FILE, texts.operators);
        let pois = table(POIS_FILE, texts.pois);
        let seat_classes = texts
            .seat_classes
            .map(|t| SeatClassTable::parse(SEAT_CLASSES_FILE, t, &mut bad))
            .unwrap_or_default();
        let maps = Self {
            generation,
            stations,
            operators,
            pois,
            seat_classes,
        };
        (maps, bad)
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn rows(&self) -> RowCounts {
        RowCounts {
            stations: self.stations.rows(),
            operators: self.operators.rows(),
            pois: self.pois.rows(),
            seat_classes: self.seat_classes.rows(),
        }
    }

    pub fn station_to_previous(&self, native: &str) -> Option<&str> {
        self.stations.to_previous(native)
    }

    pub fn operator_to_previous(&self, native: &str) -> Option<&str> {
        self.operators.to_previous(native)
    }

    pub fn poi_to_previous(&self, native: &str) -> Option<&str> {
        self.pois.to_previous(native)
    }

    /// Every native id of a previous id, in file order; empty when unmapped.
    pub fn stations_to_native(&self, previous: &str) -> &[String] {
        self.stations.to_native(previous)
    }

    pub fn operators_to_native(&self, previous: &str) -> &[String] {
        self.operators.to_native(previous)
    }

    pub fn pois_to_native(&self, previous: &str) -> &[String] {
        self.pois.to_native(previous)
    }

    /// seat class: `native_operator` is 12go's operator id; None when unmapped
    pub fn seat_class_to_previous(
        &self,
        native_operator: &str,
        native_class: &str,
    ) -> Option<&str> {
        self.seat_classes.to_previous(native_operator, native_class)
    }
}

/// Master-data lists of a mapped client show previous-platform ids (10 §6).
impl crate::domain::masterdata::ReverseIds for IdMaps {
    fn station(&self, native: &str) -> Option<String> {
        self.station_to_previous(native).map(str::to_owned)
    }
    fn operator(&self, native: &str) -> Option<String> {
        self.operator_to_previous(native).map(str::to_owned)
    }
    fn poi(&self, native: &str) -> Option<String> {
        self.poi_to_previous(native).map(str::to_owned)
    }
}

/// The kinds of `connect.idmap.miss{kind}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    Station,
    Operator,
    Poi,
    SeatClass,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Station => "station",
            Self::Operator => "operator",
            Self::Poi => "poi",
            Self::SeatClass => "seat_class",
        }
    }
}

/// Ids with no mapping met while translating one answer, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Misses {
    pub station: u32,
    pub operator: u32,
    pub poi: u32,
    pub seat_class: u32,
}

impl Misses {
    pub fn add(&mut self, kind: IdKind) {
        let n = match kind {
            IdKind::Station => &mut self.station,
            IdKind::Operator => &mut self.operator,
            IdKind::Poi => &mut self.poi,
            IdKind::SeatClass => &mut self.seat_class,
        };
        *n = n.saturating_add(1);
    }

    pub fn merge(&mut self, other: Misses) {
        self.station = self.station.saturating_add(other.station);
        self.operator = self.operator.saturating_add(other.operator);
        self.poi = self.poi.saturating_add(other.poi);
        self.seat_class = self.seat_class.saturating_add(other.seat_class);
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Kinds with at least one miss, with their counts.
    pub fn counts(&self) -> impl Iterator<Item = (IdKind, u32)> {
        [
            (IdKind::Station, self.station),
            (IdKind::Operator, self.operator),
            (IdKind::Poi, self.poi),
            (IdKind::SeatClass, self.seat_class),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_output;
#[cfg(test)]
mod tests_prop;
