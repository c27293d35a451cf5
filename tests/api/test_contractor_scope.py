"""What a contractor sees: only projects it has a lot in, its own contractor
record, its lots, the segments in them, the nodes at their ends and the
premises they serve. Anything else answers 404 exactly like an id that does
not exist, and is absent from every list, whatever the filter."""

from ftapi import (Suite, check, check_unchanged, db_snapshot, etag_of, problem, require, short, unique, Fixture)

suite = Suite("contractor_scope")
FX = None
COLLS = ["projects", "contractors", "lots", "nodes", "segments", "premises"]
MISSING = 99999999  # an id that does not exist


def who(name):
    return {"a": FX.ca, "b": FX.cb}[name]


def comparable_404(r, id_):
    """A 404 reduced to what must not depend on whether the object exists."""
    p = r.json if isinstance(r.json, dict) else {}
    detail = (p.get("detail") or "").replace(str(id_), "<id>")
    headers = sorted(k.lower() for k, _ in r.headers if k.lower() not in ("date", "x-request-id", "content-length"))
    return (r.status, r.ctype, p.get("type"), p.get("title"), p.get("status"), detail, headers,
            len(r.body) - len(str(id_)) - len(p.get("request_id") or ""))


def make_list_test(c, coll):
    def t():
        vis = FX.visible_to(c)[coll]
        items = who(c).list_all(coll)
        ids = [i["id"] for i in items]
        check(len(ids) == len(set(ids)), "duplicate ids in the list")
        check(set(ids) == vis, "contractor %s lists %s %s, want exactly %s" % (c, coll, sorted(ids), sorted(vis)))
        # the same through small pages
        paged = [i["id"] for i in who(c).list_all(coll, limit=1)]
        check(sorted(paged) == sorted(ids), "limit=1 pages list %s, limit=1000 lists %s" % (paged, ids))
    return t


def make_get_test(c, coll):
    def t():
        me = who(c)
        vis = FX.visible_to(c)[coll]
        for id_ in sorted(FX.all_ids()[coll]):
            r = me.get("/%s/%d" % (coll, id_))
            if id_ in vis:
                check(r.status == 200 and r.json.get("id") == id_, "own %s %d: %r" % (coll, id_, r))
                check(r.etag == etag_of(r.json) if r.status == 200 else True, "own %s %d: ETag %r" % (coll, id_, r.etag))
            else:
                problem(r, 404, "contractor %s GET foreign %s %d" % (c, coll, id_))
                check(not r.etag, "the 404 for a foreign %s carries an ETag" % coll)
                none = me.get("/%s/%d" % (coll, MISSING))
                check(comparable_404(r, id_) == comparable_404(none, MISSING),
                      "foreign %s %d answers unlike a missing id: %s vs %s"
                      % (coll, id_, short(r.text + str(r.headers)), short(none.text + str(none.headers))))
    return t


for _c in ("a", "b"):
    for _coll in COLLS:
        suite.add("contractor %s: list of %s holds exactly its own" % (_c, _coll), make_list_test(_c, _coll))
        suite.add("contractor %s: GET a foreign %s -> 404 like a missing id" % (_c, _coll), make_get_test(_c, _coll))


@suite.test("contractor: filters naming foreign objects give empty lists, not errors or leaks")
def t_filters():
    ca = FX.ca
    cases = [
        ("segments", {"lot_id": FX.lot_b["id"]}), ("segments", {"project_id": FX.q["id"]}),
        ("segments", {"code": FX.seg_b["code"]}), ("segments", {"q": FX.seg_b["code"]}),
        ("segments", {"from_node_id": FX.nodes[2]["id"]}),
        ("lots", {"contractor_id": FX.con_b["id"]}), ("lots", {"project_id": FX.q["id"]}),
        ("lots", {"code": FX.lot_u["code"]}),
        ("premises", {"serving_segment_id": FX.seg_b["id"]}), ("premises", {"code": FX.prem_none["code"]}),
        ("premises", {"q": FX.prem_b["code"]}),
        ("nodes", {"code": FX.nodes[4]["code"]}), ("nodes", {"project_id": FX.q["id"]}),
        ("projects", {"code": FX.q["code"]}), ("projects", {"q": FX.q["code"]}),
        ("contractors", {"q": FX.con_b["name"]}),
    ]
    for coll, f in cases:
        r = ca.get("/" + coll, params=f)
        check(r.status == 200 and r.json.get("items") == [] and r.json.get("next_cursor") is None,
              "contractor A GET /%s?%s: %r" % (coll, f, r))
    # and its own objects are found by the same filters
    r = ca.get("/segments", params={"lot_id": FX.lot_a["id"]})
    check(r.status == 200 and [i["id"] for i in r.json["items"]] == [FX.seg_a["id"]], "own lot filter: %r" % r)
    r = ca.get("/premises", params={"project_id": FX.p["id"]})
    check(r.status == 200 and [i["id"] for i in r.json["items"]] == [FX.prem_a["id"]], "own premises: %r" % r)


@suite.test("contractor: writes -> 403 on own and foreign objects alike, nothing changed")
def t_writes():
    snap = db_snapshot()
    for c in ("a", "b"):
        me = who(c)
        for coll in COLLS:
            for id_ in sorted(FX.all_ids()[coll])[:3]:
                cur = FX.admin.fetch(coll, id_)
                r = me.patch("/%s/%d" % (coll, id_), {"name": "x"}, if_match=etag_of(cur))
                problem(r, 403, "contractor %s PATCH %s %d" % (c, coll, id_))
                r = me.delete("/%s/%d" % (coll, id_), if_match=etag_of(cur))
                problem(r, 403, "contractor %s DELETE %s %d" % (c, coll, id_))
    check_unchanged(snap, "contractor writes")


@suite.test("contractor: users 403, audit 403, /me shows its contractor")
def t_other_routes():
    for c in ("a", "b"):
        me = who(c)
        problem(me.get("/users"), 403, "GET /users")
        problem(me.get("/users/%d" % me.id), 403, "GET /users/{own id}")
        problem(me.get("/audit"), 403, "GET /audit")
        r = me.get("/me")
        check(r.status == 200 and r.json.get("contractor_id") == (FX.con_a if c == "a" else FX.con_b)["id"],
              "GET /me: %r" % r)


@suite.test("contractor: scope follows the data (a lot handed over becomes visible, and back)")
def t_scope_follows():
    a = FX.admin
    lot = a.create("lots", {"project_id": FX.q["id"], "code": unique("LX"), "name": "Los X"})
    seg = a.create("segments", {"project_id": FX.q["id"], "lot_id": lot["id"], "code": unique("SX"),
                                "kind": "cable", "planned_length_m": 40, "from_node_id": FX.node_q[1]["id"]})
    prem = a.create("premises", {"project_id": FX.q["id"], "code": unique("HX"), "street": "Am Bach",
                                 "house_number": "3", "postcode": "54321", "city": "Nebenort",
                                 "serving_segment_id": seg["id"]})
    ca = FX.ca
    for coll, o in (("lots", lot), ("segments", seg), ("premises", prem), ("projects", FX.q), ("nodes", FX.node_q[1])):
        problem(ca.get("/%s/%d" % (coll, o["id"])), 404, "before the hand-over: %s" % coll)
    r = a.patch("/lots/%d" % lot["id"], {"contractor_id": FX.con_a["id"]}, if_match=etag_of(lot))
    require(r.status == 200, "hand-over: %r" % r)
    for coll, o in (("lots", lot), ("segments", seg), ("premises", prem), ("projects", FX.q), ("nodes", FX.node_q[1])):
        g = ca.get("/%s/%d" % (coll, o["id"]))
        check(g.status == 200, "after the hand-over contractor A cannot see %s %d: %r" % (coll, o["id"], g))
    check(FX.node_q[0]["id"] not in [i["id"] for i in ca.list_all("nodes")],
          "a node that is no end of A's segments became visible")
    r = a.patch("/lots/%d" % lot["id"], {"contractor_id": None}, if_match=r.etag)
    require(r.status == 200, "take back: %r" % r)
    for coll, o in (("lots", lot), ("segments", seg), ("premises", prem), ("projects", FX.q)):
        problem(ca.get("/%s/%d" % (coll, o["id"])), 404, "after taking the lot back: %s" % coll)


@suite.test("contractor: its own objects carry the same fields staff see")
def t_same_fields():
    for coll, o in (("segments", FX.seg_a), ("lots", FX.lot_a), ("premises", FX.prem_a), ("projects", FX.p)):
        mine = FX.ca.get("/%s/%d" % (coll, o["id"]))
        staff = FX.manager.get("/%s/%d" % (coll, o["id"]))
        check(mine.status == 200 and staff.status == 200 and mine.json == staff.json,
              "%s %d differs for contractor and manager: %s vs %s" % (coll, o["id"], short(mine.text), short(staff.text)))


def setup():
    global FX
    FX = Fixture(unique("scope"))


if __name__ == "__main__":
    suite.run(setup)
