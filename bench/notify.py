#!/usr/bin/env python3
"""Outbound notification delivery throughput of connect-api (30 §7–§8).

Usage: bench/notify.py TARGET_DIR   (or imported by bench/measure.py; NOTIFY_SKIP=1 skips it there)

Two threaded Python HTTP servers, each in its own process (so their GIL is not the
poster's) and with a listen backlog of 1024 (the default 5 drops SYNs under 32
connections, which shows up as 1 s retransmits): a fake 12go answering B
(`GET /booking/{bid}?k=…`, the confirmed booking of tests/api/funnel/fixtures.rs) and a
receiver (`ThreadingHTTPServer`) answering 200 to `POST /hook`, recording the arrival
time (CLOCK_MONOTONIC, shared by all processes) per X-Travelier-Notification-Id and
verifying the signature of one arrival in NOTIFY_VERIFY_EVERY (10): `sha256=`
HMAC-SHA256(secret, timestamp + "." + body), timestamp within 5 minutes. Then, in the
same run:
  - baseline (receiver ceiling): NOTIFY_N (5000) notifications of the same size as the
    service's (the body of a warm-up notification, the id changed), signed beforehand,
    POSTed straight to the receiver by NOTIFY_CONCURRENCY (32, the service's default
    attempt concurrency) keep-alive client threads; notifications/s = N ÷ (first send →
    last arrival). Also the fake 12go's ceiling for B (N GETs, same 32 threads), since
    every webhook waits on one B;
  - connect-api with the in-memory outbox, end to end: N webhooks `POST
    /v1/notifications/onetwogo?client_id=…` (`X-Webhook-Key`, distinct `stamp`s, so N
    distinct notifications) from NOTIFY_CONCURRENCY client threads as fast as they go;
    acceptance req/s (every answer must be 200), delivery notifications/s = N ÷ (first
    post → last arrival), receipt → delivery latency (the moment the client sends the
    webhook → arrival at the receiver) p50/p95/p99, duplicates and missing
    notifications, the service's CPU time and RSS;
  - the same instance, backlog drain: the receiver holds every POST unanswered while N
    more webhooks are accepted (32 attempts hang, the rest wait in the outbox), then
    answers again; notifications/s = N ÷ (opening → last arrival): the delivery worker
    alone, not bounded by the webhook side; RSS with N pending and after;
  - the same two phases with the Redis outbox (REDIS_URL to a throw-away `redis-server
    --save '' --appendonly no`), skipped with a note when redis-server is not installed.
The service runs with NOTIFY_CONCURRENCY (32), NOTIFY_POLL_MS (1000),
NOTIFY_ATTEMPT_TIMEOUT_MS=60000 (so held attempts do not time out into the 60 s retry
delay) and MASTER_DATA_ENABLED=false. A notification not delivered within 15 s of the
last progress counts as missing. The webhook is limited to 50 calls/s per client (40 §6),
so the N webhooks are spread over ceil(N / 40) registry clients (same keys, same
webhook_url) to measure delivery, not the limiter; a 429 would still be counted.
Ratios: service notifications/s ÷ receiver ceiling. Everything (service, servers,
poster) shares the machine's cores. Prints a Markdown section. Standard library only.
"""
import hashlib, hmac, http.client, http.server, itertools, json, math, os, shutil, socket, subprocess, sys
import tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc import free_port, hwm_kb, rss_kb

N = int(os.environ.get("NOTIFY_N", "5000"))
CONCURRENCY = int(os.environ.get("NOTIFY_CONCURRENCY", "32"))
POLL_MS = os.environ.get("NOTIFY_POLL_MS", "1000")
VERIFY_EVERY = int(os.environ.get("NOTIFY_VERIFY_EVERY", "10"))
PER_CLIENT = 40  # webhooks per registry client: below the 50-token burst of the 50/s bucket
BID = 87654321
TWELVEGO_KEY = "notify-bench-12go-key"
INBOUND_KEY = "notify-bench-inbound-key"
SIGNING_SECRET = "notify-bench-signing-secret-0123456789"
STALL_SECS = 15.0  # give up waiting for deliveries after this long without progress


# ---------------------------------------------------------------- servers (child processes)

def booking_answer(bid):
    """B of a confirmed booking (tests/api/funnel/fixtures.rs confirmed_answer)."""
    import datetime
    d = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    return json.dumps({
        "bid": bid, "tracker": "TRK-7QX2", "status": "confirmed", "from_id": 3, "to_id": 4,
        "dep_date_time": f"{d} 08:00:00", "seats": 2, "ticket_url": f"https://12go.example/tickets/{bid}.pdf",
        "created_on": 1775001600, "stamp": 1775005200,
        "price": {"value": 1234.00, "fxcode": "THB"}, "netprice": {"value": 1134.00, "fxcode": "THB"},
        "agfee": {"value": 40.00, "fxcode": "THB"}, "sysfee": {"value": 60.00, "fxcode": "THB"},
        "seller_price": {"fxcode": "THB", "netprice": 1000.00, "sysfee": 60.00, "partnerfee": 0},
    }).encode()


def reply(handler, status, body=b"", ctype="application/json"):
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


def serve_twelvego():
    answer = booking_answer(BID)
    calls = itertools.count()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/calls":
                return reply(self, 200, json.dumps({"calls": next(calls)}).encode())
            path, _, query = self.path.partition("?")
            if path != f"/booking/{BID}":
                return reply(self, 404, b'{"messages":["not found"]}')
            if f"k={TWELVEGO_KEY}" not in query.split("&"):
                return reply(self, 401, b'{"messages":["bad key"]}')
            next(calls)
            reply(self, 200, answer)

        def log_message(self, *args):
            pass

    return Handler


def serve_receiver():
    lock = threading.Lock()
    state = {}
    gate = threading.Event()
    gate.set()

    def reset():
        state.update(count=0, arrivals={}, checked=0, bad=[], sample=None, other=0)

    reset()
    secret = SIGNING_SECRET.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            gate.wait()
            t = time.monotonic()
            if self.path != "/hook":
                with lock:
                    state["other"] += 1
                return reply(self, 404)
            nid = self.headers.get("X-Travelier-Notification-Id", "")
            ts = self.headers.get("X-Travelier-Timestamp", "")
            sig = self.headers.get("X-Travelier-Signature", "")
            with lock:
                state["count"] += 1
                k = state["count"]
                state["arrivals"].setdefault(nid, []).append(t)
                if state["sample"] is None:
                    state["sample"] = {"id": nid, "body": body.decode(), "timestamp": ts}
            if k % VERIFY_EVERY == 1 or VERIFY_EVERY <= 1:
                want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(want, sig) and abs(time.time() - int(ts or 0)) < 300
                with lock:
                    state["checked"] += 1
                    if not ok:
                        state["bad"].append(nid)
            reply(self, 200)

        def do_GET(self):
            with lock:
                if self.path == "/count":
                    out = {"count": state["count"]}
                elif self.path == "/results":
                    out = dict(state)
                elif self.path == "/reset":
                    reset()
                    out = {}
                elif self.path in ("/close", "/open"):
                    # Closed: POSTs are held unanswered (the backlog-drain phase).
                    gate.clear() if self.path == "/close" else gate.set()
                    out = {"t": time.monotonic()}
                else:
                    return reply(self, 404)
                body = json.dumps(out).encode()
            reply(self, 200, body)

        def log_message(self, *args):
            pass

    return Handler


def child_main(kind):
    handler = serve_receiver() if kind == "receiver" else serve_twelvego()
    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # listen() backlog; the default 5 drops SYNs (1 s retransmits)

    srv = Server(("127.0.0.1", 0), handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


def spawn_server(kind):
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", kind],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p, int(p.stdout.readline())


# ---------------------------------------------------------------- client side

def get_json(port, path, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        c.close()


def post_all(port, requests, threads, method="POST"):
    """Sends every (path, body, headers) over `threads` keep-alive connections, as fast as
    they go; [(t_send, t_answer, status)] in request order (status -1: connection error)."""
    out = [None] * len(requests)
    nxt = itertools.count()

    def work():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            i = next(nxt)
            if i >= len(requests):
                break
            path, body, headers = requests[i]
            t0 = time.monotonic()
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException):
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = -1
            out[i] = (t0, time.monotonic(), status)
        c.close()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def wait_arrivals(rport, expected):
    """Polls the receiver until `expected` arrivals or STALL_SECS without progress."""
    last, since = -1, time.monotonic()
    while True:
        n = get_json(rport, "/count")[1]["count"]
        if n >= expected:
            return n, False
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since > STALL_SECS:
            return n, True
        time.sleep(0.02)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] if xs else float("nan")


def cpu_secs(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_registry(dir_, rport, clients):
    lines = []
    for i in range(clients):
        c = f"n{i}"
        sha = hashlib.sha256(f"notify-bench-api-key-{i}".encode()).hexdigest()
        lines += [f"[clients.{c}]", "enabled = true", 'twelvego_key_env = "NOTIFY_BENCH_12GO_KEY"',
                  f"[[clients.{c}.api_keys]]", f'id = "{c}"', f'sha256 = "{sha}"',
                  f"[clients.{c}.inbound_webhook]", 'shared_key_env = "NOTIFY_BENCH_INBOUND_KEY"',
                  f"[clients.{c}.notifications]", f'webhook_url = "http://127.0.0.1:{rport}/hook"',
                  'signing_secret_env = "NOTIFY_BENCH_SIGNING_SECRET"', ""]
    path = os.path.join(dir_, "clients.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def start_api(api_bin, tport, registry, redis_url):
    port, admin = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), ADMIN_PORT=str(admin), HOST="127.0.0.1",
               TWELVEGO_BASE_URL=f"http://127.0.0.1:{tport}", CLIENTS_FILE=registry,
               NOTIFY_BENCH_12GO_KEY=TWELVEGO_KEY, NOTIFY_BENCH_INBOUND_KEY=INBOUND_KEY,
               NOTIFY_BENCH_SIGNING_SECRET=SIGNING_SECRET, LOG_LEVEL="warn", DD_TRACE_ENABLED="false",
               DD_METRICS_ENABLED="false", MASTER_DATA_ENABLED="false", RECHECK_DISPATCH="false",
               NOTIFY_CONCURRENCY=str(CONCURRENCY), NOTIFY_POLL_MS=POLL_MS,
               # Attempts held by the closed receiver (drain phase) must not time out.
               NOTIFY_ATTEMPT_TIMEOUT_MS="60000",
               BOOKING_TOKEN_SECRETS="bench-booking-token-secret-0123456789abcdef")
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([api_bin], env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get_json(port, "/ready", timeout=1)[0] == 200:
                return p, port, log
        except (OSError, ValueError):
            pass
        if p.poll() is not None:
            break
        time.sleep(0.01)
    p.kill()
    log.seek(0)
    raise RuntimeError("connect-api did not become ready: " + log.read().decode(errors="replace")[-2000:])


def start_redis():
    exe = shutil.which("redis-server")
    if not exe:
        return None, None
    port = free_port()
    p = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return p, f"redis://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.02)
    p.kill()
    raise RuntimeError("redis-server did not start")


def webhook(client, stamp):
    body = json.dumps({"bid": BID, "type": "booking_updated", "stamp": stamp}).encode()
    return (f"/v1/notifications/onetwogo?client_id={client}", body,
            {"Content-Type": "application/json", "X-Webhook-Key": INBOUND_KEY})


def stderr_tail(log):
    log.seek(0)
    lines = log.read().decode(errors="replace").splitlines()
    return lines


def arrivals_stats(res, sent, stamp_base):
    """Duplicates, missing and latencies of one phase from the receiver's /results."""
    arrivals = res["arrivals"]
    by_stamp, unknown = {}, 0
    for nid, ts in arrivals.items():
        parts = nid.split("-")
        if len(parts) >= 3 and parts[1].isdigit():
            by_stamp[int(parts[1])] = ts
        else:
            unknown += 1
    lat, missing = [], 0
    for i, (t0, _, s) in enumerate(sent):
        ts = by_stamp.get(stamp_base + i)
        if ts is None:
            missing += s == 200
        else:
            lat.append((min(ts) - t0) * 1000.0)
    statuses = {}
    for _, _, s in sent:
        statuses[s] = statuses.get(s, 0) + 1
    all_arrivals = [t for ts in arrivals.values() for t in ts]
    return dict(
        n=len(sent), statuses=statuses, delivered=len(arrivals), arrivals=res["count"],
        duplicates=sum(len(ts) - 1 for ts in arrivals.values()), missing=missing, unknown=unknown,
        first_arrival=min(all_arrivals) if all_arrivals else float("nan"),
        last_arrival=max(all_arrivals) if all_arrivals else float("nan"),
        p50=pct(lat, 50), p95=pct(lat, 95), p99=pct(lat, 99), max=max(lat) if lat else float("nan"),
        slow=sum(1 for x in lat if x > 500), checked=res["checked"], bad=len(res["bad"]))


def run_service(api_bin, tport, rport, registry, clients, redis_url, stamp_base):
    """One warm-up notification; N with the receiver answering at once (end to end);
    then N more with the receiver holding every POST until all N are accepted (backlog
    drain: the worker alone, from a full outbox)."""
    api, port, log = start_api(api_bin, tport, registry, redis_url)
    out = {}
    try:
        get_json(rport, "/reset")
        warm = post_all(port, [webhook("n0", stamp_base - 1)], 1)
        assert warm[0][2] == 200, f"warm-up webhook answered {warm[0][2]}"
        n, stalled = wait_arrivals(rport, 1)
        assert n == 1 and not stalled, "warm-up notification never arrived"
        out["sample"] = get_json(rport, "/results")[1]["sample"]
        get_json(rport, "/reset")
        out["rss_before_kb"] = rss_kb(api.pid)
        cpu0 = cpu_secs(api.pid)
        sent = post_all(port, [webhook(f"n{i % clients}", stamp_base + i) for i in range(N)], CONCURRENCY)
        first, last_answer = min(t0 for t0, _, _ in sent), max(t1 for _, t1, _ in sent)
        accepted = sum(1 for _, _, s in sent if s == 200)
        _, stalled = wait_arrivals(rport, accepted)
        e2e = arrivals_stats(get_json(rport, "/results")[1], sent, stamp_base)
        out["cpu_s"] = cpu_secs(api.pid) - cpu0
        e2e.update(accept_rps=accepted / (last_answer - first), stalled=stalled, e2e_s=e2e["last_arrival"] - first)
        e2e["rate"] = e2e["delivered"] / e2e["e2e_s"]
        out["e2e"] = e2e
        time.sleep(0.3)
        out["rss_after_kb"] = rss_kb(api.pid)
        # Backlog drain: N more, held at the receiver until all are accepted.
        base2 = stamp_base + 50_000
        time.sleep(1.0)  # the per-client webhook buckets refill
        get_json(rport, "/reset")
        get_json(rport, "/close")
        sent = post_all(port, [webhook(f"n{i % clients}", base2 + i) for i in range(N)], CONCURRENCY)
        accepted = sum(1 for _, _, s in sent if s == 200)
        time.sleep(0.2)
        out["rss_backlog_kb"] = rss_kb(api.pid)
        cpu0 = cpu_secs(api.pid)
        t_open = get_json(rport, "/open")[1]["t"]
        _, stalled = wait_arrivals(rport, accepted)
        drain = arrivals_stats(get_json(rport, "/results")[1], sent, base2)
        drain.update(stalled=stalled, drain_s=drain["last_arrival"] - t_open,
                     cpu_s=cpu_secs(api.pid) - cpu0, accept_rps=accepted / (max(t1 for _, t1, _ in sent) - min(t0 for t0, _, _ in sent)))
        drain["rate"] = drain["delivered"] / drain["drain_s"]
        out["drain"] = drain
        time.sleep(0.3)
        out["rss_drained_kb"] = rss_kb(api.pid)
        out["hwm_kb"] = hwm_kb(api.pid)
    finally:
        get_json(rport, "/open")
        api.terminate()
        try:
            api.wait(15)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait()
        out["log_lines"] = [l for l in stderr_tail(log) if l.strip()]  # LOG_LEVEL=warn: WARN or ERROR
        log.close()
    return out


def run_twelvego_baseline(tport):
    """The fake 12go's ceiling for B, 32 keep-alive threads (what every webhook waits on)."""
    reqs = [(f"/booking/{BID}?k={TWELVEGO_KEY}", None, {})] * N
    sent = post_all(tport, reqs, CONCURRENCY, method="GET")
    first, last = min(t0 for t0, _, _ in sent), max(t1 for _, t1, _ in sent)
    lat = [(t1 - t0) * 1000.0 for t0, t1, _ in sent]
    return {"rate": N / (last - first), "p50": pct(lat, 50), "p99": pct(lat, 99),
            "bad_status": sum(1 for _, _, s in sent if s != 200)}


def run_baseline(rport, sample):
    """The receiver's ceiling: N signed notifications of the sample's size, straight."""
    body, sid = sample["body"], sample["id"]
    stamp = sid.split("-")[1]
    reqs = []
    ts = str(int(time.time()))
    for i in range(N):
        new = str(int(stamp) + 1_000_000 + i).rjust(len(stamp), "0")[-len(stamp):]
        nid, b = sid.replace(stamp, new), body.replace(sid, sid.replace(stamp, new)).encode()
        sig = "sha256=" + hmac.new(SIGNING_SECRET.encode(), ts.encode() + b"." + b, hashlib.sha256).hexdigest()
        reqs.append(("/hook", b, {"Content-Type": "application/json", "X-Travelier-Notification-Id": nid,
                                  "X-Travelier-Timestamp": ts, "X-Travelier-Signature": sig}))
    get_json(rport, "/reset")
    sent = post_all(rport, reqs, CONCURRENCY)
    got, stalled = wait_arrivals(rport, N)
    res = get_json(rport, "/results")[1]
    first = min(t0 for t0, _, _ in sent)
    last = max(t for v in res["arrivals"].values() for t in v)
    lat = [(t1 - t0) * 1000.0 for t0, t1, _ in sent]
    bad_status = sum(1 for _, _, s in sent if s != 200)
    return {"n": N, "bytes": len(reqs[0][1]), "rate": res["count"] / (last - first), "e2e_s": last - first,
            "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "bad_status": bad_status,
            "checked": res["checked"], "bad": len(res["bad"]), "delivered": len(res["arrivals"])}


def run(api_bin):
    clients = max(1, math.ceil(N / PER_CLIENT))
    out = {"n": N, "concurrency": CONCURRENCY, "clients": clients, "poll_ms": POLL_MS, "cores": os.cpu_count()}
    tg, tport = spawn_server("twelvego")
    rc, rport = spawn_server("receiver")
    redis = None
    tmp = tempfile.mkdtemp(prefix="notify-bench-")
    try:
        registry = write_registry(tmp, rport, clients)
        stamp_base = 1_775_000_000
        out["memory"] = run_service(api_bin, tport, rport, registry, clients, None, stamp_base)
        out["baseline"] = run_baseline(rport, out["memory"]["sample"])
        out["twelvego"] = run_twelvego_baseline(tport)
        redis, url = start_redis()
        if redis is None:
            out["redis"] = None
        else:
            out["redis"] = run_service(api_bin, tport, rport, registry, clients, url, stamp_base + 200_000)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(10)
        for p in (tg, rc):
            p.terminate()
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def report(r):
    b, tg, runs = r["baseline"], r["twelvego"], [("memory outbox", r["memory"])]
    if r.get("redis"):
        runs.append(("Redis outbox", r["redis"]))
    lines = [f"Outbound notifications (bench/notify.py): {r['n']:,} distinct 12go webhooks (one `bid`, distinct "
             f"`stamp`s, spread over {r['clients']} registry clients because of the 50 calls/s per-client webhook "
             f"limit) posted by {r['concurrency']} Python client threads as fast as they go; for each the service "
             "re-reads the booking from a fake 12go (threaded Python server, own process), enqueues and delivers to "
             f"a receiver (`ThreadingHTTPServer`, own process, signatures checked on 1 arrival in {VERIFY_EVERY}). "
             f"NOTIFY_CONCURRENCY={r['concurrency']}, NOTIFY_POLL_MS={r['poll_ms']}, NOTIFY_ATTEMPT_TIMEOUT_MS=60000. "
             "*End to end*: the receiver answers at once; throughput = delivered ÷ (first post → last delivery); "
             "latency = client sends the webhook → notification arrives. *Backlog drain*: "
             f"{r['n']:,} more webhooks while the receiver holds every POST, then it is opened; throughput = "
             f"delivered ÷ (open → last delivery), the worker alone. Baseline = the receiver's ceiling: {r['n']:,} signed "
             f"notifications of the same size ({b['bytes']} bytes) posted straight to it by {r['concurrency']} threads, "
             f"same run. The fake 12go answers B straight at {tg['rate']:.0f} req/s ({r['concurrency']} threads; "
             f"p50 {tg['p50']:.1f} ms, p99 {tg['p99']:.1f} ms). All processes share the {r['cores']} cores.\n",
             "| figure | receiver baseline | " + " | ".join(n for n, _ in runs) + " |",
             "|---|---|" + "---|" * len(runs)]

    def row(name, base, f):
        lines.append(f"| {name} | {base} | " + " | ".join(f(x) for _, x in runs) + " |")
    st = lambda x: ", ".join(f"{k}: {v}" for k, v in sorted(x["statuses"].items(), key=lambda kv: str(kv[0])))
    dm = lambda x: f"{x['duplicates']} / {x['missing']}" + (" (stalled)" if x["stalled"] else "")
    e, d = lambda x: x["e2e"], lambda x: x["drain"]
    row("end to end: webhooks posted → answers", "–", lambda x: f"{e(x)['n']:,} → {st(e(x))}")
    row("end to end: webhook acceptance", "–", lambda x: f"{e(x)['accept_rps']:.0f} req/s")
    row("end to end: delivered (distinct ids)", f"{b['delivered']:,}", lambda x: f"{e(x)['delivered']:,}")
    row("end to end: first post → last delivery", f"{b['e2e_s']:.2f} s", lambda x: f"{e(x)['e2e_s']:.2f} s")
    row("**end-to-end delivery throughput**", f"**{b['rate']:.0f} /s**", lambda x: f"**{e(x)['rate']:.0f} /s**")
    row("end to end ÷ receiver ceiling", "1", lambda x: f"×{e(x)['rate'] / b['rate']:.2f}")
    row("end to end ÷ fake 12go ceiling for B (each webhook waits on one B)", "–",
        lambda x: f"×{e(x)['rate'] / tg['rate']:.2f}")
    row("latency p50 / p95 / p99 (max) ms", f"{b['p50']:.1f} / {b['p95']:.1f} / {b['p99']:.1f} (POST round trip)",
        lambda x: f"{e(x)['p50']:.0f} / {e(x)['p95']:.0f} / {e(x)['p99']:.0f} ({e(x)['max']:.0f})")
    row("notifications slower than 500 ms", "–", lambda x: str(e(x)["slow"]))
    row("end to end: duplicates / missing", "–", lambda x: dm(e(x)))
    row("end to end: service CPU time", "–",
        lambda x: f"{x['cpu_s']:.2f} s ({x['cpu_s'] * 1e6 / max(1, e(x)['delivered']):.0f} µs/notification, webhook included)")
    row("backlog: webhooks posted → answers (acceptance)", "–", lambda x: f"{d(x)['n']:,} → {st(d(x))} ({d(x)['accept_rps']:.0f} req/s)")
    row("backlog: open → last delivery", "–", lambda x: f"{d(x)['drain_s']:.2f} s")
    row("**backlog drain throughput**", f"**{b['rate']:.0f} /s**", lambda x: f"**{d(x)['rate']:.0f} /s**")
    row("backlog drain ÷ receiver ceiling", "1", lambda x: f"×{d(x)['rate'] / b['rate']:.2f}")
    row("backlog: duplicates / missing", "–", lambda x: dm(d(x)))
    row("backlog: service CPU time while draining", "–",
        lambda x: f"{d(x)['cpu_s']:.2f} s ({d(x)['cpu_s'] * 1e6 / max(1, d(x)['delivered']):.0f} µs/notification)")
    row("signatures checked / bad", f"{b['checked']} / {b['bad']}",
        lambda x: f"{e(x)['checked'] + d(x)['checked']} / {e(x)['bad'] + d(x)['bad']}")
    row("RSS: idle → after end to end → " + f"{r['n']:,} pending → drained (VmHWM), MiB", "–",
        lambda x: f"{x['rss_before_kb'] / 1024:.1f} → {x['rss_after_kb'] / 1024:.1f} → {x['rss_backlog_kb'] / 1024:.1f} "
                  f"→ {x['rss_drained_kb'] / 1024:.1f} ({x['hwm_kb'] / 1024:.1f})")
    row("WARN/ERROR log lines", "–", lambda x: str(len(x["log_lines"])))
    if not r.get("redis"):
        lines.append("\nRedis outbox: not measured (no `redis-server` on PATH).")
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        child_main(sys.argv[2])
    else:
        target = sys.argv[1] if len(sys.argv) > 1 else "target/release"
        print("\n".join(report(run(os.path.join(target, "connect-api")))))
