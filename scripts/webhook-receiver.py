#!/usr/bin/env python3
"""A partner's webhook endpoint for local runs: prints every notification
connect-api delivers and checks its signature.

Usage: WH_OUT_SECRET=dev-out-secret scripts/webhook-receiver.py [PORT]   (default 9000)

Answers 200 (or RECEIVER_STATUS, e.g. 503, to watch retries and dead letters).
Standard library only.
"""
import hashlib, hmac, http.server, json, os, sys, time

SECRET = os.environ.get("WH_OUT_SECRET", "").encode()
STATUS = int(os.environ.get("RECEIVER_STATUS", "200"))


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        ts = self.headers.get("x-travelier-timestamp", "")
        sig = self.headers.get("x-travelier-signature", "")
        want = "sha256=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        ok = "valid" if hmac.compare_digest(sig, want) and fresh else "INVALID"
        try:
            event = json.loads(body)
            what = f'{event.get("event")} booking {event.get("booking_id")} status {event.get("booking", {}).get("status")}'
        except ValueError:
            what = f"{len(body)} bytes of non-JSON"
        print(f'{self.headers.get("x-travelier-notification-id")}: {what} (signature {ok}) -> {STATUS}', flush=True)
        self.send_response(STATUS)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"webhook receiver on http://127.0.0.1:{port}/hook", flush=True)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()
