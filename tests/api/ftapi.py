"""ftapi — what the API suites share: tests/lib/ftlib.py aimed at the server of
tests/run.sh, plus their users and objects (standard library only).

Environment (set by tests/run.sh):
  FT_BASE_URL  http://127.0.0.1:PORT of the running server
  FT_DATA_DIR  its data dir; the embedded MariaDB socket is $FT_DATA_DIR/mariadb/mariadb.sock
  FT_BIN       path of fibertrackd (for `fibertrackd user add`)
  FT_VERBOSE   set to 1 to print a line for every passing test too

What is here:
  request()/Client    HTTP with a bearer token, JSON or raw bodies, any headers
  Response            status, headers, body, .json
  problem()/invalid() the RFC 9457 problem+json shape of an error; the fields a 422 names
  db_query()          runs SQL through the mariadb client on the private socket
  db_snapshot()       CHECKSUM TABLE + row count of every table ("nothing changed")
  Fixture             admin/manager/finance, two contractors with users, projects,
                      lots, nodes, segments, premises
  check()/require()   soft and hard assertions; Suite: a tiny test runner whose
                      last line is exactly "N passed, N failed"
  OtherServer         a second fibertrackd on the same database with other settings
"""

import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import ftlib  # noqa: E402
# The suites import these from here.
from ftlib import (API, MIB, Failure, KeepAlive, Response, Suite, check, check_unchanged,  # noqa: E402,F401
                   db_snapshot, fail, parallel, problem, require, short, unique)

SERVER = ftlib.Server.from_env()
BASE = ftlib.BASE_URL
DATA_DIR = SERVER.data_dir
BIN = SERVER.bin
SOCK = SERVER.sock
HOST, PORT = SERVER.base

_UNSET = ftlib._UNSET


def request(method, path, **kw):
    """One HTTP request to the suite's server (see ftlib.request). A GET refused or
    reset before it was processed is sent again, twice at most."""
    kw.setdefault("retries", 2)
    return ftlib.request(method, path, **kw)


class Client:
    """Requests with one bearer token. Paths without a leading '/api' get /api/v1 prefixed."""

    def __init__(self, token=None, user=None):
        self.token = token
        self.user = user or {}

    @property
    def id(self):
        return self.user.get("id")

    def req(self, method, path, **kw):
        return request(method, ftlib.api_path(path), token=self.token, **kw)

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


def db_query(sql):
    """Runs SQL on the server's private MariaDB; returns rows as lists of strings (NULL -> None)."""
    return ftlib.sql(sql)


def db_value(sql):
    return ftlib.scalar(sql)


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


class OtherServer(ftlib.Server):
    """A second fibertrackd serving the suite's database (FT_DB_URL on the private
    socket, so it starts no MariaDB) with the FT_* settings given, and none of the
    suite server's edge settings. A context manager; on leaving, it must stop with
    status 0 after SIGTERM.

        with OtherServer(FT_METRICS_TOKEN="...") as srv:
            r = srv.request("GET", "/metrics")
    """

    def __init__(self, host="127.0.0.1", **settings):
        art = os.environ.get("FT_ARTIFACTS") or DATA_DIR or "."
        super().__init__(db_url="mariadb://root@localhost/fibertrack?socket=" + SOCK, host=host, bin=BIN,
                         settings=dict({"FT_THREADS": "1", "FT_DB_POOL": "2"}, **settings),
                         unset=("FT_TRUSTED_PROXIES", "FT_METRICS_TOKEN", "FT_SECRET", "FT_HOUSEKEEPING_INTERVAL"),
                         log_path=os.path.join(art, "other-server.log"))

    def __enter__(self):
        try:
            self.start()
        except RuntimeError as e:
            self.stop()
            fail("the second fibertrackd: %s" % short(str(e), 600))
        return self

    def __exit__(self, *exc):
        rc = self.stop()
        check(rc == 0, "the second fibertrackd exited with status %s after SIGTERM" % rc)
        return False

    def request(self, method, path, **kw):
        return request(method, path, server=self.base, **kw)


# ------------------------------------------------------------------ fixtures


def add_admin(tag):
    """Creates an admin with `fibertrackd user add` and signs in; returns a Client."""
    email = "admin-%s@test.example" % tag
    password = "pw-" + unique("admin")
    SERVER.user_add(email, "Admin " + tag, "admin", password)
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
