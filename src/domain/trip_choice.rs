//! GetItinerary step 2 (20 §2): which trip and travel option of a T answer the
//! itinerary id means.

use crate::domain::twelvego::{SearchAnswer, TravelOption, Trip};

/// Why no option can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceError {
    /// No trip carries the key (→ 404 `itinerary_not_found`).
    NoTrip,
    /// The trip has no option bookable for `n` seats (→ 422 `trip_unavailable`).
    NotBookable,
}

fn bookable(o: &TravelOption, n: u8) -> bool {
    o.is_bookable == Some(1) && o.bookable.unwrap_or(0) >= i64::from(n)
}

/// The trip whose `id`, or one of whose options' `id`, equals `key`; then that
/// option if present, else among options bookable for `n` seats the one whose
/// class matches the trip's first segment class, else the first bookable one.
/// An explicitly named option must itself be bookable.
pub fn choose<'a, 'b>(
    answer: &'a SearchAnswer<'b>,
    key: &str,
    n: u8,
) -> Result<(&'a Trip<'b>, &'a TravelOption<'b>), ChoiceError> {
    let trip = answer
        .trips
        .iter()
        .find(|t| t.id == key || t.travel_options.iter().any(|o| o.id == key))
        .ok_or(ChoiceError::NoTrip)?;
    if let Some(o) = trip.travel_options.iter().find(|o| o.id == key) {
        if bookable(o, n) {
            return Ok((trip, o));
        }
        if trip.id != key {
            return Err(ChoiceError::NotBookable);
        }
    }
    let class = trip.segments.iter().find_map(|s| s.class);
    let mut candidates = trip.travel_options.iter().filter(|o| bookable(o, n));
    let first = candidates.clone().next().ok_or(ChoiceError::NotBookable)?;
    Ok((
        trip,
        candidates
            .find(|o| class.is_some() && o.class == class)
            .unwrap_or(first),
    ))
}

/// `answer` reduced to `trip` with only `option`, made visible: what the search
/// translator turns into exactly one itinerary.
pub fn single<'b>(
    answer: &SearchAnswer<'b>,
    trip: &Trip<'b>,
    option: &TravelOption<'b>,
) -> SearchAnswer<'b> {
    let mut t = trip.clone();
    t.params.hide = false;
    t.travel_options = vec![option.clone()];
    SearchAnswer {
        trips: vec![t],
        operators: answer.operators.clone(),
        stations: answer.stations.clone(),
        classes: answer.classes.clone(),
        recheck: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> SearchAnswer<'_> {
        SearchAnswer::from_slice(json.as_bytes()).unwrap()
    }

    const T: &str = r#"{"trips":[{"id":"TRIP","segments":[{"type":"route","class":12}],"travel_options":[
        {"id":"O1","class":11,"bookable":12,"is_bookable":1},
        {"id":"O2","class":12,"bookable":1,"is_bookable":1},
        {"id":"O3","class":12,"bookable":5,"is_bookable":1},
        {"id":"O4","class":12,"bookable":5,"is_bookable":0}]}]}"#;

    fn pick(key: &str, n: u8) -> Result<String, ChoiceError> {
        let a = answer(T);
        choose(&a, key, n).map(|(_, o)| o.id.to_string())
    }

    #[test]
    fn a_named_option_is_taken_when_bookable() {
        assert_eq!(pick("O1", 2), Ok("O1".into()));
        assert_eq!(pick("O2", 1), Ok("O2".into()));
        assert_eq!(pick("O2", 2), Err(ChoiceError::NotBookable));
        assert_eq!(pick("O4", 1), Err(ChoiceError::NotBookable));
    }

    #[test]
    fn by_trip_key_the_class_match_among_bookable_options_wins() {
        assert_eq!(pick("TRIP", 1), Ok("O2".into()));
        assert_eq!(pick("TRIP", 2), Ok("O3".into()));
        assert_eq!(pick("TRIP", 6), Ok("O1".into()));
        assert_eq!(pick("TRIP", 13), Err(ChoiceError::NotBookable));
    }

    #[test]
    fn an_unknown_key_is_no_trip() {
        assert_eq!(pick("NOPE", 1), Err(ChoiceError::NoTrip));
        assert_eq!(
            choose(&SearchAnswer::default(), "X", 1).map(|_| ()),
            Err(ChoiceError::NoTrip)
        );
    }

    #[test]
    fn single_keeps_one_visible_option() {
        let a = answer(T);
        let (t, o) = choose(&a, "O3", 1).unwrap();
        let s = single(&a, t, o);
        assert_eq!(s.trips.len(), 1);
        assert_eq!(s.trips[0].travel_options.len(), 1);
        assert_eq!(s.trips[0].travel_options[0].id, "O3");
        assert!(!s.trips[0].params.hide);
    }
}
