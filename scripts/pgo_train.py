#!/usr/bin/env python3
"""The training run of a profile-guided build (scripts/pgo-build.sh).

Starts the instrumented service BIN against a fake 12go that serves the bench's
recorded search answers (bench/payloads/: 3 and 140 itineraries, rebuilt from live
reference responses, so the parse sees every field 12go sends), drives keep-alive
searches of both sizes plus a few error paths for SECONDS, then stops the service
with SIGTERM so that it writes its profile (LLVM_PROFILE_FILE) on exit.

    scripts/pgo_train.py BIN [SECONDS]
"""
import datetime
import http.client
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAYLOADS = os.path.join(ROOT, "bench", "payloads")
KEY = "bench-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shifted(text, days):
    """Every date in the answer moved by `days`, so its trips depart in the future."""
    def move(m):
        d = datetime.date.fromisoformat(m.group(0)) + datetime.timedelta(days=days)
        return d.isoformat()
    return re.sub(r"\d{4}-\d\d-\d\d", move, text)


def load_answers():
    """(departure date, {path prefix: body}) with the trips 30 days from today."""
    with open(os.path.join(PAYLOADS, "small.json")) as f:
        small = f.read()
    with open(os.path.join(PAYLOADS, "large.json")) as f:
        large = f.read()
    first = min(re.findall(r"\d{4}-\d\d-\d\d", small))
    date = datetime.date.today() + datetime.timedelta(days=30)
    days = (date - datetime.date.fromisoformat(first)).days
    return date.isoformat(), {
        "/search/3s/4s/": shifted(small, days).encode(),
        "/search/1p/44p/": shifted(large, days).encode(),
    }


def fake_12go(answers):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle's algorithm and
        # the client's delayed ACK hold every answer ~40 ms.
        disable_nagle_algorithm = True

        def do_GET(self):
            body = next((b for p, b in answers.items() if self.path.startswith(p)), None)
            status = 200 if body is not None else 404
            body = body if body is not None else b'{"error":"not found"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_ready(port, deadline=30.0):
    end = time.time() + deadline
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def drive(port, date, until, counts, lock):
    """Mostly small searches, every tenth a large one, and some 4xx paths."""
    small = f"/v1/bench/itineraries?departures[]=3&arrivals[]=4&departure_date={date}&pax=1"
    large = f"/v1/bench/itineraries?departure_poi=1&arrival_poi=44&departure_date={date}&pax=1"
    other = ["/v1/bench/itineraries?departures[]=3&departure_date=bad", "/v1/bench/nowhere", "/health"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while time.time() < until:
        path = large if i % 10 == 9 else other[i % 3] if i % 50 == 7 else small
        i += 1
        try:
            conn.request("GET", path, headers={"x-api-key": KEY})
            res = conn.getresponse()
            res.read()
            with lock:
                counts[res.status] = counts.get(res.status, 0) + 1
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    date, answers = load_answers()
    fake = fake_12go(answers)
    port, admin = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), ADMIN_PORT=str(admin), HOST="127.0.0.1",
               TWELVEGO_BASE_URL=f"http://127.0.0.1:{fake.server_address[1]}",
               CLIENTS_FILE=os.path.join(ROOT, "bench", "clients.toml"), TWELVEGO_KEY_BENCH="bench-12go-key",
               LOG_LEVEL="warn", RECHECK_DISPATCH="false", MASTER_DATA_ENABLED="false",
               BOOKING_TOKEN_SECRETS="bench-booking-token-secret-0123456789abcdef")
    service = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL)
    try:
        if not wait_ready(port):
            sys.exit("pgo: the instrumented service did not become ready")
        counts, lock = {}, threading.Lock()
        until = time.time() + seconds
        threads = [threading.Thread(target=drive, args=(port, date, until, counts, lock)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=30)
        fake.shutdown()
    print(f"pgo: trained on {sum(counts.values())} requests {dict(sorted(counts.items()))}; service exit {code}")
    if counts.get(200, 0) < 100 or code != 0:
        sys.exit("pgo: too few successful searches, or the service did not exit cleanly")


if __name__ == "__main__":
    main()
