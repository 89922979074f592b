use super::*;
use serde_json::json;

fn at(diffs: &[Difference]) -> Vec<&str> {
    diffs.iter().map(|d| d.at.as_str()).collect()
}

#[test]
fn equal_values_have_no_differences() {
    let v = json!({"a": [1, {"b": "x"}], "c": null});
    assert_eq!(compare_json(&v, &v, &Rules::default()), vec![]);
}

#[test]
fn changed_missing_and_unexpected_members_are_named_by_pointer() {
    let e = json!({"a": {"b": 1, "c": 2}, "x/y": "s"});
    let a = json!({"a": {"b": 3, "d": 4}, "x/y": "s"});
    let diffs = compare_json(&e, &a, &Rules::default());
    assert_eq!(
        diffs,
        vec![
            Difference {
                at: "/a/b".into(),
                kind: Kind::Changed {
                    expected: json!(1),
                    actual: json!(3)
                }
            },
            Difference {
                at: "/a/c".into(),
                kind: Kind::Missing { expected: json!(2) }
            },
            Difference {
                at: "/a/d".into(),
                kind: Kind::Unexpected { actual: json!(4) }
            },
        ]
    );
    let e = json!({"x/y": 1});
    let a = json!({"x/y": 2});
    assert_eq!(at(&compare_json(&e, &a, &Rules::default())), vec!["/x~1y"]);
}

#[test]
fn arrays_compare_by_index_and_report_length() {
    let diffs = compare_json(&json!([1, 2, 3]), &json!([1, 5]), &Rules::default());
    assert_eq!(
        diffs,
        vec![
            Difference {
                at: "/1".into(),
                kind: Kind::Changed {
                    expected: json!(2),
                    actual: json!(5)
                }
            },
            Difference {
                at: "".into(),
                kind: Kind::Length {
                    expected: 3,
                    actual: 2
                }
            },
        ]
    );
}

#[test]
fn type_changes_are_reported_once() {
    let diffs = compare_json(
        &json!({"a": {"b": 1}}),
        &json!({"a": [1]}),
        &Rules::default(),
    );
    assert_eq!(
        diffs,
        vec![Difference {
            at: "/a".into(),
            kind: Kind::Type {
                expected: "object".into(),
                actual: "array".into()
            }
        }]
    );
}

#[test]
fn ignore_patterns_with_wildcards_skip_values() {
    let rules = Rules::from_toml(r#"ignore = ["/items/*/id", "/*/token", "/gone"]"#).unwrap();
    let e = json!({"items": [{"id": "a", "n": 1}], "x": {"token": "t1"}, "gone": 1});
    let a = json!({"items": [{"id": "b", "n": 2}], "x": {"token": "t2"}});
    assert_eq!(at(&compare_json(&e, &a, &rules)), vec!["/items/0/n"]);
}

#[test]
fn type_only_compares_the_type_and_nothing_below() {
    let rules = Rules::from_toml(r#"type_only = ["/items", "/price"]"#).unwrap();
    let e = json!({"items": [1, 2], "price": "10.00"});
    let a = json!({"items": [3], "price": 10});
    assert_eq!(
        compare_json(&e, &a, &rules),
        vec![Difference {
            at: "/price".into(),
            kind: Kind::Type {
                expected: "string".into(),
                actual: "number".into()
            }
        }]
    );
}

#[test]
fn extra_members_can_be_allowed() {
    let rules = Rules::from_toml("allow_extra_members = true").unwrap();
    let diffs = compare_json(&json!({"a": 1}), &json!({"a": 1, "b": 2}), &rules);
    assert_eq!(diffs, vec![]);
}

#[test]
fn volatile_rules_skip_timestamps_tokens_and_booking_ids() {
    let e = json!({"created_at": "1", "booking_token": "a", "correlation_id": "c",
                   "bookings": [{"id": "1", "status": "x"}], "id": "top"});
    let a = json!({"created_at": "2", "booking_token": "b", "correlation_id": "d",
                   "bookings": [{"id": "2", "status": "y"}], "id": "other"});
    let off = compare_json(&e, &a, &Rules::default());
    assert_eq!(off.len(), 6);
    let on = compare_json(&e, &a, &Rules::default().with_volatile(true));
    assert_eq!(at(&on), vec!["/bookings/0/status", "/id"]);
}

#[test]
fn bad_rules_are_rejected() {
    assert_eq!(
        Rules::from_toml(r#"ignore = ["items"]"#).unwrap_err(),
        "\"items\" is not a JSON pointer (must start with '/')"
    );
    assert!(Rules::from_toml("ignor = []").is_err());
}

fn observed(status: u16, ct: &str, body: Value) -> Observed {
    Observed {
        status,
        headers: vec![
            ("content-type".into(), ct.into()),
            ("x-correlation-id".into(), "c2".into()),
        ],
        body,
    }
}

#[test]
fn answers_compare_status_selected_headers_and_body() {
    let headers = BTreeMap::from([
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("x-correlation-id".to_owned(), "c1".to_owned()),
    ]);
    let got = observed(404, "text/plain", json!({"code": "x"}));
    let diffs = compare_answer(
        200,
        &headers,
        &json!({"code": "y"}),
        &got,
        &Rules::default(),
    );
    assert_eq!(
        at(&diffs),
        vec![
            "status",
            "header content-type",
            "header x-correlation-id",
            "/code"
        ]
    );
    let rules = Rules::default().with_volatile(true);
    let diffs = compare_answer(404, &headers, &Value::Null, &got, &rules);
    assert_eq!(at(&diffs), vec!["header content-type"]);
}

#[test]
fn missing_headers_are_differences_unless_ignored() {
    let headers = BTreeMap::from([("location".to_owned(), "/b/1".to_owned())]);
    let got = observed(200, "a", json!(null));
    let diffs = compare_answer(200, &headers, &Value::Null, &got, &Rules::default());
    assert_eq!(
        diffs,
        vec![Difference {
            at: "header location".into(),
            kind: Kind::Missing {
                expected: json!("/b/1")
            }
        }]
    );
    let rules = Rules::from_toml(r#"ignore_headers = ["Location"]"#).unwrap();
    assert_eq!(
        compare_answer(200, &headers, &Value::Null, &got, &rules),
        vec![]
    );
}

#[test]
fn bodies_that_are_not_json_become_strings() {
    assert_eq!(Observed::body_from_bytes(b"{\"a\":1}"), json!({"a": 1}));
    assert_eq!(Observed::body_from_bytes(b"https://x"), json!("https://x"));
    assert_eq!(Observed::body_from_bytes(b""), json!(""));
}
