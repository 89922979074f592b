//! Which refund option a cancel takes (30 §5 steps 3–5): 12go decides the
//! amounts; we only filter and pick the largest.

use jiff::civil::DateTime;

use crate::domain::time::parse_lenient_datetime;
use crate::domain::twelvego::refund::{RefundOption, RefundOptions};

/// No option can be used (→ 422 `no_refund_option`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoRefundOption;

/// Drops unavailable options (missing `available` counts as available) and those
/// with `expires: true` whose `expires_after` parses and lies before `now`; then
/// the largest `refund_amount` (as decimals; ties → first). With mixed
/// currencies only options in `currency` compete, if there are any.
pub fn choose<'a>(
    answer: &'a RefundOptions,
    currency: &str,
    now: DateTime,
) -> Result<&'a RefundOption, NoRefundOption> {
    if answer.available != Some(true) {
        return Err(NoRefundOption);
    }
    let usable: Vec<&RefundOption> = answer
        .options
        .iter()
        .filter(|o| o.available != Some(false))
        .filter(|o| {
            let expired = o.expires == Some(true)
                && o.expires_after
                    .as_deref()
                    .and_then(parse_lenient_datetime)
                    .is_some_and(|at| at < now);
            !expired
        })
        .collect();
    let same: Vec<&RefundOption> = usable
        .iter()
        .copied()
        .filter(|o| o.refund_fxcode.eq_ignore_ascii_case(currency))
        .collect();
    let pool = if same.is_empty() { usable } else { same };
    pool.into_iter()
        .fold(None::<&RefundOption>, |best, o| match best {
            Some(b) if b.refund_amount.value >= o.refund_amount.value => Some(b),
            _ => Some(o),
        })
        .ok_or(NoRefundOption)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> RefundOptions {
        serde_json::from_str(json).unwrap()
    }

    fn now() -> DateTime {
        "2026-04-20T00:00:00".parse().unwrap()
    }

    fn pick(json: &str, currency: &str) -> Result<String, NoRefundOption> {
        choose(&options(json), currency, now()).map(|o| o.hash.clone())
    }

    #[test]
    fn the_largest_usable_amount_wins_and_ties_go_to_the_first() {
        let j = r#"{"available":true,"options":[
            {"refund_amount":550.00,"refund_fxcode":"THB","hash":"a"},
            {"refund_amount":825.00,"refund_fxcode":"THB","hash":"b"},
            {"refund_amount":"825.0","refund_fxcode":"THB","hash":"c"}]}"#;
        assert_eq!(pick(j, "THB"), Ok("b".into()));
    }

    #[test]
    fn expired_and_unavailable_options_are_dropped() {
        let j = r#"{"available":true,"options":[
            {"refund_amount":900,"refund_fxcode":"THB","available":false,"hash":"unavailable"},
            {"refund_amount":800,"refund_fxcode":"THB","expires":true,"expires_after":"2026-04-19 23:59:59","hash":"expired"},
            {"refund_amount":700,"refund_fxcode":"THB","expires":true,"expires_after":"2026-04-29 08:30:00","hash":"future"},
            {"refund_amount":750,"refund_fxcode":"THB","expires":true,"expires_after":"someday","hash":"unparsable"},
            {"refund_amount":760,"refund_fxcode":"THB","expires":false,"expires_after":"2020-01-01 00:00:00","hash":"never"}]}"#;
        assert_eq!(pick(j, "THB"), Ok("never".into()));
    }

    #[test]
    fn with_mixed_currencies_the_booking_currency_competes_alone() {
        let j = r#"{"available":true,"options":[
            {"refund_amount":30,"refund_fxcode":"USD","hash":"usd"},
            {"refund_amount":900,"refund_fxcode":"THB","hash":"thb"}]}"#;
        assert_eq!(pick(j, "thb"), Ok("thb".into()));
        assert_eq!(pick(j, "USD"), Ok("usd".into()));
        // None in the booking currency: all compete.
        assert_eq!(pick(j, "EUR"), Ok("thb".into()));
    }

    #[test]
    fn nothing_usable_is_no_refund_option() {
        assert_eq!(
            pick(
                r#"{"available":false,"options":[{"refund_amount":1,"hash":"x"}]}"#,
                "THB"
            ),
            Err(NoRefundOption)
        );
        assert_eq!(
            pick(r#"{"options":[{"refund_amount":1,"hash":"x"}]}"#, "THB"),
            Err(NoRefundOption)
        );
        assert_eq!(
            pick(r#"{"available":true,"options":[]}"#, "THB"),
            Err(NoRefundOption)
        );
        assert_eq!(
            pick(
                r#"{"available":true,"options":[{"refund_amount":1,"available":false,"hash":"x"}]}"#,
                "THB"
            ),
            Err(NoRefundOption)
        );
    }
}
