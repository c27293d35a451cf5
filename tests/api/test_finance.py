"""Funding finance (SPEC 12): budget lines (Finanzierungsplan), drawdowns
(Mittelabrufe) numbered by the server, frozen once submitted and paid by
the agencies, and report notes (the Sachbericht per period). Finance and
admins write the money, managers the narrative; contractors see none of it.
Every change keeps a full-row history for as-of workbooks."""

import datetime
import threading
import time

from ftapi import (Fixture, Suite, check, check_unchanged, db_snapshot, db_value, problem, require, unique)

suite = Suite("finance")
FX = None


def today(days=0):
    return (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=days)).isoformat()


def new_project():
    return FX.admin.create("projects", {"code": unique("PF"), "name": "Finanzen", "municipality": "Musterstadt",
                                        "budget_cents": 100000000, "federal_rate": 0.5, "state_rate": 0.4})


def draft(project, start, end, federal=100000, state=80000, who=None):
    r = (who or FX.finance).post("/drawdowns", {"project_id": project["id"], "period_from": start,
                                                "period_to": end, "federal_requested_cents": federal,
                                                "state_requested_cents": state})
    require(r.status == 201, "draft %s..%s: %r" % (start, end, r))
    return r.json


@suite.test("budget lines: finance plans a category per year; managers read; contractors and managers cannot write")
def t_budget_lines():
    body = {"project_id": FX.p["id"], "category": "civil_works", "year": 2026, "planned_cents": 125000050,
            "note": "Tiefbau laut Förderbescheid\nPosition 1"}
    r = FX.finance.post("/budget-lines", body)
    require(r.status == 201, "create: %r" % r)
    line = r.json
    check(line["planned_cents"] == 125000050 and line["note"].endswith("Position 1") and line["version"] == 1,
          "stored %r" % line)
    check(FX.manager.get("/budget-lines/%d" % line["id"]).status == 200, "a manager reads it")
    problem(FX.manager.post("/budget-lines", dict(body, year=2027)), 403, "a manager plans")
    problem(FX.ca.get("/budget-lines"), 403, "a contractor lists")
    before = db_snapshot()
    problem(FX.finance.post("/budget-lines", body), 409, "the same category and year twice")
    r = FX.finance.post("/budget-lines", dict(body, year=1999))
    problem(r, 422, "year 1999", pointer="/year")
    r = FX.finance.post("/budget-lines", dict(body, category="champagne", year=2028))
    problem(r, 422, "an unknown category", pointer="/category")
    check_unchanged(before, "refused budget lines")
    dup = FX.finance.post("/budget-lines", body)
    check("category and year" in (dup.json or {}).get("detail", ""), "409 says why: %r" % dup.json)
    r = FX.finance.patch("/budget-lines/%d" % line["id"], {"planned_cents": 130000000}, if_match='"1"')
    check(r.status == 200 and r.json["planned_cents"] == 130000000 and r.json["version"] == 2, "PATCH %r" % r)
    listed = FX.manager.list_all("budget-lines", {"project_id": FX.p["id"], "year": 2026})
    check([x["id"] for x in listed] == [line["id"]], "filtered list %r" % listed)
    hist = db_value("SELECT COUNT(*) FROM budget_line_history WHERE budget_line_id = %d" % line["id"])
    check(int(hist) == 2, "history rows: %s" % hist)


@suite.test("drawdowns: numbered 1, 2, ... per project by the server, also when created concurrently")
def t_numbering():
    p1, p2 = new_project(), new_project()
    a = draft(p1, "2026-01-01", "2026-01-31")
    b = draft(p1, "2026-02-01", "2026-02-28")
    c = draft(p2, "2026-01-01", "2026-03-31")
    check((a["number"], b["number"], c["number"]) == (1, 2, 1), "numbers %r" % [a["number"], b["number"], c["number"]])
    check(a["state"] == "draft" and a["requested_at"] is None and a["received_at"] is None, "a draft: %r" % a)
    problem(FX.finance.post("/drawdowns", {"project_id": p1["id"], "period_from": "2026-03-01",
                                           "period_to": "2026-03-31", "number": 7}), 422, "a number given")
    p3 = new_project()
    got, errors = [], []

    def one(month):
        r = FX.finance.post("/drawdowns", {"project_id": p3["id"], "period_from": "2025-%02d-01" % month,
                                           "period_to": "2025-%02d-28" % month, "federal_requested_cents": 1})
        (got if r.status == 201 else errors).append(r.json["number"] if r.status == 201 else r)
    threads = [threading.Thread(target=one, args=(m,)) for m in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, "concurrent creates failed: %r" % errors)
    check(sorted(got) == list(range(1, 9)), "concurrent numbers %r" % sorted(got))

    # Eight drafts for the same quarter at once: exactly one is stored, the others overlap it.
    p4 = new_project()
    statuses = []

    def same_period(_):
        r = FX.finance.post("/drawdowns", {"project_id": p4["id"], "period_from": "2026-01-01",
                                           "period_to": "2026-03-31", "federal_requested_cents": 1})
        statuses.append(r.status)
    threads = [threading.Thread(target=same_period, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = FX.finance.list_all("drawdowns", {"project_id": p4["id"]})
    check(sorted(statuses) == [201] + [422] * 7 and len(stored) == 1,
          "concurrent overlapping drafts: %r, %d stored" % (sorted(statuses), len(stored)))


@suite.test("drawdowns: a period runs forwards and never overlaps another drawdown of the project")
def t_periods():
    p = new_project()
    d = draft(p, "2026-04-01", "2026-06-30")
    before = db_snapshot()
    r = FX.finance.post("/drawdowns", {"project_id": p["id"], "period_from": "2026-05-01", "period_to": "2026-04-01"})
    problem(r, 422, "to before from", pointer="/period_to")
    r = FX.finance.post("/drawdowns", {"project_id": p["id"], "period_from": "2026-06-30", "period_to": "2026-09-30"})
    body = problem(r, 422, "an overlap of one day", pointer="/period_from")
    check("overlaps drawdown 1" in str(body), "names the other drawdown: %r" % body)
    check_unchanged(before, "refused periods")
    # Changing a draft's own period is no overlap with itself.
    r = FX.finance.patch("/drawdowns/%d" % d["id"], {"period_to": "2026-07-31"}, if_match='"1"')
    check(r.status == 200 and r.json["period_to"] == "2026-07-31", "own period moved: %r" % r)


@suite.test("submit freezes a draft: requested_at set, audited; changing, deleting or submitting it again is 409")
def t_submit():
    p = new_project()
    d = draft(p, "2026-01-01", "2026-03-31", federal=1234567, state=987654)
    problem(FX.manager.post("/drawdowns/%d/submit" % d["id"]), 403, "a manager submits")
    problem(FX.finance.post("/drawdowns/%d/submit" % d["id"], {"now": True}), 422, "a body with a field",
            pointer="/now")
    problem(FX.finance.post("/drawdowns/%d/submit" % d["id"], headers={"If-Match": '"7"'}), 412, "a stale If-Match")
    r = FX.finance.post("/drawdowns/%d/submit" % d["id"], headers={"If-Match": '"1"'})
    require(r.status == 200, "submit: %r" % r)
    s = r.json
    check(s["state"] == "submitted" and s["requested_at"] and s["version"] == 2 and r.etag == '"2"',
          "submitted: %r %r" % (s, r.etag))
    check(s["federal_requested_cents"] == 1234567 and s["state_requested_cents"] == 987654, "amounts kept %r" % s)
    action = db_value("SELECT action FROM audit_log WHERE entity = 'drawdown' AND entity_id = %d "
                      "ORDER BY id DESC LIMIT 1" % d["id"])
    check(action == "submit", "audit action %r" % action)
    before = db_snapshot()
    problem(FX.finance.patch("/drawdowns/%d" % d["id"], {"note": "later"}, if_match='"2"'), 409, "PATCH submitted")
    problem(FX.finance.delete("/drawdowns/%d" % d["id"], if_match='"2"'), 409, "DELETE submitted")
    problem(FX.finance.post("/drawdowns/%d/submit" % d["id"]), 409, "submit twice")
    check_unchanged(before, "a frozen drawdown")
    problem(FX.finance.post("/drawdowns/999999999/submit"), 404, "submit an unknown drawdown")
    empty = draft(p, "2026-04-01", "2026-04-30", federal=0, state=0)
    problem(FX.finance.post("/drawdowns/%d/submit" % empty["id"]), 422, "nothing requested",
            pointer="/federal_requested_cents")
    # A draft can still be deleted.
    r = FX.finance.delete("/drawdowns/%d" % empty["id"], if_match='"1"')
    check(r.status == 204, "delete a draft: %r" % r)


@suite.test("receive records the agencies' payment of a submitted drawdown, once, not in the future")
def t_receive():
    p = new_project()
    d = draft(p, "2026-01-01", "2026-03-31")
    pay = {"received_at": today(), "federal_received_cents": 100000, "state_received_cents": 79999}
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], pay), 409, "receive a draft")
    require(FX.finance.post("/drawdowns/%d/submit" % d["id"]).status == 200, "submit")
    before = db_snapshot()
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], dict(pay, received_at=today(3))), 422,
            "a day to come", pointer="/received_at")
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], dict(pay, received_at="2020-01-01")), 422,
            "before the submission", pointer="/received_at")
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], {"received_at": today()}), 422,
            "amounts missing", pointer="/federal_received_cents")
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], dict(pay, federal_received_cents=-1)), 422,
            "a negative amount", pointer="/federal_received_cents")
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], dict(pay, extra=1)), 422, "an unknown field",
            pointer="/extra")
    problem(FX.manager.post("/drawdowns/%d/receive" % d["id"], pay), 403, "a manager records a payment")
    check_unchanged(before, "refused receipts")
    r = FX.finance.post("/drawdowns/%d/receive" % d["id"], pay)
    require(r.status == 200, "receive: %r" % r)
    check(r.json["state"] == "received" and r.json["received_at"] == today() and
          r.json["federal_received_cents"] == 100000 and r.json["state_received_cents"] == 79999, "%r" % r.json)
    problem(FX.finance.post("/drawdowns/%d/receive" % d["id"], pay), 409, "receive twice")
    states = db_value("SELECT GROUP_CONCAT(state ORDER BY id) FROM drawdown_history WHERE drawdown_id = %d" % d["id"])
    # created as a draft, numbered, submitted, received
    check(states == "draft,draft,submitted,received", "history %r" % states)


@suite.test("report notes: managers write the narrative per period; finance reads; one note per period")
def t_report_notes():
    body = {"project_id": FX.p["id"], "period_from": "2026-01-01", "period_to": "2026-03-31",
            "text": "Im ersten Quartal wurden 4,2 km Trasse gebaut.\n\nVerzögerung im Los B: Frost."}
    r = FX.manager.post("/report-notes", body)
    require(r.status == 201, "create: %r" % r)
    note = r.json
    check(note["text"] == body["text"], "multi-line text kept: %r" % note["text"])
    check(FX.finance.get("/report-notes/%d" % note["id"]).status == 200, "finance reads it")
    before = db_snapshot()
    problem(FX.finance.post("/report-notes", dict(body, period_from="2026-04-01", period_to="2026-06-30")), 403,
            "finance writes the narrative")
    problem(FX.ca.get("/report-notes"), 403, "a contractor reads it")
    problem(FX.manager.post("/report-notes", body), 409, "a second note for the period")
    problem(FX.manager.post("/report-notes", dict(body, period_from="2026-07-01", text="")), 422,
            "an empty text", pointer="/text")
    problem(FX.manager.post("/report-notes", dict(body, period_from="2026-04-01", period_to="2026-03-01")), 422,
            "a period backwards", pointer="/period_to")
    check_unchanged(before, "refused notes")
    r = FX.manager.patch("/report-notes/%d" % note["id"], {"text": "Neu gefasst."}, if_match='"1"')
    check(r.status == 200 and r.json["text"] == "Neu gefasst.", "PATCH %r" % r)
    texts = db_value("SELECT GROUP_CONCAT(LEFT(text, 5) ORDER BY id) FROM report_note_history "
                     "WHERE report_note_id = %d" % note["id"])
    check(texts == "Im er,Neu g", "history %r" % texts)


def import_csv(who, project, text, dry_run=None, ctype="text/csv; charset=utf-8"):
    params = {"dry_run": "true" if dry_run else "false"} if dry_run is not None else None
    return who.post("/projects/%d/invoices/import" % project["id"], raw=text, ctype=ctype, params=params)


def invoices_of(project):
    return {x["number"]: x for x in FX.finance.list_all("invoices", {"project_id": project["id"]})}


@suite.test("invoice import: a German Excel list (BOM, ';', decimal comma, German headers, dates and "
            "categories, lots by code) is checked by a dry run, imported, and the same list again changes nothing")
def t_import_german():
    p = new_project()
    a = FX.admin
    lot = a.create("lots", {"project_id": p["id"], "code": unique("LOS"), "name": "Los 1",
                            "contractor_id": FX.con_a["id"]})
    csv_text = ("\ufeffRechnungsnummer;Rechnungsdatum;Kategorie;Netto (€);USt;Förderfähig;Status;bezahlt am;Los\r\n"
                "R-2026-001;15.01.2026;Tiefbau;12.345,67;2.345,68;12.000,00;bezahlt;31.01.2026;%s\r\n"
                "R-2026-002;2026-02-01;Planung;1500;285;1500;eingegangen;;%s\r\n"
                ";;;;;;;;\r\n" % (lot["code"], lot["code"]))
    before = db_snapshot()
    r = import_csv(FX.finance, p, csv_text, dry_run=True)
    require(r.status == 200, "dry run: %r" % r)
    check(r.json["dry_run"] is True and r.json["created"] == 2 and r.json["lines"] == 2, "dry run %r" % r.json)
    check([x["line"] for x in r.json["results"]] == [2, 3] and all(x["id"] is None for x in r.json["results"]),
          "dry run results %r" % r.json["results"])
    check_unchanged(before, "a dry run")
    r = import_csv(FX.finance, p, csv_text)
    require(r.status == 200, "import: %r" % r)
    check((r.json["created"], r.json["updated"], r.json["unchanged"]) == (2, 0, 0), "counts %r" % r.json)
    got = invoices_of(p)
    one = got.get("R-2026-001", {})
    check(one.get("net_cents") == 1234567 and one.get("vat_cents") == 234568 and one.get("eligible_cents") == 1200000
          and one.get("category") == "civil_works" and one.get("status") == "paid" and one.get("paid_date") == "2026-01-31"
          and one.get("invoice_date") == "2026-01-15" and one.get("lot_id") == lot["id"]
          and one.get("contractor_id") == FX.con_a["id"], "first invoice %r" % one)
    check(got.get("R-2026-002", {}).get("status") == "received", "second %r" % got.get("R-2026-002"))
    action = db_value("SELECT action FROM audit_log WHERE entity = 'invoice' AND entity_id = %d" % one["id"])
    check(action == "import", "audit action %r" % action)
    before = db_snapshot()
    r = import_csv(FX.finance, p, csv_text)
    check(r.status == 200 and r.json["unchanged"] == 2 and r.json["created"] == 0, "again: %r" % r.json)
    check_unchanged(before, "the same list again")
    r = import_csv(FX.finance, p, csv_text.replace("1500;285;1500", "1600;304;1600"))
    check(r.status == 200 and (r.json["updated"], r.json["unchanged"]) == (1, 1), "one changed: %r" % r.json)
    check(invoices_of(p)["R-2026-002"]["net_cents"] == 160000, "updated amount")


@suite.test("invoice import: an English comma-separated list with quoted cells and contractors by name or VAT id")
def t_import_english():
    p = new_project()
    vat = "DE9" + str(abs(hash(unique("v"))))[:8]
    con = FX.admin.create("contractors", {"name": 'Kabel "Süd", GmbH ' + unique("k"), "vat_id": vat})
    csv_text = ('number,invoice_date,category,net,vat,eligible,contractor\n'
                '"R-7, part 1",2026-03-01,cabling,"1,234.50",234.56,1000.5,"%s"\n'
                'R-8,01.03.2026,splicing,99.9,0,0,%s\n' % (con["name"].replace('"', '""'), vat))
    r = import_csv(FX.finance, p, csv_text)
    require(r.status == 200, "import: %r" % r)
    got = invoices_of(p)
    check(got.get("R-7, part 1", {}).get("net_cents") == 123450 and got["R-7, part 1"]["eligible_cents"] == 100050
          and got["R-7, part 1"]["contractor_id"] == con["id"], "quoted %r" % got.get("R-7, part 1"))
    check(got.get("R-8", {}).get("net_cents") == 9990 and got["R-8"]["contractor_id"] == con["id"],
          "by VAT id %r" % got.get("R-8"))
    # A name that several contractors share is refused with the way out.
    FX.admin.create("contractors", {"name": con["name"]})
    b = problem(import_csv(FX.finance, p, csv_text.replace("R-7", "R-9")), 422, "an ambiguous name")
    check([e.get("field") for e in b.get("errors", [])] == ["contractor"] and
          "VAT id" in b["errors"][0].get("detail", ""), "ambiguous name %r" % b.get("errors"))


@suite.test("invoice import: every bad line is listed by line and column, and nothing is stored")
def t_import_bad_lines():
    p = new_project()
    lot = FX.admin.create("lots", {"project_id": p["id"], "code": unique("LOS"), "name": "Los",
                                   "contractor_id": FX.con_a["id"]})
    csv_text = ("number;invoice_date;category;net;vat;eligible;status;paid_date;lot_code\n"
                "R-1;15.01.2026;civil_works;100,00;19,00;100,00;received;;%(lot)s\n"      # 2: fine
                "R-2;31.02.2026;civil_works;100;0;0;received;;%(lot)s\n"                 # 3: no such day
                "R-3;2026-01-15;champagne;100;0;0;received;;%(lot)s\n"                   # 4: category
                "R-4;2026-01-15;other;12,345;0;0;received;;%(lot)s\n"                    # 5: three decimals
                "R-5;2026-01-15;other;100;0;200;received;;%(lot)s\n"                     # 6: eligible > net
                "R-6;2026-01-15;other;100;0;0;paid;;%(lot)s\n"                           # 7: paid without date
                "R-7;2026-01-15;other;100;0;0;received;;NO-SUCH-LOT\n"                   # 8: lot
                "R-1;2026-01-16;other;5;0;0;received;;%(lot)s\n"                         # 9: repeats line 2
                ";2026-01-15;other;-5;0;0;received;;%(lot)s\n"                           # 10: no number, negative
                % {"lot": lot["code"]})
    before = db_snapshot()
    r = import_csv(FX.finance, p, csv_text)
    body = problem(r, 422, "a list with bad lines")
    where = sorted((e.get("line"), e.get("field")) for e in body.get("errors", []))
    want = sorted([(3, "invoice_date"), (4, "category"), (5, "net"), (6, "eligible"), (7, "paid_date"),
                   (8, "lot_code"), (9, "number"), (10, "net"), (10, "number")])
    check(where == want, "problems at %r, wanted %r" % (where, want))
    check(all(e.get("pointer") == "/lines/%d/%s" % (e.get("line"), e.get("field")) for e in body.get("errors", [])),
          "pointers %r" % [e.get("pointer") for e in body.get("errors", [])])
    check("nothing was imported" in body.get("detail", ""), "detail %r" % body.get("detail"))
    check_unchanged(before, "a list with bad lines")


@suite.test("invoice import: files that cannot be read as a list are refused whole, with the reason")
def t_import_bad_files():
    p = new_project()
    before = db_snapshot()
    good_header = "number;invoice_date;category;net;contractor_id\n"
    cases = [
        ("Windows-1252 text", "number;invoice_date;category;net;contractor\nR-1;2026-01-01;other;1;Müller\n"
         .encode("cp1252"), 422, "UTF-8"),
        ("an unknown column", "number;invoice_date;category;net;Bemerkung\n", 422, "Bemerkung"),
        ("a column twice", "number;invoice_date;category;net;Netto;contractor_id\n", 422, "twice"),
        ("a column missing", "number;invoice_date;category;contractor_id\nR-1;2026-01-01;other;1\n", 422, "'net'"),
        ("no contractor column", "number;invoice_date;category;net\nR-1;2026-01-01;other;1\n", 422, "contractor"),
        ("an open quote", good_header + 'R-1;2026-01-01;other;"1;%d\n' % FX.con_a["id"], 422, "quote"),
        ("an empty file", "", 422, "empty"),
        ("only the header", good_header, 422, "no invoice"),
    ]
    for what, text, status, says in cases:
        b = problem(import_csv(FX.finance, p, text), status, what)
        check(says in b.get("detail", ""), "%s: detail %r does not say %r" % (what, b.get("detail"), says))
    problem(import_csv(FX.finance, p, good_header, ctype="application/json"), 415, "JSON as the media type")
    problem(import_csv(FX.finance, p, good_header, dry_run=None).__class__ and
            FX.finance.post("/projects/%d/invoices/import" % p["id"], raw=good_header, ctype="text/csv",
                            params={"dry_run": "maybe"}), 400, "dry_run=maybe")
    problem(import_csv(FX.manager, p, good_header), 403, "a manager imports invoices")
    problem(FX.finance.post("/projects/999999999/invoices/import", raw=good_header, ctype="text/csv"), 404,
            "an unknown project")
    check_unchanged(before, "refused files")


@suite.test("invoice import: a list of 2,000 invoices imports in one go; one over 20,000 rows is refused whole")
def t_import_large():
    p = new_project()
    head = "number;invoice_date;category;net;contractor_id\n"
    rows = "".join("R-%05d;15.01.2026;other;%d,50;%d\n" % (i, i + 1, FX.con_a["id"]) for i in range(2000))
    t0 = time.monotonic()
    r = import_csv(FX.finance, p, head + rows)
    took = time.monotonic() - t0
    check(r.status == 200 and r.json["created"] == 2000, "2,000 invoices: %r" % r)
    check(len(invoices_of(p)) == 2000 and took < 30, "2,000 stored, in %.1f s" % took)
    before = db_snapshot()
    big = head + "".join("X-%05d;15.01.2026;other;1;%d\n" % (i, FX.con_a["id"]) for i in range(20001))
    b = problem(import_csv(FX.finance, p, big), 422, "20,001 rows")
    check("more than 20,000 rows" in b.get("detail", ""), "detail %r" % b.get("detail"))
    check_unchanged(before, "a list too long")


def setup():
    global FX
    FX = Fixture(unique("fin"))


if __name__ == "__main__":
    suite.run(setup)
