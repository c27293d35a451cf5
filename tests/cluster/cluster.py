"""fibertrack on a cluster (SPEC 14): three MariaDB Galera nodes (galera-4,
state transfer by mariadb-backup, loopback ports), HAProxy in front of two
fibertrackd instances (each reaching the database through its own HAProxy
frontend, whose first node differs), both migrating at once; then
contractors report progress with Idempotency-Keys and retries, a manager
approves and finance downloads a workbook of a past date, while one database
node is killed and later rejoins and one fibertrackd is killed and started
again. It proves: every acknowledged report exists exactly once, no 5xx but
503 with Retry-After, the workbook of the past date unchanged, the three
nodes equal. Figures go to tests/artifacts/cluster.txt."""

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ftlib  # noqa: E402
from ftlib import Server, Suite, check, free_port, request, require, wait_gone  # noqa: E402

WORK = os.environ["CLUSTER_WORK"]
ART = os.environ.get("FT_ARTIFACTS") or os.path.join(ftlib.ROOT, "tests", "artifacts")
MARIADB = "/usr/bin/mariadb"
GALERA = "/usr/lib/galera/libgalera_smm.so"
DB_PASSWORD = "cluster-test-password"
SECRET = "ab" * 32
CONTRACTOR = "bauleitung@tiefbau-nord.example"
MANAGER = "manager@musterstadt.example"
FINANCE = "finance@musterstadt.example"
PASSWORD = "fibertrack-demo"

suite = Suite("cluster", verbose=True)
figures = []


def note(msg):
    print("      " + msg, flush=True)
    figures.append(msg)


# ---------------------------------------------------------------- Galera


class Node:
    """One Galera node: its own data dir, socket and loopback ports."""

    def __init__(self, i, ports, addresses):
        self.i = i
        self.dir = os.path.join(WORK, "n%d" % i)
        self.port, self.gport, self.ist, self.sst = ports
        self.sock = os.path.join(self.dir, "sock")
        self.cnf = self.dir + ".cnf"
        self.proc = None
        os.makedirs(self.dir, exist_ok=True)
        with open(self.cnf, "w") as f:
            f.write("""[mysqld]
datadir={d}/data
socket={d}/sock
pid-file={d}/pid
log-error={d}/error.log
user=root
port={port}
bind-address=127.0.0.1
innodb-buffer-pool-size=64M
innodb-log-file-size=16M
innodb-flush-log-at-trx-commit=1
max-connections=200
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
lower-case-table-names=0
binlog-format=ROW
# fibertrack's migrations create triggers (the history tables) with an
# account that is not SUPER, which binary logging refuses otherwise.
log-bin-trust-function-creators=1
default-storage-engine=InnoDB
innodb-autoinc-lock-mode=2
wsrep-on=ON
wsrep-provider={galera}
wsrep-cluster-name=fibertrack-test
wsrep-cluster-address=gcomm://{addresses}
wsrep-node-name=n{i}
wsrep-node-address=127.0.0.1:{gport}
wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:{gport};ist.recv_addr=127.0.0.1:{ist};gcache.size=128M
wsrep-sst-receive-address=127.0.0.1:{sst}
wsrep-sst-method=mariabackup
wsrep-sst-auth=root:
[sst]
# The state transfer's own log goes to files in the data dir, not to syslog.
sst-syslog=-1
sst-log-archive=0
""".format(d=self.dir, port=self.port, galera=GALERA, addresses=addresses, i=i, gport=self.gport,
           ist=self.ist, sst=self.sst))

    def start(self, bootstrap=False):
        if not os.path.isdir(os.path.join(self.dir, "data", "mysql")):
            subprocess.run(["mariadb-install-db", "--defaults-file=" + self.cnf,
                            "--auth-root-authentication-method=socket", "--skip-test-db"],
                           check=True, capture_output=True, timeout=120)
        with open(self.dir + ".out", "ab") as out:
            self.proc = subprocess.Popen(["/usr/sbin/mariadbd", "--defaults-file=" + self.cnf] +
                                         (["--wsrep-new-cluster"] if bootstrap else []),
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def sql(self, query, db="fibertrack", timeout=60):
        return ftlib.sql(query, self.sock, db=db, timeout=timeout)

    def state(self):
        try:
            rows = self.sql("SHOW STATUS LIKE 'wsrep_local_state_comment'", db=None, timeout=5)
            return rows[0][1] if rows else None
        except (ftlib.SQLError, subprocess.TimeoutExpired):
            return None

    def wait_synced(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError("node %d exited: %s" % (self.i, tail(os.path.join(self.dir, "error.log"))))
            if self.state() == "Synced":
                return True
            time.sleep(0.2)
        return False

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def tail(path, n=1500):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - n))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- HAProxy

ERROR_503 = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
             b"Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
             b'{"type":"about:blank","title":"Service Unavailable","status":503,'
             b'"detail":"no fibertrack instance answered; retry shortly"}\n')


def haproxy_config(db_frontends, api_port, instances, errorfile):
    out = ["global", "    maxconn 2000", "defaults", "    timeout connect 1s", "    timeout client 60s",
           "    timeout server 60s", "    retries 3"]
    for port, order in db_frontends:
        out += ["listen db_%d" % port, "    mode tcp", "    bind 127.0.0.1:%d" % port,
                "    default-server on-marked-down shutdown-sessions"]
        for k, node in enumerate(order):
            out.append("    server n%d 127.0.0.1:%d check inter 300 fall 2 rise 2%s" %
                       (node.i, node.port, "" if k == 0 else " backup"))
    # The requests carry Idempotency-Keys, so sending one again to the other
    # instance after a lost connection is safe; HAProxy's own errors become
    # 503 with Retry-After, as fibertrackd's are.
    out += ["listen api", "    mode http", "    bind 127.0.0.1:%d" % api_port, "    balance roundrobin",
            "    option httpchk GET /readyz", "    http-check expect status 200", "    option redispatch",
            "    retry-on conn-failure empty-response", "    errorfile 502 " + errorfile,
            "    errorfile 503 " + errorfile, "    errorfile 504 " + errorfile]
    for name, srv in instances:
        out.append("    server %s 127.0.0.1:%d check inter 300 fall 2 rise 1" % (name, srv.port))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- the run

nodes = []
servers = {}
haproxy = None
api = None


def setup():
    global haproxy, api
    taken = set()

    def port():
        p = free_port(26000, 27900, avoid=taken)
        taken.add(p)
        return p

    layout = [(port(), port(), port(), port()) for _ in range(3)]
    addresses = ",".join("127.0.0.1:%d" % p[1] for p in layout)
    for i in range(3):
        nodes.append(Node(i + 1, layout[i], addresses))
    t0 = time.monotonic()
    nodes[0].start(bootstrap=True)
    require(nodes[0].wait_synced(60), "node 1 did not bootstrap: %s" % tail(nodes[0].dir + "/error.log"))
    # Joiners one at a time: each takes a full state transfer from a donor.
    for n in nodes[1:]:
        n.start()
        require(n.wait_synced(120), "node %d did not join: %s" % (n.i, tail(n.dir + "/error.log")))
    size = nodes[0].sql("SHOW STATUS LIKE 'wsrep_cluster_size'", db=None)[0][1]
    require(size == "3", "cluster size %s" % size)
    note("three Galera nodes synced in %.1f s (state transfer by mariadb-backup)" % (time.monotonic() - t0))
    nodes[0].sql("CREATE DATABASE fibertrack CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
                 "CREATE USER 'ft'@'127.0.0.1' IDENTIFIED BY '%s'; "
                 "GRANT ALL ON fibertrack.* TO 'ft'@'127.0.0.1'" % DB_PASSWORD, db=None)
    db_a, db_b, api = port(), port(), port()
    errorfile = os.path.join(WORK, "503.http")
    with open(errorfile, "wb") as f:
        f.write(ERROR_503)
    attachments = os.path.join(WORK, "attachments")
    os.makedirs(attachments, exist_ok=True)
    for name, db_port in (("a", db_a), ("b", db_b)):
        data = os.path.join(WORK, "ft-" + name)
        os.makedirs(data, exist_ok=True)
        servers[name] = Server(db_url="mariadb://ft:%s@127.0.0.1:%d/fibertrack" % (DB_PASSWORD, db_port),
                               port=port(), log_path=os.path.join(WORK, "ft-%s.log" % name),
                               settings={"FT_SECRET": SECRET, "FT_ATTACHMENT_DIR": attachments,
                                         "FT_DATA_DIR": data, "FT_TRUSTED_PROXIES": "127.0.0.1"})
    cfg = os.path.join(WORK, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(haproxy_config([(db_a, nodes), (db_b, [nodes[1], nodes[2], nodes[0]])], api,
                               sorted(servers.items()), errorfile))
    with open(os.path.join(WORK, "haproxy.out"), "ab") as out:
        haproxy = subprocess.Popen(["/usr/sbin/haproxy", "-db", "-f", cfg], stdout=out, stderr=subprocess.STDOUT)
    time.sleep(1.0)
    require(haproxy.poll() is None, "haproxy exited: %s" % tail(os.path.join(WORK, "haproxy.out")))


def t_migrate_both():
    """Both hosts run `fibertrackd migrate` at the same moment, through different nodes:
    one applies the migrations, the other waits for it and finds the schema current."""
    procs = []
    for name in ("a", "b"):
        s = servers[name]
        procs.append(subprocess.Popen([s.bin, "migrate"], env=s.env(), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    outs = [(p.wait(300), p.stdout.read()) for p in procs]
    for rc, out in outs:
        check(rc == 0, "a migrate run failed (%d): %s" % (rc, out[-600:]))
    versions = [n.sql("SELECT MAX(version) FROM schema_migrations")[0][0] for n in nodes]
    check(len(set(versions)) == 1, "schema versions per node: %s" % versions)
    servers["a"].cmd("demo", timeout=300)
    for name in ("a", "b"):
        servers[name].start(wait=60)


def api_request(method, path, token, **kw):
    return request(method, path, token=token, server=("127.0.0.1", api), soft=True, **kw)


def login(email):
    for _ in range(50):
        r = api_request("POST", "/api/v1/auth/login", None, body={"email": email, "password": PASSWORD})
        if r.status == 201:
            return r.json["token"]
        time.sleep(0.2)
    raise RuntimeError("no sign-in for %s" % email)


class Tally:
    """Every answer the clients got, by status; the 5xx kept whole."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.bad = []
        self.ok_times = []

    def add(self, r):
        key = r.status if r.status is not None else "no answer"
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if r.status is not None and 200 <= r.status < 300:
                self.ok_times.append(time.monotonic())
            if r.status is not None and r.status >= 500 and not (
                    r.status == 503 and r.header("Retry-After")):
                self.bad.append(r.describe()[:300])


def workbook_cells(data):
    """The cell values of an xlsx, sheet by sheet, without the time it was made (a cell
    holding today's date, which a workbook of a past date shows nowhere else)."""
    import datetime
    import openpyxl
    today = datetime.datetime.now(datetime.timezone.utc).date()
    marks = (today.strftime("%d.%m.%Y"), today.isoformat())
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, datetime.datetime) and v.date() == today:
                    continue
                if isinstance(v, str) and any(m in v for m in marks):
                    continue
                cells.append((getattr(c, "coordinate", None), v))
        out[ws.title] = hashlib.sha256(repr(cells).encode()).hexdigest()
    return out


def t_workload_with_failures():
    """Contractors report for 24 s through HAProxy (each report with its key, sent again
    until answered), a manager approves, finance downloads; meanwhile node 1 (the first
    database of instance a) is killed and rejoins, and instance b is killed and restarted."""
    ctok, mtok, ftok = login(CONTRACTOR), login(MANAGER), login(FINANCE)
    segs = nodes[0].sql(
        "SELECT s.id, s.status, s.built_length_m FROM segments s JOIN lots l ON l.id = s.lot_id "
        "JOIN users u ON u.contractor_id = l.contractor_id AND u.email = '%s' WHERE l.auto_approve = 0 "
        "AND s.status IN ('planned','permitted','in_construction','civil_done','cable_installed','spliced')"
        % CONTRACTOR)
    require(len(segs) >= 10, "the demo has %d reportable segments" % len(segs))
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    book = "/api/v1/projects/1/reports/progress.xlsx?as_of=%s&lang=de" % yesterday
    before = api_request("GET", book, ftok, timeout=120)
    require(before.status == 200, "the workbook before: %s" % before.describe()[:200])

    tally = Tally()
    acked = {}
    sent = []
    lock = threading.Lock()
    stop = threading.Event()
    run_id = "%08x" % random.getrandbits(32)

    def contractor(t):
        rnd = random.Random(t)
        n = 0
        while not stop.is_set():
            n += 1
            sid, status, built = rnd.choice(segs)
            key = "cl-%s-%d-%d" % (run_id, t, n)
            body = {"segment_id": int(sid), "report_date": time.strftime("%Y-%m-%d", time.gmtime()),
                    "built_length_m": float(built), "note": key,
                    "status": "in_construction" if status in ("planned", "permitted") else status}
            with lock:
                sent.append(key)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                r = api_request("POST", "/api/v1/progress-reports", ctok, body=body,
                                headers={"Idempotency-Key": key}, timeout=30)
                tally.add(r)
                if r.status is not None and 200 <= r.status < 300:
                    with lock:
                        acked[key] = r.json["id"]
                    break
                if r.status == 409 and "in-flight" not in (r.body or b"").decode("utf-8", "replace"):
                    # The segment moved on (an approval): this report is refused for good.
                    with lock:
                        acked[key] = None
                    break
                time.sleep(0.2)
            time.sleep(0.02)

    approved = []

    def manager():
        while not stop.is_set():
            r = api_request("GET", "/api/v1/progress-reports?state=submitted&limit=20", mtok, timeout=30)
            tally.add(r)
            if r.status == 200:
                for item in r.json["items"][:5]:
                    a = api_request("POST", "/api/v1/progress-reports/%d/approve" % item["id"], mtok,
                                    body={}, headers={"Idempotency-Key": "ap-%s-%d" % (run_id, item["id"])},
                                    timeout=30)
                    tally.add(a)
                    if a.status == 200:
                        approved.append(item["id"])
            time.sleep(0.3)

    downloads = []

    def finance():
        while not stop.is_set():
            r = api_request("GET", book, ftok, timeout=120)
            tally.add(r)
            if r.status == 200:
                downloads.append(r.body)
            time.sleep(2)

    events = {}

    def disrupt():
        time.sleep(4)
        events["db_kill"] = time.monotonic()
        nodes[0].kill9()
        time.sleep(6)
        events["db_restart"] = time.monotonic()
        nodes[0].start()
        events["db_synced"] = time.monotonic() if nodes[0].wait_synced(120) else None
        time.sleep(2)
        events["ft_kill"] = time.monotonic()
        servers["b"].kill9()
        time.sleep(2)
        servers["b"].start(wait=60)
        events["ft_ready"] = time.monotonic()
        time.sleep(4)
        stop.set()

    ths = [threading.Thread(target=contractor, args=(t,)) for t in range(4)]
    ths += [threading.Thread(target=manager), threading.Thread(target=finance)]
    d = threading.Thread(target=disrupt)
    t0 = time.monotonic()
    for th in ths:
        th.start()
    d.start()
    d.join(300)
    stop.set()
    for th in ths:
        th.join(120)
    elapsed = time.monotonic() - t0
    require("ft_ready" in events, "the disruptions did not all happen: %s" % events)

    def gap_after(t):
        later = [x for x in tally.ok_times if x >= t]
        return (min(later) - t) if later else None

    note("workload %.1f s: %d reports sent, %d acknowledged, %d approvals, %d workbook downloads; answers %s"
         % (elapsed, len(sent), sum(1 for v in acked.values() if v), len(approved), len(downloads),
            dict(sorted(tally.counts.items(), key=lambda kv: str(kv[0])))))
    note("database node 1 killed: next 2xx after %.2f s; restarted, synced again %.1f s later" %
         (gap_after(events["db_kill"]) or -1, (events["db_synced"] or 0) - events["db_restart"]))
    note("instance b killed (SIGKILL): next 2xx after %.2f s; started again, ready in %.1f s" %
         (gap_after(events["ft_kill"]) or -1, events["ft_ready"] - events["ft_kill"] - 2))
    check(not tally.bad, "%d 5xx answers other than 503 with Retry-After: %s" % (len(tally.bad), tally.bad[:5]))

    # Every acknowledged report exactly once; none twice.
    rows = nodes[1].sql("SELECT note, COUNT(*), MIN(id) FROM progress_reports WHERE note LIKE 'cl-%s-%%' "
                        "GROUP BY note" % run_id)
    stored = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    lost = [k for k, v in acked.items() if v and k not in stored]
    doubled = [k for k, v in stored.items() if v[0] > 1]
    wrong = [k for k, v in acked.items() if v and k in stored and stored[k][1] != v]
    unanswered = [k for k in sent if k not in acked]
    note("acknowledged %d, stored %d, lost %d, doubled %d, answered with another id %d, never answered %d"
         % (sum(1 for v in acked.values() if v), len(stored), len(lost), len(doubled), len(wrong), len(unanswered)))
    check(not lost, "acknowledged reports lost: %s" % lost[:5])
    check(not doubled, "reports stored twice: %s" % doubled[:5])
    check(not wrong, "keys answered with another report: %s" % wrong[:5])
    check(not unanswered, "reports never answered within 60 s: %s" % unanswered[:5])
    check(len(approved) > 0, "no approval went through")

    after = api_request("GET", book, ftok, timeout=120)
    require(after.status == 200, "the workbook after: %s" % after.describe()[:200])
    b, a = workbook_cells(before.body), workbook_cells(after.body)
    check(a == b, "the workbook as of %s changed: %s" % (yesterday, [k for k in a if a.get(k) != b.get(k)]))
    for body in downloads:
        check(workbook_cells(body) == b, "a workbook downloaded during the run differs")
        break


def t_nodes_equal():
    """After the run all three nodes are synced and hold the same rows."""
    for n in nodes:
        require(n.wait_synced(120), "node %d is %s" % (n.i, n.state()))
    tables = ["progress_reports", "segments", "audit_log", "idempotency_keys", "tokens", "segment_history"]
    sums = [n.sql("CHECKSUM TABLE %s" % ", ".join(tables)) for n in nodes]
    check(sums[0] == sums[1] == sums[2], "table checksums differ between nodes: %s" % sums)


def cleanup():
    for s in servers.values():
        try:
            s.stop(grace=20)
        except Exception:  # noqa: BLE001
            pass
    if haproxy and haproxy.poll() is None:
        haproxy.terminate()
        haproxy.wait(10)
    for n in reversed(nodes):
        n.stop()
    with open(os.path.join(ART, "cluster.txt"), "w") as f:
        f.write("\n".join(figures) + "\n")


def main():
    try:
        if suite.run_test("cluster setup: three Galera nodes, HAProxy, two instances", setup):
            suite.run_test("two hosts migrate one Galera cluster at once", t_migrate_both)
            suite.run_test("no lost/doubled reports, only 503s, while a database node and an instance die",
                           t_workload_with_failures)
            suite.run_test("the three nodes hold the same data afterwards", t_nodes_equal)
    finally:
        cleanup()
        for pid in (n.proc.pid for n in nodes if n.proc):
            wait_gone(pid, 30)
    if suite.failures:
        print("failed: " + ", ".join(suite.failures), flush=True)
    print(suite.summary(), flush=True)
    sys.exit(1 if suite.failed else 0)


if __name__ == "__main__":
    main()
