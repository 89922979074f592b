#!/usr/bin/env python3
"""Concurrent HTTP/1.1 keep-alive load on loopback, stdlib only (asyncio streams).

Usage: bench/load.py --port P --path /v1/bench/itineraries?... [--header 'x-api-key: bench-key']
                     [--concurrency 256] [--duration 10] [--max-requests 50000]
                     [--pid PID] [--json]

Opens CONCURRENCY connections to 127.0.0.1:PORT (loopback only), each sending GET PATH
back to back on its keep-alive connection until DURATION seconds have passed or
MAX_REQUESTS requests have been started. Reconnects after a connection error (counted
as an error). With --pid, samples VmRSS and VmHWM of that process from /proc every
20 ms during the load. Reports requests/s, latency p50/p90/p99/max, status counts,
errors and memory; --json prints one JSON object instead of text.
"""
import argparse, asyncio, json, sys, time


def read_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = None, False, False
    for line in lines[1:]:
        if not line:
            continue
        k, _, v = line.partition(":")
        k, v = k.strip().lower(), v.strip().lower()
        if k == "content-length":
            length = int(v)
        elif k == "transfer-encoding" and "chunked" in v:
            chunked = True
        elif k == "connection" and v == "close":
            close = True
    size = 0
    if chunked:
        while True:
            n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if n == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected
                break
            size += len((await reader.readexactly(n + 2))) - 2
    elif length is not None:
        size = len(await reader.readexactly(length))
    else:
        size = len(await reader.read())
        close = True
    return status, size, close


async def run(args):
    host = "127.0.0.1"
    extra = "".join(f"{h}\r\n" for h in args.header)
    request = f"GET {args.path} HTTP/1.1\r\nHost: {host}:{args.port}\r\n{extra}\r\n".encode()
    lat, statuses, errors = [], {}, {}
    started = 0
    bytes_in = 0
    t_end = time.perf_counter() + args.duration
    mem = {"rss_max_kb": 0, "hwm_kb": 0, "samples": 0}
    stop = asyncio.Event()

    async def sampler():
        while not stop.is_set():
            s = read_status(args.pid)
            if s:
                mem["rss_max_kb"] = max(mem["rss_max_kb"], s.get("VmRSS", 0))
                mem["hwm_kb"] = max(mem["hwm_kb"], s.get("VmHWM", 0))
                mem["samples"] += 1
            try:
                await asyncio.wait_for(stop.wait(), 0.02)
            except asyncio.TimeoutError:
                pass

    async def worker():
        nonlocal started, bytes_in
        reader = writer = None
        while time.perf_counter() < t_end and started < args.max_requests:
            started += 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, args.port, limit=1 << 22)
                t0 = time.perf_counter()
                writer.write(request)
                status, size, close = await asyncio.wait_for(read_response(reader), args.timeout)
                lat.append((time.perf_counter() - t0) * 1000.0)
                statuses[status] = statuses.get(status, 0) + 1
                bytes_in += size
                if close:
                    writer.close(); writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    asyncio.TimeoutError, ValueError, IndexError) as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                if writer is not None:
                    writer.close()
                writer = None
                await asyncio.sleep(0.01)
        if writer is not None:
            writer.close()

    samp = asyncio.create_task(sampler()) if args.pid else None
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - t0
    stop.set()
    if samp:
        await samp
        s = read_status(args.pid)
        mem["hwm_kb"] = max(mem["hwm_kb"], s.get("VmHWM", 0))
    ok = sum(n for st, n in statuses.items() if 200 <= st < 300)
    return {
        "concurrency": args.concurrency, "duration_s": round(elapsed, 2), "requests": len(lat),
        "ok_2xx": ok, "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(errors.values()), "error_kinds": errors,
        "rps": round(len(lat) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(lat, 50), 2), "p90_ms": round(pct(lat, 90), 2),
        "p99_ms": round(pct(lat, 99), 2), "max_ms": round(max(lat) if lat else 0.0, 2),
        "mean_body_bytes": round(bytes_in / len(lat)) if lat else 0, **(mem if args.pid else {}),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--max-requests", type=int, default=50000)
    ap.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    ap.add_argument("--pid", type=int, default=0, help="process whose VmRSS/VmHWM to sample")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = asyncio.run(run(args))
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")
    return 0 if res["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
