"""Milestones (issue part 3) and invoices (part 4)."""

import datetime

from wf import (ADMIN, CONTRACTOR_A, CONTRACTOR_B, FINANCE, MANAGER, Unchanged, check,
                day, problem, require, unique)


def days_between(a, b):
    return (datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days


def milestone(srv, fx, project=None, who=MANAGER, **kw):
    b = {"project_id": project or fx.p, "name": unique("MS"), "kind": "custom",
         "planned_date": day(30)}
    b.update(kw)
    return srv.post("/milestones", b, who)


def t_milestone_fields_and_state(srv, fx):
    cases = [
        # (fields, expected state, expected variance_days)
        (dict(planned_date=day(-20), actual_date=day(-18), forecast_date=day(-19)), "done", 2),
        (dict(planned_date=day(-1)), "late", 0),
        (dict(planned_date=day(-10), forecast_date=day(5)), "late", 15),
        (dict(planned_date=day(10), forecast_date=day(24)), "at_risk", 14),
        (dict(planned_date=day(10), forecast_date=day(7)), "on_track", -3),
        (dict(planned_date=day(10)), "on_track", 0),
        (dict(planned_date=day(0)), "on_track", 0),
        (dict(planned_date=day(40), actual_date=day(-1)), "done", -41),
    ]
    for fields, state, variance in cases:
        r = milestone(srv, fx, kind="payment_request", funding_relevant=True, tranche_cents=123456789,
                      notes="Mittelabruf", **fields)
        require(r.status == 201, "create milestone %r: %r" % (fields, r))
        m = r.json
        for k, v in fields.items():
            check(m.get(k) == v, "milestone %s = %r, sent %r" % (k, m.get(k), v))
        check(m["funding_relevant"] is True and m["tranche_cents"] == 123456789 and m["kind"] == "payment_request",
              "milestone fields: %r" % m)
        check(m.get("state") == state, "state of %r is %r, expected %s" % (fields, m.get("state"), state))
        check(m.get("variance_days") == variance,
              "variance_days of %r is %r, expected %s" % (fields, m.get("variance_days"), variance))
        g = srv.get("/milestones/%d" % m["id"], FINANCE)
        check(g.status == 200 and g.json.get("state") == state, "finance reads milestone: %r" % g)
    # the state follows a change: setting actual_date makes it done
    r = milestone(srv, fx, planned_date=day(-3))
    require(r.status == 201, "late milestone: %r" % r)
    r2 = srv.patch("/milestones/%d" % r.json["id"], {"actual_date": day(0)}, MANAGER, etag=r.etag)
    check(r2.status == 200 and r2.json["state"] == "done" and r2.json["variance_days"] == 3,
          "milestone done late: %r" % r2)
    # the state is derived: it cannot be written
    with Unchanged(srv, "writing a derived field"):
        problem(milestone(srv, fx, state="done"), 422, "milestone with state", "/state")
        problem(srv.patch("/milestones/%d" % r.json["id"], {"variance_days": 0}, MANAGER), 422,
                      "PATCH variance_days", "/variance_days")
        problem(milestone(srv, fx, kind="party"), 422, "unknown milestone kind", "/kind")
        problem(milestone(srv, fx, tranche_cents=-1), 422, "negative tranche", "/tranche_cents")
        problem(milestone(srv, fx, planned_date="2026-02-30"), 422, "impossible date", "/planned_date")


def t_milestone_if_match(srv, fx):
    r = milestone(srv, fx, planned_date=day(20))
    require(r.status == 201, "milestone: %r" % r)
    mid, etag = r.json["id"], r.etag
    check(etag == '"%d"' % r.json["version"], "ETag %r for version %s" % (etag, r.json["version"]))
    with Unchanged(srv, "milestone PATCH without If-Match"):
        problem(srv.patch("/milestones/%d" % mid, {"forecast_date": day(25)}, MANAGER, etag=""), 428,
                      "PATCH without If-Match")
        problem(srv.delete("/milestones/%d" % mid, MANAGER, etag=""), 428, "DELETE without If-Match")
    r2 = srv.patch("/milestones/%d" % mid, {"forecast_date": day(25)}, MANAGER, etag=etag)
    require(r2.status == 200, "PATCH with If-Match: %r" % r2)
    check(r2.json["version"] == r.json["version"] + 1 and r2.json["state"] == "at_risk",
          "after forecast change: %r" % r2.json)
    check(r2.etag == '"%d"' % r2.json["version"], "ETag after PATCH: %r" % r2.etag)
    with Unchanged(srv, "milestone PATCH with a stale If-Match"):
        r3 = srv.patch("/milestones/%d" % mid, {"forecast_date": day(40)}, MANAGER, etag=etag)
        problem(r3, 412, "PATCH with stale If-Match")
        problem(srv.delete("/milestones/%d" % mid, MANAGER, etag=etag), 412, "DELETE with stale If-Match")
    g = srv.get("/milestones/%d" % mid, MANAGER)
    check(g.json["forecast_date"] == day(25), "stale PATCH changed the milestone: %r" % g.json)
    r4 = srv.patch("/milestones/%d" % mid, {"forecast_date": None}, ADMIN, etag=r2.etag)
    check(r4.status == 200 and r4.json["state"] == "on_track", "admin clears the forecast: %r" % r4)
    r5 = srv.delete("/milestones/%d" % mid, MANAGER, etag=r4.etag)
    check(r5.status == 204, "DELETE with If-Match: %r" % r5)
    check(srv.get("/milestones/%d" % mid, MANAGER).status == 404, "deleted milestone still readable")


def t_milestone_roles(srv, fx):
    mine = milestone(srv, fx, project=fx.p).json  # project P: A has a lot there
    other = milestone(srv, fx, project=fx.q).json  # project Q: A has none
    check(srv.get("/milestones/%d" % mine["id"], CONTRACTOR_A).status == 200,
          "contractor cannot read a milestone of its project")
    r = srv.get("/milestones/%d" % other["id"], CONTRACTOR_A)
    check(r.status == 404, "contractor reads a milestone of a foreign project: %r" % r)
    check(srv.get("/milestones/%d" % other["id"], CONTRACTOR_B).status == 200,
          "contractor B cannot read the milestone of its project Q")
    lst = srv.get("/milestones", CONTRACTOR_A, params={"limit": 1000}).json["items"]
    ids = [m["id"] for m in lst]
    check(mine["id"] in ids and other["id"] not in ids, "contractor's milestone list scope is wrong")
    lst = srv.get("/milestones", CONTRACTOR_A, params={"project_id": fx.q}).json["items"]
    check(lst == [], "filtering on a foreign project shows its milestones: %r" % lst)
    with Unchanged(srv, "milestone writes by contractor and finance"):
        for who in (CONTRACTOR_A, FINANCE):
            check(milestone(srv, fx, who=who).status == 403, "%s created a milestone" % who)
            check(srv.patch("/milestones/%d" % mine["id"], {"notes": "x"}, who).status == 403,
                  "%s patched a milestone" % who)
            check(srv.delete("/milestones/%d" % mine["id"], who).status == 403,
                  "%s deleted a milestone" % who)
        # a contractor writing another project's milestone: 403 as well (the route is not theirs)
        check(srv.patch("/milestones/%d" % other["id"], {"notes": "x"}, CONTRACTOR_A).status == 403,
              "contractor PATCH of a foreign milestone")
    check(srv.get("/milestones", FINANCE).status == 200, "finance cannot list milestones")


# ------------------------------------------------------------------- invoices


def invoice_body(fx, **kw):
    b = {"project_id": fx.p, "lot_id": fx.la, "contractor_id": fx.a, "number": unique("RE"),
         "invoice_date": day(-3), "category": "civil_works", "net_cents": 1000000,
         "vat_cents": 190000, "eligible_cents": 950000}
    b.update(kw)
    return b


def t_invoice_rules(srv, fx):
    for who in (FINANCE, ADMIN):
        r = srv.post("/invoices", invoice_body(fx), who)
        check(r.status == 201 and r.json["status"] == "received", "%s creates an invoice: %r" % (who, r))
    with Unchanged(srv, "invalid invoices"):
        problem(srv.post("/invoices", invoice_body(fx, eligible_cents=1000001), FINANCE), 422,
                      "eligible > net", "/eligible_cents")
        problem(srv.post("/invoices", invoice_body(fx, status="paid"), FINANCE), 422,
                      "paid without paid_date", "/paid_date")
        problem(srv.post("/invoices", invoice_body(fx, net_cents=-5), FINANCE), 422,
                      "negative net", "/net_cents")
        problem(srv.post("/invoices", invoice_body(fx, category="beer"), FINANCE), 422,
                      "unknown category", "/category")
        problem(srv.post("/invoices", invoice_body(fx, net_cents=10.5), FINANCE), 422,
                      "fractional cents", "/net_cents")
    r = srv.post("/invoices", invoice_body(fx), FINANCE)
    require(r.status == 201, "invoice: %r" % r)
    iid = r.json["id"]
    with Unchanged(srv, "duplicate invoice number"):
        check(srv.post("/invoices", invoice_body(fx, number=r.json["number"]), FINANCE).status == 409,
              "the same number twice for one contractor")
    with Unchanged(srv, "invalid invoice updates"):
        problem(srv.patch("/invoices/%d" % iid, {"eligible_cents": 1000001}, FINANCE), 422,
                      "PATCH eligible > net", "/eligible_cents")
        problem(srv.patch("/invoices/%d" % iid, {"net_cents": 900000}, FINANCE), 422,
                      "PATCH net below eligible", "/eligible_cents")
        problem(srv.patch("/invoices/%d" % iid, {"status": "paid"}, FINANCE), 422,
                      "PATCH paid without paid_date", "/paid_date")
    r = srv.patch("/invoices/%d" % iid, {"status": "approved"}, FINANCE)
    check(r.status == 200 and r.json["status"] == "approved", "approve invoice: %r" % r)
    r = srv.patch("/invoices/%d" % iid, {"status": "paid", "paid_date": day(0)}, ADMIN)
    check(r.status == 200 and r.json["status"] == "paid" and r.json["paid_date"] == day(0), "pay invoice: %r" % r)
    # Idempotency-Key on another POST: the invoice is created once
    b = invoice_body(fx)
    k = unique("inv")
    r1 = srv.post("/invoices", b, FINANCE, headers={"Idempotency-Key": k})
    r2 = srv.post("/invoices", b, FINANCE, headers={"Idempotency-Key": k})
    check(r1.status == 201 and r2.status == 201 and r2.body == r1.body and
          r2.header("Idempotent-Replayed") == "true", "invoice POST replay: %r / %r" % (r1, r2))
    n = srv.scalar("SELECT COUNT(*) FROM invoices WHERE number = '%s'" % b["number"])
    check(n == "1", "replayed invoice POST created %s invoices" % n)
    # the same number for another contractor is fine
    r = srv.post("/invoices", invoice_body(fx, contractor_id=fx.b, lot_id=fx.lb, number=r.json["number"]), FINANCE)
    check(r.status == 201, "same number for another contractor: %r" % r)


def t_invoice_roles(srv, fx):
    inv = srv.post("/invoices", invoice_body(fx), FINANCE).json
    iid = inv["id"]
    # managers read
    check(srv.get("/invoices", MANAGER).status == 200, "manager cannot list invoices")
    check(srv.get("/invoices/%d" % iid, MANAGER).status == 200, "manager cannot read an invoice")
    with Unchanged(srv, "manager invoice writes"):
        check(srv.post("/invoices", invoice_body(fx), MANAGER).status == 403, "manager created an invoice")
        check(srv.patch("/invoices/%d" % iid, {"vat_cents": 1}, MANAGER).status == 403, "manager patched an invoice")
        check(srv.delete("/invoices/%d" % iid, MANAGER).status == 403, "manager deleted an invoice")
    # contractors: 403 on every invoice route, their own invoices included
    with Unchanged(srv, "contractor invoice requests"):
        for who in (CONTRACTOR_A, CONTRACTOR_B):
            for r in (srv.get("/invoices", who), srv.get("/invoices", who, params={"contractor_id": fx.a}),
                      srv.get("/invoices/%d" % iid, who), srv.get("/invoices/99999999", who),
                      srv.post("/invoices", invoice_body(fx), who),
                      srv.patch("/invoices/%d" % iid, {"vat_cents": 1}, who),
                      srv.delete("/invoices/%d" % iid, who)):
                problem(r, 403, "%s: %s %s" % (who, r.method, r.path))
    r = srv.delete("/invoices/%d" % iid, FINANCE)
    check(r.status == 204, "finance deletes an invoice: %r" % r)


def t_invoice_lot_contractor(srv, fx):
    """An invoice's lot belongs to the invoicing contractor (else the cost report
    books one firm's invoice on another firm's lot)."""
    with Unchanged(srv, "invoice on another contractor's lot"):
        r = srv.post("/invoices", invoice_body(fx, lot_id=fx.lb), FINANCE)
        problem(r, 422, "POST invoice of contractor A on contractor B's lot", "/lot_id")
    inv = srv.post("/invoices", invoice_body(fx), FINANCE)
    require(inv.status == 201, "invoice: %r" % inv)
    with Unchanged(srv, "moving an invoice to another contractor's lot"):
        r = srv.patch("/invoices/%d" % inv.json["id"], {"lot_id": fx.lb}, FINANCE, etag=inv.etag)
        problem(r, 422, "PATCH invoice of contractor A onto contractor B's lot", "/lot_id")


TESTS = [
    ("milestones: fields, derived state and variance", t_milestone_fields_and_state),
    ("milestones: If-Match 428/412", t_milestone_if_match),
    ("milestones: contractor reads own projects', 404/403; finance reads", t_milestone_roles),
    ("invoices: eligible <= net, paid needs paid_date", t_invoice_rules),
    ("invoices: finance/admin write, managers read, contractors 403", t_invoice_roles),
    ("invoices: the lot belongs to the invoicing contractor", t_invoice_lot_contractor),
]
