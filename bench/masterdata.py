#!/usr/bin/env python3
"""Master-data snapshot: build time and memory at 20,000 stations in 5 locales.

Usage: bench/masterdata.py TARGET_DIR   (or imported by bench/measure.py)

Generates a deterministic data set (MD_STATIONS stations, default 20,000, each with
its default name and 4 localized names: th, de, ru, zh-CN; MD_OPERATORS operators,
default 2,000; MD_PROVINCES provinces, default 1,500, nested 3 levels) and serves it
as 12go's paged master-data calls (U3–U5) from a threaded Python HTTP server. Then,
in the same run:
  - baseline: `connect-api` with MASTER_DATA_ENABLED=false, idle RSS;
  - `connect-api` loading the data set: spawn → first 200 from /ready, the refresh
    and build times it reports on /admin/stats, RSS once loaded;
  - every list in the 5 locales through GetList (first call renders, the second is
    cached) and through its signed link with gzip; RSS after all of them.
Prints a Markdown section. Uses only the Python standard library.
"""
import bisect, http.client, http.server, json, os, statistics, subprocess, sys, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc import free_port, rss_kb

STATIONS = int(os.environ.get("MD_STATIONS", "20000"))
OPERATORS = int(os.environ.get("MD_OPERATORS", "2000"))
PROVINCES = int(os.environ.get("MD_PROVINCES", "1500"))
LOCALES = ["en", "th", "de", "ru", "zh-CN"]
KEY = "bench-masterdata-key"


def dataset():
    """Rows as 12go sends them; ids spread like 12go's (not contiguous)."""
    provinces = []
    for i in range(1, PROVINCES + 1):
        parent = None if i <= 100 else (i % 100) + 1 if i <= 600 else 100 + (i % 500) + 1
        provinces.append({"Id": i, "ParentId": parent, "Name": f"Province {i}", "Country": ["TH", "VN", "MY", "ID"][i % 4]})
    stations = []
    for n in range(STATIONS):
        sid = 1 + n * 3
        p = 1 + (n * 7) % PROVINCES
        stations.append({
            "StationId": sid, "StationName": f"Station {sid} Central Bus Terminal",
            "StationNameTh": f"สถานี {sid}", "StationNameDe": f"Bahnhof {sid}",
            "StationNameRu": f"Станция {sid}", "StationNameCn": f"车站 {sid}",
            "CountryCode": provinces[p - 1]["Country"], "ProvinceId": p, "ProvinceName": f"Province {p}",
            "StationAddress": f"{sid} Phahonyothin Road", "TimezoneName": "Asia/Bangkok",
            "Lat": 13.0 + (n % 1000) / 1000.0, "Lng": 100.0 + (n % 997) / 1000.0,
        })
    operators = [{"OperatorId": 10 + o * 5, "OperatorName": f"Operator {o}", "OperatorNameLocal": f"ผู้ให้บริการ {o}",
                  "Email": f"ops{o}@example.com", "Phone": "+66 2 000 0000", "VehClasses": ["bus", "van"][: 1 + o % 2]}
                 for o in range(OPERATORS)]
    lists = {"/stations": ("Stations", "fromStationId", "StationId", stations),
             "/tourOperators": ("TourOperators", "fromOperatorId", "OperatorId", operators),
             "/provinces": ("Provinces", "fromProvinceId", "Id", provinces)}
    return {p: (lk, cur, idk, rows, [r[idk] for r in rows]) for p, (lk, cur, idk, rows) in lists.items()}


def fetch_all_pages(port, data):
    """Baseline: every page fetched straight from the fake 12go, sequentially."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    pages = 0
    for path, (list_key, cursor, id_key, _, _) in data.items():
        size = 2000 if path == "/provinces" else 100
        start = 0
        while True:
            c.request("GET", f"{path}?{cursor}={start}&pageSize={size}&k={KEY}")
            body = json.loads(c.getresponse().read())
            pages += 1
            if not body[list_key] or body["NextPage"] is None:
                break
            start = body[list_key][-1][id_key] + 1
    c.close()
    return (time.perf_counter() - t0) * 1000.0, pages


def serve(data):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            if u.path not in data or q.get("k") != KEY:
                self.send_response(404 if u.path not in data else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            list_key, cursor, id_key, rows, keys = data[u.path]
            start, size = int(q.get(cursor, "0")), int(q.get("pageSize", "100"))
            i = bisect.bisect_left(keys, start)
            page = rows[i:i + size]
            more = bool(page) and rows[-1][id_key] > page[-1][id_key]
            body = json.dumps({list_key: page, "NextPage": page[-1][id_key] + 1 if more else None}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def get(port, path, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    ms = (time.perf_counter() - t0) * 1000.0
    c.close()
    return r.status, body, ms, {k.lower(): v for k, v in r.getheaders()}


def start(api_bin, upstream_port, enabled):
    port, admin = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), ADMIN_PORT=str(admin), HOST="127.0.0.1",
               TWELVEGO_BASE_URL=f"http://127.0.0.1:{upstream_port}", CLIENTS_FILE="bench/clients.toml",
               TWELVEGO_KEY_BENCH="bench-12go-key", LOG_LEVEL="warn", DD_TRACE_ENABLED="false",
               DD_METRICS_ENABLED="false", MASTER_DATA_ENABLED=str(enabled).lower(),
               TWELVEGO_MASTERDATA_KEY=KEY, BOOKING_TOKEN_SECRETS="bench-booking-token-secret-0123456789abcdef")
    t0 = time.perf_counter()
    p = subprocess.Popen([api_bin], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if get(port, "/ready")[0] == 200:
                return p, port, admin, (time.perf_counter() - t0) * 1000.0
        except OSError:
            pass
        time.sleep(0.005)
    p.terminate()
    raise RuntimeError("connect-api never became ready")


def run(api_bin):
    data = dataset()
    srv = serve(data)
    up = srv.server_address[1]
    out = {"stations": STATIONS, "operators": OPERATORS, "provinces": PROVINCES}
    try:
        out["baseline_fetch_ms"], out["pages"] = fetch_all_pages(up, data)
        base, _, _, _ = start(api_bin, up, False)
        time.sleep(0.5)
        out["baseline_rss_kb"] = rss_kb(base.pid)
        base.terminate()
        base.wait(10)
        api, port, admin, ready_ms = start(api_bin, up, True)
        try:
            out["ready_ms"] = ready_ms
            time.sleep(0.5)
            out["loaded_rss_kb"] = rss_kb(api.pid)
            stats = json.loads(get(admin, "/admin/stats")[1])["master_data"]
            out["refresh_ms"], out["build_ms"] = stats["last_refresh_ms"], stats["last_build_ms"]
            hdr = {"x-api-key": "bench-key"}
            rows = []
            for kind in ["stations", "operating_carriers", "pois"]:
                for loc in LOCALES:
                    st, body, first, _ = get(port, f"/v1/bench/{kind}/GetList?locale={loc}", hdr)
                    assert st == 200, (kind, loc, st)
                    again = [get(port, f"/v1/bench/{kind}/GetList?locale={loc}", hdr)[2] for _ in range(5)]
                    link = get(port, f"/v1/bench/{kind}?locale={loc}", hdr)[1].decode()
                    path = link[link.index("/v1/"):]
                    st, gz, _, h = get(port, path, {"Accept-Encoding": "gzip"})
                    assert st == 200 and h.get("content-encoding") == "gzip", (st, h)
                    gz_again = statistics.median(get(port, path, {"Accept-Encoding": "gzip"})[2] for _ in range(5))
                    rows.append((kind, loc, len(json.loads(body)), len(body), first, statistics.median(again), len(gz), gz_again))
            out["rows"] = rows
            time.sleep(0.5)
            out["rendered_rss_kb"] = rss_kb(api.pid)
            out["cached_bytes"] = json.loads(get(admin, "/admin/stats")[1])["master_data"]["cached_bytes"]
        finally:
            api.terminate()
            api.wait(10)
    finally:
        srv.shutdown()
    return out


def report(r):
    mib = lambda kb: kb / 1024
    lines = [f"Master data (bench/masterdata.py): a generated data set of {r['stations']:,} stations with names in 5 locales "
             f"({', '.join(LOCALES)}), {r['operators']:,} operators and {r['provinces']:,} nested provinces, served as 12go's "
             "paged U3–U5 calls by a threaded Python server; baseline = the same binary with MASTER_DATA_ENABLED=false, same run.\n",
             "| figure | measured |", "|---|---|",
             f"| snapshot build (rows → ordered lists + POI station sets), from /admin/stats | {r['build_ms']} ms |",
             f"| whole refresh ({r['pages']} pages over HTTP + build) | {r['refresh_ms']} ms |",
             f"| baseline: the same {r['pages']} pages fetched and parsed by a Python client, same run | {r['baseline_fetch_ms']:.0f} ms (refresh ÷ baseline ×{r['refresh_ms'] / r['baseline_fetch_ms']:.2f}) |",
             f"| spawn → first 200 from /ready, data set loaded | {r['ready_ms']:.0f} ms |",
             f"| RSS, master data off (baseline) | {mib(r['baseline_rss_kb']):.1f} MiB |",
             f"| RSS, snapshot loaded, nothing rendered | {mib(r['loaded_rss_kb']):.1f} MiB (+{mib(r['loaded_rss_kb'] - r['baseline_rss_kb']):.1f} MiB, ×{r['loaded_rss_kb'] / r['baseline_rss_kb']:.2f}) |",
             f"| RSS, every list rendered in 5 locales (cached gzip-compressed) | {mib(r['rendered_rss_kb']):.1f} MiB (+{mib(r['rendered_rss_kb'] - r['baseline_rss_kb']):.1f} MiB over baseline; cache {r['cached_bytes'] / 1e6:.1f} MB) |",
             "",
             "| list | locale | entries | JSON bytes | first GetList ms (renders; en is pre-rendered) | cached GetList ms, no gzip (median of 5) | gzip bytes | link download ms, gzip (median of 5) |",
             "|---|---|---|---|---|---|---|---|"]
    for kind, loc, n, size, first, again, gz, gz_again in r["rows"]:
        lines.append(f"| {kind} | {loc} | {n:,} | {size:,} | {first:.1f} | {again:.1f} | {gz:,} | {gz_again:.1f} |")
    return lines


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "target/release"
    print("\n".join(report(run(os.path.join(target, "connect-api")))))
