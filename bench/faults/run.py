#!/usr/bin/env python3
"""Upstream fault matrix (spec 40 §9 "Faults"): connect-api against a fake 12go.

    bench/faults/run.py TARGET_DIR [SUMMARY.md]     (FAULTS_QUICK=1: a short subset)

Starts `twelvego-sandbox`, the fault-injecting proxy `bench/faults/fake12go.py` in front
of it, and `connect-api` (binaries from TARGET_DIR) pointed at the proxy with short
timeouts. Then drives search, GetItinerary (faults on T, A and S), CreateBooking (R),
ConfirmBooking (C), booking details (B) and cancel (O, F) with one fault per request (chosen by the
`x-correlation-id` the service forwards to 12go), and checks:
  - each request answers its documented status and code (00 §10, 20 §4–5, 30 §5)
    within its deadline;
  - /health on the API port answers in < 100 ms throughout (polled every 50 ms);
  - RSS after the run is back within RSS_MARGIN_KB of the baseline taken after warm-up;
  - R, C and F were each sent at most once per cart / booking.
Writes a Markdown summary (stdout, and SUMMARY.md when given); exits 1 on a failed check.
Python standard library only.
"""
import concurrent.futures as cf, datetime, http.client, json, os, subprocess, sys, threading, time
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(HERE))
from proc import free_port, rss_kb, hwm_kb  # noqa: E402
from funnel import booking_data, Unfillable  # noqa: E402

TARGET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug")
SUMMARY = sys.argv[2] if len(sys.argv) > 2 else None
QUICK = os.environ.get("FAULTS_QUICK") == "1"

CLIENT, API_KEY = "bench", "bench-key"
READ_MS, POST_MS, REQUEST_MS, BUDGET_MS = 1500, 2000, 4000, 3000
SLACK_MS = 700
HEALTH_LIMIT_MS = 100.0
RSS_MARGIN_KB = int(os.environ.get("RSS_MARGIN_KB", 12 * 1024))

MODES = ["latency", "e500", "e503burst", "reset", "truncated", "malformed", "slowbody", "huge"]
TIMEOUT_MODES = ("latency", "slowbody")
ENDPOINTS = ["search", "trip", "cart", "checkout", "reserve", "confirm", "booking", "refundoptions", "refund"]


def expected(ep, mode):
    """(status, code or booking status) documented for a fault `mode` on 12go `ep`."""
    if ep == "confirm" and mode in ("truncated", "slowbody"):
        return 200, "approved"  # C reached 12go: reconciled by reading B (20 §5)
    if ep == "refund" and mode in ("truncated", "slowbody"):
        return 200, "cancelled"  # F reached 12go: reconciled by reading B (30 §5)
    if mode in TIMEOUT_MODES:
        return 504, "upstream_timeout"
    return 502, "upstream_error"


def deadline_ms(ep):
    return (BUDGET_MS if ep in ("reserve", "confirm") else REQUEST_MS) + SLACK_MS


class Api:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, cid=None, timeout=30):
        hdr = {"x-api-key": API_KEY}
        if cid:
            hdr["x-correlation-id"] = cid
        data = None
        if body is not None:
            data, hdr["content-type"] = json.dumps(body).encode(), "application/json"
        elif method == "POST":
            data = b""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t0 = time.perf_counter()
        try:
            c.request(method, path, body=data, headers=hdr)
            r = c.getresponse()
            raw = r.read()
        finally:
            c.close()
        ms = (time.perf_counter() - t0) * 1000.0
        try:
            js = json.loads(raw) if raw else None
        except ValueError:
            js = {"_raw": raw[:300].decode("utf-8", "replace")}
        return r.status, js, ms


def wait_http(port, path, secs=20):
    end = time.time() + secs
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


class Env:
    """The three processes."""

    def __init__(self):
        self.procs = []
        sp, fp, self.api_port, self.admin_port = free_port(), free_port(), free_port(), free_port()
        self.fake_port = fp
        log = open(os.path.join(os.environ.get("FAULTS_LOG_DIR", "/tmp"), "faults-connect-api.log"), "w")
        self.procs.append(subprocess.Popen(
            [os.path.join(TARGET, "twelvego-sandbox")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, SANDBOX_PORT=str(sp), SANDBOX_PENDING_SECS="0", SANDBOX_TICKET_SECS="0")))
        self.procs.append(subprocess.Popen([sys.executable, os.path.join(HERE, "fake12go.py"), str(fp), str(sp)]))
        date = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
        assert wait_http(sp, f"/search/3s/4s/{date}?seats=1&direct=true&k=x"), "sandbox did not start"
        assert wait_http(fp, "/__counts"), "fake 12go did not start"
        env = dict(os.environ, HOST="127.0.0.1", PORT=str(self.api_port), ADMIN_PORT=str(self.admin_port),
                   TWELVEGO_BASE_URL=f"http://127.0.0.1:{fp}", CLIENTS_FILE=os.path.join(HERE, "..", "clients.toml"),
                   TWELVEGO_KEY_BENCH="bench-12go-key",
                   BOOKING_TOKEN_SECRETS="faults-booking-token-secret-0123456789abcdef",
                   MASTER_DATA_ENABLED="false", RECHECK_DISPATCH="false", LOG_LEVEL="warn",
                   TWELVEGO_TIMEOUT_MS=str(READ_MS), TWELVEGO_RESERVE_TIMEOUT_MS=str(POST_MS),
                   TWELVEGO_CONFIRM_TIMEOUT_MS=str(POST_MS), TWELVEGO_REFUND_TIMEOUT_MS=str(POST_MS),
                   REQUEST_TIMEOUT_MS=str(REQUEST_MS), BOOKING_SYNC_BUDGET_MS=str(BUDGET_MS),
                   BREAKER_FAILURES="100000", DD_TRACE_ENABLED="false", DD_METRICS_ENABLED="false")
        for k in ("REDIS_URL", "CONFIG_FILE"):
            env.pop(k, None)
        self.api = subprocess.Popen([os.path.join(TARGET, "connect-api")], env=env, stdout=log, stderr=log)
        self.procs.append(self.api)
        assert wait_http(self.api_port, "/ready"), "connect-api did not become ready"

    def stop(self):
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()

    def counts(self):
        c = http.client.HTTPConnection("127.0.0.1", self.fake_port, timeout=5)
        c.request("GET", "/__counts")
        return json.loads(c.getresponse().read())


class HealthPoller(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.samples, self.stop_flag = port, [], threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            t0 = time.perf_counter()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/health")
                st = c.getresponse().status
                c.close()
            except OSError:
                st = 0
            self.samples.append(((time.perf_counter() - t0) * 1000.0, st))
            time.sleep(0.05)


class Funnel:
    def __init__(self, api, ids):
        self.api, self.ids, self.lock, self.i = api, ids, threading.Lock(), 0

    def next_id(self):
        with self.lock:
            self.i += 1
            return self.ids[self.i % len(self.ids)]

    def token(self, cid=None):
        iid = self.next_id()
        st, js, ms = self.api.call("GET", f"/v1/{CLIENT}/itineraries/{quote(iid, safe='')}", cid=cid)
        if cid:
            return st, js, ms, None
        assert st == 200, f"GetItinerary {iid}: {st} {js}"
        it = js["itineraries"][0]
        return it["booking_token"], booking_data(it["booking_schema"])

    def create(self, token, data, cid=None):
        return self.api.call("POST", f"/v1/{CLIENT}/bookings", {"booking_token": token, "booking_data": data}, cid=cid)

    def reserved(self):
        token, data = self.token()
        st, js, _ = self.create(token, data)
        assert st == 200 and js["status"] == "reserved", f"CreateBooking: {st} {js}"
        return js["id"]

    def confirm(self, bid, cid=None):
        return self.api.call("POST", f"/v1/{CLIENT}/bookings/{bid}/confirm", cid=cid)

    def cancel(self, bid, cid=None):
        return self.api.call("POST", f"/v1/{CLIENT}/bookings/{bid}/cancel", cid=cid)

    def approved(self):
        bid = self.reserved()
        st, js, _ = self.confirm(bid)
        assert st == 200 and js["status"] in ("approved", "pending"), f"ConfirmBooking: {st} {js}"
        return bid


def search_path(day=7):
    d = (datetime.date.today() + datetime.timedelta(days=day)).isoformat()
    return f"/v1/{CLIENT}/itineraries?departures[]=3&arrivals[]=4&departure_date={d}&pax=1"


def build_pool(api):
    """Itineraries that book, confirm and cancel end to end without faults (the warm-up)."""
    ids = []
    for day in range(7, 10):
        st, js, _ = api.call("GET", search_path(day))
        assert st in (200, 206), f"search: {st} {js}"
        ids += [i["id"] for i in js["itineraries"]]
    pool, f = [], Funnel(api, [])
    for iid in ids:
        st, js, _ = api.call("GET", f"/v1/{CLIENT}/itineraries/{quote(iid, safe='')}")
        if st != 200:
            continue
        it = js["itineraries"][0]
        try:
            data = booking_data(it["booking_schema"])
        except Unfillable:
            continue
        st, js, _ = f.create(it["booking_token"], data)
        if st != 200:
            continue
        bid = js["id"]
        st, js, _ = f.confirm(bid)
        if st != 200:
            continue
        st, js, _ = f.cancel(bid)
        if st == 200:
            pool.append(iid)
        if len(pool) >= 6:
            break
    assert pool, "no itinerary books, confirms and cancels end to end"
    return pool


def run_case(f, ep, mode, n):
    cid = f"f-{ep}-{mode}-{n}"
    if ep == "search":
        st, js, ms = f.api.call("GET", search_path(), cid=cid)
    elif ep in ("trip", "cart", "checkout"):
        st, js, ms, _ = f.token(cid)
    elif ep == "reserve":
        token, data = f.token()
        st, js, ms = f.create(token, data, cid=cid)
        again, js2, _ = f.create(token, data)  # the token is now blocked (unknown outcome)
        if (again, (js2 or {}).get("code")) != (409, "booking_outcome_unknown"):
            return st, js, ms, f"repeat answered {again} {js2}"
    elif ep == "confirm":
        bid = f.reserved()
        st, js, ms = f.confirm(bid, cid=cid)
    elif ep == "booking":  # booking details: one live B
        bid = f.reserved()
        st, js, ms = f.api.call("GET", f"/v1/{CLIENT}/bookings/{bid}", cid=cid)
    elif ep in ("refundoptions", "refund"):
        bid = f.approved()
        st, js, ms = f.cancel(bid, cid=cid)
    got = (js or {}).get("code") or (js or {}).get("status") or (js or {}).get("booking_status")
    return st, got, ms, None


def main():
    t_start = time.time()
    env = Env()
    rows, failures = [], []
    try:
        api = Api(env.api_port)
        pool = build_pool(api)
        f = Funnel(api, pool)
        time.sleep(1.0)
        base_rss = rss_kb(env.api.pid)
        if QUICK:  # every mode once or more, every endpoint twice
            cases = [(ep, MODES[(2 * i + k) % len(MODES)]) for i, ep in enumerate(ENDPOINTS) for k in (0, 1)]
        else:
            cases = [(ep, m) for ep in ENDPOINTS for m in MODES]
        poller = HealthPoller(env.api_port)
        poller.start()
        with cf.ThreadPoolExecutor(4) as ex:
            futs = {ex.submit(run_case, f, ep, m, n): (ep, m) for n, (ep, m) in enumerate(cases)}
            for fut in cf.as_completed(futs):
                ep, m = futs[fut]
                want = expected(ep, m)
                try:
                    st, got, ms, err = fut.result()
                except Exception as e:  # noqa: BLE001
                    st, got, ms, err = 0, None, 0.0, repr(e)
                ok = err is None and (st, got) == want and ms <= deadline_ms(ep)
                rows.append((ep, m, f"{want[0]} {want[1]}", f"{st} {got}", ms, deadline_ms(ep), ok, err))
                if not ok:
                    failures.append(f"{ep}/{m}: expected {want} within {deadline_ms(ep)} ms, "
                                    f"got {st} {got} in {ms:.0f} ms {err or ''}")
        poller.stop_flag.set()
        poller.join()
        time.sleep(2.0)
        end_rss, peak = rss_kb(env.api.pid), hwm_kb(env.api.pid)
        counts = env.counts()
        twice = {p: c for p, c in counts.items() if c > 1}
        health = [ms for ms, _ in poller.samples]
        bad_health = [(ms, st) for ms, st in poller.samples if ms >= HEALTH_LIMIT_MS or st != 200]
        if twice:
            failures.append(f"sent more than once: {twice}")
        if bad_health:
            failures.append(f"/health slow or failing in {len(bad_health)} of {len(health)} polls: {bad_health[:5]}")
        if end_rss > base_rss + RSS_MARGIN_KB:
            failures.append(f"RSS {end_rss} kB after the run, baseline {base_rss} kB (margin {RSS_MARGIN_KB} kB)")
        posts = {k: sum(1 for p in counts if p.startswith(f"/{k}/") or p.endswith(f"/{k}"))
                 for k in ("reserve", "confirm", "refund")}
    finally:
        env.stop()

    order = {(ep, m): i for i, (ep, m) in enumerate((e, m) for e in ENDPOINTS for m in MODES)}
    rows.sort(key=lambda r: order[(r[0], r[1])])
    out = [f"# Upstream fault matrix{' (quick)' if QUICK else ''}", "",
           f"connect-api (`{TARGET}`) → fake 12go (`bench/faults/fake12go.py`) → `twelvego-sandbox`; "
           f"timeouts: reads {READ_MS} ms, R/C/F {POST_MS} ms, request {REQUEST_MS} ms, booking budget {BUDGET_MS} ms. "
           f"Pool: {len(pool)} itineraries that book, confirm and cancel.", "",
           "| 12go call | fault | expected | got | ms | deadline ms | ok |", "|---|---|---|---|---:|---:|---|"]
    for ep, m, want, got, ms, dl, ok, err in rows:
        out.append(f"| {ep} | {m} | {want} | {got}{' — ' + err if err else ''} | {ms:.0f} | {dl} | {'yes' if ok else '**NO**'} |")
    hs = sorted(health) or [0.0]
    out += ["", f"- /health during the faults: {len(hs)} polls, p50 {hs[len(hs) // 2]:.1f} ms, "
                f"max {hs[-1]:.1f} ms (limit {HEALTH_LIMIT_MS:.0f} ms), failures {len(bad_health)}",
            f"- RSS: baseline {base_rss} kB, after {end_rss} kB (margin {RSS_MARGIN_KB} kB), peak {peak} kB",
            f"- POSTs seen by 12go: {posts} distinct carts/bookings; sent more than once: {len(twice)}",
            f"- {len(rows)} cases, {sum(1 for r in rows if r[6])} ok; wall time {time.time() - t_start:.0f} s",
            "", "**PASS**" if not failures else "**FAIL**"] + [f"- {x}" for x in failures]
    text = "\n".join(out) + "\n"
    print(text)
    if SUMMARY:
        with open(SUMMARY, "w") as fh:
            fh.write(text)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
