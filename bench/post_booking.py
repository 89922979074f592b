#!/usr/bin/env python3
"""Post-booking latency of connect-api through twelvego-sandbox (called by bench/measure.py).

On confirmed Instant bookings made through the service (untimed), sequentially over
keep-alive connections:
  - booking details `GET /v1/bench/bookings/{bid}`; baseline: B straight to the sandbox;
  - ticket `GET /v1/bench/bookings/{bid}/ticket`; baseline: B straight (the sandbox
    runs with SANDBOX_TICKET_SECS=0, so tickets are ready);
  - cancel `POST /v1/bench/bookings/{bid}/cancel`, one fresh booking per sample;
    baseline: B + O + F straight on another fresh booking, F with the option the
    service would choose (the largest usable amount, echoed as sent).
Uses only the Python standard library and bench/funnel.py.
"""
import datetime, decimal, json
from urllib.parse import quote

import funnel
from funnel import API_KEY, CLIENT, TWELVEGO_KEY, WARMUP, Conn, FunnelError, pct


def instant_ids(api, start, days):
    ids = []
    for i in range(days):
        d = (start + datetime.timedelta(days=i)).isoformat()
        ans, _ = api.expect("search", "GET", f"/v1/{CLIENT}/itineraries?departures[]=3&arrivals[]=4&departure_date={d}&pax=1")
        ids += [it["id"] for it in ans.get("itineraries", []) if it.get("confirmation_type") == "Instant"]
    return ids


def book(api, ids, i):
    """A confirmed booking through the service (untimed); tries the next trip on a refusal."""
    for k in range(len(ids)):
        iid = ids[(i + k) % len(ids)]
        try:
            token, schema, _ = funnel.get_itinerary(api, iid)
            data = funnel.booking_data(schema)
        except (funnel.Unfillable, FunnelError):
            continue
        st, raw, _ = api.call("POST", f"/v1/{CLIENT}/bookings", {"booking_token": token, "booking_data": data})
        if st != 200:
            continue
        bid = json.loads(raw)["id"]
        ans, _ = api.expect("confirm", "POST", f"/v1/{CLIENT}/bookings/{bid}/confirm")
        if ans.get("status") == "approved":
            return bid
    raise FunnelError("no itinerary could be booked and confirmed")


def choose(options):
    usable = [o for o in options.get("options", []) if o.get("available", True) is not False
              and not (o.get("expires") and o.get("expires_after") and
                       o["expires_after"] < datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"))]
    if not usable:
        raise FunnelError(f"O: no usable option in {options}")
    return max(usable, key=lambda o: float(o["refund_amount"]))


def straight_cancel(tg, bid):
    b = quote(str(bid), safe="")
    _, b_ms = tg.expect("B", "GET", f"/booking/{b}?k={TWELVEGO_KEY}")
    st, raw, o_ms = tg.call("GET", f"/booking/{b}/refund-options?k={TWELVEGO_KEY}")
    if st != 200:
        raise FunnelError(f"O answered {st}: {raw[:500]!r}")
    # Amounts as Decimals keep their text (825.00), which F must echo exactly.
    o = choose(json.loads(raw, parse_float=decimal.Decimal))
    amount = str(o["refund_amount"])
    body = f'{{"hash":{json.dumps(o["hash"])},"refund_fxcode":{json.dumps(o["refund_fxcode"])},"refund_amount":{amount}}}'
    st, raw, f_ms = tg.call_raw("POST", f"/booking/{b}/refund?k={TWELVEGO_KEY}", body)
    if st != 200 or not json.loads(raw).get("success"):
        raise FunnelError(f"F answered {st}: {raw[:500]!r}")
    return b_ms + o_ms + f_ms


def run(api_port, sandbox_port, n, date=None, days=5):
    start = datetime.date.fromisoformat(date) if date else datetime.date.today() + datetime.timedelta(days=7)
    api, tg = Conn(api_port, {"x-api-key": API_KEY}), Conn(sandbox_port)
    try:
        ids = instant_ids(api, start, days)
        if not ids:
            raise FunnelError("search found no Instant itineraries for 3s → 4s")
        bids = [book(api, ids, i) for i in range(min(20, n))]
        out = {k: [] for k in ("details", "details_base", "ticket", "ticket_base", "cancel", "cancel_base")}
        for i in range(WARMUP + n):
            bid = bids[i % len(bids)]
            _, d_ms = api.expect("details", "GET", f"/v1/{CLIENT}/bookings/{bid}")
            _, db_ms = tg.expect("B", "GET", f"/booking/{bid}?k={TWELVEGO_KEY}")
            _, t_ms = api.expect("ticket", "GET", f"/v1/{CLIENT}/bookings/{bid}/ticket")
            _, tb_ms = tg.expect("B", "GET", f"/booking/{bid}?k={TWELVEGO_KEY}")
            if i >= WARMUP:
                out["details"].append(d_ms); out["details_base"].append(db_ms)
                out["ticket"].append(t_ms); out["ticket_base"].append(tb_ms)
        for i in range(WARMUP + n):
            mine, other = book(api, ids, 2 * i), book(api, ids, 2 * i + 1)
            ans, c_ms = api.expect("cancel", "POST", f"/v1/{CLIENT}/bookings/{mine}/cancel")
            if ans.get("booking_status") != "cancelled":
                raise FunnelError(f"cancel: unexpected answer {ans}")
            base = straight_cancel(tg, other)
            if i >= WARMUP:
                out["cancel"].append(c_ms); out["cancel_base"].append(base)
    finally:
        api.close()
        tg.close()
    out["n"] = n
    return out


def report(r):
    out = [
        "## After the sale\n",
        f"{r['n']} sequential keep-alive samples per call after {WARMUP} warm-ups, on confirmed Instant bookings "
        "made through the service (untimed), through the real awc adapter to `twelvego-sandbox` "
        "(SANDBOX_TICKET_SECS=0). Cancel takes a fresh booking per sample; its baseline is B + O + F straight "
        "to the sandbox on another fresh booking.\n",
        "| call | n | service p50 ms | service p95 ms | baseline | baseline p50 ms | baseline p95 ms "
        "| overhead p50 ms | overhead p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, key, calls in [("booking details", "details", "B"), ("ticket", "ticket", "B"),
                             ("cancel", "cancel", "B + O + F")]:
        s, b = r[key], r[key + "_base"]
        out.append(f"| {name} | {len(s)} | {pct(s, 50):.2f} | {pct(s, 95):.2f} | {calls} | {pct(b, 50):.2f} | "
                   f"{pct(b, 95):.2f} | {pct(s, 50) - pct(b, 50):.2f} | {pct(s, 95) - pct(b, 95):.2f} |")
    return out
