"""Photos and documents on progress reports (SPEC 10): upload as a raw body
with an Idempotency-Key, typed by content, EXIF time and position, distance
from the segment and the review flags; list, download with ETag and Range,
thumbnails; who may see and add what; the Fotodokumentation zip; and that a
file and its row appear together or not at all, also when the server is
killed between placing the file and committing."""

import hashlib
import io
import os
import signal
import socket
import struct
import sys
import threading
import time
import zipfile

from ftapi import (DATA_DIR, MIB, Fixture, OtherServer, Suite, check, db_query, db_value, problem,
                   request, require, short, unique)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ftlib  # noqa: E402
import photos  # noqa: E402

suite = Suite("attachments")
FX = None
REPORT = None  # contractor A's report on seg_a
STORE = os.path.join(DATA_DIR, "attachments")

# seg_a runs from (13.4, 52.5) to (13.401, 52.501): a point on it, one 1 km away.
NEAR = (52.5005, 13.4005)
FAR = (52.51, 13.4005)


def upload(client, report_id, data, key=None, ctype="image/jpeg", name="photo.jpg", caption=None,
           headers=None):
    h = {"Idempotency-Key": key or unique("att")}
    if name is not None:
        h["Content-Disposition"] = 'attachment; filename="%s"' % name
    h.update(headers or {})
    path = "/progress-reports/%d/attachments" % report_id
    return client.post(path, raw=data, ctype=ctype, headers=h,
                       params={"caption": caption} if caption is not None else None)


def new_report(client=None, segment=None, date="2026-11-20"):
    client = client or FX.ca
    seg = segment or FX.seg_a
    cur = client.get("/segments/%d" % seg["id"]).json
    r = client.post("/progress-reports", {"segment_id": seg["id"], "report_date": date,
                                          "built_length_m": cur["built_length_m"], "status": cur["status"]},
                    headers={"Idempotency-Key": unique("rep")})
    require(r.status == 201, "new report: %r" % r)
    return r.json


def stored_files():
    """The names of the files in the store (not thumbnails or temporary ones)."""
    out = set()
    for d in os.listdir(STORE):
        if len(d) == 2 and os.path.isdir(os.path.join(STORE, d)):
            out |= set(os.listdir(os.path.join(STORE, d)))
    return out


def counts():
    return (int(db_value("SELECT COUNT(*) FROM attachments")),
            int(db_value("SELECT COUNT(*) FROM attachment_blobs")), len(stored_files()))


def jpeg_size(data):
    """(width, height) from a JPEG's SOF marker."""
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ValueError("not a marker at %d" % i)
        m = data[i + 1]
        n = struct.unpack(">H", data[i + 2:i + 4])[0]
        if m in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + n
    raise ValueError("no SOF")


# ------------------------------------------------------------------ upload


@suite.test("upload: a JPEG with EXIF -> 201 with its metadata, Location, distance and no flags")
def t_upload():
    img = photos.jpeg("2026:11:20 10:15:00", "+01:00", *NEAR, salt=b"one")
    r = upload(FX.ca, REPORT["id"], img, name="Graben 1.jpg", caption="Graben offen, Rohr 50 mm")
    require(r.status == 201, "upload: %r" % r)
    a = r.json
    check(r.header("Location") == "/api/v1/attachments/%d" % a["id"], "Location %r" % r.header("Location"))
    check(a["progress_report_id"] == REPORT["id"], "report id %r" % a)
    check(a["sha256"] == hashlib.sha256(img).hexdigest(), "sha256 %r" % a["sha256"])
    check(a["media_type"] == "image/jpeg" and a["size"] == len(img), "type/size %r" % a)
    check(a["file_name"] == "Graben 1.jpg" and a["caption"] == "Graben offen, Rohr 50 mm", "names %r" % a)
    check(a["taken_at"] == "2026-11-20T09:15:00.000Z", "taken_at %r (EXIF 10:15 at +01:00)" % a["taken_at"])
    check(abs(a["lat"] - NEAR[0]) < 1e-6 and abs(a["lon"] - NEAR[1]) < 1e-6, "position %r" % a)
    check(a["distance_m"] is not None and a["distance_m"] < 5, "distance %r from a point on the line" % a["distance_m"])
    check(a["flags"] == [], "flags %r" % a["flags"])
    check(a["uploaded_by"] == FX.ca.id, "uploaded_by %r" % a["uploaded_by"])
    t_upload.att, t_upload.img = a, img


@suite.test("upload: the file is stored once under its SHA-256, and listed on its report")
def t_listed():
    a = t_upload.att
    check(a["sha256"] in stored_files(), "no file %s in the store" % a["sha256"])
    with open(os.path.join(STORE, a["sha256"][:2], a["sha256"]), "rb") as f:
        check(f.read() == t_upload.img, "the stored bytes differ from the upload")
    for who in (FX.ca, FX.manager, FX.finance, FX.admin):
        r = who.get("/progress-reports/%d/attachments" % REPORT["id"])
        check(r.status == 200 and [x["id"] for x in r.json["items"]][:1] == [a["id"]],
              "list for %s: %r" % (who.user.get("role"), r))


@suite.test("download: the same bytes, ETag = sha256, 304 on If-None-Match, Content-Disposition")
def t_download():
    a = t_upload.att
    for who in (FX.ca, FX.manager, FX.finance, FX.admin):
        r = who.get("/attachments/%d" % a["id"])
        check(r.status == 200 and r.body == t_upload.img, "download by %s: %r" % (who.user.get("role"), r.status))
        check(r.ctype == "image/jpeg", "type %r" % r.ctype)
        check(r.etag == '"%s"' % a["sha256"], "ETag %r" % r.etag)
        check(r.header("Accept-Ranges") == "bytes", "Accept-Ranges %r" % r.header("Accept-Ranges"))
        check("filename*=UTF-8''Graben%201.jpg" in (r.header("Content-Disposition") or ""),
              "Content-Disposition %r" % r.header("Content-Disposition"))
    r = FX.manager.get("/attachments/%d" % a["id"], headers={"If-None-Match": '"%s"' % a["sha256"]})
    check(r.status == 304 and r.body == b"", "If-None-Match: %r" % r)
    r = FX.manager.req("HEAD", "/attachments/%d" % a["id"])
    check(r.status == 200 and r.body == b"" and r.header("Content-Length") == str(len(t_upload.img)),
          "HEAD: %r %r" % (r, r.header("Content-Length")))


@suite.test("download: Range gives 206 parts; past the end 416; several ranges the whole file")
def t_range():
    a, img = t_upload.att, t_upload.img
    n = len(img)
    for rng, part in (("bytes=0-9", img[0:10]), ("bytes=100-", img[100:]), ("bytes=-20", img[-20:]),
                      ("bytes=%d-%d" % (n - 5, n + 100), img[n - 5:])):
        r = FX.manager.get("/attachments/%d" % a["id"], headers={"Range": rng})
        check(r.status == 206 and r.body == part, "%s: %r, %d bytes" % (rng, r.status, len(r.body)))
        first = n - len(part)if rng.startswith("bytes=-") else int(rng[6:].split("-")[0])
        check(r.header("Content-Range") == "bytes %d-%d/%d" % (first, first + len(part) - 1, n),
              "%s: Content-Range %r" % (rng, r.header("Content-Range")))
    r = FX.manager.get("/attachments/%d" % a["id"], headers={"Range": "bytes=%d-" % n})
    problem(r, 416, "a range past the end")
    check(r.header("Content-Range") == "bytes */%d" % n, "416 Content-Range %r" % r.header("Content-Range"))
    r = FX.manager.get("/attachments/%d" % a["id"], headers={"Range": "bytes=0-1,5-6"})
    check(r.status == 200 and r.body == img, "two ranges: %r" % r.status)


@suite.test("thumbnail: a JPEG of at most 320 px, made once, the same bytes again")
def t_thumbnail():
    a = t_upload.att
    r = FX.manager.get("/attachments/%d/thumbnail" % a["id"])
    require(r.status == 200 and r.ctype == "image/jpeg", "thumbnail: %r" % r)
    w, h = jpeg_size(r.body)
    check(max(w, h) <= 320 and max(w, h) >= 300, "thumbnail of a 640x480 photo is %dx%d" % (w, h))
    thumb = os.path.join(STORE, "thumbs", a["sha256"][:2], a["sha256"] + ".jpg")
    require(os.path.exists(thumb), "no cached thumbnail at %s" % thumb)
    mtime = os.stat(thumb).st_mtime_ns
    r2 = FX.ca.get("/attachments/%d/thumbnail" % a["id"])
    check(r2.status == 200 and r2.body == r.body, "second thumbnail differs")
    check(os.stat(thumb).st_mtime_ns == mtime, "the thumbnail was made again")
    r3 = FX.ca.get("/attachments/%d/thumbnail" % a["id"], headers={"If-None-Match": r.etag})
    check(r3.status == 304, "thumbnail If-None-Match: %r" % r3)


@suite.test("PNG and PDF are taken; a PDF has no thumbnail (404 no-thumbnail)")
def t_other_types():
    r = upload(FX.ca, REPORT["id"], photos.png(), ctype="image/png", name="plan.png")
    check(r.status == 201 and r.json["media_type"] == "image/png", "png: %r" % r)
    if r.status == 201:
        t = FX.manager.get("/attachments/%d/thumbnail" % r.json["id"])
        check(t.status == 200 and t.ctype == "image/jpeg", "png thumbnail: %r" % t)
    r = upload(FX.ca, REPORT["id"], photos.pdf(), ctype="application/pdf", name="Protokoll.pdf")
    require(r.status == 201 and r.json["media_type"] == "application/pdf", "pdf: %r" % r)
    check(r.json["flags"] == ["no_position"] and r.json["taken_at"] is None, "pdf metadata %r" % r.json)
    t = FX.manager.get("/attachments/%d/thumbnail" % r.json["id"])
    problem(t, 404, "pdf thumbnail")
    check((t.json or {}).get("type", "").endswith("/problems/no-thumbnail"), "type %r" % (t.json or {}).get("type"))
    r = upload(FX.ca, REPORT["id"], photos.jpeg(), ctype="application/octet-stream", name="x.bin")
    check(r.status == 201 and r.json["media_type"] == "image/jpeg", "octet-stream sniffed: %r" % r)


@suite.test("flags: far from the segment, taken after the report date, no position")
def t_flags():
    rep = new_report(date="2026-11-18")
    far = upload(FX.ca, rep["id"], photos.jpeg("2026:11:18 09:00:00", None, *FAR, salt=b"far"))
    late = upload(FX.ca, rep["id"], photos.jpeg("2026:11:19 08:00:00", "+01:00", *NEAR, salt=b"late"))
    # 23:30 on the 18th in Germany is 22:30 UTC: still the report's day.
    evening = upload(FX.ca, rep["id"], photos.jpeg("2026:11:18 23:30:00", None, *NEAR, salt=b"eve"))
    nopos = upload(FX.ca, rep["id"], photos.jpeg("2026:11:18 09:00:00", salt=b"nopos"))
    for r in (far, late, evening, nopos):
        require(r.status == 201, "upload: %r" % r)
    check(far.json["flags"] == ["far_from_segment"] and 1000 < far.json["distance_m"] < 1200,
          "far: %r %r" % (far.json["flags"], far.json["distance_m"]))
    check(late.json["flags"] == ["taken_after_report"], "late: %r" % late.json["flags"])
    check(evening.json["flags"] == [] and evening.json["taken_at"] == "2026-11-18T22:30:00.000Z",
          "evening: %r %r" % (evening.json["flags"], evening.json["taken_at"]))
    check(nopos.json["flags"] == ["no_position"] and nopos.json["distance_m"] is None, "no position: %r" % nopos.json)
    # The review queue carries the report's attachments with their flags.
    q = FX.manager.list_all("progress-reports", {"state": "submitted"})
    item = [x for x in q if x["id"] == rep["id"]]
    require(item, "the report is not in the review queue")
    got = {x["id"]: x["flags"] for x in item[0]["attachments"]}
    want = {r.json["id"]: r.json["flags"] for r in (far, late, evening, nopos)}
    check(got == want, "review queue attachments %r, want %r" % (got, want))
    one = FX.manager.get("/progress-reports/%d" % rep["id"]).json
    check(len(one["attachments"]) == 4, "GET report: %d attachments" % len(one["attachments"]))


@suite.test("a list of more than 100 reports carries each report's own attachments (read in chunks)")
def t_many_reports():
    seg = FX.admin.create("segments", {"project_id": FX.p["id"], "lot_id": FX.lot_a["id"], "code": unique("SM"),
                                       "kind": "trench", "planned_length_m": 50})
    reps = [new_report(segment=seg) for _ in range(105)]
    first = upload(FX.ca, reps[0]["id"], photos.jpeg(salt=b"many first"))
    last = upload(FX.ca, reps[-1]["id"], photos.jpeg(salt=b"many last"))
    require(first.status == 201 and last.status == 201, "uploads: %r %r" % (first, last))
    items = FX.manager.list_all("progress-reports", {"segment_id": seg["id"]})
    check(len(items) == 105, "%d reports listed" % len(items))
    got = {x["id"]: [a["id"] for a in x["attachments"]] for x in items}
    want = {x["id"]: [] for x in reps}
    want[reps[0]["id"]] = [first.json["id"]]
    want[reps[-1]["id"]] = [last.json["id"]]
    check(got == want, "attachments by report differ: %r" % {k: v for k, v in got.items() if v != want.get(k)})


@suite.test("EXIF time without an offset is read as Europe/Berlin (winter +01:00, summer +02:00)")
def t_berlin_time():
    rep = new_report(date="2026-11-20")
    for taken, want in (("2026:01:15 12:00:00", "2026-01-15T11:00:00.000Z"),
                        ("2026:07:01 12:00:00", "2026-07-01T10:00:00.000Z"),
                        ("2026:03:29 03:30:00", "2026-03-29T01:30:00.000Z"),  # just after the switch
                        ("2026:10:25 01:30:00", "2026-10-24T23:30:00.000Z")):
        r = upload(FX.ca, rep["id"], photos.jpeg(taken, None, *NEAR, salt=taken.encode()))
        check(r.status == 201 and r.json["taken_at"] == want, "%s -> %r, want %s" % (taken, (r.json or {}).get("taken_at"), want))


@suite.test("file names: only the last path component, control characters dropped, UTF-8 filename*")
def t_names():
    cases = [('attachment; filename="../../etc/passwd"', "passwd"),
             ("attachment; filename*=UTF-8''Stra%C3%9Fe%20Nord.jpg", "Straße Nord.jpg"),
             ('attachment; filename="C:\\\\Fotos\\\\a.jpg"', "a.jpg"),
             ('attachment; filename="a\\"b.jpg"', 'a"b.jpg')]
    for header, want in cases:
        r = upload(FX.ca, REPORT["id"], photos.jpeg(salt=header.encode()), name=None,
                   headers={"Content-Disposition": header})
        check(r.status == 201 and r.json["file_name"] == want, "%s -> %r" % (header, (r.json or {}).get("file_name")))
    img = photos.jpeg(salt=b"noname")
    r = upload(FX.ca, REPORT["id"], img, name=None)
    check(r.status == 201 and r.json["file_name"] == hashlib.sha256(img).hexdigest()[:12] + ".jpg",
          "without a name: %r" % (r.json or {}).get("file_name"))


# ------------------------------------------------------------------ refusals


@suite.test("wrong type: not an image -> 415, a type no upload has -> 415, nothing stored; a misnamed photo is typed by its content")
def t_wrong_type():
    before = counts()
    problem(upload(FX.ca, REPORT["id"], photos.not_an_image(), name="evil.jpg"), 415, "html as image/jpeg")
    problem(upload(FX.ca, REPORT["id"], photos.not_an_image(), ctype="application/octet-stream"), 415,
            "html as octet-stream")
    problem(upload(FX.ca, REPORT["id"], photos.jpeg(salt=b"txt"), ctype="text/plain"), 415, "jpeg as text/plain")
    problem(upload(FX.ca, REPORT["id"], photos.pdf() + b"x", ctype="image/svg+xml"), 415, "pdf as svg")
    check(counts() == before, "a refused upload changed %r -> %r" % (before, counts()))
    # A photo named .png that is a JPEG: the content decides.
    r = upload(FX.ca, REPORT["id"], photos.jpeg(salt=b"png?"), ctype="image/png", name="misnamed.png")
    check(r.status == 201 and r.json["media_type"] == "image/jpeg", "a JPEG sent as image/png: %r" % r)
    check(not [f for f in os.listdir(os.path.join(STORE, "tmp"))], "temporary files left behind")


@suite.test("too big: 25 MiB + 1 is refused with 413 from Content-Length, before the body is sent")
def t_too_big():
    host, port = FX.ca_server
    s = socket.create_connection((host, port), timeout=10)
    head = ("POST /api/v1/progress-reports/%d/attachments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Idempotency-Key: %s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
            % (REPORT["id"], FX.ca.token, unique("big"), 25 * MIB + 1))
    t0 = time.monotonic()
    s.sendall(head.encode())
    s.sendall(photos.jpeg()[:1000])
    data = s.recv(4096)
    s.close()
    check(data.startswith(b"HTTP/1.1 413"), "answer %r" % data[:80])
    check(time.monotonic() - t0 < 2, "the 413 took %.1f s" % (time.monotonic() - t0))
    # 25 MiB exactly is taken.
    big = photos.jpeg(pad=25 * MIB - len(photos.jpeg()), salt=b"")
    check(len(big) == 25 * MIB, "test file size %d" % len(big))
    r = upload(FX.ca, REPORT["id"], big, name="big.jpg")
    check(r.status == 201 and r.json["size"] == 25 * MIB, "25 MiB: %r" % r)


@suite.test("empty body -> 422; caption too long or multi-line -> 422; no key -> 400")
def t_bad_requests():
    before = counts()
    problem(upload(FX.ca, REPORT["id"], b""), 422, "empty body")
    problem(upload(FX.ca, REPORT["id"], photos.jpeg(), caption="x" * 501), 422, "caption of 501")
    problem(upload(FX.ca, REPORT["id"], photos.jpeg(), caption="a\nb"), 422, "caption with a newline")
    r = FX.ca.post("/progress-reports/%d/attachments" % REPORT["id"], raw=photos.jpeg(), ctype="image/jpeg")
    problem(r, 400, "without Idempotency-Key")
    check(counts() == before, "refused uploads changed %r -> %r" % (before, counts()))
    r = upload(FX.ca, REPORT["id"], photos.jpeg(salt=b"cap"), caption="ü" * 500)
    check(r.status == 201, "500 characters of caption: %r" % r)


@suite.test("scope: others' reports 404, staff may not upload (403), foreign files 404")
def t_scope():
    a = t_upload.att
    before = counts()
    problem(upload(FX.cb, REPORT["id"], photos.jpeg()), 404, "contractor B on A's report")
    problem(upload(FX.cb, 99999999, photos.jpeg()), 404, "a report that does not exist")
    for who in (FX.manager, FX.finance, FX.admin):
        problem(upload(who, REPORT["id"], photos.jpeg()), 403, "%s uploads" % who.user.get("role"))
    check(counts() == before, "refused uploads changed %r -> %r" % (before, counts()))
    problem(FX.cb.get("/attachments/%d" % a["id"]), 404, "B downloads A's photo")
    problem(FX.cb.get("/attachments/%d/thumbnail" % a["id"]), 404, "B's thumbnail of A's photo")
    problem(FX.cb.get("/progress-reports/%d/attachments" % REPORT["id"]), 404, "B lists A's report")
    problem(FX.ca.get("/attachments/99999999"), 404, "a missing attachment")
    problem(request("GET", "/api/v1/attachments/%d" % a["id"]), 401, "without a token")


# ------------------------------------------------------------------ exactly once


@suite.test("Idempotency-Key: the same upload again replays the first answer; one row, one file")
def t_replay():
    img = photos.jpeg("2026:11:20 11:00:00", "+01:00", *NEAR, salt=b"replay")
    key = unique("replay")
    before = counts()
    r1 = upload(FX.ca, REPORT["id"], img, key=key, name="r.jpg")
    r2 = upload(FX.ca, REPORT["id"], img, key=key, name="r.jpg")
    require(r1.status == 201, "first: %r" % r1)
    check(r2.status == 201 and r2.json == r1.json and r2.header("Idempotent-Replayed") == "true",
          "replay: %r %r" % (r2, r2.header("Idempotent-Replayed")))
    after = counts()
    check(after == (before[0] + 1, before[1] + 1, before[2] + 1), "counts %r -> %r" % (before, after))
    r3 = upload(FX.ca, REPORT["id"], photos.jpeg(salt=b"other"), key=key, name="r.jpg")
    problem(r3, 422, "the same key with other bytes")


@suite.test("the same bytes on two reports: two attachments, one stored file")
def t_dedup():
    img = photos.jpeg(salt=b"dedup")
    rep2 = new_report()
    before = counts()
    r1 = upload(FX.ca, REPORT["id"], img)
    r2 = upload(FX.ca, rep2["id"], img)
    check(r1.status == 201 and r2.status == 201 and r1.json["sha256"] == r2.json["sha256"], "uploads %r %r" % (r1, r2))
    check(counts() == (before[0] + 2, before[1] + 1, before[2] + 1), "counts %r -> %r" % (before, counts()))


@suite.test("a transaction that fails after the file is in place leaves no file and no row")
def t_rollback_removes_file():
    # A trigger makes the attachment INSERT fail (a report id that does not exist) after the
    # blob row and the file exist: the request must fail and take the file back.
    db_query("CREATE TRIGGER test_fail_attachment BEFORE INSERT ON attachments FOR EACH ROW "
             "SET NEW.progress_report_id = IF(NEW.caption = 'fail-me', 0, NEW.progress_report_id)")
    try:
        img = photos.jpeg(salt=b"rollback")
        sha = hashlib.sha256(img).hexdigest()
        before = counts()
        r = upload(FX.ca, REPORT["id"], img, caption="fail-me")
        check(r.status >= 400, "the failing upload answered %r" % r)
        check(sha not in stored_files(), "the file of a rolled-back upload stayed")
        check(counts() == before, "counts %r -> %r" % (before, counts()))
        # The same bytes of a committed upload survive another's failure.
        ok = upload(FX.ca, REPORT["id"], img, caption="kept")
        require(ok.status == 201, "upload: %r" % ok)
        r = upload(FX.ca, REPORT["id"], img, caption="fail-me")
        check(r.status >= 400, "second failing upload: %r" % r)
        check(sha in stored_files(), "a failed upload removed a file a committed one uses")
        d = FX.manager.get("/attachments/%d" % ok.json["id"])
        check(d.status == 200 and d.body == img, "download after: %r" % d.status)
    finally:
        db_query("DROP TRIGGER IF EXISTS test_fail_attachment")


@suite.test("killed between placing the file and committing: the next start removes the file; "
            "the retry with the same key stores it once")
def t_crash_between_file_and_commit():
    img = photos.jpeg(salt=b"crash")
    sha = hashlib.sha256(img).hexdigest()
    key = unique("crash")
    before = counts()
    # A trigger holds the attachment INSERT for a few seconds, after the file
    # is in place, on another server of the same database and store; that
    # server is killed meanwhile.
    db_query("CREATE TRIGGER test_slow_attachment BEFORE INSERT ON attachments FOR EACH ROW "
             "SET NEW.caption = IF(NEW.caption = 'slow-me' AND SLEEP(4) = 0, 'slow-me', NEW.caption)")
    srv = OtherServer()
    srv.start()
    try:
        res = {}

        def send():
            res["r"] = request("POST", "/api/v1/progress-reports/%d/attachments" % REPORT["id"], token=FX.ca.token,
                               raw=img, ctype="image/jpeg", headers={"Idempotency-Key": key},
                               params={"caption": "slow-me"}, server=srv.base, soft=True, timeout=30)
        th = threading.Thread(target=send)
        th.start()
        for _ in range(100):
            if sha in stored_files():
                break
            time.sleep(0.05)
        check(sha in stored_files(), "the file was not placed while the row waited")
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        th.join(10)
        check(res.get("r") is not None and res["r"].status is None, "the killed server answered %r" % res.get("r"))
    finally:
        db_query("DROP TRIGGER IF EXISTS test_slow_attachment")
        srv.stop()
    time.sleep(5)  # the killed connection's statement ends, and its transaction rolls back
    check(counts()[0:2] == before[0:2], "rows after the kill: %r -> %r" % (before, counts()))
    # A new start sweeps the store.
    with OtherServer() as srv2:
        for _ in range(200):
            if sha not in stored_files():
                break
            time.sleep(0.1)
        check(sha not in stored_files(), "the orphaned file is still there after a restart")
        r = request("POST", "/api/v1/progress-reports/%d/attachments" % REPORT["id"], token=FX.ca.token, raw=img,
                    ctype="image/jpeg", headers={"Idempotency-Key": key}, params={"caption": "slow-me"},
                    server=srv2.base)
        check(r.status == 201, "retry with the same key: %r" % r)
    check(counts() == (before[0] + 1, before[1] + 1, before[2] + 1), "counts %r -> %r" % (before, counts()))


@suite.test("several instances: a photo stored through one is read, thumbnailed and listed through another")
def t_other_instance():
    img = photos.jpeg("2026:11:20 12:00:00", "+01:00", *NEAR, salt=b"other instance")
    with OtherServer() as srv:
        r = request("POST", "/api/v1/progress-reports/%d/attachments" % REPORT["id"], token=FX.ca.token, raw=img,
                    ctype="image/jpeg", headers={"Idempotency-Key": unique("inst")}, server=srv.base)
        require(r.status == 201, "upload through the second instance: %r" % r)
        a = r.json
        # The thumbnail made by this one is served by the other, and the
        # other way round.
        t1 = FX.manager.get("/attachments/%d/thumbnail" % a["id"])
        t2 = request("GET", "/api/v1/attachments/%d/thumbnail" % a["id"], token=FX.manager.token, server=srv.base)
        check(t1.status == 200 and t2.status == 200 and t1.body == t2.body, "thumbnails %r %r" % (t1, t2))
    d = FX.manager.get("/attachments/%d" % a["id"])
    check(d.status == 200 and d.body == img, "download through the first instance: %r" % d.status)
    items = FX.manager.get("/progress-reports/%d/attachments" % REPORT["id"]).json["items"]
    check(a["id"] in [x["id"] for x in items], "not listed through the first instance")


@suite.test("FT_UPLOAD_RATE: uploads are read no faster than the configured rate")
def t_upload_rate():
    img = photos.jpeg(pad=3 * MIB, salt=b"rate")
    with OtherServer(FT_UPLOAD_RATE="1") as srv:
        t0 = time.monotonic()
        r = request("POST", "/api/v1/progress-reports/%d/attachments" % REPORT["id"], token=FX.ca.token, raw=img,
                    ctype="image/jpeg", headers={"Idempotency-Key": unique("rate")}, server=srv.base)
        took = time.monotonic() - t0
        check(r.status == 201, "upload: %r" % r)
        # 3 MiB at 1 MiB/s: at least 2.5 s whatever the machine.
        check(took >= 2.5, "3 MiB at FT_UPLOAD_RATE=1 took only %.2f s" % took)
        # A GET meanwhile is not held back.
        res = {}

        def up():
            res["r"] = request("POST", "/api/v1/progress-reports/%d/attachments" % REPORT["id"], token=FX.ca.token,
                               raw=photos.jpeg(pad=3 * MIB, salt=b"rate2"), ctype="image/jpeg",
                               headers={"Idempotency-Key": unique("rate")}, server=srv.base)
        th = threading.Thread(target=up)
        th.start()
        time.sleep(0.5)
        g0 = time.monotonic()
        g = request("GET", "/api/v1/segments/%d" % FX.seg_a["id"], token=FX.manager.token, server=srv.base)
        check(g.status == 200 and time.monotonic() - g0 < 1, "a GET during an upload: %r after %.2f s"
              % (g, time.monotonic() - g0))
        th.join(30)
        check(res.get("r") is not None and res["r"].status == 201, "second upload: %r" % res.get("r"))


# ------------------------------------------------------------------ the Fotodokumentation


@suite.test("photos.zip: the period's photos named <segment>_<date>_<n>, original bytes, HTML and xlsx index")
def t_photos_zip():
    import openpyxl
    pid = FX.p["id"]
    r = FX.manager.get("/projects/%d/exports/photos.zip" % pid, params={"from": "2026-11-20", "to": "2026-11-20",
                                                                         "lang": "de"})
    require(r.status == 200 and r.ctype == "application/zip", "photos.zip: %r" % r)
    check("fotodokumentation-" in (r.header("Content-Disposition") or ""), "name %r" % r.header("Content-Disposition"))
    z = zipfile.ZipFile(io.BytesIO(r.body))
    names = z.namelist()
    check("index.html" in names and "index.xlsx" in names, "no index in %r" % names[:5])
    code = FX.seg_a["code"]
    first = "%s_2026-11-20_1.jpg" % code
    check(first in names, "%s not in %r" % (first, names[:8]))
    listed = FX.manager.get("/progress-reports/%d/attachments" % REPORT["id"]).json["items"]
    check(z.read(first) == FX.manager.get("/attachments/%d" % listed[0]["id"]).body,
          "the first file's bytes differ from the stored one")
    # Every attachment of the period's reports (rejected ones aside) is in.
    want = int(db_value("SELECT COUNT(*) FROM attachments a JOIN progress_reports p ON p.id = a.progress_report_id "
                        "JOIN segments s ON s.id = p.segment_id WHERE s.project_id = %d AND p.state <> 'rejected' "
                        "AND p.report_date = '2026-11-20'" % pid))
    check(len(names) == want + 2, "%d files in the zip, want %d + 2 indexes" % (len(names), want))
    ws = openpyxl.load_workbook(io.BytesIO(z.read("index.xlsx"))).active
    rows = list(ws.iter_rows(values_only=True))
    check(rows[0][0] == "Datei" and rows[0][1] == "Abschnitt", "German header %r" % (rows[0][:3],))
    check(len(rows) == want + 1 and rows[1][0] == first and rows[1][4] == "Graben offen, Rohr 50 mm",
          "index rows %r" % (rows[1:2],))
    html = z.read("index.html").decode()
    check(first in html and "Graben offen" in html and "Fotodokumentation" in html, "html index %r" % short(html))
    # Nothing from the 18th in a period that ends before it.
    r = FX.manager.get("/projects/%d/exports/photos.zip" % pid, params={"to": "2026-11-17"})
    z = zipfile.ZipFile(io.BytesIO(r.body))
    check(sorted(z.namelist()) == ["index.html", "index.xlsx"], "an empty period holds %r" % z.namelist()[:4])


@suite.test("photos.zip: bad dates 422, unknown parameter 400, contractors 403, unknown project 404")
def t_photos_zip_refusals():
    pid = FX.p["id"]
    problem(FX.manager.get("/projects/%d/exports/photos.zip" % pid, params={"from": "2026-13-01"}), 422, "bad from")
    problem(FX.manager.get("/projects/%d/exports/photos.zip" % pid, params={"from": "2026-11-20", "to": "2026-11-01"}),
            422, "to before from")
    problem(FX.manager.get("/projects/%d/exports/photos.zip" % pid, params={"size": "1"}), 400, "unknown parameter")
    problem(FX.ca.get("/projects/%d/exports/photos.zip" % pid), 403, "contractor")
    problem(FX.manager.get("/projects/99999999/exports/photos.zip"), 404, "unknown project")


def setup():
    global FX, REPORT
    FX = Fixture(unique("att"))
    FX.ca_server = ftlib.DEFAULT_SERVER
    REPORT = new_report()


if __name__ == "__main__":
    suite.run(setup)
