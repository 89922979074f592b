use super::*;

const COMMON: [(&str, String); 1] = [("env", String::new())];

fn lines(agg: &Aggregator, max_line: usize) -> Vec<String> {
    let mut out = String::new();
    for ctx in agg.take() {
        write_lines(&mut out, "connect", &ctx, &[], max_line);
    }
    out.lines().map(str::to_owned).collect()
}

#[test]
fn counts_with_the_same_name_and_tags_are_summed_and_other_tag_sets_kept_apart() {
    let agg = Aggregator::default();
    agg.count(
        "request.count",
        1,
        &[("client_id", "acme"), ("status_code", "200")],
    );
    agg.count(
        "request.count",
        1,
        &[("client_id", "acme"), ("status_code", "500")],
    );
    agg.count(
        "request.count",
        4,
        &[("client_id", "acme"), ("status_code", "200")],
    );
    // Same pairs in another order are another tag set, as DogStatsD lines differ.
    agg.count(
        "request.count",
        1,
        &[("status_code", "200"), ("client_id", "acme")],
    );
    assert_eq!(
        lines(&agg, 1432),
        [
            "connect.request.count:5|c|#client_id:acme,status_code:200",
            "connect.request.count:1|c|#client_id:acme,status_code:500",
            "connect.request.count:1|c|#status_code:200,client_id:acme",
        ]
    );
}

#[test]
fn a_name_used_as_count_and_histogram_is_two_contexts() {
    let agg = Aggregator::default();
    agg.count("x", 2, &[]);
    agg.histogram("x", 1.5, &[]);
    agg.gauge("x", 7.0, &[]);
    assert_eq!(
        lines(&agg, 1432),
        ["connect.x:2|c", "connect.x:1.5|h", "connect.x:7|g"]
    );
}

#[test]
fn take_starts_a_new_interval() {
    let agg = Aggregator::default();
    agg.count("a", 1, &[("k", "v")]);
    assert_eq!(lines(&agg, 1432), ["connect.a:1|c|#k:v"]);
    assert!(agg.take().is_empty());
    agg.count("a", 3, &[("k", "v")]);
    assert_eq!(lines(&agg, 1432), ["connect.a:3|c|#k:v"]);
}

#[test]
fn common_tags_follow_the_metrics_own() {
    let agg = Aggregator::default();
    agg.gauge("g", 0.25, &[("k", "v")]);
    let mut out = String::new();
    let common = [("service", "connect-api".to_owned()), COMMON[0].clone()];
    for ctx in agg.take() {
        write_lines(&mut out, "connect", &ctx, &common, 1432);
    }
    assert_eq!(out, "connect.g:0.25|g|#k:v,service:connect-api,env:\n");
}

#[test]
fn histogram_samples_are_split_across_lines_that_fit() {
    let agg = Aggregator::default();
    for v in 10..40 {
        agg.histogram("d", f64::from(v), &[("k", "v")]);
    }
    let got = lines(&agg, 40);
    let mut values = Vec::new();
    for line in &got {
        assert!(line.len() <= 40, "{line} is {} bytes", line.len());
        let body = line
            .strip_prefix("connect.d:")
            .and_then(|l| l.strip_suffix("|h|#k:v"))
            .unwrap_or_else(|| panic!("{line}"));
        values.extend(body.split(':').map(str::to_owned));
    }
    assert!(got.len() > 1, "{got:?}");
    let want: Vec<String> = (10..40).map(|v| v.to_string()).collect();
    assert_eq!(values, want);
}

#[test]
fn a_line_too_short_for_two_samples_still_carries_one() {
    let agg = Aggregator::default();
    agg.histogram("d", 1.0, &[]);
    agg.histogram("d", 2.0, &[]);
    assert_eq!(lines(&agg, 5), ["connect.d:1|h", "connect.d:2|h"]);
}

#[test]
fn past_the_cap_a_uniform_sample_is_kept_with_its_rate_and_the_max() {
    let agg = Aggregator::default();
    let n = 4 * MAX_SAMPLES;
    for i in 0..n {
        // The largest value comes first, where a reservoir is most likely to lose it.
        let v = if i == 0 { 1e6 } else { (i % 100) as f64 };
        agg.histogram("d", v, &[]);
    }
    let ctxs = agg.take();
    let Value::Samples { kept, seen, max } = &ctxs[0].value else {
        panic!("{:?}", ctxs[0]);
    };
    assert_eq!((kept.len(), *seen, *max), (MAX_SAMPLES, n as u64, 1e6));
    let mut out = String::new();
    write_lines(&mut out, "connect", &ctxs[0], &[], usize::MAX);
    assert!(out.starts_with("connect.d:1000000:"), "{}", &out[..40]);
    assert!(
        out.ends_with("|h|@0.250000\n"),
        "{}",
        &out[out.len() - 40..]
    );
    assert_eq!(out.matches(':').count(), MAX_SAMPLES);
}

#[test]
fn the_reservoir_replaces_late_samples_too() {
    let agg = Aggregator::default();
    for _ in 0..MAX_SAMPLES {
        agg.histogram("d", 1.0, &[]);
    }
    for _ in 0..(3 * MAX_SAMPLES) {
        agg.histogram("d", 2.0, &[]);
    }
    let ctxs = agg.take();
    let Value::Samples { kept, .. } = &ctxs[0].value else {
        panic!("{:?}", ctxs[0]);
    };
    // About three quarters should be the later value.
    let late = kept.iter().filter(|v| **v == 2.0).count();
    assert!(
        (MAX_SAMPLES / 2..MAX_SAMPLES * 9 / 10).contains(&late),
        "{late} of {MAX_SAMPLES}"
    );
}
