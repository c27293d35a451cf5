#!/usr/bin/python3
"""Attacks on the HTTP edge, measured (driven by bench/run-edge-bench.sh).

Environment: EDGE_URL, EDGE_PID (the server), EDGE_TOKEN (an admin token),
EDGE_LOG (the server's log file). Standard library only. Prints one line
per figure; nothing here passes or fails."""
import http.client
import json
import os
import resource
import socket
import statistics
import threading
import time
from urllib.parse import urlsplit

URL = os.environ["EDGE_URL"]
HOST, PORT = urlsplit(URL).hostname, urlsplit(URL).port
PID = int(os.environ["EDGE_PID"])
TOKEN = os.environ["EDGE_TOKEN"]
LOG = os.environ.get("EDGE_LOG", "")


def req(method, path, body=None, headers=None, token=None, timeout=60):
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None and "Content-Type" not in h:
        h["Content-Type"] = "application/json"
    t0 = time.monotonic()
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data, time.monotonic() - t0
    except OSError as e:
        return type(e).__name__, {}, b"", time.monotonic() - t0
    finally:
        c.close()


def rss_kib():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds():
    with open("/proc/%d/stat" % PID) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_lines():
    with open(LOG, "rb") as f:
        return sum(1 for _ in f)


def out(name, text):
    print("%-34s %s" % (name + ":", text), flush=True)


def short_keys(n):
    """n distinct keys of 3 and 4 characters, so that 120,000 fit in 1 MiB."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    keys = []
    for width in (3, 4):
        for i in range(36 ** width):
            if len(keys) == n:
                return keys
            k = ""
            for _ in range(width):
                k = digits[i % 36] + k
                i //= 36
            keys.append(k)
    return keys


def timed(method, path, body, token=None, runs=3):
    times, statuses = [], set()
    for _ in range(runs):
        st, _, _, t = req(method, path, body, token=token)
        statuses.add(st)
        times.append(t)
    return "status %s, median %.1f ms" % (sorted(statuses, key=str), statistics.median(times) * 1000)


def many_keys():
    body = ("{" + ",".join('"k%07d":0' % i for i in range(80000)) + "}").encode()
    out("80k-key login body (%d KB)" % (len(body) // 1000), timed("POST", "/api/v1/auth/login", body))
    big = ("{" + ",".join('"%s":0' % k for k in short_keys(120000)) + "}").encode()
    out("120k keys in %d bytes, signed in" % len(big),
        timed("POST", "/api/v1/contractors", big, token=TOKEN))
    lat = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            lat.append(req("GET", "/api/v1/me", token=TOKEN)[3])

    th = threading.Thread(target=reader)
    th.start()
    time.sleep(0.1)
    ths = [threading.Thread(target=req, args=("POST", "/api/v1/auth/login", body)) for _ in range(8)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    stop.set()
    th.join()
    out("  8 in parallel: GET /me", "max %.1f ms over %d requests" % (max(lat) * 1000, len(lat)))


def upload(path, size, res, i):
    s = socket.create_connection((HOST, PORT), timeout=60)
    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\n\r\n" % (path, size)).encode())
    chunk = b"x" * (1 << 20)
    sent = 0
    try:
        while sent < size:
            sent += s.send(chunk[:min(len(chunk), size - sent)])
    except OSError:
        pass
    status = None
    try:
        s.settimeout(10)
        data = s.recv(200)
        status = int(data.split()[1]) if data else None
    except (OSError, IndexError, ValueError):
        pass
    s.close()
    res[i] = (status, sent)


def big_bodies():
    before = rss_kib()
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib())
            time.sleep(0.005)

    sm = threading.Thread(target=sample)
    sm.start()
    res = [None] * 8
    t0 = time.monotonic()
    ths = [threading.Thread(target=upload, args=("/api/v1/auth/login", 60_000_000, res, i))
           for i in range(8)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    secs = time.monotonic() - t0
    time.sleep(1)
    stop.set()
    sm.join()
    out("8 x 60 MB to /auth/login", "statuses %s, MB sent %s, %.1f s" % (
        sorted(set(str(r[0]) for r in res)), sorted(set(r[1] // 1_000_000 for r in res)), secs))
    out("  RSS", "before %.1f MiB, peak +%.1f MiB, kept +%.1f MiB" % (
        before / 1024, (peak[0] - before) / 1024, (rss_kib() - before) / 1024))


def descriptors():
    soft, hard = resource.prlimit(PID, resource.RLIMIT_NOFILE)
    resource.prlimit(PID, resource.RLIMIT_NOFILE, (256, hard))
    conns = []
    try:
        for _ in range(400):
            try:
                conns.append(socket.create_connection((HOST, PORT), timeout=2))
            except OSError:
                break
        l0, c0, t0 = log_lines(), cpu_seconds(), time.monotonic()
        time.sleep(7)
        cpu = (cpu_seconds() - c0) / (time.monotonic() - t0)
        out("ulimit -n 256, 400 connections", "%.0f %% CPU, %d log lines in 7 s" % (
            cpu * 100, log_lines() - l0))
    finally:
        for s in conns:
            s.close()
        resource.prlimit(PID, resource.RLIMIT_NOFILE, (soft, hard))
    time.sleep(1)


def idle_cap(n=1024):
    held = []
    for _ in range(n):
        try:
            s = socket.create_connection((HOST, PORT), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)
            held.append(s)
        except OSError:
            break
    st, _, _, t = req("GET", "/api/v1/me", token=TOKEN, timeout=40)
    out("%d idle keep-alive connections" % len(held), "a new client: %s after %.1f ms" % (st, t * 1000))
    for s in held:
        s.close()
    time.sleep(1)


def logins():
    fails = 0
    for i in range(20):
        st, _, _, _ = req("POST", "/api/v1/auth/login",
                          json.dumps({"email": "x%d@nowhere.example" % i, "password": "wrong"}))
        fails += st == 401
    st, _, _, _ = req("POST", "/api/v1/auth/login",
                      json.dumps({"email": "manager@musterstadt.example", "password": "fibertrack-demo"}))
    out("20 failed logins, then another user", "%d x 401, then %s" % (fails, st))
    for _ in range(6):
        req("POST", "/api/v1/auth/login",
            json.dumps({"email": "finance@musterstadt.example", "password": "wrong-password"}),
            headers={"X-Forwarded-For": "203.0.113.9"})
    st, _, _, _ = req("POST", "/api/v1/auth/login",
                      json.dumps({"email": "finance@musterstadt.example",
                                  "password": "fibertrack-demo"}),
                      headers={"X-Forwarded-For": "198.51.100.7"})
    out("6 wrong passwords, then the owner", "%s (attacker 203.0.113.9, owner 198.51.100.7, "
        "through a trusted proxy)" % st)


def raw(data):
    s = socket.create_connection((HOST, PORT), timeout=5)
    try:
        s.sendall(data)
        got = b""
        while b"\r\n\r\n" not in got:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except OSError:
        got = b""
    finally:
        s.close()
    head = got.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    status = head[0].split()[1] if head and len(head[0].split()) > 1 else "none"
    h = {ln.split(":", 1)[0].lower(): ln.split(":", 1)[1].strip() for ln in head[1:] if ":" in ln}
    return "%s %s%s" % (status, h.get("content-type", "-").split(";")[0],
                        "" if "x-request-id" in h else " (no X-Request-ID)")


def framing():
    _, h, _, _ = req("GET", "/api/v1/milestones/1", token=TOKEN)
    etag = h.get("etag", '"1"').encode()
    cases = {
        "malformed request line": b"GARBAGE\r\n\r\n",
        "20 KiB header": b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20480 + b"\r\n\r\n",
        "bad chunking": b"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "unknown method FOO": b"FOO /api/v1/segments HTTP/1.1\r\nHost: x\r\n\r\n",
        "two Content-Length": b"POST /api/v1/auth/login HTTP/1.1\r\nContent-Type: application/json"
                              b"\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
        "DELETE /milestones/1%00": b"DELETE /api/v1/milestones/1%00 HTTP/1.1\r\nIf-Match: " + etag + b"\r\n"
                                   b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n",
        "/app.js%00.html": b"GET /app.js%00.html HTTP/1.1\r\n\r\n",
    }
    for name, data in cases.items():
        out(name, raw(data))


def headers():
    st, h, _, _ = req("GET", "/api/v1/me", token=TOKEN)
    out("GET /api/v1/me headers", "Cache-Control %s, X-Content-Type-Options %s" % (
        h.get("cache-control", "-"), h.get("x-content-type-options", "-")))
    st, h, _, _ = req("PATCH", "/api/v1/milestones/1", json.dumps({"notes": "x"}),
                      headers={"If-Match": 'W/"1"'}, token=TOKEN)
    out("If-Match: W/\"1\"", str(st))


def main():
    headers()
    many_keys()
    big_bodies()
    framing()
    logins()
    idle_cap()
    descriptors()


if __name__ == "__main__":
    main()
