"""ftapi — shared helpers for the fibertrack API suites (standard library; the
OpenAPI check of every response also needs Debian's python3-jsonschema).

Environment (set by tests/run.sh):
  FT_BASE_URL  http://127.0.0.1:PORT of the running server
  FT_DATA_DIR  its data dir; the embedded MariaDB socket is $FT_DATA_DIR/mariadb/mariadb.sock
  FT_BIN       path of fibertrackd (for `fibertrackd user add`)
  FT_VERBOSE   set to 1 to print a line for every passing test too

What is here:
  request()/Client    HTTP with a bearer token, JSON or raw bodies, any headers
  Response            status, headers, body, .json
  problem()           checks the RFC 9457 problem+json shape of an error
  db_query()          runs SQL through the mariadb client on the private socket
  db_snapshot()       CHECKSUM TABLE + row count of every table ("nothing changed")
  Fixture             admin/manager/finance, two contractors with users, projects,
                      lots, nodes, segments, premises
  check()/require()   soft and hard assertions; Suite: a tiny test runner whose
                      last line is exactly "N passed, N failed"
  OtherServer         a second fibertrackd on the same database with other settings

Every response request() receives is checked against GET /api/v1/openapi.json
(openapi_check); a suite's last test fails on any response that breaks it.
"""

import http.client
import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

import openapi_check

BASE = os.environ.get("FT_BASE_URL", "http://127.0.0.1:18181").rstrip("/")
DATA_DIR = os.environ.get("FT_DATA_DIR", "")
BIN = os.environ.get("FT_BIN", "bin/fibertrackd")
SOCK = os.path.join(DATA_DIR, "mariadb", "mariadb.sock")
API = "/api/v1"
MIB = 1024 * 1024

_u = urllib.parse.urlsplit(BASE)
HOST, PORT = _u.hostname, _u.port or 80


# ---------------------------------------------------------------- assertions


class Failure(Exception):
    """A hard test failure: the test stops here."""


_state = threading.local()


def _errors():
    if not hasattr(_state, "errors"):
        _state.errors = []
    return _state.errors


def check(cond, msg):
    """Soft assertion: records msg as a failure and lets the test go on."""
    if not cond:
        _errors().append(msg)
    return bool(cond)


def require(cond, msg):
    """Hard assertion: stops the test."""
    if not cond:
        raise Failure(msg)


def fail(msg):
    raise Failure(msg)


def short(x, n=300):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + "…"


def unique(prefix="t"):
    """A code unlikely to exist already: prefix plus 8 random characters."""
    return prefix + "-" + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))


# ---------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status, headers, body, method, path):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.method = method
        self.path = path
        self._json = None
        self._parsed = False

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    @property
    def ctype(self):
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def etag(self):
        return self.header("ETag")

    @property
    def request_id(self):
        return self.header("X-Request-ID")

    def __repr__(self):
        return "%s %s -> %s %s" % (self.method, self.path, self.status, short(self.text, 400))


_UNSET = object()


def request(method, path, token=None, body=_UNSET, raw=None, ctype=_UNSET, headers=None,
            params=None, timeout=60, server=None):
    """One HTTP request on a new connection.

    body: a JSON value to send (Content-Type application/json unless ctype says other);
    raw: bytes/str sent as they are (Content-Type only if ctype is given);
    ctype=None: send no Content-Type at all; params: dict added as the query string;
    server: (host, port) of another server than the suite's.
    """
    if params:
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
    hdrs = {}
    data = None
    if body is not _UNSET:
        data = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    elif raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if ctype is not _UNSET:
        if ctype is None:
            hdrs.pop("Content-Type", None)
        else:
            hdrs["Content-Type"] = ctype
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if headers:
        hdrs.update(headers)
    last = None
    for attempt in range(3):
        conn = http.client.HTTPConnection(*(server or (HOST, PORT)), timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            payload = r.read()
            openapi_check.observe(method, path, r.status, r.getheaders(), payload, server or (HOST, PORT))
            return Response(r.status, r.getheaders(), payload, method, path)
        except (ConnectionRefusedError, ConnectionResetError) as e:
            # only before anything could have been processed is a retry safe
            last = e
            if method not in ("GET", "HEAD") or attempt == 2:
                raise
            time.sleep(0.2)
        finally:
            conn.close()
    raise last


class Client:
    """Requests with one bearer token. Paths without a leading '/api' get /api/v1 prefixed."""

    def __init__(self, token=None, user=None):
        self.token = token
        self.user = user or {}

    @property
    def id(self):
        return self.user.get("id")

    def _p(self, path):
        return path if path.startswith("/api") or path.startswith("/healthz") or \
            path.startswith("/readyz") or path.startswith("/metrics") else API + path

    def req(self, method, path, **kw):
        return request(method, self._p(path), token=self.token, **kw)

    def get(self, path, params=None, **kw):
        return self.req("GET", path, params=params, **kw)

    def post(self, path, body=_UNSET, **kw):
        return self.req("POST", path, body=body, **kw)

    def patch(self, path, body=_UNSET, if_match=None, **kw):
        if if_match is not None:
            kw.setdefault("headers", {})["If-Match"] = if_match
        return self.req("PATCH", path, body=body, **kw)

    def delete(self, path, if_match=None, **kw):
        if if_match is not None:
            kw.setdefault("headers", {})["If-Match"] = if_match
        return self.req("DELETE", path, **kw)

    # helpers that must succeed (used to build fixtures)
    def create(self, coll, body, **kw):
        r = self.post("/" + coll, body, **kw)
        require(r.status == 201, "setup: POST /%s %s: %r" % (coll, short(json.dumps(body), 200), r))
        return r.json

    def fetch(self, coll, id_):
        r = self.get("/%s/%s" % (coll, id_))
        require(r.status == 200, "GET /%s/%s: %r" % (coll, id_, r))
        return r.json

    def list_all(self, coll, params=None, limit=1000):
        """Every item of a list, following next_cursor."""
        items, cursor, pages = [], None, 0
        while True:
            p = dict(params or {})
            p["limit"] = str(limit)
            if cursor:
                p["cursor"] = cursor
            r = self.get("/" + coll, params=p)
            require(r.status == 200, "GET /%s: %r" % (coll, r))
            items.extend(r.json["items"])
            cursor = r.json.get("next_cursor")
            pages += 1
            if not cursor or pages > 10000:
                return items


def login(email, password):
    return request("POST", API + "/auth/login", body={"email": email, "password": password})


def etag_of(obj):
    return '"%d"' % obj["version"]


def problem(r, status, what=""):
    """Checks an error response: status, application/problem+json and RFC 9457 members.
    Returns the parsed problem (or {}). Soft: records failures and goes on."""
    label = (what + ": ") if what else ""
    if not check(r.status == status, "%sexpected %d, got %r" % (label, status, r)):
        return r.json if isinstance(r.json, dict) else {}
    check(r.ctype == "application/problem+json",
          "%s%d has Content-Type %r, not application/problem+json" % (label, status, r.header("Content-Type")))
    p = r.json
    if not check(isinstance(p, dict), "%s%d body is not a JSON object: %r" % (label, status, r)):
        return {}
    for k, t in (("type", str), ("title", str), ("status", int), ("detail", str), ("request_id", str)):
        check(isinstance(p.get(k), t), "%sproblem member %r missing or not %s: %s" % (label, k, t.__name__, short(r.text)))
    check(p.get("status") == status, "%sproblem status %r != %d" % (label, p.get("status"), status))
    check(p.get("request_id") == r.request_id,
          "%sproblem request_id %r != X-Request-ID %r" % (label, p.get("request_id"), r.request_id))
    low = r.text.lower()
    for leak in ("select ", "insert into", "update ", "sql syntax", "mariadb", "/tmp/", "/work/", ".c:"):
        check(leak not in low, "%sproblem leaks internals (%r): %s" % (label, leak, short(r.text)))
    return p


def pointers(r):
    """The set of JSON Pointers of a 422's errors[]."""
    p = r.json if isinstance(r.json, dict) else {}
    errs = p.get("errors")
    if not isinstance(errs, list):
        return None
    out = set()
    for e in errs:
        if isinstance(e, dict) and isinstance(e.get("pointer"), str):
            out.add(e["pointer"])
    return out


def invalid(r, fields, what=""):
    """Checks a 422 whose errors[] name exactly the given fields (as /name pointers)."""
    problem(r, 422, what)
    if r.status != 422:
        return
    got = pointers(r)
    want = {"/" + f.replace("~", "~0").replace("/", "~1") for f in fields}
    if not check(got is not None, "%s: 422 without an errors array: %s" % (what, short(r.text))):
        return
    for e in r.json.get("errors", []):
        check(isinstance(e, dict) and isinstance(e.get("detail"), str) and e.get("detail"),
              "%s: errors[] entry without detail: %r" % (what, e))
    check(want <= got, "%s: 422 does not name %s (named %s)" % (what, sorted(want - got), sorted(got)))
    check(got <= want, "%s: 422 names unexpected %s" % (what, sorted(got - want)))


# ------------------------------------------------------------------ database


def db_query(sql):
    """Runs SQL on the server's private MariaDB; returns rows as lists of strings (NULL -> None)."""
    require(DATA_DIR, "FT_DATA_DIR is not set")
    p = subprocess.run(["mariadb", "-S", SOCK, "-u", "root", "fibertrack", "-N", "-B", "-e", sql],
                       capture_output=True, text=True, timeout=60)
    require(p.returncode == 0, "mariadb: %s" % p.stderr.strip())
    rows = []
    for line in p.stdout.splitlines():
        rows.append([None if c == "NULL" else c for c in line.split("\t")])
    return rows


def db_value(sql):
    rows = db_query(sql)
    return rows[0][0] if rows else None


_tables = None

# Columns a request may legitimately touch without changing anything: a token's
# last_used_at is written (at most once a minute) by any authenticated request.
_TOKEN_DIGEST = ("SELECT 'tokens', COALESCE(SUM(CRC32(CONCAT_WS('|', id, user_id, name, HEX(hash), prefix, "
                 "IFNULL(expires_at,'-'), IFNULL(revoked_at,'-'), version, created_at, updated_at))), 0), "
                 "COUNT(*) FROM tokens")


def db_snapshot():
    """{table: (checksum, row count)} for every table of the database (tokens without
    last_used_at). Equal snapshots before and after a request: it changed nothing."""
    global _tables
    if _tables is None:
        _tables = [r[0] for r in db_query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'fibertrack' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
    plain = [t for t in _tables if t != "tokens"]
    sql = "CHECKSUM TABLE %s; " % ", ".join("`%s`" % t for t in plain)
    sql += " UNION ALL ".join("SELECT '%s', COUNT(*) FROM `%s`" % (t, t) for t in plain) + "; "
    sql += _TOKEN_DIGEST + ";"
    snap = {}
    counts = {}
    for row in db_query(sql):
        if len(row) == 2 and "." in row[0]:  # CHECKSUM TABLE: db.table, checksum
            snap[row[0].split(".", 1)[1]] = row[1]
        elif len(row) == 2:
            counts[row[0]] = row[1]
        elif len(row) == 3:  # tokens digest
            snap[row[0]] = row[1]
            counts[row[0]] = row[2]
    return {t: (snap.get(t), counts.get(t)) for t in _tables}


def check_unchanged(before, what=""):
    """Takes a new snapshot and checks it equals `before`."""
    after = db_snapshot()
    diff = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    check(not diff, "%s: the database changed (tables %s)" % (what, ", ".join(diff)))


# ------------------------------------------------------------ a second server


def local_address():
    """A non-loopback IPv4 address of this machine (None when it has none):
    a server bound to it sees our connections come from a non-loopback peer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("203.0.113.1", 9))  # chooses a source address; sends nothing
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") else addr


class OtherServer:
    """A second fibertrackd serving the suite's database (FT_DB_URL on the private
    socket, so it starts no MariaDB) with the FT_* settings given, and none of the
    suite server's edge settings. A context manager; on leaving, it must stop with
    status 0 after SIGTERM.

        with OtherServer(FT_METRICS_TOKEN="...") as srv:
            r = srv.request("GET", "/metrics")
    """

    def __init__(self, host="127.0.0.1", **settings):
        self.host = host
        s = socket.socket()
        s.bind((host, 0))
        self.port = s.getsockname()[1]
        s.close()
        env = {k: v for k, v in os.environ.items()
               if k not in ("FT_TRUSTED_PROXIES", "FT_METRICS_TOKEN", "FT_SECRET", "FT_HOUSEKEEPING_INTERVAL")}
        env.update({"FT_DB_URL": "mariadb://root@localhost/fibertrack?socket=" + SOCK,
                    "FT_LISTEN": "%s:%d" % (host, self.port), "FT_THREADS": "1", "FT_DB_POOL": "2"})
        env.update(settings)
        self.env = env
        self.proc = None

    def __enter__(self):
        art = os.environ.get("FT_ARTIFACTS") or DATA_DIR or "."
        self.log = open(os.path.join(art, "other-server.log"), "ab")
        self.proc = subprocess.Popen([BIN, "serve"], env=self.env, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                fail("the second fibertrackd exited with status %s (see other-server.log)" % self.proc.returncode)
            try:
                if self.request("GET", "/healthz", timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__(None, None, None)
        fail("the second fibertrackd did not answer /healthz within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            check(self.proc.returncode == 0, "the second fibertrackd exited with status %s after SIGTERM"
                  % self.proc.returncode)
        self.log.close()
        return False

    def request(self, method, path, **kw):
        return request(method, path, server=(self.host, self.port), **kw)


# ------------------------------------------------------------------ fixtures


def add_admin(tag):
    """Creates an admin with `fibertrackd user add` and signs in; returns a Client."""
    email = "admin-%s@test.example" % tag
    password = "pw-" + unique("admin")
    p = subprocess.run([BIN, "user", "add", "--email", email, "--name", "Admin " + tag, "--role", "admin"],
                       input=password + "\n", capture_output=True, text=True, timeout=60)
    require(p.returncode == 0, "fibertrackd user add: %s %s" % (p.stdout.strip(), p.stderr.strip()))
    r = login(email, password)
    require(r.status == 201, "admin login: %r" % r)
    c = Client(r.json["token"], r.json["user"])
    c.email, c.password = email, password
    return c


def user_client(admin, role, tag, contractor_id=None, password=None):
    """Creates a user through the API as admin and issues it a token (no sign-in needed)."""
    body = {"email": "%s-%s@test.example" % (role, tag), "name": "%s %s" % (role.title(), tag), "role": role}
    if contractor_id is not None:
        body["contractor_id"] = contractor_id
    if password:
        body["password"] = password
    u = admin.create("users", body)
    t = admin.create("tokens", {"name": "tests", "user_id": u["id"]})
    c = Client(t["token"], u)
    c.email, c.password = body["email"], password
    return c


def line(a, b):
    return {"type": "LineString", "coordinates": [list(a), list(b)]}


class Fixture:
    """A small world: admin, manager, finance; contractors A and B each with a user;
    project P with lots A (contractor A), B (contractor B) and U (no contractor);
    project Q where only B has a lot; nodes, segments in each lot, premises served
    by each segment, and one premise without a segment."""

    def __init__(self, tag=None):
        self.tag = tag or unique("fx")
        t = self.tag
        self.admin = add_admin(t)
        a = self.admin
        self.manager = user_client(a, "manager", t)
        self.finance = user_client(a, "finance", t)
        self.con_a = a.create("contractors", {"name": "Tiefbau A " + t, "vat_id": "DE100000001",
                                              "email": "a-%s@bau.example" % t, "phone": "+49 30 1"})
        self.con_b = a.create("contractors", {"name": "Kabel B " + t, "vat_id": "DE100000002"})
        self.ca = user_client(a, "contractor", t + "-a", contractor_id=self.con_a["id"])
        self.cb = user_client(a, "contractor", t + "-b", contractor_id=self.con_b["id"])
        self.p = a.create("projects", {"code": unique("P"), "name": "Weiße Flecken " + t,
                                       "municipality": "Musterstadt", "budget_cents": 250000000,
                                       "federal_rate": 0.5, "state_rate": 0.4,
                                       "start_date": "2026-01-01", "planned_end_date": "2027-06-30"})
        self.q = a.create("projects", {"code": unique("Q"), "name": "Other " + t, "municipality": "Nebenort"})
        pid, qid = self.p["id"], self.q["id"]
        self.lot_a = a.create("lots", {"project_id": pid, "code": unique("LA"), "name": "Los A",
                                       "contractor_id": self.con_a["id"], "contract_value_cents": 5000000})
        self.lot_b = a.create("lots", {"project_id": pid, "code": unique("LB"), "name": "Los B",
                                       "contractor_id": self.con_b["id"]})
        self.lot_u = a.create("lots", {"project_id": pid, "code": unique("LU"), "name": "Los U"})
        self.lot_bq = a.create("lots", {"project_id": qid, "code": unique("LQ"), "name": "Los Q",
                                        "contractor_id": self.con_b["id"]})
        self.nodes = [a.create("nodes", {"project_id": pid, "code": unique("N%d" % i), "kind": k,
                                         "name": "node %d" % i, "lat": 52.5 + i / 1000, "lon": 13.4 + i / 1000})
                      for i, k in enumerate(["pop", "cabinet", "cabinet", "splice_closure", "handhole", "building_entry"])]
        self.node_q = [a.create("nodes", {"project_id": qid, "code": unique("NQ%d" % i), "kind": "handhole"})
                       for i in range(2)]
        n = self.nodes

        def seg(lot, n0, n1, proj=pid, code="S"):
            return a.create("segments", {
                "project_id": proj, "lot_id": lot["id"], "code": unique(code), "from_node_id": n0["id"],
                "to_node_id": n1["id"], "kind": "trench", "method": "open_trench", "surface": "sealed",
                "planned_length_m": 120.5, "built_length_m": 0, "fiber_count": 96,
                "geometry": line((13.4, 52.5), (13.401, 52.501))})
        self.seg_a = seg(self.lot_a, n[0], n[1], code="SA")
        self.seg_b = seg(self.lot_b, n[2], n[3], code="SB")
        self.seg_u = seg(self.lot_u, n[4], n[5], code="SU")
        self.seg_bq = seg(self.lot_bq, self.node_q[0], self.node_q[1], proj=qid, code="SQ")

        def prem(segment, proj=pid, code="H"):
            body = {"project_id": proj, "code": unique(code), "street": "Hauptstraße", "house_number": "1a",
                    "postcode": "12345", "city": "Musterstadt", "lat": 52.5, "lon": 13.4, "white_spot": True}
            if segment:
                body["serving_segment_id"] = segment["id"]
            return a.create("premises", body)
        self.prem_a = prem(self.seg_a, code="HA")
        self.prem_b = prem(self.seg_b, code="HB")
        self.prem_u = prem(self.seg_u, code="HU")
        self.prem_none = prem(None, code="HN")
        self.prem_bq = prem(self.seg_bq, proj=qid, code="HQ")

    # what each contractor may see
    def visible_to(self, who):
        """{collection: set of ids} of the fixture's objects that contractor 'a' or 'b' sees."""
        if who == "a":
            return {"projects": {self.p["id"]}, "contractors": {self.con_a["id"]},
                    "lots": {self.lot_a["id"]}, "segments": {self.seg_a["id"]},
                    "nodes": {self.nodes[0]["id"], self.nodes[1]["id"]}, "premises": {self.prem_a["id"]}}
        return {"projects": {self.p["id"], self.q["id"]}, "contractors": {self.con_b["id"]},
                "lots": {self.lot_b["id"], self.lot_bq["id"]}, "segments": {self.seg_b["id"], self.seg_bq["id"]},
                "nodes": {self.nodes[2]["id"], self.nodes[3]["id"], self.node_q[0]["id"], self.node_q[1]["id"]},
                "premises": {self.prem_b["id"], self.prem_bq["id"]}}

    def all_ids(self):
        return {"projects": {self.p["id"], self.q["id"]},
                "contractors": {self.con_a["id"], self.con_b["id"]},
                "lots": {x["id"] for x in (self.lot_a, self.lot_b, self.lot_u, self.lot_bq)},
                "segments": {x["id"] for x in (self.seg_a, self.seg_b, self.seg_u, self.seg_bq)},
                "nodes": {x["id"] for x in self.nodes + self.node_q},
                "premises": {x["id"] for x in (self.prem_a, self.prem_b, self.prem_u, self.prem_none, self.prem_bq)}}


# -------------------------------------------------------------------- runner


class Suite:
    """A list of named test functions. run() prints one line per failure and ends
    with exactly 'N passed, N failed'; the exit status is 1 when anything failed."""

    def __init__(self, name):
        self.name = name
        self.tests = []
        self.verbose = os.environ.get("FT_VERBOSE") == "1"

    def test(self, name=None):
        def deco(fn):
            self.tests.append((name or fn.__name__, fn))
            return fn
        return deco

    def add(self, name, fn):
        self.tests.append((name, fn))

    def run(self, setup=None):
        passed = failed = 0
        # Last: every response the tests received kept the promises of the
        # OpenAPI document.
        self.tests.append((openapi_check.TITLE, lambda: _openapi_promises(self.name)))
        t_start = time.time()
        if setup:
            try:
                setup()
            except Exception as e:  # noqa: BLE001 - report any setup error as a failure
                print("FAIL %s setup: %s" % (self.name, _describe(e)), flush=True)
                print("0 passed, 1 failed", flush=True)
                sys.exit(1)
        for name, fn in self.tests:
            _state.errors = []
            t0 = time.time()
            try:
                fn()
            except Failure as e:
                _state.errors.append(str(e))
            except Exception as e:  # noqa: BLE001
                _state.errors.append(_describe(e))
            errs = _state.errors
            if errs:
                failed += 1
                print("FAIL %s: %s" % (name, " | ".join(errs)), flush=True)
            else:
                passed += 1
                if self.verbose:
                    print("ok   %s (%.2fs)" % (name, time.time() - t0), flush=True)
        print("# " + openapi_check.tally(), flush=True)
        if self.verbose:
            print("# %s took %.1fs" % (self.name, time.time() - t_start), flush=True)
        print("%d passed, %d failed" % (passed, failed), flush=True)
        sys.exit(1 if failed else 0)


def _openapi_promises(suite):
    art = os.environ.get("FT_ARTIFACTS")
    save_to = os.path.join(art, "openapi-%s.txt" % suite) if art else None
    for msg in openapi_check.failures(save_to):
        check(False, msg)


def _describe(e):
    tb = traceback.extract_tb(e.__traceback__)
    where = ""
    if tb:
        f = tb[-1]
        where = " (%s:%d)" % (os.path.basename(f.filename), f.lineno)
    return "%s: %s%s" % (type(e).__name__, e, where)


def parallel(fns):
    """Runs the callables in threads at once; returns their results (exceptions as values)."""
    results = [None] * len(fns)
    barrier = threading.Barrier(len(fns))

    def run(i, fn):
        try:
            barrier.wait(10)
            results[i] = fn()
        except Exception as e:  # noqa: BLE001
            results[i] = e
    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results
