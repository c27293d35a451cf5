"""No lost, no doubled submission (issue part 2): concurrent progress reports
through a proxy that cuts connections after forwarding the request, with
fibertrackd killed by SIGKILL mid-run and started again on the same data dir."""

import json
import random
import socket
import threading
import time

from wf import (CONTRACTOR_A, CONTRACTOR_B, PORTS, check, day, free_port, log, request, require,
                unique, wait_until)
from test_progress import Occupied, RowLock, body, in_thread, lock_waits, submit, transactions


class DropProxy:
    """A TCP proxy for one-request-per-connection HTTP. Per connection it either
    passes the exchange through, or forwards the request and then cuts the
    client off: 'late' after the server's whole response arrived (the request
    certainly ran), 'early' right after forwarding (it may still be running)."""

    def __init__(self, upstream_port, p_late=0.25, p_early=0.1, seed=None):
        self.upstream = ("127.0.0.1", upstream_port)
        self.p_late, self.p_early = p_late, p_early
        self.rand = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = {"connections": 0, "passed": 0, "late": 0, "early": 0, "upstream_down": 0}
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = None
        for _ in range(20):
            p = free_port(*PORTS, avoid=(upstream_port,))
            try:
                self.sock.bind(("127.0.0.1", p))
                self.port = p
                break
            except OSError:
                continue
        require(self.port, "no port for the proxy")
        self.sock.listen(256)
        self.closed = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def accept_loop(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(c,), daemon=True).start()

    @staticmethod
    def read_request(c):
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return None
            buf += d
        head, _, rest = buf.partition(b"\r\n\r\n")
        n = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v.strip())
        while len(rest) < n:
            d = c.recv(65536)
            if not d:
                return None
            rest += d
        return head + b"\r\n\r\n" + rest

    def handle(self, c):
        u = None
        with self.lock:
            self.stats["connections"] += 1
            x = self.rand.random()
            mode = "late" if x < self.p_late else "early" if x < self.p_late + self.p_early else "passed"
        try:
            c.settimeout(60)
            req = self.read_request(c)
            if req is None:
                return
            try:
                u = socket.create_connection(self.upstream, timeout=60)
            except OSError:
                with self.lock:
                    self.stats["upstream_down"] += 1
                return
            u.sendall(req)
            if mode == "early":
                with self.lock:
                    self.stats["early"] += 1
                return
            while True:
                d = u.recv(65536)
                if not d:
                    break
                if mode == "passed":
                    c.sendall(d)
            with self.lock:
                self.stats[mode] += 1
        except OSError:
            pass
        finally:
            for s in (c, u):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass


def submit_until_2xx(base, token, body, key, deadline, log_list):
    """Retries the same request with the same key until a 2xx (or the deadline)."""
    delay = 0.05
    attempts = 0
    while time.monotonic() < deadline:
        attempts += 1
        try:
            r = request("POST", "/api/v1/progress-reports", token=token, body=body,
                        headers={"Idempotency-Key": key}, timeout=30, server=base)
        except (OSError, Exception) as e:  # cut connection, refused, reset, bad status line
            log_list.append(("error", type(e).__name__))
            time.sleep(delay)
            delay = min(delay * 2, 0.8)
            continue
        log_list.append(("status", r.status))
        if 200 <= r.status < 300:
            return r, attempts
        if r.status in (409, 503, 502, 500):
            time.sleep(delay)
            delay = min(delay * 2, 0.8)
            continue
        return r, attempts
    return None, attempts


def t_kill_mid_request(srv, fx):
    """SIGKILL while a report is in flight (held on a row lock): after the restart
    the retry with the same key creates it exactly once."""
    s = fx.segment(fx.la)
    key = unique("killed")
    body = {"segment_id": s["id"], "report_date": day(0), "built_length_m": 7.5, "status": "in_construction"}
    tok = srv.token(CONTRACTOR_A)
    mdb_before = srv.mariadbd_pid()
    lock = RowLock(srv, "segments", s["id"])
    box = {}

    def go():
        try:
            box["r"] = srv.request("POST", "/api/v1/progress-reports", token=tok, body=body,
                               headers={"Idempotency-Key": key}, timeout=30)
        except Exception as e:
            box["e"] = e

    base = lock_waits(srv)
    th = threading.Thread(target=go)
    th.start()
    try:
        # The key is claimed inside the request's transaction, which now waits for the segment.
        check(wait_until(lambda: lock_waits(srv) > base, 5), "the request never waited for the segment: %s" %
              transactions(srv))
        srv.kill9()
    finally:
        lock.release()
    th.join(30)
    check("r" not in box, "the killed server answered: %r" % box.get("r"))
    t0 = time.monotonic()
    srv.start()
    mdb_after = srv.mariadbd_pid()
    log("restart after SIGKILL: ready in %.1f s; mariadbd %s -> %s (%s)"
        % (time.monotonic() - t0, mdb_before, mdb_after, "survived, adopted" if mdb_before == mdb_after else "new"))
    check(mdb_after is not None, "no private mariadbd after the restart")
    r, attempts = submit_until_2xx(srv.base, tok, body, key, time.monotonic() + 30, [])
    require(r is not None and r.status == 201, "the retry after the restart: %r" % r)
    n = srv.scalar("SELECT COUNT(*) FROM progress_reports WHERE segment_id = %d" % s["id"])
    check(n == "1", "reports after kill + retry: %s, expected 1" % n)
    r2 = srv.request("POST", "/api/v1/progress-reports", token=tok, body=body,
                 headers={"Idempotency-Key": key})
    check(r2.status == 201 and r2.header("Idempotent-Replayed") == "true" and r2.json["id"] == r.json["id"],
          "replay after the retry: %r" % r2)


def t_concurrent_cut_and_killed(srv, fx):
    n_per_thread, threads = 10, 4
    who = [CONTRACTOR_A, CONTRACTOR_A, CONTRACTOR_B, CONTRACTOR_B]
    lots = [fx.la, fx.la, fx.lb_auto, fx.lb_auto]  # B's reports apply at once (auto_approve)
    jobs = []
    for t in range(threads):
        for i in range(n_per_thread):
            seg = fx.segment(lots[t], planned=100.0 + i)
            st = ["in_construction", "civil_done", "cable_installed", "spliced"][i % 4]
            body = {"segment_id": seg["id"], "report_date": day(-(i % 3)), "built_length_m": 10.0 + t + i / 4,
                    "status": st, "note": "Thread %d, Meldung %d" % (t, i)}
            jobs.append({"thread": t, "who": who[t], "seg": seg["id"], "key": unique("cut"), "body": body})
    tokens = {w: srv.token(w) for w in set(who)}
    proxy = DropProxy(srv.port, seed=4711)
    base = ("127.0.0.1", proxy.port)
    done = []
    done_lock = threading.Lock()
    kill_info = {}
    deadline = time.monotonic() + 120

    def worker(t):
        for j in [j for j in jobs if j["thread"] == t]:
            j["log"] = []
            r, attempts = submit_until_2xx(base, tokens[j["who"]], j["body"], j["key"], deadline, j["log"])
            j["resp"], j["attempts"] = r, attempts
            with done_lock:
                done.append(j)

    def killer():
        wait_until(lambda: len(done) >= 12, 60, 0.01)
        kill_info["done_before"] = len(done)
        kill_info["mdb_before"] = srv.mariadbd_pid()
        srv.kill9()
        kill_info["killed_at"] = time.monotonic()
        time.sleep(0.3)
        try:
            srv.start()
            kill_info["ready_after"] = time.monotonic() - kill_info["killed_at"]
        except Exception as e:
            kill_info["error"] = str(e)
        kill_info["mdb_after"] = srv.mariadbd_pid()

    ths = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    kt = threading.Thread(target=killer)
    t0 = time.monotonic()
    for th in ths:
        th.start()
    kt.start()
    for th in ths:
        th.join(150)
    kt.join(90)
    proxy.close()
    elapsed = time.monotonic() - t0
    require("error" not in kill_info, "restart after SIGKILL failed: %s" % kill_info.get("error"))
    require("ready_after" in kill_info, "the server was not killed and restarted: %r" % kill_info)
    log("40 reports by 4 threads in %.1f s through the proxy %r; SIGKILL after %d done, ready again %.1f s later; "
        "mariadbd %s -> %s" % (elapsed, proxy.stats, kill_info["done_before"], kill_info["ready_after"],
                               kill_info["mdb_before"], kill_info["mdb_after"]))
    check(proxy.stats["late"] + proxy.stats["early"] >= 5, "the proxy cut too few connections: %r" % proxy.stats)
    check(kill_info["done_before"] < len(jobs), "every report was done before the kill")
    # every key got a 2xx
    missing = [j for j in jobs if not (j.get("resp") is not None and 200 <= j["resp"].status < 300)]
    check(not missing, "%d reports never got a 2xx: %s" % (len(missing), [
        (j["key"], j.get("resp"), j.get("log", [])[-5:]) for j in missing[:5]]))
    retried = sum(1 for j in jobs if j.get("attempts", 0) > 1)
    replayed = sum(1 for j in jobs if j.get("resp") is not None and j["resp"].header("Idempotent-Replayed") == "true")
    log("%d of %d reports needed retries, %d got their answer as a replay" % (retried, len(jobs), replayed))
    check(replayed >= 1, "no retry was answered by a replay (the scenario did not happen)")
    # the database: exactly one report per segment and key, the one answered
    segs = ",".join(str(j["seg"]) for j in jobs)
    rows = srv.sql("SELECT segment_id, COUNT(*), MIN(id), MIN(built_length_m), MIN(status), MIN(state) "
                   "FROM progress_reports WHERE segment_id IN (%s) GROUP BY segment_id" % segs)
    by_seg = {int(r[0]): r for r in rows}
    keys = ",".join("'%s'" % j["key"] for j in jobs)
    krows = srv.sql("SELECT u.email, k.idem_key, k.state, k.status, k.response FROM idempotency_keys k "
                    "JOIN users u ON u.id = k.user_id WHERE k.idem_key IN (%s)" % keys)
    by_key = {}
    for r in krows:
        by_key.setdefault(r[1], []).append(r)
    for j in jobs:
        row = by_seg.get(j["seg"])
        if not check(row is not None, "report for key %s (segment %d) is lost" % (j["key"], j["seg"])):
            continue
        check(row[1] == "1", "segment %d has %s reports (doubled submission, key %s)" % (j["seg"], row[1], j["key"]))
        check(abs(float(row[3]) - j["body"]["built_length_m"]) < 0.006 and row[4] == j["body"]["status"],
              "stored report %r differs from the submission %r" % (row, j["body"]))
        if j.get("resp") is not None and j["resp"].json:
            check(int(row[2]) == j["resp"].json.get("id"),
                  "key %s was answered with report %s, the database holds %s" % (j["key"], j["resp"].json.get("id"), row[2]))
        k = by_key.get(j["key"], [])
        check(len(k) == 1 and k[0][0] == j["who"], "idempotency_keys rows for %s: %r" % (j["key"], [r[:4] for r in k]))
        if len(k) == 1:
            check(k[0][2] == "done" and k[0][3] == "201", "key %s is %s/%s, not done/201" % (j["key"], k[0][2], k[0][3]))
            try:
                stored = json.loads(k[0][4] or "null")
            except ValueError:
                stored = None
            check(isinstance(stored, dict) and str(stored.get("id")) == row[2],
                  "the stored reply of key %s names report %r, the database %s" % (
                      j["key"], stored and stored.get("id"), row[2]))
        if j["who"] == CONTRACTOR_B:
            check(row[5] == "approved", "auto-approved report is %s" % row[5])
    # auto-approved reports were applied exactly once
    b_segs = ",".join(str(j["seg"]) for j in jobs if j["who"] == CONTRACTOR_B)
    applied = srv.sql("SELECT entity_id, COUNT(*) FROM audit_log WHERE entity = 'segment' AND action = 'update' "
                      "AND entity_id IN (%s) AND JSON_VALUE(after_json, '$.progress_report_id') IS NOT NULL "
                      "GROUP BY entity_id" % b_segs)
    cnt = {int(r[0]): int(r[1]) for r in applied}
    for j in jobs:
        if j["who"] != CONTRACTOR_B:
            continue
        check(cnt.get(j["seg"]) == 1, "segment %d: the auto-approved report was applied %s times"
              % (j["seg"], cnt.get(j["seg"])))
        seg = srv.get("/segments/%d" % j["seg"], CONTRACTOR_B).json
        check(seg["status"] == j["body"]["status"] and abs(seg["built_length_m"] - j["body"]["built_length_m"]) < 0.006,
              "segment %d after its auto-approved report: %s %s" % (j["seg"], seg["status"], seg["built_length_m"]))
    # replays now, directly: same id, marked as replays
    for j in jobs[::5]:
        r = srv.request("POST", "/api/v1/progress-reports", token=tokens[j["who"]], body=j["body"],
                    headers={"Idempotency-Key": j["key"]})
        check(r.status == 201 and r.header("Idempotent-Replayed") == "true" and
              j.get("resp") is not None and r.body == j["resp"].body,
              "replay of %s after the run: %r" % (j["key"], r))
    running = srv.scalar("SELECT COUNT(*) FROM idempotency_keys WHERE state = 'running' AND idem_key IN (%s)" % keys)
    check(running == "0", "%s keys are still 'running' after the run" % running)


def t_kill_mid_group(srv, fx):
    """SIGKILL while a shared transaction (group commit) is open: two reports of the group are
    written but not committed, the third waits for a lock. After the restart nothing of the group
    is stored, and each report sent again with its key is stored exactly once."""
    segs = [fx.segment(fx.la) for _ in range(4)]
    blocked = segs[2]
    keys = [unique("group-kill") for _ in segs]
    bodies = [body(s["id"], built_length_m=3.0 + i) for i, s in enumerate(segs)]
    tok = srv.token(CONTRACTOR_A)
    occ = Occupied(srv, fx)
    block = RowLock(srv, "segments", blocked["id"])
    sent = []
    try:
        for i in range(len(segs)):
            sent.append(in_thread(lambda i=i: submit(srv, bodies[i], key=keys[i])))
            # one after the other, so that the group runs them in this order
            require(wait_until(lambda i=i: occ.queued() >= i + 1, 4), "request %d did not queue" % i)
        occ.lock.release()
        # The group's transaction: the first two reports written, the third waiting for its
        # segment. (INNODB_TRX lags; the process list does not.) The first two are not answered
        # while the third waits: they wait for the same COMMIT.
        waiting = wait_until(lambda: lock_waits(srv) >= 1, 4)
        answered = [i for i, (_, box) in enumerate(sent) if box]
        require(waiting and not answered, "no shared transaction held two reports while waiting for the third "
                "(answered: %s): %s" % (answered, transactions(srv)))
        log("the group's transaction before the kill: %s" % srv.sql(
            "SELECT ID, TIME_MS, LEFT(INFO, 40) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Execute'"))
        srv.kill9()
    finally:
        block.release()
    for th, _ in sent:
        th.join(30)
    for th, _ in occ.jobs:
        th.join(30)
    answered = [box.get("r") for _, box in sent if box.get("r") is not None]
    check(not answered, "the killed server answered: %r" % answered)
    srv.start()
    for s in segs:
        n = srv.scalar("SELECT COUNT(*) FROM progress_reports WHERE segment_id = %d" % s["id"])
        check(n == "0", "segment %d holds %s reports of an uncommitted group" % (s["id"], n))
    n = srv.scalar("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key IN (%s)" % ",".join("'%s'" % k for k in keys))
    check(n == "0", "%s keys of the uncommitted group are stored" % n)
    for i, s in enumerate(segs):
        r, _ = submit_until_2xx(srv.base, tok, bodies[i], keys[i], time.monotonic() + 30, [])
        require(r is not None and r.status == 201 and r.header("Idempotent-Replayed") is None,
                "report %d sent again after the restart: %r" % (i, r))
        again = submit(srv, bodies[i], key=keys[i])
        check(again.status == 201 and again.body == r.body and again.header("Idempotent-Replayed") == "true",
              "replay of report %d: %r" % (i, again))
        n = srv.scalar("SELECT COUNT(*) FROM progress_reports WHERE segment_id = %d" % s["id"])
        check(n == "1", "segment %d holds %s reports after the retries" % (s["id"], n))


def t_migration_lock(srv, fx):
    """`fibertrackd migrate` waits while another host holds the cluster-wide lock row, and takes
    over a row left by a migrate that died: at once when its connection is gone from this node,
    after ten minutes when it came from another node."""
    this_node = "CONCAT(@@hostname, ':', @@port)"
    take = "INSERT INTO migration_lock (name, node, conn, taken_at) VALUES ('migrate', %s, 4294967295, " \
           "UTC_TIMESTAMP() - INTERVAL %d MINUTE)"
    srv.sql("DELETE FROM migration_lock")
    # held by another node, just now: migrate waits until it is released
    srv.sql(take % ("'another-node:3306'", 0))
    th, box = in_thread(lambda: srv.cmd("migrate"))
    time.sleep(1.5)
    check(th.is_alive(), "migrate did not wait for the lock held by another node: %r" % box)
    srv.sql("DELETE FROM migration_lock")
    th.join(30)
    check("r" in box and "current" in box["r"] + srv.log_tail(400), "migrate after the lock was released: %r" % box)
    for node, age, what in ((this_node, 0, "its connection gone from this node"),
                            ("'another-node:3306'", 11, "another node's, eleven minutes old")):
        srv.sql(take % (node, age))
        t0 = time.monotonic()
        try:
            srv.cmd("migrate", timeout=60)
            took = time.monotonic() - t0
            check(took < 10, "a lock row left behind (%s) was taken over after %.1f s" % (what, took))
        except RuntimeError as e:
            check(False, "migrate with a lock row left behind (%s): %s" % (what, e))
        n = srv.scalar("SELECT COUNT(*) FROM migration_lock")
        check(n == "0", "the lock row is left after migrate (%s): %s rows" % (what, n))
        srv.sql("DELETE FROM migration_lock")


TESTS = [
    ("no lost/doubled: SIGKILL during a report, retry after restart", t_kill_mid_request),
    ("no lost/doubled: 40 concurrent reports, cut connections, SIGKILL + restart", t_concurrent_cut_and_killed),
    ("no lost/doubled: SIGKILL during a group commit, retry after restart", t_kill_mid_group),
    ("migrate: waits for another host's lock, takes over one left by a dead migrate", t_migration_lock),
]
