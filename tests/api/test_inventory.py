"""CRUD of every resource: happy path, strict bodies, filters, If-Match, audit,
and the domain rules that the generic handlers enforce. Run with FT_BASE_URL,
FT_DATA_DIR and FT_BIN set (see tests/run.sh)."""

import datetime
import json
import re

from ftapi import (API, MIB, Fixture, Suite, check, check_unchanged, db_query, db_snapshot, etag_of,
                   invalid, line, pointers, problem, request, require, short, unique)

suite = Suite("inventory")
FX = None  # the Fixture, built in setup()

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
PAST = "2000-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


# ------------------------------------------------------------ resource specs
#
# make(fx): a valid create body; update(fx): a valid change; wrong: fields with
# values of the wrong type; bad_values: right type, out of range or format;
# filters(obj, fx): list filters that must find obj; bad_filters: each -> 400.

SPECS = {
    "projects": dict(
        entity="project",
        make=lambda fx: {"code": unique("P"), "name": "Glasfaser Süd – Ümlaut 🚀", "municipality": "Musterstadt",
                         "funding_programme": "Gigabitförderung 2.0", "grant_reference": "FKZ-4711",
                         "budget_cents": 123456789, "federal_rate": 0.5, "state_rate": 0.4,
                         "start_date": "2026-01-01", "planned_end_date": "2027-12-31", "status": "planning"},
        update=lambda fx: {"name": "Renamed project", "status": "construction", "budget_cents": 200000000},
        wrong={"name": 5, "budget_cents": "100", "federal_rate": "0.5", "start_date": 20260101,
               "status": 3, "grant_reference": True},
        bad_values={"budget_cents": -1, "federal_rate": 1.5, "state_rate": -0.1, "start_date": "2026-02-30",
                    "planned_end_date": "01.02.2026", "status": "finished", "code": ""},
        filters=lambda o, fx: [{"code": o["code"]}, {"status": o["status"]}, {"code": o["code"], "status": o["status"]},
                               {"q": o["code"]}],
        bad_filters=[{"status": "bogus"}, {"status": ""}],
    ),
    "contractors": dict(
        entity="contractor",
        make=lambda fx: {"name": unique("Tiefbau GmbH"), "vat_id": "DE123456789",
                         "email": "bauleitung@tiefbau.example", "phone": "+49 30 123456"},
        update=lambda fx: {"phone": "+49 89 987654", "email": "neu@tiefbau.example"},
        wrong={"name": [], "vat_id": 1, "email": False, "phone": {}},
        bad_values={"name": "", "email": "not-an-email", "vat_id": "x" * 33, "phone": "a\u0001b"},
        filters=lambda o, fx: [{"q": o["name"]}],
        bad_filters=[{"q": "x" * 101}],
    ),
    "lots": dict(
        entity="lot",
        make=lambda fx: {"project_id": fx.p["id"], "code": unique("L"), "name": "Baulos Nord",
                         "contractor_id": fx.con_a["id"], "contract_value_cents": 987654321, "auto_approve": False},
        update=lambda fx: {"name": "Baulos Nord-West", "auto_approve": True, "contractor_id": fx.con_b["id"]},
        wrong={"project_id": "1", "code": 7, "contractor_id": "a", "contract_value_cents": 1.5,
               "auto_approve": "yes"},
        bad_values={"contract_value_cents": -5, "project_id": 0, "contractor_id": -3},
        immutable=lambda fx: {"project_id": fx.q["id"]},
        filters=lambda o, fx: [{"project_id": o["project_id"]}, {"contractor_id": o["contractor_id"]},
                               {"code": o["code"]}, {"project_id": o["project_id"], "contractor_id": o["contractor_id"]},
                               {"q": o["code"]}],
        bad_filters=[{"project_id": "abc"}, {"contractor_id": "0"}, {"contractor_id": "-1"},
                     {"project_id": "1.5"}],
    ),
    "nodes": dict(
        entity="node",
        make=lambda fx: {"project_id": fx.p["id"], "code": unique("N"), "kind": "cabinet",
                         "name": "NVt 12", "lat": 52.520008, "lon": 13.404954},
        update=lambda fx: {"name": "NVt 12a", "lat": 52.53, "lon": 13.41, "kind": "pop"},
        wrong={"kind": 1, "lat": "52.5", "lon": "13.4", "name": 5, "code": None},
        bad_values={"lat": 91, "lon": -181, "kind": "router"},
        immutable=lambda fx: {"project_id": fx.q["id"]},
        filters=lambda o, fx: [{"project_id": o["project_id"]}, {"kind": o["kind"]}, {"code": o["code"]},
                               {"q": o["code"]}],
        bad_filters=[{"kind": "router"}, {"project_id": "x"}, {"project_id": "-3"}],
    ),
    "segments": dict(
        entity="segment",
        make=lambda fx: {"project_id": fx.p["id"], "lot_id": fx.lot_u["id"], "code": unique("S"),
                         "from_node_id": fx.nodes[4]["id"], "to_node_id": fx.nodes[5]["id"], "kind": "duct",
                         "method": "micro_trench", "surface": "unsealed", "planned_length_m": 250.75,
                         "built_length_m": 10, "fiber_count": 48, "duct_type": "SpeedPipe 12x10",
                         "geometry": {"type": "LineString",
                                      "coordinates": [[13.4049, 52.52], [13.4051, 52.5202], [13.4063, 52.5207]]},
                         "status": "planned", "planned_start": "2026-03-01", "planned_end": "2026-04-15"},
        update=lambda fx: {"built_length_m": 100.5, "status": "permitted", "duct_type": "SpeedPipe 7x4",
                           "geometry": line((13.4, 52.5), (13.41, 52.51))},
        wrong={"planned_length_m": "250", "fiber_count": 1.5, "geometry": "LINESTRING(0 0, 1 1)",
               "kind": 4, "lot_id": "1", "planned_start": 2026},
        bad_values={"planned_length_m": -1, "built_length_m": 1.234, "fiber_count": -1,
                    "geometry": {"type": "LineString", "coordinates": [[13.4, 52.5]]},
                    "kind": "tunnel", "status": "done", "method": "dig", "surface": "gravel"},
        readonly_extra=["progress"],
        immutable=lambda fx: {"project_id": fx.q["id"]},
        filters=lambda o, fx: [{"project_id": o["project_id"]}, {"lot_id": o["lot_id"]}, {"status": o["status"]},
                               {"kind": o["kind"]}, {"code": o["code"]}, {"from_node_id": o["from_node_id"]},
                               {"method": o["method"]}, {"project_id": o["project_id"], "status": o["status"]},
                               {"q": o["code"]}],
        bad_filters=[{"status": "done"}, {"lot_id": "x1"}, {"method": "dig"}, {"from_node_id": "1.5"},
                     {"kind": "TRENCH"}],
        writeonly=["status_reason"],
    ),
    "premises": dict(
        entity="premise",
        make=lambda fx: {"project_id": fx.p["id"], "code": unique("H"), "street": "Lindenstraße",
                         "house_number": "12b", "postcode": "01234", "city": "Musterstadt", "lat": 52.51,
                         "lon": 13.39, "kind": "business", "units_residential": 2, "units_business": 1,
                         "white_spot": True, "bandwidth_before_mbps": 6.5, "serving_segment_id": fx.seg_u["id"],
                         "status": "planned"},
        update=lambda fx: {"status": "passed", "passed_date": "2026-05-01", "units_residential": 3},
        wrong={"units_residential": "2", "white_spot": "yes", "bandwidth_before_mbps": "6", "kind": 1,
               "postcode": 12345, "serving_segment_id": "1"},
        bad_values={"units_residential": -1, "units_business": 100001, "bandwidth_before_mbps": -1, "lat": 100,
                    "status": "gone", "passed_date": "2026-5-1"},
        immutable=lambda fx: {"project_id": fx.q["id"]},
        filters=lambda o, fx: [{"project_id": o["project_id"]}, {"status": o["status"]}, {"kind": o["kind"]},
                               {"white_spot": "true"}, {"serving_segment_id": o["serving_segment_id"]},
                               {"postcode": o["postcode"]}, {"code": o["code"]}, {"q": o["code"]}],
        bad_filters=[{"white_spot": "yes"}, {"status": "gone"}, {"serving_segment_id": "abc"}, {"kind": "castle"}],
    ),
    "users": dict(
        entity="user",
        make=lambda fx: {"email": unique("u") + "@test.example", "name": "Fritz Finanz", "role": "finance",
                         "password": "correct horse battery"},
        update=lambda fx: {"name": "Fritz F. Finanz", "active": True},
        wrong={"email": 1, "role": 7, "active": "yes", "password": 1234567890, "contractor_id": "1"},
        bad_values={"password": "short", "email": "not-an-email", "name": "x" * 201, "role": "king"},
        filters=lambda o, fx: [{"email": o["email"]}, {"role": o["role"]}, {"active": "true"},
                               {"role": o["role"], "active": "true"}, {"q": o["email"]}],
        bad_filters=[{"role": "king"}, {"active": "1"}, {"contractor_id": "abc"}],
        writeonly=["password"],
        deletable=False,
    ),
    "tokens": dict(
        entity="token",
        make=lambda fx: {"name": unique("ci-token"), "expires_at": "2999-12-31T00:00:00Z"},
        update=None,  # tokens have no PATCH
        wrong={"name": 5, "expires_at": 1234567890, "user_id": "1"},
        bad_values={"name": "x" * 101, "expires_at": "tomorrow", "user_id": 0},
        readonly_extra=["prefix", "last_used_at", "revoked_at"],
        filters=lambda o, fx: [{"user_id": o["user_id"]}, {"q": o["name"]}],
        bad_filters=[{"user_id": "me"}, {"user_id": "0"}],
        writeonly=["token"],
    ),
}

COMMON_BAD_FILTERS = [{"limit": "0"}, {"limit": "1001"}, {"limit": "ten"}, {"limit": ""}, {"limit": "-1"},
                      {"updated_since": "yesterday"}, {"updated_since": "2026-13-01T00:00:00Z"},
                      {"updated_since": "2026-01-01"}]
BAD_CURSORS = ["garbage", "c1.", "c1.!!!!", "c2.aWQ6MTA", "c1.aWQ6LTE", "c1.eHl6"]
READONLY = ["id", "version", "created_at", "updated_at"]

# The persistent objects per resource: "obj" goes through create/update/delete,
# "target" takes the bad PATCHes and is never deleted.
STATE = {name: {} for name in SPECS}


def audit_entries(request_id):
    r = FX.admin.get("/audit", params={"request_id": request_id})
    require(r.status == 200, "GET /audit?request_id=%s: %r" % (request_id, r))
    return r.json["items"]


def check_audit(r, action, entity, entity_id, before, after, who=None, what=""):
    """The response r wrote exactly one audit entry for its request id."""
    rid = r.request_id
    if not check(rid, "%s: no X-Request-ID on the response" % what):
        return
    items = audit_entries(rid)
    if not check(len(items) == 1, "%s: %d audit entries for request %s, want 1: %s"
                 % (what, len(items), rid, short(json.dumps(items)))):
        return
    e = items[0]
    who = who or FX.admin
    check(e.get("action") == action, "%s: audit action %r != %r" % (what, e.get("action"), action))
    check(e.get("entity") == entity, "%s: audit entity %r != %r" % (what, e.get("entity"), entity))
    check(e.get("entity_id") == entity_id, "%s: audit entity_id %r != %r" % (what, e.get("entity_id"), entity_id))
    check(e.get("user_id") == who.id, "%s: audit user_id %r != %r" % (what, e.get("user_id"), who.id))
    check(e.get("user_name") == who.user.get("name"), "%s: audit user_name %r" % (what, e.get("user_name")))
    check(e.get("request_id") == rid, "%s: audit request_id %r != %r" % (what, e.get("request_id"), rid))
    check(isinstance(e.get("at"), str) and TS_RE.match(e["at"]), "%s: audit 'at' %r" % (what, e.get("at")))
    for name, want in (("before", before), ("after", after)):
        got = e.get(name)
        if want is None:
            check(got is None, "%s: audit %s should be null, is %s" % (what, name, short(json.dumps(got))))
        else:
            if not check(isinstance(got, dict), "%s: audit %s is not an object: %r" % (what, name, got)):
                continue
            for k, v in want.items():
                check(got.get(k) == v, "%s: audit %s.%s = %r, want %r" % (what, name, k, got.get(k), v))
    text = json.dumps(e).lower()
    check("password" not in text and "hash" not in text, "%s: audit entry leaks a password or hash" % what)
    # the audit entry is in the database too, under the same request id
    rows = db_query("SELECT action, entity, entity_id FROM audit_log WHERE request_id = '%s'" % rid.replace("'", ""))
    check(rows == [[action, entity, str(entity_id)]], "%s: audit_log rows for %s: %r" % (what, rid, rows))


def same_instant(a, b):
    from datetime import datetime
    try:
        return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(b.replace("Z", "+00:00"))
    except ValueError:
        return False


def same_fields(got, sent, skip, what):
    for k, v in sent.items():
        if k in skip:
            continue
        g = got.get(k)
        if isinstance(v, float) or isinstance(g, float):
            ok = isinstance(g, (int, float)) and not isinstance(g, bool) and abs(g - v) < 1e-6
        elif isinstance(v, str) and isinstance(g, str) and "T" in v and v.endswith("Z"):
            # Timestamps come back normalised to milliseconds: compare instants.
            ok = same_instant(g, v)
        else:
            ok = g == v
        check(ok, "%s: field %s is %r, sent %r" % (what, k, g, v))


def coll_of(name):
    return "/" + name


# -------------------------------------------------------- generic test builders


def make_tests(name, spec):
    coll = coll_of(name)
    st = STATE[name]
    writeonly = spec.get("writeonly", [])
    patchable = spec.get("update") is not None
    deletable = spec.get("deletable", True)

    def admin():
        return FX.admin

    def create_obj():
        r = admin().post(coll, spec["make"](FX))
        require(r.status == 201, "create %s: %r" % (name, r))
        return r.json

    def target():
        if "target" not in st:
            st["target"] = {k: v for k, v in create_obj().items() if k != "token"}
        return st["target"]

    def t_create():
        body = spec["make"](FX)
        rid = unique("rq-create")
        r = admin().post(coll, body, headers={"X-Request-ID": rid})
        require(r.status == 201, "POST %s: %r" % (coll, r))
        o = r.json
        require(isinstance(o, dict) and isinstance(o.get("id"), int), "created object has no integer id: %r" % r)
        check(r.ctype == "application/json", "Content-Type %r" % r.header("Content-Type"))
        check(r.header("Location") == "%s/%s/%d" % (API, name, o["id"]), "Location %r" % r.header("Location"))
        check(o.get("version") == 1, "version %r, want 1" % o.get("version"))
        check(r.etag == '"%s"' % o.get("version"), "ETag %r for version %r" % (r.etag, o.get("version")))
        for k in ("created_at", "updated_at"):
            check(isinstance(o.get(k), str) and TS_RE.match(o[k]), "%s %r is not RFC 3339 UTC" % (k, o.get(k)))
        check(r.request_id == rid, "X-Request-ID %r, sent %r" % (r.request_id, rid))
        same_fields(o, body, set(writeonly), "create")
        for k in writeonly:
            if k != "token":
                check(k not in o, "write-only %s returned on create" % k)
        check("password_hash" not in o and "hash" not in o, "a hash is returned: %s" % short(r.text))
        st["obj"] = o
        st["create_resp"] = r
        st["sent"] = body
        after = {k: v for k, v in o.items() if k != "token"}
        check_audit(r, "create", spec["entity"], o["id"], None, after, what="audit of create")

    def t_read():
        o = st.get("obj")
        require(o, "no object (create failed)")
        r = admin().get("%s/%d" % (coll, o["id"]))
        require(r.status == 200, "GET: %r" % r)
        check(r.etag == etag_of(o), "ETag %r, want %r" % (r.etag, etag_of(o)))
        want = {k: v for k, v in o.items() if k != "token"}
        check(r.json == want, "GET differs from the create response: %s vs %s" % (short(r.text), short(json.dumps(want))))
        for k in writeonly:
            check(k not in r.json, "write-only %s returned by GET" % k)
        for bad in ("0", "abc", "99999999999", "-1", str(o["id"]) + "x"):
            problem(admin().get("%s/%s" % (coll, bad)), 404, "GET %s/%s" % (coll, bad))

    def t_list():
        o = st.get("obj")
        require(o, "no object (create failed)")
        r = admin().get(coll)
        require(r.status == 200, "GET list: %r" % r)
        require(isinstance(r.json, dict) and isinstance(r.json.get("items"), list) and "next_cursor" in r.json,
                "list shape: %s" % short(r.text))
        check(r.json["next_cursor"] is None or isinstance(r.json["next_cursor"], str), "next_cursor type")
        check(len(r.json["items"]) <= 100, "default limit is 100, got %d items" % len(r.json["items"]))
        for f in spec["filters"](o, FX):
            items = admin().list_all(name, params=f)
            ids = [i["id"] for i in items]
            check(o["id"] in ids, "filter %s does not find the object" % f)
            check(len(ids) == len(set(ids)), "filter %s: duplicate ids" % f)
            for it in items:
                for k, v in f.items():
                    if k == "q":
                        continue
                    want = {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v
                    if not check(it.get(k) == want, "filter %s returned item %d with %s=%r" % (f, it["id"], k, it.get(k))):
                        break
                for k in writeonly:
                    check(k not in it, "write-only %s in a list item" % k)
        # updated_since
        ids = [i["id"] for i in admin().list_all(name, params={"updated_since": PAST})]
        check(o["id"] in ids, "updated_since=%s misses the object" % PAST)
        r = admin().get(coll, params={"updated_since": FUTURE})
        check(r.status == 200 and r.json["items"] == [], "updated_since=%s: %r" % (FUTURE, r))
        r = admin().get(coll, params={"updated_since": o["updated_at"]})
        check(r.status == 200 and o["id"] in [i["id"] for i in r.json["items"]] or
              (r.status == 200 and r.json.get("next_cursor")),
              "updated_since=its own updated_at misses the object: %r" % r)
        # a filter value that matches nothing: empty list, not an error
        r = admin().get(coll, params={"q": "no-such-thing-" + unique()}) if "q" in str(spec["filters"](o, FX)) else None
        if r is not None:
            check(r.status == 200 and r.json["items"] == [], "q without match: %r" % r)

    def t_update():
        o = st.get("obj")
        require(o, "no object (create failed)")
        require(patchable, "not patchable")
        change = spec["update"](FX)
        r = admin().patch("%s/%d" % (coll, o["id"]), change, if_match=etag_of(o))
        require(r.status == 200, "PATCH: %r" % r)
        n = r.json
        check(n.get("version") == o["version"] + 1, "version %r after PATCH of version %r" % (n.get("version"), o["version"]))
        check(r.etag == '"%s"' % n.get("version"), "ETag %r, version %r" % (r.etag, n.get("version")))
        same_fields(n, change, set(writeonly), "update")
        check(n.get("created_at") == o["created_at"], "created_at changed on PATCH")
        check(n.get("updated_at", "") >= o["updated_at"], "updated_at went back: %r < %r" % (n.get("updated_at"), o["updated_at"]))
        for k, v in o.items():
            if k not in change and k not in ("version", "updated_at", "progress", "token"):
                check(n.get(k) == v, "PATCH changed %s (not in the body): %r -> %r" % (k, v, n.get(k)))
        g = admin().get("%s/%d" % (coll, o["id"]))
        check(g.status == 200 and g.json == n, "GET after PATCH differs: %s" % short(g.text))
        check(g.etag == r.etag, "GET ETag %r after PATCH ETag %r" % (g.etag, r.etag))
        before = {k: v for k, v in o.items() if k != "token"}
        check_audit(r, "update", spec["entity"], o["id"], before, n, what="audit of update")
        # the old ETag is stale now
        r2 = admin().patch("%s/%d" % (coll, o["id"]), change, if_match=etag_of(o))
        problem(r2, 412, "PATCH with the pre-update ETag")
        st["obj"] = n

    def t_delete():
        o = st.get("obj")
        require(o, "no object (create failed)")
        path = "%s/%d" % (coll, o["id"])
        cur = admin().get(path)
        require(cur.status == 200, "GET before DELETE: %r" % cur)
        r = admin().delete(path, if_match=cur.etag)
        require(r.status == 204, "DELETE: %r" % r)
        check(r.body == b"", "204 with a body: %r" % r.body[:100])
        before = {k: v for k, v in cur.json.items()}
        if name == "tokens":  # a token is revoked, not removed
            g = admin().get(path)
            check(g.status == 200 and g.json.get("revoked_at"), "token after DELETE: %r" % g)
            check(g.json.get("version") == cur.json["version"] + 1, "revoked token version %r" % g.json.get("version"))
            check_audit(r, "delete", "token", o["id"], before, {"id": o["id"]}, what="audit of revoke")
            r3 = request("GET", API + "/me", token=o["token"])
            problem(r3, 401, "the revoked token")
        else:
            problem(admin().get(path), 404, "GET after DELETE")
            ids = [i["id"] for i in admin().list_all(name, params={"updated_since": PAST})]
            check(o["id"] not in ids, "deleted object still listed")
            check_audit(r, "delete", spec["entity"], o["id"], before, None, what="audit of delete")
            problem(admin().delete(path, if_match=cur.etag), 404, "DELETE again")

    def t_not_deletable():
        o = target()
        snap = db_snapshot()
        r = admin().delete("%s/%d" % (coll, o["id"]), if_match=etag_of(o))
        problem(r, 405, "DELETE %s/{id}" % coll)
        allow = r.header("Allow") or ""
        check("GET" in allow and "DELETE" not in allow, "Allow %r" % allow)
        check_unchanged(snap, "DELETE %s/{id}" % coll)

    def t_not_patchable():
        o = target()
        snap = db_snapshot()
        r = admin().patch("%s/%d" % (coll, o["id"]), {"name": "x"}, if_match=etag_of(o))
        problem(r, 405, "PATCH %s/{id}" % coll)
        allow = r.header("Allow") or ""
        check("GET" in allow and "PATCH" not in allow, "Allow %r" % allow)
        check_unchanged(snap, "PATCH %s/{id}" % coll)

    # ---- bad bodies: each is checked for "nothing changed"

    def post_bad(expect, what, fields=None, **kw):
        snap = db_snapshot()
        r = admin().req("POST", coll, **kw)
        if expect == 422:
            invalid(r, fields, what)
        else:
            problem(r, expect, what)
        check_unchanged(snap, what)
        return r

    def patch_bad(expect, what, fields=None, if_match=True, **kw):
        o = target()
        snap = db_snapshot()
        h = kw.pop("headers", {})
        if if_match:
            h["If-Match"] = etag_of(o)
        r = admin().req("PATCH", "%s/%d" % (coll, o["id"]), headers=h, **kw)
        if expect == 422:
            invalid(r, fields, what)
        else:
            problem(r, expect, what)
        check_unchanged(snap, what)
        g = admin().get("%s/%d" % (coll, o["id"]))
        check(g.json == o, "%s: the object changed: %s" % (what, short(g.text)))
        return r

    def valid_text():
        return json.dumps(spec["make"](FX))

    def t_post_malformed():
        good = valid_text()
        post_bad(400, "truncated JSON", raw=good[:-5], ctype="application/json")
        post_bad(400, "not JSON", raw="code=P1&name=x", ctype="application/json")
        post_bad(400, "trailing data", raw=good + " {}", ctype="application/json")
        post_bad(400, "empty body", raw=b"", ctype="application/json")
        post_bad(400, "single quotes", raw="{'name': 'x'}", ctype="application/json")
        post_bad(400, "invalid UTF-8", raw=good[:-1].encode() + b', "zz": "\xff\xfe"}', ctype="application/json")
        for raw in ("[1, 2]", '"text"', "42", "null"):
            r = admin().post(coll, raw=raw, ctype="application/json")
            check(r.status in (400, 422), "body %s: want 400 or 422, got %r" % (raw, r))
            problem(r, r.status, "body %s" % raw)

    def t_post_duplicate_keys():
        body = spec["make"](FX)
        k, v = next(iter(body.items()))
        text = json.dumps(body)
        dup = text[:-1] + ", %s: %s}" % (json.dumps(k), json.dumps(v))
        post_bad(400, "duplicate key %s" % k, raw=dup, ctype="application/json")
        nested = text[:-1] + ', "x": {"a": 1, "a": 2}}'
        post_bad(400, "duplicate key in a nested object", raw=nested, ctype="application/json")

    def t_post_wrong_types():
        body = spec["make"](FX)
        body.update(spec["wrong"])
        post_bad(422, "wrong types", fields=list(spec["wrong"]), body=body)
        for k, v in spec["wrong"].items():  # one at a time, too
            b = spec["make"](FX)
            b[k] = v
            post_bad(422, "wrong type of %s" % k, fields=[k], body=b)

    def t_post_bad_values():
        body = spec["make"](FX)
        body.update(spec["bad_values"])
        post_bad(422, "bad values", fields=list(spec["bad_values"]), body=body)

    def t_post_unknown():
        body = spec["make"](FX)
        body["colour"] = "blue"
        body["Name"] = "case matters"
        post_bad(422, "unknown fields", fields=["colour", "Name"], body=body)

    def t_post_readonly():
        body = spec["make"](FX)
        ro = READONLY + spec.get("readonly_extra", [])
        values = {"id": 999999, "version": 7, "created_at": "2026-01-01T00:00:00Z",
                  "updated_at": "2026-01-01T00:00:00Z", "progress": 0.5, "prefix": "ftk_abc",
                  "last_used_at": "2026-01-01T00:00:00Z", "revoked_at": None}
        for k in ro:
            body[k] = values[k]
        post_bad(422, "read-only fields", fields=ro, body=body)

    def t_post_required():
        snap = db_snapshot()
        r = admin().post(coll, {})
        required = [k for k in spec["make"](FX) if k in REQUIRED[name]]
        invalid(r, required, "POST {}")
        check_unchanged(snap, "POST {}")

    def t_post_oversize():
        body = spec["make"](FX)
        body["name" if "name" in body else "code"] = "x" * (MIB + 10)
        post_bad(413, "body over 1 MiB", body=body)

    def t_post_content_type():
        good = valid_text()
        post_bad(415, "text/plain", raw=good, ctype="text/plain")
        post_bad(415, "no Content-Type", raw=good, ctype=None)
        post_bad(415, "form", raw="name=x", ctype="application/x-www-form-urlencoded")
        post_bad(415, "application/jsonx", raw=good, ctype="application/jsonx")
        # parameters are fine
        r = admin().post(coll, raw=valid_text(), ctype="application/json; charset=utf-8")
        check(r.status == 201, "application/json; charset=utf-8: %r" % r)

    def t_patch_bad():
        o = target()
        text = json.dumps(spec["update"](FX))
        patch_bad(400, "PATCH truncated JSON", raw=text[:-2], ctype="application/json")
        k, v = next(iter(spec["update"](FX).items()))
        patch_bad(400, "PATCH duplicate key", raw=text[:-1] + ", %s: %s}" % (json.dumps(k), json.dumps(v)),
                  ctype="application/json")
        patch_bad(422, "PATCH wrong types", fields=list(spec["wrong"]), body=dict(spec["wrong"]))
        patch_bad(422, "PATCH bad values", fields=list(spec["bad_values"]), body=dict(spec["bad_values"]))
        patch_bad(422, "PATCH unknown field", fields=["colour"], body={"colour": "red"})
        ro = READONLY + spec.get("readonly_extra", [])
        patch_bad(422, "PATCH read-only fields", fields=ro,
                  body={k: o.get(k) if o.get(k) is not None else 1 for k in ro})
        if spec.get("immutable"):
            imm = spec["immutable"](FX)
            patch_bad(422, "PATCH immutable fields", fields=list(imm), body=imm)
        patch_bad(413, "PATCH over 1 MiB", body={"name": "x" * (MIB + 10)})
        patch_bad(415, "PATCH text/plain", raw=text, ctype="text/plain")
        # required fields cannot be nulled
        req = [k for k in REQUIRED[name] if k != "project_id"]
        if req:
            patch_bad(422, "PATCH required fields to null", fields=req, body={k: None for k in req})

    def t_if_match():
        o = target()
        path = "%s/%d" % (coll, o["id"])
        change = spec["update"](FX) if patchable else None
        if patchable:
            patch_bad(428, "PATCH without If-Match", if_match=False, body=change)
            patch_bad(412, "PATCH with a stale If-Match", if_match=False, body=change,
                      headers={"If-Match": '"%d"' % (o["version"] + 5)})
            patch_bad(412, "PATCH with a garbage If-Match", if_match=False, body=change,
                      headers={"If-Match": "not-an-etag"})
            r = admin().patch(path, change, if_match='"%d"' % (o["version"] + 5))
            check(r.etag == etag_of(o), "412 should carry the current ETag %s, has %r" % (etag_of(o), r.etag))
            snap = db_snapshot()
            r = admin().patch("%s/%d" % (coll, 99999999), change, if_match='"1"')
            problem(r, 404, "PATCH of a nonexistent id")
            check_unchanged(snap, "PATCH of a nonexistent id")
        if deletable:
            snap = db_snapshot()
            r = admin().delete(path)
            problem(r, 428, "DELETE without If-Match")
            r = admin().delete(path, if_match='"%d"' % (o["version"] + 1))
            problem(r, 412, "DELETE with a stale If-Match")
            r = admin().delete("%s/%d" % (coll, 99999999), if_match='"1"')
            problem(r, 404, "DELETE of a nonexistent id")
            check_unchanged(snap, "DELETE without/with stale If-Match")
            g = admin().get(path)
            check(g.status == 200 and g.json == o, "object changed after refused DELETEs: %r" % g)

    def t_list_bad():
        for f in spec["bad_filters"] + COMMON_BAD_FILTERS:
            problem(admin().get(coll, params=f), 400, "GET %s?%s" % (coll, f))
        for c in BAD_CURSORS:
            problem(admin().get(coll, params={"cursor": c}), 400, "cursor %r" % c)
        problem(admin().get(coll, params={"colour": "red"}), 400, "unknown query parameter")
        problem(admin().get(coll, params={"Limit": "5"}), 400, "query parameter in the wrong case")
        problem(admin().get(coll + "?limit=1&limit=2"), 400, "limit given twice")
        # and the boundaries that are fine
        for lim in ("1", "1000"):
            r = admin().get(coll, params={"limit": lim})
            check(r.status == 200 and len(r.json["items"]) <= int(lim), "limit=%s: %r" % (lim, r))

    def t_unauthenticated():
        o = target()
        snap = db_snapshot()
        path = "%s/%d" % (coll, o["id"])
        calls = [("GET", coll, {}), ("GET", path, {}), ("POST", coll, {"body": spec["make"](FX)})]
        if patchable:
            calls.append(("PATCH", path, {"body": spec["update"](FX), "headers": {"If-Match": etag_of(o)}}))
        if deletable:
            calls.append(("DELETE", path, {"headers": {"If-Match": etag_of(o)}}))
        for method, p, kw in calls:
            for tok in (None, "ftk_" + "A" * 43, "not-a-token"):
                r = request(method, API + p, token=tok, **kw)
                problem(r, 401, "%s %s with token %r" % (method, p, tok))
                check((r.header("WWW-Authenticate") or "").lower().startswith("bearer"),
                      "%s %s: 401 without WWW-Authenticate: Bearer (%r)" % (method, p, r.header("WWW-Authenticate")))
            kw2 = dict(kw)
            kw2["headers"] = dict(kw.get("headers", {}), Authorization="Basic YWRtaW46YWRtaW4=")
            r = request(method, API + p, **kw2)
            problem(r, 401, "%s %s with Basic auth" % (method, p))
        check_unchanged(snap, "unauthenticated requests")

    P = name + ": "
    suite.add(P + "create -> 201 with Location, ETag, fields, audit", t_create)
    suite.add(P + "read one -> 200 with ETag; bad ids -> 404", t_read)
    suite.add(P + "list with filters, q, updated_since", t_list)
    if patchable:
        suite.add(P + "PATCH with If-Match -> 200, version+1, audit", t_update)
    else:
        suite.add(P + "PATCH -> 405 with Allow", t_not_patchable)
    if deletable:
        suite.add(P + "DELETE with If-Match -> 204, gone, audit", t_delete)
    else:
        suite.add(P + "DELETE -> 405 with Allow", t_not_deletable)
    suite.add(P + "POST malformed JSON -> 400, nothing changed", t_post_malformed)
    suite.add(P + "POST duplicate JSON keys -> 400, nothing changed", t_post_duplicate_keys)
    suite.add(P + "POST wrong types -> 422 naming each field", t_post_wrong_types)
    suite.add(P + "POST out-of-range/format values -> 422 naming each field", t_post_bad_values)
    suite.add(P + "POST unknown fields -> 422", t_post_unknown)
    suite.add(P + "POST read-only fields -> 422", t_post_readonly)
    suite.add(P + "POST {} -> 422 naming each required field", t_post_required)
    suite.add(P + "POST body > 1 MiB -> 413", t_post_oversize)
    suite.add(P + "POST wrong Content-Type -> 415", t_post_content_type)
    if patchable:
        suite.add(P + "PATCH bad bodies -> 400/413/415/422, nothing changed", t_patch_bad)
    suite.add(P + "If-Match missing -> 428, stale -> 412, nothing changed", t_if_match)
    suite.add(P + "list: invalid filter/limit/cursor/unknown parameter -> 400", t_list_bad)
    suite.add(P + "no or bad token -> 401 with WWW-Authenticate", t_unauthenticated)


REQUIRED = {
    "projects": ["code", "name", "municipality"],
    "contractors": ["name"],
    "lots": ["project_id", "code", "name"],
    "nodes": ["project_id", "code", "kind"],
    "segments": ["project_id", "code", "kind", "planned_length_m"],
    "premises": ["project_id", "code", "street", "house_number", "postcode", "city"],
    "users": ["email", "name", "role"],
    "tokens": ["name"],
}

for _name, _spec in SPECS.items():
    make_tests(_name, _spec)


# ------------------------------------------------------------- domain rules


def seg_body(**kw):
    b = {"project_id": FX.p["id"], "lot_id": FX.lot_u["id"], "code": unique("S"), "kind": "trench",
         "planned_length_m": 100, "from_node_id": FX.nodes[4]["id"], "to_node_id": FX.nodes[5]["id"]}
    b.update(kw)
    return b


@suite.test("segments: progress is built/planned and follows changes")
def t_progress():
    a = FX.admin
    s = a.create("segments", seg_body(planned_length_m=250.0, built_length_m=50.0))
    check(abs((s.get("progress") or -1) - 0.2) < 1e-4, "progress %r, want 0.2" % s.get("progress"))
    r = a.patch("/segments/%d" % s["id"], {"built_length_m": 125.5}, if_match=etag_of(s))
    require(r.status == 200, "PATCH: %r" % r)
    check(abs((r.json.get("progress") or -1) - 0.502) < 1e-3, "progress %r, want 0.502" % r.json.get("progress"))
    z = a.create("segments", seg_body(planned_length_m=0))
    check(z.get("progress") in (None, 0), "progress with planned 0: %r" % z.get("progress"))


@suite.test("segments: backward status move needs status_reason (write-only, audited)")
def t_status_reason():
    m = FX.manager
    s = FX.admin.create("segments", seg_body(status="civil_done"))
    path = "/segments/%d" % s["id"]
    snap = db_snapshot()
    r = m.patch(path, {"status": "permitted"}, if_match=etag_of(s))
    invalid(r, ["status_reason"], "backward move without a reason")
    r = m.patch(path, {"status": "permitted", "status_reason": ""}, if_match=etag_of(s))
    invalid(r, ["status_reason"], "backward move with an empty reason")
    check_unchanged(snap, "refused backward moves")
    reason = "Trasse muss neu genehmigt werden"
    r = m.patch(path, {"status": "permitted", "status_reason": reason}, if_match=etag_of(s))
    require(r.status == 200, "backward move with a reason: %r" % r)
    check(r.json.get("status") == "permitted", "status %r" % r.json.get("status"))
    check("status_reason" not in r.json, "status_reason returned by PATCH")
    g = m.get(path)
    check("status_reason" not in g.json, "status_reason returned by GET")
    e = [x for x in FX.admin.get("/audit", params={"request_id": r.request_id}).json["items"]]
    check(len(e) == 1 and (e[0].get("after") or {}).get("status_reason") == reason,
          "audit entry of the backward move lacks the reason: %s" % short(json.dumps(e)))
    # forward moves need no reason
    r2 = m.patch(path, {"status": "in_construction"}, if_match=r.etag)
    check(r2.status == 200, "forward move: %r" % r2)
    # status_reason is not a stored field: not a filter
    problem(m.get("/segments", params={"status_reason": "x"}), 400, "status_reason as a filter")


@suite.test("segments: first move into in_construction sets actual_start, into tested sets actual_end")
def t_actual_dates():
    m = FX.manager
    s = FX.admin.create("segments", seg_body())
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    r = m.patch("/segments/%d" % s["id"], {"status": "in_construction"}, if_match=etag_of(s))
    require(r.status == 200, "PATCH: %r" % r)
    check(r.json.get("actual_start") == today, "actual_start %r after the move into in_construction (today %s)"
          % (r.json.get("actual_start"), today))
    r = m.patch("/segments/%d" % s["id"], {"status": "tested"}, if_match=r.etag)
    require(r.status == 200, "PATCH: %r" % r)
    check(r.json.get("actual_end") == today, "actual_end %r after the move into tested" % r.json.get("actual_end"))


@suite.test("segments: references must exist and belong to the same project")
def t_segment_refs():
    a = FX.admin
    snap = db_snapshot()
    invalid(a.post("/segments", seg_body(lot_id=FX.lot_bq["id"])), ["lot_id"], "lot of another project")
    invalid(a.post("/segments", seg_body(from_node_id=FX.node_q[0]["id"])), ["from_node_id"], "node of another project")
    invalid(a.post("/segments", seg_body(to_node_id=99999999, lot_id=99999998)), ["to_node_id", "lot_id"],
            "nonexistent references")
    invalid(a.post("/segments", {"project_id": 99999999, "code": unique("S"), "kind": "drop", "planned_length_m": 1}),
            ["project_id"], "nonexistent project")
    check_unchanged(snap, "refused segment references")
    r = a.patch("/segments/%d" % FX.seg_u["id"], {"lot_id": FX.lot_bq["id"]}, if_match=etag_of(a.fetch("segments", FX.seg_u["id"])))
    invalid(r, ["lot_id"], "PATCH lot of another project")
    check_unchanged(snap, "refused segment references (PATCH)")


@suite.test("segments: geometry is a GeoJSON LineString, validated and returned as sent")
def t_geometry():
    a = FX.admin
    g = {"type": "LineString", "coordinates": [[13.1234567, 52.7654321], [13.2, 52.8], [13.3, 52.9]]}
    s = a.create("segments", seg_body(geometry=g))
    check(s.get("geometry") == g, "geometry %r, sent %r" % (s.get("geometry"), g))
    check(a.fetch("segments", s["id"]).get("geometry") == g, "GET geometry differs")
    snap = db_snapshot()
    for bad in ({"type": "Point", "coordinates": [13.4, 52.5]},
                {"type": "LineString", "coordinates": [[13.4, 52.5]]},
                {"type": "LineString", "coordinates": [[213.4, 52.5], [13.4, 52.6]]},
                {"type": "LineString", "coordinates": [[13.4, 95], [13.4, 52.6]]},
                {"type": "LineString", "coordinates": [["13.4", 52.5], [13.4, 52.6]]},
                {"type": "LineString"},
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6]], "evil": 1},
                [[13.4, 52.5], [13.4, 52.6]],
                # heights are refused, not silently dropped
                {"type": "LineString", "coordinates": [[13.4, 52.5, 34.0], [13.4, 52.6, 35.5]]},
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6, 0]]},
                # coordinates in another system are refused, not stored as if WGS84
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6]],
                 "crs": {"type": "name", "properties": {"name": "EPSG:25832"}}},
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6]],
                 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::43260"}}},
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6]], "crs": None}):
        invalid(a.post("/segments", seg_body(geometry=bad)), ["geometry"], "geometry %s" % short(json.dumps(bad), 80))
    check_unchanged(snap, "refused geometries")
    for bad in ({"type": "LineString", "coordinates": [[13.4, 52.5, 1], [13.4, 52.6, 1]]},
                {"type": "LineString", "coordinates": [[13.4, 52.5], [13.4, 52.6]],
                 "crs": {"type": "name", "properties": {"name": "EPSG:31467"}}}):
        r = a.patch("/segments/%d" % s["id"], {"geometry": bad}, if_match=etag_of(s))
        invalid(r, ["geometry"], "PATCH geometry %s" % short(json.dumps(bad), 80))
    check_unchanged(snap, "refused geometries (PATCH)")
    check(a.fetch("segments", s["id"]).get("geometry") == g, "a refused PATCH changed the geometry")
    wgs84 = dict(g, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    s2 = a.create("segments", seg_body(geometry=wgs84))
    check(s2.get("geometry") == g, "a WGS84 crs member: geometry %r" % s2.get("geometry"))
    r = a.patch("/segments/%d" % s["id"], {"geometry": None}, if_match=etag_of(s))
    check(r.status == 200 and r.json.get("geometry") is None, "geometry set to null: %r" % r)


@suite.test("lists: ?fields= returns only the named fields (id always), unknown names -> 400")
def t_list_fields():
    a = FX.admin
    r = a.get("/segments", params={"project_id": FX.p["id"], "fields": "status,geometry", "limit": 5})
    check(r.status == 200 and r.json["items"], "fields list: %r" % r)
    for it in r.json["items"]:
        check(sorted(it) == ["geometry", "id", "status"], "fields=status,geometry gave %r" % sorted(it))
    # The cursor still works with a narrow list.
    seen, cursor = [], None
    while True:
        params = {"project_id": FX.p["id"], "fields": "code", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = a.get("/segments", params=params).json
        seen += [it["id"] for it in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    full = [it["id"] for it in a.get("/segments", params={"project_id": FX.p["id"], "limit": 1000}).json["items"]]
    check(seen == full, "paging with fields=code: %r vs %r" % (seen, full))
    problem(a.get("/segments", params={"fields": "status,colour"}), 400, "fields with an unknown name")
    problem(a.get("/users", params={"fields": "password"}), 400, "fields naming the write-only password")


@suite.test("segments/lots/nodes/premises: duplicate code in a project -> 409; other project -> 201")
def t_duplicate_codes():
    a = FX.admin
    snap = db_snapshot()
    p = problem(a.post("/segments", seg_body(code=FX.seg_u["code"])), 409, "duplicate segment code")
    check("duplicate entry" not in json.dumps(p).lower(), "409 shows SQL text: %s" % p)
    problem(a.post("/lots", {"project_id": FX.p["id"], "code": FX.lot_a["code"], "name": "x"}), 409, "duplicate lot code")
    problem(a.post("/nodes", {"project_id": FX.p["id"], "code": FX.nodes[0]["code"], "kind": "pop"}), 409,
            "duplicate node code")
    problem(a.post("/projects", {"code": FX.p["code"], "name": "x", "municipality": "y"}), 409, "duplicate project code")
    check_unchanged(snap, "refused duplicates")
    r = a.post("/segments", {"project_id": FX.q["id"], "code": FX.seg_u["code"], "kind": "drop", "planned_length_m": 1})
    check(r.status == 201, "the same code in another project: %r" % r)
    other = a.create("nodes", {"project_id": FX.p["id"], "code": unique("N"), "kind": "pop"})
    r = a.patch("/nodes/%d" % other["id"], {"code": FX.nodes[0]["code"]}, if_match=etag_of(other))
    problem(r, 409, "PATCH to a duplicate code")


@suite.test("premises: excluded needs exclusion_reason; lat and lon go together")
def t_premise_rules():
    a = FX.admin
    base = {"project_id": FX.p["id"], "code": unique("H"), "street": "Weg", "house_number": "1",
            "postcode": "12345", "city": "Ort"}
    snap = db_snapshot()
    invalid(a.post("/premises", dict(base, status="excluded")), ["exclusion_reason"], "excluded without a reason")
    invalid(a.post("/premises", dict(base, status="excluded", exclusion_reason="")), ["exclusion_reason"],
            "excluded with an empty reason")
    invalid(a.post("/premises", dict(base, lat=52.5)), ["lon"], "lat without lon")
    invalid(a.post("/premises", dict(base, lon=13.5)), ["lat"], "lon without lat")
    invalid(a.post("/premises", dict(base, serving_segment_id=FX.seg_bq["id"])), ["serving_segment_id"],
            "serving segment of another project")
    check_unchanged(snap, "refused premises")
    p = a.create("premises", base)
    r = a.patch("/premises/%d" % p["id"], {"status": "excluded"}, if_match=etag_of(p))
    invalid(r, ["exclusion_reason"], "PATCH to excluded without a reason")
    r = a.patch("/premises/%d" % p["id"], {"status": "excluded", "exclusion_reason": "Eigentümer lehnt ab",
                                           "excluded_date": "2026-06-01"}, if_match=etag_of(p))
    check(r.status == 200 and r.json.get("status") == "excluded", "excluded with a reason: %r" % r)


@suite.test("projects: federal_rate + state_rate <= 1; planned_end_date not before start_date")
def t_project_rules():
    a = FX.admin
    base = {"code": unique("P"), "name": "x", "municipality": "y"}
    snap = db_snapshot()
    r = a.post("/projects", dict(base, federal_rate=0.7, state_rate=0.4))
    problem(r, 422, "rates over 1")
    check(pointers(r) and pointers(r) & {"/state_rate", "/federal_rate"}, "rates over 1 names neither rate: %s" % short(r.text))
    invalid(a.post("/projects", dict(base, start_date="2026-05-01", planned_end_date="2026-04-30")),
            ["planned_end_date"], "end before start")
    invalid(a.post("/projects", dict(base, federal_rate=0.12345)), ["federal_rate"], "five decimals")
    invalid(a.post("/projects", dict(base, budget_cents=1e20)), ["budget_cents"], "budget 1e20")
    check_unchanged(snap, "refused projects")
    p = a.create("projects", dict(base, federal_rate=0.6, state_rate=0.4))
    check(p["federal_rate"] == 0.6 and p["state_rate"] == 0.4, "rates %r %r" % (p["federal_rate"], p["state_rate"]))
    r = a.patch("/projects/%d" % p["id"], {"state_rate": 0.5}, if_match=etag_of(p))
    problem(r, 422, "PATCH making the rates exceed 1")


@suite.test("delete of a referenced object -> 409, nothing changed")
def t_delete_referenced():
    a = FX.admin
    snap = db_snapshot()
    for coll, obj in (("projects", FX.p), ("lots", FX.lot_a), ("contractors", FX.con_a), ("nodes", FX.nodes[0]),
                      ("segments", FX.seg_a)):
        cur = a.fetch(coll, obj["id"])
        p = problem(a.delete("/%s/%d" % (coll, obj["id"]), if_match=etag_of(cur)), 409, "DELETE referenced %s" % coll)
        check("foreign key" not in json.dumps(p).lower(), "409 shows SQL text: %s" % p)
    check_unchanged(snap, "refused deletes")


@suite.test("If-Match: * and W/ forms; ETag changes with every change")
def t_if_match_forms():
    a = FX.admin
    c = a.create("contractors", {"name": unique("C")})
    r = a.patch("/contractors/%d" % c["id"], {"phone": "1"}, if_match="*")
    check(r.status == 200 and r.etag == '"2"', "If-Match: * -> %r" % r)
    r = a.patch("/contractors/%d" % c["id"], {"phone": "2"}, if_match='"1", "2"')
    check(r.status == 200 and r.etag == '"3"', "a list of ETags holding the current one: %r" % r)
    r = a.patch("/contractors/%d" % c["id"], {"phone": "3"}, if_match='"1", "2"')
    problem(r, 412, "a list of stale ETags")
    cur = a.fetch("contractors", c["id"])
    r = a.delete("/contractors/%d" % c["id"], if_match=etag_of(cur))
    check(r.status == 204, "DELETE with the current ETag: %r" % r)


@suite.test("users: password is write-only, >= 10 characters, and works for sign-in")
def t_user_password():
    a = FX.admin
    email = unique("pw") + "@test.example"
    snap = db_snapshot()
    invalid(a.post("/users", {"email": email, "name": "x", "role": "manager", "password": "123456789"}),
            ["password"], "9-character password")
    check_unchanged(snap, "refused user")
    r = a.post("/users", {"email": email, "name": "Pia Passwort", "role": "manager", "password": "0123456789"})
    require(r.status == 201, "create: %r" % r)
    u = r.json
    check("password" not in r.text and "hash" not in r.text, "the create response shows the password: %s" % short(r.text))
    check("password" not in a.get("/users/%d" % u["id"]).text, "GET shows the password")
    check("password" not in a.get("/users", params={"email": email}).text, "list shows the password")
    h = db_query("SELECT password_hash FROM users WHERE id = %d" % u["id"])[0][0]
    check(h and h.startswith("$argon2id$"), "password stored as %r, want an argon2id hash" % (h or "")[:12])
    r = request("POST", API + "/auth/login", body={"email": email, "password": "0123456789"})
    check(r.status == 201, "sign-in with the new password: %r" % r)
    r = a.patch("/users/%d" % u["id"], {"password": "another-password-1"}, if_match=etag_of(u))
    check(r.status == 200 and r.json.get("version") == 2 and "password" not in r.text, "password change: %r" % r)
    h2 = db_query("SELECT password_hash FROM users WHERE id = %d" % u["id"])[0][0]
    check(h2 != h, "password hash unchanged after a password change")


@suite.test("users: contractor_id required for, and only for, role contractor; e-mail unique")
def t_user_rules():
    a = FX.admin
    snap = db_snapshot()
    invalid(a.post("/users", {"email": unique("c") + "@test.example", "name": "x", "role": "contractor"}),
            ["contractor_id"], "contractor without contractor_id")
    invalid(a.post("/users", {"email": unique("m") + "@test.example", "name": "x", "role": "manager",
                              "contractor_id": FX.con_a["id"]}), ["contractor_id"], "manager with contractor_id")
    invalid(a.post("/users", {"email": unique("c") + "@test.example", "name": "x", "role": "contractor",
                              "contractor_id": 99999999}), ["contractor_id"], "nonexistent contractor")
    problem(a.post("/users", {"email": FX.manager.email, "name": "x", "role": "manager"}), 409, "duplicate e-mail")
    problem(a.post("/users", {"email": FX.manager.email.upper(), "name": "x", "role": "manager"}), 409,
            "duplicate e-mail in other case")
    check_unchanged(snap, "refused users")
    u = FX.ca.user
    cur = a.fetch("users", u["id"])
    r = a.patch("/users/%d" % u["id"], {"role": "manager"}, if_match=etag_of(cur))
    invalid(r, ["contractor_id"], "contractor -> manager keeping contractor_id")
    check_unchanged(snap, "refused user changes")


@suite.test("audit: read only, filters, items have the documented fields")
def t_audit():
    a = FX.admin
    r = a.get("/audit", params={"entity": "project", "entity_id": FX.p["id"]})
    require(r.status == 200, "GET /audit: %r" % r)
    items = r.json["items"]
    check(any(e.get("action") == "create" for e in items), "no create entry for the fixture project")
    for e in items:
        for k in ("id", "at", "user_id", "user_name", "request_id", "action", "entity", "entity_id", "before", "after"):
            check(k in e, "audit item lacks %s" % k)
        check(e.get("entity") == "project" and e.get("entity_id") == FX.p["id"], "filter not applied: %s" % short(json.dumps(e)))
    e = items[0]
    g = a.get("/audit/%d" % e["id"])
    check(g.status == 200 and g.json == e, "GET /audit/{id}: %r" % g)
    for f in ({"action": "create"}, {"user_id": a.id}, {"action": "create", "entity": "segment"}):
        for it in a.list_all("audit", params=dict(f, updated_since=PAST)):
            for k, v in f.items():
                if not check(it.get(k) == v, "audit filter %s returned %s" % (f, short(json.dumps(it)))):
                    break
    snap = db_snapshot()
    for f in ({"action": "destroy"}, {"entity_id": "abc"}, {"user_id": "-1"}, {"updated_since": "yesterday"},
              {"limit": "0"}, {"cursor": "zzz"}, {"colour": "red"}):
        problem(a.get("/audit", params=f), 400, "GET /audit?%s" % f)
    r = a.post("/audit", {"action": "create"})
    problem(r, 405, "POST /audit")
    check("POST" not in (r.header("Allow") or "POST") and "GET" in (r.header("Allow") or ""), "Allow %r" % r.header("Allow"))
    problem(a.patch("/audit/%d" % e["id"], {"action": "delete"}, if_match='"1"'), 405, "PATCH /audit/{id}")
    problem(a.delete("/audit/%d" % e["id"], if_match='"1"'), 405, "DELETE /audit/{id}")
    problem(request("PUT", API + "/audit/%d" % e["id"], token=a.token, body={}), 405, "PUT /audit/{id}")
    check_unchanged(snap, "audit writes")
    problem(a.get("/audit/99999999"), 404, "GET /audit/99999999")


@suite.test("the audit trail of one object tells its whole history in order")
def t_audit_history():
    a = FX.admin
    n = a.create("nodes", {"project_id": FX.p["id"], "code": unique("N"), "kind": "handhole"})
    r = a.patch("/nodes/%d" % n["id"], {"name": "one"}, if_match=etag_of(n))
    r = a.patch("/nodes/%d" % n["id"], {"name": "two"}, if_match=r.etag)
    a.delete("/nodes/%d" % n["id"], if_match=r.etag)
    items = a.get("/audit", params={"entity": "node", "entity_id": n["id"]}).json["items"]
    check([e["action"] for e in items] == ["create", "update", "update", "delete"],
          "actions %r" % [e["action"] for e in items])
    if len(items) == 4:
        check(items[1]["before"]["version"] == 1 and items[1]["after"]["version"] == 2, "versions of update 1")
        check(items[2]["before"]["name"] == "one" and items[2]["after"]["name"] == "two", "names of update 2")
        check(items[3]["before"]["name"] == "two" and items[3]["after"] is None, "delete before/after")


# ------------------------------------------------------- input hardening


def _many_keys(n, dup=False):
    """{"A00":0,...}: n distinct three-character keys (under 1 MiB for 120,000)."""
    a = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    keys = [a[(k // 3844 + 36) % 62] + a[k // 62 % 62] + a[k % 62] for k in range(n)]
    if dup:
        keys.append(keys[0])
    return ("{" + ",".join('"%s":0' % k for k in keys) + "}").encode()


@suite.test("validation is linear: 120,000 keys in a 1 MiB body refused at once (422, or 400 if duplicated)")
def t_validation_linear():
    import time
    a = FX.admin
    unknown = _many_keys(120000)
    dup = _many_keys(120000, dup=True)
    brief = ("{" + ",".join('"k%07d":0' % i for i in range(80000)) + "}").encode()
    require(len(unknown) <= MIB and len(dup) <= MIB and len(brief) <= MIB, "test bodies over 1 MiB")
    snap = db_snapshot()
    times = {}
    # unknown keys, plus the required name that is missing
    for what, body, status, problems in (("unknown", unknown, 422, 120001), ("duplicate", dup, 400, 0),
                                         ("80,000", brief, 422, 80001)):
        t0 = time.monotonic()
        r = a.post("/contractors", raw=body, ctype="application/json")
        times[what] = time.monotonic() - t0
        p = problem(r, status, "%s keys" % what)
        if status == 422 and r.status == 422:
            errs = p.get("errors") or []
            check(0 < len(errs) <= 100, "%s: %d errors listed (want at most 100)" % (what, len(errs)))
            check(str(problems) in (p.get("detail") or ""),
                  "%s: the detail does not count all %d problems: %r" % (what, problems, p.get("detail")))
        if status == 400:
            check("duplicate key" in (p.get("detail") or ""), "duplicate: detail %r" % p.get("detail"))
    check_unchanged(snap, "120,000-key bodies")
    # The contract is 50 ms on an idle machine; this bound only tells a
    # linear check (tens of ms) from the quadratic one (about 20 s), on a
    # machine that other suites may load.
    for what, dt in times.items():
        check(dt < 1.0, "%s keys took %.0f ms" % (what, dt * 1000))
    # Meanwhile the server answers others: a GET is quick after the storm.
    t0 = time.monotonic()
    r = a.get("/contractors/%d" % FX.con_a["id"])
    check(r.status == 200 and time.monotonic() - t0 < 1.0, "GET after the large bodies: %r" % r)


@suite.test("strings are whole: raw control characters -> 400, escaped ones in fields -> 422, nothing truncated")
def t_strings_whole():
    a = FX.admin
    base = {"project_id": FX.p["id"], "street": "Weg", "house_number": "1", "postcode": "12345", "city": "Ort"}
    snap = db_snapshot()
    # raw bytes: JSON forbids unescaped control characters in strings
    for what, raw in (("a raw NUL inside a string", b'{"name": "visible\x00hidden"}'),
                      ("a raw NUL after the document", b'{"name": "visible"}\x00{"name": "hidden"}'),
                      ("a raw NUL between tokens", b'{"name":\x00 "x"}'),
                      ("a raw SOH inside a string", b'{"name": "a\x01b"}'),
                      ("a raw tab inside a string", b'{"name": "a\tb"}'),
                      ("a raw newline inside a string", b'{"name": "a\nb"}'),
                      ("a raw ESC between tokens", b'\x1b{"name": "x"}')):
        r = a.post("/contractors", raw=raw, ctype="application/json")
        problem(r, 400, what)
    # escaped: a control character in a value names its field
    invalid(a.post("/contractors", raw=b'{"name": "visible\\u0000hidden"}', ctype="application/json"),
            ["name"], "an escaped NUL in a name")
    invalid(a.post("/contractors", {"name": "line\nbreak"}), ["name"], "a newline in a name")
    invalid(a.post("/contractors", {"name": "a\r\nb"}), ["name"], "CRLF in a name")
    invalid(a.post("/contractors", {"name": "tab\there"}), ["name"], "a tab in a name")
    for bad in ("bell\u0007", "nul\u0000x", "cr\ronly", "esc\u001b[2J", "del\u007f"):
        invalid(a.post("/premises", dict(base, code=unique("H"), status="excluded", exclusion_reason=bad)),
                ["exclusion_reason"], "free text %r" % bad)
    check_unchanged(snap, "refused control characters")
    # free text keeps tabs, newlines and CRLF
    text = "Zeile 1\r\nZeile 2\n\tEingerückt"
    p = a.create("premises", dict(base, code=unique("H"), status="excluded", exclusion_reason=text))
    check(p.get("exclusion_reason") == text, "free text stored as %r" % p.get("exclusion_reason"))
    check(a.fetch("premises", p["id"]).get("exclusion_reason") == text, "free text read back differently")


@suite.test("strong ETags only: If-Match W/\"<current>\" -> 412 and nothing changed; * matches")
def t_if_match_strong():
    a = FX.admin
    c = a.create("contractors", {"name": unique("C"), "phone": "0"})
    path = "/contractors/%d" % c["id"]
    snap = db_snapshot()
    for h in ('W/"%d"' % c["version"], 'W/"%d", W/"%d"' % (c["version"], c["version"] + 1), "w/\"1\"",
              '"%d' % c["version"], '"%d" "%d"' % (c["version"], c["version"])):
        r = a.patch(path, {"phone": "1"}, if_match=h)
        problem(r, 412, "PATCH with If-Match %s" % h)
        check(r.etag == etag_of(c), "412 for If-Match %s carries ETag %r, want %s" % (h, r.etag, etag_of(c)))
    problem(a.delete(path, if_match='W/"%d"' % c["version"]), 412, "DELETE with a weak ETag")
    problem(a.patch(path, {"phone": "1"}, if_match=" "), 428, "an empty If-Match")
    check_unchanged(snap, "weak or malformed If-Match")
    check(a.fetch("contractors", c["id"]) == c, "the contractor changed")
    r = a.patch(path, {"phone": "2"}, if_match='W/"%d", "%d"' % (c["version"], c["version"]))
    check(r.status == 200, "a list with the current strong ETag: %r" % r)
    r = a.patch(path, {"phone": "3"}, if_match="*")
    check(r.status == 200 and r.json.get("phone") == "3", "If-Match: *: %r" % r)


def setup():
    global FX
    FX = Fixture(unique("inv"))


if __name__ == "__main__":
    suite.run(setup)
