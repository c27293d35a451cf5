"""Cross-cutting HTTP behaviour: problem+json, X-Request-ID, unknown routes (404),
wrong methods (405 with Allow), limits, /healthz, /readyz, /metrics and the
OpenAPI document."""

import re
import socket

from ftapi import (API, HOST, PORT, MIB, KeepAlive, OtherServer, Suite, add_admin, check, local_address, problem, request,
                   require, short, unique)
import openapi_check  # tests/lib, on the path once ftapi is imported

suite = Suite("meta")
ADMIN = None
RID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Every path (OpenAPI form) and method that the API suites use.
USED = {
    "/healthz": ["get"], "/readyz": ["get"], "/metrics": ["get"], "/api/v1/openapi.json": ["get"],
    "/api/v1/auth/login": ["post"], "/api/v1/auth/logout": ["post"], "/api/v1/me": ["get"],
    "/api/v1/users": ["get", "post"], "/api/v1/users/{id}": ["get", "patch"],
    "/api/v1/tokens": ["get", "post"], "/api/v1/tokens/{id}": ["get", "delete"],
    "/api/v1/audit": ["get"], "/api/v1/audit/facets": ["get"], "/api/v1/audit/{id}": ["get"],
}
for _c in ("projects", "contractors", "lots", "nodes", "segments", "premises"):
    USED["/api/v1/" + _c] = ["get", "post"]
    USED["/api/v1/%s/{id}" % _c] = ["get", "patch", "delete"]


def raw_http(data, timeout=10):
    """Sends raw bytes; returns (status, headers dict lower-case, body) of the first response."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    try:
        s.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0") or 0)
        while len(body) < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        openapi_check.observe_raw(data, status, hdrs, body, (HOST, PORT))
        return status, hdrs, body
    finally:
        s.close()


@suite.test("problem+json: type, title, status, detail, request_id on 400/401/403/404/405/409/412/413/415/422/428")
def t_problem_shape():
    a = ADMIN
    c = a.create("contractors", {"name": unique("Shape")})
    fin = a.create("users", {"email": unique("f") + "@test.example", "name": "F", "role": "finance"})
    ftok = a.create("tokens", {"name": "t", "user_id": fin["id"]})["token"]
    p = a.create("projects", {"code": unique("P"), "name": "x", "municipality": "y"})
    cases = [
        (400, a.post("/contractors", raw="{", ctype="application/json")),
        (401, request("GET", API + "/projects")),
        (403, request("POST", API + "/projects", token=ftok, body={"code": "x", "name": "x", "municipality": "y"})),
        (404, a.get("/contractors/99999999")),
        (405, request("PUT", API + "/contractors/%d" % c["id"], token=a.token, body={})),
        (409, a.post("/projects", {"code": p["code"], "name": "x", "municipality": "y"})),
        (412, a.patch("/contractors/%d" % c["id"], {"phone": "1"}, if_match='"9"')),
        (413, a.post("/contractors", {"name": "x" * (MIB + 1)})),
        (415, a.post("/contractors", raw='{"name": "x"}', ctype="text/plain")),
        (422, a.post("/contractors", {"name": 1})),
        (428, a.patch("/contractors/%d" % c["id"], {"phone": "1"})),
    ]
    for status, r in cases:
        pr = problem(r, status, "status %d" % status)
        check(isinstance(pr.get("type"), str) and pr.get("type"), "%d: empty type" % status)
        check(pr.get("title") and pr.get("title") != pr.get("detail"), "%d: title %r" % (status, pr.get("title")))
        if status == 422:
            errs = pr.get("errors")
            check(isinstance(errs, list) and errs and all(isinstance(e.get("pointer"), str) and e["pointer"].startswith("/")
                                                          for e in errs), "422 errors %r" % errs)


@suite.test("X-Request-ID: echoed when sane, replaced when not, on every response")
def t_request_id():
    for rid in ("abc-123_X.y", "a" * 64, "0", unique("req")):
        r = request("GET", "/healthz", headers={"X-Request-ID": rid})
        check(r.request_id == rid, "sane %r came back as %r" % (rid, r.request_id))
    for rid in ("has space", "a" * 65, "<script>", "semi;colon", "ümlaut", "a/b", ""):
        r = request("GET", "/healthz", headers={"X-Request-ID": rid})
        got = r.request_id or ""
        check(got != rid and RID_RE.match(got), "insane %r came back as %r" % (rid, got))
    r1, r2 = request("GET", "/healthz"), request("GET", "/healthz")
    check(r1.request_id and r2.request_id and r1.request_id != r2.request_id, "ids not unique: %r %r"
          % (r1.request_id, r2.request_id))
    rid = unique("rq")
    for r in (request("GET", API + "/nope", headers={"X-Request-ID": rid}),
              request("GET", API + "/projects", headers={"X-Request-ID": rid}),
              request("DELETE", "/healthz", headers={"X-Request-ID": rid}),
              request("GET", "/metrics", headers={"X-Request-ID": rid}),
              request("POST", API + "/auth/login", raw="{", ctype="application/json", headers={"X-Request-ID": rid}),
              ADMIN.get("/projects", headers={"X-Request-ID": rid}, params={"limit": "1"})):
        check(r.request_id == rid, "%s %s: X-Request-ID %r, sent %r" % (r.method, r.path, r.request_id, rid))
        if r.status >= 400:
            check((r.json or {}).get("request_id") == rid, "%s %s: problem request_id %r" % (r.method, r.path, (r.json or {}).get("request_id")))


@suite.test("unknown routes -> 404 problem; known route, wrong method -> 405 with Allow")
def t_routes():
    for path in ("/api/v1/nope", "/nope", "/api/v2/projects", "/api/v1/projects/1/nope", "/api/v1/Projects"):
        for tok in (None, ADMIN.token):
            problem(request("GET", path, token=tok), 404, "GET %s" % path)
    cases = [("PUT", API + "/projects", {"GET", "POST"}), ("DELETE", API + "/projects", {"GET", "POST"}),
             ("PUT", API + "/projects/1", {"GET", "PATCH", "DELETE"}), ("POST", API + "/projects/1", {"GET", "PATCH", "DELETE"}),
             ("POST", "/healthz", {"GET"}), ("DELETE", API + "/me", {"GET"}), ("GET", API + "/auth/login", {"POST"}),
             ("PATCH", API + "/tokens/1", {"GET", "DELETE"}), ("DELETE", API + "/users/1", {"GET", "PATCH"}),
             ("POST", API + "/audit", {"GET"}), ("OPTIONS", API + "/segments", {"GET", "POST"})]
    for method, path, want in cases:
        r = request(method, path, token=ADMIN.token, body={})
        problem(r, 405, "%s %s" % (method, path))
        allow = {m.strip() for m in (r.header("Allow") or "").split(",") if m.strip()}
        check(want <= allow and method not in allow, "%s %s: Allow %r, want %s" % (method, path, r.header("Allow"), sorted(want)))


@suite.test("/healthz and /readyz")
def t_health():
    r = request("GET", "/healthz")
    check(r.status == 200 and r.ctype == "application/json" and isinstance(r.json, dict), "/healthz: %r" % r)
    r = request("GET", "/readyz")
    check(r.status == 200 and isinstance(r.json, dict), "/readyz: %r" % r)
    r = request("HEAD", "/healthz")
    check(r.status == 200 and r.body == b"", "HEAD /healthz: %r" % r)


SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,\s*)?)*\})?\s+'
                       r'(-?[0-9.eE+-]+|NaN|\+Inf|-Inf)(\s+-?\d+)?$')


def metric_value(text, name, **labels):
    total = None
    for ln in text.splitlines():
        if not ln.startswith(name + "{") and not ln.startswith(name + " "):
            continue
        if all('%s="%s"' % (k, v) in ln for k, v in labels.items()):
            total = (total or 0) + float(ln.rsplit(None, 1)[1])
    return total


@suite.test("/metrics: Prometheus text with fibertrack_http_requests_total by route and status")
def t_metrics():
    r = request("GET", "/metrics")
    require(r.status == 200, "/metrics: %r" % r)
    check(r.ctype == "text/plain", "Content-Type %r" % r.header("Content-Type"))
    text = r.text
    check("# TYPE fibertrack_http_requests_total counter" in text, "no TYPE line for fibertrack_http_requests_total")
    for ln in text.splitlines():
        if not ln or ln.startswith("#"):
            check(not ln or ln.startswith("# HELP ") or ln.startswith("# TYPE "), "bad comment line %r" % ln)
            continue
        check(SAMPLE_RE.match(ln), "not a Prometheus sample line: %r" % ln)
    check(re.search(r"^# TYPE \S+ histogram$", text, re.M), "no latency histogram")
    check(re.search(r'_bucket\{[^}]*le="\+Inf"', text), "histogram without a +Inf bucket")
    before = metric_value(text, "fibertrack_http_requests_total", route="/api/v1/projects", status="401") or 0
    for _ in range(3):
        request("GET", API + "/projects")
    after = metric_value(request("GET", "/metrics").text, "fibertrack_http_requests_total",
                         route="/api/v1/projects", status="401") or 0
    check(after - before >= 3, "3 requests answered 401 on /api/v1/projects; the counter went %s -> %s" % (before, after))


@suite.test("/metrics: open on loopback; elsewhere only with FT_METRICS_TOKEN, never by X-Forwarded-For")
def t_metrics_access():
    token = unique("scrape") + "-0123456789"
    bearer = {"Authorization": "Bearer " + token}
    # On loopback it is open; the suite server trusts X-Forwarded-For from
    # 127.0.0.1, yet a forwarded client address does not close it either.
    check(request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status == 200,
          "/metrics from a loopback peer with X-Forwarded-For")
    with OtherServer(FT_METRICS_TOKEN=token) as srv:
        r = srv.request("GET", "/metrics", headers=bearer)
        check(r.status == 200 and "fibertrack_http_requests_total" in r.text, "/metrics with the token: %r" % r)
        check(srv.request("GET", "/metrics", headers={"Authorization": "Bearer wrong"}).status == 200,
              "/metrics from loopback with a wrong token")
    host = local_address()
    if not host:
        print("# note: this machine has no non-loopback address; the refusal is covered by unit tests only")
        return
    # A server on a non-loopback address sees this client as non-loopback,
    # and it trusts that address as a proxy that claims the client is local.
    with OtherServer(host=host, FT_METRICS_TOKEN=token, FT_TRUSTED_PROXIES=host) as srv:
        p = problem(srv.request("GET", "/metrics"), 403, "/metrics from %s without a token" % host)
        check("fibertrack_" not in str(p), "the refusal shows metrics")
        problem(srv.request("GET", "/metrics", headers={"Authorization": "Bearer " + token + "x"}), 403,
                "/metrics with a wrong token")
        problem(srv.request("GET", "/metrics", headers={"Authorization": "Basic " + token}), 403,
                "/metrics with the token in another scheme")
        problem(srv.request("GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1"}), 403,
                "/metrics with X-Forwarded-For: 127.0.0.1 from a trusted proxy")
        r = srv.request("GET", "/metrics", headers=bearer)
        check(r.status == 200 and "fibertrack_http_requests_total" in r.text, "/metrics with the token: %r" % r)
    with OtherServer(host=host) as srv:
        problem(srv.request("GET", "/metrics", headers=bearer), 403, "/metrics when no token is configured")


@suite.test("/api/v1/openapi.json: OpenAPI 3.1 listing every route the tests use")
def t_openapi():
    r = request("GET", API + "/openapi.json")
    require(r.status == 200, "openapi.json: %r" % r)
    check(r.ctype == "application/json", "Content-Type %r" % r.header("Content-Type"))
    doc = r.json
    require(isinstance(doc, dict), "not a JSON object")
    check(re.match(r"^3\.1\.\d+$", str(doc.get("openapi"))), "openapi %r, want 3.1.x" % doc.get("openapi"))
    info = doc.get("info") or {}
    check(info.get("title") and info.get("version"), "info %r" % info)
    paths = doc.get("paths") or {}
    for path, methods in sorted(USED.items()):
        if not check(path in paths, "path %s is missing" % path):
            continue
        for m in methods:
            op = paths[path].get(m)
            if check(isinstance(op, dict), "%s %s is missing" % (m.upper(), path)):
                check(isinstance(op.get("responses"), dict) and op["responses"], "%s %s has no responses" % (m.upper(), path))
    # every $ref resolves
    refs = set(re.findall(r'"\$ref":\s*"#/([^"]+)"', r.text))
    for ref in sorted(refs):
        node = doc
        for part in ref.split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        check(node is not None, "$ref #/%s does not resolve" % ref)
    # the resource schemas carry the field names of SPEC 3
    schemas = (doc.get("components") or {}).get("schemas") or {}
    seg = (schemas.get("segments") or {}).get("properties") or {}
    for f in ("project_id", "lot_id", "from_node_id", "to_node_id", "planned_length_m", "geometry", "status", "progress"):
        check(f in seg, "segments schema lacks %s" % f)


@suite.test("body limits: > 1 MiB -> 413 problem even when announced only by Content-Length")
def t_body_limits():
    r = ADMIN.post("/contractors", raw=b'{"name": "' + b"x" * (MIB + 100) + b'"}', ctype="application/json")
    problem(r, 413, "1 MiB + 100 bytes")
    r = ADMIN.post("/contractors", raw=b'{"name": "' + b"x" * (MIB - 100) + b'"}', ctype="application/json")
    check(r.status == 422, "a body just under 1 MiB is read and validated (422 for the long name): %r" % r)
    status, hdrs, body = raw_http(("POST %s/contractors HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
                                   "Content-Type: application/json\r\nContent-Length: 70000000\r\n\r\n"
                                   % (API, ADMIN.token)).encode())
    # Refused from the Content-Length alone, as problem+json, before a byte of the body.
    check(status == 413 and hdrs.get("content-type") == "application/problem+json"
          and hdrs.get("x-request-id"),
          "Content-Length 70000000: status %d, %s" % (status, hdrs.get("content-type")))


@suite.test("header limit: 20 KiB of headers -> 431 problem, 8 KB pass")
def t_header_limit():
    status, hdrs, body = raw_http(("GET %s/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\nX-Big: %s\r\n\r\n"
                                   % (API, ADMIN.token, "a" * 20000)).encode())
    check(status == 431 and hdrs.get("content-type") == "application/problem+json"
          and hdrs.get("x-request-id"),
          "20 KiB header: status %d, %s" % (status, hdrs.get("content-type")))
    r = request("GET", API + "/me", token=ADMIN.token, headers={"X-Medium": "a" * 8000})
    check(r.status == 200, "8 KB of headers (under 16 KiB): %r" % r)


@suite.test("strict strings: NUL and other control characters are refused, not truncated")
def t_strings():
    a = ADMIN
    r = a.post("/contractors", raw='{"name": "Tief\\u0000bau GmbH"}', ctype="application/json")
    if r.status == 201:
        check(r.json.get("name") == "Tief\u0000bau GmbH",
              "a name with \\u0000 was stored as %r (silently truncated)" % r.json.get("name"))
    else:
        problem(r, 422, "a name with \\u0000")
    r = a.post("/contractors", {"name": "bell\u0007"})
    problem(r, 422, "a name with \\u0007")
    for name in ("🚀" * 200, "ü" * 200, "Straße 𝄞 日本"):
        r = a.post("/contractors", {"name": name})
        check(r.status == 201 and r.json.get("name") == name, "name of %d characters %r…: %r" % (len(name), name[:3], r))
    r = a.post("/contractors", {"name": "ü" * 201})
    problem(r, 422, "201 characters")


@suite.test("q search matches the text literally (% and _ are no wildcards)")
def t_search_literal():
    u = unique("lit")
    a = ADMIN
    c1 = a.create("contractors", {"name": "100%_sicher " + u})
    c2 = a.create("contractors", {"name": "100 sicher " + u})
    ids = {i["id"] for i in a.list_all("contractors", params={"q": "100%_sicher " + u})}
    check(ids == {c1["id"]}, "q with %% and _ found %s, want only %d" % (sorted(ids), c1["id"]))
    ids = {i["id"] for i in a.list_all("contractors", params={"q": "100_sicher " + u})}
    check(not ids, "q '100_sicher' matched %s: _ acted as a wildcard" % sorted(ids))
    ids = {i["id"] for i in a.list_all("contractors", params={"q": "100%%sicher " + u})}
    check(not ids, "q '100%%sicher' matched %s: %% acted as a wildcard" % sorted(ids))
    ids = {i["id"] for i in a.list_all("contractors", params={"q": u})}
    check(ids == {c1["id"], c2["id"]}, "q %s found %s" % (u, sorted(ids)))


@suite.test("timestamps are UTC; updated_since understands offsets")
def t_timestamps():
    import datetime
    c = ADMIN.create("contractors", {"name": unique("Time")})
    created = datetime.datetime.strptime(c["created_at"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    check(abs((now - created).total_seconds()) < 120, "created_at %s is not now (%s) in UTC" % (c["created_at"], now))
    local = (created + datetime.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S") + c["created_at"][19:-1] + "+05:00"
    r = ADMIN.get("/contractors", params={"updated_since": local, "q": c["name"]})
    check(r.status == 200 and [i["id"] for i in r.json["items"]] == [c["id"]], "updated_since %s: %r" % (local, r))
    later = (created + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
    r = ADMIN.get("/contractors", params={"updated_since": later, "q": c["name"]})
    check(r.status == 200 and r.json["items"] == [], "updated_since a minute later: %r" % r)


@suite.test("every operation the OpenAPI document marks as secured answers 401 without a token")
def t_secured_routes():
    doc = request("GET", API + "/openapi.json").json
    require(isinstance(doc, dict), "no OpenAPI document")
    n = 0
    for path, item in sorted((doc.get("paths") or {}).items()):
        for method, op in sorted(item.items()):
            if method not in ("get", "post", "patch", "put", "delete") or not isinstance(op, dict):
                continue
            if not op.get("security"):
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            kw = {"body": {}} if method in ("post", "patch", "put") else {}
            r = request(method.upper(), concrete, headers={"If-Match": '"1"'}, **kw)
            problem(r, 401, "%s %s without a token" % (method.upper(), concrete))
            check((r.header("WWW-Authenticate") or "").lower().startswith("bearer"),
                  "%s %s: WWW-Authenticate %r" % (method.upper(), concrete, r.header("WWW-Authenticate")))
            n += 1
    check(n >= 30, "only %d secured operations in the OpenAPI document" % n)
    for path in ("/healthz", "/readyz", "/metrics", API + "/openapi.json"):
        check(request("GET", path).status == 200, "GET %s needs no token" % path)


@suite.test("keep-alive: one connection serves a sequence of requests, errors included")
def t_keep_alive():
    seq = [("GET", API + "/me", None, 200), ("POST", API + "/contractors", '{"name": "Keep %s"}' % unique("a"), 201),
           ("GET", API + "/nope", None, 404), ("POST", API + "/contractors", '{"name": 1}', 422),
           ("POST", API + "/contractors", "{", 400), ("PATCH", API + "/contractors/1", '{"phone": "1"}', 428),
           ("GET", API + "/contractors?limit=1", None, 200), ("GET", "/healthz", None, 200)]
    ids = set()
    with KeepAlive(timeout=30) as conn:
        for method, path, body, want in seq:
            r = request(method, path, token=ADMIN.token, raw=body, ctype="application/json", conn=conn)
            check(r.status == want, "%s %s on a kept-alive connection: %d %s" % (method, path, r.status, short(r.body)))
            ids.add(r.request_id)
    check(len(ids) == len(seq) and None not in ids, "X-Request-IDs on one connection: %s" % ids)


@suite.test("config.json: no base map by default; FT_MAP_TILES gives the dashboard its template and "
            "attribution and lets the page load its tiles; a bad template stops the start")
def t_map_config():
    import json
    import os
    import subprocess
    import tempfile
    r = request("GET", "/config.json")
    check(r.status == 200 and r.json.get("map", "") is None, "default config.json: %r" % r)
    # the app shell the service worker keeps: every file of the dashboard, and a version of them all
    app = r.json.get("app") or {}
    check({"index.html", "app.js", "app.css", "sw.js"} <= set(app.get("files", []))
          and "config.json" not in app.get("files", []), "config.json's app files: %r" % app)
    check(isinstance(app.get("version"), str) and len(app["version"]) == 32, "config.json's app version: %r" % app)
    csp = request("GET", "/").header("Content-Security-Policy") or ""
    check("img-src 'self' data: blob:;" in csp, "default CSP %r" % csp)
    tiles = "https://tiles.example.org/osm/{z}/{x}/{y}.png"
    with OtherServer(FT_MAP_TILES=tiles, FT_MAP_ATTRIBUTION="© OpenStreetMap-Mitwirkende") as srv:
        c = srv.request("GET", "/config.json")
        check(c.status == 200 and c.json.get("map") == {"tiles": tiles, "attribution": "© OpenStreetMap-Mitwirkende"}
              and c.json.get("app") == app, "config.json with a map: %r" % c)
        csp = srv.request("GET", "/").header("Content-Security-Policy") or ""
        check("img-src 'self' data: blob: https://tiles.example.org;" in csp, "CSP with a map: %r" % csp)
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, FT_MAP_TILES="https://{s}.tiles.example.org/{z}/{x}/{y}.png", FT_DATA_DIR=d,
                   FT_LISTEN="127.0.0.1:1")
        env.pop("FT_DB_URL", None)
        p = subprocess.run([os.environ["FT_BIN"], "serve"], env=env, capture_output=True, text=True, timeout=60)
        check(p.returncode == 2 and "FT_MAP_TILES" in p.stderr, "a bad FT_MAP_TILES: exit %d, %r"
              % (p.returncode, p.stderr[-300:]))
        check(not os.path.exists(os.path.join(d, "mariadb")), "a bad setting started a database")


def setup():
    global ADMIN
    ADMIN = add_admin(unique("meta"))


if __name__ == "__main__":
    suite.run(setup)
