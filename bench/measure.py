#!/usr/bin/env python3
"""Start-up, memory and search latency of connect-api through twelvego-sandbox.

Usage: bench/measure.py TARGET_DIR [N]
Starts `twelvego-sandbox` and `connect-api` (release builds in TARGET_DIR) on free
loopback ports, then measures:
  - binary sizes;
  - time from process spawn to the first 200 from /ready (median of 7 starts);
  - idle RSS after start-up;
  - search latency (sequential, keep-alive) for a large route (1p -> 44p,
    province to province) and a small one (3s -> 4s), N requests each after a
    warm-up; and, as the baseline measured in the same run, the same 12go
    search fetched straight from the sandbox;
  - peak RSS after the searches;
  - the booking funnel (bench/funnel.py): GetItinerary and CreateBooking, FUNNEL_SAMPLES
    (200; 0 skips it) sequential samples each, with the same 12go calls made straight
    to the sandbox as the baseline (T + A + S, and S + R + B);
  - concurrent load (bench/load.py): LOAD_CONCURRENCY (256) keep-alive connections
    searching for LOAD_DURATION (10) seconds, at most LOAD_MAX_REQUESTS (50000)
    requests, small route then large route; requests/s, p50/p99, errors, and the
    service's VmRSS/VmHWM sampled from /proc during the load;
  - master data (bench/masterdata.py; MD_SKIP=1 skips it): snapshot build time and
    memory at 20,000 stations in 5 locales;
  - outbound notifications (bench/notify.py; NOTIFY_SKIP=1 skips it): webhook → delivery
    throughput with the memory and Redis outboxes against the receiver's ceiling;
  - the image size, if scripts/image-local.sh left an OCI layout in IMAGE_OCI
    (default /tmp/connect-api-image/oci);
and compares the figures with the targets of 40 §1 / §9.
Prints a Markdown report on stdout. Uses only the Python standard library.
"""
import datetime, gzip, http.client, json, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import funnel
from proc import free_port, hwm_kb, rss_kb
import masterdata
import notify
import post_booking

TARGET = sys.argv[1] if len(sys.argv) > 1 else "target/release"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
API_BIN = os.path.join(TARGET, "connect-api")
SANDBOX_BIN = os.path.join(TARGET, "twelvego-sandbox")
LOAD_CONCURRENCY = int(os.environ.get("LOAD_CONCURRENCY", "256"))
LOAD_DURATION = float(os.environ.get("LOAD_DURATION", "10"))
LOAD_MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "50000"))
IMAGE_OCI = os.environ.get("IMAGE_OCI", "/tmp/connect-api-image/oci")
FUNNEL_SAMPLES = funnel.samples_from_env(200)
HERE = os.path.dirname(os.path.abspath(__file__))


def wait_ready(port, path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return True
        except OSError:
            time.sleep(0.0005)
    return False


def start_api(sandbox_port, api_port, admin_port):
    env = dict(os.environ, PORT=str(api_port), ADMIN_PORT=str(admin_port), HOST="127.0.0.1",
               TWELVEGO_BASE_URL=f"http://127.0.0.1:{sandbox_port}", CLIENTS_FILE="bench/clients.toml",
               TWELVEGO_KEY_BENCH="bench-12go-key", LOG_LEVEL="warn", RECHECK_DISPATCH="false",
               BOOKING_TOKEN_SECRETS="bench-booking-token-secret-0123456789abcdef",
               # 40 §1 times start-up with master data off; bench/masterdata.py measures it.
               MASTER_DATA_ENABLED="false")
    t0 = time.perf_counter()
    p = subprocess.Popen([API_BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = wait_ready(api_port, "/ready")
    return p, (time.perf_counter() - t0) * 1000.0, ok


def latencies(port, path, headers, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out, size, status = [], 0, None
    for i in range(n + 20):
        t0 = time.perf_counter()
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        body = r.read()
        dt = (time.perf_counter() - t0) * 1000.0
        status, size = r.status, len(body)
        if i >= 20:
            out.append(dt)
    c.close()
    return out, status, size


def load(port, path, pid):
    """bench/load.py in its own process (so its CPU is not the service's)."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "load.py"), "--port", str(port), "--path", path,
                          "--header", "x-api-key: bench-key", "--concurrency", str(LOAD_CONCURRENCY),
                          "--duration", str(LOAD_DURATION), "--max-requests", str(LOAD_MAX_REQUESTS),
                          "--pid", str(pid), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def image_size(oci):
    """(compressed layers + config + manifest bytes, uncompressed layer bytes, created) or None."""
    try:
        blob = lambda d: os.path.join(oci, "blobs", *d.split(":"))
        with open(os.path.join(oci, "index.json")) as f:
            m = json.load(f)["manifests"][0]
        with open(blob(m["digest"])) as f:
            manifest = json.load(f)
        comp = sum(l["size"] for l in manifest["layers"]) + manifest["config"]["size"] + m["size"]
        raw = 0
        for l in manifest["layers"]:
            with open(blob(l["digest"]), "rb") as f:
                data = f.read()
            raw += len(gzip.decompress(data)) if "gzip" in l["mediaType"] else len(data)
        when = datetime.datetime.utcfromtimestamp(os.path.getmtime(os.path.join(oci, "index.json")))
        return comp, raw, when.isoformat(timespec="seconds") + "Z"
    except (OSError, ValueError, KeyError, IndexError):
        return None


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    date = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    sp = free_port()
    sandbox = subprocess.Popen([SANDBOX_BIN], env=dict(os.environ, SANDBOX_PORT=str(sp), SANDBOX_TICKET_SECS="0"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = None
    try:
        assert wait_ready(sp, f"/search/3s/4s/{date}?seats=1&direct=true&k=x"), "sandbox did not start"
        starts = []
        for _ in range(7):
            p, ms, ok = start_api(sp, free_port(), free_port())
            assert ok, "connect-api did not become ready"
            starts.append(ms)
            p.terminate()
            p.wait(10)
        api_port, admin_port = free_port(), free_port()
        api, _, ok = start_api(sp, api_port, admin_port)
        assert ok
        time.sleep(0.5)
        idle = rss_kb(api.pid)
        hdr = {"x-api-key": "bench-key"}
        rows = []
        for name, q, tg in [
            ("large: 1p→44p", f"departure_poi=1&arrival_poi=44&departure_date={date}&pax=1", f"/search/1p/44p/{date}?seats=1&direct=true&k=x"),
            ("small: 3s→4s", f"departures[]=3&arrivals[]=4&departure_date={date}&pax=1", f"/search/3s/4s/{date}?seats=1&direct=true&k=x"),
        ]:
            base, _, tg_size = latencies(sp, tg, {}, N)
            lat, status, size = latencies(api_port, f"/v1/bench/itineraries?{q}", hdr, N)
            rows.append((name, status, size, tg_size, lat, base))
        peak = hwm_kb(api.pid)
        funnel_results = funnel.run(api_port, sp, FUNNEL_SAMPLES, date) if FUNNEL_SAMPLES > 0 else None
        post_results = post_booking.run(api_port, sp, FUNNEL_SAMPLES // 2, date) if FUNNEL_SAMPLES > 0 else None
        loads = []
        for name, q in [
            ("small: 3s→4s", f"departures[]=3&arrivals[]=4&departure_date={date}&pax=1"),
            ("large: 1p→44p", f"departure_poi=1&arrival_poi=44&departure_date={date}&pax=1"),
        ]:
            loads.append((name, load(api_port, f"/v1/bench/itineraries?{q}", api.pid)))
        time.sleep(1.0)
        after_load = rss_kb(api.pid)
        load_peak = max(hwm_kb(api.pid), *(r.get("hwm_kb", 0) for _, r in loads))
        api.terminate()
        api.wait(10)
    finally:
        if api is not None and api.poll() is None:
            api.terminate()
            api.wait(10)
        sandbox.terminate()
        sandbox.wait(10)
    md_results = masterdata.run(API_BIN) if os.environ.get("MD_SKIP") != "1" else None
    notify_results = notify.run(API_BIN) if os.environ.get("NOTIFY_SKIP") != "1" else None
    img = image_size(IMAGE_OCI)
    ready = statistics.median(starts)
    print(f"# connect-api measurements ({datetime.datetime.utcnow().isoformat(timespec='seconds')}Z, {os.cpu_count()} cores)\n")
    print("Binaries from `" + TARGET + "`. Loopback only; the 2 cores are shared with the sandbox and the load generator.\n")
    print("| figure | measured | target (40 §1, §9) | |")
    print("|---|---|---|---|")
    ok = lambda b: "✅" if b else "❌"
    print(f"| start → first 200 from /ready (median of {len(starts)}) | {ready:.1f} ms | < 20 ms | {ok(ready < 20)} |")
    print(f"| idle RSS after start-up | {idle/1024:.1f} MiB | < 10 MB | {ok(idle*1024 < 10e6)} |")
    print(f"| peak RSS (VmHWM) at {LOAD_CONCURRENCY} concurrent searches | {load_peak/1024:.1f} MiB | < 64 MB | {ok(load_peak*1024 < 64e6)} |")
    kind = "static musl" if "musl" in TARGET else "glibc, dynamically linked"
    print(f"| release binary `connect-api` ({kind}, symbols kept for profiles) | {os.path.getsize(API_BIN)/1e6:.2f} MB | – | |")
    if img:
        print(f"| image (scripts/image-local.sh, {img[2]}): compressed / uncompressed | {img[0]/1e6:.2f} MB / {img[1]/1e6:.2f} MB | < 15 MB (aim < 8 MB) | {ok(img[1] < 15e6)} |")
    else:
        print(f"| image | not measured (no OCI layout at {IMAGE_OCI}; run scripts/image-local.sh) | < 15 MB | |")
    print()
    print(f"Concurrent search load (bench/load.py): {LOAD_CONCURRENCY} keep-alive connections, {LOAD_DURATION:g} s per route "
          f"(at most {LOAD_MAX_REQUESTS} requests), through the real awc adapter to `twelvego-sandbox`; "
          "RSS sampled from /proc every 20 ms.\n")
    print("| route | requests | req/s | statuses | errors | p50 ms | p99 ms | max ms | max VmRSS MiB | VmHWM MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in loads:
        st = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        print(f"| {name} | {r['requests']} | {r['rps']:.0f} | {st} | {r['errors']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['rss_max_kb']/1024:.1f} | {r['hwm_kb']/1024:.1f} |")
    print(f"\nRSS 1 s after the load: {after_load/1024:.1f} MiB.\n")
    print(f"- release binary `connect-api`: {os.path.getsize(API_BIN)/1e6:.2f} MB; `twelvego-sandbox`: {os.path.getsize(SANDBOX_BIN)/1e6:.2f} MB")
    print(f"- process start → first 200 from /ready: median {statistics.median(starts):.1f} ms (runs: {', '.join(f'{s:.1f}' for s in starts)})")
    print(f"- idle RSS after start-up: {idle/1024:.1f} MiB; peak RSS after the sequential searches (before the load): {peak/1024:.1f} MiB\n")
    print(f"Search latency, {N} sequential keep-alive requests after 20 warm-ups, through the real awc adapter to `twelvego-sandbox` on loopback.")
    print("Baseline: the same 12go search fetched straight from the sandbox in the same run.\n")
    print("| route | status | answer bytes | 12go bytes | p50 ms | p90 ms | p99 ms | baseline p50 ms | baseline p99 ms | added p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, status, size, tg_size, lat, base in rows:
        print(f"| {name} | {status} | {size} | {tg_size} | {pct(lat,50):.2f} | {pct(lat,90):.2f} | {pct(lat,99):.2f} | {pct(base,50):.2f} | {pct(base,99):.2f} | {pct(lat,50)-pct(base,50):.2f} |")
    if funnel_results:
        print()
        print("\n".join(funnel.report(funnel_results)))
    if post_results:
        print()
        print("\n".join(post_booking.report(post_results)))
    if md_results:
        print()
        print("\n".join(masterdata.report(md_results)))
    if notify_results:
        print()
        print("\n".join(notify.report(notify_results)))


if __name__ == "__main__":
    try:
        main()
    except funnel.FunnelError as e:
        sys.exit(f"measure.py: booking funnel step failed: {e}")
