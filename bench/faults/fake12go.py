#!/usr/bin/env python3
"""A controllable fake 12go: a proxy in front of `twelvego-sandbox` that injects faults.

    fake12go.py LISTEN_PORT SANDBOX_PORT

Every request is forwarded to the sandbox (which speaks 12go's wire format) unless the
request's `x-correlation-id` (the service forwards the partner's one to 12go) asks for
a fault on this request's endpoint:

    x-correlation-id: f-{endpoint}-{mode}-{anything}

endpoint: search trip cart checkout reserve confirm booking refundoptions refund
mode:
  latency    sleep LATENCY_S, then forward (the service has given up by then)
  e500       500 with a 12go-like error body, not forwarded
  e503burst  503 on every attempt, not forwarded
  reset      read the request, then close the socket with RST, not forwarded
  truncated  forward, then send the real head and only half the body, and close
  malformed  200 `{"bid": ` (not JSON), not forwarded
  slowbody   forward, then trickle the real body one byte every TRICKLE_S
  huge       200 with a 50 MB JSON body streamed in 1 MB chunks, not forwarded

Faults are chosen per request, so cases run in parallel without interfering.
`GET /__counts` answers {path: count} of the POSTs received for R, C and F (also the
ones not forwarded), to check that reserve, confirm and refund are sent at most once.
Python standard library only.
"""
import json, socket, struct, sys, threading, time, http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LATENCY_S = 6.0
TRICKLE_S = 0.25
HUGE_BYTES = 50 * 1024 * 1024

COUNTS = {}
LOCK = threading.Lock()


def endpoint(method, path):
    p = path.split("?", 1)[0]
    if p.startswith("/search/"):
        return "search"
    if p.startswith("/trip/"):
        return "trip"
    if p.startswith("/cart/"):
        return "cart"
    if p.startswith("/checkout/"):
        return "checkout"
    if p.startswith("/reserve/"):
        return "reserve"
    if p.startswith("/confirm/"):
        return "confirm"
    if p.startswith("/booking/"):
        if p.endswith("/refund-options"):
            return "refundoptions"
        if p.endswith("/refund"):
            return "refund"
        return "booking"
    return "other"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sandbox_port = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def handle_any(self, method):
        n = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path == "/__counts":
            with LOCK:
                return self.send_bytes(200, json.dumps(COUNTS).encode())
        ep = endpoint(method, self.path)
        if method == "POST" and ep in ("reserve", "confirm", "refund"):
            key = self.path.split("?", 1)[0]
            with LOCK:
                COUNTS[key] = COUNTS.get(key, 0) + 1
        cid = self.headers.get("x-correlation-id", "")
        parts = cid.split("-")
        mode = parts[2] if len(parts) >= 3 and parts[0] == "f" and parts[1] == ep else None

        if mode == "e500":
            return self.send_bytes(500, b'{"messages":["Internal error"]}')
        if mode == "e503burst":
            return self.send_bytes(503, b"<html>Service Unavailable</html>", "text/html")
        if mode == "malformed":
            return self.send_bytes(200, b'{"bid": ')
        if mode == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if mode == "huge":
            return self.send_huge()
        if mode == "latency":
            time.sleep(LATENCY_S)
        status, headers, data = self.forward(method, body)
        if mode == "truncated":
            self.close_connection = True
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return
        if mode == "slowbody":
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(TRICKLE_S)
            except OSError:
                self.close_connection = True
            return
        self.send_bytes(status, data, headers.get("content-type", "application/json"))

    def forward(self, method, body):
        c = http.client.HTTPConnection("127.0.0.1", self.sandbox_port, timeout=30)
        hdr = {k: v for k, v in self.headers.items()
               if k.lower() not in ("host", "connection", "accept-encoding", "content-length")}
        c.request(method, self.path, body=body if method == "POST" else None, headers=hdr)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def send_bytes(self, status, data, ctype="application/json"):
        try:
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def send_huge(self):
        chunk = b"x" * (1024 * 1024)
        try:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(HUGE_BYTES + 8))
            self.end_headers()
            self.wfile.write(b'{"x":"')
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
            self.wfile.write(b'"}')
        except OSError:  # the service stops reading at its body cap
            pass
        self.close_connection = True


def main():
    port, sandbox = int(sys.argv[1]), int(sys.argv[2])
    Handler.sandbox_port = sandbox
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
