"""The audit log as the dashboard's audit viewer reads it (SPEC 9): the
choices of its filters (GET /audit/facets), the filters together with the
time window on the entry's time, and newest-first paging."""

import datetime

from ftapi import API, Fixture, Suite, check, problem, request, require, unique, user_client

suite = Suite("audit")
FX = None


def milestone(name, planned):
    return FX.admin.create("milestones", {"project_id": FX.p["id"], "name": name, "kind": "custom",
                                          "planned_date": planned})


@suite.test("facets: the users with entries by current name, and the entities; staff only")
def t_facets():
    m = milestone(unique("Baubeginn"), "2026-03-01")
    r = FX.manager.patch("/milestones/%d" % m["id"], {"forecast_date": "2026-04-15"},
                         if_match=FX.admin.get("/milestones/%d" % m["id"]).etag)
    require(r.status == 200, "PATCH milestone: %r" % r)
    quiet = user_client(FX.admin, "finance", unique("quiet"))  # has a token, never changed anything
    for who in (FX.admin, FX.manager, FX.finance):
        r = who.get("/audit/facets")
        require(r.status == 200, "GET /audit/facets as %s: %r" % (who.user["role"], r))
        users = r.json["users"]
        ids = [u["id"] for u in users]
        check(FX.manager.user["id"] in ids and FX.admin.user["id"] in ids, "users %r" % users)
        check(quiet.user["id"] not in ids, "a user without entries is listed: %r" % users)
        check(len(ids) == len(set(ids)), "a user twice: %r" % users)
        names = [(u["name"], u["id"]) for u in users]
        check(names == sorted(names), "not by name: %r" % names)
        check({"milestone", "project", "segment", "user"} <= set(r.json["entities"]),
              "entities %r" % r.json["entities"])
        check(r.json["entities"] == sorted(set(r.json["entities"])), "entities twice or unsorted")
    # the current name, not the one written in older entries
    new_name = "Renamed " + FX.tag
    r = FX.admin.patch("/users/%d" % FX.manager.user["id"], {"name": new_name},
                       if_match=FX.admin.get("/users/%d" % FX.manager.user["id"]).etag)
    require(r.status == 200, "rename: %r" % r)
    users = FX.finance.get("/audit/facets").json["users"]
    check({"id": FX.manager.user["id"], "name": new_name} in users, "after the rename: %r" % users)
    problem(FX.ca.get("/audit/facets"), 403, "contractor")
    problem(request("GET", API + "/audit/facets"), 401, "without a token")


@suite.test("filters: entity, entity_id, action, user_id and the time window narrow the list together")
def t_filters():
    m = milestone(unique("Netz bereit"), "2026-09-30")
    etag = FX.admin.get("/milestones/%d" % m["id"]).etag
    r = FX.manager.patch("/milestones/%d" % m["id"], {"forecast_date": "2026-10-31"}, if_match=etag)
    require(r.status == 200, "PATCH: %r" % r)
    base = {"entity": "milestone", "entity_id": str(m["id"])}
    every = FX.finance.list_all("audit", base)
    check([e["action"] for e in every] == ["create", "update"], "entries of the milestone %r" % every)
    upd = FX.finance.list_all("audit", dict(base, action="update", user_id=str(FX.manager.user["id"])))
    require(len(upd) == 1, "the manager's update: %r" % upd)
    e = upd[0]
    check(e["before"]["forecast_date"] is None and e["after"]["forecast_date"] == "2026-10-31",
          "before/after %r / %r" % (e["before"], e["after"]))
    name = FX.admin.get("/users/%d" % FX.manager.user["id"]).json["name"]
    check(e["user_name"] == name, "user_name %r, want %r" % (e["user_name"], name))
    at = datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
    since = (at - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (at + datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    inside = FX.finance.list_all("audit", dict(base, updated_since=since, updated_before=until))
    check(e["id"] in [x["id"] for x in inside], "the window around it: %r" % inside)
    after = FX.finance.list_all("audit", dict(base, updated_since=until))
    check(after == [], "after the window: %r" % after)
    check(FX.finance.list_all("audit", dict(base, action="update", user_id=str(FX.admin.user["id"]))) == [],
          "the admin did not update it")
    problem(FX.finance.get("/audit", params={"action": "rename"}), 400, "an unknown action")
    problem(FX.finance.get("/audit", params={"updated_since": "31.12.2026"}), 400, "a date that is not RFC 3339")


@suite.test("paging newest first (sort=-id): pages of 2 repeat nothing and skip nothing")
def t_newest_first():
    for i in range(5):
        milestone(unique("Seite%d" % i), "2026-0%d-01" % (i + 1))
    params = {"entity": "milestone", "action": "create", "sort": "-id", "limit": "2"}
    seen, cursor = [], None
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        r = FX.manager.get("/audit", params=p)
        require(r.status == 200, "page: %r" % r)
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    want = sorted((x["id"] for x in FX.manager.list_all("audit", {"entity": "milestone", "action": "create"})),
                  reverse=True)
    check(seen == want, "newest first through pages: %r != %r" % (seen, want))


def setup():
    global FX
    FX = Fixture(unique("aud"))


if __name__ == "__main__":
    suite.run(setup)
