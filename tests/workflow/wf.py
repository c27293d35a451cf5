"""wf — the construction-workflow suite's servers, users and objects (standard
library only); tests/lib/ftlib.py has the rest.

  Server        a throwaway fibertrackd (own FT_DATA_DIR, own private MariaDB):
                migrate, demo, serve, SIGKILL, restart, token issue, SQL, snapshots;
                requests as one of the demo users
  Fixture       projects and lots of the workflow tests on top of the demo

Every process started here is recorded in $WF_PIDFILE (one "kind pid path" a line)
so that run-workflow.sh can clean up even after this interpreter died.
"""

import datetime
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import ftlib  # noqa: E402
# The test modules import these from here.
from ftlib import (API, Unchanged, check, free_port, mariadb_argv, problem, request,  # noqa: E402,F401
                   require, short, snapshot_diff, unique)

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.environ.get("FT_ARTIFACTS") or os.path.join(ftlib.ROOT, "tests", "artifacts")
PIDFILE = os.environ.get("WF_PIDFILE", "")
PASSWORD = "fibertrack-demo"
PORTS = (18700, 18799)

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


def record_process(kind, pid, path=""):
    if PIDFILE:
        with open(PIDFILE, "a") as f:
            f.write("%s %d %s\n" % (kind, pid, path))


def wait_until(fn, timeout=10, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


# ---------------------------------------------------------------------- server


SERVERS = []


def emergency_cleanup():
    """On SIGTERM: stop every server of this run at once (SIGKILL; the data is
    throwaway) and remove the data dirs."""
    for s in SERVERS:
        try:
            if s.running():
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


class Server(ftlib.Server):
    def __init__(self, name="wf", port=None):
        # short path: the MariaDB socket path must stay under 108 bytes
        data_dir = tempfile.mkdtemp(prefix="ftwf-%s." % name, dir="/tmp")
        record_process("dir", 0, data_dir)
        super().__init__(data_dir=data_dir, port=port or free_port(*PORTS), settings={"FT_LOG": "warn"})
        self._tokens = {}
        SERVERS.append(self)

    def setup(self, demo=True):
        self.migrate()
        self.note_mariadbd()
        if demo:
            self.demo()

    def note_mariadbd(self):
        pid = self.mariadbd_pid()
        if pid:
            record_process("mariadbd", pid, self.pidfile)

    def spawned(self, pid):
        record_process("fibertrackd", pid, self.bin)

    def start(self, wait=60):
        super().start(wait=wait)
        self.note_mariadbd()

    def cleanup(self):
        try:
            self.stop(20)
        except Exception:
            pass
        self.stop_mariadbd(0)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- identities

    def token(self, email):
        if email not in self._tokens:
            self._tokens[email] = self.token_issue(email, "workflow-tests")
        return self._tokens[email]

    def fresh_token(self, email):
        return self.token_issue(email, unique("tok"))

    # -- HTTP

    def req(self, method, path, who=None, **kw):
        tok = self.token(who) if who and "@" in who else who
        if path.startswith("/"):
            path = ftlib.api_path(path)
        return request(method, path, token=tok, server=self.base, **kw)

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
