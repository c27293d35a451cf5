#!/usr/bin/python3
"""End-to-end tests of the fibertrack CLI (clients/cli) against a real
fibertrackd with its embedded MariaDB; driven by tests/cli/run-cli.sh.

Starts its own server on a throwaway data directory (ports 18500-18599), a
small TCP proxy in front of it that can refuse connections or cut them after
the server has answered, and a scripted fake server for the retry rules
(503/429 with Retry-After, 409 while in flight) and for file names a
download must not trust. Every CLI run uses its own
throwaway configuration directory. Checks what the server recorded through
the API and directly in the database.

Environment: BINDIR (default bin) holds fibertrack and fibertrackd.
Prints "ok"/"FAIL" per check and ends with "N passed, N failed".
Standard library only.
"""
import hashlib
import http.server
import json
import os
import pty
import random
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

import ftlib  # noqa: E402
import photos  # noqa: E402

CLI = os.path.join(ftlib.bindir(), "fibertrack")
FTD = os.path.join(ftlib.bindir(), "fibertrackd")
PASSWORD = "fibertrack-demo"
CONTRACTOR = "bauleitung@tiefbau-nord.example"
CONTRACTOR2 = "montage@glasfaser-sued.example"
MANAGER = "manager@musterstadt.example"
RUN = "%06x" % random.getrandbits(24)  # makes notes unique across runs

# A short path: the MariaDB socket path must stay under 108 bytes.
WORK = tempfile.mkdtemp(prefix="ftcli.", dir="/tmp")
DATA = os.path.join(WORK, "data")
SERVER_LOG = os.path.join(WORK, "server.log")

S = ftlib.Suite("cli", verbose=True)


def check(name, cond, detail=""):
    """Each check is one test of the suite."""
    return S.record(name, cond, [detail])


def note(msg):
    print("      " + msg, flush=True)


# ---- ports -------------------------------------------------------------------


def free_ports(n):
    got = []
    for _ in range(n):
        got.append(ftlib.free_port(18500, 18599, avoid=got))
    return got


PORT, PROXY_PORT, FAKE_PORT, DEAD_PORT = free_ports(4)
VIA_PROXY = "http://127.0.0.1:%d" % PROXY_PORT
FAKE = "http://127.0.0.1:%d" % FAKE_PORT

# ---- the real server ------------------------------------------------------------

SRV = ftlib.Server(data_dir=DATA, port=PORT, log_path=SERVER_LOG, unset=("FT_THREADS", "FT_LOG"))


def start_server():
    SRV.start(wait=120)


def stop_server():
    SRV.stop(40)
    SRV.stop_mariadbd(10)


def sql(query):
    return SRV.sql(query)


def db_count_note(note_text):
    rows = sql("SELECT COUNT(*) FROM progress_reports WHERE note = '%s'" % note_text.replace("'", "''"))
    return int(rows[0][0])


# ---- direct API access (to check what the CLI did) -------------------------------------


def api(method, path, token=None, body=None, headers=None, timeout=30):
    kw = {} if body is None else {"body": body}
    return SRV.request(method, path, token=token, headers=headers, timeout=timeout, **kw)


def api_login(email):
    r = api("POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
    if r.status != 201:
        raise RuntimeError("login %s: %r" % (email, r))
    return r.json["token"]


def api_all(path, token):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        p = path + sep + "limit=1000" + ("&cursor=" + cursor if cursor else "")
        r = api("GET", p, token)
        if r.status != 200:
            raise RuntimeError("GET %s: %r" % (p, r))
        items += r.json["items"]
        cursor = r.json.get("next_cursor")
        if not cursor:
            return items


def api_count_note(token, segment_id, note_text):
    return sum(1 for r in api_all("/api/v1/progress-reports?segment_id=%d" % segment_id, token)
               if r.get("note") == note_text)


# ---- a TCP proxy that fails on demand ----------------------------------------------------


class Proxy:
    """Forwards 127.0.0.1:PROXY_PORT to the server. mode "pass" forwards,
    "refuse" closes each connection at once; drops > 0 cuts that many
    connections right after the server's answer has started to arrive (so
    the server has done the work, but the client never hears of it), after
    letting the first `skip` connections through. An interim "100 Continue"
    is passed on (the upload follows it), and the final answer is cut."""

    def __init__(self):
        self.mode = "pass"
        self.skip = 0
        self.drops = 0
        self.dropped = 0
        self.refused = 0
        self.requests = 0
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", PROXY_PORT))
        self.sock.listen(64)
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def set(self, mode="pass", drops=0, skip=0):
        with self.lock:
            self.mode, self.drops, self.dropped, self.refused = mode, drops, 0, 0
            self.skip = skip

    def accept_loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(c,), daemon=True).start()

    def handle(self, c):
        with self.lock:
            self.requests += 1
            if self.mode == "refuse":
                self.refused += 1
                c.close()
                return
            drop = self.drops > 0 and self.skip == 0
            if self.skip > 0:
                self.skip -= 1
            elif drop:
                self.drops -= 1
        try:
            u = socket.create_connection(("127.0.0.1", PORT), timeout=5)
        except OSError:
            c.close()  # the server is down: the client sees the connection die
            return

        def up():
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    u.sendall(d)
                u.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        threading.Thread(target=up, daemon=True).start()
        try:
            u.settimeout(60)
            while True:
                d = u.recv(65536)
                if not d:
                    break
                if drop and d.startswith(b"HTTP/1.1 100"):
                    end = d.find(b"\r\n\r\n")
                    if end >= 0 and end + 4 == len(d):
                        c.sendall(d)  # the client sends its body after this
                        continue
                if drop:
                    with self.lock:
                        self.dropped += 1
                    break
                c.sendall(d)
        except OSError:
            pass
        for s in (c, u):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


# ---- a scripted fake server for the retry rules -----------------------------------------


class Fake:
    """Answers POST /api/v1/progress-reports from a script of answers and
    records each request (time, Idempotency-Key, body); answers GET
    /api/v1/attachments/N with the file and headers of self.files[N]. A
    PATCH is answered from the script too (recorded with its If-Match in
    place of the key); a GET of a path in self.pages (without the query)
    with its (status, headers, body)."""

    def __init__(self):
        self.script = []
        self.seen = []
        self.files = {}
        self.pages = {}
        fake = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, headers, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/problem+json" if status >= 400
                                 else "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                if self.path == "/api/v1/auth/login":
                    return self.reply(201, {}, {"token": "ftk_fake", "expires_at": "2099-01-01T00:00:00Z",
                                                "user": {"id": 77, "email": "fake@example.org",
                                                         "name": "Fake", "role": "contractor"}})
                fake.seen.append((time.time(), self.headers.get("Idempotency-Key"), body))
                status, headers, answer = fake.script.pop(0) if fake.script else (500, {}, {})
                self.reply(status, headers, answer)

            def do_PATCH(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                fake.seen.append((time.time(), self.headers.get("If-Match"), body))
                status, headers, answer = fake.script.pop(0) if fake.script else (500, {}, {})
                self.reply(status, headers, answer)

            def do_GET(self):
                page = fake.pages.get(self.path.split("?")[0])
                if page:
                    return self.reply(*page)
                m = re.fullmatch(r"/api/v1/attachments/(\d+)", self.path)
                if not m or int(m.group(1)) not in fake.files:
                    return self.reply(404, {}, {"status": 404, "detail": "no attachment"})
                data, headers = fake.files[int(m.group(1))]
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", FAKE_PORT), H)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


# ---- running the CLI ------------------------------------------------------------------------


class Result:
    def __init__(self, rc, out, err, elapsed):
        self.rc, self.out, self.err, self.elapsed = rc, out, err, elapsed

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError:
            return None

    def __repr__(self):
        return "exit %s, stdout %r, stderr %r" % (self.rc, self.out[-600:], self.err[-800:])


def cfg_dir(name):
    d = os.path.join(WORK, "cfg-" + name)
    os.makedirs(d, exist_ok=True)
    return d


def cli_env(cfg, extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FIBERTRACK_") and k not in ("XDG_CONFIG_HOME", "http_proxy",
                                                             "https_proxy", "HTTP_PROXY",
                                                             "HTTPS_PROXY", "all_proxy")}
    env["HOME"] = os.path.join(WORK, "home")
    env["LC_ALL"] = "C.UTF-8"
    if cfg is not None:
        env["XDG_CONFIG_HOME"] = cfg
    env.update(extra or {})
    return env


def cli(*args, cfg=None, stdin="", env=None, timeout=180):
    t = time.time()
    p = subprocess.run([CLI] + [str(a) for a in args], input=stdin, capture_output=True, text=True,
                       env=cli_env(cfg, env), timeout=timeout)
    return Result(p.returncode, p.stdout, p.stderr, time.time() - t)


def cli_tty(args, cfg, answers=(), timeout=60, env=None):
    """Runs the CLI on a pseudo-terminal (stdin, stdout and stderr); answers
    each (prompt regex, text) in turn. Returns (exit code, all output)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(CLI, [CLI] + [str(a) for a in args], cli_env(cfg, env))
    out = b""
    pending = list(answers)
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            out += d
            if pending and re.search(pending[0][0], out.decode("utf-8", "replace")):
                os.write(fd, pending.pop(0)[1].encode())
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def login(cfg, email, server=VIA_PROXY):
    r = cli("login", "--server", server, "--email", email, cfg=cfg, stdin=PASSWORD + "\n")
    if r.rc != 0:
        raise RuntimeError("login failed: %r" % r)
    return r


def pending(cfg):
    d = os.path.join(cfg, "fibertrack", "queue", "pending")
    return sorted(f for f in os.listdir(d) if f.endswith(".json") and not f.startswith(".")) \
        if os.path.isdir(d) else []


def failed_files(cfg):
    d = os.path.join(cfg, "fibertrack", "queue", "failed")
    return sorted(f for f in os.listdir(d) if f.endswith(".json")) if os.path.isdir(d) else []


def note_text(tag):
    return "cli-%s-%s" % (RUN, tag)


# ---- the cases ---------------------------------------------------------------------------

CASES = []


def case(f):
    CASES.append(f)
    return f


class Ctx:
    pass


C = Ctx()


@case
def help_and_usage():
    r = cli("--help")
    check("--help exits 0 and lists the commands", r.rc == 0 and "progress" in r.out and
          "sync" in r.out and "import" in r.out, repr(r))
    check("--help documents the exit codes", all(s in r.out for s in (
        "2  usage", "3  authentication", "4  validation", "5  conflict", "6  not found",
        "7  network")), repr(r))
    for cmd in ("login", "logout", "whoami", "projects", "segments", "premises", "milestones",
                "progress", "sync", "queue", "reports", "export", "import", "attachments"):
        r = cli(cmd, "--help")
        check("%s --help" % cmd, r.rc == 0 and ("Usage: fibertrack " + cmd) in r.out and
              "--json" in r.out, repr(r))
    r = cli("help", "progress")
    check("help COMMAND is COMMAND --help", r.rc == 0 and "progress submit" in r.out, repr(r))
    check("progress --help documents --photo and --caption, with examples",
          "--photo FILE" in r.out and "--caption TEXT" in r.out and "EXAMPLES" in r.out and
          "--photo trench.jpg" in r.out, repr(r))
    r = cli("attachments", "--help")
    check("attachments --help: list and get, with examples", r.rc == 0 and
          "attachments list --report ID" in r.out and "attachments get ID" in r.out and
          "--force" in r.out and "EXAMPLES" in r.out, repr(r))
    r = cli("frobnicate")
    check("unknown command: exit 2", r.rc == 2 and "frobnicate" in r.err, repr(r))
    r = cli("segments", "--frobnicate")
    check("unknown option: exit 2", r.rc == 2 and "--frobnicate" in r.err, repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "10")
    check("progress submit without --status: exit 2", r.rc == 2 and "--status" in r.err, repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "ten", "--status", "planned")
    check("bad --length: exit 2", r.rc == 2, repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "1", "--status", "done")
    check("unknown --status: exit 2", r.rc == 2 and "in_construction" in r.err, repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "1", "--status", "planned",
            "--date", "2999-01-01")
    check("future --date: exit 2", r.rc == 2 and "future" in r.err, repr(r))
    r = cli("--version")
    check("--version", r.rc == 0 and r.out.startswith("fibertrack "), repr(r))


@case
def not_logged_in():
    cfg = cfg_dir("nologin")
    r = cli("segments", "--server", VIA_PROXY, cfg=cfg)
    check("segments without login: exit 3 and says how to log in",
          r.rc == 3 and "fibertrack login" in r.err, repr(r))
    r = cli("login", "--server", VIA_PROXY, "--email", CONTRACTOR, cfg=cfg, stdin="wrong\n")
    check("login with a wrong password: exit 3", r.rc == 3 and "wrong" in r.err, repr(r))
    check("a failed login stores no token",
          not os.path.exists(os.path.join(cfg, "fibertrack", "token.json")))


@case
def login_and_config():
    cfg = cfg_dir("contractor")
    C.cfg = cfg
    r = login(cfg, CONTRACTOR)
    check("login (password from stdin): exit 0", r.rc == 0 and "Tom Tiefbau" in r.out, repr(r))
    d = os.path.join(cfg, "fibertrack")
    tok = os.path.join(d, "token.json")
    check("token stored under $XDG_CONFIG_HOME/fibertrack with mode 0600",
          os.path.exists(tok) and stat.S_IMODE(os.stat(tok).st_mode) == 0o600)
    check("config directory has mode 0700", stat.S_IMODE(os.stat(d).st_mode) == 0o700)
    with open(tok) as f:
        t = json.load(f)
    check("the token is an ftk_ token for the server it came from",
          t.get("token", "").startswith("ftk_") and t.get("server") == VIA_PROXY, str(t.keys()))
    with open(os.path.join(d, "config.json")) as f:
        conf = json.load(f)
    check("login remembers the server", conf.get("server") == VIA_PROXY, str(conf))
    r = cli("whoami", "--json", cfg=cfg)
    check("whoami uses the remembered server", r.rc == 0 and (r.json() or {}).get("email") == CONTRACTOR,
          repr(r))
    r = cli("whoami", cfg=cfg, env={"FIBERTRACK_SERVER": "http://127.0.0.1:%d" % DEAD_PORT})
    check("FIBERTRACK_SERVER overrides the remembered server (and the token is not sent there)",
          r.rc == 3 and ("127.0.0.1:%d" % DEAD_PORT) in r.err, repr(r))
    r = cli("whoami", "--server", VIA_PROXY, cfg=cfg,
            env={"FIBERTRACK_SERVER": "http://127.0.0.1:%d" % DEAD_PORT})
    check("--server overrides FIBERTRACK_SERVER", r.rc == 0, repr(r))

    # HOME when XDG_CONFIG_HOME is not set; FIBERTRACK_SERVER remembered at login.
    home = os.path.join(WORK, "home-only")
    os.makedirs(home, exist_ok=True)
    env = cli_env(None, {"HOME": home, "FIBERTRACK_SERVER": VIA_PROXY})
    p = subprocess.run([CLI, "login", "--email", CONTRACTOR, "--password-stdin"],
                       input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=60)
    tok2 = os.path.join(home, ".config", "fibertrack", "token.json")
    check("without XDG_CONFIG_HOME the token goes to $HOME/.config/fibertrack (0600)",
          p.returncode == 0 and os.path.exists(tok2) and
          stat.S_IMODE(os.stat(tok2).st_mode) == 0o600, p.stderr)
    env.pop("FIBERTRACK_SERVER")
    p = subprocess.run([CLI, "whoami"], capture_output=True, text=True, env=env, timeout=60)
    check("a server given by FIBERTRACK_SERVER at login is remembered",
          p.returncode == 0 and CONTRACTOR in p.stdout, p.stderr)

    # The password typed on a terminal is not echoed.
    cfg_t = cfg_dir("tty")
    rc, out = cli_tty(["login", "--server", VIA_PROXY], cfg_t,
                      answers=[(r"E-mail", CONTRACTOR + "\n"), (r"Password for", PASSWORD + "\n")])
    check("login on a terminal asks for e-mail and password, without echo",
          rc == 0 and "Password for" in out and PASSWORD not in out and "Logged in" in out,
          "exit %s: %r" % (rc, out))

    # Tokens for direct API checks.
    C.ctok = api_login(CONTRACTOR)
    C.mtok = api_login(MANAGER)


@case
def lists():
    cfg = C.cfg
    r = cli("segments", cfg=cfg)
    check("segments: a table with a header", r.rc == 0 and re.search(r"^ *CODE +LOT", r.out, re.M)
          is not None, repr(r))
    r = cli("segments", "--json", cfg=cfg)
    items = r.json()
    api_items = api_all("/api/v1/segments", C.ctok)
    check("segments --json: every segment the contractor sees (all pages)",
          r.rc == 0 and isinstance(items, list) and len(items) == len(api_items) and
          len(items) > 0, "%d vs %d" % (len(items or []), len(api_items)))
    lots = {s["lot_id"] for s in api_items}
    check("a contractor sees only its own lots' segments", lots <= {1, 3}, str(lots))
    r = cli("segments", "--status", "planned", "--lot", "1", "--json", cfg=cfg)
    check("segments --status --lot filter", r.rc == 0 and r.json() and
          all(s["status"] == "planned" and s["lot_id"] == 1 for s in r.json()), repr(r))
    r = cli("segments", "--limit", "3", "--json", cfg=cfg)
    check("segments --limit", r.rc == 0 and len(r.json() or []) == 3, repr(r))
    r = cli("segments", "--status", "bogus", cfg=cfg)
    check("segments --status bogus: exit 2", r.rc == 2, repr(r))
    r = cli("premises", "--limit", "5", cfg=cfg)
    check("premises: a table", r.rc == 0 and "ADDRESS" in r.out and "STATUS" in r.out, repr(r))
    seg = api_items[0]["id"]
    r = cli("premises", "--segment", seg, "--json", cfg=cfg)
    check("premises --segment filter", r.rc == 0 and
          all(p["serving_segment_id"] == seg for p in r.json() or []), repr(r))
    r = cli("milestones", cfg=cfg)
    check("milestones list: a table with state and version", r.rc == 0 and "STATE" in r.out and
          "VERSION" in r.out, repr(r))
    r = cli("projects", "--json", cfg=cfg)
    check("projects --json", r.rc == 0 and len(r.json() or []) >= 1, repr(r))
    r = cli("segments", "--project", "999999", cfg=cfg)
    check("segments of a project id that is not there: empty list, exit 0", r.rc == 0, repr(r))
    r = cli("export", "--project", "NO-SUCH-CODE", "-o", os.path.join(WORK, "x"), cfg=cfg)
    check("--project with an unknown code: exit 6", r.rc == 6, repr(r))

    # Segments for the progress cases.
    own = [s for s in api_items if s["status"] in ("planned", "permitted")
           and s["planned_length_m"] >= 50]
    C.seg = own[0]
    C.seg2 = own[1]
    C.seg3 = own[2] if len(own) > 2 else own[0]
    C.ahead = [s for s in api_items if s["status"] in ("civil_done", "cable_installed", "spliced",
                                                       "tested")][0]
    others = [s for s in api_all("/api/v1/segments", C.mtok) if s["lot_id"] == 2]
    C.foreign = others[0]


def submit(cfg, seg, length, tag, *extra, status="in_construction"):
    return cli("progress", "submit", "--segment", seg["id"], "--length", length, "--status",
               status, "--note", note_text(tag), *extra, cfg=cfg)


@case
def submit_online():
    cfg, seg = C.cfg, C.seg
    r = submit(cfg, seg, 10, "online")
    check("progress submit online: exit 0, tells the report id", r.rc == 0 and
          re.search(r"Report #\d+ recorded", r.out) is not None, repr(r))
    check("... recorded once in the database", db_count_note(note_text("online")) == 1)
    check("... and nothing left in the queue", pending(cfg) == [])
    r = cli("progress", "submit", "--segment", seg["code"], "--length", "11", "--status",
            "in_construction", "--note", note_text("bycode"), "--json", cfg=cfg)
    j = r.json() or {}
    check("progress submit --segment CODE --json: the server's report",
          r.rc == 0 and j.get("segment_id") == seg["id"] and j.get("state") == "submitted", repr(r))
    r = cli("progress", "list", "--segment", seg["id"], "--json", cfg=cfg)
    notes = [x.get("note") for x in r.json() or []]
    check("progress list --json shows them", r.rc == 0 and note_text("online") in notes and
          note_text("bycode") in notes, repr(r))
    r = cli("progress", "list", "--state", "submitted", cfg=cfg)
    check("progress list: a table", r.rc == 0 and "STATE" in r.out and seg["code"] in r.out,
          repr(r))

    # Refusals and their exit codes; a refused submission does not linger.
    r = submit(cfg, C.foreign, 5, "foreign")
    check("a segment of another contractor's lot: exit 6", r.rc == 6 and "no segment" in r.err,
          repr(r))
    r = submit(cfg, C.ahead, 1, "backward", status="in_construction")
    check("a report that moves a segment back: exit 5 (409)", r.rc == 5 and "back" in r.err,
          repr(r))
    r = cli("progress", "submit", "--segment", seg["id"], "--length",
            seg["planned_length_m"] * 2, "--status", "in_construction", cfg=cfg)
    check("twice the planned length without a note: exit 4 with the field named",
          r.rc == 4 and "/note" in r.err, repr(r))
    check("refused submissions are not kept in the queue", pending(cfg) == [] and
          failed_files(cfg) == [], "%s %s" % (pending(cfg), failed_files(cfg)))


@case
def idempotency_keys():
    cfg, seg = C.cfg, C.seg
    key = "cli-test-key-" + RUN
    r1 = submit(cfg, seg, 12, "samekey", "--idempotency-key", key)
    r2 = submit(cfg, seg, 12, "samekey", "--idempotency-key", key)
    check("the same key and body twice: both exit 0, the second says it was known",
          r1.rc == 0 and r2.rc == 0 and "received it already" in r2.out, "%r / %r" % (r1, r2))
    check("... and the report exists once", db_count_note(note_text("samekey")) == 1)
    r3 = submit(cfg, seg, 13, "samekey", "--idempotency-key", key)
    check("the same key with another body: exit 4", r3.rc == 4, repr(r3))
    # A fresh key per submission, 128 random bits, stored before sending.
    keys = set()
    for i in range(3):
        r = submit(cfg, seg, 14 + i, "keys%d" % i, "--queue")
        keys.add(r.rc)
    files = pending(cfg)
    ks = []
    for f in files:
        with open(os.path.join(cfg, "fibertrack", "queue", "pending", f)) as fh:
            ks.append(json.load(fh)["idempotency_key"])
    check("--queue stores each submission with its own 128-bit key",
          keys == {0} and len(files) == 3 and len(set(ks)) == 3 and
          all(re.fullmatch(r"[0-9a-f]{32}", k) for k in ks), str(ks))
    qdir = os.path.join(cfg, "fibertrack", "queue", "pending")
    check("queue files have mode 0600",
          all(stat.S_IMODE(os.stat(os.path.join(qdir, f)).st_mode) == 0o600 for f in files))
    r = cli("queue", "--json", cfg=cfg)
    check("queue --json lists the pending ones", r.rc == 0 and
          len((r.json() or {}).get("pending", [])) == 3, repr(r))
    r = cli("sync", cfg=cfg)
    check("sync sends them: exit 0", r.rc == 0 and "3 sent" in r.out, repr(r))
    check("... each exactly once", all(db_count_note(note_text("keys%d" % i)) == 1
                                       for i in range(3)))
    check("... and the queue is empty", pending(cfg) == [])
    r = cli("sync", cfg=cfg)
    check("sync with an empty queue: exit 0", r.rc == 0 and "empty" in r.out, repr(r))


@case
def server_down_and_back():
    """Reports made while the server is down are kept and arrive exactly
    once after it comes back (the embedded MariaDB keeps its data)."""
    cfg, seg = C.cfg, C.seg2
    r = submit(cfg, seg, 20, "down0", "--queue")
    check("queued before the outage", r.rc == 0)
    stop_server()
    t = time.time()
    r = submit(cfg, seg, 21, "down1", "--retries", "2")
    check("submit while the server is down: exit 8, kept in the queue, with retries",
          r.rc == 8 and "NOT sent" in r.err and "trying again" in r.err, repr(r))
    r = submit(cfg, seg, 22, "down2", "--retries", "0", "--json")
    j = r.json() or {}
    check("submit --json while down: {queued: true}", r.rc == 8 and j.get("queued") is True, repr(r))
    check("three reports wait in the queue", len(pending(cfg)) == 3, str(pending(cfg)))
    r = cli("sync", "--retries", "1", cfg=cfg)
    check("sync while the server is down: exit 7, nothing removed", r.rc == 7 and
          len(pending(cfg)) == 3, repr(r))
    r = cli("queue", cfg=cfg)
    check("queue shows what waits", r.rc == 0 and "Waiting to be sent" in r.out, repr(r))
    start_server()
    note("server restarted after %.1f s" % (time.time() - t))
    r = cli("progress", "list", "--segment", seg["id"], cfg=cfg)
    check("progress list mentions the unsent reports", r.rc == 0 and "not sent yet" in r.err,
          repr(r))
    r = cli("sync", cfg=cfg)
    check("sync after the restart: exit 0, 3 sent", r.rc == 0 and "3 sent" in r.out, repr(r))
    check("every report made during the outage arrived exactly once (database)",
          [db_count_note(note_text("down%d" % i)) for i in range(3)] == [1, 1, 1])
    check("... and exactly once (API list)",
          [api_count_note(C.ctok, seg["id"], note_text("down%d" % i)) for i in range(3)] == [1, 1, 1])
    rows = sql("SELECT note FROM progress_reports WHERE note LIKE 'cli-%s-down%%' ORDER BY id" % RUN)
    check("... in the order they were made", [x[0] for x in rows] ==
          [note_text("down%d" % i) for i in range(3)], str(rows))
    check("the queue is empty", pending(cfg) == [])


@case
def lost_answers():
    """The connection dies after the server did the work: the retry with the
    same key gets the first answer back (a replay), never a second report."""
    cfg, seg = C.cfg, C.seg2
    PROXY.set("pass", drops=2)
    r = submit(cfg, seg, 30, "lost1")
    check("submit with two answers lost: exit 0 after retries", r.rc == 0 and
          "trying again" in r.err and "received it already" in r.out, repr(r))
    check("the proxy did cut two answers", PROXY.dropped == 2, str(PROXY.dropped))
    check("... recorded once (database)", db_count_note(note_text("lost1")) == 1)
    check("... recorded once (API)", api_count_note(C.ctok, seg["id"], note_text("lost1")) == 1)

    for i in range(4):
        submit(cfg, seg, 31 + i, "lostq%d" % i, "--queue")
    PROXY.set("pass", drops=3)
    r = cli("sync", cfg=cfg)
    check("sync with three answers lost on the way: exit 0, all sent", r.rc == 0 and
          "4 sent" in r.out and PROXY.dropped == 3, repr(r))
    check("every queued report arrived exactly once",
          [db_count_note(note_text("lostq%d" % i)) for i in range(4)] == [1, 1, 1, 1])

    # Answers lost for longer than the retries last: kept, and the next sync
    # gets the replay.
    PROXY.set("pass", drops=100)
    r = submit(cfg, seg, 40, "lost-long", "--retries", "1")
    check("every answer lost: exit 8, kept in the queue", r.rc == 8 and len(pending(cfg)) == 1,
          repr(r))
    check("... though the server has it already", db_count_note(note_text("lost-long")) == 1)
    PROXY.set("pass")
    r = cli("sync", cfg=cfg)
    check("the later sync is answered with a replay and removes it",
          r.rc == 0 and "had it already" in r.out and pending(cfg) == [], repr(r))
    check("... still exactly once", db_count_note(note_text("lost-long")) == 1)

    PROXY.set("refuse")
    r = submit(cfg, seg, 41, "refused", "--retries", "1")
    check("connections refused: exit 8", r.rc == 8 and PROXY.refused >= 2, repr(r))
    r = submit(cfg, seg, 42, "noqueue", "--retries", "0", "--no-queue")
    check("--no-queue without a connection: exit 7, nothing kept", r.rc == 7 and
          len(pending(cfg)) == 1, repr(r))
    PROXY.set("pass")
    r = cli("sync", cfg=cfg)
    check("then sync: exit 0", r.rc == 0 and db_count_note(note_text("refused")) == 1 and
          db_count_note(note_text("noqueue")) == 0, repr(r))


@case
def crashes():
    """A crash at any point loses nothing and duplicates nothing."""
    cfg, seg = C.cfg, C.seg2
    r = cli("progress", "submit", "--segment", seg["id"], "--length", 50, "--status",
            "in_construction", "--note", note_text("crash-write"), cfg=cfg,
            env={"FIBERTRACK_FAULT": "write-before-rename"})
    qdir = os.path.join(cfg, "fibertrack", "queue", "pending")
    tmp = [f for f in os.listdir(qdir) if f.endswith(".tmp")]
    check("crash while writing the queue file: the process died, no entry, a temporary file",
          r.rc != 0 and pending(cfg) == [] and len(tmp) == 1, "%r %s" % (r, os.listdir(qdir)))
    check("... nothing was sent", db_count_note(note_text("crash-write")) == 0)

    r = cli("progress", "submit", "--segment", seg["id"], "--length", 51, "--status",
            "in_construction", "--note", note_text("crash-queued"), cfg=cfg,
            env={"FIBERTRACK_FAULT": "queued-before-send"})
    check("crash after storing, before sending: kept in the queue",
          r.rc != 0 and len(pending(cfg)) == 1 and db_count_note(note_text("crash-queued")) == 0,
          repr(r))
    r = cli("sync", cfg=cfg)
    check("sync sends the one stored before the crash", r.rc == 0 and pending(cfg) == [] and
          db_count_note(note_text("crash-queued")) == 1, repr(r))
    r = cli("progress", "submit", "--segment", seg["id"], "--length", 52, "--status",
            "in_construction", "--note", note_text("crash-sent"), cfg=cfg,
            env={"FIBERTRACK_FAULT": "sent-before-remove"})
    check("crash after the server acknowledged, before the queue file was removed",
          r.rc != 0 and db_count_note(note_text("crash-sent")) == 1 and len(pending(cfg)) == 1,
          "%r %s" % (r, pending(cfg)))
    r = cli("sync", cfg=cfg)
    check("sync after that crash: exit 0, the server recognises the report (replay)",
          r.rc == 0 and "had it already" in r.out and pending(cfg) == [], repr(r))
    check("each report exactly once",
          [db_count_note(note_text(t)) for t in ("crash-write", "crash-queued", "crash-sent")] ==
          [0, 1, 1])
    check("the temporary file is not taken for a report", pending(cfg) == [])


def edit_pending(cfg, change):
    d = os.path.join(cfg, "fibertrack", "queue", "pending")
    for f in pending(cfg):
        path = os.path.join(d, f)
        with open(path) as fh:
            j = json.load(fh)
        change(j)
        with open(path, "w") as fh:
            json.dump(j, fh)


@case
def old_entries():
    """After a day the server may have forgotten a key; an old entry whose
    report is already recorded is recognised without the key."""
    cfg, seg = C.cfg, C.seg2
    r = cli("progress", "submit", "--segment", seg["id"], "--length", 55, "--status",
            "in_construction", "--note", note_text("old-sent"), cfg=cfg,
            env={"FIBERTRACK_FAULT": "sent-before-remove"})
    two_days_ago = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 2 * 86400))

    def forget(j):
        j["created_at"] = two_days_ago
        j["idempotency_key"] = "%032x" % random.getrandbits(128)  # a key the server never saw

    edit_pending(cfg, forget)
    r = cli("sync", cfg=cfg)
    check("an old entry already recorded under a forgotten key is not sent again",
          r.rc == 0 and "had it already" in r.out and pending(cfg) == [] and
          db_count_note(note_text("old-sent")) == 1, repr(r))
    submit(cfg, seg, 56, "old-new", "--queue")
    edit_pending(cfg, lambda j: j.update(created_at=two_days_ago))
    r = cli("sync", cfg=cfg)
    check("an old entry that never arrived is sent", r.rc == 0 and "1 sent" in r.out and
          db_count_note(note_text("old-new")) == 1, repr(r))


@case
def failed_folder():
    cfg = C.cfg
    submit(cfg, C.foreign, 5, "fail-404", "--queue")
    submit(cfg, C.seg2, 60, "fail-ok", "--queue")
    submit(cfg, C.ahead, 1, "fail-409", "--queue", status="permitted")
    r = cli("sync", cfg=cfg)
    check("sync with refused reports: exit 6 (the first refusal, 404), the good one sent",
          r.rc == 6 and "1 sent, 2 failed" in r.out and db_count_note(note_text("fail-ok")) == 1,
          repr(r))
    check("the server's reasons are shown", "no segment" in r.err and "back" in r.err, r.err)
    ff = failed_files(cfg)
    check("refused reports are moved to failed/, none left pending", len(ff) == 2 and
          pending(cfg) == [], "%s %s" % (ff, pending(cfg)))
    with open(os.path.join(cfg, "fibertrack", "queue", "failed", ff[0])) as f:
        j = json.load(f)
    check("a failed file keeps the submission, its key and the server's problem",
          j.get("failed", {}).get("status") in (404, 409) and
          "detail" in j["failed"].get("problem", {}) and len(j.get("idempotency_key", "")) == 32,
          str(j))
    before = int(sql("SELECT COUNT(*) FROM progress_reports")[0][0])
    r = cli("sync", cfg=cfg)
    check("failed reports are not retried by sync", r.rc == 0 and
          int(sql("SELECT COUNT(*) FROM progress_reports")[0][0]) == before and
          len(failed_files(cfg)) == 2, repr(r))
    r = cli("queue", cfg=cfg)
    check("queue lists the failed ones with their reason", r.rc == 0 and "Failed" in r.out and
          "404" in r.out and "409" in r.out, repr(r))
    ids = [f.rsplit("-", 1)[1][:-5] for f in ff]
    r = cli("queue", "drop", ids[0], cfg=cfg)
    check("queue drop ID", r.rc == 0 and len(failed_files(cfg)) == 1, repr(r))
    r = cli("queue", "retry", ids[1], cfg=cfg)
    check("queue retry ID moves it back", r.rc == 0 and len(pending(cfg)) == 1 and
          failed_files(cfg) == [], repr(r))
    r = cli("sync", cfg=cfg)
    check("... and sync refuses it again (exit 5 or 6)", r.rc in (5, 6) and
          len(failed_files(cfg)) == 1, repr(r))
    r = cli("queue", "drop", "nosuch", cfg=cfg)
    check("queue drop of an unknown id: exit 6", r.rc == 6, repr(r))
    cli("queue", "drop", ids[1], cfg=cfg)


@case
def other_login():
    """Keys belong to a user: a queued report waits for its own user."""
    cfg = C.cfg
    submit(cfg, C.seg2, 70, "mine", "--queue")
    login(cfg, CONTRACTOR2)
    r = cli("sync", cfg=cfg)
    check("sync as another user leaves the report alone: exit 3", r.rc == 3 and
          CONTRACTOR in r.err and len(pending(cfg)) == 1, repr(r))
    login(cfg, CONTRACTOR)
    r = cli("sync", cfg=cfg)
    check("after logging in as its user it is sent", r.rc == 0 and pending(cfg) == [] and
          db_count_note(note_text("mine")) == 1, repr(r))


@case
def retry_rules():
    """503 and 429 are retried after Retry-After; 409 while the same key is
    in flight is retried; every attempt carries the same key and body."""
    cfg = cfg_dir("fake")
    r = cli("login", "--server", FAKE, "--email", "fake@example.org", cfg=cfg, stdin="x\n")
    check("login to the fake server", r.rc == 0, repr(r))
    inflight = {"type": "about:blank", "title": "Conflict", "status": 409,
                "detail": "a request with this Idempotency-Key is still being processed; retry shortly"}
    created = {"id": 5, "segment_id": 9, "segment_code": "S-9", "report_date": "2026-01-01",
               "built_length_m": 1, "status": "planned", "state": "submitted"}
    FAKEX.script = [(503, {"Retry-After": "1"}, {"status": 503, "detail": "database unavailable"}),
                    (429, {"Retry-After": "2"}, {"status": 429, "detail": "slow down"}),
                    (409, {}, inflight),
                    (201, {}, created)]
    FAKEX.seen = []
    r = cli("progress", "submit", "--segment", 9, "--length", 1, "--status", "planned", cfg=cfg)
    seen = FAKEX.seen
    check("503, 429, 409-in-flight, then 201: exit 0", r.rc == 0 and "Report #5" in r.out, repr(r))
    check("four attempts, each with the same Idempotency-Key and the same body",
          len(seen) == 4 and len({k for _, k, _ in seen}) == 1 and len({b for _, _, b in seen}) == 1
          and re.fullmatch(r"[0-9a-f]{32}", seen[0][1] or ""), str(seen))
    if len(seen) == 4:
        check("Retry-After is honoured (1 s, then 2 s)", seen[1][0] - seen[0][0] >= 0.95 and
              seen[2][0] - seen[1][0] >= 1.95, "%.2f %.2f" % (seen[1][0] - seen[0][0],
                                                            seen[2][0] - seen[1][0]))
    FAKEX.script = [(503, {"Retry-After": "0"}, {"status": 503, "detail": "down"})] * 3
    FAKEX.seen = []
    r = cli("progress", "submit", "--segment", 9, "--length", 1, "--status", "planned",
            "--retries", "2", cfg=cfg)
    check("503 after all retries: exit 8, kept", r.rc == 8 and len(FAKEX.seen) == 3 and
          len(pending(cfg)) == 1, repr(r))
    FAKEX.script = [(409, {}, {"status": 409, "detail": "this progress report was approved already"})]
    r = cli("sync", cfg=cfg)
    check("a 409 that is a real conflict is final: exit 5, moved to failed/",
          r.rc == 5 and len(failed_files(cfg)) == 1 and pending(cfg) == [], repr(r))
    FAKEX.script = [(500, {}, {"status": 500, "detail": "bug", "request_id": "r-1"})]
    submit_r = cli("progress", "submit", "--segment", 9, "--length", 1, "--status", "planned",
                   cfg=cfg)
    check("a 500 is not final: exit 8, kept for a later sync", submit_r.rc == 8 and
          len(pending(cfg)) == 1, repr(submit_r))


@case
def milestones_if_match():
    cfg = cfg_dir("manager")
    login(cfg, MANAGER)
    ms = api_all("/api/v1/milestones", C.mtok)
    m = [x for x in ms if x["actual_date"] is None][0]
    mid = m["id"]
    r = cli("milestones", "show", mid, cfg=cfg)
    check("milestones show", r.rc == 0 and m["name"] in r.out, repr(r))
    r = cli("milestones", "update", mid, "--forecast-date", "2027-02-01", "--notes",
            "cli " + RUN, cfg=cfg)
    check("milestones update: exit 0", r.rc == 0 and "updated" in r.out, repr(r))
    cur = api("GET", "/api/v1/milestones/%d" % mid, C.mtok).json
    v = cur["version"]
    check("... the server has the new values", cur["forecast_date"] == "2027-02-01" and
          cur["notes"] == "cli " + RUN, str(cur))
    # Someone else changes it after we looked at version v.
    api("PATCH", "/api/v1/milestones/%d" % mid, C.mtok, {"notes": "changed by someone"},
        headers={"If-Match": '"%d"' % v})
    r = cli("milestones", "update", mid, "--if-match", v, "--forecast-date", "2027-03-01", cfg=cfg)
    check("update on a stale version: exit 5, shows what changed and who",
          r.rc == 5 and "changed by someone else" in r.err and "notes" in r.err and
          "changed by someone" in r.err and "Max Projektleiter" in r.err and "--force" in r.err,
          repr(r))
    now = api("GET", "/api/v1/milestones/%d" % mid, C.mtok).json
    check("... and changed nothing", now["forecast_date"] == "2027-02-01", str(now))
    r = cli("milestones", "update", mid, "--if-match", v, "--forecast-date", "2027-03-01",
            "--json", cfg=cfg)
    j = r.json() or {}
    check("--json on a conflict: the changed fields", r.rc == 5 and j.get("status") == 412 and
          any(c["field"] == "notes" for c in j.get("changes", [])), repr(r))
    r = cli("milestones", "update", mid, "--if-match", v, "--forecast-date", "2027-03-01",
            "--force", cfg=cfg)
    now = api("GET", "/api/v1/milestones/%d" % mid, C.mtok).json
    check("--force re-applies on the new version, keeping the other change",
          r.rc == 0 and now["forecast_date"] == "2027-03-01" and
          now["notes"] == "changed by someone", "%r %s" % (r, now))
    # On a terminal it asks.
    api("PATCH", "/api/v1/milestones/%d" % mid, C.mtok, {"notes": "changed again"},
        headers={"If-Match": '"%d"' % now["version"]})
    rc, out = cli_tty(["milestones", "update", mid, "--if-match", now["version"],
                       "--forecast-date", "2027-04-01"], cfg, answers=[(r"\[y/N\]", "y\n")])
    now2 = api("GET", "/api/v1/milestones/%d" % mid, C.mtok).json
    check("on a terminal it asks and applies on yes", rc == 0 and "[y/N]" in out and
          now2["forecast_date"] == "2027-04-01", "exit %s %r" % (rc, out))
    r = cli("milestones", "update", 999999, "--notes", "x", cfg=cfg)
    check("update of an unknown milestone: exit 6", r.rc == 6, repr(r))
    r = cli("milestones", "update", mid, "--notes", "x", cfg=C.cfg)
    check("a contractor may not update milestones: exit 3", r.rc == 3, repr(r))
    r = cli("milestones", "update", mid, cfg=cfg)
    check("update without a field: exit 2", r.rc == 2, repr(r))
    r = cli("milestones", "update", mid, "--tranche", "1.234,56", "--force", cfg=cfg)
    now3 = api("GET", "/api/v1/milestones/%s" % mid, C.mtok).json or {}
    check("--tranche 1.234,56 (German euros): 123456 cents", r.rc == 0 and now3.get("tranche_cents") == 123456,
          "%r %s" % (r, now3.get("tranche_cents")))
    r = cli("milestones", "update", mid, "--tranche", "12,345", cfg=cfg)
    check("--tranche with three decimals: exit 2, not rounded", r.rc == 2 and "--tranche" in r.err, repr(r))


@case
def downloads():
    cfg = cfg_dir("manager")
    out = os.path.join(WORK, "net.geojson")
    r = cli("export", "-o", out, cfg=cfg)
    body = api("GET", "/api/v1/projects/1/export.geojson", C.mtok, timeout=60).body
    with open(out, "rb") as f:
        got = f.read()
    check("export -o FILE: the server's GeoJSON, byte for byte", r.rc == 0 and got == body,
          "%r (%d vs %d bytes)" % (r, len(got), len(body)))
    check("no progress bar when stderr is not a terminal", "\r" not in r.err and "[#" not in r.err,
          repr(r.err))
    here = os.path.join(WORK, "dl")
    os.makedirs(here, exist_ok=True)
    p = subprocess.run([CLI, "export"], cwd=here, capture_output=True, text=True,
                       env=cli_env(cfg), timeout=120)
    check("export without -o: saved under the server's file name",
          p.returncode == 0 and os.listdir(here) == ["WF-MUSTER-2026.geojson"], str(os.listdir(here)))
    rc, tty_out = cli_tty(["export", "-o", os.path.join(WORK, "net2.geojson")], cfg)
    check("a progress bar on a terminal", rc == 0 and "Downloading the network" in tty_out and
          "100%" in tty_out, repr(tty_out[-300:]))
    xl = os.path.join(WORK, "progress.xlsx")
    r = cli("reports", "progress", "-o", xl, cfg=cfg)
    if r.rc == 0:
        with open(xl, "rb") as f:
            check("reports progress -o FILE: an xlsx workbook", f.read(2) == b"PK")
    else:
        check("reports progress where the server has no report yet: exit 6, no file left",
              r.rc == 6 and not os.path.exists(xl) and
              not [f for f in os.listdir(WORK) if f.startswith(".fibertrack-download")], repr(r))
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 86400))
    r = cli("reports", "costs", "--from", "2026-01-01", "--to", yesterday, "-o",
            os.path.join(WORK, "costs.xlsx"), cfg=cfg)
    check("reports costs: exit 0 or 6 (not there yet)", r.rc in (0, 6), repr(r))
    # a period that has not ended, read as recorded at the end of a past day
    today = time.strftime("%d.%m.%Y", time.gmtime())
    dayb = time.strftime("%d.%m.%Y", time.gmtime(time.time() - 86400))
    costs = os.path.join(WORK, "costs-as-of.xlsx")
    r = cli("reports", "costs", "--from", "01.01.2026", "--to", today, "--as-of", dayb, "-o", costs, cfg=cfg)
    check("reports costs --as-of with an open period: exit 0, an xlsx", r.rc == 0 and open(costs, "rb").read(2) == b"PK",
          repr(r))
    r = cli("reports", "weekly", cfg=cfg)
    check("reports with an unknown kind: exit 2", r.rc == 2, repr(r))
    r = cli("export", "-o", os.path.join(WORK, "c.geojson"), cfg=C.cfg)
    check("a contractor may not export: exit 3", r.rc == 3, repr(r))


@case
def imports():
    cfg = cfg_dir("manager")
    export = json.loads(api("GET", "/api/v1/projects/1/export.geojson", C.mtok, timeout=60).body)
    node = [f for f in export["features"] if f["properties"]["layer"] == "node"][2]
    code = node["properties"]["code"]
    name = "renamed by cli " + RUN
    node["properties"]["name"] = name
    fc = {"type": "FeatureCollection", "features": [json.loads(json.dumps(node))]}
    good = os.path.join(WORK, "good.geojson")
    with open(good, "w") as f:
        json.dump(fc, f)
    r = cli("import", good, "--dry-run", cfg=cfg)
    check("import --dry-run: a table, nothing changed", r.rc == 0 and "Dry run" in r.out and
          re.search(r"node\s+0\s+1\s+0", r.out) is not None and
          sql("SELECT name FROM nodes WHERE code = '%s'" % code)[0][0] != name, repr(r))
    r = cli("import", good, "--json", cfg=cfg)
    check("import: updated", r.rc == 0 and (r.json() or {}).get("updated") == 1 and
          sql("SELECT name FROM nodes WHERE code = '%s'" % code)[0][0] == name, repr(r))
    r = cli("import", good, cfg=cfg)
    check("import again: unchanged", r.rc == 0 and re.search(r"node\s+0\s+0\s+1", r.out), repr(r))
    bad = os.path.join(WORK, "bad.geojson")
    fc["features"][0]["properties"]["kind"] = "volcano"
    fc["features"].append({"type": "Feature", "geometry": None, "properties": {"layer": "premise"}})
    with open(bad, "w") as f:
        json.dump(fc, f)
    r = cli("import", bad, cfg=cfg)
    check("import of a bad file: exit 4, each problem by feature, code and field",
          r.rc == 4 and ("feature 0 of features (%s), kind" % code) in r.err and "feature 1" in r.err and
          "/features/0/properties/kind" in r.err, repr(r))
    broken = os.path.join(WORK, "broken.geojson")
    with open(broken, "w") as f:
        f.write('{"type": "FeatureCollection",\n "features": [\n')
    r = cli("import", broken, cfg=cfg)
    check("import of a file that is not JSON: exit 4 before uploading", r.rc == 4 and
          "not valid JSON" in r.err, repr(r))
    whole = os.path.join(WORK, "whole.geojson")
    with open(whole, "w") as f:
        json.dump(export, f)
    n = len(export["features"])
    rc, out = cli_tty(["import", whole, "--dry-run"], cfg)
    check("import on a terminal shows the upload", rc == 0 and ("Uploading %d features" % n) in out,
          repr(out[-300:]))
    r = cli("import", whole, "--dry-run", cfg=cfg)
    check("... and stays quiet when stderr is not a terminal", r.rc == 0 and r.err == "", repr(r))
    r = cli("import", good, cfg=C.cfg)
    check("a contractor may not import: exit 3", r.rc == 3, repr(r))


@case
def gis_formats():
    """import of a GeoPackage, a lone Shapefile, a CSV with --crs; export --format gpkg|gis-nbest."""
    cfg = cfg_dir("manager")
    ogr2ogr = shutil.which("ogr2ogr")
    gpkg = os.path.join(WORK, "net.gpkg")
    r = cli("export", "--format", "gpkg", "-o", gpkg, cfg=cfg)
    check("export --format gpkg: a GeoPackage", r.rc == 0 and open(gpkg, "rb").read(15) == b"SQLite format 3",
          repr(r))
    r = cli("import", gpkg, "--dry-run", "--json", cfg=cfg)
    check("import of the GeoPackage: all unchanged", r.rc == 0 and (r.json() or {}).get("created") == 0 and
          (r.json() or {}).get("updated") == 0, repr(r))
    if ogr2ogr:
        shp = os.path.join(WORK, "shp")
        subprocess.run([ogr2ogr, "-f", "ESRI Shapefile", shp, gpkg, "nodes", "-t_srs", "EPSG:25832"],
                       check=True, capture_output=True)
        r = cli("import", os.path.join(shp, "nodes.shp"), "--dry-run", "--json", cfg=cfg)
        check("import of a lone .shp (zipped on the way) in EPSG:25832: unchanged",
              r.rc == 0 and (r.json() or {}).get("crs") == "EPSG:25832" and
              (r.json() or {}).get("created") == 0 and (r.json() or {}).get("updated") == 0, repr(r))
        os.remove(os.path.join(shp, "nodes.dbf"))
        r = cli("import", os.path.join(shp, "nodes.shp"), cfg=cfg)
        check("a .shp without its .dbf: exit 6, named", r.rc == 6 and ".dbf" in r.err, repr(r))
    csv = os.path.join(WORK, "net.csv")
    with open(csv, "w") as f:
        f.write("WKT;layer;code;kind\n\"POINT (642702.948 5649312.131)\";node;CLI-UTM-%s;handhole\n" % RUN)
    r = cli("import", csv, "--crs", "EPSG:25832", "--dry-run", "--json", cfg=cfg)
    check("import of a CSV with --crs", r.rc == 0 and (r.json() or {}).get("created") == 1, repr(r))
    r = cli("import", csv, "--crs", "25832", cfg=cfg)
    check("--crs without EPSG: exit 2", r.rc == 2, repr(r))
    r = cli("import", os.path.join(WORK, "plan.kml"), cfg=cfg)
    check("an unknown file type: exit 2", r.rc == 2 and ".gpkg" in r.err, repr(r))
    z = os.path.join(WORK, "nbest.zip")
    r = cli("export", "--format", "gis-nbest", "--phase", "plan", "-o", z, cfg=cfg)
    check("export --format gis-nbest: a zip of Shapefiles and a GeoPackage",
          r.rc == 0 and "Trassenbau.shp" in zipfile.ZipFile(z).namelist(), repr(r))
    r = cli("export", "--format", "gis-nbest", "--phase", "final", cfg=cfg)
    check("gis-nbest --phase final: exit 2", r.rc == 2 and "--phase" in r.err, repr(r))
    r = cli("export", "--format", "shp", cfg=cfg)
    check("an unknown export format: exit 2", r.rc == 2, repr(r))


# ---- photos on progress reports (SPEC 10) ----------------------------------------------------


def write_file(name, data):
    path = os.path.join(WORK, "photos", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def sha(data):
    return hashlib.sha256(data).hexdigest()


def report_ids(tag, seg):
    return [r["id"] for r in api_all("/api/v1/progress-reports?segment_id=%d" % seg["id"], C.ctok)
            if r.get("note") == note_text(tag)]


def attachments_of(report_id):
    r = api("GET", "/api/v1/progress-reports/%d/attachments" % report_id, C.ctok)
    if r.status != 200:
        raise RuntimeError("GET attachments of %d: %r" % (report_id, r))
    return r.json["items"]


def queue_files(cfg):
    d = os.path.join(cfg, "fibertrack", "queue", "files")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def entry_json(cfg, which="pending"):
    d = os.path.join(cfg, "fibertrack", "queue", which)
    files = pending(cfg) if which == "pending" else failed_files(cfg)
    with open(os.path.join(d, files[0])) as f:
        return json.load(f)


C.photo_len = 10  # lengths on seg3 grow with every report


def photo_submit(tag, *extra, env=None, cfg=None):
    C.photo_len += 1
    return cli("progress", "submit", "--segment", C.seg3["id"], "--length", C.photo_len,
               "--status", "in_construction", "--note", note_text(tag), *extra,
               cfg=cfg or C.cfg, env=env)


@case
def photos_online():
    """Two photos with the report: both attached once, downloaded byte for byte."""
    cfg = C.cfg
    a = photos.jpeg(taken="2026:11:20 10:15:00", offset="+01:00", lat=49.87, lon=8.65)
    b = photos.png()
    pa, pb = write_file("trench.jpg", a), write_file("tape.png", b)
    r = photo_submit("ph-online", "--photo", pa, "--photo", pb, "--caption", "Graben mit Rohr, km 0,1")
    m = re.search(r"Report #(\d+) recorded", r.out)
    check("submit with 2 photos online: exit 0, the report and both photos told",
          r.rc == 0 and m is not None and "Photo trench.jpg" in r.out and "Photo tape.png" in r.out,
          repr(r))
    check("... no progress bar when stderr is not a terminal", "\r" not in r.err and
          "Uploading" not in r.err, repr(r.err))
    check("... nothing left in the queue, no photo copies left", pending(cfg) == [] and
          queue_files(cfg) == [], "%s %s" % (pending(cfg), queue_files(cfg)))
    ids = report_ids("ph-online", C.seg3)
    check("... the report is recorded once", len(ids) == 1, str(ids))
    if not ids:
        return
    rid = ids[0]
    items = attachments_of(rid)
    by_name = {x["file_name"]: x for x in items}
    check("the API lists exactly the 2 attachments, with their names, types and caption",
          len(items) == 2 and set(by_name) == {"trench.jpg", "tape.png"} and
          by_name["trench.jpg"]["media_type"] == "image/jpeg" and
          by_name["tape.png"]["media_type"] == "image/png" and
          all(x["caption"] == "Graben mit Rohr, km 0,1" for x in items), json.dumps(items)[:800])
    check("... whose SHA-256 are those of the files sent", len(items) == 2 and
          by_name.get("trench.jpg", {}).get("sha256") == sha(a) and
          by_name.get("tape.png", {}).get("sha256") == sha(b), json.dumps(items)[:800])
    r = cli("attachments", "list", "--report", rid, cfg=cfg)
    check("attachments list: a table with id, file, type, size, taken at, distance, flags",
          r.rc == 0 and re.search(r"^ *ID +FILE +TYPE +SIZE +TAKEN AT +DIST M +FLAGS", r.out, re.M)
          and "trench.jpg" in r.out and "image/png" in r.out and "2026-11-20T09:15:00" in r.out and
          "no_position" in r.out and re.search(r"\d+(\.\d)? kB", r.out), repr(r))
    r = cli("attachments", "list", "--report", rid, "--json", cfg=cfg)
    check("attachments list --json: the API's items", r.rc == 0 and r.json() == items, repr(r))
    if len(items) != 2:
        return
    ja = by_name["trench.jpg"]
    out = os.path.join(WORK, "photos", "got.jpg")
    r = cli("attachments", "get", ja["id"], "-o", out, cfg=cfg)
    with open(out, "rb") as f:
        got = f.read()
    check("attachments get ID -o FILE: byte for byte, SHA-256 as listed",
          r.rc == 0 and got == a and sha(got) == ja["sha256"], repr(r))
    here = os.path.join(WORK, "photos", "dl")
    os.makedirs(here, exist_ok=True)
    env = cli_env(cfg)
    p = subprocess.run([CLI, "attachments", "get", str(by_name["tape.png"]["id"])], cwd=here,
                       capture_output=True, text=True, env=env, timeout=60)
    saved = os.listdir(here)
    check("attachments get ID: saved under its file name in the current directory",
          p.returncode == 0 and saved == ["tape.png"], "%s %r" % (saved, p.stderr))
    p = subprocess.run([CLI, "attachments", "get", str(by_name["tape.png"]["id"])], cwd=here,
                       capture_output=True, text=True, env=env, timeout=60)
    check("... again: exit 2, an existing file is not overwritten without --force",
          p.returncode == 2 and "--force" in p.stderr and os.listdir(here) == ["tape.png"],
          "%d %r %s" % (p.returncode, p.stderr, os.listdir(here)))
    with open(os.path.join(here, "tape.png"), "wb") as f:
        f.write(b"old")
    p = subprocess.run([CLI, "attachments", "get", str(by_name["tape.png"]["id"]), "--force"],
                       cwd=here, capture_output=True, text=True, env=env, timeout=60)
    with open(os.path.join(here, "tape.png"), "rb") as f:
        check("... with --force it is replaced", p.returncode == 0 and f.read() == b and
              os.listdir(here) == ["tape.png"], p.stderr)
    r = cli("attachments", "get", 99999999, "-o", os.path.join(WORK, "photos", "none"), cfg=cfg)
    check("attachments get of an unknown id: exit 6, no file", r.rc == 6 and
          not os.path.exists(os.path.join(WORK, "photos", "none")), repr(r))
    r = cli("attachments", "list", "--report", 99999999, cfg=cfg)
    check("attachments list of an unknown report: exit 6", r.rc == 6, repr(r))

    # A script that keeps its own key and submits the same report twice:
    # the photo's key is made from the report's, so the second is a replay.
    key = "cli-photo-key-" + RUN
    same = write_file("same.jpg", photos.jpeg(salt=b"same " + RUN.encode()))
    C.photo_len += 1
    args = ("progress", "submit", "--segment", C.seg3["id"], "--length", C.photo_len, "--status",
            "in_construction", "--note", note_text("ph-samekey"), "--photo", same,
            "--idempotency-key", key)
    r1, r2 = cli(*args, cfg=cfg), cli(*args, cfg=cfg)
    ids = report_ids("ph-samekey", C.seg3)
    check("the same --idempotency-key and photo twice: one report, one attachment",
          r1.rc == 0 and r2.rc == 0 and "had it already" in r2.out and len(ids) == 1 and
          len(attachments_of(ids[0])) == 1, "%r / %r / %s" % (r1, r2, ids))

    c = photos.jpeg(salt=b"json " + RUN.encode())
    r = photo_submit("ph-json", "--photo", write_file("json.jpg", c), "--json")
    j = r.json() or {}
    att = j.get("attachments") or [{}]
    check("submit --json with a photo: the report with its attachments",
          r.rc == 0 and isinstance(j.get("id"), int) and len(j.get("attachments", [])) == 1 and
          att[0].get("sha256") == sha(c) and att[0].get("progress_report_id") == j.get("id"),
          repr(r))


@case
def photos_offline():
    """Photos made without a connection wait in the queue (as copies) and
    arrive once each after their report."""
    cfg = C.cfg
    c = photos.jpeg(taken="2026:11:21 08:00:00", lat=49.8, lon=8.6, salt=RUN.encode())
    d = photos.pdf()
    pc, pd = write_file("offline.jpg", c), write_file("Aufmaß.pdf", d)
    PROXY.set("refuse")
    r = photo_submit("ph-offline", "--photo", pc, "--photo", pd, "--retries", "1")
    check("submit with photos while the server is unreachable: exit 8, queued with its photos",
          r.rc == 8 and "NOT sent" in r.err and "with its photos" in r.err and
          len(pending(cfg)) == 1, repr(r))
    os.remove(pc)
    os.remove(pd)  # the queue holds copies
    r = cli("queue", cfg=cfg)
    check("queue shows the report and each of its photos", r.rc == 0 and "2 waiting" in r.out and
          "Photos:" in r.out and "offline.jpg" in r.out and "Aufmaß.pdf" in r.out, repr(r))
    r = cli("queue", "--json", cfg=cfg)
    ph = ((r.json() or {}).get("pending") or [{}])[0].get("photos", [])
    check("queue --json: the photos with their own keys and SHA-256",
          r.rc == 0 and [p["file_name"] for p in ph] == ["offline.jpg", "Aufmaß.pdf"] and
          len({p["idempotency_key"] for p in ph}) == 2 and
          [p["sha256"] for p in ph] == [sha(c), sha(d)], repr(r))
    r = cli("sync", "--retries", "0", cfg=cfg)
    check("sync while still unreachable: exit 7, all kept", r.rc == 7 and len(pending(cfg)) == 1,
          repr(r))
    PROXY.set("pass")
    r = cli("sync", cfg=cfg)
    check("sync when back: exit 0, the report and both photos sent",
          r.rc == 0 and "1 sent" in r.out and "photos: 2 sent, 0 failed" in r.out, repr(r))
    ids = report_ids("ph-offline", C.seg3)
    check("... the report exactly once (API)", len(ids) == 1, str(ids))
    items = attachments_of(ids[0]) if ids else []
    check("... exactly 2 attachments, the very bytes (API)", len(items) == 2 and
          sorted(x["sha256"] for x in items) == sorted([sha(c), sha(d)]) and
          {x["file_name"] for x in items} == {"offline.jpg", "Aufmaß.pdf"}, json.dumps(items)[:600])
    check("... the queue and its photo copies are empty", pending(cfg) == [] and
          queue_files(cfg) == [], "%s %s" % (pending(cfg), queue_files(cfg)))


@case
def photos_lost_answers():
    """A photo whose answer is lost is sent again with its key: a replay,
    never a second attachment; the report is never sent again."""
    cfg = C.cfg
    e, f = photos.jpeg(salt=b"lost-e" + RUN.encode()), photos.png()
    photo_submit("ph-lost", "--photo", write_file("lost-e.jpg", e), "--photo",
                 write_file("lost-f.png", f), "--queue")
    PROXY.set("pass", skip=1, drops=1)  # the report goes, the first photo's answer is cut
    r = cli("sync", cfg=cfg)
    check("sync with a photo's answer lost: exit 0 after a retry, which is a replay",
          r.rc == 0 and PROXY.dropped == 1 and "trying again" in r.err and
          "had it already" in r.out and "photos: 2 sent" in r.out, repr(r))
    ids = report_ids("ph-lost", C.seg3)
    items = attachments_of(ids[0]) if len(ids) == 1 else []
    check("... 1 report and exactly 2 attachments (API)", len(ids) == 1 and len(items) == 2 and
          sorted(x["sha256"] for x in items) == sorted([sha(e), sha(f)]),
          "%s %s" % (ids, json.dumps(items)[:400]))

    g = photos.jpeg(salt=b"lost-g" + RUN.encode(), pad=2 * 1024 * 1024)
    photo_submit("ph-lost2", "--photo", write_file("lost-g.jpg", g), "--queue")
    PROXY.set("pass", skip=1, drops=100)  # every answer to the photo is lost
    r = cli("sync", "--retries", "1", cfg=cfg)
    j = entry_json(cfg) if pending(cfg) else {}
    ids = report_ids("ph-lost2", C.seg3)
    check("every answer to a 2 MB photo lost: exit 7, kept, the report id recorded in the entry",
          r.rc == 7 and len(pending(cfg)) == 1 and len(ids) == 1 and
          j.get("report_id") == ids[0] and len(j.get("photos", [])) == 1, "%r %s" % (r, j))
    check("... though the server has it already", len(ids) == 1 and len(attachments_of(ids[0])) == 1)
    PROXY.set("pass")
    r = cli("sync", cfg=cfg)
    check("the next sync gets a replay and does not send the report again",
          r.rc == 0 and "had it already" in r.out and "0 sent" in r.out and pending(cfg) == [] and
          len(report_ids("ph-lost2", C.seg3)) == 1, repr(r))
    check("... still exactly 1 attachment", len(ids) == 1 and len(attachments_of(ids[0])) == 1)

    # Crashes between the server's answer and the queue file.
    h = photos.jpeg(salt=b"crash-h" + RUN.encode())
    r = photo_submit("ph-crash1", "--photo", write_file("crash-h.jpg", h),
                     env={"FIBERTRACK_FAULT": "photo-sent-before-remove"})
    ids = report_ids("ph-crash1", C.seg3)
    check("crash after a photo was acknowledged, before it left the entry: kept",
          r.rc != 0 and len(pending(cfg)) == 1 and len(ids) == 1 and
          len(attachments_of(ids[0])) == 1, repr(r))
    r = cli("sync", cfg=cfg)
    check("... sync: a replay, exactly 1 attachment, the report once",
          r.rc == 0 and "had it already" in r.out and pending(cfg) == [] and queue_files(cfg) == []
          and len(attachments_of(ids[0])) == 1 and len(report_ids("ph-crash1", C.seg3)) == 1,
          repr(r))
    k = photos.jpeg(salt=b"crash-k" + RUN.encode())
    r = photo_submit("ph-crash2", "--photo", write_file("crash-k.jpg", k),
                     env={"FIBERTRACK_FAULT": "report-sent-before-record"})
    check("crash after the report was acknowledged, before its id was recorded: kept",
          r.rc != 0 and len(pending(cfg)) == 1 and len(report_ids("ph-crash2", C.seg3)) == 1,
          repr(r))
    r = cli("sync", cfg=cfg)
    ids = report_ids("ph-crash2", C.seg3)
    check("... sync: the report replayed (still once), then its photo sent once",
          r.rc == 0 and len(ids) == 1 and pending(cfg) == [] and
          [x["sha256"] for x in attachments_of(ids[0])] == [sha(k)], repr(r))


@case
def photos_refused():
    """A file the server refuses (415) does not hold up the report or the
    other photos, stays visible as failed and is not sent again by itself."""
    cfg = C.cfg
    good = photos.jpeg(salt=b"good" + RUN.encode())
    pg, pn = write_file("good.jpg", good), write_file("notes.txt", photos.not_an_image())
    r = photo_submit("ph-415", "--photo", pn, "--photo", pg)
    ids = report_ids("ph-415", C.seg3)
    check("a file that is not an image: exit 4, told clearly, the report recorded",
          r.rc == 4 and re.search(r"Report #\d+ recorded", r.out) is not None and
          "does not look like" in r.err and "photo notes.txt" in r.err and
          "not a JPEG, PNG, HEIC or PDF" in r.err and "Photo good.jpg" in r.out and len(ids) == 1,
          repr(r))
    items = attachments_of(ids[0]) if ids else []
    check("... the good photo is attached, the refused one not", [x["file_name"] for x in items] ==
          ["good.jpg"], json.dumps(items)[:400])
    check("... kept with the failed ones, nothing pending", pending(cfg) == [] and
          len(failed_files(cfg)) == 1 and len(queue_files(cfg)) == 1,
          "%s %s" % (failed_files(cfg), queue_files(cfg)))
    r = cli("queue", cfg=cfg)
    check("queue shows the refused photo with its reason", r.rc == 0 and "Failed" in r.out and
          "photo notes.txt: 415" in r.out and re.search(r"notes\.txt .*failed +415", r.out), repr(r))
    r = cli("sync", cfg=cfg)
    check("sync does not send it again", r.rc == 0 and len(attachments_of(ids[0])) == 1 and
          len(failed_files(cfg)) == 1, repr(r))
    fid = failed_files(cfg)[0].rsplit("-", 1)[1][:-5]
    r = cli("queue", "retry", fid, cfg=cfg)
    r2 = cli("sync", cfg=cfg)
    check("queue retry: only the photo goes again (the report is not resent), refused again",
          r.rc == 0 and r2.rc == 4 and len(report_ids("ph-415", C.seg3)) == 1 and
          len(attachments_of(ids[0])) == 1 and len(failed_files(cfg)) == 1 and pending(cfg) == [],
          "%r %r" % (r, r2))
    r = cli("queue", "drop", fid, cfg=cfg)
    check("queue drop removes it with its photo copy", r.rc == 0 and failed_files(cfg) == [] and
          queue_files(cfg) == [], repr(r))


@case
def photos_refused_locally():
    """What cannot be sent at all is refused before anything is queued."""
    cfg = C.cfg
    ok = write_file("fine.jpg", photos.jpeg())
    before = int(sql("SELECT COUNT(*) FROM progress_reports")[0][0])
    cases = [
        ("a missing file", [os.path.join(WORK, "photos", "missing.jpg")], "no such file"),
        ("a directory", [os.path.join(WORK, "photos")], "directory"),
        ("an empty file", [write_file("empty.jpg", b"")], "empty"),
        ("a file over 25 MiB", [write_file("huge.jpg", photos.jpeg(pad=25 * 1024 * 1024))],
         "25 MiB"),
        ("the same file twice", [ok, ok], "same file"),
    ]
    for what, files, says in cases:
        args = [a for f in files for a in ("--photo", f)]
        r = photo_submit("ph-local", *args)
        check("--photo with %s: exit 2, nothing queued" % what,
              r.rc == 2 and says in r.err and "Nothing was queued" in r.err and
              pending(cfg) == [] and queue_files(cfg) == [], repr(r))
    r = photo_submit("ph-local", "--caption", "x")
    check("--caption without --photo: exit 2", r.rc == 2, repr(r))
    r = photo_submit("ph-local", "--photo", ok, "--caption", "two\nlines")
    check("--caption with a newline: exit 2", r.rc == 2 and "one line" in r.err, repr(r))
    r = photo_submit("ph-local", "--photo", ok, "--no-queue")
    check("--photo with --no-queue: exit 2", r.rc == 2, repr(r))
    check("... and nothing was sent",
          int(sql("SELECT COUNT(*) FROM progress_reports")[0][0]) == before)
    os.remove(os.path.join(WORK, "photos", "huge.jpg"))


@case
def photos_progress_bar():
    """A large upload shows a progress bar on a terminal."""
    cfg = C.cfg
    big = photos.jpeg(salt=b"big" + RUN.encode(), pad=12 * 1024 * 1024)
    path = write_file("big.jpg", big)
    C.photo_len += 1
    rc, out = cli_tty(["progress", "submit", "--segment", C.seg3["id"], "--length", C.photo_len,
                       "--status", "in_construction", "--note", note_text("ph-big"),
                       "--photo", path], cfg, timeout=120)
    ids = report_ids("ph-big", C.seg3)
    check("a 12 MB photo on a terminal: a progress bar while it uploads",
          rc == 0 and "Uploading big.jpg" in out and "%" in out and "MB" in out,
          "exit %s %r" % (rc, out[-400:]))
    check("... and it arrived once, whole", len(ids) == 1 and
          [x["sha256"] for x in attachments_of(ids[0])] == [sha(big)], str(ids))
    C.photo_len += 1
    rc, out = cli_tty(["progress", "submit", "--segment", C.seg3["id"], "--length", C.photo_len,
                       "--status", "in_construction", "--note", note_text("ph-big-json"),
                       "--photo", path, "--json"], cfg, timeout=120)
    check("... but not with --json", rc == 0 and "Uploading" not in out, repr(out[-300:]))
    os.remove(path)


@case
def attachment_names():
    """A download never takes a path from the server, and is checked
    against the SHA-256 the server names."""
    cfg = cfg_dir("fake")
    r = cli("login", "--server", FAKE, "--email", "fake@example.org", cfg=cfg, stdin="x\n")
    data = photos.jpeg()
    tag = '"%s"' % sha(data)
    FAKEX.files = {
        1: (data, {"ETag": tag, "Content-Disposition": 'attachment; filename="../../escape.jpg"'}),
        2: (data, {"ETag": tag, "Content-Disposition": 'attachment; filename=".."'}),
        3: (data, {"ETag": tag, "Content-Disposition": "attachment; filename=\"x.jpg\"; "
                   "filename*=UTF-8''..%2F..%2F.bashrc"}),
        4: (data, {"ETag": '"%s"' % ("0" * 64), "Content-Disposition": 'attachment; filename="d.jpg"'}),
        5: (data, {"ETag": tag, "Content-Disposition":
                   "attachment; filename=\"Stra_e.jpg\"; filename*=UTF-8''Stra%C3%9Fe.jpg"}),
    }
    here = os.path.join(WORK, "names", "a", "b")
    os.makedirs(here, exist_ok=True)
    env = cli_env(cfg)

    def get(n):
        return subprocess.run([CLI, "attachments", "get", str(n)], cwd=here, capture_output=True,
                              text=True, env=env, timeout=60)

    p = get(1)
    check("a server name with a path: only its last part, in the current directory",
          r.rc == 0 and p.returncode == 0 and os.listdir(here) == ["escape.jpg"] and
          not os.path.exists(os.path.join(WORK, "names", "escape.jpg")), "%r %s" % (p, os.listdir(here)))
    p = get(2)
    check("a server name '..': refused, nothing written", p.returncode == 2 and "-o FILE" in p.stderr
          and os.listdir(here) == ["escape.jpg"], "%r %s" % (p, os.listdir(here)))
    p = get(3)
    check("a hidden name from filename*: refused", p.returncode == 2 and
          os.listdir(here) == ["escape.jpg"], "%r %s" % (p, os.listdir(here)))
    p = get(4)
    check("bytes that do not match the server's SHA-256: exit 1, nothing kept",
          p.returncode == 1 and "damaged" in p.stderr and os.listdir(here) == ["escape.jpg"],
          "%r %s" % (p, os.listdir(here)))
    p = get(5)
    check("a UTF-8 name (filename*) is used as it is", p.returncode == 0 and
          sorted(os.listdir(here)) == ["Straße.jpg", "escape.jpg"], "%r %s" % (p, os.listdir(here)))



# ---- everyday work without curl (issue 12) -------------------------------------------------

COMMANDS = ("login", "logout", "whoami", "projects", "lots", "segments", "premises", "milestones",
            "progress", "sync", "queue", "reports", "export", "import", "attachments", "completion")


def yesterday_german():
    t = time.gmtime(time.time() - 86400)
    return time.strftime("%d.%m.%Y", t), time.strftime("%Y-%m-%d", t)


@case
def everyday_help():
    """EXAMPLES in every help page; "did you mean" on commands, subcommands
    and options; German dates."""
    r = cli("--help")
    check("--help has EXAMPLES and names the code cache", r.rc == 0 and "EXAMPLES" in r.out and
          "codes.json" in r.out, repr(r))
    for cmd in COMMANDS:
        r = cli(cmd, "--help")
        check("%s --help: usage and EXAMPLES" % cmd, r.rc == 0 and
              ("Usage: fibertrack " + cmd) in r.out and "\nEXAMPLES\n" in r.out, repr(r))
    for args in (("segments", "accept", "--help"), ("segments", "show", "--help"),
                 ("progress", "submit", "--help"), ("progress", "list", "--help"),
                 ("milestones", "update", "--help"), ("attachments", "get", "--help")):
        r = cli(*args)
        check("%s: EXAMPLES" % " ".join(args), r.rc == 0 and "EXAMPLES" in r.out, repr(r))
    r = cli("segmnts")
    check("a misspelt command: exit 2, did you mean segments",
          r.rc == 2 and "did you mean segments?" in r.err, repr(r))
    r = cli("help", "mielstones")
    check("help with a misspelt command: did you mean milestones",
          r.rc == 2 and "did you mean milestones?" in r.err, repr(r))
    r = cli("segments", "--stauts", "planned")
    check("a misspelt option: exit 2, did you mean --status",
          r.rc == 2 and "did you mean --status?" in r.err, repr(r))
    r = cli("progress", "submit", "--segmnet", "S-000001", "--length", "1", "--status", "planned")
    check("a misspelt option of a subcommand: did you mean --segment",
          r.rc == 2 and "did you mean --segment?" in r.err, repr(r))
    r = cli("--jsno", "segments")
    check("a misspelt global option: did you mean --json",
          r.rc == 2 and "did you mean --json?" in r.err, repr(r))
    r = cli("progress", "sumbit")
    check("a misspelt subcommand: did you mean submit", r.rc == 2 and "did you mean submit?" in r.err,
          repr(r))
    r = cli("segments", "acept", "S-000001")
    check("segments acept: did you mean accept", r.rc == 2 and "did you mean accept?" in r.err,
          repr(r))
    r = cli("segments", "--lot")
    check("an option without its value is named", r.rc == 2 and "--lot needs a value" in r.err,
          repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "1", "--status", "planned",
            "--date", "31.02.2026")
    check("an impossible German date: exit 2", r.rc == 2 and "25.11.2026" in r.err, repr(r))
    r = cli("progress", "submit", "--segment", "1", "--length", "1", "--status", "planned",
            "--date", "01.01.2999")
    check("a German date is read as one (01.01.2999 is in the future)",
          r.rc == 2 and "2999-01-01 is in the future" in r.err, repr(r))
    r = cli("reports", "progress", "--as-of", "2026/09/30")
    check("reports: a date in neither form: exit 2", r.rc == 2, repr(r))
    r = cli("milestones", "update", "1", "--forecast-date", "32.12.2026")
    check("milestones update: a bad German date: exit 2", r.rc == 2, repr(r))


@case
def fibertrackd_help_touches_nothing():
    """--version and --help on every fibertrackd command print and exit 0
    without starting a database or creating a directory."""
    here = tempfile.mkdtemp(prefix="ftd-help.", dir=WORK)
    data = os.path.join(here, "no", "such", "dir")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FT_")}
    env["FT_DATA_DIR"] = data
    runs = [("--version",), ("--help",), ("-h",), ("help",), ("serve", "--help"), ("serve", "-h"),
            ("migrate", "--help"), ("demo", "--help"), ("user", "add", "--help"),
            ("token", "issue", "--help"), ("serve", "--listen", "127.0.0.1:1", "--help")]
    for args in runs:
        t = time.time()
        try:
            p = subprocess.run([FTD] + list(args), cwd=here, env=env, capture_output=True,
                               text=True, timeout=20)
        except subprocess.TimeoutExpired:
            check("fibertrackd %s: prints and exits" % " ".join(args), False, "timed out")
            continue
        want = "fibertrackd 1." if args == ("--version",) else "usage: fibertrackd"
        sub = " ".join(a for a in args[:2] if not a.startswith("-") and a != "127.0.0.1:1")
        check("fibertrackd %s: exit 0, prints, touches nothing" % " ".join(args),
              p.returncode == 0 and want in p.stdout and os.listdir(here) == [] and
              not os.path.exists(data) and time.time() - t < 10 and
              (not sub or sub == "help" or ("usage: fibertrackd " + sub) in p.stdout),
              "exit %s, %r, %r, dir %s" % (p.returncode, p.stdout[:300], p.stderr[:300],
                                           os.listdir(here)))
    p = subprocess.run([FTD, "serve", "--help"], cwd=here, env=env, capture_output=True, text=True,
                       timeout=20)
    check("serve --help lists the server options", "--listen" in p.stdout and
          "--upload-rate" in p.stdout and "FT_DATA_DIR" in p.stdout, p.stdout[-400:])
    r = cli("--version")
    check("fibertrack --version", r.rc == 0 and re.match(r"fibertrack \d", r.out), repr(r))
    shutil.rmtree(here, ignore_errors=True)


def codes_file(cfg):
    return os.path.join(cfg, "fibertrack", "codes.json")


@case
def codes_everywhere():
    """Codes where ids go, online and offline (the local code cache); tables
    show codes, --json keeps the ids."""
    cfg = cfg_dir("codes")
    login(cfg, CONTRACTOR)
    cf = codes_file(cfg)
    check("login fills the code cache (codes.json, mode 0600)", os.path.exists(cf) and
          stat.S_IMODE(os.stat(cf).st_mode) == 0o600)
    with open(cf) as f:
        cache = json.load(f)
    own = api_all("/api/v1/segments", C.ctok)
    check("... with the contractor's segments and lots", cache.get("server") == VIA_PROXY and
          {s["code"] for s in own} == {r[0] for r in cache.get("segments", [])} and
          "LOS-1" in {r[0] for r in cache.get("lots", [])}, str(cache)[:300])
    lots = {x["id"]: x["code"] for x in api_all("/api/v1/lots", C.mtok)}

    # Tables show codes.
    r = cli("segments", cfg=cfg)
    served = {p["serving_segment_id"] for p in api_all("/api/v1/premises", C.ctok)}
    first = [x for x in own if x["id"] in served][0]
    check("segments table: CODE and LOT codes, no id column",
          r.rc == 0 and re.search(r"^CODE +LOT ", r.out, re.M) is not None and
          re.search(r"^%s +%s " % (re.escape(first["code"]), re.escape(lots[first["lot_id"]])),
                    r.out, re.M) is not None and not re.search(r"^ *ID ", r.out, re.M), repr(r))
    r = cli("segments", "--json", "--limit", "1", cfg=cfg)
    j = (r.json() or [{}])[0]
    check("segments --json keeps the ids (id, lot_id)", r.rc == 0 and "id" in j and "lot_id" in j
          and "lot_code" not in j, repr(r))
    r = cli("lots", cfg=cfg)
    check("lots: codes and the contractor's name", r.rc == 0 and "LOS-1" in r.out and
          "Tiefbau Nord" in r.out and "LOS-2" not in r.out, repr(r))
    r = cli("premises", "--segment", first["code"], cfg=cfg)
    check("premises --segment CODE: served premises, SEGMENT shows the code",
          r.rc == 0 and re.search(r"SEGMENT\s*$", r.out.splitlines()[0]) is not None and
          first["code"] in r.out.split("\n", 2)[-1], repr(r))
    r = cli("projects", cfg=cfg)
    check("projects table: CODE first", r.rc == 0 and r.out.startswith("CODE"), repr(r))

    # Codes where ids go, online.
    lot1 = [i for i, c in lots.items() if c == "LOS-1"][0]
    r = cli("segments", "--lot", "LOS-1", "--json", cfg=cfg)
    check("segments --lot LOS-1", r.rc == 0 and r.json() and
          all(s["lot_id"] == lot1 for s in r.json()), repr(r))
    r = cli("segments", "--lot", "los-1", "--json", cfg=cfg)
    check("... also in lower case", r.rc == 0 and r.json() and
          all(s["lot_id"] == lot1 for s in r.json()), repr(r))
    r = cli("segments", "--lot", "LOS-2", cfg=cfg)
    check("a lot of another contractor: exit 6, with the close codes one can see",
          r.rc == 6 and "LOS-2" in r.err and "did you mean" in r.err and "LOS-1" in r.err, repr(r))
    tn = [x for x in api_all("/api/v1/contractors", C.mtok) if x["name"].startswith("Tiefbau Nord")][0]
    r = cli("segments", "--contractor", "tiefbau nord", "--json", cfg=cfg)
    check("segments --contractor (the start of the name, any case)",
          r.rc == 0 and r.json() and all(x["contractor_id"] == tn["id"] for x in r.json()), repr(r))
    r = cli("segments", "--method", "open_trench", "--json", cfg=cfg)
    check("segments --method", r.rc == 0 and isinstance(r.json(), list) and
          all(x["method"] == "open_trench" for x in r.json()), repr(r))
    r = cli("segments", "--method", "open-trench", cfg=cfg)
    check("segments --method misspelt: did you mean open_trench", r.rc == 2 and
          "did you mean open_trench?" in r.err, repr(r))
    r = cli("segments", "--contractor", "Nobody GmbH", cfg=cfg)
    check("segments --contractor unknown: exit 6", r.rc == 6 and "Nobody GmbH" in r.err, repr(r))
    typo = first["code"].replace("-0", "-", 1)
    r = cli("progress", "list", "--segment", typo, cfg=cfg)
    check("an unknown segment code online: exit 6, did you mean the right one",
          r.rc == 6 and ("did you mean %s" % first["code"]) in r.err, repr(r))
    r = cli("progress", "list", "--segment", first["code"], "--json", cfg=cfg)
    check("progress list --segment CODE", r.rc == 0 and
          all(x["segment_id"] == first["id"] for x in r.json() or []), repr(r))

    # Offline: the code comes from the cache and the report is queued.
    used = {C.seg["id"], C.seg2["id"], C.seg3["id"], C.ahead["id"]}
    free = [s for s in own if s["id"] not in used and s["status"] in ("planned", "permitted")]
    seg = free[0]
    german, iso = yesterday_german()
    PROXY.set("refuse")
    r = cli("progress", "submit", "--segment", seg["code"], "--length", "3", "--status",
            "in_construction", "--date", german, "--note", note_text("code-offline"),
            "--retries", "0", cfg=cfg)
    entries = [json.load(open(os.path.join(cfg, "fibertrack", "queue", "pending", f)))
               for f in pending(cfg)]
    body = json.loads(entries[0]["body"]) if entries else {}
    check("offline: submit --segment CODE is queued (exit 8), not refused",
          r.rc == 8 and "local code cache" in r.err and len(entries) == 1, repr(r))
    check("... the queued body has the segment's id and the German date as ISO",
          body.get("segment_id") == seg["id"] and body.get("report_date") == iso, str(body))
    r = cli("progress", "submit", "--segment", seg["code"].lower(), "--length", "4", "--status",
            "in_construction", "--note", note_text("code-offline2"), "--queue", cfg=cfg)
    check("offline with --queue and the code in lower case: exit 0", r.rc == 0 and
          len(pending(cfg)) == 2, repr(r))
    r = cli("queue", cfg=cfg)
    check("queue shows the segment's code", r.rc == 0 and seg["code"] in r.out, repr(r))
    r = cli("progress", "submit", "--segment", "S-999999", "--length", "1", "--status",
            "in_construction", "--retries", "0", cfg=cfg)
    check("offline, a code not in the cache: exit 7, says to run fibertrack sync online",
          r.rc == 7 and "fibertrack sync" in r.err and "S-999999" in r.err and
          len(pending(cfg)) == 2, repr(r))
    r = cli("segments", "--lot", "LOS-1", "--retries", "0", cfg=cfg)
    check("offline, a list is still a network error (exit 7)", r.rc == 7, repr(r))
    PROXY.set("pass")
    r = cli("sync", cfg=cfg)
    check("online again: sync sends both (exit 0), naming the segment by its code",
          r.rc == 0 and "2 sent" in r.out and ("segment %s," % seg["code"]) in r.out, repr(r))
    check("... each once, for the right segment", db_count_note(note_text("code-offline")) == 1 and
          api_count_note(C.ctok, seg["id"], note_text("code-offline2")) == 1)

    # A code the server dropped leaves the cache.
    with open(cf) as f:
        cache = json.load(f)
    cache["segments"].append(["S-GONE-1", 999999, 1, 1])
    with open(cf, "w") as f:
        json.dump(cache, f)
    r = cli("progress", "list", "--segment", "S-GONE-1", cfg=cfg)
    with open(cf) as f:
        codes = {row[0] for row in json.load(f)["segments"]}
    check("a cached code the server does not know: exit 6 and forgotten",
          r.rc == 6 and "S-GONE-1" not in codes, repr(r))


def bash_complete(cfg, *words):
    """The words bash completion offers after `fibertrack WORDS...` (the last
    word is the one being completed)."""
    words = ["fibertrack"] + list(words)
    script = cli("completion", "bash", cfg=cfg).out
    arr = " ".join("'%s'" % w.replace("'", "'\\''") for w in words)
    prog = "%s\nCOMP_WORDS=(%s); COMP_CWORD=%d; _fibertrack; printf '%%s\\n' \"${COMPREPLY[@]}\"\n" % (
        script, arr, len(words) - 1)
    env = cli_env(cfg, {"PATH": ftlib.bindir() + os.pathsep + os.environ.get("PATH", "")})
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True,
                       env=env, timeout=30)
    return [w for w in p.stdout.split("\n") if w], p.stderr


@case
def completion():
    cfg = cfg_dir("codes")
    r = cli("completion", "bash", cfg=cfg)
    p = subprocess.run(["bash", "-n"], input=r.out, capture_output=True, text=True, timeout=30)
    check("completion bash: a script bash -n accepts", r.rc == 0 and "complete -F _fibertrack" in
          r.out and p.returncode == 0, "%r %s" % (r, p.stderr))
    got, err = bash_complete(cfg, "seg")
    check("completes a command", got == ["segments"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "segments", "")
    check("completes subcommands", got == ["list", "show", "accept"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "progress", "submit", "--seg")
    check("completes a subcommand's options", got == ["--segment"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "progress", "submit", "--status", "civ")
    check("completes option values", got == ["civil_done"], "%s %s" % (got, err))
    own = api_all("/api/v1/segments", C.ctok)
    got, err = bash_complete(cfg, "progress", "submit", "--segment", "")
    check("--segment: the codes from the local cache", sorted(got) == sorted(s["code"] for s in own),
          "%s %s" % (got[:5], err))
    got, err = bash_complete(cfg, "segments", "--lot", "LOS")
    check("--lot: lot codes from the cache", got == ["LOS-1", "LOS-3"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "segments", "accept", own[0]["code"][:-1])
    check("segments accept: segment codes", own[0]["code"] in got, "%s %s" % (got, err))
    got, err = bash_complete(cfg, "--json", "segments", "--status", "planned", "--l")
    check("options after global options and values", "--lot" in got and "--limit" in got,
          "%s %s" % (got, err))
    r = cli("completion", "zsh", cfg=cfg)
    check("completion zsh: a #compdef script", r.rc == 0 and r.out.startswith("#compdef fibertrack")
          and "compdef _fibertrack fibertrack" in r.out and "_fibertrack_complete" in r.out, repr(r))
    if shutil.which("zsh"):
        p = subprocess.run(["zsh", "-n"], input=r.out, capture_output=True, text=True, timeout=30)
        check("zsh -n accepts it", p.returncode == 0, p.stderr)
        # zsh's own completion system needs a terminal; its builtins are
        # stubbed to print what the function offers.
        path = os.path.join(WORK, "fibertrack.zsh")
        with open(path, "w") as f:
            f.write(r.out)
        prog = ('compdef() { :; }; compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }; '
                '_files() { print __files__; }; source %s; '
                'words=(fibertrack segments ""); CURRENT=3; _fibertrack; '
                'words=(fibertrack progress submit --segment ""); CURRENT=5; _fibertrack; '
                'words=(fibertrack import ""); CURRENT=3; _fibertrack' % path)
        env = cli_env(cfg, {"PATH": ftlib.bindir() + os.pathsep + os.environ.get("PATH", "")})
        p = subprocess.run(["zsh", "-f", "-c", prog], capture_output=True, text=True, env=env,
                           timeout=30)
        got = p.stdout.split()
        check("zsh: subcommands, segment codes from the cache, files", got[:3] == [
              "list", "show", "accept"] and own[0]["code"] in got and got[-1] == "__files__",
              "%s %s" % (got[:8], p.stderr))
    r = cli("completion", "fish", cfg=cfg)
    check("completion fish: exit 2", r.rc == 2 and "bash" in r.err, repr(r))
    # Every option a help page names is completed for that command.
    for cmd, sub in (("segments", "accept"), ("progress", "submit"), ("progress", "list"),
                     ("milestones", "update"), ("reports", ""), ("premises", ""), ("lots", "")):
        helptext = cli(*[w for w in (cmd, sub, "--help") if w], cfg=cfg).out
        section = helptext.split("Options for every command")[0]
        if sub:
            lines = [ln for ln in section.splitlines() if ("fibertrack %s %s" % (cmd, sub)) in ln]
        else:
            lines = [ln for ln in section.splitlines()
                     if ("fibertrack %s" % cmd) in ln or ln.startswith("  --")]
        named = set(re.findall(r"--[a-z][a-z-]+", " ".join(lines))) - {"--help"}
        got, err = bash_complete(cfg, *[w for w in (cmd, sub, "--") if w])
        check("completion offers every option of `%s %s --help`" % (cmd, sub),
              named and named <= set(got), "%s vs %s" % (sorted(named - set(got)), got))


def tested_segments(n):
    """n segments in status tested (made so by the manager when the demo has
    too few)."""
    segs = [s for s in api_all("/api/v1/segments?status=tested", C.mtok)]
    for s in api_all("/api/v1/segments?status=spliced", C.mtok):
        if len(segs) >= n:
            break
        r = api("PATCH", "/api/v1/segments/%d" % s["id"], C.mtok, body={"status": "tested"},
                headers={"If-Match": '"%d"' % s["version"]})
        if r.status == 200:
            segs.append(r.json)
    return segs[:n]


@case
def acceptance_request():
    """What `segments accept` sends, against the scripted server: the
    contract's route body and an Idempotency-Key kept across retries."""
    cfg = cfg_dir("fake")
    accepted = {"id": 9, "code": "S-9", "status": "accepted", "accepted_on": "2026-11-25",
                "accepted_by": 77, "acceptance_note": "Protokoll 1"}
    FAKEX.script = [(503, {"Retry-After": "0"}, {"status": 503, "detail": "busy"}),
                    (200, {}, accepted)]
    FAKEX.seen = []
    r = cli("segments", "accept", 9, "--date", "25.11.2026", "--note", "Protokoll 1", cfg=cfg)
    seen = FAKEX.seen
    check("segments accept ID: exit 0 after a retry, told", r.rc == 0 and
          "accepted on 2026-11-25" in r.out, repr(r))
    check("... the body is {accepted_on, note}, the key the same on both attempts",
          len(seen) == 2 and [json.loads(b) for _, _, b in seen] ==
          [{"accepted_on": "2026-11-25", "note": "Protokoll 1"}] * 2 and
          seen[0][1] == seen[1][1] and re.fullmatch(r"[0-9a-f]{32}", seen[0][1] or ""), str(seen))
    FAKEX.script = [(200, {}, accepted)]
    FAKEX.seen = []
    r = cli("segments", "accept", 9, cfg=cfg)
    check("without --date and --note the body is {} (the server's today)",
          r.rc == 0 and [b for _, _, b in FAKEX.seen] == ["{}"], str(FAKEX.seen))
    FAKEX.script = [(409, {}, {"status": 409, "detail": "segment 9 is not tested (it is planned)"})]
    r = cli("segments", "accept", 9, cfg=cfg)
    check("a 409: exit 5 with the server's reason", r.rc == 5 and "not tested" in r.err, repr(r))
    FAKEX.script = [(403, {}, {"status": 403, "detail": "managers only"})]
    r = cli("segments", "accept", 9, cfg=cfg)
    check("a 403: exit 3", r.rc == 3, repr(r))


@case
def segment_acceptance():
    """segments accept CODE: the Abnahme of a tested segment."""
    cfg = cfg_dir("accept")
    login(cfg, MANAGER)
    spec = api("GET", "/api/v1/openapi.json", C.mtok).json or {}
    if not any(p.startswith("/api/v1/segments/") and p.endswith("/accept")
               for p in spec.get("paths", {})):
        note("the server has no acceptance route yet: skipped")
        return
    segs = tested_segments(3)
    check("the demo has tested segments to accept", len(segs) == 3, str(len(segs)))
    if len(segs) < 3:
        return
    a, b, c = segs
    german, iso = yesterday_german()
    r = cli("segments", "accept", a["code"], "--date", german, "--note", "Protokoll %s" % RUN,
            cfg=cfg)
    s = api("GET", "/api/v1/segments/%d" % a["id"], C.mtok).json or {}
    me = api("GET", "/api/v1/me", C.mtok).json or {}
    check("segments accept CODE --date DD.MM.YYYY --note: exit 0, told",
          r.rc == 0 and ("Segment %s accepted on %s" % (a["code"], iso)) in r.out, repr(r))
    check("... the segment is accepted, on that date, by the manager, with the note",
          s.get("status") == "accepted" and s.get("accepted_on") == iso and
          s.get("accepted_by") == me.get("id") and s.get("acceptance_note") == "Protokoll %s" % RUN,
          str(s))
    r = cli("segments", "accept", a["code"], "--date", iso, cfg=cfg)
    check("accepting it again on the same date: exit 0, says it is accepted already",
          r.rc == 0 and "accepted already" in r.out, repr(r))
    r = cli("segments", "accept", a["code"], "--date", "01.01.2026", cfg=cfg)
    check("... on another date: exit 5 (409), with the date it has",
          r.rc == 5 and iso in r.err, repr(r))
    r = cli("segments", "show", a["code"], cfg=cfg)
    check("segments show: the acceptance fields", r.rc == 0 and "accepted_on" in r.out and
          iso in r.out and "acceptance_note" in r.out, repr(r))
    PROXY.set("pass", drops=1)  # by id: the POST is the first connection
    r = cli("segments", "accept", b["id"], "--json", cfg=cfg)
    PROXY.set("pass")
    j = r.json() or {}
    check("the answer lost: the retry with the same Idempotency-Key is a replay, exit 0",
          r.rc == 0 and "trying again" in r.err and j.get("status") == "accepted" and
          j.get("id") == b["id"], repr(r))
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE entity = 'segment' AND entity_id = %d AND "
               "JSON_VALUE(after_json, '$.status') = 'accepted' AND "
               "(before_json IS NULL OR JSON_VALUE(before_json, '$.status') <> 'accepted')" % b["id"])
    check("... accepted once (one audit entry)", int(rows[0][0]) == 1, str(rows))
    planned = [x for x in api_all("/api/v1/segments?status=planned", C.mtok)][0]
    r = cli("segments", "accept", planned["code"], cfg=cfg)
    check("a segment that is not tested: exit 5 with the server's reason",
          r.rc == 5 and "tested" in r.err, repr(r))
    r = cli("segments", "accept", c["code"], "--note", "x" * 2001, cfg=cfg)
    check("a note over 2000 characters: exit 2, nothing sent", r.rc == 2 and
          (api("GET", "/api/v1/segments/%d" % c["id"], C.mtok).json or {}).get("status") == "tested",
          repr(r))
    r = cli("segments", "accept", "S-00000X", cfg=cfg)
    check("an unknown code: exit 6", r.rc == 6, repr(r))
    r = cli("segments", "accept", c["code"], cfg=C.cfg)
    check("a contractor may not accept: exit 3 (or 6 outside its lots)", r.rc in (3, 6), repr(r))
    # The street, when segments have one, is a column of the table.
    s = api("GET", "/api/v1/segments/%d" % c["id"], C.mtok).json or {}
    street = "Lindenweg %s" % RUN
    p = api("PATCH", "/api/v1/segments/%d" % c["id"], C.mtok, body={"street": street},
            headers={"If-Match": '"%d"' % s.get("version", 0)})
    r = cli("segments", "--search", street, cfg=cfg)
    check("segments table shows the street (and --search finds it)", p.status == 200 and r.rc == 0
          and re.search(r"^CODE +LOT +STREET ", r.out, re.M) is not None and
          re.search(r"^%s +LOS-\d +%s " % (re.escape(c["code"]), re.escape(street)), r.out, re.M)
          is not None, "%r %r" % (p, r))
    note(r.out.strip().replace("\n", "\n      "))


# ---- funding finance: invoices, budget, drawdowns, notes (SPEC 12) -------------------------

FINANCE = "finance@musterstadt.example"
FIN_COMMANDS = ("invoices", "budget", "drawdowns", "notes")


def fin_cfg(name, email):
    cfg = cfg_dir(name)
    login(cfg, email)
    return cfg


def utc_today():
    t = time.gmtime()
    return time.strftime("%d.%m.%Y", t), time.strftime("%Y-%m-%d", t)


@case
def finance_help_and_usage():
    """--help, did you mean, and amounts and dates refused before anything
    is sent (no login needed)."""
    for cmd in FIN_COMMANDS:
        r = cli(cmd, "--help")
        check("%s --help: usage and EXAMPLES" % cmd, r.rc == 0 and
              ("Usage: fibertrack " + cmd) in r.out and "\nEXAMPLES\n" in r.out and
              "--json" in r.out, repr(r))
    for args in (("invoices", "add", "--help"), ("invoices", "import", "--help"),
                 ("drawdowns", "receive", "--help"), ("budget", "set", "--help"),
                 ("notes", "set", "--help"), ("help", "drawdowns")):
        r = cli(*args)
        check("%s: EXAMPLES" % " ".join(args), r.rc == 0 and "EXAMPLES" in r.out, repr(r))
    r = cli("--help")
    check("--help lists the finance commands", all(c in r.out for c in FIN_COMMANDS), repr(r))
    r = cli("invoice")
    check("invoice: did you mean invoices", r.rc == 2 and "did you mean invoices?" in r.err, repr(r))
    r = cli("drawdowns", "sumbit", "1")
    check("drawdowns sumbit: did you mean submit", r.rc == 2 and "did you mean submit?" in r.err,
          repr(r))
    r = cli("invoices", "add", "--nmuber", "X")
    check("invoices add --nmuber: did you mean --number",
          r.rc == 2 and "did you mean --number?" in r.err, repr(r))
    r = cli("budget", "set", "--planed", "1")
    check("budget set --planed: did you mean --planned",
          r.rc == 2 and "did you mean --planned?" in r.err, repr(r))
    add = ("invoices", "add", "--number", "X-1", "--date", "25.11.2026", "--category",
           "civil_works", "--lot", "LOS-1", "--net")
    for amount, says in (("1.234", "ambiguous"), ("12,345", "ambiguous"),
                         ("1.234,567", "more than two decimals"), ("12.345", "ambiguous"),
                         ("0,125", "more than two decimals"), ("-5", "negative"),
                         ("1.23.4", "thousands separator"), ("zwölf", "not an amount"),
                         ("1.234,5.6", "two decimal marks")):
        r = cli(*(add + (amount,)))
        check("--net %s refused (%s), exit 2" % (amount, says), r.rc == 2 and says in r.err and
              "--net" in r.err, repr(r))
    r = cli("drawdowns", "add", "--from", "01.01.2026", "--to", "31.02.2026")
    check("an impossible German date: exit 2", r.rc == 2 and "25.11.2026" in r.err, repr(r))
    r = cli("invoices", "list", "--category", "civl_works")
    check("an unknown category: exit 2, did you mean",
          r.rc == 2 and "did you mean civil_works?" in r.err, repr(r))
    r = cli("invoices", "add", "--number", "X", "--date", "1.1.2026", "--category", "other")
    check("invoices add without --net: exit 2", r.rc == 2 and "--net" in r.err, repr(r))
    r = cli("drawdowns", "receive", "1", "--date", "1.1.2026", "--federal", "1")
    check("drawdowns receive without --state: exit 2", r.rc == 2 and "--state" in r.err, repr(r))
    r = cli("notes", "set", "--from", "1.1.2026", "--to", "31.3.2026")
    check("notes set without --text or --file: exit 2", r.rc == 2 and "--file" in r.err, repr(r))


@case
def finance_invoices():
    cfg = fin_cfg("finance", FINANCE)
    ftok = api_login(FINANCE)
    before = api_all("/api/v1/invoices", ftok)
    r = cli("invoices", cfg=cfg)
    check("invoices: a table with contractor names, lot codes and a totals row",
          r.rc == 0 and re.search(r"^NUMBER +DATE +CONTRACTOR +LOT +CATEGORY +NET EUR", r.out, re.M)
          and "Tiefbau Nord GmbH" in r.out and "LOS-1" in r.out and
          ("total (%d)" % len(before)) in r.out, repr(r))
    net = sum(i["net_cents"] for i in before)
    total = "{:,.2f}".format(net / 100)
    check("... the total is the sum of the net amounts (English with LC_ALL=C)", total in r.out,
          "%s %r" % (total, r.out[-300:]))
    r = cli("invoices", env={"LC_ALL": "de_DE.UTF-8"}, cfg=cfg)
    german = total.replace(",", "X").replace(".", ",").replace("X", ".")
    check("... German amounts with a German LC_ALL", r.rc == 0 and german in r.out,
          "%s %r" % (german, r.out[-300:]))
    r = cli("invoices", "--json", cfg=cfg)
    check("invoices --json: the server's objects, all of them", r.rc == 0 and
          sorted(i["id"] for i in r.json() or []) == sorted(i["id"] for i in before), repr(r))
    lot1 = [i for i in before if i["lot_id"] == 1]
    r = cli("invoices", "--lot", "LOS-1", "--json", cfg=cfg)
    check("invoices --lot LOS-1", r.rc == 0 and sorted(i["id"] for i in r.json() or []) ==
          sorted(i["id"] for i in lot1), repr(r))
    r = cli("invoices", "--contractor", "Glasfaser Montage", "--status", "paid", "--json", cfg=cfg)
    check("invoices --contractor NAME --status", r.rc == 0 and r.json() and
          all(i["contractor_id"] == 2 and i["status"] == "paid" for i in r.json()), repr(r))
    r = cli("invoices", "--from", "01.07.2026", "--to", "2026-09-30", "--json", cfg=cfg)
    want = sorted(i["id"] for i in before if "2026-07-01" <= i["invoice_date"] <= "2026-09-30")
    check("invoices --from (German) --to (ISO): the invoice dates of the period",
          r.rc == 0 and want and sorted(i["id"] for i in r.json() or []) == want, repr(r))

    num = "CLI-%s-1" % RUN
    r = cli("invoices", "add", "--number", num, "--date", "25.11.2026", "--category", "civil_works",
            "--net", "1.234,56", "--vat", "234,57", "--eligible", "1.000,00", "--lot", "LOS-1",
            cfg=cfg)
    got = [i for i in api_all("/api/v1/invoices?number=" + num, ftok)]
    inv = got[0] if got else {}
    check("invoices add with German amounts and date: exit 0, told in euros", r.rc == 0 and
          "1,234.56 EUR" in r.out and num in r.out, repr(r))
    check("... cents to the server, the lot's contractor, the date as ISO",
          inv.get("net_cents") == 123456 and inv.get("vat_cents") == 23457 and
          inv.get("eligible_cents") == 100000 and inv.get("contractor_id") == 1 and
          inv.get("lot_id") == 1 and inv.get("invoice_date") == "2026-11-25" and
          inv.get("status") == "received", str(inv))
    r = cli("invoices", "add", "--number", num, "--date", "25.11.2026", "--category", "civil_works",
            "--net", "1", "--lot", "LOS-1", cfg=cfg)
    check("the same number of the same contractor again: exit 5", r.rc == 5 and num in r.err,
          repr(r))
    r = cli("invoices", "add", "--number", num + "b", "--date", "25.11.2026", "--category",
            "other", "--net", "100", "--eligible", "150,5", "--status", "paid", "--lot", "LOS-2",
            "--contractor", "Tiefbau Nord", cfg=cfg)
    check("refused by the server: exit 4, each problem named by its option",
          r.rc == 4 and "--eligible: must not exceed" in r.err and "--paid-date:" in r.err and
          "--lot:" in r.err and not api_all("/api/v1/invoices?number=" + num + "b", ftok), repr(r))
    r = cli("invoices", "show", num, "--json", cfg=cfg)
    check("invoices show NUMBER --json", r.rc == 0 and (r.json() or {}).get("id") == inv.get("id"),
          repr(r))
    r = cli("invoices", "show", num[:-1] + "7", cfg=cfg)
    check("invoices show with a mistyped number: exit 6, did you mean",
          r.rc == 6 and ("did you mean %s" % num) in r.err, repr(r))

    r = cli("invoices", "edit", num, "--status", "paid", "--paid-date", "26.11.2026", "--net",
            "1.300,00", cfg=cfg)
    now = api("GET", "/api/v1/invoices/%d" % inv["id"], ftok).json or {}
    check("invoices edit NUMBER: exit 0, changed with If-Match (new version)",
          r.rc == 0 and "changed" in r.out and now.get("status") == "paid" and
          now.get("paid_date") == "2026-11-26" and now.get("net_cents") == 130000 and
          now.get("version") == inv["version"] + 1, "%r %s" % (r, now))
    r = cli("invoices", "edit", inv["id"], "--status", "paid", cfg=cfg)
    check("invoices edit ID with the values it has: exit 0, nothing changed",
          r.rc == 0 and "nothing changed" in r.out and
          (api("GET", "/api/v1/invoices/%d" % inv["id"], ftok).json or {}).get("version") ==
          now.get("version"), repr(r))
    r = cli("invoices", "edit", num, "--status", "approved", cfg=cfg)
    check("invoices edit: the server's rule (a paid date only when paid): exit 4",
          r.rc == 4 and "--paid-date" in r.err, repr(r))
    r = cli("invoices", "edit", num, "--status", "approved", "--paid-date", "none", "--json",
            cfg=cfg)
    check("... with --paid-date none: exit 0, --json prints the invoice",
          r.rc == 0 and (r.json() or {}).get("paid_date") is None and
          (r.json() or {}).get("status") == "approved", repr(r))
    mcfg = fin_cfg("fin-manager", MANAGER)
    r = cli("invoices", "edit", num, "--vat", "1", cfg=mcfg)
    check("a manager may read but not change invoices: exit 3", r.rc == 3, repr(r))
    r = cli("invoices", "delete", num, cfg=cfg)
    check("invoices delete NUMBER: exit 0, gone", r.rc == 0 and "deleted" in r.out and
          api("GET", "/api/v1/invoices/%d" % inv["id"], ftok).status == 404, repr(r))

    # A change made by someone else between the fresh read and the write.
    fcfg = cfg_dir("fake-finance")
    login(fcfg, "fake@example.org", server=FAKE)
    FAKEX.pages = {"/api/v1/invoices": (200, {}, {"items": [], "next_cursor": None}),
                   "/api/v1/invoices/9": (200, {"ETag": '"3"'}, dict(inv, id=9, version=3))}
    FAKEX.script = [(412, {}, {"status": 412, "detail": "the invoice was changed by someone else "
                                                     "since you read it (now version 4)"})]
    FAKEX.seen = []
    r = cli("invoices", "edit", "9", "--net", "2,00", cfg=fcfg)
    FAKEX.pages = {}
    check("edit: If-Match of the fresh GET, only what differs; a 412 is exit 5 with the reason",
          r.rc == 5 and "changed by someone else" in r.err and len(FAKEX.seen) == 1 and
          FAKEX.seen[0][1] == '"3"' and json.loads(FAKEX.seen[0][2]) == {"net_cents": 200},
          "%r %s" % (r, FAKEX.seen))


def invoice_numbers(tok):
    return sorted(i["number"] for i in api_all("/api/v1/invoices", tok))


@case
def finance_invoice_import():
    cfg = fin_cfg("finance", FINANCE)
    ftok = api_login(FINANCE)
    base = "IMP-%s" % RUN
    good = os.path.join(WORK, "rechnungen.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write("\ufeffRechnungsnummer;Rechnungsdatum;Kategorie;Netto;MwSt;förderfähig;Los\n"
                "%s-1;01.10.2026;civil_works;12.500,00;2.375,00;12.000,00;LOS-1\n"
                "%s-2;2026-10-15;cabling;980,5;186,30;980,5;LOS-2\n" % (base, base))
    numbers = invoice_numbers(ftok)
    r = cli("invoices", "import", good, "--dry-run", cfg=cfg)
    check("invoices import --dry-run: each line's outcome, exit 0", r.rc == 0 and
          re.search(r"^ +2 +%s-1 +would be created" % base, r.out, re.M) and
          "Dry run" in r.out and "Nothing was changed" in r.out, repr(r))
    check("... and nothing changed", invoice_numbers(ftok) == numbers)
    r = cli("invoices", "import", good, cfg=cfg)
    made = {i["number"]: i for i in api_all("/api/v1/invoices?q=" + base, ftok)}
    check("invoices import: created, German amounts read as cents", r.rc == 0 and
          "2 created" in r.out and made.get(base + "-1", {}).get("net_cents") == 1250000 and
          made.get(base + "-2", {}).get("net_cents") == 98050 and
          made.get(base + "-2", {}).get("contractor_id") == 2, "%r %s" % (r, made))
    r = cli("invoices", "import", good, "--json", cfg=cfg)
    j = r.json() or {}
    check("importing it again: unchanged (--json: the server's counts)", r.rc == 0 and
          j.get("unchanged") == 2 and j.get("created") == 0 and
          [x["outcome"] for x in j.get("results", [])] == ["unchanged", "unchanged"], repr(r))
    bad = os.path.join(WORK, "rechnungen-falsch.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("number,invoice_date,category,net,lot_code\n"
                "%s-3,2026-10-20,civil_works,100.00,LOS-1\n"
                "%s-4,2026-13-01,civil_works,100.00,LOS-1\n"
                "%s-5,2026-10-21,volcanoes,100.00,LOS-1\n"
                "%s-6,2026-10-22,civil_works,\"12,34,5\",LOS-1\n"
                "%s-7,2026-10-22,civil_works,1.00,LOS-9\n" % ((base,) * 5))
    numbers = invoice_numbers(ftok)
    r = cli("invoices", "import", bad, cfg=cfg)
    check("an import with bad lines: exit 4, every bad line by number and column",
          r.rc == 4 and "line 3, invoice_date:" in r.err and "line 4, category:" in r.err and
          "line 5, net:" in r.err and "line 6, lot_code:" in r.err and
          "line 2," not in r.err and "Nothing was imported" in r.err, repr(r))
    check("... and nothing was imported", invoice_numbers(ftok) == numbers)
    r = cli("invoices", "import", bad, "--dry-run", "--json", cfg=cfg)
    j = r.json() or {}
    check("--dry-run --json of a bad file: exit 4, the problem document on stdout",
          r.rc == 4 and j.get("status") == 422 and
          sorted(e["line"] for e in j.get("errors", [])) == [3, 4, 5, 6], repr(r))
    r = cli("invoices", "import", os.path.join(WORK, "no-such.csv"), cfg=cfg)
    check("a file that is not there: exit 6", r.rc == 6 and "no-such.csv" in r.err, repr(r))


@case
def finance_budget():
    cfg = fin_cfg("finance", FINANCE)
    ftok = api_login(FINANCE)
    r = cli("budget", "set", "--category", "civil_works", "--year", "2031", "--planned",
            "1.000.000", cfg=cfg)
    lines = api_all("/api/v1/budget-lines?project_id=1&year=2031", ftok)
    check("budget set (German thousands): a new line of 1,000,000.00 EUR",
          r.rc == 0 and "a new line" in r.out and len(lines) == 1 and
          lines[0]["planned_cents"] == 100000000 and lines[0]["category"] == "civil_works",
          "%r %s" % (r, lines))
    r = cli("budget", "set", "--category", "civil_works", "--year", "2031", "--planned",
            "1.250.000,50", "--note", "Los 1-3", cfg=cfg)
    now = api_all("/api/v1/budget-lines?project_id=1&year=2031", ftok)
    check("budget set again: the same line changed (was ... told)", r.rc == 0 and
          "was 1,000,000.00 EUR" in r.out and len(now) == 1 and
          now[0]["planned_cents"] == 125000050 and now[0]["note"] == "Los 1-3" and
          now[0]["version"] == lines[0]["version"] + 1, "%r %s" % (r, now))
    r = cli("budget", "set", "--category", "civil_works", "--year", "2031", "--planned",
            "1250000.50", cfg=cfg)
    check("the same amount written the English way: nothing changed", r.rc == 0 and
          "nothing changed" in r.out, repr(r))
    cli("budget", "set", "--category", "planning", "--year", "2031", "--planned", "85.000,00",
        cfg=cfg)
    r = cli("budget", "--year", "2031", cfg=cfg, env={"LANG": "de_DE.UTF-8", "LC_ALL": ""})
    check("budget list: by year and category, German total with a German LANG",
          r.rc == 0 and re.search(r"^ *2031 +civil_works +1\.250\.000,50 +Los 1-3$", r.out, re.M)
          and re.search(r"^total +1\.335\.000,50$", r.out, re.M) is not None, repr(r))
    r = cli("budget", "--year", "2031", "--json", cfg=cfg)
    check("budget --json", r.rc == 0 and len(r.json() or []) == 2, repr(r))
    r = cli("budget", "set", "--category", "cabling", "--year", "2031", "--planned", "1",
            cfg=fin_cfg("fin-manager", MANAGER))
    check("a manager may not plan the budget: exit 3", r.rc == 3, repr(r))


@case
def finance_drawdowns():
    cfg = fin_cfg("finance", FINANCE)
    ftok = api_login(FINANCE)
    known = len(api_all("/api/v1/drawdowns?project_id=1", ftok))  # the demo's own, if any
    r = cli("drawdowns", "add", "--from", "01.01.2025", "--to", "31.03.2025", "--federal",
            "250.000,00", "--state", "200.000", cfg=cfg)
    check("drawdowns add with an ambiguous amount: exit 2, nothing sent",
          r.rc == 2 and "ambiguous" in r.err and "--state" in r.err and
          len(api_all("/api/v1/drawdowns?project_id=1", ftok)) == known, repr(r))
    r = cli("drawdowns", "add", "--from", "01.01.2025", "--to", "31.03.2025", "--federal",
            "250.000,00", "--state", "200.000,00", "--note", "Q1 2025", cfg=cfg)
    dd = api_all("/api/v1/drawdowns?project_id=1", ftok)
    d = dd[-1] if dd else {}
    n = d.get("number")
    check("drawdowns add: drafted and numbered by the server, cents and ISO dates", r.rc == 0 and
          ("Drawdown %s drafted" % n) in r.out and d.get("federal_requested_cents") == 25000000
          and d.get("state_requested_cents") == 20000000 and d.get("period_from") == "2025-01-01"
          and d.get("state") == "draft", "%r %s" % (r, d))
    r = cli("drawdowns", "add", "--from", "01.03.2025", "--to", "30.06.2025", cfg=cfg)
    check("an overlapping period: exit 4, the server's reason on --from",
          r.rc == 4 and "--from: overlaps drawdown" in r.err, repr(r))
    r = cli("drawdowns", "edit", n, "--federal", "260000", cfg=cfg)
    after = api("GET", "/api/v1/drawdowns/%d" % d["id"], ftok).json or {}
    check("drawdowns edit N (a draft): changed with If-Match", r.rc == 0 and
          after.get("federal_requested_cents") == 26000000 and
          after.get("version") == d["version"] + 1, "%r %s" % (r, after))
    r = cli("drawdowns", cfg=cfg)
    check("drawdowns list: a table with the number, amounts and status",
          r.rc == 0 and re.search(r"^ +%d +2025-01-01 +2025-03-31 +260,000\.00 +200,000\.00 +draft"
                                  % n, r.out, re.M) is not None, repr(r))
    r = cli("drawdowns", "submit", n, cfg=cfg)
    after = api("GET", "/api/v1/drawdowns/%d" % d["id"], ftok).json or {}
    check("drawdowns submit N: exit 0, submitted and frozen", r.rc == 0 and "submitted" in r.out
          and after.get("state") == "submitted" and after.get("requested_at"), "%r %s" % (r, after))
    r = cli("drawdowns", "edit", n, "--note", "too late", cfg=cfg)
    check("editing a submitted drawdown: exit 5 with the server's message",
          r.rc == 5 and "frozen" in r.err and
          (api("GET", "/api/v1/drawdowns/%d" % d["id"], ftok).json or {}).get("note") == "Q1 2025",
          repr(r))
    r = cli("drawdowns", "submit", n, cfg=cfg)
    check("submitting it again: exit 5", r.rc == 5 and "submitted already" in r.err, repr(r))
    german, iso = utc_today()
    r = cli("drawdowns", "receive", n, "--date", german, "--federal", "260.000,00", "--state",
            "199.999,99", cfg=cfg)
    after = api("GET", "/api/v1/drawdowns/%d" % d["id"], ftok).json or {}
    check("drawdowns receive N --date (German) --federal --state: recorded",
          r.rc == 0 and after.get("state") == "received" and after.get("received_at") == iso and
          after.get("federal_received_cents") == 26000000 and
          after.get("state_received_cents") == 19999999, "%r %s" % (r, after))
    r = cli("drawdowns", "show", n, "--json", cfg=cfg)
    check("drawdowns show N --json", r.rc == 0 and (r.json() or {}).get("state") == "received",
          repr(r))
    r = cli("drawdowns", "--state", "received", cfg=cfg, env={"LC_ALL": "de_DE.UTF-8"})
    check("drawdowns --state received: German amounts received", r.rc == 0 and
          "199.999,99" in r.out and "received" in r.out, repr(r))
    r = cli("drawdowns", "add", "--from", "01.04.2025", "--to", "30.06.2025", "--json", cfg=cfg)
    d2 = r.json() or {}
    r = cli("drawdowns", "submit", d2.get("number", 0), cfg=cfg)
    check("submitting a draft without an amount: exit 4, named --federal",
          r.rc == 4 and "--federal" in r.err, repr(r))
    out = os.path.join(WORK, "mittelabruf.xlsx")
    r = cli("drawdowns", "workbook", n, "-o", out, cfg=cfg)
    head = b""
    if os.path.exists(out):
        with open(out, "rb") as f:
            head = f.read(2)
    check("drawdowns workbook N -o FILE: an xlsx workbook", r.rc == 0 and head == b"PK", repr(r))
    r = cli("drawdowns", "delete", d2.get("number", 0), cfg=cfg)
    check("drawdowns delete N (a draft): gone", r.rc == 0 and
          api("GET", "/api/v1/drawdowns/%d" % d2.get("id", 0), ftok).status == 404, repr(r))
    r = cli("drawdowns", "show", 999, cfg=cfg)
    check("a drawdown the project does not have: exit 6", r.rc == 6, repr(r))
    r = cli("drawdowns", cfg=fin_cfg("fin-manager", MANAGER))
    check("a manager reads drawdowns", r.rc == 0 and "2025-01-01" in r.out, repr(r))


@case
def finance_notes():
    mcfg = fin_cfg("fin-manager", MANAGER)
    text = "Sachbericht %s\nTiefbau Los 1 zu 80 %% fertig.\nMontage Süd begonnen." % RUN
    path = os.path.join(WORK, "sachbericht.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    r = cli("notes", "set", "--from", "01.07.2025", "--to", "30.09.2025", "--file", path, cfg=mcfg)
    mtok = api_login(MANAGER)
    notes = [x for x in api_all("/api/v1/report-notes?project_id=1", mtok)
             if x["period_from"] == "2025-07-01"]
    check("notes set --file: written for the period", r.rc == 0 and "written" in r.out and
          len(notes) == 1 and notes[0]["text"] == text and notes[0]["period_to"] == "2025-09-30",
          "%r %s" % (r, notes))
    r = cli("notes", "show", "--from", "2025-07-01", "--to", "30.09.2025", cfg=mcfg)
    check("notes show: the text as it is", r.rc == 0 and r.out == text + "\n", repr(r))
    r = cli("notes", "set", "--from", "01.07.2025", "--to", "30.09.2025", "--file", "-",
            stdin="Neu %s\n" % RUN, cfg=mcfg)
    now = api("GET", "/api/v1/report-notes/%d" % notes[0]["id"], mtok).json or {}
    check("notes set again (from stdin): the period's note changed with If-Match",
          r.rc == 0 and "changed" in r.out and now.get("text") == "Neu " + RUN and
          now.get("version") == notes[0]["version"] + 1, "%r %s" % (r, now))
    r = cli("notes", cfg=mcfg)
    check("notes list: periods and the start of the text",
          r.rc == 0 and re.search(r"^2025-07-01 +2025-09-30 +Neu ", r.out, re.M), repr(r))
    r = cli("notes", "--json", cfg=mcfg)
    check("notes --json", r.rc == 0 and any(x.get("text") == "Neu " + RUN for x in r.json() or []),
          repr(r))
    r = cli("notes", "set", "--from", "01.10.2025", "--to", "31.12.2025", "--text", "x",
            cfg=fin_cfg("finance", FINANCE))
    check("finance may not write the Sachbericht: exit 3", r.rc == 3, repr(r))


@case
def finance_completion():
    cfg = cfg_dir("codes")
    got, err = bash_complete(cfg, "draw")
    check("completes drawdowns", got == ["drawdowns"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "invoices", "")
    check("invoices: its subcommands", got == ["list", "show", "add", "edit", "delete", "import"],
          "%s %s" % (got, err))
    got, err = bash_complete(cfg, "invoices", "add", "--cat")
    check("invoices add --cat: --category", got == ["--category"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "invoices", "add", "--category", "ca")
    check("--category values", got == ["cabling"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "invoices", "--status", "")
    check("invoices --status values", got == ["received", "approved", "paid"], "%s %s" % (got, err))
    got, err = bash_complete(cfg, "drawdowns", "--state", "")
    check("drawdowns --state values", got == ["draft", "submitted", "received"],
          "%s %s" % (got, err))
    for cmd, sub in (("invoices", "add"), ("invoices", "import"), ("budget", "set"),
                     ("drawdowns", "add"), ("drawdowns", "edit"), ("drawdowns", "receive"),
                     ("notes", "show"), ("notes", "set")):
        helptext = cli(cmd, sub, "--help", cfg=cfg).out
        section = helptext.split("Options for every command")[0]
        lines = [ln for ln in section.splitlines() if ("fibertrack %s %s" % (cmd, sub)) in ln]
        named = set(re.findall(r"--[a-z][a-z-]+", " ".join(lines))) - {"--help", "--project"}
        got, err = bash_complete(cfg, cmd, sub, "--")
        check("completion offers every option of `%s %s --help`" % (cmd, sub),
              named and named <= set(got), "%s vs %s" % (sorted(named - set(got)), got))


@case
def logout():
    cfg = cfg_dir("manager")
    r = cli("logout", cfg=cfg)
    check("logout: exit 0, token deleted", r.rc == 0 and
          not os.path.exists(os.path.join(cfg, "fibertrack", "token.json")), repr(r))
    api("GET", "/api/v1/me", C.mtok)
    r = cli("segments", cfg=cfg)
    check("after logout: exit 3", r.rc == 3 and "fibertrack login" in r.err, repr(r))


# ---- main ----------------------------------------------------------------------------------


def main():
    global PROXY, FAKEX
    if not os.access(CLI, os.X_OK) or not os.access(FTD, os.X_OK):
        check("binaries", False, "%s or %s is missing (make)" % (CLI, FTD))
        return
    for step in (SRV.migrate, SRV.demo, start_server):
        try:
            step()
        except RuntimeError as e:
            check("set-up: " + step.__name__, False, ftlib.short(str(e), 600))
            return
    PROXY = Proxy()
    FAKEX = Fake()
    only = os.environ.get("FT_CLI_CASES")
    for c in CASES:
        if only and not re.search(only, c.__name__):
            continue
        print("== " + c.__name__, flush=True)
        try:
            c()
        except Exception as e:  # a case that breaks counts as one failure
            check(c.__name__ + " ran to the end", False, "%s: %s" % (type(e).__name__, e))
            traceback.print_exc(file=sys.stdout)
            if not SRV.running():
                try:
                    stop_server()
                    start_server()
                except Exception as e2:
                    check("server restart", False, str(e2))
                    return


if __name__ == "__main__":
    try:
        main()
    finally:
        try:
            stop_server()
        except Exception:
            pass
        art = os.environ.get("FT_ARTIFACTS")
        if art and os.path.isdir(art):
            shutil.copy(SERVER_LOG, os.path.join(art, "cli-server.log")) if os.path.exists(
                SERVER_LOG) else None
        shutil.rmtree(WORK, ignore_errors=True)
    S.finish()
