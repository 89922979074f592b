use super::*;

fn map(csv: &str) -> BookingIdMap {
    let (m, bad) = BookingIdMap::parse(csv).unwrap();
    assert!(bad.is_empty(), "{bad:?}");
    m
}

const CSV: &str = "id,plain_id,bid,client_id\n\
XYXZ4Yabc123,0102V10204C1230308onetwogo0408111111110504acme,11111111,acme\n\
Ab3dE5gH9k,,22222222,acme\n\
Zz9yX8wV7u,,33333333,beta\n";

#[test]
fn plain_bids_are_bids() {
    assert_eq!(
        resolve_bid("87654321", "acme", None).as_deref(),
        Some("87654321")
    );
    assert_eq!(
        resolve_bid("0087654321", "acme", None).as_deref(),
        Some("87654321")
    );
    assert_eq!(resolve_bid("99999999999999999999", "acme", None), None);
    assert_eq!(resolve_bid("", "acme", None), None);
    assert_eq!(resolve_bid("12/3", "acme", None), None);
    assert_eq!(resolve_bid(&"1".repeat(513), "acme", None), None);
}

#[test]
fn klv_ids_follow_the_spec_example() {
    let id = "0102V10204C1230308onetwogo0408876543210504acme";
    assert_eq!(resolve_bid(id, "acme", None).as_deref(), Some("87654321"));
    assert_eq!(
        resolve_bid(id, "other", None),
        None,
        "key 05 is another client"
    );
    assert_eq!(
        resolve_bid("0102V10308ONETWOGO040242", "x", None).as_deref(),
        Some("42")
    );
}

#[test]
fn malformed_klv_ids_are_not_found() {
    for bad in [
        "0102V10306flixbu040242",   // another integration
        "0102V10308onetwogo0402ab", // non-numeric bid
        "0102V10308onetwogo04",     // truncated entry
        "0102V10308onetwogo0499",   // length past the end
        "0102V10402420",            // trailing garbage
        "0102V10402",               // no integration
        "0102V1xx",                 // non-numeric length
    ] {
        assert_eq!(resolve_bid(bad, "x", None), None, "{bad}");
    }
}

#[test]
fn mapped_ids_resolve_for_their_own_client_only() {
    let m = map(CSV);
    assert_eq!(m.len(), 3);
    assert_eq!(
        resolve_bid("XYXZ4Yabc123", "acme", Some(&m)).as_deref(),
        Some("11111111")
    );
    assert_eq!(
        resolve_bid(
            "0102V10204C1230308onetwogo0408111111110504acme",
            "acme",
            Some(&m)
        )
        .as_deref(),
        Some("11111111")
    );
    assert_eq!(
        resolve_bid("Ab3dE5gH9k", "acme", Some(&m)).as_deref(),
        Some("22222222")
    );
    assert_eq!(resolve_bid("Ab3dE5gH9k", "beta", Some(&m)), None);
    assert_eq!(resolve_bid("Zz9yX8wV7u", "acme", Some(&m)), None);
    assert_eq!(m.id_of("22222222"), Some("Ab3dE5gH9k"));
}

#[test]
fn other_previous_platform_ids_need_the_mapping_file() {
    let m = map(CSV);
    assert_eq!(resolve_bid("XYXZ4Yother1", "acme", Some(&m)), None);
    assert_eq!(resolve_bid("Qq1wE2rT3y", "acme", Some(&m)), None);
    assert_eq!(resolve_bid("XYXZ4Yabc123", "acme", None), None);
}

#[test]
fn bad_rows_are_reported_with_their_line_numbers_and_left_out() {
    let (m, bad) = BookingIdMap::parse(
        "id,plain_id,bid,client_id\n\
         ok1,,1,acme\n\
         too,few,columns\n\
         bad id,,2,acme\n\
         ok2,,notanumber,acme\n\
         ok3,,3,Not A Client\n\
         \n\
         ok1,,4,acme\n\
         ok4,,5,acme\n",
    )
    .unwrap();
    let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 8]);
    assert!(bad[0].reason.contains("4 columns"));
    assert_eq!(m.len(), 2);
    assert_eq!(resolve_bid("ok4", "acme", Some(&m)).as_deref(), Some("5"));
}

#[test]
fn a_wrong_header_is_an_error() {
    assert!(BookingIdMap::parse("bid,id\n1,2\n").is_err());
    assert!(BookingIdMap::parse("").is_err());
    assert!(BookingIdMap::parse("\u{feff}ID,plain_id,bid,client_id\n").is_ok());
}
