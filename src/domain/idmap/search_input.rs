//! Search inputs of a `mapped` client: previous-platform station and POI ids
//! become every 12go id they map to; an id with no mapping is dropped (10 §1), so
//! a side left with nothing yields an empty 200 rather than a 400.

use super::{IdKind, IdMaps, Misses};
use crate::domain::search_query::LocationIds;

/// [`LocationIds`] through the maps, counting the ids with no mapping.
pub struct MappedLocations<'a> {
    maps: &'a IdMaps,
    misses: Misses,
}

impl<'a> MappedLocations<'a> {
    pub fn new(maps: &'a IdMaps) -> Self {
        Self {
            maps,
            misses: Misses::default(),
        }
    }

    pub fn misses(&self) -> Misses {
        self.misses
    }

    fn expand(&mut self, natives: &[String], kind: IdKind) -> Vec<i64> {
        if natives.is_empty() {
            self.misses.add(kind);
        }
        // Native ids were checked to be integers when the file was loaded.
        natives.iter().filter_map(|n| n.parse().ok()).collect()
    }
}

impl LocationIds for MappedLocations<'_> {
    fn stations(&mut self, raw: &str) -> Result<Vec<i64>, &'static str> {
        let maps = self.maps;
        Ok(self.expand(maps.stations_to_native(raw), IdKind::Station))
    }

    fn pois(&mut self, raw: &str) -> Result<Vec<i64>, &'static str> {
        let maps = self.maps;
        Ok(self.expand(maps.pois_to_native(raw), IdKind::Poi))
    }
}
