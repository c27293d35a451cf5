"""The Excel reports of SPEC 5 and 12 against a running server with the demo project.

Run by tests/reports/run-reports.sh, which starts that server. Reads the
workbooks back with Debian's python3-openpyxl (run with /usr/bin/python3),
converts them to PDF with LibreOffice headless (read back with poppler's
pdfinfo and pdftotext), and checks them against GET /summary and the API.

Environment: FT_BASE_URL, FT_DATA_DIR (the server's), FT_WORK (scratch dir),
FT_SOFFICE (libreoffice binary, empty when not installed).
"""

import datetime
import io
import os
import re
import subprocess
import sys
import time
import uuid
import xml.dom.minidom
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))

import openpyxl  # noqa: E402  (Debian's python3-openpyxl)
from openpyxl.chart import BarChart, LineChart  # noqa: E402

from ftapi import Client, Suite, check, db_query, etag_of, login, problem, request, require  # noqa: E402

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


def costs(frm, to, lang="en", who="finance", as_of=None):
    params = {"to": to, "lang": lang}
    if frm:
        params["from"] = frm
    if as_of:
        params["as_of"] = as_of
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
        (cost, "as_of=" + tomorrow, "as_of in the future"),
        (cost, "to=2026-02-30", "impossible to"),
        (cost, "as_of=30.09.2026", "as_of not ISO"),
        (cost, "lang=EN", "lang in capitals"),
        ("/drawdowns/1/workbook.xlsx", "lang=fr", "drawdown lang fr"),
        ("/drawdowns/1/workbook.xlsx", "as_of=2026-09-30", "as_of on a drawdown"),
    ]
    for path, query, what in cases:
        r = fin.get(path + "?" + query)
        problem(r, 400, what)
    for bad in ("999999", "0", "abc", "-1"):
        problem(fin.get("/projects/%s/reports/progress.xlsx" % bad), 404, "project " + bad)
        problem(fin.get("/projects/%s/reports/costs.xlsx" % bad), 404, "project " + bad)
        problem(fin.get("/drawdowns/%s/workbook.xlsx" % bad), 404, "drawdown " + bad)


# --------------------------------------------------------------- progress.xlsx


@S.test()
def progress_sheets_labels_and_layout():
    en = workbook(progress(lang="en").body)
    de = workbook(progress(lang="de").body)
    check(en.sheetnames == ["Cover", "Summary", "Narrative", "Milestones", "Segments", "Premises",
                            "Contractors", "Costs"], "English sheets %r" % en.sheetnames)
    check(de.sheetnames == ["Deckblatt", "Übersicht", "Sachbericht", "Meilensteine", "Trassenabschnitte",
                            "Adressen", "Auftragnehmer", "Kosten"], "German sheets %r" % de.sheetnames)
    cover_de = {r[0].value: r[1].value for r in de["Deckblatt"].iter_rows() if r[0].value}
    for label in ("Förderkennzeichen", "Zuwendungsempfänger", "Förderprogramm", "Stichtag",
                  "Erstellt von", "Erstellt am"):
        check(label in cover_de, "German cover lacks %r" % label)
    check(cover_de.get("Förderkennzeichen") == "FKZ 01-BB-2026-0042", "grant reference %r" %
          cover_de.get("Förderkennzeichen"))
    check(cover_de.get("Zuwendungsempfänger") == "Stadt Musterstadt", "recipient")
    check(cover_de.get("Erstellt von") == "Fiona Finanzen", "generated by %r" % cover_de.get("Erstellt von"))
    stichtag = cover_de.get("Stichtag")
    check(isinstance(stichtag, datetime.datetime) and stichtag.date().isoformat() == AS_OF,
          "as-of date on the cover is %r" % stichtag)
    generated = cover_de.get("Erstellt am")
    check(isinstance(generated, datetime.datetime), "generated at is not a date")
    # Local time in Germany: one or two hours ahead of UTC.
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    ahead = (generated - now).total_seconds() if isinstance(generated, datetime.datetime) else 0
    check(3600 - 120 <= ahead <= 7200 + 120, "generated at %r is not German time (UTC %r)" % (generated, now))
    cover_en = {r[0].value: r[1].value for r in en["Cover"].iter_rows() if r[0].value}
    for label in ("Grant reference", "Grant recipient", "Funding programme", "As of", "Generated by"):
        check(label in cover_en, "English cover lacks %r" % label)
    summ_de = [r[0].value for r in de["Übersicht"].iter_rows() if r[0].value]
    check("Trassenmeter geplant" in summ_de and "Trassenmeter gebaut" in summ_de,
          "German summary lacks Trassenmeter")
    check(de["Meilensteine"]["A1"].value == "Meilenstein", "German milestone header")
    check(de["Adressen"]["B1"].value == "Straße", "German premises header")

    for ws in (en[n] for n in ("Milestones", "Segments", "Premises", "Contractors", "Costs")):
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
    check(near(last[3], js["built_length_m"], 0.02),
          "last week %r vs summary %r" % (last, js["built_length_m"]))
    check(near(sum(w[4] for w in weeks), js["built_length_m"], 0.05), "weekly built adds up")

    # Segments sheet: every segment as of the date.
    segs = table(wb["Segments"])
    # The plan curve: each segment's metres spread evenly over its planned
    # days; at every week's end it is what the segments' dates say.
    for w in (weeks[len(weeks) // 3], weeks[len(weeks) // 2], last):
        want = plan_at(segs, w[1].date())
        check(near(w[2], want, 0.05), "plan at %s: %r, the segments say %r" % (w[1].date(), w[2], want))
    check(all(a[2] <= b[2] + 1e-6 for a, b in zip(weeks, weeks[1:])), "the plan curve falls")
    check(weeks[0][2] < last[2] and last[2] <= js["planned_length_m"] + 0.02,
          "the plan is flat or above the network: %r .. %r" % (weeks[0][2], last[2]))
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


def plan_at(segs, day):
    total = 0.0
    for s in segs:
        a, b = s["Planned start"], s["Planned end"]
        if not isinstance(a, datetime.datetime) or not isinstance(b, datetime.datetime) or b < a:
            continue
        a, b = a.date(), b.date()
        if day >= b:
            total += s["Planned (m)"]
        elif day >= a:
            total += s["Planned (m)"] * ((day - a).days + 1) / ((b - a).days + 1)
    return total


GENERATED = ("Generated at (German time)", "Erstellt am")


def cell_values(wb, skip_generated=True):
    """{(sheet, cell): value} of every cell, without the generation time."""
    out = {}
    for ws in wb.worksheets:
        skip = set()
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                if skip_generated and c.value in GENERATED:
                    skip.add((c.row, c.column + 1))
                if (c.row, c.column) in skip:
                    continue
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
    diffs = [(k, before.get(k), after.get(k)) for k in set(before) | set(after)
             if before.get(k) != after.get(k)]
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
    inv_rows = table(workbook(cbody)["Receipt list"])
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
    rows = table(workbook(r.body)["Receipt list"])
    check(len(rows) == 1 and rows[0]["No."] == "Total", "invoices of an empty project: %r" % rows)


# ------------------------------------------------------------------ costs.xlsx


def claim_rows(wb):
    """{label: [B, C, D]} of the payment request sheet."""
    return {r[0].value: [c.value for c in r[1:4]] for r in wb.worksheets[0].iter_rows() if r[0].value}


def api_drawdowns():
    return [d for d in C["finance"].list_all("drawdowns", params={"project_id": str(PROJECT)})]


def split(cents, fed_rate=0.5, state_rate=0.4):
    fed = int(cents * fed_rate + 0.5)
    st = int(cents * state_rate + 0.5)
    return fed, st


@S.test()
def costs_period_and_claim():
    frm, to = "2026-07-01", "2026-10-31"
    body = costs(frm, to, lang="en", as_of=to).body
    sheet_xml_has_no_formulas(body, "costs.xlsx")
    wb = workbook(body)
    check(wb.sheetnames == ["Payment request", "Budget plan", "Drawdowns", "Receipt list", "Totals"],
          "sheets %r" % wb.sheetnames)
    all_inv = C["finance"].list_all("invoices", params={"project_id": "1"})
    invoices = [i for i in all_inv if frm <= i["invoice_date"] <= to]
    rows = table(wb["Receipt list"])
    listed = [r for r in rows if r["No."] != "Total"]
    total = [r for r in rows if r["No."] == "Total"]
    check(sorted(r["Invoice no."] for r in listed) == sorted(i["number"] for i in invoices),
          "invoices %r vs %r" % ([r["Invoice no."] for r in listed], [i["number"] for i in invoices]))
    check([r["No."] for r in listed] == list(range(1, len(listed) + 1)), "running numbers")
    net = sum(i["net_cents"] for i in invoices)
    elig = sum(i["eligible_cents"] for i in invoices)
    require(total, "no total row")
    check(cents(total[0]["Net"]) == net and cents(total[0]["Eligible"]) == elig, "invoice totals")
    by_number = {i["number"]: i for i in invoices}
    for r in listed:
        check(isinstance(r["Invoice date"], datetime.datetime), "invoice date is not a date")
        check(r["Eligibility"] in ("eligible", "partly eligible", "not eligible"), "eligibility %r" % r["Eligibility"])
        i = by_number.get(r["Invoice no."], {})
        check(cents(r["VAT"]) == i.get("vat_cents") and cents(r["Eligible"]) == i.get("eligible_cents"),
              "invoice %s: VAT/eligible %r/%r" % (r["Invoice no."], r["VAT"], r["Eligible"]))
        paid = i.get("paid_date") if i.get("status") == "paid" else None
        got = r["Paid on"].date().isoformat() if isinstance(r["Paid on"], datetime.datetime) else None
        check(got == paid, "invoice %s paid on %r, API %r" % (r["Invoice no."], got, paid))
    ws = wb["Receipt list"]
    check(ws.freeze_panes == "A2" and ws.auto_filter.ref, "receipts: frozen header and autofilter")
    check("€" in ws["G2"].number_format, "invoice money format %r" % ws["G2"].number_format)

    claim = claim_rows(wb)

    def amount(label, col=2):
        require(label in claim, "payment request lacks %r" % label)
        return cents(claim[label][col])

    check(amount("Eligible cost in the period") == elig, "eligible in the period")
    cum = sum(i["eligible_cents"] for i in all_inv if i["invoice_date"] <= to)
    js = summary(to)
    check(amount("Eligible cost up to the end of the period") == cum, "cumulative eligible")
    check(cum == js["costs"]["eligible_cents"], "cumulative eligible %r vs /summary %r" %
          (cum, js["costs"]["eligible_cents"]))
    fed, st = split(cum)
    check((amount("Funding due on it (× funding rate)", 0), amount("Funding due on it (× funding rate)", 1)) ==
          (fed, st), "funding due")
    check((fed, st) == (js["costs"]["federal_cents"], js["costs"]["state_cents"]), "funding due vs /summary")
    earlier = [d for d in api_drawdowns() if d["state"] != "draft" and d["requested_at"][:10] <= to]
    rf = sum(d["federal_requested_cents"] for d in earlier)
    rs = sum(d["state_requested_cents"] for d in earlier)
    check((amount("Requested by earlier drawdowns", 0), amount("Requested by earlier drawdowns", 1)) ==
          (rf, rs), "requested earlier")
    now = (max(0, fed - rf), max(0, st - rs))
    check((amount("Amount requested now", 0), amount("Amount requested now", 1)) == now, "this request")
    gf, gs = split(js["costs"]["budget_cents"])
    check((amount("Grant approved (budget × funding rate)", 0), amount("Grant approved (budget × funding rate)", 1))
          == (gf, gs), "grant")
    check((amount("Grant remaining after this request", 0), amount("Grant remaining after this request", 1)) ==
          (gf - rf - now[0], gs - rs - now[1]), "grant remaining")
    for label in ("Place", "Date", "Name", "Function", "Signature (legally binding)"):
        check(label in claim, "signature block lacks %r" % label)
    check(claim.get("Name", [None])[0] == "Fiona Finanzen" and claim.get("Place", [None])[0] == "Stadt Musterstadt",
          "signature block %r %r" % (claim.get("Name"), claim.get("Place")))
    check("PRELIMINARY" not in claim, "a closed period read at its end is marked preliminary")

    # Budget plan vs actual: every line of the API's plan with its actuals.
    lines = C["finance"].list_all("budget-lines", params={"project_id": "1"})
    plan = table(wb["Budget plan"])
    got = {(r["Year"], r["Category"]): r for r in plan if r["Year"] != "Total"}
    cat_en = {"civil_works": "civil works", "cabling": "cabling", "splicing": "splicing",
              "planning": "planning", "materials": "materials", "other": "other"}
    require(lines, "the demo has no budget plan")
    for line in lines:
        r = got.get((line["year"], cat_en[line["category"]]))
        if not check(r is not None, "budget line %s %s missing" % (line["year"], line["category"])):
            continue
        check(cents(r["Plan"]) == line["planned_cents"], "plan of %r" % line)
        spent = sum(i["eligible_cents"] for i in all_inv if i["category"] == line["category"] and
                    i["invoice_date"][:4] == str(line["year"]) and i["invoice_date"] <= to)
        check(cents(r["Eligible to date"]) == spent, "%s %s eligible to date %r != %r" %
              (line["year"], line["category"], r["Eligible to date"], spent))
    tot = [r for r in plan if r["Year"] == "Total"]
    check(tot and cents(tot[0]["Plan"]) == sum(x["planned_cents"] for x in lines), "plan total")

    # Earlier drawdowns, as the API has them.
    dd = [r for r in table(wb["Drawdowns"]) if r["No."] != "Total"]
    check(sorted(r["No."] for r in dd) == sorted(d["number"] for d in earlier), "drawdowns %r" % dd)

    tot = wb["Totals"]
    cat = table(tot, 2)
    cat_rows = [r for r in cat if r["Category"] != "Total"]
    check(sum(cents(r["Eligible"]) for r in cat_rows) == elig, "totals by category")
    lot_hdr = [i for i, row in enumerate(tot.iter_rows(), 1) if row[0].value == "Lot"]
    require(lot_hdr, "no table by lot")
    lots = [r for r in table(tot, lot_hdr[0]) if r["Lot"] != "Total"]
    check(sum(cents(r["Net"]) for r in lots) == net, "totals by lot")

    de = workbook(costs(frm, to, lang="de").body)
    check(de.sheetnames == ["Mittelabruf", "Finanzierungsplan", "Mittelabrufe", "Belegliste", "Summen"],
          "German sheets %r" % de.sheetnames)
    labels = [r[0].value for r in de["Mittelabruf"].iter_rows() if r[0].value]
    for want in ("Förderkennzeichen", "Jetzt angeforderter Betrag", "Rechtsverbindliche Unterschrift",
                 "Verbleibende Zuwendung nach diesem Abruf"):
        check(want in labels, "German request lacks %r" % want)


def quarter_of(day):
    q0 = (day.month - 1) // 3 * 3 + 1
    start = datetime.date(day.year, q0, 1)
    end = datetime.date(day.year + (q0 == 10), 1 if q0 == 10 else q0 + 3, 1) - datetime.timedelta(days=1)
    return start, end


@S.test()
def costs_for_an_open_period_is_preliminary():
    start, end = quarter_of(TODAY)
    for frm, to in ((start, end), (datetime.date(TODAY.year, 1, 1), datetime.date(TODAY.year, 12, 31))):
        r = C["finance"].get("/projects/1/reports/costs.xlsx",
                             params={"from": frm.isoformat(), "to": to.isoformat(), "lang": "de"}, timeout=300)
        if not check(r.status == 200, "costs.xlsx %s..%s: %r" % (frm, to, r)):
            continue
        wb = workbook(r.body)
        labels = [row[0].value for row in wb.worksheets[0].iter_rows() if row[0].value]
        check("VORLÄUFIG" in labels, "an open period is not marked vorläufig: %r" % labels[:5])
        for ws in wb.worksheets:
            check("VORLÄUFIG" in (ws.oddFooter.center.text or ""), "%s: footer %r" % (ws.title, ws.oddFooter.center.text))
        cd = r.header("Content-Disposition") or ""
        check(to.isoformat() in cd, "file name %r" % cd)
    # A period read after it ended is final.
    r = costs("2026-01-01", YESTERDAY.isoformat(), lang="de", as_of=YESTERDAY.isoformat())
    labels = [row[0].value for row in workbook(r.body).worksheets[0].iter_rows() if row[0].value]
    check("VORLÄUFIG" not in labels, "a closed period is marked vorläufig")


@S.test()
def costs_default_period():
    r = C["finance"].get("/projects/1/reports/costs.xlsx", timeout=300)
    check(r.status == 200, "costs.xlsx without parameters: %r" % r)
    cd = r.header("Content-Disposition") or ""
    check(cd == 'attachment; filename="costs_WF-MUSTER-2026_2026-03-01_%s_en.xlsx"' % TODAY.isoformat(),
          "default period: %r" % cd)


# ------------------------------------------------------------ print set-up


@S.test()
def print_setup_on_every_sheet():
    books = (("progress.xlsx", workbook(progress(lang="en").body), "As of " + AS_OF),
             ("costs.xlsx", workbook(costs("2026-07-01", "2026-09-30", lang="en").body),
              "Reporting period 2026-07-01 \u2013 2026-09-30"))
    for name, wb, right in books:
        for ws in wb.worksheets:
            what = "%s %s" % (name, ws.title)
            check(bool(ws.print_area), "%s: no print area" % what)
            psp = ws.sheet_properties.pageSetUpPr
            check(psp is not None and psp.fitToPage and ws.page_setup.fitToWidth in (1, None) and
                  ws.page_setup.fitToHeight == 0, "%s: not fit to one page wide" % what)
            check(ws.page_setup.paperSize == 9, "%s: not A4" % what)
            check(ws.oddHeader.left.text == "Breitbandausbau Weiße Flecken Musterstadt",
                  "%s: header left %r" % (what, ws.oddHeader.left.text))
            check(ws.oddHeader.right.text == right, "%s: header right %r" % (what, ws.oddHeader.right.text))
            check(ws.oddFooter.right.text == "Page &P of &N", "%s: footer %r" % (what, ws.oddFooter.right.text))
        for title in ("Milestones", "Segments", "Premises", "Contractors", "Costs", "Receipt list",
                      "Budget plan", "Drawdowns"):
            if title in wb.sheetnames:
                check(wb[title].print_title_rows == "$1:$1", "%s %s: header row not repeated (%r)" %
                      (name, title, wb[title].print_title_rows))
    summ = books[0][1]["Summary"]
    check(summ.page_setup.orientation == "portrait", "the summary prints in landscape")
    # The charts sit within the tables' columns, so fitting the page width
    # does not shrink the text: none is anchored right of column E.
    for ch in summ._charts:
        check(ch.anchor._from.col <= 4, "a summary chart starts in column %d" % ch.anchor._from.col)


# ------------------------------------------------------------- the Sachbericht


@S.test()
def sachbericht_from_report_notes_as_of():
    notes = C["manager"].list_all("report-notes", params={"project_id": "1"})
    require(notes, "the demo has no report notes")
    wb = workbook(progress(lang="en").body)
    text = [r[0].value for r in wb["Narrative"].iter_rows() if r[0].value]
    for n in notes:
        if n["period_to"] <= "2026-09-30":  # the demo's, recorded in July and October
            for para in n["text"].split("\n"):
                check(para in text, "the narrative lacks %r" % para[:40])
    check(any(t.startswith("Reporting period 2026-04-01") for t in text), "period heading %r" % text[:4])
    # A note written today is in today's workbook, not in yesterday's.
    tag = uuid.uuid4().hex[:8]
    start, end = quarter_of(TODAY)
    mine = [n for n in notes if n["period_from"] == start.isoformat() and n["period_to"] == end.isoformat()]
    if mine:
        r = C["manager"].patch("/report-notes/%d" % mine[0]["id"], {"text": "Heute " + tag},
                               if_match=etag_of(mine[0]))
        require(r.status == 200, "patch note: %r" % r)
    else:
        C["manager"].create("report-notes", {"project_id": 1, "period_from": start.isoformat(),
                                             "period_to": end.isoformat(), "text": "Heute " + tag})
    today = [r[0].value for r in workbook(progress(as_of=TODAY.isoformat()).body)["Narrative"].iter_rows()
             if r[0].value]
    yesterday = [r[0].value for r in workbook(progress(as_of=YESTERDAY.isoformat()).body)["Narrative"].iter_rows()
                 if r[0].value]
    check("Heute " + tag in today, "today's note is missing today")
    check("Heute " + tag not in yesterday, "today's note is in yesterday's workbook")


# --------------------------------------------------------- as-of is complete


@S.test()
def as_of_is_complete():
    """Names, codes, notes and forecast dates edited today leave the workbooks
    for yesterday as they were."""
    day = YESTERDAY.isoformat()
    adm, fin, man = C["admin"], C["finance"], C["manager"]

    def both():
        return (cell_values(workbook(progress(as_of=day, lang="de").body)),
                cell_values(workbook(costs("2026-03-01", day, lang="de", as_of=day).body)))

    before = both()
    undo = []

    def edit(who, coll, obj, change):
        r = C[who].patch("/%s/%d" % (coll, obj["id"]), change, if_match=etag_of(obj))
        require(r.status == 200, "PATCH %s %r: %r" % (coll, change, r))
        undo.append((who, coll, r.json, {k: obj[k] for k in change}))

    # The demo's objects: their history is dated months back.
    ms = [m for m in man.list_all("milestones", params={"project_id": "1", "kind": "network_ready"})
          if m["name"] == "Netz betriebsbereit"]
    require(ms, "the demo milestone 'Netz betriebsbereit' is missing")
    edit("manager", "milestones", ms[-1], {"name": ms[-1]["name"] + " (neu)", "notes": "Nachtrag",
                                            "forecast_date": "2028-01-31"})
    seg = man.get("/segments", params={"project_id": "1", "limit": "1"}).json["items"][0]
    edit("manager", "segments", seg, {"code": seg["code"] + "-X"})
    prem = man.get("/premises", params={"project_id": "1", "limit": "1"}).json["items"][0]
    edit("manager", "premises", prem, {"street": "Umbenannte Straße"})
    lot = [l for l in man.list_all("lots", params={"project_id": "1"}) if l["code"] == "LOS-2"][0]
    edit("manager", "lots", lot, {"code": "LOS-2B", "name": "Los 2 neu"})
    con = man.fetch("contractors", lot["contractor_id"])
    edit("manager", "contractors", con, {"name": con["name"] + " & Co. KG"})
    inv = [i for i in fin.list_all("invoices", params={"project_id": "1"}) if i["number"] == "TN-2026-0412"][0]
    edit("finance", "invoices", inv, {"number": "TN-2026-0412-K", "vat_cents": inv["vat_cents"] + 1})
    proj = man.fetch("projects", 1)
    edit("admin", "projects", proj, {"name": proj["name"] + " II", "grant_reference": "FKZ NEU"})
    line = fin.list_all("budget-lines", params={"project_id": "1"})[0]
    edit("finance", "budget-lines", line, {"planned_cents": line["planned_cents"] + 100})
    notes = [n for n in man.list_all("report-notes", params={"project_id": "1"}) if n["period_from"] == "2026-04-01"]
    if notes:
        edit("manager", "report-notes", notes[0], {"text": "Überarbeitet."})
    try:
        after = both()
        for name, b, a in zip(("progress.xlsx", "costs.xlsx"), before, after):
            diffs = [(k, b.get(k), a.get(k)) for k in set(b) | set(a) if b.get(k) != a.get(k)]
            check(not diffs, "%s for %s changed after today's edits: %r" % (name, day, sorted(diffs)[:6]))
        # Today's workbook does show them.
        now = cell_values(workbook(progress(as_of=TODAY.isoformat(), lang="de").body))
        vals = set(v for v in now.values() if isinstance(v, str))
        for want in (ms[-1]["name"] + " (neu)", seg["code"] + "-X", "Umbenannte Straße", "LOS-2B",
                     con["name"] + " & Co. KG"):
            check(want in vals, "today's workbook lacks %r" % want)
    finally:
        for who, coll, obj, old in reversed(undo):
            C[who].patch("/%s/%d" % (coll, obj["id"]), old, if_match=etag_of(obj))


# --------------------------------------------------- the drawdown's workbook


def drawdown_book(dd_id, who="finance", lang="de"):
    r = C[who].get("/drawdowns/%d/workbook.xlsx" % dd_id, params={"lang": lang}, timeout=300)
    require(r.status == 200, "drawdown %d workbook: %r" % (dd_id, r))
    check(r.ctype == XLSX, "Content-Type %r" % r.header("Content-Type"))
    return r


@S.test()
def drawdown_workbook_is_frozen():
    first = [d for d in api_drawdowns() if d["number"] == 1]
    require(first and first[0]["state"] != "draft", "the demo has no submitted drawdown 1")
    d1 = first[0]
    a = drawdown_book(d1["id"]).body
    time.sleep(1.1)
    b = drawdown_book(d1["id"], who="manager").body
    check(a == b, "two downloads of submitted drawdown 1 differ")
    core = zipfile.ZipFile(io.BytesIO(a)).read("docProps/core.xml").decode()
    stamp = d1["requested_at"][:19]
    check(stamp in core, "core.xml does not carry requested_at %s: %s" % (stamp, core[-300:]))
    problem(C["contractor"].get("/drawdowns/%d/workbook.xlsx" % d1["id"]), 403, "contractor drawdown workbook")
    problem(C["finance"].get("/drawdowns/999999/workbook.xlsx"), 404, "unknown drawdown")

    # A new drawdown for the third quarter: a draft's workbook is built now.
    fin = C["finance"]
    start, end = "2026-07-01", "2026-09-30"
    mine = [d for d in api_drawdowns() if d["period_from"] == start]
    dd = mine[0] if mine else fin.create("drawdowns", {
        "project_id": 1, "period_from": start, "period_to": end,
        "federal_requested_cents": 20000000, "state_requested_cents": 16000000})
    r = drawdown_book(dd["id"], lang="en")
    claim = claim_rows(workbook(r.body))
    check(claim.get("Drawdown no.", [None])[0] == dd["number"], "drawdown number %r" % claim.get("Drawdown no."))
    check([cents(v) for v in claim.get("Amount requested now", [0, 0, 0])] ==
          [dd["federal_requested_cents"], dd["state_requested_cents"],
           dd["federal_requested_cents"] + dd["state_requested_cents"]],
          "the request is not the drawdown's amounts: %r" % claim.get("Amount requested now"))
    check([cents(v) for v in claim.get("Requested by earlier drawdowns", [0, 0])[:2]] ==
          [d1["federal_requested_cents"], d1["state_requested_cents"]], "earlier requests %r" %
          claim.get("Requested by earlier drawdowns"))
    cd = r.header("Content-Disposition") or ""
    check(cd == 'attachment; filename="drawdown_WF-MUSTER-2026_%d_en.xlsx"' % dd["number"], "file name %r" % cd)
    if dd["state"] == "draft":
        s = fin.post("/drawdowns/%d/submit" % dd["id"])
        require(s.status == 200, "submit: %r" % s)
        dd = s.json
    x = drawdown_book(dd["id"]).body
    # Edits after the submission change nothing in its workbook.
    inv = [i for i in fin.list_all("invoices", params={"project_id": "1"}) if i["number"] == "GM-26-117"][0]
    r = fin.patch("/invoices/%d" % inv["id"], {"eligible_cents": inv["eligible_cents"] - 100},
                  if_match=etag_of(inv))
    require(r.status == 200, "patch invoice: %r" % r)
    proj = C["admin"].fetch("projects", 1)
    r = C["admin"].patch("/projects/1", {"municipality": "Stadt Musterstadt (neu)"}, if_match=etag_of(proj))
    require(r.status == 200, "patch project: %r" % r)
    time.sleep(1.1)
    y = drawdown_book(dd["id"], who="admin").body
    check(x == y, "the submitted drawdown's workbook changed after edits")
    # Nor does the signer's role changing later: the submission recorded it.
    fu = [u for u in C["admin"].list_all("users") if u["name"] == "Fiona Finanzen"][0]
    r = C["admin"].patch("/users/%d" % fu["id"], {"role": "manager"}, if_match=etag_of(fu))
    require(r.status == 200, "patch the signer's role: %r" % r)
    z = drawdown_book(dd["id"], who="admin").body
    C["admin"].patch("/users/%d" % fu["id"], {"role": "finance"}, if_match=etag_of(r.json))
    check(x == z, "the submitted drawdown's workbook changed with the signer's role")
    wb = workbook(y)
    check(claim_rows(wb).get("Name", [None])[0] == "Fiona Finanzen", "submitter %r" % claim_rows(wb).get("Name"))
    cover = claim_rows(wb)
    check(cover.get("Zuwendungsempfänger", [None])[0] == "Stadt Musterstadt", "recipient %r" %
          cover.get("Zuwendungsempfänger"))
    C["admin"].patch("/projects/1", {"municipality": proj["municipality"]}, if_match='"%d"' % (proj["version"] + 1))
    r2 = fin.fetch("invoices", inv["id"])
    fin.patch("/invoices/%d" % inv["id"], {"eligible_cents": inv["eligible_cents"]}, if_match=etag_of(r2))


# -------------------------------------------------------------- LibreOffice


def pdf_pages(pdf, name):
    """The text of every page of a PDF (pdftotext), and the page count (pdfinfo)."""
    path = os.path.join(WORK, name + ".read.pdf")
    with open(path, "wb") as f:
        f.write(pdf)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, timeout=60)
    require(info.returncode == 0, "pdfinfo %s: %s" % (name, info.stderr[-200:]))
    m = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    require(m, "pdfinfo %s: no page count" % name)
    txt = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, timeout=60)
    require(txt.returncode == 0, "pdftotext %s: %s" % (name, txt.stderr[-200:]))
    return int(m.group(1)), txt.stdout.split("\f")


@S.test()
def libreoffice_prints_the_workbooks():
    for lang, page_of, as_of_text in (("en", "Page %d of %d", AS_OF),
                                      ("de", "Seite %d von %d", ".".join(reversed(AS_OF.split("-"))))):
        pdf = to_pdf(progress(lang=lang).body, "progress-" + lang)
        n, pages = pdf_pages(pdf, "progress-" + lang)
        check(n >= 8, "progress-%s.pdf has %d pages" % (lang, n))
        for k in range(1, n + 1):
            text = pages[k - 1] if k - 1 < len(pages) else ""
            check(page_of % (k, n) in text, "progress-%s page %d lacks %r" % (lang, k, page_of % (k, n)))
            check(as_of_text in text and "Musterstadt" in text,
                  "progress-%s page %d lacks the project or the as-of date" % (lang, k))
        pdf = to_pdf(costs("2026-01-01", AS_OF, lang=lang).body, "costs-" + lang)
        n, pages = pdf_pages(pdf, "costs-" + lang)
        check(n >= 5, "costs-%s.pdf has %d pages" % (lang, n))
        for k in range(1, n + 1):
            text = pages[k - 1] if k - 1 < len(pages) else ""
            check(page_of % (k, n) in text, "costs-%s page %d lacks %r" % (lang, k, page_of % (k, n)))
    d1 = [d for d in api_drawdowns() if d["number"] == 1][0]
    pdf = to_pdf(drawdown_book(d1["id"]).body, "drawdown-1")
    n, pages = pdf_pages(pdf, "drawdown-1")
    check("Mittelabruf Nr. 1" in pages[0] and "Rechtsverbindliche Unterschrift" in "".join(pages),
          "the drawdown's PDF lacks its title or the signature block")


if __name__ == "__main__":
    S.run(setup)
