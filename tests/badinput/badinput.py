"""badinput — fibertrack must refuse bad input cleanly, and change nothing.

Run by tests/badinput/run-badinput.sh (and so by `make test`) against the
server tests/run.sh starts; it needs FT_BASE_URL, FT_DATA_DIR and FT_BIN.
Alone: `FT_SUITES='badinput/*' make test`.

What every case asserts
  - no 5xx (an HTTP version the server does not speak is a 400 too), and
    the request is refused (a 4xx; where the contract names the
    status, that status: 400 for %00 in a path or query, 405 for a method a
    path does not take, 413 beyond a body limit, 415 for a body that is not
    JSON, 422 naming the member for a bad member, 428/412 for If-Match);
  - the answer is application/problem+json with type, title, status, detail
    and request_id (equal to the X-Request-ID header, which every answer
    carries); 405 has Allow, 401 has WWW-Authenticate;
  - the connection answers or is closed, within a timeout (no hang); after a
    framing error it is closed, and nothing smuggled behind it is answered;
  - the database is unchanged. Every table is fingerprinted with CHECKSUM
    TABLE: around each case run one at a time (the server's row-write
    counters Handler_write/update/delete are read after each case, and the
    tables are checksummed again whenever they moved), around each category
    (a "db" case per category, checksummed whatever the counters said),
    around the cases run in parallel, and over the whole run. Three tables
    are compared in part only (wire.DB.SPECIAL): tokens without last_used_at
    and updated_at (every authenticated request, refused or not, may stamp
    them), login_failures written since the run began (older rows may be
    purged by housekeeping; no case may add one), idempotency keys of the
    last 23 hours (a refused request may claim its key but must release it
    before it answers).

How cases are made
  The routes and the body schemas come from GET /api/v1/openapi.json; the
  flags the document does not carry (list filters, immutable, multi-line,
  storage type) from the field tables in server/api/*.c (spec.py). The
  generators in cases.py (one per category) and raw.py turn them into cases:

    field    every writable member of every body: wrong types, ranges, huge
             and broken strings (NUL raw and escaped, control bytes, invalid
             UTF-8, lone surrogates), bad dates, e-mails, enums, geometries
    body     empty, malformed, non-object, duplicate keys, deep nesting,
             unknown/read-only/immutable/missing members
    ctype    a valid body with a Content-Type that is not JSON
    query    invalid filters, limits, cursors, repeated and unknown
             parameters, %00 in the query of every GET
    id       malformed ids on every route with an id (0, -1, 1e3, 01, 2^64+id,
             id%00, %2e%2e, very long, non-ASCII digits, ...)
    method   methods a path does not take, and unknown methods
    role     every route as anonymous and as each role, with something bad
    auth     missing, malformed, revoked and foreign credentials
    etag     weak, malformed and missing If-Match
    idem     malformed Idempotency-Key headers
    rules    bodies that break one cross-field rule
    path     NUL, traversal and encoding tricks in the path
    raw      broken request lines and headers, bad framing (parallel)
    limits   bodies beyond the route's limit, declared or sent (parallel)
    db       the database over each category and over the whole run

  A new route in the document, or a new field in a field table, gets its
  cases without a change here.

  A case built from a real id with an otherwise valid body (PATCH
  /contractors/7%00 {"phone": ...}) fails loudly on a server that reads it
  as id 7: the change shows in the database. DELETE cases aim at victims
  made for them, so a server that wrongly deletes destroys nothing else.

Users and data
  The test server has no demo data: the suite adds an admin with
  `fibertrackd user add`, then through the API a manager, a finance user, a
  contractor user (with their contractor), and a small project (lot, nodes,
  segment, premise, milestone, invoice, progress reports). Each role signs
  in once via POST /api/v1/auth/login. Sign-in cases only use bodies a
  correct server refuses before it checks a password, so they count no
  failed sign-ins; should a faulty server count some anyway, they are
  removed at the end so that later suites are not rate-limited.

Adding a case
  Add a line to the table or generator of its category: a Case names the
  method, target, who sends it, the headers and body, and what a correct
  server answers (expect, pointer). A new bad value in variants() (cases.py)
  is tried on every field of its type; a new entry in ID_FORMS on every
  route with an id. Anything that must go out byte for byte goes to raw.py
  with raw=lambda ctx: b"...". A case must be refused by a correct server
  whoever sends it: no valid requests here.

Output: one FAIL line per failed case, a summary per category and per kind
of failure, and last exactly "N passed, N failed" (each case is one test).
FT_VERBOSE=1 prints every case.
"""

import concurrent.futures
import datetime
import json
import os
import secrets
import subprocess
import sys
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases as C  # noqa: E402
import raw as R  # noqa: E402
from spec import Spec  # noqa: E402
from wire import DB, Conn, build, request_once  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BASE = os.environ.get("FT_BASE_URL", "").rstrip("/")
DATA_DIR = os.environ.get("FT_DATA_DIR", "")
BIN = os.environ.get("FT_BIN") or os.path.join(ROOT, "bin", "fibertrackd")
VERBOSE = os.environ.get("FT_VERBOSE") == "1"
TIMEOUT = 10.0  # seconds for an ordinary case; raw cases set their own
RAW_TIMEOUT = 5.0
# The cost categories of invoices and budget lines.
COST_CATEGORIES = ["civil_works", "cabling", "splicing", "planning", "materials", "other"]
PARALLEL = 8


class SetupError(Exception):
    pass


# ------------------------------------------------------------------ set-up


class Api:
    """Requests that build the fixture: they must succeed."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.conn = Conn(host, port, 60)

    def call(self, method, path, token=None, body=None, headers=()):
        hs = [("Authorization", "Bearer " + token)] if token else []
        data = None
        if body is not None:
            hs.append(("Content-Type", "application/json"))
            data = json.dumps(body).encode()
        req = build(method, path, hs + list(headers), data)
        reused = self.conn.sock is not None
        out = self.conn.exchange(req)
        if out.kind in ("closed", "reset") and reused:
            out = self.conn.exchange(req)
        return out

    def must(self, method, path, token, body=None, headers=(), want=(200, 201, 204)):
        out = self.call(method, path, token, body, headers)
        if out.kind != "response" or out.status not in want:
            raise SetupError("%s %s -> %s %s (body %s)" % (method, path, out.short(), out.body[:300],
                                                           json.dumps(body)[:200] if body else ""))
        return out.json


class Fixture:
    """The users, tokens and objects the cases aim at."""

    def __init__(self, api):
        self.api = api
        self.tag = secrets.token_hex(3)
        self.n = 0
        self.tokens = {}
        self.users = {}
        self.ids = {}
        self.versions = {}
        self.watched = set()  # objects whose ETag cases send
        self.reports = []
        self.ri = 0
        self.dirty = False
        self.today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def unique(self, prefix="bi"):
        self.n += 1
        return "%s%s-%d" % (prefix, self.tag, self.n)

    # -- users and tokens

    def _sign_in(self, email, password, user_id=None):
        out = self.api.call("POST", "/api/v1/auth/login", body={"email": email, "password": password})
        if out.kind == "response" and out.status == 201:
            return out.json["token"], out.json["user"]
        if out.kind == "response" and out.status == 429 and user_id is None:
            # The address is rate-limited by earlier suites: issue a token directly.
            p = subprocess.run([BIN, "token", "issue", "--email", email, "--name", "badinput"],
                               capture_output=True, text=True, timeout=60)
            tok = p.stdout.strip().split()[-1] if p.returncode == 0 and p.stdout.strip() else None
            if tok:
                me = self.api.must("GET", "/api/v1/me", tok)
                return tok, me
        if out.kind == "response" and out.status == 429:
            t = self.api.must("POST", "/api/v1/tokens", self.tokens["admin"],
                              {"name": "badinput", "user_id": user_id})
            return t["token"], self.api.must("GET", "/api/v1/users/%d" % user_id, self.tokens["admin"])
        raise SetupError("sign-in of %s: %s %s" % (email, out.short(), out.body[:200]))

    def _user(self, role, password=None, contractor_id=None, name=None):
        body = {"email": "badinput-%s-%s@test.example" % (name or role, self.tag),
                "name": "Badinput %s" % (name or role).title(), "role": role}
        if password:
            body["password"] = password
        if contractor_id:
            body["contractor_id"] = contractor_id
        return self.api.must("POST", "/api/v1/users", self.tokens["admin"], body)

    def spare_token(self, role):
        """A new token of the role's user, for a case that could revoke it."""
        t = self.api.must("POST", "/api/v1/tokens", self.tokens["admin"],
                          {"name": self.unique("spare"), "user_id": self.users[role]["id"]})
        return t["token"]

    # -- objects

    def create_body(self, tag):
        u = self.unique()
        i = self.ids
        bodies = {
            "projects": {"code": "P-" + u, "name": "Badinput " + u, "municipality": "Musterstadt"},
            "contractors": {"name": "Badinput Bau " + u},
            "lots": {"project_id": i["project"], "code": "L-" + u, "name": "Los " + u},
            "nodes": {"project_id": i["project"], "code": "N-" + u, "kind": "handhole"},
            "segments": {"project_id": i["project"], "code": "S-" + u, "kind": "trench", "planned_length_m": 10},
            "premises": {"project_id": i["project"], "code": "H-" + u, "street": "Hauptstraße",
                         "house_number": "1", "postcode": "12345", "city": "Musterstadt"},
            "milestones": {"project_id": i["project"], "name": "Meilenstein " + u, "planned_date": "2027-03-01"},
            "invoices": {"project_id": i["project"], "contractor_id": i["contractor"], "number": "R-" + u,
                         "invoice_date": "2026-01-15", "category": "other", "net_cents": 1000},
            "users": {"email": "badinput-%s@test.example" % u, "name": "Badinput " + u, "role": "finance"},
            "tokens": {"name": "badinput " + u},
            "progress-reports": {"segment_id": i["segment"], "report_date": self.today, "built_length_m": 0,
                                 "status": "planned"},
            # Unique by the counter: a line per category and year, periods of a day that never overlap.
            "budget-lines": {"project_id": i["project"], "year": 2000 + self.n % 100, "planned_cents": 1000,
                             "category": COST_CATEGORIES[self.n // 100 % len(COST_CATEGORIES)]},
            "drawdowns": {"project_id": i["project"], "period_from": self.day(self.n), "period_to": self.day(self.n)},
            "report-notes": {"project_id": i["project"], "period_from": self.day(self.n),
                             "period_to": self.day(self.n), "text": "Sachbericht " + u},
        }
        return dict(bodies.get(tag, {}))

    @staticmethod
    def day(n):
        """A day from 2001 on, one per n."""
        return (datetime.date(2001, 1, 1) + datetime.timedelta(days=n)).isoformat()

    def patch_body(self, tag):
        u = self.unique()
        bodies = {
            "projects": {"name": "Badinput " + u}, "contractors": {"phone": "+49 30 %d" % self.n},
            "lots": {"name": "Los " + u}, "nodes": {"name": "Knoten " + u}, "segments": {"duct_type": "D" + u},
            "premises": {"street": "Weg " + u}, "milestones": {"notes": "note " + u},
            "invoices": {"vat_cents": self.n}, "users": {"name": "Badinput " + u},
            "budget-lines": {"note": "note " + u}, "drawdowns": {"note": "note " + u},
            "report-notes": {"text": "Sachbericht " + u},
        }
        return dict(bodies.get(tag, {"name": "Badinput " + u}))

    def patch_target(self, tag):
        return self.ids.get({"projects": "project", "contractors": "contractor", "lots": "lot", "nodes": "node",
                             "segments": "segment", "premises": "premise", "milestones": "milestone",
                             "invoices": "invoice", "users": "user_target", "budget-lines": "budget_line",
                             "drawdowns": "drawdown", "report-notes": "report_note"}.get(tag, "-"))

    def read_target(self, tag):
        x = self.patch_target(tag)
        if x is None:
            x = self.ids.get({"tokens": "token", "audit": "audit", "progress-reports": "report_probe"}.get(tag, "-"))
        return x

    @property
    def any_id(self):
        return self.ids["project"]

    def _create(self, tag, body=None, who="admin", headers=()):
        obj = self.api.must("POST", "/api/v1/" + tag, self.tokens[who], body or self.create_body(tag), headers)
        if "version" in obj:
            self.versions[(tag, obj["id"])] = obj["version"]
        return obj

    def victim(self, tag):
        """A new object made to be the target of one destructive case."""
        if not self.create_body(tag):
            return None, None
        obj = self._create(tag)
        return obj["id"], obj.get("version", 1)

    def version(self, tag, x):
        self.watched.add((tag, x))
        if (tag, x) not in self.versions:
            self.refresh(tag, x)
        return self.versions[(tag, x)]

    def etag(self, tag, x):
        return '"%d"' % self.version(tag, x)

    def refresh(self, tag, x):
        out = self.api.call("GET", "/api/v1/%s/%d" % (tag, x), self.tokens["admin"])
        if out.kind == "response" and out.status == 200 and isinstance(out.json, dict):
            self.versions[(tag, x)] = out.json.get("version", 1)
        else:
            self.versions[(tag, x)] = 1

    def refresh_all(self):
        """Reads the version of every object a PATCH case aims at again."""
        for tag, x in sorted(self.watched):
            self.refresh(tag, x)

    def check_tokens(self):
        """Replaces a role's token that a faulty server revoked, so that the
        cases after it still test what they mean to."""
        for role, tok in list(self.tokens.items()):
            out = self.api.call("GET", "/api/v1/me", tok)
            if out.kind == "response" and out.status == 401:
                p = subprocess.run([BIN, "token", "issue", "--email", self.users[role]["email"], "--name", "badinput"],
                                   capture_output=True, text=True, timeout=60)
                words = p.stdout.split()
                if p.returncode == 0 and words:
                    self.tokens[role] = words[-1]
                    print("# the %s token was revoked by a refused case; issued a new one" % role, flush=True)

    def _report(self):
        r = self._create("progress-reports", who="contractor", headers=[("Idempotency-Key", self.unique("k"))])
        return r["id"]

    def report(self):
        """A submitted report for approve/reject cases (a new one once a
        faulty server decided the last)."""
        while self.ri >= len(self.reports):
            self.reports.append(self._report())
            self.dirty = True
        return self.reports[self.ri]

    def burn_report(self):
        self.ri += 1

    def build(self):
        a_email = "badinput-admin-%s@test.example" % self.tag
        a_pw = "bi-" + secrets.token_hex(10)
        p = subprocess.run([BIN, "user", "add", "--email", a_email, "--name", "Badinput Admin", "--role", "admin"],
                           input=a_pw + "\n", capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise SetupError("fibertrackd user add: %s %s" % (p.stdout.strip(), p.stderr.strip()))
        self.tokens["admin"], self.users["admin"] = self._sign_in(a_email, a_pw)
        A = self.tokens["admin"]
        con = self._create("contractors", {"name": "Tiefbau Badinput " + self.tag, "vat_id": "DE123456789"})
        self.ids["contractor"] = con["id"]
        for role in ("manager", "finance", "contractor"):
            pw = "bi-" + secrets.token_hex(10)
            u = self._user(role, pw, con["id"] if role == "contractor" else None)
            self.tokens[role], self.users[role] = self._sign_in(u["email"], pw, u["id"])
        self.ids["user_target"] = self._user("finance", name="target")["id"]
        self.login_password = "bi-" + secrets.token_hex(10)
        self.login_email = self._user("finance", self.login_password, name="login")["email"]
        ghost = self._user("finance", name="ghost")
        self.ghost_token = self.api.must("POST", "/api/v1/tokens", A, {"name": "ghost", "user_id": ghost["id"]})["token"]
        self.api.must("PATCH", "/api/v1/users/%d" % ghost["id"], A, {"active": False},
                      [("If-Match", '"%d"' % ghost["version"])])
        rv = self.api.must("POST", "/api/v1/tokens", A, {"name": "revoked"})
        self.revoked_token = rv["token"]
        self.api.must("DELETE", "/api/v1/tokens/%d" % rv["id"], A, headers=[("If-Match", '"%d"' % rv["version"])])
        self.ids["token"] = self.api.must("POST", "/api/v1/tokens", A, {"name": "badinput extra"})["id"]

        self.ids["project"] = self._create("projects", {"code": "BI-" + self.tag, "name": "Badinput " + self.tag,
                                                         "municipality": "Musterstadt", "budget_cents": 100000000,
                                                         "federal_rate": 0.5, "state_rate": 0.4,
                                                         "start_date": "2026-01-01",
                                                         "planned_end_date": "2027-12-31"})["id"]
        q = self._create("projects", {"code": "BQ-" + self.tag, "name": "Badinput Q", "municipality": "Nebenort"})
        self.ids["lot_other_project"] = self._create("lots", {"project_id": q["id"], "code": "LQ-" + self.tag,
                                                              "name": "Los Q"})["id"]
        P = self.ids["project"]
        self.ids["lot"] = self._create("lots", {"project_id": P, "code": "L-" + self.tag, "name": "Los 1",
                                                "contractor_id": con["id"]})["id"]
        n1 = self._create("nodes", {"project_id": P, "code": "N1-" + self.tag, "kind": "pop", "lat": 52.5, "lon": 13.4})
        n2 = self._create("nodes", {"project_id": P, "code": "N2-" + self.tag, "kind": "cabinet"})
        self.ids["node"] = n1["id"]
        self.ids["segment"] = self._create("segments", {
            "project_id": P, "lot_id": self.ids["lot"], "code": "S-" + self.tag, "from_node_id": n1["id"],
            "to_node_id": n2["id"], "kind": "trench", "method": "open_trench", "surface": "sealed",
            "planned_length_m": 100, "geometry": {"type": "LineString", "coordinates": [[13.4, 52.5], [13.41, 52.51]]}})["id"]
        self.ids["premise"] = self._create("premises", {
            "project_id": P, "code": "H-" + self.tag, "street": "Hauptstraße", "house_number": "1a",
            "postcode": "12345", "city": "Musterstadt", "serving_segment_id": self.ids["segment"]})["id"]
        self.ids["milestone"] = self._create("milestones", {"project_id": P, "name": "Baubeginn",
                                                            "planned_date": "2027-03-01"})["id"]
        self.ids["invoice"] = self._create("invoices", {
            "project_id": P, "lot_id": self.ids["lot"], "contractor_id": con["id"], "number": "R-" + self.tag,
            "invoice_date": "2026-01-15", "category": "civil_works", "net_cents": 100000})["id"]
        self.ids["budget_line"] = self._create("budget-lines", {"project_id": P, "category": "planning",
                                                                "year": 2100,
                                                                "planned_cents": 100})["id"]
        # A draft before any period the cases use: it stays a draft, so changes are judged on their fields.
        self.ids["drawdown"] = self._create("drawdowns", {"project_id": P, "period_from": "2000-01-01",
                                                          "period_to": "2000-01-31", "federal_requested_cents": 1})["id"]
        self.ids["report_note"] = self._create("report-notes", {"project_id": P, "period_from": "2000-01-01",
                                                                "period_to": "2000-01-31", "text": "Sachbericht"})["id"]
        self.ids["report_probe"] = self._report()
        for _ in range(4):
            self.reports.append(self._report())
        audit = self.api.must("GET", "/api/v1/audit?limit=1", A)
        self.ids["audit"] = audit["items"][0]["id"]
        for tag, key in (("projects", "project"), ("contractors", "contractor"), ("lots", "lot"), ("nodes", "node"),
                         ("segments", "segment"), ("premises", "premise"), ("milestones", "milestone"),
                         ("invoices", "invoice"), ("users", "user_target"), ("budget-lines", "budget_line"),
                         ("drawdowns", "drawdown"), ("report-notes", "report_note")):
            self.refresh(tag, self.ids[key])


# ------------------------------------------------------------------ checks


def judge(c, out):
    """What is wrong with the answer to case c: [(kind, message)]."""
    if out.kind != "response":
        if out.kind == "timeout":
            return [("no answer (hang)", out.note)]
        if c.may_close:
            return []
        return [("closed without an answer", "%s (%s)" % (out.kind, out.note))]
    st = out.status
    probs = []
    if st >= 500 and not (c.expect and st in c.expect):
        probs.append(("server error (5xx)", "server error"))
    elif st < 400:
        probs.append(("accepted (not refused)", "accepted"))
    elif c.expect and st not in c.expect and not (st == 413 and big_anonymous(c)):
        probs.append(("wrong status", "expected %s" % "/".join(str(s) for s in sorted(c.expect))))
    rid = out.header("X-Request-ID")
    if not rid:
        probs.append(("no X-Request-ID", "no X-Request-ID header"))
    if c.not_echo and rid == c.not_echo:
        probs.append(("insane X-Request-ID echoed", "echoed the X-Request-ID %r" % rid))
    if st >= 400 and not c.head:
        if out.ctype != "application/problem+json":
            probs.append(("not problem+json", "Content-Type %r" % (out.header("Content-Type") or "")))
        else:
            p = out.json
            if not isinstance(p, dict):
                probs.append(("bad problem body", "problem body is not a JSON object"))
            else:
                missing = [k for k, t in (("type", str), ("title", str), ("status", int), ("detail", str),
                                          ("request_id", str)) if not isinstance(p.get(k), t)]
                if missing:
                    probs.append(("bad problem body", "problem lacks %s" % ", ".join(missing)))
                if p.get("status") != st:
                    probs.append(("bad problem body", "problem status %r" % p.get("status")))
                if rid and p.get("request_id") != rid:
                    probs.append(("bad problem body", "request_id %r is not the X-Request-ID" % p.get("request_id")))
                if st == 422:
                    errs = p.get("errors")
                    if not isinstance(errs, list) or not all(isinstance(e, dict) and isinstance(e.get("pointer"), str)
                                                             and isinstance(e.get("detail"), str) for e in errs):
                        probs.append(("bad problem body", "422 without errors[{pointer, detail}]"))
                    elif c.pointer is not None and c.pointer not in {e["pointer"] for e in errs}:
                        probs.append(("422 misses the member", "errors[] does not name %s (names %s)" % (
                            c.pointer[:40], ", ".join(sorted({e["pointer"][:30] for e in errs}))[:120])))
                low = out.body.decode("utf-8", "replace").lower()
                for leak in ("sql syntax", "mariadb", "insert into", "select ", "/work/", "/tmp/", ".c:"):
                    if leak in low:
                        probs.append(("leaks internals", "problem text holds %r" % leak))
                        break
    if st == 405:
        allow = out.header("Allow")
        if not allow:
            probs.append(("405 without Allow", "no Allow header"))
        elif c.allow:
            have = {m.strip().upper() for m in allow.split(",")}
            lacking = sorted(m for m in c.allow if m not in have)
            if lacking:
                probs.append(("405 with a wrong Allow", "Allow %r lacks %s" % (allow, ", ".join(lacking))))
    if st == 401 and not (out.header("WWW-Authenticate") or "").lower().startswith("bearer"):
        probs.append(("401 without WWW-Authenticate", "no WWW-Authenticate: Bearer"))
    if st in (429, 503) and not out.header("Retry-After"):
        probs.append(("no Retry-After", "%d without Retry-After" % st))
    if c.max_time and out.elapsed > c.max_time:
        probs.append(("too slow", "answered after %.2f s (at most %.1f s)" % (out.elapsed, c.max_time)))
    return probs


def big_anonymous(c):
    """Unauthenticated bodies beyond 64 KiB may be refused with 413 first."""
    return not c.who and c.body is not None and len(c.body) > 65536


def show(s, n=110):
    s = s if isinstance(s, str) else s.decode("latin-1")
    s = "".join(ch if 32 <= ord(ch) < 127 else "\\x%02x" % ord(ch) if ord(ch) < 256 else ch for ch in s)
    return s if len(s) <= n else s[:n] + "…"


class Result:
    def __init__(self, case, out, probs):
        self.case = case
        self.out = out
        self.probs = probs

    @property
    def ok(self):
        return not self.probs

    def line(self):
        c = self.case
        if self.out is None:
            return "FAIL [%s] %s: %s" % (c.cat, c.what, "; ".join(m for _, m in self.probs))
        got = self.out.short()
        return "FAIL [%s] %s %s as %s: %s -> got %s: %s" % (
            c.cat, show(c.method, 20), show(c.target), c.label, show(c.what, 90), got,
            "; ".join(m for _, m in self.probs))


# ------------------------------------------------------------------ running


class Runner:
    def __init__(self, host, port, fx, db):
        self.host, self.port = host, port
        self.fx = fx
        self.db = db
        self.results = []

    def request_bytes(self, c):
        if c.raw:
            return c.raw(self)
        hs = []
        if c.who:
            hs.append(("Authorization", "Bearer " + self.fx.tokens[c.who]))
        return build(c.method, c.target, hs + c.headers, c.body)

    def record(self, c, out, probs):
        r = Result(c, out, probs)
        self.results.append(r)
        if not r.ok:
            print(r.line(), flush=True)
        elif VERBOSE:
            print("ok   [%s] %s %s as %s: %s -> %s" % (c.cat, show(c.method, 20), show(c.target), c.label,
                                                     show(c.what, 90), "%s in %.0f ms" % (out.short(), out.elapsed * 1000)
                                                     if out else "-"), flush=True)

    def run_sequential(self, cases):
        conn = Conn(self.host, self.port, TIMEOUT)
        state = self.db.state()
        group, group_snap = None, state[1]
        stalls = 0
        for c in cases + [None]:
            if c is None or c.cat != group:
                if group is not None:
                    # Each group is checksummed as a whole too, whatever the
                    # write counters said case by case.
                    snap = self.db.snapshot()
                    changed = DB.diff(group_snap, snap)
                    whole = C.Case("db", "the %s cases left the database as they found it" % group, "-", "-",
                                   write=False, label="all of them")
                    self.record(whole, None, [("database changed", "changed unseen case by case: %s"
                                               % ", ".join(changed))] if changed else [])
                    state = (self.db.writes(), snap)
                if c is None:
                    break
                group, group_snap = c.cat, state[1]
            if getattr(c, "setup", None):
                c.setup(c)
            if self.fx.dirty:
                state = self.db.state()
                group_snap = state[1]
                self.fx.dirty = False
            data = self.request_bytes(c)
            # A server that stops answering would cost the full timeout per
            # case: after three stalls in a row, wait only briefly.
            timeout = 2.0 if stalls >= 3 else (c.timeout or TIMEOUT)
            if c.fresh:
                out = request_once(self.host, self.port, data, head=c.head, timeout=timeout)
            else:
                reused = conn.sock is not None
                out = conn.exchange(data, head=c.head, timeout=timeout)
                if out.kind in ("closed", "reset") and reused and "partial" not in out.note:
                    # The server may have closed an idle keep-alive connection.
                    out = conn.exchange(data, head=c.head, timeout=timeout)
            stalls = stalls + 1 if out.kind == "timeout" else 0
            probs = judge(c, out)
            changed, state = self.db.check(state)
            if changed:
                probs.append(("database changed", "the database changed (%s)" % ", ".join(changed)))
                if getattr(c, "changed", None):
                    c.changed(self.fx)
                self.fx.refresh_all()
                if "tokens" in changed:
                    self.fx.check_tokens()
                state = self.db.state()
                group_snap = state[1]
                self.fx.dirty = False
            self.record(c, out, probs)
        conn.close()

    def _one_parallel(self, c):
        conn = Conn(self.host, self.port, c.timeout or RAW_TIMEOUT)
        try:
            data = self.request_bytes(c)
            out = conn.exchange(data, head=c.head, timeout=c.timeout or RAW_TIMEOUT, send_pause=c.pause)
            probs = judge(c, out)
            if out.kind == "response" and c.must_close and not out.closed_after:
                closed, extra = conn.closes_soon(2.0)
                if extra:
                    probs.append(("answered a smuggled request", "sent more after its answer: %s" % show(extra, 60)))
                if not closed:
                    probs.append(("kept a broken connection open", "connection still open after the answer"))
            return out, probs
        finally:
            conn.close()

    def run_parallel(self, cases):
        before = self.db.snapshot()
        with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
            # The slow ones first, so that they overlap the rest.
            order = sorted(cases, key=lambda c: -(c.timeout or RAW_TIMEOUT))
            futs = [(c, pool.submit(self._one_parallel, c)) for c in order]
            done = [(c, f.result()) for c, f in futs]
        after = self.db.snapshot()
        changed = DB.diff(before, after)
        if changed:
            # Cases that ran together cannot be told apart: blame those that
            # were accepted, else every case that could write.
            guilty = [c for c, (out, _) in done if c.write and out.kind == "response" and out.status < 400]
            guilty = guilty or [c for c, _ in done if c.write] or [c for c, _ in done]
        for c, (out, probs) in done:
            if changed and c in guilty:
                probs.append(("database changed", "the database changed during the parallel group (%s)"
                              % ", ".join(changed)))
            self.record(c, out, probs)


# ------------------------------------------------------------------ main


CATEGORIES = [
    ("field", C.gen_fields), ("body", C.gen_bodies), ("ctype", C.gen_ctypes), ("query", C.gen_queries),
    ("id", C.gen_ids), ("method", C.gen_methods), ("role", C.gen_roles), ("auth", C.gen_auth),
    ("etag", C.gen_etags), ("idem", C.gen_idempotency), ("rules", C.gen_rules), ("path", C.gen_paths),
]


def summary(results, elapsed):
    cats = {}
    for r in results:
        s = cats.setdefault(r.case.cat, [0, 0])
        s[0 if r.ok else 1] += 1
    print("# %-8s %6s %7s %7s" % ("category", "cases", "passed", "failed"))
    for cat, (p, f) in cats.items():
        print("# %-8s %6d %7d %7d" % (cat, p + f, p, f))
    kinds = {}
    for r in results:
        for kind, _ in dict(r.probs).items():
            k = kinds.setdefault(kind, [0, r])
            k[0] += 1
    if kinds:
        print("# failures by kind (cases; one example):")
        for kind, (n, r) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
            c = r.case
            print("#   %-32s %5d  e.g. %s %s: %s -> %s" % (kind, n, show(c.method, 12), show(c.target, 60),
                                                         show(c.what, 60), r.out.short() if r.out else "-"))
    print("# %d cases in %.1f s" % (len(results), elapsed))


def main():
    t0 = time.monotonic()
    if not BASE or not DATA_DIR:
        print("FAIL setup: FT_BASE_URL and FT_DATA_DIR must be set (run through tests/run.sh)")
        print("0 passed, 1 failed")
        return 1
    u = urllib.parse.urlsplit(BASE)
    host, port = u.hostname, u.port or 80
    db = DB(os.path.join(DATA_DIR, "mariadb", "mariadb.sock"))
    results = []
    runner = None
    try:
        db.prepare()
        api = Api(host, port)
        doc = api.call("GET", "/api/v1/openapi.json")
        if doc.kind != "response" or doc.status != 200 or not isinstance(doc.json, dict):
            raise SetupError("GET /api/v1/openapi.json: %s" % doc.short())
        spec = Spec(doc.json, ROOT)
        if not spec.ctables:
            raise SetupError("no field tables found in server/api/*.c")
        fx = Fixture(api)
        fx.build()
        seq = []
        for _, gen in CATEGORIES:
            seq.extend(gen(spec, fx))
        par = R.gen_raw(spec, fx, port)
        api.conn.close()
        print("# %d cases (%d in parallel); set-up took %.1f s" % (len(seq) + len(par), len(par),
                                                                  time.monotonic() - t0), flush=True)
        start = db.snapshot()
        fx.dirty = False
        runner = Runner(host, port, fx, db)
        t1 = time.monotonic()
        runner.run_sequential(seq)
        t2 = time.monotonic()
        runner.run_parallel(par)
        print("# one at a time: %.1f s; in parallel: %.1f s" % (t2 - t1, time.monotonic() - t2), flush=True)
        end = db.snapshot()
        changed = DB.diff(start, end)
        whole = C.Case("db", "the whole run left the database as it found it", "-", "-", write=False,
                       label="all cases")
        runner.record(whole, None, [("database changed", "tables changed: %s" % ", ".join(changed))] if changed else [])
        results = runner.results
        # Failed sign-ins a faulty server counted would rate-limit the
        # suites that run after this one (suites run one at a time, so every
        # row since the start is ours).
        n = db.query("SELECT COUNT(*) FROM login_failures WHERE at >= '%s'" % db.start)
        if n and n[0][0] not in ("0", None):
            db.query("DELETE FROM login_failures WHERE at >= '%s'" % db.start)
            print("# removed %s failed sign-ins that refused cases should not have counted" % n[0][0])
    except Exception as e:  # noqa: BLE001 - any crash is reported as one failure
        results = runner.results if runner else []
        print("FAIL badinput %s: %s" % ("set-up" if runner is None else "run", e), flush=True)
        if not isinstance(e, SetupError):
            traceback.print_exc(limit=4, file=sys.stdout)
        passed = sum(1 for r in results if r.ok)
        print("%d passed, %d failed" % (passed, len(results) - passed + 1))
        return 1
    finally:
        db.close()
    summary(results, time.monotonic() - t0)
    passed = sum(1 for r in results if r.ok)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
