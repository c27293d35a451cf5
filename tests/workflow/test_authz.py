"""The object-level authorization matrix (issue part 8).

Every route of GET /api/v1/openapi.json (path x method) x role (admin,
manager, finance, contractor) x object (inside contractor A's scope, outside
it, missing id) is sent, and its status compared with SPEC 4's role table:

  - a role without the route: 403 (whatever the object);
  - a contractor and an object outside its scope: 404, exactly like a missing id;
  - otherwise 2xx (a DELETE of an object still referenced may answer 409).

Every refused write (POST/PATCH/DELETE answered with a non-2xx status) must
leave every table as it was (CHECKSUM TABLE before/after). The matrix is
written to tests/artifacts/authz-matrix.txt (or $FT_ARTIFACTS).
"""

import datetime
import itertools
import os
import sys
import time

from wf import (ADMIN, ARTIFACTS, CONTRACTOR_A, CONTRACTOR_B, FINANCE, MANAGER, PASSWORD, check,
                day, require, snapshot_diff, unique)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import photos  # noqa: E402

ROLES = [("admin", ADMIN), ("manager", MANAGER), ("finance", FINANCE), ("contractor", CONTRACTOR_A)]
MISSING = 99999999
INVENTORY = ["projects", "contractors", "lots", "nodes", "segments", "premises", "milestones"]
FINANCE_RES = ["budget-lines", "drawdowns", "report-notes"]
CATEGORIES = ["civil_works", "cabling", "splicing", "planning", "materials", "other"]
PERIODS = itertools.count(1)  # a day (and year) of its own for every budget line, drawdown or note

# ------------------------------------------------------------------ SPEC 4 table


def expected(path, method, role, scope):
    """'2xx', '2xx|409' (referenced on DELETE), '403', '404' or 'public'."""
    parts = path.strip("/").split("/")
    if path in ("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/", "/{file}"):
        return "public"
    if path == "/api/v1/auth/login":
        return "2xx"
    if path in ("/api/v1/auth/logout", "/api/v1/me"):
        return "2xx"
    res = parts[2]
    item = len(parts) >= 4
    missing = scope == "missing"
    staff = role in ("admin", "manager", "finance")

    def found(ok="2xx"):
        return "404" if missing else ok

    if res in INVENTORY:
        if item and len(parts) >= 5:  # projects/{id}/summary|export.geojson|import|reports/*.xlsx
            if parts[4] == "invoices":  # projects/{id}/invoices/import: the bookkeepers'
                return found() if role in ("admin", "finance") else "403"
            if parts[4] in ("import", "accept"):
                return found() if role in ("admin", "manager") else "403"
            return found() if staff else "403"
        if method == "GET":
            if not item:
                return "2xx"
            if role == "contractor":
                return "2xx" if scope == "in" else "404"
            return found()
        if role not in ("admin", "manager"):
            return "403"
        if method == "DELETE" and scope == "in" and res in ("projects", "contractors", "nodes"):
            return "2xx|409"  # inside A's scope means referenced by A's lots/segments
        return found() if item else "2xx"
    if res == "invoices":
        if role == "contractor":
            return "403"
        if method != "GET" and role == "manager":
            return "403"
        return found() if item else "2xx"
    if res in FINANCE_RES:
        # SPEC 12: finance and admins keep the money, managers the narrative; staff read; contractors nothing.
        writers = ("admin", "manager") if res == "report-notes" else ("admin", "finance")
        if role == "contractor" or (method != "GET" and role not in writers):
            return "403"
        return found() if item else "2xx"
    if res == "progress-reports" and len(parts) == 5 and parts[4] == "attachments":
        # SPEC 10: contractors add to their own reports; everyone reads as the report.
        if method == "POST" and role != "contractor":
            return "403"
        if role == "contractor":
            return "2xx" if scope == "in" else "404"
        return found()
    if res == "attachments":
        if role == "contractor":
            return "2xx" if scope == "in" else "404"
        return found()
    if res == "progress-reports":
        if len(parts) == 5:  # approve / reject
            return found() if role in ("admin", "manager") else "403"
        if method == "POST":
            if role not in ("admin", "contractor"):
                return "403"
            if missing:
                return "404"
            return "404" if role == "contractor" and scope == "out" else "2xx"
        if not item:
            return "2xx"
        if role == "contractor":
            return "2xx" if scope == "in" else "404"
        return found()
    if res == "users":
        return (found() if item else "2xx") if role == "admin" else "403"
    if res == "tokens":
        if not item:
            return "2xx"
        if role == "admin":
            return found()
        return "2xx" if scope == "in" else "404"
    if res == "audit":
        return (found() if item else "2xx") if staff else "403"
    return None


# ------------------------------------------------------------------ objects


class Objects:
    """Fixed objects inside and outside contractor A's scope, and makers of fresh
    ones for the writes that succeed."""

    def __init__(self, srv, fx):
        self.srv, self.fx = srv, fx
        p, q = fx.p, fx.q
        self.n_in = fx.node(p)
        self.n_out = fx.node(p)
        self.seg_in = fx.segment(fx.la, from_node_id=self.n_in)["id"]
        self.seg_out = fx.segment(fx.lb, from_node_id=self.n_out)["id"]
        self.rep_seg_in = fx.segment(fx.la)["id"]
        self.rep_seg_out = fx.segment(fx.lb)["id"]
        self.prem_in = fx.premise(self.seg_in)["id"]
        self.prem_out = fx.premise(self.seg_out)["id"]
        self.ms_in = self.milestone(p)
        self.ms_out = self.milestone(q)
        self.inv_in = self.invoice(fx.a, p, fx.la)
        self.inv_out = self.invoice(fx.b, q, fx.qb)
        self.rep_in = self.report(self.rep_seg_in, CONTRACTOR_A)
        self.rep_out = self.report(self.rep_seg_out, CONTRACTOR_B)
        self.user_in = fx.user_ids[CONTRACTOR_A]
        self.user_out = fx.user_ids[CONTRACTOR_B]
        self.fin = {res: (self.finance_object(res, p), self.finance_object(res, q)) for res in FINANCE_RES}
        self.att_in = self.attachment(self.rep_in, CONTRACTOR_A)
        self.att_out = self.attachment(self.rep_out, CONTRACTOR_B)
        self.audit_id = int(srv.scalar("SELECT MAX(id) FROM audit_log"))
        self.fixed = {
            "projects": (p, q), "contractors": (fx.a, fx.b), "lots": (fx.la, fx.lb),
            "nodes": (self.n_in, self.n_out), "segments": (self.seg_in, self.seg_out),
            "premises": (self.prem_in, self.prem_out), "milestones": (self.ms_in, self.ms_out),
            "invoices": (self.inv_in, self.inv_out), "progress-reports": (self.rep_in, self.rep_out),
            "users": (self.user_in, self.user_out), "audit": (self.audit_id, self.audit_id),
            "projects-sub": (p, q), "attachments": (self.att_in, self.att_out),
        }
        self.fixed.update(self.fin)

    # makers -------------------------------------------------------------

    def milestone(self, project):
        return self.srv.create("milestones", {"project_id": project, "name": unique("M"),
                                              "planned_date": day(10)})["id"]

    def invoice(self, contractor, project, lot):
        return self.srv.create("invoices", {"project_id": project, "lot_id": lot, "contractor_id": contractor,
                                            "number": unique("RE"), "invoice_date": day(-1),
                                            "category": "other", "net_cents": 1000}, FINANCE)["id"]

    def finance_body(self, res, project):
        """A valid new budget line, drawdown or report note: each on a day (year) of its own."""
        n = next(PERIODS)
        d = (datetime.date(2000, 1, 1) + datetime.timedelta(days=n)).isoformat()
        if res == "budget-lines":
            return {"project_id": project, "category": CATEGORIES[n // 100 % len(CATEGORIES)],
                    "year": 2000 + n % 100, "planned_cents": 100}
        if res == "drawdowns":
            return {"project_id": project, "period_from": d, "period_to": d, "federal_requested_cents": 100}
        return {"project_id": project, "period_from": d, "period_to": d, "text": "Matrix"}

    def finance_object(self, res, project, state="draft"):
        oid = self.srv.create(res, self.finance_body(res, project), MANAGER if res == "report-notes" else FINANCE)["id"]
        if state != "draft":
            r = self.srv.post("/drawdowns/%d/submit" % oid, None, FINANCE)
            require(r.status == 200, "matrix drawdown submit: %r" % r)
        return oid

    def report(self, seg, who):
        r = self.srv.post("/progress-reports", {"segment_id": seg, "report_date": day(0), "built_length_m": 1.0,
                                                "status": "in_construction"}, who,
                          headers={"Idempotency-Key": unique("mx")})
        require(r.status == 201, "matrix report: %r" % r)
        return r.json["id"]

    def attachment(self, report, who):
        r = self.srv.request("POST", "/api/v1/progress-reports/%d/attachments" % report, token=self.srv.token(who),
                             raw=photos.jpeg(salt=unique("mx").encode()), ctype="image/jpeg",
                             headers={"Idempotency-Key": unique("mx")})
        require(r.status == 201, "matrix attachment: %r" % r)
        return r.json["id"]

    def tested_segment(self, scope):
        seg = self.fx.segment(self.fx.la if scope == "in" else self.fx.lb)["id"]
        r = self.srv.patch("/segments/%d" % seg, {"status": "tested"}, ADMIN)
        require(r.status == 200, "matrix segment to tested: %r" % r)
        return seg

    def token_id(self, email):
        self.srv.fresh_token(email)
        return int(self.srv.scalar("SELECT MAX(t.id) FROM tokens t JOIN users u ON u.id = t.user_id "
                                   "WHERE u.email = '%s'" % email))

    def fresh(self, res, scope, role_email):
        """A new object for a write that is expected to succeed."""
        fx, srv = self.fx, self.srv
        inside = scope == "in"
        if res == "projects":
            pid = fx.project("X")
            if inside:
                fx.lot(pid, fx.a)
            return pid
        if res == "contractors":
            return fx.a if inside else srv.create("contractors", {"name": unique("Firma")}, ADMIN)["id"]
        if res == "lots":
            return fx.lot(fx.p, fx.a if inside else fx.b)
        if res == "nodes":
            n = fx.node(fx.p)
            if inside:
                fx.segment(fx.la, from_node_id=n)
            return n
        if res == "segments":
            return fx.segment(fx.la if inside else fx.lb)["id"]
        if res == "premises":
            return fx.premise(self.seg_in if inside else self.seg_out)["id"]
        if res == "milestones":
            return self.milestone(fx.p if inside else fx.q)
        if res == "invoices":
            return self.invoice(fx.a, fx.p, fx.la) if inside else self.invoice(fx.b, fx.q, fx.qb)
        if res == "progress-reports":
            return self.report(self.rep_seg_in, CONTRACTOR_A) if inside else \
                self.report(self.rep_seg_out, CONTRACTOR_B)
        if res == "tokens":
            return self.token_id(role_email if inside else (CONTRACTOR_B if role_email != CONTRACTOR_B else ADMIN))
        if res in FINANCE_RES:
            return self.finance_object(res, fx.p if inside else fx.q)
        raise KeyError(res)

    def token_of(self, role_email, scope):
        own = self.srv.scalar("SELECT MIN(t.id) FROM tokens t JOIN users u ON u.id = t.user_id "
                              "WHERE u.email = '%s' AND t.revoked_at IS NULL" % role_email)
        other = CONTRACTOR_B if role_email != CONTRACTOR_B else ADMIN
        oth = self.srv.scalar("SELECT MIN(t.id) FROM tokens t JOIN users u ON u.id = t.user_id "
                              "WHERE u.email = '%s' AND t.revoked_at IS NULL" % other)
        return int(own if scope == "in" else oth)

    # bodies ------------------------------------------------------------------

    def create_body(self, res, scope):
        fx = self.fx
        if res == "projects":
            return {"code": unique("MXP"), "name": "Matrix", "municipality": "X"}
        if res == "contractors":
            return {"name": unique("Firma")}
        if res == "lots":
            return {"project_id": fx.p, "code": unique("L"), "name": "Los", "contractor_id": fx.a}
        if res == "nodes":
            return {"project_id": fx.p, "code": unique("N"), "kind": "handhole"}
        if res == "segments":
            return {"project_id": fx.p, "lot_id": fx.la, "code": unique("S"), "kind": "duct",
                    "planned_length_m": 10}
        if res == "premises":
            return {"project_id": fx.p, "code": unique("P"), "street": "A", "house_number": "1",
                    "postcode": "1", "city": "X", "serving_segment_id": self.seg_in}
        if res == "milestones":
            return {"project_id": fx.p, "name": unique("M"), "planned_date": day(5)}
        if res == "invoices":
            return {"project_id": fx.p, "contractor_id": fx.a, "number": unique("RE"), "invoice_date": day(0),
                    "category": "other", "net_cents": 100}
        if res == "progress-reports":
            seg = {"in": self.rep_seg_in, "out": self.rep_seg_out, "missing": MISSING}[scope]
            return {"segment_id": seg, "report_date": day(0), "built_length_m": 1.0, "status": "in_construction"}
        if res == "users":
            return {"email": unique("u") + "@example.org", "name": "Neu", "role": "finance",
                    "password": "matrix-password-1"}
        if res == "tokens":
            return {"name": unique("t")}
        if res in FINANCE_RES:
            return self.finance_body(res, fx.p)
        raise KeyError(res)

    @staticmethod
    def patch_body(res):
        return {"projects": {"name": "Workflow renamed"}, "contractors": {"phone": "+49 30 555"},
                "lots": {"name": "Los renamed"}, "nodes": {"name": "renamed"},
                "segments": {"duct_type": "Speedpipe 7x4"}, "premises": {"city": "Teststadt"},
                "milestones": {"notes": "matrix"}, "invoices": {"vat_cents": 19},
                "users": {"name": "Renamed User"}, "budget-lines": {"note": "matrix"},
                "drawdowns": {"note": "matrix"}, "report-notes": {"text": "Matrix renamed"}}[res]


# -------------------------------------------------------------------- runner


class Matrix:
    def __init__(self, srv, fx):
        self.srv, self.fx = srv, fx
        self.obj = Objects(srv, fx)
        self.cells = {}  # (method, path) -> {(role, scope): text}
        self.stats = {"requests": 0, "refused_writes": 0, "mismatches": 0, "changed": 0}
        self.anon = {}

    def classify(self, status, exp):
        if exp == "public":
            return status not in (401, 403)
        if exp == "2xx":
            return 200 <= status < 300
        if exp == "2xx|409":
            return 200 <= status < 300 or status == 409
        return str(status) == exp

    def send(self, method, path, role, email, scope):
        srv, obj = self.srv, self.obj
        parts = path.strip("/").split("/")
        res = parts[2] if len(parts) > 2 else None
        exp = expected(path, method, role, scope)
        tok = srv.token(email)
        headers, body, raw, url = {}, None, None, path
        item = "{id}" in path
        allowed = exp in ("2xx", "2xx|409")
        # which object
        oid = None
        if item:
            if scope == "missing":
                oid = MISSING
            elif res == "tokens":
                oid = obj.fresh("tokens", scope, email) if method == "DELETE" else obj.token_of(email, scope)
            elif len(parts) == 5 and res == "progress-reports" and parts[4] == "attachments":
                oid = obj.fixed[res][scope == "out"]
            elif len(parts) == 5 and res == "progress-reports":
                oid = obj.fresh(res, scope, email) if allowed else obj.fixed[res][scope == "out"]
            elif res == "attachments":
                oid = obj.fixed[res][scope == "out"]
            elif res == "segments" and parts[-1] == "accept":
                oid = obj.tested_segment(scope) if allowed else obj.fixed[res][scope == "out"]
            elif res == "drawdowns" and len(parts) == 5:
                # submit takes a draft, receive a submitted one; a refused step gets the fixed draft
                project = self.fx.p if scope == "in" else self.fx.q
                oid = obj.finance_object(res, project, "draft" if parts[4] == "submit" else "submitted") \
                    if allowed else obj.fixed[res][scope == "out"]
            elif len(parts) >= 5:
                oid = obj.fixed["projects-sub"][scope == "out"]
            elif method == "DELETE" and allowed:
                oid = obj.fresh(res, scope, email)
            else:
                oid = obj.fixed[res][scope == "out"]
            url = path.replace("{id}", str(oid))
        if path == "/{file}":
            url = "/" + self.webfile()
        if method in ("PATCH", "DELETE"):
            if oid == MISSING:
                headers["If-Match"] = '"1"'
            else:
                g = srv.request("GET", url, token=srv.token(ADMIN))
                headers["If-Match"] = g.etag or '"1"'
        if method == "POST":
            if path == "/api/v1/auth/login":
                body = {"email": email, "password": PASSWORD}
                tok = None
            elif path == "/api/v1/auth/logout":
                tok = srv.fresh_token(email)
            elif res == "segments" and parts[-1] == "accept":
                body = {"note": "matrix"}
            elif res == "progress-reports" and parts[-1] == "attachments":
                raw = photos.jpeg(salt=unique("mx").encode())
                headers["Idempotency-Key"] = unique("mx")
                headers["Content-Type"] = "image/jpeg"
            elif res == "progress-reports" and len(parts) == 5:
                body = {"comment": "matrix"}
            elif res == "projects" and parts[-1] == "import" and parts[-2] == "invoices":
                raw = "number;invoice_date;category;net;contractor_id\n%s;%s;other;1,50;%d\n" % (
                    unique("RE"), day(0), self.fx.a)
                headers["Content-Type"] = "text/csv"
            elif res == "projects" and parts[-1] == "import":
                body = {"type": "FeatureCollection", "features": []}
            elif res == "drawdowns" and parts[-1] == "submit":
                body = None
            elif res == "drawdowns" and parts[-1] == "receive":
                body = {"received_at": day(0), "federal_received_cents": 100, "state_received_cents": 0}
            else:
                body = obj.create_body(res, scope)
            if res == "progress-reports" and len(parts) == 3:
                headers["Idempotency-Key"] = unique("mx")
        elif method == "PATCH":
            body = obj.patch_body(res)
        write = method in ("POST", "PATCH", "DELETE")
        before = srv.snapshot() if write and not allowed and exp != "public" else None
        kw = {"headers": headers}
        if body is not None:
            kw["body"] = body
        if raw is not None:
            kw["raw"] = raw
        r = srv.request(method, url, token=tok, **kw)
        self.stats["requests"] += 1
        ok = self.classify(r.status, exp)
        if exp == "public":
            if path not in self.anon:
                self.anon[path] = srv.request(method, url).status
            ok = ok and r.status == self.anon[path]
        text = str(r.status) + ("" if ok else "!")
        if not ok:
            self.stats["mismatches"] += 1
            check(False, "%s %s as %s (%s object): expected %s, got %s: %s"
                  % (method, url, role, scope, exp, r.status, r.text[:200]))
        if not (200 <= r.status < 300) and write and exp != "public":
            if before is None:
                before = None  # the write was expected to succeed; no baseline
            else:
                self.stats["refused_writes"] += 1
                diff = snapshot_diff(before, srv.snapshot())
                if diff:
                    self.stats["changed"] += 1
                    text += "*"
                    check(False, "refused %s %s as %s (%s) changed tables %s" % (method, url, role, scope, diff))
        if r.status >= 400:
            j = r.json
            check(isinstance(j, dict) and j.get("status") == r.status and r.ctype == "application/problem+json",
                  "%s %s as %s: error is not problem+json: %r" % (method, url, role, r))
        self.cells.setdefault((method, path), {})[(role, scope)] = text
        return r

    _webfile = None

    def webfile(self):
        if Matrix._webfile is None:
            d = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             "clients", "web")
            names = sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n))) if os.path.isdir(d) else []
            Matrix._webfile = next((n for n in names if n != "index.html"), names[0] if names else "index.html")
        return Matrix._webfile

    def run_path(self, path, methods):
        scopes = ["in", "out", "missing"] if "{id}" in path else ["-"]
        if path == "/api/v1/progress-reports":
            scopes = ["in", "out", "missing"]  # the scope of POST is the segment in the body
        for method in methods:
            for role, email in ROLES:
                for scope in scopes:
                    sc = scope
                    if path == "/api/v1/progress-reports" and method == "GET":
                        if scope != "in":
                            continue
                        sc = "-"
                    self.send(method.upper(), path, role, email, sc)

    def write(self, routes, elapsed):
        os.makedirs(ARTIFACTS, exist_ok=True)
        cols = []
        for role, _ in ROLES:
            for scope in ("in", "out", "missing", "-"):
                cols.append((role, scope))
        used = [c for c in cols if any(c in cell for cell in self.cells.values())]
        w = max(len("%s %s" % k) for k in self.cells) + 2
        lines = ["fibertrack authorization matrix (tests/workflow/test_authz.py), %s UTC"
                 % time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                 "every route of GET /api/v1/openapi.json x role x object; status as answered.",
                 "objects: in = inside contractor A's scope (its project, lot, segment, ...), out = outside it,",
                 "missing = id %d, - = no object in the path. '!' = differs from SPEC 4's role table," % MISSING,
                 "'*' = a refused write changed a table. admin/manager/finance see every object; the",
                 "contractor column is contractor A (Tiefbau Nord).", ""]
        head = " " * w + " ".join("%-9s" % ("%s/%s" % (r[:5], s[:4])) for r, s in used)
        lines.append(head)
        lines.append("-" * len(head))
        for (method, path) in routes:
            cell = self.cells.get((method.upper(), path), {})
            lines.append("%-*s" % (w, "%s %s" % (method.upper(), path)) +
                         " ".join("%-9s" % cell.get(c, "") for c in used))
        lines.append("")
        lines.append("%d requests, %d refused writes checked with CHECKSUM TABLE, %d statuses differ from "
                     "SPEC 4, %d refused writes changed data; %.1f s"
                     % (self.stats["requests"], self.stats["refused_writes"], self.stats["mismatches"],
                        self.stats["changed"], elapsed))
        with open(os.path.join(ARTIFACTS, "authz-matrix.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")


_state = {}


def _routes(srv):
    r = srv.request("GET", "/api/v1/openapi.json")
    require(r.status == 200 and isinstance(r.json, dict), "openapi.json: %r" % r)
    routes = []
    for path, ops in r.json.get("paths", {}).items():
        for m in ops:
            if m.lower() in ("get", "post", "patch", "put", "delete"):
                routes.append((m.lower(), path))
    return routes


def t_openapi_complete(srv, fx):
    routes = _routes(srv)
    have = {(m.upper(), p) for m, p in routes}
    need = [("POST", "/api/v1/progress-reports"), ("POST", "/api/v1/progress-reports/{id}/approve"),
            ("POST", "/api/v1/progress-reports/{id}/reject"), ("GET", "/api/v1/progress-reports"),
            ("GET", "/api/v1/projects/{id}/summary"), ("POST", "/api/v1/projects/{id}/import"),
            ("GET", "/api/v1/projects/{id}/export.geojson"), ("GET", "/api/v1/audit")]
    for res in INVENTORY + ["invoices"] + FINANCE_RES:
        for m, p in (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PATCH", "/{id}"), ("DELETE", "/{id}")):
            need.append((m, "/api/v1/%s%s" % (res, p)))
    for n in need:
        check(n in have, "openapi.json does not list %s %s" % n)
    unknown = [(m, p) for m, p in routes if expected(p, m.upper(), "admin", "in") is None]
    check(not unknown, "routes the SPEC 4 table does not cover (no expectation): %r" % unknown)


def t_matrix(srv, fx):
    routes = _routes(srv)
    t0 = time.monotonic()
    mx = Matrix(srv, fx)
    bypath = {}
    for m, p in routes:
        bypath.setdefault(p, []).append(m)
    # logout last: it revokes tokens
    order = sorted(bypath, key=lambda p: (p == "/api/v1/auth/logout", p))
    for p in order:
        if expected(p, "GET", "admin", "in") is None and expected(p, "POST", "admin", "in") is None:
            continue
        mx.run_path(p, bypath[p])
    mx.write([(m, p) for p in order for m in bypath[p]], time.monotonic() - t0)
    from wf import log
    log("authz matrix: %d requests, %d refused writes checked, %d mismatches, %d changed data (%.1f s) -> %s"
        % (mx.stats["requests"], mx.stats["refused_writes"], mx.stats["mismatches"], mx.stats["changed"],
           time.monotonic() - t0, os.path.join(ARTIFACTS, "authz-matrix.txt")))


def t_scope_lists_and_404_shape(srv, fx):
    """Contractor lists hold only objects in scope; a foreign object's 404 is
    the 404 of a missing id (no existence oracle)."""
    obj = _state.get("obj") or Objects(srv, fx)
    _state["obj"] = obj
    for res in ["projects", "contractors", "lots", "nodes", "segments", "premises", "milestones",
                "progress-reports"]:
        i_in, i_out = obj.fixed[res]
        ids = [x["id"] for x in srv.get("/" + res, CONTRACTOR_A, params={"limit": 1000}).json["items"]]
        check(i_in in ids, "contractor's %s list lacks its own object %d" % (res, i_in))
        check(i_out not in ids, "contractor's %s list shows the foreign object %d" % (res, i_out))
        r_out = srv.get("/%s/%d" % (res, i_out), CONTRACTOR_A)
        r_mis = srv.get("/%s/%d" % (res, MISSING), CONTRACTOR_A)
        a = dict(r_out.json or {}, request_id=None, detail=(r_out.json or {}).get("detail", "").replace(str(i_out), "N"))
        b = dict(r_mis.json or {}, request_id=None, detail=(r_mis.json or {}).get("detail", "").replace(str(MISSING), "N"))
        check(r_out.status == r_mis.status == 404 and a == b,
              "%s: foreign object answers %r, missing one %r" % (res, r_out, r_mis))
        check(sorted(k.lower() for k, _ in r_out.headers if k.lower() not in ("date", "x-request-id", "content-length"))
              == sorted(k.lower() for k, _ in r_mis.headers if k.lower() not in ("date", "x-request-id", "content-length")),
              "%s: headers of the two 404s differ" % res)
    # filters cannot widen the scope
    segs = srv.get("/segments", CONTRACTOR_A, params={"lot_id": fx.lb}).json["items"]
    check(segs == [], "filtering on a foreign lot shows its segments: %r" % segs[:2])
    segs = srv.get("/segments", CONTRACTOR_A, params={"project_id": fx.q}).json["items"]
    check(segs == [], "filtering on a foreign project shows its segments")
    # write attempts on foreign objects change nothing and do not reveal them
    for res in ("segments", "premises"):
        i_out = obj.fixed[res][1]
        before = srv.snapshot()
        r = srv.request("PATCH", "/api/v1/%s/%d" % (res, i_out), token=srv.token(CONTRACTOR_A),
                    body=Objects.patch_body(res), headers={"If-Match": '"1"'})
        check(r.status == 403, "contractor PATCH of a foreign %s: %r" % (res, r))
        check(not snapshot_diff(before, srv.snapshot()), "contractor PATCH of a foreign %s changed data" % res)


TESTS = [
    ("authz: openapi.json lists every route of the SPEC", t_openapi_complete),
    ("authz: matrix route x role x object (SPEC 4), refused writes change nothing", t_matrix),
    ("authz: contractor lists scoped; foreign 404 == missing 404", t_scope_lists_and_404_shape),
]
