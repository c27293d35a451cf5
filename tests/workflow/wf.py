"""wf — helpers of the construction-workflow suite (standard library; every
response is also checked against the OpenAPI document by tests/api/openapi_check).

  Server        a throwaway fibertrackd (own FT_DATA_DIR, own private MariaDB):
                migrate, demo, serve, SIGKILL, restart, token issue, SQL, checksums
  request()     one HTTP request on a new connection; Response with .json, .header()
  Runner        runs test functions, prints "ok NAME" / "FAIL NAME: why"; the caller
                prints the final "N passed, N failed"
  check/require soft and hard assertions inside a test

Every process started here is recorded in $WF_PIDFILE (one "kind pid path" a line)
so that run-workflow.sh can clean up even after this interpreter died.
"""

import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
import openapi_check  # noqa: E402 - the API suites' check of responses against the OpenAPI document
BINDIR = os.environ.get("BINDIR") or os.path.join(ROOT, "bin")
if not os.path.isabs(BINDIR):
    BINDIR = os.path.join(ROOT, BINDIR)
FTD = os.path.join(BINDIR, "fibertrackd")
ARTIFACTS = os.environ.get("FT_ARTIFACTS") or os.path.join(ROOT, "tests", "artifacts")
PIDFILE = os.environ.get("WF_PIDFILE", "")
API = "/api/v1"
PASSWORD = "fibertrack-demo"
VERBOSE = os.environ.get("WF_VERBOSE") == "1"

ADMIN = "admin@musterstadt.example"
MANAGER = "manager@musterstadt.example"
FINANCE = "finance@musterstadt.example"
CONTRACTOR_A = "bauleitung@tiefbau-nord.example"  # contractor 1, lots LOS-1, LOS-3
CONTRACTOR_B = "montage@glasfaser-sued.example"  # contractor 2, lot LOS-2 (auto_approve)


def log(msg):
    print("    " + msg, flush=True)


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def day(offset=0):
    """A date relative to today (UTC, like the server), as YYYY-MM-DD."""
    return (today() + datetime.timedelta(days=offset)).isoformat()


def unique(prefix="wf"):
    return prefix + "-" + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def record_process(kind, pid, path=""):
    if PIDFILE:
        with open(PIDFILE, "a") as f:
            f.write("%s %d %s\n" % (kind, pid, path))


def free_port(lo=18700, hi=18799, avoid=()):
    ports = list(range(lo, hi + 1))
    random.shuffle(ports)
    for p in ports:
        if p in avoid:
            continue
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in %d-%d" % (lo, hi))


# ------------------------------------------------------------------ assertions


class Failure(Exception):
    pass


_local = threading.local()


def _errors():
    if not hasattr(_local, "errors"):
        _local.errors = []
    return _local.errors


def check(cond, msg):
    if not cond:
        _errors().append(msg)
    return bool(cond)


def require(cond, msg):
    if not cond:
        raise Failure(msg)


def short(x, n=300):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + "…"


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def run(self, name, fn, *args):
        _local.errors = []
        t0 = time.monotonic()
        try:
            fn(*args)
        except Failure as e:
            _errors().append(str(e))
        except Exception:
            _errors().append("exception: " + traceback.format_exc().strip().replace("\n", "\n      "))
        errs = _errors()
        dt = time.monotonic() - t0
        if errs:
            self.failed += 1
            self.failures.append((name, errs))
            print("FAIL  %s (%.1f s)" % (name, dt), flush=True)
            for e in errs:
                print("      - " + e, flush=True)
        else:
            self.passed += 1
            print("ok    %s (%.1f s)" % (name, dt), flush=True)
        _local.errors = []
        return not errs


# ------------------------------------------------------------------------ HTTP


class Response:
    def __init__(self, status, headers, body, method, path, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.path = path
        self.elapsed = elapsed
        self._json = False

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        if self._json is False:
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

    def __repr__(self):
        return "%s %s -> %s %s" % (self.method, self.path, self.status, short(self.text, 400))


_UNSET = object()


def request(base, method, path, token=None, body=_UNSET, raw=None, ctype=_UNSET, headers=None,
            params=None, timeout=60):
    """base is (host, port). body: JSON value; raw: bytes as they are."""
    host, port = base
    if params:
        from urllib.parse import urlencode
        path = path + ("&" if "?" in path else "?") + urlencode(params)
    h = {"Connection": "close"}
    data = None
    if body is not _UNSET:
        data = json.dumps(body).encode("utf-8")
        h["Content-Type"] = "application/json" if ctype is _UNSET else ctype
    elif raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        if ctype is not _UNSET and ctype is not None:
            h["Content-Type"] = ctype
    if token:
        h["Authorization"] = "Bearer " + token
    if headers:
        h.update(headers)
    if data is None and method in ("POST", "PATCH", "PUT"):
        h.setdefault("Content-Length", "0")
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        payload = resp.read()
        openapi_check.observe(method, path, resp.status, resp.getheaders(), payload, base)
        return Response(resp.status, resp.getheaders(), payload, method, path, time.monotonic() - t0)
    finally:
        conn.close()


def is_problem(resp, status=None):
    """Checks the RFC 9457 shape of an error; returns a list of complaints."""
    bad = []
    if status is not None and resp.status != status:
        return ["status %s, expected %s" % (resp.status, status)]
    if resp.ctype != "application/problem+json":
        bad.append("Content-Type %r, expected application/problem+json" % resp.ctype)
    j = resp.json
    if not isinstance(j, dict):
        bad.append("body is not a JSON object")
        return bad
    for k in ("type", "title", "status", "detail"):
        if k not in j:
            bad.append("problem without %r" % k)
    if j.get("status") != resp.status:
        bad.append("problem status %r differs from HTTP status %s" % (j.get("status"), resp.status))
    if resp.status == 422 and not isinstance(j.get("errors"), list):
        bad.append("422 without errors[]")
    text = resp.text.lower()
    for leak in ("select ", "insert into", "update ", "mariadb", "/tmp/", ".c:"):
        if leak in text:
            bad.append("problem text leaks %r" % leak)
    return bad


def check_problem(resp, status, what, pointer=None):
    bad = is_problem(resp, status)
    if pointer and not bad:
        ptrs = [e.get("pointer") for e in resp.json.get("errors", []) if isinstance(e, dict)]
        if pointer not in ptrs:
            bad.append("no error with pointer %s (got %s)" % (pointer, ptrs))
    return check(not bad, "%s: %s; %r" % (what, "; ".join(bad), resp))


# ---------------------------------------------------------------------- server


SERVERS = []


def emergency_cleanup():
    """On SIGTERM: stop every server of this run at once (SIGKILL; the data is
    throwaway) and remove the data dirs."""
    for s in SERVERS:
        try:
            if s.proc and s.proc.poll() is None:
                s.proc.kill()
        except OSError:
            pass
        pid = s.mariadbd_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(s.data_dir, ignore_errors=True)


class Server:
    def __init__(self, name="wf", port=None):
        # short path: the MariaDB socket path must stay under 108 bytes
        self.data_dir = tempfile.mkdtemp(prefix="ftwf-%s." % name, dir="/tmp")
        record_process("dir", 0, self.data_dir)
        self.port = port or free_port()
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "serve.log")
        self.sock = os.path.join(self.data_dir, "mariadb", "mariadb.sock")
        self.pidfile = os.path.join(self.data_dir, "mariadb", "mariadb.pid")
        self._tokens = {}
        SERVERS.append(self)

    @property
    def base(self):
        return ("127.0.0.1", self.port)

    def env(self):
        e = dict(os.environ)
        e.pop("FT_DB_URL", None)
        e["FT_DATA_DIR"] = self.data_dir
        e["FT_LOG"] = "warn"
        return e

    def cmd(self, *args, stdin=None, timeout=120):
        p = subprocess.run([FTD] + list(args), env=self.env(), input=stdin, capture_output=True,
                           text=True, timeout=timeout, cwd=ROOT)
        if p.returncode != 0:
            raise RuntimeError("fibertrackd %s failed (%d): %s" % (" ".join(args), p.returncode,
                                                                   (p.stderr or p.stdout)[-800:]))
        return p.stdout

    def setup(self, demo=True):
        self.cmd("migrate", timeout=180)
        self.note_mariadbd()
        if demo:
            self.cmd("demo")

    def note_mariadbd(self):
        pid = self.mariadbd_pid()
        if pid:
            record_process("mariadbd", pid, self.pidfile)

    def start(self, wait=60):
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([FTD, "serve", "--listen", "127.0.0.1:%d" % self.port],
                                     env=self.env(), stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=ROOT)
        logf.close()
        record_process("fibertrackd", self.proc.pid, FTD)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("fibertrackd serve exited with %s: %s" % (self.proc.returncode,
                                                                            self.log_tail()))
            try:
                r = request(self.base, "GET", "/readyz", timeout=2)
                if r.status == 200:
                    self.note_mariadbd()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("fibertrackd did not become ready within %d s: %s" % (wait, self.log_tail()))

    def log_tail(self, n=1500):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, grace=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode if self.proc else None

    def mariadbd_pid(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().strip())
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() != "mariadbd":
                    return None
            return pid
        except (OSError, ValueError):
            return None

    def cleanup(self):
        try:
            self.stop(20)
        except Exception:
            pass
        pid = self.mariadbd_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(300):
                    if not os.path.exists("/proc/%d" % pid):
                        break
                    time.sleep(0.1)
                else:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- identities

    def token(self, email):
        if email not in self._tokens:
            out = self.cmd("token", "issue", "--email", email, "--name", "workflow-tests")
            toks = [w for w in out.split() if w.startswith("ftk_")]
            if not toks:
                raise RuntimeError("token issue printed no token: %r" % out)
            self._tokens[email] = toks[-1]
        return self._tokens[email]

    def fresh_token(self, email):
        out = self.cmd("token", "issue", "--email", email, "--name", unique("tok"))
        return [w for w in out.split() if w.startswith("ftk_")][-1]

    def user_add(self, email, name, role, contractor=None):
        args = ["user", "add", "--email", email, "--name", name, "--role", role]
        if contractor:
            args += ["--contractor", str(contractor)]
        self.cmd(*args, stdin="workflow-pass-123\n")

    # -- HTTP

    def req(self, method, path, who=None, **kw):
        tok = self.token(who) if who and "@" in who else who
        if path.startswith("/") and not path.startswith(API) and not path.startswith("/healthz") \
                and not path.startswith("/readyz") and not path.startswith("/metrics"):
            path = API + path
        return request(self.base, method, path, token=tok, **kw)

    def get(self, path, who=MANAGER, **kw):
        return self.req("GET", path, who, **kw)

    def post(self, path, body=None, who=MANAGER, **kw):
        if body is None:
            return self.req("POST", path, who, **kw)
        return self.req("POST", path, who, body=body, **kw)

    def patch(self, path, body, who=MANAGER, etag=None, **kw):
        hdr = dict(kw.pop("headers", None) or {})
        if etag is None:
            g = self.get(path, ADMIN)
            etag = g.etag
        if etag:
            hdr["If-Match"] = etag
        return self.req("PATCH", path, who, body=body, headers=hdr, **kw)

    def delete(self, path, who=MANAGER, etag=None, **kw):
        hdr = dict(kw.pop("headers", None) or {})
        if etag is None:
            etag = self.get(path, ADMIN).etag
        if etag:
            hdr["If-Match"] = etag
        return self.req("DELETE", path, who, headers=hdr, **kw)

    def create(self, coll, body, who=MANAGER):
        r = self.post("/" + coll, body, who)
        require(r.status == 201, "creating %s: %r" % (coll, r))
        return r.json

    # -- database

    def sql(self, query):
        p = subprocess.run(["mariadb", "--socket=" + self.sock, "-u", "root", "-N", "-B",
                            "fibertrack", "-e", query], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("SQL failed: %s: %s" % (short(query, 200), p.stderr.strip()))
        rows = []
        for line in p.stdout.splitlines():
            rows.append([None if c == "NULL" else c for c in line.split("\t")])
        return rows

    def scalar(self, query):
        rows = self.sql(query)
        return rows[0][0] if rows else None

    def tables(self):
        if not getattr(self, "_table_names", None):
            rows = self.sql("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'fibertrack' AND table_type = 'BASE TABLE' "
                            "ORDER BY table_name")
            self._table_names = [r[0] for r in rows]
        return self._table_names

    def checksum(self):
        """CHECKSUM TABLE of every table; tokens without last_used_at (which
        authentication refreshes once a minute, a read, not a change)."""
        tabs = [t for t in self.tables() if t != "tokens"]
        q = "CHECKSUM TABLE " + ", ".join("`%s`" % t for t in tabs) + " EXTENDED; " \
            "SELECT 'fibertrack.tokens', CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('#', id, " \
            "user_id, name, HEX(hash), prefix, created_at, expires_at, revoked_at, version))), " \
            "0)) FROM tokens"
        return {r[0]: r[1] for r in self.sql(q)}


def checksum_diff(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


class Unchanged:
    """with Unchanged(srv, 'what'): ... — checks that every table is as before."""

    def __init__(self, srv, what):
        self.srv = srv
        self.what = what

    def __enter__(self):
        self.before = self.srv.checksum()
        return self

    def __exit__(self, et, ev, tb):
        if et:
            return False
        after = self.srv.checksum()
        diff = checksum_diff(self.before, after)
        check(not diff, "%s changed tables %s" % (self.what, diff))
        return False


def wait_until(fn, timeout=10, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


# --------------------------------------------------------------------- fixture


class Fixture:
    """Objects of the workflow tests, made through the API on top of the demo:
    contractor A (id 1, user CONTRACTOR_A) and B (id 2, user CONTRACTOR_B);
    project P with lots la (A), lb (B), lb_auto (B, auto_approve); project Q
    where A has no lot (lot qb of B)."""

    def __init__(self, srv):
        self.srv = srv
        cons = srv.get("/contractors", ADMIN, params={"limit": 1000}).json["items"]
        users = srv.get("/users", ADMIN, params={"limit": 1000}).json["items"]
        byemail = {u["email"]: u for u in users}
        self.a = byemail[CONTRACTOR_A]["contractor_id"]
        self.b = byemail[CONTRACTOR_B]["contractor_id"]
        self.user_ids = {e: u["id"] for e, u in byemail.items()}
        for who in (ADMIN, MANAGER, FINANCE, CONTRACTOR_A, CONTRACTOR_B):
            srv.token(who)  # issued now, not inside a "nothing changed" check
        require(self.a and self.b and self.a != self.b, "demo contractors: %r" % cons)
        self.p = self.project("P")
        self.q = self.project("Q")
        self.la = self.lot(self.p, self.a, False)
        self.lb = self.lot(self.p, self.b, False)
        self.lb_auto = self.lot(self.p, self.b, True)
        self.qb = self.lot(self.q, self.b, False)

    def project(self, tag, **kw):
        body = {"code": unique("WF" + tag), "name": "Workflow " + tag, "municipality": "Teststadt",
                "budget_cents": 500000000, "federal_rate": 0.5, "state_rate": 0.3,
                "start_date": day(-60), "planned_end_date": day(300), "status": "construction"}
        body.update(kw)
        return self.srv.create("projects", body, ADMIN)["id"]

    def lot(self, project, contractor, auto=False):
        return self.srv.create("lots", {"project_id": project, "code": unique("LOS"), "name": "Los",
                                        "contractor_id": contractor, "auto_approve": auto},
                               ADMIN)["id"]

    def node(self, project, kind="handhole", lat=52.1, lon=13.1):
        return self.srv.create("nodes", {"project_id": project, "code": unique("N"), "kind": kind,
                                         "lat": lat, "lon": lon}, ADMIN)["id"]

    def segment(self, lot, project=None, planned=100.0, method="open_trench", **kw):
        project = project or (self.q if lot == self.qb else self.p)
        body = {"project_id": project, "lot_id": lot, "code": unique("S"), "kind": "trench",
                "method": method, "surface": "sealed", "planned_length_m": planned,
                "geometry": {"type": "LineString", "coordinates": [[13.1, 52.1], [13.101, 52.1005]]}}
        body.update(kw)
        return self.srv.create("segments", body, ADMIN)

    def premise(self, segment, project=None, **kw):
        body = {"project_id": project or self.p, "code": unique("PR"), "street": "Teststraße",
                "house_number": "1", "postcode": "12345", "city": "Teststadt", "lat": 52.1,
                "lon": 13.1, "kind": "residential", "units_residential": 2, "white_spot": True,
                "serving_segment_id": segment}
        body.update(kw)
        return self.srv.create("premises", body, ADMIN)

    def report(self, segment_id, who=CONTRACTOR_A, key=None, **kw):
        body = {"segment_id": segment_id, "report_date": day(0), "built_length_m": 10.0,
                "status": "in_construction"}
        body.update(kw)
        return self.srv.post("/progress-reports", body, who,
                             headers={"Idempotency-Key": key or unique("key")})
