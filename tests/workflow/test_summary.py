"""GET /projects/{id}/summary?as_of=DATE from recorded history (issue part 7)."""

from wf import (ADMIN, CONTRACTOR_A, FINANCE, MANAGER, check, day, require, unique)

SEG_STATUSES = ["planned", "permitted", "in_construction", "civil_done", "cable_installed", "spliced",
                "tested", "accepted"]
PREM_STATUSES = ["planned", "passed", "connected", "activated", "excluded"]
MS_STATES = ["done", "late", "at_risk", "on_track"]
COSTS = ["invoiced_cents", "eligible_cents", "paid_cents", "federal_cents", "state_cents", "municipal_cents"]


def summary(srv, project, as_of=None, who=MANAGER):
    r = srv.get("/projects/%d/summary" % project, who, params={"as_of": as_of} if as_of else None)
    require(r.status == 200, "summary %s as of %s: %r" % (project, as_of, r))
    return r.json


def all_items(srv, coll, **params):
    out, cursor = [], None
    while True:
        p = dict(params, limit=1000)
        if cursor:
            p["cursor"] = cursor
        r = srv.get("/" + coll, ADMIN, params=p)
        require(r.status == 200, "list %s: %r" % (coll, r))
        out += r.json["items"]
        cursor = r.json.get("next_cursor")
        if not cursor:
            return out


def shape_problems(s):
    bad = []
    for k in ("as_of", "planned_length_m", "built_length_m", "segments_by_status", "length_by_method",
              "premises", "white_spots", "milestones", "costs"):
        if k not in s:
            bad.append("no %s" % k)
    if bad:
        return bad
    for st in SEG_STATUSES:
        if not isinstance(s["segments_by_status"].get(st), int):
            bad.append("segments_by_status.%s missing" % st)
    for k in ["total"] + PREM_STATUSES:
        if not isinstance(s["premises"].get(k), int):
            bad.append("premises.%s missing" % k)
    for k in ("total", "passed"):
        if not isinstance(s["white_spots"].get(k), int):
            bad.append("white_spots.%s missing" % k)
    for k in MS_STATES:
        if not isinstance(s["milestones"].get(k), int):
            bad.append("milestones.%s missing" % k)
    for k in COSTS:
        if not isinstance(s["costs"].get(k), int):
            bad.append("costs.%s missing" % k)
    for m, v in s["length_by_method"].items():
        if not isinstance(v, dict) or "planned_m" not in v or "built_m" not in v:
            bad.append("length_by_method.%s is %r" % (m, v))
    return bad


def consistency_problems(s, nseg=None):
    bad = []
    n = sum(s["segments_by_status"].values())
    if nseg is not None and n != nseg:
        bad.append("segments_by_status sums to %d, the project has %d segments" % (n, nseg))
    p = s["premises"]
    if sum(p[k] for k in PREM_STATUSES) != p["total"]:
        bad.append("premises by status sum to %d, total %d" % (sum(p[k] for k in PREM_STATUSES), p["total"]))
    c = s["costs"]
    if c["federal_cents"] + c["state_cents"] + c["municipal_cents"] != c["eligible_cents"]:
        bad.append("federal+state+municipal %d != eligible %d" % (
            c["federal_cents"] + c["state_cents"] + c["municipal_cents"], c["eligible_cents"]))
    if c["eligible_cents"] > c["invoiced_cents"] or c["paid_cents"] > c["invoiced_cents"]:
        bad.append("eligible or paid above invoiced: %r" % c)
    lp = sum(v["planned_m"] for v in s["length_by_method"].values())
    lb = sum(v["built_m"] for v in s["length_by_method"].values())
    if abs(lp - s["planned_length_m"]) > 0.011 or abs(lb - s["built_length_m"]) > 0.011:
        bad.append("length_by_method sums (%.2f, %.2f) differ from the totals (%.2f, %.2f)"
                   % (lp, lb, s["planned_length_m"], s["built_length_m"]))
    ws = s["white_spots"]
    if ws["passed"] > ws["total"] or ws["total"] > p["total"]:
        bad.append("white spots inconsistent: %r" % ws)
    if sum(s["milestones"].values()) < 0:
        bad.append("milestones negative")
    return bad


def live_problems(srv, project):
    """Today's summary of a project against its rows as the API lists them."""
    bad = []
    s = summary(srv, project)
    if s.get("as_of") != day(0):
        bad.append("summary without as_of is as of %r, not today" % s.get("as_of"))
    sp = shape_problems(s)
    if sp:
        return ["shape: %s; %r" % (sp, s)]
    segs = all_items(srv, "segments", project_id=project)
    prems = all_items(srv, "premises", project_id=project)
    invs = all_items(srv, "invoices", project_id=project)
    mss = all_items(srv, "milestones", project_id=project)
    bad += consistency_problems(s, len(segs))
    by = {st: 0 for st in SEG_STATUSES}
    for x in segs:
        by[x["status"]] += 1
    if s["segments_by_status"] != by:
        bad.append("segments_by_status %r, the segments are %r" % (s["segments_by_status"], by))
    built = round(sum(x["built_length_m"] for x in segs), 2)
    if abs(s["built_length_m"] - built) > 0.011:
        bad.append("built_length_m %s, the segments sum to %s" % (s["built_length_m"], built))
    planned = round(sum(x["planned_length_m"] for x in segs), 2)
    if abs(s["planned_length_m"] - planned) > 0.011:
        bad.append("planned_length_m %s, the segments sum to %s" % (s["planned_length_m"], planned))
    pb = {st: 0 for st in PREM_STATUSES}
    for x in prems:
        pb[x["status"]] += 1
    if not (all(s["premises"][k] == pb[k] for k in PREM_STATUSES) and s["premises"]["total"] == len(prems)):
        bad.append("premises %r, the premises are %r" % (s["premises"], pb))
    white = [x for x in prems if x["white_spot"] and x["status"] != "excluded"]
    if s["white_spots"]["total"] != len(white) or \
            s["white_spots"]["passed"] != len([x for x in white if x["status"] != "planned"]):
        bad.append("white_spots %r, live %d/%d" % (s["white_spots"], len(white),
                                                   len([x for x in white if x["status"] != "planned"])))
    msb = {k: 0 for k in MS_STATES}
    for m in mss:
        msb[m["state"]] += 1
    if s["milestones"] != msb:
        bad.append("milestones %r, the milestones are %r" % (s["milestones"], msb))
    c = s["costs"]
    if c["invoiced_cents"] != sum(i["net_cents"] for i in invs) or \
            c["eligible_cents"] != sum(i["eligible_cents"] for i in invs) or \
            c["paid_cents"] != sum(i["net_cents"] for i in invs if i["status"] == "paid"):
        bad.append("costs %r do not match the invoices" % c)
    proj = srv.get("/projects/%d" % project, ADMIN).json
    if abs(c["federal_cents"] - c["eligible_cents"] * proj["federal_rate"]) > 1 or \
            abs(c["state_cents"] - c["eligible_cents"] * proj["state_rate"]) > 1:
        bad.append("funding shares %r with rates %s/%s" % (c, proj["federal_rate"], proj["state_rate"]))
    if bad:
        # which rows does the recorded history get wrong?
        rows = srv.sql("SELECT s.code, s.status, s.built_length_m, h.status, h.built_length_m, h.recorded_at "
                       "FROM segments s JOIN (SELECT segment_id, status, built_length_m, recorded_at, "
                       "ROW_NUMBER() OVER (PARTITION BY segment_id ORDER BY recorded_at DESC, id DESC) rn "
                       "FROM segment_history) h ON h.segment_id = s.id AND h.rn = 1 WHERE s.project_id = %d "
                       "AND (h.status <> s.status OR h.built_length_m <> s.built_length_m) LIMIT 5" % project)
        if rows:
            bad.append("latest segment_history disagrees with the segment (code, status, built, history "
                       "status, built, recorded_at): %r" % rows)
    return bad


def t_summary_today_is_live_data(srv, fx):
    """Today's summary equals the data, for a project built through the API
    (history written by the triggers) and for the demo project (backdated history)."""
    for project, what in ((fx.p, "project built through the API"), (1, "demo project")):
        for b in live_problems(srv, project):
            check(False, "%s (%d): %s" % (what, project, b))


def t_summary_shape_and_dates(srv, fx):
    s = summary(srv, 1)
    bad = shape_problems(s)
    require(not bad, "summary shape: %s; %r" % (bad, s))
    # past dates are consistent too
    for d in ("2026-03-01", "2026-06-30", "2026-09-30", day(-1)):
        if d > day(0):
            continue
        sp = summary(srv, 1, d)
        check(sp["as_of"] == d, "as_of echoed %r for %s" % (sp["as_of"], d))
        for b in shape_problems(sp) + consistency_problems(sp):
            check(False, "as of %s: %s" % (d, b))
    early = summary(srv, 1, "2020-01-01")
    check(sum(early["segments_by_status"].values()) == 0 and early["premises"]["total"] == 0 and
          early["costs"]["invoiced_cents"] == 0, "a date before the project has figures: %r" % early)
    # finance and admin read it; contractors do not
    check(srv.get("/projects/1/summary", FINANCE).status == 200, "finance cannot read the summary")
    check(srv.get("/projects/1/summary", ADMIN).status == 200, "admin cannot read the summary")
    check(srv.get("/projects/1/summary", CONTRACTOR_A).status == 403, "a contractor reads the summary")
    for q, st in (({"as_of": day(1)}, 400), ({"as_of": "2026-13-01"}, 400), ({"as_of": "yesterday"}, 400),
                  ({"from": day(0)}, 400)):
        r = srv.get("/projects/1/summary", MANAGER, params=q)
        check(r.status == st, "summary with %r: %r" % (q, r))
    check(srv.get("/projects/99999999/summary", MANAGER).status == 404, "summary of a missing project")


def t_summary_past_is_frozen(srv, fx):
    yesterday, today = day(-1), day(0)
    dates = [yesterday, "2026-06-30"]
    before = {d: summary(srv, 1, d) for d in dates if d <= today}
    t0 = summary(srv, 1)
    segs = all_items(srv, "segments", project_id=1)
    lots = {l["id"]: l for l in all_items(srv, "lots", project_id=1)}
    mine = [x for x in segs if lots.get(x["lot_id"], {}).get("contractor_id") == fx.a
            and x["status"] in ("planned", "permitted", "in_construction")
            and not lots[x["lot_id"]]["auto_approve"]]
    require(len(mine) >= 2, "demo project has no early segment of contractor A")
    # 1. progress reported and approved today, dated yesterday
    s1 = mine[0]
    add = round(min(s1["planned_length_m"] * 1.5, s1["built_length_m"] + 17.25), 2)
    r = srv.post("/progress-reports", {"segment_id": s1["id"], "report_date": yesterday,
                                       "built_length_m": add, "status": "civil_done"},
                 CONTRACTOR_A, headers={"Idempotency-Key": unique("sum")})
    require(r.status == 201, "report: %r" % r)
    require(srv.post("/progress-reports/%d/approve" % r.json["id"], {}, MANAGER).status == 200, "approve")
    # 2. a manager moves a segment with premises to tested (premises passed)
    prem_by_seg = {}
    for p in all_items(srv, "premises", project_id=1):
        if p["status"] == "planned" and p["serving_segment_id"]:
            prem_by_seg.setdefault(p["serving_segment_id"], []).append(p)
    cand = [x for x in mine[1:] if x["id"] in prem_by_seg]
    require(cand, "no segment of contractor A with planned premises")
    s2 = cand[0]
    r = srv.patch("/segments/%d" % s2["id"], {"status": "tested", "built_length_m": s2["planned_length_m"]}, MANAGER)
    require(r.status == 200, "PATCH tested: %r" % r)
    npassed = len(prem_by_seg[s2["id"]])
    # 3. an invoice and a milestone done today
    inv = srv.post("/invoices", {"project_id": 1, "contractor_id": fx.a, "number": unique("SUM"),
                                 "invoice_date": yesterday, "category": "materials", "net_cents": 777700,
                                 "eligible_cents": 700000}, FINANCE)
    require(inv.status == 201, "invoice: %r" % inv)
    ms = [m for m in all_items(srv, "milestones", project_id=1) if m["actual_date"] is None]
    if ms:
        r = srv.patch("/milestones/%d" % ms[0]["id"], {"actual_date": yesterday}, MANAGER)
        require(r.status == 200, "milestone done: %r" % r)
    # the past is unchanged
    for d, b in before.items():
        a = summary(srv, 1, d)
        check(a == b, "summary as of %s changed after today's changes:\n        before %r\n        after  %r"
              % (d, b, a))
    # today moved
    t1 = summary(srv, 1)
    exp_built = round(t0["built_length_m"] + (add - s1["built_length_m"]) +
                      (s2["planned_length_m"] - s2["built_length_m"]), 2)
    check(abs(t1["built_length_m"] - exp_built) < 0.011,
          "today's built_length_m %s, expected %s" % (t1["built_length_m"], exp_built))
    check(t1["segments_by_status"]["tested"] == t0["segments_by_status"]["tested"] + 1,
          "tested count %s -> %s" % (t0["segments_by_status"]["tested"], t1["segments_by_status"]["tested"]))
    check(t1["premises"]["passed"] == t0["premises"]["passed"] + npassed,
          "passed premises %s -> %s, expected +%d" % (t0["premises"]["passed"], t1["premises"]["passed"], npassed))
    check(t1["costs"]["invoiced_cents"] == t0["costs"]["invoiced_cents"] + 777700 and
          t1["costs"]["eligible_cents"] == t0["costs"]["eligible_cents"] + 700000,
          "costs %r -> %r" % (t0["costs"], t1["costs"]))
    if ms:
        check(t1["milestones"]["done"] == t0["milestones"]["done"] + 1,
              "milestones done %s -> %s" % (t0["milestones"]["done"], t1["milestones"]["done"]))
    for b in consistency_problems(t1):
        check(False, "after the changes: " + b)


TESTS = [
    ("summary: SPEC keys, totals consistent, as_of checked", t_summary_shape_and_dates),
    ("summary: today's figures are the data (API-built and demo project)", t_summary_today_is_live_data),
    ("summary: an earlier date is unchanged by today's changes", t_summary_past_is_frozen),
]
