"""Keyset pagination under concurrent inserts, optimistic locking races and
Idempotency-Key (SPEC 4: same key + same body -> the first response again with
Idempotent-Replayed: true; same key + other body -> 422)."""

import json
import threading
import time

from ftapi import (Suite, add_admin, check, check_unchanged, db_query, db_snapshot, etag_of, parallel, problem,
                   require, short, unique, user_client)

suite = Suite("concurrency")
ADMIN = None
MANAGER = None
PROJECT = None


def new_project():
    return ADMIN.create("projects", {"code": unique("PC"), "name": "Concurrency", "municipality": "Teststadt"})


def node_body(pid, i):
    return {"project_id": pid, "code": "N%05d-%s" % (i, unique("c")), "kind": "handhole"}


@suite.test("pagination: limit/next_cursor walk sees every row once; last page has next_cursor null")
def t_paging_basic():
    p = new_project()
    ids = [ADMIN.create("nodes", node_body(p["id"], i))["id"] for i in range(23)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"project_id": p["id"], "limit": "5"}
        if cursor:
            params["cursor"] = cursor
        r = ADMIN.get("/nodes", params=params)
        require(r.status == 200, "page %d: %r" % (pages, r))
        check(len(r.json["items"]) <= 5, "page with %d items for limit 5" % len(r.json["items"]))
        seen += [i["id"] for i in r.json["items"]]
        cursor = r.json["next_cursor"]
        pages += 1
        if cursor is None or pages > 50:
            break
    check(sorted(seen) == sorted(ids) and len(seen) == len(ids), "walk saw %d ids, want the %d created" % (len(seen), len(ids)))
    check(pages == 5, "23 rows in pages of 5 took %d pages, want 5" % pages)
    # an exact multiple: the last full page may or may not announce a cursor, but the walk ends with an empty page at most
    r = ADMIN.get("/nodes", params={"project_id": p["id"], "limit": "23"})
    check(r.status == 200 and len(r.json["items"]) == 23, "limit 23: %r" % r)
    if r.json.get("next_cursor"):
        r2 = ADMIN.get("/nodes", params={"project_id": p["id"], "limit": "23", "cursor": r.json["next_cursor"]})
        check(r2.status == 200 and r2.json["items"] == [] and r2.json["next_cursor"] is None, "after the last page: %r" % r2)
    # a cursor is bound to nothing but the position: reusing one gives the same page
    r = ADMIN.get("/nodes", params={"project_id": p["id"], "limit": "5"})
    c = r.json["next_cursor"]
    a1 = ADMIN.get("/nodes", params={"project_id": p["id"], "limit": "5", "cursor": c}).json["items"]
    a2 = ADMIN.get("/nodes", params={"project_id": p["id"], "limit": "5", "cursor": c}).json["items"]
    check(a1 == a2 and a1, "the same cursor gave different pages")


@suite.test("pagination: walk while another thread inserts: every earlier row exactly once, no duplicates")
def t_paging_concurrent_inserts():
    p = new_project()
    pid = p["id"]
    before = set()
    for i in range(150):
        before.add(ADMIN.create("nodes", node_body(pid, i))["id"])
    stop = threading.Event()
    inserted, errors = [], []

    def inserter():
        i = 1000
        while not stop.is_set() and i < 1400:
            r = MANAGER.post("/nodes", node_body(pid, i))
            if r.status == 201:
                inserted.append(r.json["id"])
            else:
                errors.append(repr(r))
            i += 1
    th = threading.Thread(target=inserter)
    th.start()
    try:
        time.sleep(0.05)
        seen, cursor, pages = [], None, 0
        while True:
            params = {"project_id": str(pid), "limit": "7"}
            if cursor:
                params["cursor"] = cursor
            r = ADMIN.get("/nodes", params=params)
            require(r.status == 200, "page %d: %r" % (pages, r))
            seen += [i["id"] for i in r.json["items"]]
            for it in r.json["items"]:
                check(it["project_id"] == pid, "node of project %r in the walk" % it["project_id"])
            cursor = r.json["next_cursor"]
            pages += 1
            if cursor is None or pages > 500:
                break
            time.sleep(0.005)
    finally:
        stop.set()
        th.join(60)
    check(not errors, "inserts failed: %s" % short("; ".join(errors[:3])))
    check(len(inserted) > 5, "only %d rows were inserted during the walk: not concurrent" % len(inserted))
    dups = sorted({i for i in seen if seen.count(i) > 1})
    check(not dups, "ids seen twice: %s" % dups[:10])
    missing = sorted(before - set(seen))
    check(not missing, "%d rows that existed before the walk were not seen: %s" % (len(missing), missing[:10]))
    strange = set(seen) - before - set(inserted)
    check(not strange, "ids neither created before nor during the walk: %s" % sorted(strange)[:10])


@suite.test("pagination: deleting rows during a walk loses none of the others")
def t_paging_concurrent_deletes():
    p = new_project()
    objs = [ADMIN.create("nodes", node_body(p["id"], i)) for i in range(40)]
    doomed = objs[5::3]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"project_id": p["id"], "limit": "4"}
        if cursor:
            params["cursor"] = cursor
        r = ADMIN.get("/nodes", params=params)
        require(r.status == 200, "page: %r" % r)
        seen += [i["id"] for i in r.json["items"]]
        if pages == 1:
            for o in doomed:
                d = ADMIN.delete("/nodes/%d" % o["id"], if_match=etag_of(o))
                require(d.status == 204, "delete: %r" % d)
        cursor = r.json["next_cursor"]
        pages += 1
        if cursor is None or pages > 100:
            break
    keep = {o["id"] for o in objs} - {o["id"] for o in doomed}
    check(keep <= set(seen), "rows not deleted were missed: %s" % sorted(keep - set(seen)))
    check(len(seen) == len(set(seen)), "duplicates in the walk")


@suite.test("optimistic locking: 8 PATCHes with the same If-Match at once -> exactly one 200, the rest 412")
def t_patch_race():
    c = ADMIN.create("contractors", {"name": unique("Race")})
    fns = [lambda i=i: ADMIN.patch("/contractors/%d" % c["id"], {"phone": "+49 %d" % i}, if_match=etag_of(c))
           for i in range(8)]
    res = parallel(fns)
    bad = [r for r in res if isinstance(r, Exception)]
    require(not bad, "requests failed: %s" % bad[:2])
    codes = sorted(r.status for r in res)
    check(codes.count(200) == 1 and codes.count(412) == 7, "statuses %s, want one 200 and seven 412" % codes)
    cur = ADMIN.fetch("contractors", c["id"])
    check(cur["version"] == 2, "version %d after one successful change" % cur["version"])
    winner = [r for r in res if r.status == 200]
    if winner:
        check(cur["phone"] == winner[0].json["phone"], "stored phone %r is not the winner's %r"
              % (cur["phone"], winner[0].json["phone"]))
    n = ADMIN.get("/audit", params={"entity": "contractor", "entity_id": c["id"], "action": "update"}).json["items"]
    check(len(n) == 1, "%d update audit entries, want 1" % len(n))


@suite.test("optimistic locking: 5 DELETEs with the same If-Match at once -> one 204, the rest 404/412")
def t_delete_race():
    n = ADMIN.create("nodes", node_body(PROJECT["id"], 1))
    res = parallel([lambda: ADMIN.delete("/nodes/%d" % n["id"], if_match=etag_of(n)) for _ in range(5)])
    require(not [r for r in res if isinstance(r, Exception)], "requests failed: %s" % res)
    codes = sorted(r.status for r in res)
    check(codes.count(204) == 1 and all(c in (204, 404, 412) for c in codes), "statuses %s" % codes)
    e = ADMIN.get("/audit", params={"entity": "node", "entity_id": n["id"], "action": "delete"}).json["items"]
    check(len(e) == 1, "%d delete audit entries, want 1" % len(e))


@suite.test("concurrent creates: all 201, distinct ids, all listed")
def t_parallel_creates():
    p = new_project()
    res = parallel([lambda i=i: MANAGER.post("/nodes", node_body(p["id"], i)) for i in range(12)])
    require(not [r for r in res if isinstance(r, Exception)], "requests failed: %s" % res)
    check(all(r.status == 201 for r in res), "statuses %s" % [r.status for r in res])
    ids = {r.json["id"] for r in res if r.status == 201}
    check(len(ids) == 12, "%d distinct ids" % len(ids))
    listed = {i["id"] for i in ADMIN.list_all("nodes", params={"project_id": p["id"]})}
    check(listed == ids, "listed %d, created %d" % (len(listed), len(ids)))


# ----------------------------------------------------------------- idempotency


def count_code(table, code):
    return int(db_query("SELECT COUNT(*) FROM %s WHERE code = '%s'" % (table, code))[0][0])


@suite.test("Idempotency-Key: same key + same body -> same status/body/Location/ETag, Idempotent-Replayed, one row")
def t_idem_replay():
    key = unique("idem")
    body = {"project_id": PROJECT["id"], "code": unique("NI"), "kind": "pop", "name": "Idempotent"}
    r1 = MANAGER.post("/nodes", body, headers={"Idempotency-Key": key})
    require(r1.status == 201, "first: %r" % r1)
    check(r1.header("Idempotent-Replayed") is None, "the first response says Idempotent-Replayed")
    for attempt in range(2):
        r2 = MANAGER.post("/nodes", body, headers={"Idempotency-Key": key})
        check(r2.status == 201, "replay: %r" % r2)
        check(r2.json == r1.json, "replayed body differs: %s vs %s" % (short(r2.text), short(r1.text)))
        check((r2.header("Idempotent-Replayed") or "").lower() == "true", "Idempotent-Replayed %r" % r2.header("Idempotent-Replayed"))
        check(r2.header("Location") == r1.header("Location"), "Location %r vs %r" % (r2.header("Location"), r1.header("Location")))
        check(r2.etag == r1.etag, "replayed ETag %r, first %r (every item response carries an ETag)" % (r2.etag, r1.etag))
        check(r2.ctype == "application/json", "replayed Content-Type %r" % r2.header("Content-Type"))
        check(r2.request_id, "replay without X-Request-ID")
    check(count_code("nodes", body["code"]) == 1, "%d nodes with the code, want 1" % count_code("nodes", body["code"]))
    e = ADMIN.get("/audit", params={"entity": "node", "entity_id": r1.json["id"]}).json["items"]
    check(len(e) == 1 and e[0]["request_id"] == r1.request_id, "audit entries %s" % short(json.dumps(e)))


@suite.test("Idempotency-Key: same key + other body -> 422, nothing changed; other path -> 422")
def t_idem_mismatch():
    key = unique("idem")
    body = {"name": unique("IdemCo")}
    r1 = MANAGER.post("/contractors", body, headers={"Idempotency-Key": key})
    require(r1.status == 201, "first: %r" % r1)
    snap = db_snapshot()
    r2 = MANAGER.post("/contractors", {"name": unique("Other")}, headers={"Idempotency-Key": key})
    problem(r2, 422, "same key, other body")
    r3 = MANAGER.post("/projects", {"code": unique("P"), "name": "x", "municipality": "y"}, headers={"Idempotency-Key": key})
    problem(r3, 422, "same key, other route")
    check_unchanged(snap, "refused reuse of a key")
    # the key still replays the first request
    r4 = MANAGER.post("/contractors", body, headers={"Idempotency-Key": key})
    check(r4.status == 201 and r4.json == r1.json, "replay after a mismatch: %r" % r4)


@suite.test("Idempotency-Key: keys are per user; a key for a failed request is not burnt")
def t_idem_scope():
    key = unique("idem")
    body = {"name": unique("SharedKey")}
    r1 = MANAGER.post("/contractors", body, headers={"Idempotency-Key": key})
    r2 = ADMIN.post("/contractors", body, headers={"Idempotency-Key": key})
    check(r1.status == 201 and r2.status == 201, "statuses %r %r" % (r1, r2))
    check(r2.header("Idempotent-Replayed") is None and r1.json["id"] != r2.json["id"],
          "another user's key replayed: %s" % short(r2.text))
    # a refused request (422) leaves no stored response that a corrected retry could hit
    k2 = unique("idem")
    bad = MANAGER.post("/contractors", {"name": 5}, headers={"Idempotency-Key": k2})
    problem(bad, 422, "invalid body with a key")
    bad2 = MANAGER.post("/contractors", {"name": 5}, headers={"Idempotency-Key": k2})
    problem(bad2, 422, "the same invalid body again")


@suite.test("Idempotency-Key: malformed keys -> 400, nothing changed")
def t_idem_bad_keys():
    snap = db_snapshot()
    for k in ("x" * 201, "has space", "tab\tkey"):
        r = MANAGER.post("/contractors", {"name": unique("K")}, headers={"Idempotency-Key": k})
        problem(r, 400, "Idempotency-Key %r" % k[:20])
    check_unchanged(snap, "malformed keys")


@suite.test("Idempotency-Key: 6 concurrent POSTs with one key -> one row; every 201 is the same object")
def t_idem_concurrent():
    key = unique("idem")
    body = {"project_id": PROJECT["id"], "code": unique("NC"), "kind": "cabinet"}
    res = parallel([lambda: MANAGER.post("/nodes", body, headers={"Idempotency-Key": key}) for _ in range(6)])
    require(not [r for r in res if isinstance(r, Exception)], "requests failed: %s" % res)
    codes = [r.status for r in res]
    check(all(c in (201, 409) for c in codes) and 201 in codes, "statuses %s, want 201s and 409s" % codes)
    bodies = {r.text for r in res if r.status == 201}
    check(len(bodies) == 1, "%d different 201 bodies" % len(bodies))
    for r in res:
        if r.status == 409:
            problem(r, 409, "concurrent use of a key")
    check(count_code("nodes", body["code"]) == 1, "%d rows for one key" % count_code("nodes", body["code"]))
    r = MANAGER.post("/nodes", body, headers={"Idempotency-Key": key})
    check(r.status == 201 and r.text in bodies and (r.header("Idempotent-Replayed") or "").lower() == "true",
          "replay afterwards: %r" % r)


def setup():
    global ADMIN, MANAGER, PROJECT
    ADMIN = add_admin(unique("conc"))
    MANAGER = user_client(ADMIN, "manager", unique("conc"))
    PROJECT = new_project()


if __name__ == "__main__":
    suite.run(setup)
