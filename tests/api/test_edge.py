"""The HTTP edge under attack: body limits applied before the body is read,
memory that stays bounded, whole paths, problem+json for every refusal of
the framing layer, unknown methods, request smuggling shapes, pipelining,
Expect: 100-continue and the security headers of API responses.

Each test reproduces an attack an anonymous client could mount."""

import json
import os
import socket
import threading
import time

from ftapi import (API, HOST, PORT, Suite, add_admin, check, db_snapshot, check_unchanged,
                   problem, request, require, short, unique)
import openapi_check  # tests/lib, on the path once ftapi is imported

suite = Suite("edge")
ADMIN = None
SERVER_PID = int(os.environ.get("FT_SERVER_PID", "0") or 0)


def connect(timeout=10):
    return socket.create_connection((HOST, PORT), timeout=timeout)


_leftover = {}


def read_response(s, timeout=10):
    """Reads one response from s: (status, headers lower-case, body), or (0, {}, b"").
    Bytes after it (pipelined answers) are kept for the next call."""
    s.settimeout(timeout)
    buf = _leftover.pop(s.fileno(), b"")
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except OSError:
        pass
    if b"\r\n\r\n" not in buf:
        return 0, {}, buf
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "0") or 0)
    try:
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    except OSError:
        pass
    if len(body) > n:
        _leftover[s.fileno()] = body[n:]
        body = body[:n]
    return status, hdrs, body


def seen(data, response):
    """Has response (of read_response) to the raw request data checked
    against the OpenAPI document; returns it."""
    openapi_check.observe_raw(data, *response, (HOST, PORT))
    return response


def raw(data, timeout=10):
    s = connect(timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass
        return seen(data, read_response(s, timeout))
    finally:
        s.close()


def raw_problem(status_hdrs_body, status, what):
    st, hdrs, body = status_hdrs_body
    check(st == status, "%s: status %s, want %s (%s)" % (what, st, status, short(body, 120)))
    check(hdrs.get("content-type") == "application/problem+json",
          "%s: Content-Type %r, want application/problem+json" % (what, hdrs.get("content-type")))
    check(hdrs.get("x-request-id"), "%s: no X-Request-ID" % what)
    try:
        doc = json.loads(body)
        check(doc.get("status") == status and doc.get("request_id") == hdrs.get("x-request-id"),
              "%s: problem body %s" % (what, short(body, 200)))
    except ValueError:
        check(False, "%s: the body is not JSON: %s" % (what, short(body, 120)))
    return hdrs


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@suite.test("a 956 KB login body with 80,000 keys is refused in < 50 ms and stalls nobody")
def t_many_keys_login():
    body = ("{" + ",".join('"k%07d":0' % i for i in range(80000)) + "}").encode()
    ok = []

    def reader():
        t_end = time.monotonic() + 1.0
        while time.monotonic() < t_end:
            t0 = time.monotonic()
            r = ADMIN.get("/me")
            ok.append((r.status, time.monotonic() - t0))

    th = threading.Thread(target=reader)
    th.start()
    times = []
    for _ in range(8):
        t0 = time.monotonic()
        r = request("POST", API + "/auth/login", raw=body, ctype="application/json")
        times.append(time.monotonic() - t0)
        problem(r, 413, "120,000 keys to /auth/login")
    th.join()
    times.sort()
    check(times[len(times) // 2] < 0.05, "refusing took %.0f ms (median)" % (times[4] * 1000))
    slow = max(t for _, t in ok)
    check(all(st == 200 for st, _ in ok) and slow < 0.5,
          "a signed-in user meanwhile: %d requests, slowest %.0f ms" % (len(ok), slow * 1000))


def big_upload(path, size, chunked=False, token=None, results=None, i=0):
    """Sends the head of a size-byte body, then the body while the server may
    already have answered; records the status and whether the answer came
    before the body was sent in full."""
    s = connect(30)
    head = "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" % path
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    head += "Transfer-Encoding: chunked\r\n" if chunked else "Content-Length: %d\r\n" % size
    s.sendall((head + "\r\n").encode())
    chunk = b"x" * (1 << 20)
    sent = 0
    status = 0
    try:
        s.setblocking(False)
        while sent < size:
            try:
                piece = chunk if not chunked else b"%x\r\n%s\r\n" % (len(chunk), chunk)
                n = s.send(piece)
                sent += n
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break
            if sent % (4 << 20) < (1 << 20):
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        break
                except (BlockingIOError, OSError):
                    pass
        s.setblocking(True)
        status, hdrs, _ = seen(head.encode(), read_response(s, 10))
    finally:
        s.close()
    if results is not None:
        results[i] = (status, sent)
    return status, sent


@suite.test("8 parallel 60 MB bodies to /auth/login: 413 each, memory growth < 64 MiB")
def t_big_bodies_bounded():
    require(SERVER_PID, "FT_SERVER_PID is not set")
    before = rss_kib(SERVER_PID)
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(SERVER_PID))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    for chunked in (False, True):
        results = [None] * 8
        ths = [threading.Thread(target=big_upload,
                                args=(API + "/auth/login", 60 << 20, chunked, None, results, i))
               for i in range(8)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(60)
        kind = "chunked" if chunked else "Content-Length"
        check(all(r and r[0] == 413 for r in results),
              "%s: statuses %s" % (kind, [r and r[0] for r in results]))
        check(all(r and r[1] < (60 << 20) for r in results),
              "%s: the server read a whole 60 MB body before answering" % kind)
    stop.set()
    sampler.join()
    growth = (peak[0] - before) / 1024.0
    print("    peak RSS growth %.1f MiB (before %.1f MiB)" % (growth, before / 1024.0))
    check(growth < 64, "peak RSS grew by %.1f MiB" % growth)


@suite.test("per-route limits: 2 MiB to a JSON route is 413 before the body; an import takes it")
def t_route_limits():
    st, sent = big_upload(API + "/contractors", 2 << 20, token=ADMIN.token)
    check(st == 413, "2 MiB to POST /contractors: %s" % st)
    pid = ADMIN.create("projects", {"code": unique("EDGE"), "name": "Edge",
                                     "municipality": "Musterstadt"})["id"]
    feats = [{"type": "Feature", "properties": {"layer": "node", "code": unique("N"),
                                                 "kind": "handhole", "name": "x" * 200},
              "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}} for _ in range(6000)]
    body = json.dumps({"type": "FeatureCollection", "features": feats})
    require(len(body) > (1 << 20), "the import body is only %d bytes" % len(body))
    r = ADMIN.post("/projects/%d/import?dry_run=true" % pid, raw=body, ctype="application/geo+json")
    check(r.status == 200, "a %d byte import (dry run): %s %s" % (len(body), r.status, short(r.text)))
    # Without a token every route takes at most 64 KiB.
    r = request("POST", API + "/contractors", raw=b"{" + b" " * (70 * 1024) + b"}",
                ctype="application/json")
    problem(r, 413, "70 KiB without a token")


@suite.test("an Idempotency-Key covers the query: a dry run does not replay the real import")
def t_idempotency_query():
    pid = ADMIN.create("projects", {"code": unique("IDQ"), "name": "Idq",
                                    "municipality": "Musterstadt"})["id"]
    body = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"layer": "node", "code": unique("N"), "kind": "handhole"},
         "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}}]})
    key = unique("key")
    r = ADMIN.post("/projects/%d/import" % pid, raw=body, ctype="application/geo+json",
                   headers={"Idempotency-Key": key})
    require(r.status == 200, "the import: %s %s" % (r.status, short(r.text)))
    r = ADMIN.post("/projects/%d/import?dry_run=true" % pid, raw=body, ctype="application/geo+json",
                   headers={"Idempotency-Key": key})
    check(r.status == 422 and not r.header("Idempotent-Replayed"),
          "the dry run with the same key: %s %s" % (r.status, short(r.text)))


@suite.test("a NUL in the path or query is refused, nothing is truncated or deleted")
def t_nul_in_path():
    m = ADMIN.create("milestones", {"project_id": ADMIN.create("projects", {
        "code": unique("NUL"), "name": "Nul", "municipality": "Musterstadt"})["id"], "name": "M", "kind": "custom",
        "planned_date": "2027-01-01"})
    r = ADMIN.delete("/milestones/%d%%00" % m["id"], if_match='"%d"' % m["version"])
    problem(r, 400, "DELETE /milestones/{id}%00")
    check(ADMIN.get("/milestones/%d" % m["id"]).status == 200, "the milestone was deleted")
    r = request("GET", "/app.js%00.html")
    problem(r, 400, "/app.js%00.html")
    r = ADMIN.get("/segments?q=a%00b")
    problem(r, 400, "%00 in a query value")
    r = ADMIN.get("/segments?status=planned%zz")
    problem(r, 400, "a malformed %-escape in the query")


@suite.test("framing errors are problem+json with X-Request-ID (malformed line, 431, chunking, 505)")
def t_framing_errors():
    raw_problem(raw(b"GARBAGE\x01\x02\r\n\r\n"), 400, "a malformed request line")
    raw_problem(raw(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20480 + b"\r\n\r\n"), 431,
                "a 20 KiB header")
    raw_problem(raw(b"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"zz\r\nabc\r\n0\r\n\r\n"), 400, "bad chunking")
    raw_problem(raw(b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n"), 400, "HTTP/2.0 in a request line")
    raw_problem(raw(b"GET /healthz HTTP/1.1\r\nX-A: a\x00b\r\n\r\n"), 400, "NUL in a header value")
    raw_problem(raw(b"GET /healthz HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b"
                    b"\r\n\r\n"), 400, "two Authorization headers")


@suite.test("two Content-Length headers, or one with chunked, are 400 and change nothing")
def t_smuggling():
    before = db_snapshot()
    body = json.dumps({"name": unique("Smuggle")}).encode()
    for what, head in [
        ("two different", "Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body) + 5)),
        ("two equal", "Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body))),
        ("with chunked", "Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(body)),
    ]:
        data = ("POST /api/v1/contractors HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\n%s\r\n" % (ADMIN.token, head)).encode() + body
        raw_problem(raw(data), 400, "Content-Length %s" % what)
    check_unchanged(before, "after the smuggling attempts")


@suite.test("unknown methods: 405 with Allow (or 404), never 501 or HTML")
def t_unknown_methods():
    for m in (b"FOO", b"TRACE", b"CONNECT", b"get", b"PROPFIND"):
        hdrs = raw_problem(raw(m + b" /api/v1/segments HTTP/1.1\r\nHost: x\r\n\r\n"), 405,
                           m.decode() + " /api/v1/segments")
        check("GET" in hdrs.get("allow", "") and "POST" in hdrs.get("allow", ""),
              "%s: Allow %r" % (m.decode(), hdrs.get("allow")))
    raw_problem(raw(b"FOO /nowhere/at/all HTTP/1.1\r\n\r\n"), 404, "FOO on an unknown path")


@suite.test("Expect: 100-continue: a body over the limit is refused before it is sent")
def t_expect_continue():
    s = connect()
    try:
        head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                b"\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
        s.sendall(head)
        st, hdrs, _ = seen(head, read_response(s, 5))
        check(st == 413, "over the limit with Expect: %s" % st)
    finally:
        s.close()
    s = connect()
    try:
        body = json.dumps({"name": unique("Expect")}).encode()
        head = ("POST /api/v1/contractors HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue"
                "\r\n\r\n" % (ADMIN.token, len(body))).encode()
        s.sendall(head)
        st, _, _ = read_response(s, 5)
        check(st == 100, "within the limit, the interim answer: %s" % st)
        s.sendall(body)
        st, _, _ = seen(head, read_response(s, 5))
        check(st == 201, "then the final answer: %s" % st)
    finally:
        s.close()


@suite.test("pipelined requests are answered in order on one connection")
def t_pipelining():
    s = connect()
    try:
        sent = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: one\r\n\r\n",
                b"GET /nowhere HTTP/1.1\r\nHost: x\r\nX-Request-ID: two\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: three\r\nConnection: close"
                b"\r\n\r\n"]
        s.sendall(b"".join(sent))
        got = [seen(data, read_response(s, 5)) for data in sent]
        check([g[0] for g in got] == [200, 404, 200], "statuses %s" % [g[0] for g in got])
        check([g[1].get("x-request-id") for g in got] == ["one", "two", "three"],
              "request ids %s" % [g[1].get("x-request-id") for g in got])
        check(got[2][1].get("connection") == "close", "the last answer does not close")
    finally:
        s.close()


@suite.test("API answers carry Cache-Control: no-store and X-Content-Type-Options: nosniff")
def t_security_headers():
    for r in (ADMIN.get("/me"), ADMIN.get("/segments?limit=1"), request("GET", API + "/nowhere")):
        check(r.header("Cache-Control") == "no-store",
              "%s %s: Cache-Control %r" % (r.method, r.path, r.header("Cache-Control")))
        check(r.header("X-Content-Type-Options") == "nosniff",
              "%s %s: X-Content-Type-Options %r" % (r.method, r.path,
                                                     r.header("X-Content-Type-Options")))
    r = request("GET", "/")
    check(r.header("X-Content-Type-Options") == "nosniff", "the dashboard: no nosniff")


def setup():
    global ADMIN
    ADMIN = add_admin(unique("edge"))


if __name__ == "__main__":
    suite.run(setup)
