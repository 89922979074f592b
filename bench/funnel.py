#!/usr/bin/env python3
"""Booking-funnel latency of connect-api through twelvego-sandbox (called by bench/measure.py).

Measures, sequentially over keep-alive connections, on a pool of itineraries found by
search (3s → 4s over a few days) whose booking schema this script can fill:
  - GetItinerary `GET /v1/bench/itineraries/{id}` through the service; baseline: the
    same three 12go calls straight to the sandbox, T + A + S, timed per sample as one
    sequence (sum of the three request times);
  - CreateBooking `POST /v1/bench/bookings` through the service (each sample takes a
    fresh token from an untimed GetItinerary); baseline: S + R + B straight to the
    sandbox, after an untimed A for a fresh cart, with the flat reserve body built
    here from the S form (untimed).
A step that answers an unexpected status raises FunnelError with the status and body.

Standalone: bench/funnel.py API_PORT SANDBOX_PORT [N]  (services already running,
client `bench` with api key `bench-key` and 12go key `bench-12go-key`).
Uses only the Python standard library.
"""
import datetime, http.client, json, os, sys, time
from urllib.parse import quote

CLIENT = "bench"
API_KEY = "bench-key"
TWELVEGO_KEY = "bench-12go-key"
WARMUP = 10
TIMEOUT = 30.0


class FunnelError(RuntimeError):
    pass


class Conn:
    """A keep-alive HTTP/1.1 connection to 127.0.0.1:port that reconnects once if the
    server closed it between requests. `call` returns (status, body bytes, ms)."""

    def __init__(self, port, headers=None):
        self.port, self.headers, self.c = port, headers or {}, None

    def call(self, method, path, body=None):
        hdr = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdr["content-type"] = "application/json"
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                t0 = time.perf_counter()
                self.c.request(method, path, body=data, headers=hdr)
                r = self.c.getresponse()
                raw = r.read()
                return r.status, raw, (time.perf_counter() - t0) * 1000.0
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.c.close()
                self.c = None
                if attempt:
                    raise
            except OSError as e:  # timeouts and the like: no retry, say where
                self.c.close()
                self.c = None
                raise FunnelError(f"{method} :{self.port}{path}: {e!r}") from e

    def call_raw(self, method, path, text):
        """POST/PUT a body given as exact JSON text (no re-encoding)."""
        hdr = dict(self.headers, **{"content-type": "application/json"})
        if self.c is None:
            self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        t0 = time.perf_counter()
        self.c.request(method, path, body=text.encode(), headers=hdr)
        r = self.c.getresponse()
        raw = r.read()
        return r.status, raw, (time.perf_counter() - t0) * 1000.0

    def expect(self, step, method, path, body=None, status=200):
        st, raw, ms = self.call(method, path, body)
        if st != status:
            raise FunnelError(f"{step}: {method} :{self.port}{path} answered {st} (expected {status}): "
                              f"{raw[:2000].decode('utf-8', 'replace')}")
        try:
            return json.loads(raw), ms
        except ValueError:
            raise FunnelError(f"{step}: {method} :{self.port}{path} answered {st} with non-JSON: {raw[:500]!r}")

    def close(self):
        if self.c:
            self.c.close()


# ---- itinerary ids → 12go paths -----------------------------------------------------

def twelvego_parts(itinerary_id):
    """`{trip_key}-{YYYY-MM-DD}-{HH:mm}-{n}` → (trip_key, `YYYY-MM-DD-HH-mm-00`, n)."""
    head, n = itinerary_id.rsplit("-", 1)
    key, dt = head[:-17], head[-16:]
    if head[-17] != "-" or len(dt) != 16 or dt[13] != ":":
        raise FunnelError(f"unexpected itinerary id {itinerary_id!r}")
    return key, dt.replace(":", "-") + "-00", int(n)


def tg_paths(itinerary_id):
    key, dt, n = twelvego_parts(itinerary_id)
    k, q = quote(key, safe=""), f"seats={n}&k={TWELVEGO_KEY}"
    return f"/trip/{k}/{dt}?{q}", f"/cart/{k}/{dt}?{q}", n


def cart_id(answer):
    """A answers a bare JSON string (or, leniently, an object with cart_id/id)."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict) and isinstance(answer.get("cart_id") or answer.get("id"), str):
        return answer.get("cart_id") or answer.get("id")
    raise FunnelError(f"A: unexpected cart answer {answer!r}")


# ---- booking_data from the client booking_schema ------------------------------------

NAMED = {"first_name": "John", "last_name": "Doe", "middle_name": "Lee", "email": "a@b.co",
         "mobile_phone": "+66812345678", "id_number": "AB123456", "id_expiry_date": "2035-01-01",
         "id_issue_date": "2020-01-01", "dob": "1990-01-01"}


class Unfillable(Exception):
    pass


def fill(name, prop, n=1):
    """A valid value for one schema property (only required ones are filled)."""
    if "anyOf" in prop:
        consts = [o["const"] for o in prop["anyOf"] if "const" in o]
        if not consts:
            raise Unfillable(name)
        return consts[0]
    if name in NAMED:
        return NAMED[name]
    t = prop.get("type")
    if t == "boolean":
        return False
    if t == "array":  # seat_selection when required: the first n available seats
        consts = [o["const"] for o in prop.get("items", {}).get("anyOf", []) if "const" in o]
        if len(consts) < n:
            raise Unfillable(name)
        return consts[:n]
    if prop.get("format") == "date":
        return "1990-01-01"
    if t in (None, "string"):
        return "AB123456" if "pattern" in prop else "Test value"
    raise Unfillable(name)


def booking_data(schema):
    """booking_data for a booking_schema (JSON Schema, 20 §10.3), or Unfillable."""
    props, out = schema.get("properties", {}), {}
    pax = props.get("passengers", {})
    n = pax.get("minItems", 1)
    for name in schema.get("required", []):
        prop = props.get(name, {})
        if name == "passengers":
            item = pax.get("items", {})
            ip = item.get("properties", {})
            out["passengers"] = [{f: fill(f, ip.get(f, {}), n) for f in item.get("required", [])}
                                 for _ in range(n)]
        elif name == "additional_fields":
            ap = prop.get("properties", {})
            out["additional_fields"] = {f: fill(f, ap.get(f, {}), n) for f in prop.get("required", [])}
        else:
            out[name] = fill(name, prop, n)
    out.setdefault("additional_fields", {})
    return out


# ---- flat reserve body from the 12go S form (baseline, independent of the service) --

def first_option(options):
    for o in options or []:
        if o.get("value") is not None:
            return o["value"]
        nested = first_option(o.get("values"))
        if nested is not None:
            return nested
    return None


def reserve_body(form, n):
    body = {"contact[email]": "a@b.co", "contact[mobile]": "+66812345678", "seats": n}
    for key, f in form.items():
        if key in body or not isinstance(f, dict) or not f.get("required"):
            continue
        field = key.rsplit("[", 1)[-1].rstrip("]")
        if f.get("options"):
            v = first_option(f["options"])
            if v is None:
                raise FunnelError(f"baseline: no option value for required {key}")
            body[key] = v
        elif f.get("type") == "date":
            body[key] = "2035-01-01" if "exp" in field else "1990-01-01"
        elif f.get("type") == "checkbox":
            body[key] = False
        elif field in ("first_name", "last_name"):
            body[key] = "John" if field == "first_name" else "Doe"
        elif f.get("regexp"):
            body[key] = "AB123456"
        else:
            body[key] = "Test value"
    return body


# ---- the measurement ---------------------------------------------------------------

def search_ids(api, days):
    ids = []
    for d in days:
        path = f"/v1/{CLIENT}/itineraries?departures[]=3&arrivals[]=4&departure_date={d}&pax=1"
        st, raw, _ = api.call("GET", path)
        if st not in (200, 206):
            raise FunnelError(f"search {path} answered {st}: {raw[:2000].decode('utf-8', 'replace')}")
        ids += [i["id"] for i in json.loads(raw).get("itineraries", [])]
    return ids


def get_itinerary(api, iid):
    ans, ms = api.expect("GetItinerary", "GET", f"/v1/{CLIENT}/itineraries/{quote(iid, safe='')}")
    it = ans["itineraries"][0]
    return it["booking_token"], it["booking_schema"], ms


def create_booking(api, token, data):
    ans, ms = api.expect("CreateBooking", "POST", f"/v1/{CLIENT}/bookings",
                         {"booking_token": token, "booking_data": data})
    if ans.get("status") != "reserved":
        raise FunnelError(f"CreateBooking: unexpected answer {ans}")
    return ms


def baseline_tas(tg, iid):
    """T + A + S straight to the sandbox: (total ms, cart id, form, n)."""
    t, a, n = tg_paths(iid)
    _, t_ms = tg.expect("T", "GET", t)
    cart, a_ms = tg.expect("A", "POST", a)
    cid = cart_id(cart)
    form, s_ms = tg.expect("S", "GET", f"/checkout/{quote(cid, safe='')}?people=1&k={TWELVEGO_KEY}")
    return t_ms + a_ms + s_ms, cid, form, n


def baseline_srb(tg, iid):
    """Untimed A, then S + R + B straight to the sandbox (body built untimed): total ms."""
    _, a, n = tg_paths(iid)
    cid = quote(cart_id(tg.expect("A", "POST", a)[0]), safe="")
    form, s_ms = tg.expect("S", "GET", f"/checkout/{cid}?people=1&k={TWELVEGO_KEY}")
    body = reserve_body(form, n)
    res, r_ms = tg.expect("R", "POST", f"/reserve/{cid}?k={TWELVEGO_KEY}", body)
    bid = res.get("bid") if isinstance(res, dict) else None
    if bid is None:
        raise FunnelError(f"R: no bid in {res!r}")
    _, b_ms = tg.expect("B", "GET", f"/booking/{quote(str(bid), safe='')}?k={TWELVEGO_KEY}")
    return s_ms + r_ms + b_ms


def build_pool(api, tg, ids):
    """Itineraries whose schema is fillable and that book end to end, via the service and
    straight (one trial each, untimed). Returns (pool, skipped: {reason: count})."""
    pool, skipped = [], {}
    for iid in dict.fromkeys(ids):
        try:
            token, schema, _ = get_itinerary(api, iid)
            data = booking_data(schema)
        except Unfillable as e:
            skipped[f"schema field {e} not fillable"] = skipped.get(f"schema field {e} not fillable", 0) + 1
            continue
        except FunnelError as e:
            if " answered 422" in str(e):  # trip_unavailable and the like
                skipped["GetItinerary 422"] = skipped.get("GetItinerary 422", 0) + 1
                continue
            raise
        st, raw, _ = api.call("POST", f"/v1/{CLIENT}/bookings", {"booking_token": token, "booking_data": data})
        if st != 200:
            why = f"CreateBooking {st}"
            skipped[why] = skipped.get(why, 0) + 1
            print(f"funnel: skipping {iid}: CreateBooking answered {st}: {raw[:300].decode('utf-8', 'replace')}",
                  file=sys.stderr)
            continue
        try:
            baseline_srb(tg, iid)  # the straight path must book this trip too
        except FunnelError as e:
            skipped["straight S+R+B failed"] = skipped.get("straight S+R+B failed", 0) + 1
            print(f"funnel: skipping {iid}: {e}", file=sys.stderr)
            continue
        pool.append((iid, schema))
    return pool, skipped


def describe(schema):
    """Which optional parts of the form a pool trip has (for the report)."""
    props = schema.get("properties", {})
    pax = props.get("passengers", {}).get("items", {}).get("required", [])
    add = props.get("additional_fields", {}).get("required", [])
    return {"seat map": "seat_selection" in props, "travel documents": "id_number" in pax,
            "baggage": "baggage_option" in props.get("passengers", {}).get("items", {}).get("properties", {}),
            "required additional field": bool(add)}


def run(api_port, sandbox_port, n, date=None, days=5):
    """Returns a dict of samples and pool facts; raises FunnelError on a failing step."""
    start = datetime.date.fromisoformat(date) if date else datetime.date.today() + datetime.timedelta(days=7)
    api = Conn(api_port, {"x-api-key": API_KEY})
    tg = Conn(sandbox_port)
    try:
        ids = search_ids(api, [(start + datetime.timedelta(days=i)).isoformat() for i in range(days)])
        if not ids:
            raise FunnelError("search found no itineraries for 3s → 4s")
        pool, skipped = build_pool(api, tg, ids)
        if not pool:
            raise FunnelError(f"no itinerary could be booked end to end (skipped: {skipped})")
        pick = lambda i: pool[i % len(pool)]
        # GetItinerary: service and straight T+A+S, alternating per sample.
        gi, gi_base = [], []
        for i in range(WARMUP + n):
            iid = pick(i)[0]
            ms = get_itinerary(api, iid)[2]
            base = baseline_tas(tg, iid)[0]
            if i >= WARMUP:
                gi.append(ms)
                gi_base.append(base)
        # CreateBooking: fresh token per sample (untimed GetItinerary), then straight S+R+B.
        cb, cb_base = [], []
        for i in range(WARMUP + n):
            iid, _ = pick(i)
            token, schema, _ = get_itinerary(api, iid)
            ms = create_booking(api, token, booking_data(schema))
            base = baseline_srb(tg, iid)
            if i >= WARMUP:
                cb.append(ms)
                cb_base.append(base)
    finally:
        api.close()
        tg.close()
    kinds = {}
    for _, schema in pool:
        for k, v in describe(schema).items():
            kinds[k] = kinds.get(k, 0) + int(v)
    return {"n": n, "ids": len(set(ids)), "pool": len(pool), "skipped": skipped, "kinds": kinds,
            "start": start.isoformat(), "days": days,
            "get_itinerary": gi, "get_itinerary_base": gi_base,
            "create_booking": cb, "create_booking_base": cb_base}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def report(r):
    """The "Booking funnel" section of RESULTS.md, as Markdown lines."""
    skipped = ", ".join(f"{why}: {c}" for why, c in r["skipped"].items()) or "none"
    kinds = ", ".join(f"{k} {v}" for k, v in r["kinds"].items())
    out = [
        "## Booking funnel\n",
        f"{r['n']} sequential keep-alive samples per call after {WARMUP} warm-ups, through the real awc adapter "
        f"to `twelvego-sandbox` on loopback. Itineraries: small route 3s→4s, pax 1, {r['days']} days from "
        f"{r['start']}: {r['ids']} found, {r['pool']} used round-robin (each booked once end to end first; "
        f"skipped: {skipped}). Pool trips with {kinds}.\n",
        "- GetItinerary baseline: the same 12go calls straight to the sandbox, T + A + S, timed per sample "
        "as one sequence (sum of the three request times).",
        "- CreateBooking: each sample uses a fresh token from an untimed GetItinerary (tokens and carts are "
        "single-use); booking_data is filled from the returned `booking_schema` (required fields only). "
        "Baseline: S + R + B straight to the sandbox after an untimed A for a fresh cart, with the flat reserve "
        "body built from the S form between S and R (not timed).",
        "- overhead = service − baseline, each at the same percentile; ratio = service p50 / baseline p50.\n",
        "| call | n | service p50 ms | service p95 ms | baseline | baseline p50 ms | baseline p95 ms "
        "| overhead p50 ms | overhead p95 ms | ratio p50 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, key, calls in [("GetItinerary", "get_itinerary", "T + A + S"),
                             ("CreateBooking", "create_booking", "S + R + B")]:
        s, b = r[key], r[key + "_base"]
        out.append(f"| {name} | {len(s)} | {pct(s, 50):.2f} | {pct(s, 95):.2f} | {calls} | {pct(b, 50):.2f} | "
                   f"{pct(b, 95):.2f} | {pct(s, 50) - pct(b, 50):.2f} | {pct(s, 95) - pct(b, 95):.2f} | "
                   f"{pct(s, 50) / pct(b, 50):.2f} |")
    return out


def samples_from_env(default=200):
    return int(os.environ.get("FUNNEL_SAMPLES", str(default)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n = int(sys.argv[3]) if len(sys.argv) > 3 else samples_from_env()
    print("\n".join(report(run(int(sys.argv[1]), int(sys.argv[2]), n))))
