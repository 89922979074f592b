#!/usr/bin/env python3
"""Search throughput and latency of connect-api against a static fake 12go, next to nginx.

Usage: bench/search.py TARGET_DIR   (called by bench/search.sh, which builds and installs wrk/nginx)

In one run:
  - writes 12go search answers with ../shared/tools/make-12go-search-payloads (PAYLOAD_TOOL):
    large (1p -> 44p, 140 itineraries) and small (3s -> 4s); the small one is trimmed to
    3 itineraries if the tool ever gives more;
  - starts nginx (one config, two ports): a static fake 12go serving those answers for
    `/search/{from}/{to}/{any date}?...` (`try_files`, open_file_cache), and a `proxy_pass`
    pass-through of the same fake (upstream keep-alive) — the floor for any HTTP proxy;
  - starts connect-api (TARGET_DIR/connect-api) against the fake, master data off;
  - start-up to the first 200 from /ready (median of STARTS, 7) and idle RSS;
  - for each payload, RUNS (3) × DURATION (10 s) of `wrk -t1 -cCONNS (32)` through the service
    and (unless NGINX_SKIP=1) through the nginx pass-through, interleaved; medians of
    requests/s, p50, p99; CPU per request (utime+stime of the service, and of the nginx
    processes, which also serve the fake); VmRSS sampled and VmHWM during the load;
  - a load sweep (SWEEP_CONNS, "1 4 16 32 64 128"; SWEEP_DURATION 5 s; one run each) for the
    chart of p50/p99 latency against load (bench/search-latency.png, gnuplot);
  - optional CPU profile of the large-payload load (PROFILE_SECS > 0: admin port
    /debug/pprof/flamegraph, saved to PROFILE_OUT, default /tmp/connect-api-search.svg).
wrk is pinned to CPU WRK_CPU (1; "" to not pin); nginx and the service float.
Writes the "Search throughput" section of bench/RESULTS.md between markers, keeping the
rest of the file; prints the section on stdout.
"""
import datetime, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time
import http.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from proc import free_port, hwm_kb, rss_kb

TARGET = sys.argv[1] if len(sys.argv) > 1 else "target/release"
API_BIN = os.path.join(TARGET, "connect-api")
ROOT = os.path.dirname(HERE)
PAYLOAD_TOOL = os.environ.get("PAYLOAD_TOOL", os.path.join(ROOT, "..", "shared", "tools", "make-12go-search-payloads"))
RUNS = int(os.environ.get("RUNS", "3"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNS = int(os.environ.get("CONNS", "32"))
STARTS = int(os.environ.get("STARTS", "7"))
SWEEP_CONNS = [int(c) for c in os.environ.get("SWEEP_CONNS", "1 4 16 32 64 128").split()]
SWEEP_DURATION = int(os.environ.get("SWEEP_DURATION", "5"))
NGINX_SKIP = os.environ.get("NGINX_SKIP") == "1"
WRK_CPU = os.environ.get("WRK_CPU", "1")
PROFILE_SECS = int(os.environ.get("PROFILE_SECS", "0"))
PROFILE_OUT = os.environ.get("PROFILE_OUT", "/tmp/connect-api-search.svg")
RESULTS = os.environ.get("RESULTS", os.path.join(HERE, "RESULTS.md"))
CHART = os.environ.get("CHART", os.path.join(HERE, "search-latency.png"))
BUILD_NOTE = os.environ.get("BUILD_NOTE", "")
START, END = "<!-- search-bench:start -->", "<!-- search-bench:end -->"
TICK = os.sysconf("SC_CLK_TCK")

WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def trim(doc, n):
    """The same 12go answer with only its first n trips (dictionaries kept whole)."""
    out = dict(doc)
    out["trips"] = doc["trips"][:n]
    return out


def payloads(tmp):
    out = subprocess.run([sys.executable, PAYLOAD_TOOL, tmp], check=True, capture_output=True, text=True).stdout
    date = re.search(r"date (\d{4}-\d\d-\d\d)", out).group(1)
    small_path = os.path.join(tmp, "small.json")
    with open(small_path) as f:
        small = json.load(f)
    if len(small["trips"]) != 3:
        with open(small_path, "w") as f:
            json.dump(trim(small, 3), f)
    return date


NGINX_CONF = """
daemon off;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type application/json;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  # The static fake 12go: the recorded answers for any date and query.
  server {{
    listen 127.0.0.1:{fake};
    root {tmp};
    location ~ ^/search/1p/44p/ {{ try_files /large.json =404; }}
    location ~ ^/search/3s/4s/ {{ try_files /small.json =404; }}
    location / {{ return 404; }}
  }}
  upstream fake12go {{ server 127.0.0.1:{fake}; keepalive 64; }}
  # The pass-through: what any HTTP proxy of the same upstream costs at least.
  server {{
    listen 127.0.0.1:{proxy};
    location / {{
      proxy_pass http://fake12go;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffers 64 8k;
    }}
  }}
}}
"""


def http_get(port, path, headers=None, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def wait_ready(port, path, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if http_get(port, path, timeout=1)[0] == 200:
                return True
        except OSError:
            time.sleep(0.0005)
    return False


def cpu_ticks(pids):
    t = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return t


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max_kb, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.max_kb = max(self.max_kb, rss_kb(self.pid))
            time.sleep(0.02)


def wrk(port, path, conns, secs, headers, lua):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{secs}s", "--timeout", "10s", "-s", lua]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    if WRK_CPU:
        cmd = ["taskset", "-c", WRK_CPU] + cmd
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    r = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    for k in ("p50", "p90", "p99", "max"):
        r[k] = r[k] / 1000.0  # ms
    return r


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def start_api(fake_port, api_port, admin_port):
    env = dict(os.environ, PORT=str(api_port), ADMIN_PORT=str(admin_port), HOST="127.0.0.1",
               TWELVEGO_BASE_URL=f"http://127.0.0.1:{fake_port}", CLIENTS_FILE=os.path.join(HERE, "clients.toml"),
               TWELVEGO_KEY_BENCH="bench-12go-key", LOG_LEVEL="warn", RECHECK_DISPATCH="false",
               BOOKING_TOKEN_SECRETS="bench-booking-token-secret-0123456789abcdef", MASTER_DATA_ENABLED="false")
    t0 = time.perf_counter()
    p = subprocess.Popen([API_BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = wait_ready(api_port, "/ready")
    return p, (time.perf_counter() - t0) * 1000.0, ok


def med(rs, k):
    return statistics.median(r[k] for r in rs)


def gnuplot(sweep, tmp):
    if not shutil.which("gnuplot"):
        return "gnuplot missing: no chart"
    files = {}
    for (who, name), rows in sweep.items():
        fn = os.path.join(tmp, f"{who}-{name}.dat")
        with open(fn, "w") as f:
            for c, r in rows:
                f.write(f"{c} {r['p50']:.3f} {r['p99']:.3f} {r['rps']:.1f}\n")
        files[(who, name)] = fn
    plots = []
    for name in ("small", "large"):
        series = []
        for who, colour in (("connect-api", "#c0392b"), ("nginx", "#2471a3")):
            fn = files.get((who, name))
            if fn:
                series.append(f"'{fn}' using 1:2 with linespoints lw 2 dt 1 lc rgb '{colour}' title '{who} p50'")
                series.append(f"'{fn}' using 1:3 with linespoints lw 2 dt 2 lc rgb '{colour}' title '{who} p99'")
        label = {"small": "3 itineraries (3s→4s)", "large": "140 itineraries (1p→44p)"}[name]
        plots.append(f"set title '{label}'\nplot " + ", ".join(series))
    script = f"""set terminal pngcairo size 1200,480 font ',10'
set output '{CHART}'
set multiplot layout 1,2 title 'Search latency against load (wrk -t1, keep-alive connections; {SWEEP_DURATION} s each)'
set logscale xy
set xlabel 'connections'
set ylabel 'latency ms'
set grid
set key top left
{chr(10).join(plots)}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="search-bench-")
    os.chmod(tmp, 0o755)  # nginx workers run as an unprivileged user
    date = payloads(tmp)
    lua = os.path.join(tmp, "report.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA)
    sizes = {n: os.path.getsize(os.path.join(tmp, f"{n}.json")) for n in ("small", "large")}
    fake, proxy = free_port(), free_port()
    for d in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(tmp, d))
    with open(os.path.join(tmp, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(tmp=tmp, fake=fake, proxy=proxy, workers=os.environ.get("NGINX_WORKERS", "auto")))
    load_start = loadavg()
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", os.path.join(tmp, "nginx.conf"), "-p", tmp],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "nginx.stderr"), "w"))
    api = None
    routes = {
        "small": (f"/v1/bench/itineraries?departures[]=3&arrivals[]=4&departure_date={date}&pax=1",
                  f"/search/3s/4s/{date}?seats=1&direct=true&k=bench-12go-key", 3),
        "large": (f"/v1/bench/itineraries?departure_poi=1&arrival_poi=44&departure_date={date}&pax=1",
                  f"/search/1p/44p/{date}?seats=1&direct=true&k=bench-12go-key", 140),
    }
    hdr = ["x-api-key: bench-key"]
    try:
        assert wait_ready(fake, routes["small"][1]), "nginx (fake 12go) did not start"
        nginx_pids = [nginx.pid] + children(nginx.pid)
        starts = []
        for _ in range(STARTS):
            p, ms, ok = start_api(fake, free_port(), free_port())
            assert ok, "connect-api did not become ready"
            starts.append(ms)
            p.terminate()
            p.wait(10)
        api_port, admin_port = free_port(), free_port()
        api, _, ok = start_api(fake, api_port, admin_port)
        assert ok
        time.sleep(0.5)
        idle = rss_kb(api.pid)
        answers = {}
        for name, (q, tg, n) in routes.items():
            st, body = http_get(api_port, q, {"x-api-key": "bench-key"})
            doc = json.loads(body)
            count = len(doc.get("itineraries", []))
            assert st in (200, 206) and count == n, f"{name}: status {st}, {count} itineraries (expected {n})"
            st2, body2 = http_get(proxy, tg)
            assert st2 == 200 and len(body2) == sizes[name], f"nginx pass-through {name}: {st2}"
            answers[name] = (st, len(body))
        # Warm-up.
        for name, (q, tg, n) in routes.items():
            wrk(api_port, q, CONNS, 2, hdr, lua)
        results = {}
        sampler = RssSampler(api.pid)
        sampler.start()
        for name in ("small", "large"):
            q, tg, n = routes[name]
            for i in range(RUNS):
                c0 = cpu_ticks([api.pid]); n0 = cpu_ticks(nginx_pids)
                r = wrk(api_port, q, CONNS, DURATION, hdr, lua)
                r["cpu_us"] = (cpu_ticks([api.pid]) - c0) / TICK * 1e6 / max(1, r["requests"])
                r["fake_cpu_us"] = (cpu_ticks(nginx_pids) - n0) / TICK * 1e6 / max(1, r["requests"])
                results.setdefault(("connect-api", name), []).append(r)
                if not NGINX_SKIP:
                    n0 = cpu_ticks(nginx_pids)
                    r = wrk(proxy, tg, CONNS, DURATION, [], lua)
                    r["cpu_us"] = (cpu_ticks(nginx_pids) - n0) / TICK * 1e6 / max(1, r["requests"])
                    results.setdefault(("nginx", name), []).append(r)
            if name == "large":
                peak_hwm = hwm_kb(api.pid)
        sampler.stop.set()
        peak_rss = sampler.max_kb
        prof = None
        if PROFILE_SECS > 0:
            q = routes["large"][0]
            holder = {}
            t = threading.Thread(target=lambda: holder.update(r=wrk(api_port, q, CONNS, PROFILE_SECS + 2, hdr, lua)))
            t.start()
            time.sleep(1)
            st, svg = http_get(admin_port, f"/debug/pprof/flamegraph?seconds={PROFILE_SECS}", timeout=PROFILE_SECS + 30)
            t.join()
            if st == 200:
                with open(PROFILE_OUT, "wb") as f:
                    f.write(svg)
                prof = PROFILE_OUT
        sweep = {}
        for name in ("small", "large"):
            q, tg, n = routes[name]
            for c in SWEEP_CONNS:
                sweep.setdefault(("connect-api", name), []).append((c, wrk(api_port, q, c, SWEEP_DURATION, hdr, lua)))
                if not NGINX_SKIP:
                    sweep.setdefault(("nginx", name), []).append((c, wrk(proxy, tg, c, SWEEP_DURATION, [], lua)))
        after = rss_kb(api.pid)
        chart_err = gnuplot(sweep, tmp)
    finally:
        if api is not None and api.poll() is None:
            api.terminate()
            api.wait(10)
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
    load_end = loadavg()
    lines = report(date, sizes, answers, starts, idle, peak_rss, peak_hwm, after, results, sweep, prof, chart_err,
                   load_start, load_end)
    text = "\n".join(lines)
    write_section(text)
    print(text)
    shutil.rmtree(tmp, ignore_errors=True)


def report(date, sizes, answers, starts, idle, peak_rss, peak_hwm, after, results, sweep, prof, chart_err, l0, l1):
    ok = lambda b: "✅" if b else "❌"
    kind = "static musl" if "musl" in TARGET else "glibc"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = [START, f"## Search throughput against a static fake 12go, next to nginx ({now}, bench/search.sh)", ""]
    out.append(f"{kind} release build from `{TARGET}`{(' (' + BUILD_NOTE + ')') if BUILD_NOTE else ''}. "
               f"Fake 12go: nginx serving answers written by `make-12go-search-payloads` (date {date}) from files "
               f"(large: 1p→44p, 140 itineraries, {sizes['large']:,} bytes; small: 3s→4s, 3 itineraries, {sizes['small']:,} bytes) "
               "for any date and query. nginx pass-through: `proxy_pass` of the same fake with upstream keep-alive, same "
               "nginx process (`worker_processes auto`). Load: `wrk -t1 -c%d`, %d runs × %d s per payload and target, "
               "interleaved (service, nginx, service, …), after a 2 s warm-up; figures are medians of the runs. "
               "wrk pinned to CPU %s, nginx and the service float; 2 cores shared with other engineers' builds "
               "(load average %s at the start, %s at the end)." % (CONNS, RUNS, DURATION, WRK_CPU or "none", l0, l1))
    out.append("")
    out.append("| payload | target | req/s (runs) | ÷ nginx | p50 ms | p99 ms | max ms | errors | service CPU µs/req | nginx CPU µs/req |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}
    for name in ("small", "large"):
        ng = results.get(("nginx", name))
        for who in ("connect-api", "nginx"):
            rs = results.get((who, name))
            if not rs:
                continue
            rps = med(rs, "rps")
            ratio = rps / med(ng, "rps") if ng else None
            if who == "connect-api":
                ratios[name] = ratio
            runs = ", ".join(f"{r['rps']:.0f}" for r in rs)
            svc_cpu = f"{med(rs, 'cpu_us'):.0f}" if who == "connect-api" else "–"
            ng_cpu = med(rs, "fake_cpu_us") if who == "connect-api" else med(rs, "cpu_us")
            ng_note = " (fake only)" if who == "connect-api" else " (fake + proxy)"
            label = {"small": "3 itin.", "large": "140 itin."}[name]
            out.append(f"| {label} | {who} | **{rps:.0f}** ({runs}) | {('×%.2f' % ratio) if ratio else '–'} | "
                       f"{med(rs, 'p50'):.2f} | {med(rs, 'p99'):.2f} | {max(r['max'] for r in rs):.1f} | "
                       f"{sum(r['errors'] for r in rs)} | {svc_cpu} | {ng_cpu:.0f}{ng_note} |")
    out.append("")
    large = results[("connect-api", "large")]
    ready = statistics.median(starts)
    out.append("| figure | measured | target | |")
    out.append("|---|---|---|---|")
    if ratios.get("large") is not None:
        out.append(f"| req/s ÷ nginx, 140 itineraries | ×{ratios['large']:.2f} | ≥ ×0.2 | {ok(ratios['large'] >= 0.2)} |")
        out.append(f"| req/s ÷ nginx, 3 itineraries | ×{ratios['small']:.2f} | ≥ ×0.45 | {ok(ratios['small'] >= 0.45)} |")
    p99 = med(large, "p99")
    out.append(f"| p99, 140 itineraries, {CONNS} connections | {p99:.1f} ms | < 50 ms | {ok(p99 < 50)} |")
    peak = max(peak_hwm, peak_rss)
    out.append(f"| peak RSS (VmHWM) during the load | {peak/1024:.1f} MiB ({peak*1024/1e6:.1f} MB) | < 16 MB | {ok(peak*1024 < 16e6)} |")
    out.append(f"| idle RSS after start-up | {idle/1024:.1f} MiB | – | |")
    out.append(f"| start → first 200 from /ready (median of {len(starts)}) | {ready:.1f} ms (runs: {', '.join(f'{s:.1f}' for s in starts)}) | – | |")
    out.append(f"| RSS after the whole run (sweep included) | {after/1024:.1f} MiB | – | |")
    out.append("")
    out.append("Answers: " + "; ".join(f"{n}: status {s}, {b:,} bytes" for n, (s, b) in answers.items()) + ".")
    out.append("")
    if chart_err:
        out.append(f"Chart: {chart_err}.")
    else:
        out.append(f"![search latency against load]({os.path.basename(CHART)})")
        out.append("")
        out.append(f"Load sweep (one {SWEEP_DURATION} s run per point; req/s, p50 / p99 ms):")
        out.append("")
        conns = SWEEP_CONNS
        out.append("| payload | target | " + " | ".join(f"c={c}" for c in conns) + " |")
        out.append("|---|---|" + "---|" * len(conns))
        for (who, name), rows in sweep.items():
            cells = [f"{r['rps']:.0f}; {r['p50']:.1f} / {r['p99']:.1f}" for _, r in rows]
            out.append(f"| {name} | {who} | " + " | ".join(cells) + " |")
    if prof:
        out.append("")
        out.append(f"CPU profile of the large-payload load: {prof}.")
    notes = os.path.join(HERE, "search-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            out += ["", f.read().rstrip("\n")]
    out.append(END)
    return out


def write_section(text):
    try:
        with open(RESULTS) as f:
            old = f.read()
    except OSError:
        old = ""
    if START in old and END in old:
        a, rest = old.split(START, 1)
        _, b = rest.split(END, 1)
        new = a + text + b
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    tmpf = RESULTS + ".tmp"
    with open(tmpf, "w") as f:
        f.write(new)
    os.replace(tmpf, RESULTS)


if __name__ == "__main__":
    main()
