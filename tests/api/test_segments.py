"""Segments in everyday work (SPEC 9): the street a segment runs along and
the search that finds it by code, street or node code; lists sorted by a
field, paged in that order; the acceptance
(Abnahme) of a tested segment with its day, who and protocol note, which
a move back clears."""

from ftapi import (Fixture, Suite, check, check_unchanged, db_snapshot, db_value, problem, require, unique)

suite = Suite("segments")
FX = None


def fresh_segment(status=None, street=None):
    a = FX.admin
    body = {"project_id": FX.p["id"], "lot_id": FX.lot_a["id"], "code": unique("SX"), "kind": "trench",
            "planned_length_m": 100, "from_node_id": FX.nodes[0]["id"], "to_node_id": FX.nodes[1]["id"]}
    if street:
        body["street"] = street
    seg = a.create("segments", body)
    if status:
        r = FX.manager.patch("/segments/%d" % seg["id"], {"status": status}, if_match=FX.manager.get(
            "/segments/%d" % seg["id"]).etag)
        require(r.status == 200, "moving to %s: %r" % (status, r))
        seg = r.json
    return seg


@suite.test("street: stored, changed with PATCH, null by default; longer than 200 characters -> 422")
def t_street():
    seg = fresh_segment(street="Lindenallee zwischen Nr. 4 und 18")
    check(seg["street"] == "Lindenallee zwischen Nr. 4 und 18", "street %r" % seg.get("street"))
    other = fresh_segment()
    check(other["street"] is None, "default street %r" % other.get("street"))
    r = FX.manager.patch("/segments/%d" % other["id"], {"street": "Am Bahnhof"},
                         if_match=FX.manager.get("/segments/%d" % other["id"]).etag)
    check(r.status == 200 and r.json["street"] == "Am Bahnhof", "PATCH street: %r" % r)
    r = FX.manager.patch("/segments/%d" % other["id"], {"street": "x" * 201},
                         if_match=FX.manager.get("/segments/%d" % other["id"]).etag)
    problem(r, 422, "a street of 201 characters", pointer="/street")


@suite.test("search: q finds segments by code, street and the code of a node at either end")
def t_search():
    street = unique("Birkenweg")
    seg = fresh_segment(street=street + " 1-9")
    by_street = [x["id"] for x in FX.manager.list_all("segments", {"q": street})]
    check(by_street == [seg["id"]], "q=street finds %r" % by_street)
    by_code = [x["id"] for x in FX.manager.list_all("segments", {"q": seg["code"]})]
    check(seg["id"] in by_code, "q=code finds %r" % by_code)
    node_code = FX.nodes[1]["code"]
    by_node = {x["id"] for x in FX.manager.list_all("segments", {"q": node_code})}
    check(seg["id"] in by_node and FX.seg_a["id"] in by_node, "q=node code finds %r" % sorted(by_node))
    # A contractor searches only what it sees.
    mine = {x["id"] for x in FX.cb.list_all("segments", {"q": street})}
    check(not mine, "contractor B finds A's segment by street: %r" % mine)


@suite.test("sort: by a field, ascending or descending, the same through pages of 2; ties by id")
def t_sort():
    tag = unique("ord")
    made = [fresh_segment(street="%s %s" % (tag, n)) for n in ("C", "A", "B", "A")]
    lengths = {}
    for i, seg in enumerate(made):
        r = FX.manager.patch("/segments/%d" % seg["id"], {"planned_length_m": 10 + i * 5.5},
                             if_match=FX.manager.get("/segments/%d" % seg["id"]).etag)
        require(r.status == 200, "setting lengths: %r" % r)
        lengths[seg["id"]] = r.json["planned_length_m"]
    q = {"q": tag}
    by_street = [x["id"] for x in FX.manager.list_all("segments", dict(q, sort="street"))]
    want = [made[1]["id"], made[3]["id"], made[2]["id"], made[0]["id"]]  # A, A (by id), B, C
    check(by_street == want, "sort=street: %r, want %r" % (by_street, want))
    paged = [x["id"] for x in FX.manager.list_all("segments", dict(q, sort="street"), limit=2)]
    check(paged == want, "sort=street through pages of 2: %r" % paged)
    desc = [x["id"] for x in FX.manager.list_all("segments", dict(q, sort="-planned_length_m"), limit=3)]
    check(desc == sorted(lengths, key=lambda k: -lengths[k]), "sort=-planned_length_m: %r" % desc)
    codes = [x["code"] for x in FX.manager.list_all("segments", dict(q, sort="code"))]
    check(codes == sorted(codes), "sort=code: %r" % codes)


@suite.test("sort: an unknown or unsortable field, or a cursor of the other order -> 400")
def t_sort_refused():
    problem(FX.manager.get("/segments", params={"sort": "nothing"}), 400, "an unknown field")
    problem(FX.manager.get("/segments", params={"sort": "geometry"}), 400, "geometry")
    problem(FX.manager.get("/segments", params={"sort": "--code"}), 400, "two minus signs")
    first = FX.manager.get("/segments", params={"limit": 1})
    require(first.status == 200 and first.json["next_cursor"], "a first page: %r" % first)
    problem(FX.manager.get("/segments", params={"limit": 1, "sort": "code", "cursor": first.json["next_cursor"]}),
            400, "an id cursor with sort")
    sorted_page = FX.manager.get("/segments", params={"limit": 1, "sort": "code"})
    require(sorted_page.status == 200 and sorted_page.json["next_cursor"], "a sorted page: %r" % sorted_page)
    problem(FX.manager.get("/segments", params={"limit": 1, "cursor": sorted_page.json["next_cursor"]}),
            400, "an offset cursor without sort")


@suite.test("filters: contractor_id (through the segment's lot); the audit list between two times")
def t_filters():
    a_ids = {x["id"] for x in FX.manager.list_all("segments", {"contractor_id": FX.con_a["id"],
                                                                "project_id": FX.p["id"]})}
    check(FX.seg_a["id"] in a_ids and FX.seg_b["id"] not in a_ids and FX.seg_u["id"] not in a_ids,
          "contractor_id=A gives %r" % sorted(a_ids))
    seg = FX.manager.get("/segments/%d" % FX.seg_a["id"]).json
    check(seg["contractor_id"] == FX.con_a["id"], "contractor_id of seg_a: %r" % seg.get("contractor_id"))
    check(FX.manager.get("/segments/%d" % FX.seg_u["id"]).json["contractor_id"] is None, "a lot without contractor")
    entries = FX.manager.list_all("audit", {"entity": "segment", "entity_id": FX.seg_a["id"]})
    require(entries, "no audit entries for seg_a")
    first = entries[0]["at"]
    before = FX.manager.list_all("audit", {"entity": "segment", "entity_id": FX.seg_a["id"],
                                           "updated_before": first})
    check(before == [], "entries before the first: %r" % before)
    since = FX.manager.list_all("audit", {"entity": "segment", "entity_id": FX.seg_a["id"], "updated_since": first})
    check(len(since) == len(entries), "since the first: %d of %d" % (len(since), len(entries)))
    problem(FX.manager.get("/audit", params={"updated_before": "yesterday"}), 400, "not a time")


@suite.test("accept: a tested segment becomes accepted with day, who and note; audited as accept")
def t_accept():
    seg = fresh_segment("tested")
    r = FX.manager.post("/segments/%d/accept" % seg["id"], {"accepted_on": "2026-11-20",
                                                              "note": "Abnahmeprotokoll 17/2026, OTDR in Ordnung"},
                        headers={"Idempotency-Key": unique("acc")})
    require(r.status == 200, "accept: %r" % r)
    s = r.json
    check(s["status"] == "accepted" and s["accepted_on"] == "2026-11-20", "accepted %r" % s)
    check(s["accepted_by"] == FX.manager.id and s["acceptance_note"].startswith("Abnahmeprotokoll"), "who/note %r" % s)
    check(r.etag == '"%d"' % s["version"], "ETag %r for version %r" % (r.etag, s["version"]))
    n = db_value("SELECT COUNT(*) FROM audit_log WHERE entity = 'segment' AND entity_id = %d AND action = 'accept'"
                 % seg["id"])
    check(n == "1", "%s accept audit entries" % n)
    a = FX.manager.list_all("audit", {"entity": "segment", "entity_id": seg["id"], "action": "accept"})
    check(len(a) == 1, "audit list with action=accept: %r" % a)


@suite.test("accept: without a body it is today's, by the caller; an admin may too")
def t_accept_defaults():
    import datetime
    seg = fresh_segment("tested")
    r = FX.admin.post("/segments/%d/accept" % seg["id"], headers={"Idempotency-Key": unique("acc")})
    require(r.status == 200, "accept: %r" % r)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    check(r.json["accepted_on"] == today and r.json["accepted_by"] == FX.admin.id and
          r.json["acceptance_note"] is None, "defaults %r" % r.json)


@suite.test("accept: only from tested (409), only managers and admins (403), bad bodies 422; nothing changes")
def t_accept_refused():
    planned = fresh_segment()
    tested = fresh_segment("tested")
    before = db_snapshot()
    problem(FX.manager.post("/segments/%d/accept" % planned["id"], {}), 409, "accepting a planned segment")
    for who in (FX.finance, FX.ca):
        problem(who.post("/segments/%d/accept" % tested["id"], {}), 403, "accept as %s" % who.user.get("role"))
    problem(FX.manager.post("/segments/%d/accept" % tested["id"], {"accepted_on": "2999-01-01"}), 422,
            "a day to come", pointer="/accepted_on")
    problem(FX.manager.post("/segments/%d/accept" % tested["id"], {"accepted_on": "20.11.2026"}), 422,
            "not a date", pointer="/accepted_on")
    problem(FX.manager.post("/segments/%d/accept" % tested["id"], {"note": "x" * 2001}), 422,
            "a note of 2001 characters", pointer="/note")
    problem(FX.manager.post("/segments/%d/accept" % tested["id"], {"by": 1}), 422, "an unknown field",
            pointer="/by")
    problem(FX.manager.post("/segments/99999999/accept", {}), 404, "a segment that does not exist")
    check_unchanged(before, "refused acceptances")


@suite.test("a PATCH to accepted (as in release 1) records today's date and the caller, without a note")
def t_patch_to_accepted():
    import datetime
    seg = fresh_segment("tested")
    r = FX.manager.patch("/segments/%d" % seg["id"], {"status": "accepted"},
                         if_match=FX.manager.get("/segments/%d" % seg["id"]).etag)
    require(r.status == 200, "PATCH status accepted: %r" % r)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    check(r.json["accepted_on"] == today and r.json["accepted_by"] == FX.manager.id and
          r.json["acceptance_note"] is None, "PATCH to accepted: %r" % r.json)
    # Other changes of an accepted segment keep its acceptance.
    r2 = FX.manager.patch("/segments/%d" % seg["id"], {"street": "Am Markt"}, if_match=r.etag)
    check(r2.status == 200 and r2.json["accepted_by"] == FX.manager.id, "after another change: %r" % r2.json)


@suite.test("moving back from accepted (with a reason) clears the acceptance")
def t_move_back():
    seg = fresh_segment("tested")
    r = FX.manager.post("/segments/%d/accept" % seg["id"], {"note": "ok"})
    require(r.status == 200, "accept: %r" % r)
    r = FX.manager.patch("/segments/%d" % seg["id"], {"status": "tested", "status_reason": "Nachmessung nötig"},
                         if_match=r.etag)
    require(r.status == 200, "moving back: %r" % r)
    check(r.json["status"] == "tested" and r.json["accepted_on"] is None and r.json["accepted_by"] is None and
          r.json["acceptance_note"] is None, "after moving back %r" % r.json)
    r = FX.manager.post("/segments/%d/accept" % seg["id"], {"note": "zweite Abnahme"})
    check(r.status == 200 and r.json["acceptance_note"] == "zweite Abnahme", "accepted again: %r" % r)


def setup():
    global FX
    FX = Fixture(unique("acc"))


if __name__ == "__main__":
    suite.run(setup)
