#!/usr/bin/env python3
"""Start-up, memory and search latency of connect-api through twelvego-sandbox.

Usage: bench/measure.py TARGET_DIR [N]
Starts `twelvego-sandbox` and `connect-api` (release builds in TARGET_DIR) on free
loopback ports, then measures:
  - binary sizes;
  - time from process spawn to the first 200 from /ready (median of 5 starts);
  - idle RSS after start-up;
  - search latency (sequential, keep-alive) for a large route (1p -> 44p,
    province to province) and a small one (3s -> 4s), N requests each after a
    warm-up; and, as the baseline measured in the same run, the same 12go
    search fetched straight from the sandbox;
  - peak RSS after the searches.
Prints a Markdown report on stdout. Uses only the Python standard library.
"""
import datetime, http.client, os, socket, statistics, subprocess, sys, time

TARGET = sys.argv[1] if len(sys.argv) > 1 else "target/release"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
API_BIN = os.path.join(TARGET, "connect-api")
SANDBOX_BIN = os.path.join(TARGET, "twelvego-sandbox")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


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
               TWELVEGO_KEY_BENCH="bench-12go-key", LOG_LEVEL="warn", RECHECK_DISPATCH="false")
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


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    date = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    sp = free_port()
    sandbox = subprocess.Popen([SANDBOX_BIN], env=dict(os.environ, SANDBOX_PORT=str(sp)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_ready(sp, f"/search/3s/4s/{date}?seats=1&direct=true&k=x"), "sandbox did not start"
        starts = []
        for _ in range(5):
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
        api.terminate()
        api.wait(10)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    print(f"# connect-api measurements ({datetime.datetime.utcnow().isoformat(timespec='seconds')}Z, {os.cpu_count()} cores)\n")
    print(f"- release binary `connect-api`: {os.path.getsize(API_BIN)/1e6:.2f} MB; `twelvego-sandbox`: {os.path.getsize(SANDBOX_BIN)/1e6:.2f} MB")
    print(f"- process start → first 200 from /ready: median {statistics.median(starts):.1f} ms (runs: {', '.join(f'{s:.1f}' for s in starts)})")
    print(f"- idle RSS after start-up: {idle/1024:.1f} MiB; peak RSS after the searches: {peak/1024:.1f} MiB\n")
    print(f"Search latency, {N} sequential keep-alive requests after 20 warm-ups, through the real awc adapter to `twelvego-sandbox` on loopback.")
    print("Baseline: the same 12go search fetched straight from the sandbox in the same run.\n")
    print("| route | status | answer bytes | 12go bytes | p50 ms | p90 ms | p99 ms | baseline p50 ms | baseline p99 ms | added p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, status, size, tg_size, lat, base in rows:
        print(f"| {name} | {status} | {size} | {tg_size} | {pct(lat,50):.2f} | {pct(lat,90):.2f} | {pct(lat,99):.2f} | {pct(base,50):.2f} | {pct(base,99):.2f} | {pct(lat,50)-pct(base,50):.2f} |")


if __name__ == "__main__":
    main()
