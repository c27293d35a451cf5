"""The Excel reports of SPEC 5 against a running server with the demo project.

Run by tests/reports/run-reports.sh, which starts that server. Reads the
workbooks back with Debian's python3-openpyxl (run with /usr/bin/python3),
converts them to PDF with LibreOffice headless, and checks them against
GET /summary and the invoices of the API.

Environment: FT_BASE_URL, FT_DATA_DIR (the server's), FT_WORK (scratch dir),
FT_SOFFICE (libreoffice binary, empty when not installed).
"""

import datetime
import io
import os
import subprocess
import sys
import uuid
import xml.dom.minidom
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))

import openpyxl  # noqa: E402  (Debian's python3-openpyxl)
from openpyxl.chart import BarChart, LineChart  # noqa: E402

from ftapi import Client, Suite, check, db_query, login, problem, request, require  # noqa: E402

WORK = os.environ.get("FT_WORK", "/tmp")
SOFFICE = os.environ.get("FT_SOFFICE", "")
PROJECT = 1
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
YESTERDAY = TODAY - datetime.timedelta(days=1)
AS_OF = "2026-11-20" if TODAY.isoformat() > "2026-11-20" else YESTERDAY.isoformat()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ELLIPSIS = "\u2026"
INERT = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"]

S = Suite("reports")
C = {}


def client(email):
    r = login(email, "fibertrack-demo")
    require(r.status == 201, "login %s: %r" % (email, r))
    return Client(r.json["token"], r.json["user"])


def setup():
    C["admin"] = client("admin@musterstadt.example")
    C["manager"] = client("manager@musterstadt.example")
    C["finance"] = client("finance@musterstadt.example")
    C["contractor"] = client("bauleitung@tiefbau-nord.example")


def progress_path(as_of=None, lang=None, project=PROJECT):
    p = {}
    if as_of:
        p["as_of"] = as_of
    if lang:
        p["lang"] = lang
    return "/projects/%s/reports/progress.xlsx" % project, p


def download(who, path, params, what):
    r = C[who].get(path, params=params, timeout=300)
    require(r.status == 200, "%s: expected 200, got %r" % (what, r))
    check(r.ctype == XLSX, "%s: Content-Type %r" % (what, r.header("Content-Type")))
    check(r.body[:2] == b"PK", "%s: not a zip file" % what)
    return r


def workbook(body):
    return openpyxl.load_workbook(io.BytesIO(body))


def progress(as_of=AS_OF, lang="en", who="finance"):
    path, params = progress_path(as_of, lang)
    return download(who, path, params, "progress.xlsx as_of=%s lang=%s" % (as_of, lang))


def costs(frm, to, lang="en", who="finance"):
    params = {"to": to, "lang": lang}
    if frm:
        params["from"] = frm
    return download(who, "/projects/%d/reports/costs.xlsx" % PROJECT, params,
                    "costs.xlsx %s..%s" % (frm, to))


def summary(as_of):
    r = C["finance"].get("/projects/%d/summary" % PROJECT, params={"as_of": as_of})
    require(r.status == 200, "summary: %r" % r)
    return r.json


def sections(ws):
    """{(section, label): [values of columns B..]} of the Summary sheet, where a
    section starts at a bold label with nothing beside it."""
    out, sec = {}, None
    for row in ws.iter_rows(min_row=1):
        a = row[0].value
        if not isinstance(a, str):
            continue
        rest = [c.value for c in row[1:5]]
        if all(v is None for v in rest) and row[0].font.b:
            sec = a
            continue
        out[(sec, a)] = rest
    return out


def cents(v):
    return int(round(v * 100))


def near(a, b, eps=0.005):
    return a is not None and b is not None and abs(a - b) <= eps


def table(ws, header_row=1):
    """The rows under a header row as dicts, until the first empty row."""
    head = [c.value for c in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1):
        vals = [c.value for c in row]
        if all(v is None for v in vals):
            break
        rows.append(dict(zip(head, vals)))
    return rows


def sheet_xml_has_no_formulas(body, what):
    z = zipfile.ZipFile(io.BytesIO(body))
    check(z.testzip() is None, "%s: a damaged zip member" % what)
    for name in z.namelist():
        if name.endswith(".xml") or name.endswith(".rels"):
            data = z.read(name)
            try:
                xml.dom.minidom.parseString(data)
            except Exception as e:  # noqa: BLE001
                check(False, "%s: %s is not well-formed XML: %s" % (what, name, e))
            if name.startswith("xl/worksheets/"):
                check(b"<f>" not in data and b"<f " not in data,
                      "%s: %s holds a formula" % (what, name))


def to_pdf(body, name):
    """Converts a workbook with LibreOffice headless; returns the PDF bytes."""
    require(SOFFICE, "LibreOffice is not installed (libreoffice-calc-nogui)")
    src = os.path.join(WORK, name + ".xlsx")
    with open(src, "wb") as f:
        f.write(body)
    outdir = os.path.join(WORK, "pdf")
    os.makedirs(outdir, exist_ok=True)
    profile = "file://" + os.path.join(WORK, "lo-profile")
    p = subprocess.run([SOFFICE, "--headless", "--norestore", "-env:UserInstallation=" + profile,
                        "--convert-to", "pdf", "--outdir", outdir, src],
                       capture_output=True, text=True, timeout=240)
    pdf = os.path.join(outdir, name + ".pdf")
    require(p.returncode == 0 and os.path.exists(pdf),
            "libreoffice could not convert %s: %s %s" % (name, p.stdout[-300:], p.stderr[-300:]))
    with open(pdf, "rb") as f:
        data = f.read()
    require(data.startswith(b"%PDF") and len(data) > 2000, "%s.pdf is not a PDF" % name)
    return data


# --------------------------------------------------------------------- access


@S.test()
def roles_and_headers():
    path, params = progress_path(AS_OF, "de")
    for who in ("admin", "manager", "finance"):
        r = C[who].get(path, params=params, timeout=300)
        if not check(r.status == 200, "%s: progress.xlsx %r" % (who, r)):
            continue
        cd = r.header("Content-Disposition") or ""
        check(cd == 'attachment; filename="progress_WF-MUSTER-2026_%s_de.xlsx"' % AS_OF,
              "Content-Disposition %r" % cd)
        check(r.ctype == XLSX, "Content-Type %r" % r.header("Content-Type"))
    r = C["contractor"].get(path, params=params)
    problem(r, 403, "contractor progress.xlsx")
    r = C["contractor"].get("/projects/1/reports/costs.xlsx")
    problem(r, 403, "contractor costs.xlsx")
    r = request("GET", "/api/v1/projects/1/reports/progress.xlsx")
    problem(r, 401, "anonymous")
    r = C["finance"].get("/projects/1/reports/costs.xlsx",
                         params={"from": "2026-07-01", "to": "2026-09-30", "lang": "en"})
    check(r.status == 200 and r.header("Content-Disposition") ==
          'attachment; filename="costs_WF-MUSTER-2026_2026-07-01_2026-09-30_en.xlsx"',
          "costs.xlsx: %r %r" % (r, r.header("Content-Disposition")))


@S.test()
def bad_parameters():
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    fin = C["finance"]
    prog = "/projects/1/reports/progress.xlsx"
    cost = "/projects/1/reports/costs.xlsx"
    cases = [
        (prog, "as_of=2026-02-30", "impossible date"),
        (prog, "as_of=yesterday", "not a date"),
        (prog, "as_of=26-11-2026", "wrong date format"),
        (prog, "as_of=" + tomorrow, "as_of in the future"),
        (prog, "lang=fr", "lang fr"),
        (prog, "lang=", "empty lang"),
        (prog, "as_of=%s&as_of=%s" % (AS_OF, AS_OF), "as_of twice"),
        (prog, "format=csv", "unknown parameter"),
        (prog, "from=2026-01-01", "from on progress"),
        (cost, "from=2026-10-01&to=2026-09-30", "from after to"),
        (cost, "from=2026-13-01&to=2026-09-30", "bad from"),
        (cost, "to=" + tomorrow, "to in the future"),
        (cost, "as_of=2026-09-30", "as_of on costs"),
        (cost, "lang=EN", "lang in capitals"),
    ]
    for path, query, what in cases:
        r = fin.get(path + "?" + query)
        problem(r, 400, what)
    for bad in ("999999", "0", "abc", "-1"):
        problem(fin.get("/projects/%s/reports/progress.xlsx" % bad), 404, "project " + bad)
        problem(fin.get("/projects/%s/reports/costs.xlsx" % bad), 404, "project " + bad)


# --------------------------------------------------------------- progress.xlsx


@S.test()
def progress_sheets_labels_and_layout():
    en = workbook(progress(lang="en").body)
    de = workbook(progress(lang="de").body)
    check(en.sheetnames == ["Cover", "Summary", "Milestones", "Segments", "Premises",
                            "Contractors", "Costs"], "English sheets %r" % en.sheetnames)
    check(de.sheetnames == ["Deckblatt", "Übersicht", "Meilensteine", "Trassenabschnitte",
                            "Adressen", "Auftragnehmer", "Kosten"], "German sheets %r" % de.sheetnames)
    cover_de = {r[0].value: r[1].value for r in de["Deckblatt"].iter_rows() if r[0].value}
    for label in ("Förderkennzeichen", "Zuwendungsempfänger", "Förderprogramm", "Stichtag",
                  "Erstellt von", "Erstellt am (UTC)"):
        check(label in cover_de, "German cover lacks %r" % label)
    check(cover_de.get("Förderkennzeichen") == "FKZ 01-BB-2026-0042", "grant reference %r" %
          cover_de.get("Förderkennzeichen"))
    check(cover_de.get("Zuwendungsempfänger") == "Stadt Musterstadt", "recipient")
    check(cover_de.get("Erstellt von") == "Fiona Finanzen", "generated by %r" % cover_de.get("Erstellt von"))
    stichtag = cover_de.get("Stichtag")
    check(isinstance(stichtag, datetime.datetime) and stichtag.date().isoformat() == AS_OF,
          "as-of date on the cover is %r" % stichtag)
    check(isinstance(cover_de.get("Erstellt am (UTC)"), datetime.datetime), "generated at is not a date")
    cover_en = {r[0].value: r[1].value for r in en["Cover"].iter_rows() if r[0].value}
    for label in ("Grant reference", "Grant recipient", "Funding programme", "As of", "Generated by"):
        check(label in cover_en, "English cover lacks %r" % label)
    summ_de = [r[0].value for r in de["Übersicht"].iter_rows() if r[0].value]
    check("Trassenmeter geplant" in summ_de and "Trassenmeter gebaut" in summ_de,
          "German summary lacks Trassenmeter")
    check(de["Meilensteine"]["A1"].value == "Meilenstein", "German milestone header")
    check(de["Adressen"]["B1"].value == "Straße", "German premises header")

    for ws in en.worksheets[2:]:
        check(ws.freeze_panes == "A2", "%s: header not frozen (%r)" % (ws.title, ws.freeze_panes))
        check(bool(ws.auto_filter.ref) and ws.auto_filter.ref.startswith("A1:"),
              "%s: no autofilter (%r)" % (ws.title, ws.auto_filter.ref))
        check(ws.page_setup.orientation == "landscape", "%s: not landscape" % ws.title)
        psp = ws.sheet_properties.pageSetUpPr
        check(psp is not None and psp.fitToPage and ws.page_setup.fitToWidth in (1, None),
              "%s: not fit to one page wide" % ws.title)
    check(en["Summary"].freeze_panes is not None, "Summary: header not frozen")
    seg = en["Segments"]
    check(seg.auto_filter.ref == "A1:N%d" % seg.max_row, "Segments autofilter %r for %d rows" %
          (seg.auto_filter.ref, seg.max_row))
    # Columns sized to their content.
    for ws, col, minimum in ((seg, "A", 8), (seg, "D", 17), (en["Premises"], "B", 11),
                             (en["Cover"], "A", 20), (en["Milestones"], "A", 20)):
        w = ws.column_dimensions[col].width
        check(w is not None and w >= minimum, "%s column %s width %r" % (ws.title, col, w))

    # Numbers are numbers, money is EUR, dates are dates.
    row2 = [c for c in seg[2]]
    head = [c.value for c in seg[1]]
    planned = row2[head.index("Planned (m)")]
    check(isinstance(planned.value, (int, float)) and planned.data_type == "n",
          "planned metres are not a number: %r" % planned.value)
    start = row2[head.index("Planned start")]
    check(isinstance(start.value, datetime.datetime) and "yy" in start.number_format,
          "planned start is not a date: %r (%s)" % (start.value, start.number_format))
    pct = row2[head.index("Progress")]
    check(pct.value is None or "%" in pct.number_format, "progress format %r" % pct.number_format)
    costs_ws = en["Costs"]
    money = costs_ws["C2"]
    check(isinstance(money.value, (int, float)) and "€" in money.number_format,
          "money cell %r with format %r" % (money.value, money.number_format))
    de_date = de["Trassenabschnitte"].cell(row=2, column=11)
    check(de_date.number_format == "dd.mm.yyyy", "German date format %r" % de_date.number_format)

    # Late milestones highlighted, others not.
    ms = en["Milestones"]
    mhead = [c.value for c in ms[1]]
    late = 0
    for row in ms.iter_rows(min_row=2):
        state = row[mhead.index("State")].value
        fill = row[0].fill.fgColor.rgb if row[0].fill and row[0].fill.fill_type == "solid" else None
        if state == "late":
            late += 1
            check(fill and fill.upper().endswith("FFC7CE"), "late milestone %r not highlighted (%r)" %
                  (row[0].value, fill))
        elif state in ("done", "on track"):
            check(not fill, "milestone %r (%s) highlighted" % (row[0].value, state))
    check(late >= 1, "the demo has a late milestone as of %s" % AS_OF)

    # The two charts of the summary.
    charts = en["Summary"]._charts
    kinds = sorted(type(c).__name__ for c in charts)
    check(len(charts) == 2 and any(isinstance(c, LineChart) for c in charts) and
          any(isinstance(c, BarChart) for c in charts), "summary charts: %r" % kinds)


@S.test()
def progress_totals_equal_summary():
    body = progress(lang="en").body
    wb = workbook(body)
    js = summary(AS_OF)
    kv = sections(wb["Summary"])

    def val(sec, label):
        v = kv.get((sec, label))
        require(v is not None, "summary sheet lacks %s / %s" % (sec, label))
        return v[0]

    check(near(val("Network", "Planned length (m)"), js["planned_length_m"]), "planned length")
    check(near(val("Network", "Built length (m)"), js["built_length_m"]), "built length")
    labels = {"planned": "planned", "permitted": "permitted", "in_construction": "in construction",
              "civil_done": "civil works done", "cable_installed": "cable installed",
              "spliced": "spliced", "tested": "tested", "accepted": "accepted"}
    for st, n in js["segments_by_status"].items():
        check(val("Segments by status", labels[st]) == n, "segments %s: %r != %r" %
              (st, val("Segments by status", labels[st]), n))
    for st in ("planned", "passed", "connected", "activated", "excluded"):
        check(val("Premises", st) == js["premises"][st], "premises %s" % st)
    check(val("Premises", "Premises (total)") == js["premises"]["total"], "premises total")
    check(val("Premises", "White spots (total)") == js["white_spots"]["total"], "white spots")
    check(val("Premises", "White spots passed") == js["white_spots"]["passed"], "white spots passed")
    for st, label in (("done", "done"), ("late", "late"), ("at_risk", "at risk"), ("on_track", "on track")):
        check(val("Milestones", label) == js["milestones"][st], "milestones %s" % st)
    c = js["costs"]
    for label, key in (("Approved eligible cost (budget)", "budget_cents"), ("Invoiced (net)", "invoiced_cents"),
                       ("Eligible", "eligible_cents"), ("Paid (net)", "paid_cents"),
                       ("Federal share", "federal_cents"), ("State share", "state_cents"),
                       ("Municipal share", "municipal_cents")):
        check(cents(val("Costs", label)) == c[key], "summary sheet %s: %r != %r" % (label, val("Costs", label), c[key]))
    methods = {"open_trench": "open trench", "micro_trench": "micro trenching",
               "hdd": "horizontal drilling (HDD)", "plough": "ploughing", "aerial": "aerial",
               "existing_duct": "existing duct", "unknown": "unknown"}
    for m, v in js["length_by_method"].items():
        row = kv.get(("Length by construction method", methods[m]))
        check(row and near(row[0], v["planned_m"]) and near(row[1], v["built_m"]), "method %s: %r" % (m, row))

    # The weekly series ends at the totals.
    ws = wb["Summary"]
    weeks = []
    in_weeks = False
    for row in ws.iter_rows(min_row=1):
        if row[0].value == "Week" and row[1].value == "Week ending":
            in_weeks = True
            continue
        if in_weeks and row[0].value:
            weeks.append([c.value for c in row[:5]])
    require(weeks, "no weekly series")
    last = weeks[-1]
    check(last[1].date().isoformat() == AS_OF, "the series ends on %r" % last[1])
    check(near(last[2], js["planned_length_m"], 0.02) and near(last[3], js["built_length_m"], 0.02),
          "last week %r vs summary %r/%r" % (last, js["planned_length_m"], js["built_length_m"]))
    check(near(sum(w[4] for w in weeks), js["built_length_m"], 0.05), "weekly built adds up")

    # Segments sheet: every segment as of the date.
    segs = table(wb["Segments"])
    check(len(segs) == sum(js["segments_by_status"].values()), "segments rows %d" % len(segs))
    check(near(sum(s["Planned (m)"] for s in segs), js["planned_length_m"], 0.02), "segments planned sum")
    check(near(sum(s["Built (m)"] for s in segs), js["built_length_m"], 0.02), "segments built sum")
    by = {}
    for s in segs:
        by[s["Status"]] = by.get(s["Status"], 0) + 1
    for st, n in js["segments_by_status"].items():
        check(by.get(labels[st], 0) == n, "segments sheet status %s: %r != %r" % (st, by.get(labels[st]), n))

    # Premises sheet.
    prem = table(wb["Premises"])
    check(len(prem) == js["premises"]["total"], "premises rows %d" % len(prem))
    for st in ("planned", "passed", "connected", "activated", "excluded"):
        n = sum(1 for p in prem if p["Status"] == st)
        check(n == js["premises"][st], "premises sheet %s: %d != %d" % (st, n, js["premises"][st]))
    check(sum(1 for p in prem if p["White spot"] == "yes" and p["Status"] != "excluded") ==
          js["white_spots"]["total"], "premises sheet white spots")
    check(all(isinstance(p["Status date"], datetime.datetime) and p["Status date"].date().isoformat() <= AS_OF
              for p in prem), "status dates are dates not after the as-of date")

    # Milestones sheet states.
    ms = table(wb["Milestones"])
    for st, label in (("done", "done"), ("late", "late"), ("at_risk", "at risk"), ("on_track", "on track")):
        check(sum(1 for m in ms if m["State"] == label) == js["milestones"][st], "milestone sheet %s" % st)

    # Costs sheet: categories add up to the summary, the total row is it.
    cs = wb["Costs"]
    rows = table(cs)
    cats = [r for r in rows if r["Category"] != "Total"]
    total = [r for r in rows if r["Category"] == "Total"]
    require(total, "costs sheet has no total row")
    for col, key in (("Invoiced (net)", "invoiced_cents"), ("Eligible", "eligible_cents"), ("Paid (net)", "paid_cents")):
        check(sum(cents(r[col]) for r in cats) == c[key], "costs categories %s" % col)
        check(cents(total[0][col]) == c[key], "costs total %s" % col)
    funding = {}
    for row in cs.iter_rows(min_row=1):
        if row[0].value in ("Federal programme", "State programme", "Municipality (own share)"):
            funding[row[0].value] = cents(row[2].value)
    check(funding.get("Federal programme") == c["federal_cents"], "federal share %r" % funding)
    check(funding.get("State programme") == c["state_cents"], "state share")
    check(funding.get("Municipality (own share)") == c["municipal_cents"], "municipal share")

    # Contractors: the total row is the summary's.
    con = table(wb["Contractors"])
    tot = [r for r in con if r["Contractor"] == "Total"]
    require(tot, "contractors sheet has no total row")
    rest = [r for r in con if r["Contractor"] != "Total"]
    check(near(tot[0]["Built (m)"], js["built_length_m"]), "contractors total built")
    check(near(sum(r["Built (m)"] for r in rest), js["built_length_m"], 0.02), "contractors built add up")
    check(sum(r["Segments"] for r in rest) == sum(js["segments_by_status"].values()), "contractor segments")

    # German numbers are the same numbers.
    de = workbook(progress(lang="de").body)
    for a, b in zip(wb.worksheets[1:], de.worksheets[1:]):
        for ra, rb in zip(a.iter_rows(), b.iter_rows()):
            for ca, cb in zip(ra, rb):
                if isinstance(ca.value, (int, float)) or isinstance(cb.value, (int, float)):
                    check(ca.value == cb.value, "%s!%s: en %r, de %r" % (a.title, ca.coordinate, ca.value, cb.value))


def cell_values(wb):
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = c.value
    return out


@S.test()
def same_as_of_gives_same_numbers_later():
    as_of = YESTERDAY.isoformat()
    before = cell_values(workbook(progress(as_of=as_of, lang="en").body))
    sum_before = summary(as_of)
    now_before = summary(TODAY.isoformat())
    # Progress on a segment of LOS-1 (Tiefbau Nord, reviewed by the manager).
    lots = C["manager"].get("/lots", params={"project_id": "1"}).json["items"]
    lot1 = [l for l in lots if l["code"] == "LOS-1"][0]
    segs = C["contractor"].get("/segments", params={"lot_id": str(lot1["id"]), "status": "in_construction",
                                                    "limit": "5"}).json["items"]
    require(segs, "no segment in construction on LOS-1")
    seg = segs[0]
    built = min(seg["planned_length_m"], round(seg["built_length_m"] + 7.25, 2))
    r = C["contractor"].post("/progress-reports", {"segment_id": seg["id"], "report_date": TODAY.isoformat(),
                                                   "built_length_m": built, "status": "civil_done",
                                                   "note": "=HYPERLINK(\"http://x\")"},
                             headers={"Idempotency-Key": str(uuid.uuid4())})
    require(r.status == 201, "progress report: %r" % r)
    rep = r.json
    if rep.get("state") == "submitted":
        a = C["manager"].post("/progress-reports/%d/approve" % rep["id"], {"comment": "ok"})
        require(a.status == 200, "approve: %r" % a)
    now_after = summary(TODAY.isoformat())
    check(now_after["built_length_m"] != now_before["built_length_m"] or
          now_after["segments_by_status"] != now_before["segments_by_status"],
          "the approved report changed nothing today")
    after = cell_values(workbook(progress(as_of=as_of, lang="en").body))
    check(summary(as_of) == sum_before, "the summary for %s changed" % as_of)
    generated = [k for k, v in before.items() if v == "Generated at (UTC)"]
    skip = {(k[0], "B" + k[1][1:]) for k in generated}
    diffs = [(k, before.get(k), after.get(k)) for k in set(before) | set(after)
             if k not in skip and before.get(k) != after.get(k)]
    check(not diffs, "the workbook for %s changed after new progress: %r" % (as_of, diffs[:5]))


@S.test()
def user_text_is_inert():
    adm, fin = C["admin"], C["finance"]
    tag = uuid.uuid4().hex[:6]
    con = adm.create("contractors", {"name": INERT[0]})
    lot = adm.create("lots", {"project_id": 1, "code": "+1" + tag, "name": "-2",
                              "contractor_id": con["id"]})
    seg = adm.create("segments", {"project_id": 1, "lot_id": lot["id"], "code": "@SUM(A1)" + tag,
                                  "kind": "trench", "method": "hdd", "planned_length_m": 12.5})
    street = "Straße 🚧 日本語 " + tag
    prem = adm.create("premises", {"project_id": 1, "code": "=1+1" + tag, "street": street,
                                   "house_number": "-2", "postcode": "+1", "city": "@SUM(A1)",
                                   "serving_segment_id": seg["id"], "white_spot": True})
    ms = adm.create("milestones", {"project_id": 1, "name": INERT[0] + tag, "kind": "custom",
                                   "planned_date": "2027-01-15", "notes": "+1"})
    # A note longer than a cell holds, as an import or an older version might leave it.
    long_note = "x" * 39990 + "äöü€" + "y" * 6
    db_query("UPDATE milestones SET notes = '%s' WHERE id = %d" % (long_note, ms["id"]))
    inv = fin.create("invoices", {"project_id": 1, "lot_id": lot["id"], "contractor_id": con["id"],
                                  "number": "=1+2" + tag, "invoice_date": TODAY.isoformat(),
                                  "category": "other", "net_cents": 1000, "eligible_cents": 500})
    today = TODAY.isoformat()

    body = progress(as_of=today, lang="de").body
    sheet_xml_has_no_formulas(body, "progress.xlsx")
    wb = workbook(body)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    check(c.data_type == "s", "%s!%s is not text: %r" % (ws.title, c.coordinate, c.value))
                    if c.value.endswith(tag) or c.value in ("-2", "+1", "@SUM(A1)", INERT[0], street):
                        found.setdefault(c.value, c.number_format)
                    if c.value.startswith("xxxxxxxx"):
                        found["long"] = c.value
    for want in (INERT[0], "+1" + tag, "-2", "@SUM(A1)" + tag, "=1+1" + tag, street, "@SUM(A1)",
                 INERT[0] + tag):
        check(want in found, "%r is missing from the workbook" % want)
        if want in found:
            check(found[want] == "@", "%r is not formatted as text (%r)" % (want, found[want]))
    note = found.get("long", "")
    check(len(note) <= 32767 and note.endswith(ELLIPSIS) and note.startswith("x" * 1000),
          "the long note is %d characters, ends %r" % (len(note), note[-5:]))
    ms_rows = table(wb["Meilensteine"])
    check(any(m["Meilenstein"] == INERT[0] + tag for m in ms_rows), "milestone name")
    to_pdf(body, "user-text")

    cbody = costs(today, today, lang="en").body
    sheet_xml_has_no_formulas(cbody, "costs.xlsx")
    inv_rows = table(workbook(cbody)["Invoices"])
    check(any(r["Invoice no."] == inv["number"] for r in inv_rows), "invoice number %r" % inv["number"])


@S.test()
def empty_project():
    proj = C["admin"].create("projects", {"code": "EMPTY-" + uuid.uuid4().hex[:6], "name": "Leer",
                                          "municipality": "Nirgendwo"})
    pid = proj["id"]
    r = C["manager"].get("/projects/%d/reports/progress.xlsx" % pid, params={"lang": "de"})
    require(r.status == 200, "progress.xlsx of an empty project: %r" % r)
    wb = workbook(r.body)
    check(wb["Trassenabschnitte"].max_row == 1, "an empty project has segments?")
    check(len(wb["Übersicht"]._charts) == 2, "charts of an empty project")
    r = C["finance"].get("/projects/%d/reports/costs.xlsx" % pid)
    require(r.status == 200, "costs.xlsx of an empty project: %r" % r)
    rows = table(workbook(r.body)["Invoices"])
    check(len(rows) == 1 and rows[0]["Invoice no."] == "Total", "invoices of an empty project: %r" % rows)


# ------------------------------------------------------------------ costs.xlsx


@S.test()
def costs_period_and_claim():
    frm, to = "2026-07-01", "2026-10-31"
    body = costs(frm, to, lang="en").body
    sheet_xml_has_no_formulas(body, "costs.xlsx")
    wb = workbook(body)
    check(wb.sheetnames == ["Payment request", "Invoices", "Totals"], "sheets %r" % wb.sheetnames)
    invoices = [i for i in C["finance"].list_all("invoices", params={"project_id": "1"})
                if frm <= i["invoice_date"] <= to]
    rows = table(wb["Invoices"])
    listed = [r for r in rows if r["Invoice no."] != "Total"]
    total = [r for r in rows if r["Invoice no."] == "Total"]
    check(sorted(r["Invoice no."] for r in listed) == sorted(i["number"] for i in invoices),
          "invoices %r vs %r" % ([r["Invoice no."] for r in listed], [i["number"] for i in invoices]))
    net = sum(i["net_cents"] for i in invoices)
    elig = sum(i["eligible_cents"] for i in invoices)
    require(total, "no total row")
    check(cents(total[0]["Net"]) == net and cents(total[0]["Eligible"]) == elig, "invoice totals")
    for r in listed:
        check(isinstance(r["Invoice date"], datetime.datetime), "invoice date is not a date")
        check(r["Eligibility"] in ("eligible", "partly eligible", "not eligible"), "eligibility %r" % r["Eligibility"])
    ws = wb["Invoices"]
    check(ws.freeze_panes == "A2" and ws.auto_filter.ref, "invoices: frozen header and autofilter")
    check("€" in ws["F2"].number_format, "invoice money format %r" % ws["F2"].number_format)

    claim = {r[0].value: r for r in wb["Payment request"].iter_rows() if r[0].value}
    fed_rate, state_rate = 0.5, 0.4

    def amount(label):
        require(label in claim, "payment request lacks %r" % label)
        return cents(claim[label][2].value)

    check(amount("Eligible cost in the period") == elig, "eligible in the period")
    fed = int(elig * fed_rate + 0.5)
    st = int(elig * state_rate + 0.5)
    check(amount("Amount to claim from the federal programme") == fed, "federal claim")
    check(amount("Amount to claim from the state programme") == st, "state claim")
    check(amount("Municipal own share") == elig - fed - st, "municipal share")
    js = summary(to)
    check(amount("Eligible cost to date") == js["costs"]["eligible_cents"], "cumulative eligible")
    check(amount("Approved eligible cost (budget)") == js["costs"]["budget_cents"], "budget")
    check(amount("Remaining budget") == js["costs"]["budget_cents"] - js["costs"]["eligible_cents"], "remaining")
    check(amount("Federal share to date") == js["costs"]["federal_cents"], "cumulative federal")
    check(amount("State share to date") == js["costs"]["state_cents"], "cumulative state")

    tot = wb["Totals"]
    cat = table(tot, 2)
    cat_rows = [r for r in cat if r["Category"] != "Total"]
    check(sum(cents(r["Eligible"]) for r in cat_rows) == elig, "totals by category")
    lot_hdr = [i for i, row in enumerate(tot.iter_rows(), 1) if row[0].value == "Lot"]
    require(lot_hdr, "no table by lot")
    lots = [r for r in table(tot, lot_hdr[0]) if r["Lot"] != "Total"]
    check(sum(cents(r["Net"]) for r in lots) == net, "totals by lot")

    de = workbook(costs(frm, to, lang="de").body)
    check(de.sheetnames == ["Mittelabruf", "Rechnungen", "Summen"], "German sheets %r" % de.sheetnames)
    labels = [r[0].value for r in de["Mittelabruf"].iter_rows() if r[0].value]
    check("Förderkennzeichen" in labels and "Abzurufender Betrag Bund" in labels, "German claim labels")


@S.test()
def costs_default_period():
    r = C["finance"].get("/projects/1/reports/costs.xlsx", timeout=300)
    check(r.status == 200, "costs.xlsx without parameters: %r" % r)
    cd = r.header("Content-Disposition") or ""
    check(cd == 'attachment; filename="costs_WF-MUSTER-2026_2026-03-01_%s_en.xlsx"' % TODAY.isoformat(),
          "default period: %r" % cd)


# -------------------------------------------------------------- LibreOffice


@S.test()
def libreoffice_opens_the_workbooks():
    for lang in ("en", "de"):
        pdf = to_pdf(progress(lang=lang).body, "progress-" + lang)
        check(pdf.count(b"/Type /Page") + pdf.count(b"/Type/Page") >= 5,
              "progress-%s.pdf has too few pages" % lang)
        to_pdf(costs("2026-01-01", AS_OF, lang=lang).body, "costs-" + lang)


if __name__ == "__main__":
    S.run(setup)
