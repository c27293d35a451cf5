"""ftlib: what the fibertrack test suites share (Python standard library only).

  check/require/fail   soft and hard assertions inside a test
  Suite                named tests run one after the other; its last line is
                       exactly "N passed, N failed"
  request()/Response   one HTTP request: JSON or raw bytes, any headers; on a new
                       connection, or on a KeepAlive connection kept open
  problem()            checks the RFC 9457 problem+json shape of an error
  sql()/db_snapshot()  the mariadb client on a private MariaDB's socket; a checksum
                       of every table, to show that a request changed nothing
  Server               a fibertrackd: migrate, demo, serve until /readyz answers,
                       SIGTERM, its private mariadbd, `user add`, `token issue`
  free_port(), alive(), wait_gone(), parallel()

Environment: FT_BASE_URL, FT_DATA_DIR and FT_BIN name the server that
tests/run.sh started (Server.from_env()); FT_VERBOSE=1 prints a line for every
passing test too; FT_MARIADB names the mariadb client (default mariadb); BINDIR
where fibertrackd is (default bin).

    python3 tests/lib/ftlib.py free-port [LO HI]    prints a free TCP port
"""

import http.client
import json
import os
import random
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

import openapi_check

LIB = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(LIB))
API = "/api/v1"
MIB = 1024 * 1024
MARIADB = os.environ.get("FT_MARIADB") or "mariadb"


def bindir():
    """Where fibertrackd and fibertrack are: $BINDIR (relative to the checkout), else bin."""
    d = os.environ.get("BINDIR") or "bin"
    return d if os.path.isabs(d) else os.path.join(ROOT, d)


def address(url):
    """(host, port) of an http:// URL."""
    u = urllib.parse.urlsplit(url)
    return u.hostname, u.port or 80


# The server of tests/run.sh, which the API suites share.
BASE_URL = os.environ.get("FT_BASE_URL", "http://127.0.0.1:18181").rstrip("/")
DEFAULT_SERVER = address(BASE_URL)


# ---------------------------------------------------------------- assertions


class Failure(Exception):
    """A hard test failure: the test stops here."""


_state = threading.local()


def _errors():
    if not hasattr(_state, "errors"):
        _state.errors = []
    return _state.errors


def check(cond, msg):
    """Soft assertion: records msg as a failure of the running test and goes on."""
    if not cond:
        _errors().append(msg)
    return bool(cond)


def require(cond, msg):
    """Hard assertion: stops the test."""
    if not cond:
        raise Failure(msg)


def fail(msg):
    raise Failure(msg)


def short(x, n=300):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= n else s[:n] + "…"


def unique(prefix="t"):
    """A code unlikely to exist already: prefix plus 8 random characters."""
    return prefix + "-" + "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def describe(e):
    """An exception in one line, with the place it was raised."""
    tb = traceback.extract_tb(e.__traceback__)
    where = ""
    if tb:
        f = tb[-1]
        where = " (%s:%d)" % (os.path.basename(f.filename), f.lineno)
    return "%s: %s%s" % (type(e).__name__, e, where)


# -------------------------------------------------------------------- runner


class Suite:
    """Named tests, run one after the other. Each test is a function: its check()s
    and a Failure (or any exception) it raises make it fail. Prints a line per
    failed test ("FAIL  NAME: why"), per passed one too when verbose ("ok    NAME"),
    and finish() ends with exactly "N passed, N failed"."""

    def __init__(self, name, verbose=None):
        self.name = name
        self.tests = []
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.verbose = os.environ.get("FT_VERBOSE") == "1" if verbose is None else verbose

    def test(self, name=None):
        def deco(fn):
            self.tests.append((name or fn.__name__, fn))
            return fn
        return deco

    def add(self, name, fn):
        self.tests.append((name, fn))

    def record(self, name, ok, problems=(), seconds=None):
        """Counts one result and prints its line; returns ok."""
        took = "" if seconds is None else " (%.1f s)" % seconds
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok    %s%s" % (name, took), flush=True)
            return True
        self.failed += 1
        self.failures.append(name)
        problems = [p for p in problems if p]
        if len(problems) == 1 and "\n" not in problems[0]:
            print("FAIL  %s%s: %s" % (name, took, problems[0]), flush=True)
        else:
            print("FAIL  %s%s" % (name, took), flush=True)
            for p in problems:
                print("      - " + p.replace("\n", "\n        "), flush=True)
        return False

    def run_test(self, name, fn, *args):
        """Runs fn(*args) as one test; returns whether it passed."""
        _state.errors = []
        t0 = time.monotonic()
        try:
            fn(*args)
        except Failure as e:
            _state.errors.append(str(e))
        except Exception as e:  # noqa: BLE001 - any error fails the test, not the suite
            _state.errors.append(describe(e))
        errs, _state.errors = _state.errors, []
        return self.record(name, not errs, errs, time.monotonic() - t0)

    def openapi_test(self):
        """The last test of a suite that talks to the server: every response
        it received kept the promises of the OpenAPI document (the full list
        of breaches goes to tests/artifacts/openapi-NAME.txt)."""
        art = os.environ.get("FT_ARTIFACTS")
        save_to = os.path.join(art, "openapi-%s.txt" % self.name) if art else None

        def promises():
            for msg in openapi_check.failures(save_to):
                check(False, msg)

        self.run_test(openapi_check.TITLE, promises)
        print("# " + openapi_check.tally(), flush=True)

    def summary(self):
        return "%d passed, %d failed" % (self.passed, self.failed)

    def finish(self):
        """Names the failed tests, prints the summary line and exits (1 when anything failed)."""
        if self.failures:
            print("failed: " + ", ".join(self.failures), flush=True)
        print(self.summary(), flush=True)
        sys.exit(1 if self.failed else 0)

    def run(self, setup=None):
        """Runs setup (a failure there is the suite's only result), then every test."""
        if setup:
            try:
                setup()
            except Exception as e:  # noqa: BLE001
                self.record(self.name + " setup", False, [str(e) if isinstance(e, Failure) else describe(e)])
                self.finish()
        for name, fn in self.tests:
            self.run_test(name, fn)
        self.openapi_test()
        self.finish()


# ---------------------------------------------------------------------- HTTP


class Response:
    """An HTTP answer. When there was none (refused, reset, timed out) and the
    request was soft, status is None and error says why."""

    def __init__(self, method, path, status=None, headers=(), body=b"", start=0.0, end=0.0, error=None):
        self.method = method
        self.path = path
        self.status = status
        self.headers = list(headers)  # (name, value) pairs as sent
        self.body = body
        self.start = start
        self.end = end
        self.error = error
        self._json = None
        self._parsed = False

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def elapsed(self):
        return self.end - self.start

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        """The body parsed as JSON, or None."""
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    @property
    def ctype(self):
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def etag(self):
        return self.header("ETag")

    @property
    def request_id(self):
        return self.header("X-Request-ID")

    def describe(self):
        """The status and the start of the body, or the error."""
        if self.error:
            return self.error
        return "%d %s" % (self.status, self.body[:160].decode("utf-8", "replace"))

    def __repr__(self):
        if self.error:
            return "%s %s -> %s" % (self.method, self.path, self.error)
        return "%s %s -> %s %s" % (self.method, self.path, self.status, short(self.text, 400))


class KeepAlive:
    """One connection kept open for a sequence of requests: request(..., conn=k).

        with KeepAlive() as k:
            request("GET", "/healthz", conn=k)
    """

    def __init__(self, server=None, timeout=60):
        self.server = server or DEFAULT_SERVER
        self.http = http.client.HTTPConnection(*self.server, timeout=timeout)

    def close(self):
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


_UNSET = object()


def api_path(path):
    """A path outside /api, /healthz, /readyz and /metrics is one below /api/v1."""
    for top in ("/api", "/healthz", "/readyz", "/metrics"):
        if path.startswith(top):
            return path
    return API + path


def request(method, path, token=None, body=_UNSET, raw=None, ctype=_UNSET, headers=None,
            params=None, timeout=60, server=None, conn=None, retries=0, soft=False):
    """One HTTP request; returns a Response.

    body: a JSON value, sent as application/json unless ctype says other;
    raw: bytes (or str) sent as they are, with a Content-Type only when ctype gives one;
    ctype=None: no Content-Type at all; params: a dict appended as the query string;
    headers: more headers, which win; server: (host, port), default FT_BASE_URL's.
    Without conn the request has a connection of its own, which it closes (and says
    so: Connection: close); with conn (a KeepAlive) it uses that one and leaves it open.
    retries: how often a GET or HEAD is sent again when the connection is refused or
    reset, before the server can have done anything.
    soft: never raises; no answer is a Response with status None and error set.
    """
    if params:
        path += ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
    hdrs = {} if conn else {"Connection": "close"}
    data = None
    if body is not _UNSET:
        data = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    elif raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if ctype is not _UNSET:
        if ctype is None:
            hdrs.pop("Content-Type", None)
        else:
            hdrs["Content-Type"] = ctype
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if headers:
        hdrs.update(headers)
    attempt = 0
    while True:
        start = time.monotonic()
        c = conn.http if conn else http.client.HTTPConnection(*(server or DEFAULT_SERVER), timeout=timeout)
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            payload = r.read()
            openapi_check.observe(method, path, r.status, r.getheaders(), payload,
                                  server or DEFAULT_SERVER)
            return Response(method, path, r.status, r.getheaders(), payload, start, time.monotonic())
        except Exception as e:  # noqa: BLE001 - sorted out below
            if conn:
                c.close()  # http.client opens it again for the next request
            if isinstance(e, (ConnectionRefusedError, ConnectionResetError)) and \
                    method in ("GET", "HEAD") and attempt < retries:
                attempt += 1
                time.sleep(0.2)
                continue
            if soft:
                return Response(method, path, start=start, end=time.monotonic(),
                                error="%s: %s" % (type(e).__name__, e))
            raise
        finally:
            if not conn:
                c.close()


def login(email, password, server=None):
    """POST /api/v1/auth/login."""
    return request("POST", API + "/auth/login", body={"email": email, "password": password}, server=server)


# What no error may show a client: SQL, database names, paths of this machine, source files.
LEAKS = ("select ", "insert into", "update ", "sql syntax", "mariadb", "/tmp/", "/work/", ".c:")


def problem_complaints(r, status=None, pointer=None):
    """What keeps r from being an RFC 9457 problem with this status (and, for a
    422, an errors[] entry with this JSON Pointer): a list, empty when nothing."""
    if status is not None and r.status != status:
        return ["expected %d, got %r" % (status, r)]
    bad = []
    if r.ctype != "application/problem+json":
        bad.append("%s has Content-Type %r, not application/problem+json" % (r.status, r.header("Content-Type")))
    p = r.json
    if not isinstance(p, dict):
        bad.append("%s body is not a JSON object: %r" % (r.status, r))
        return bad
    for k, t in (("type", str), ("title", str), ("status", int), ("detail", str), ("request_id", str)):
        if not isinstance(p.get(k), t):
            bad.append("problem member %r missing or not %s: %s" % (k, t.__name__, short(r.text)))
    if p.get("status") != r.status:
        bad.append("problem status %r != %s" % (p.get("status"), r.status))
    if p.get("request_id") != r.request_id:
        bad.append("problem request_id %r != X-Request-ID %r" % (p.get("request_id"), r.request_id))
    if r.status == 422 and not isinstance(p.get("errors"), list):
        bad.append("422 without errors[]")
    low = r.text.lower()
    for leak in LEAKS:
        if leak in low:
            bad.append("problem leaks internals (%r): %s" % (leak, short(r.text)))
    if pointer and isinstance(p.get("errors"), list):
        ptrs = [e.get("pointer") for e in p["errors"] if isinstance(e, dict)]
        if pointer not in ptrs:
            bad.append("no error with pointer %s (got %s)" % (pointer, ptrs))
    return bad


def problem(r, status, what="", pointer=None):
    """Checks an error response (soft: records what is wrong and goes on).
    Returns the parsed problem, or {}."""
    label = (what + ": ") if what else ""
    for complaint in problem_complaints(r, status, pointer):
        check(False, label + complaint)
    return r.json if isinstance(r.json, dict) else {}


# ------------------------------------------------------------------ database


class SQLError(RuntimeError):
    pass


def mariadb_argv(sock, db="fibertrack"):
    """The mariadb client as root on a private MariaDB's socket: tab-separated rows, no header."""
    return [MARIADB, "--no-defaults", "-S", sock, "-u", "root", "-N", "-B"] + ([db] if db else [])


def suite_sock():
    """The socket of the private MariaDB of tests/run.sh's server."""
    data_dir = os.environ.get("FT_DATA_DIR", "")
    require(data_dir, "FT_DATA_DIR is not set")
    return os.path.join(data_dir, "mariadb", "mariadb.sock")


def sql(query, sock=None, db="fibertrack", timeout=60):
    """Runs SQL (several statements may be given); returns the rows as lists of strings, NULL as None."""
    p = subprocess.run(mariadb_argv(sock or suite_sock(), db) + ["-e", query],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SQLError("mariadb: %s (SQL: %s)" % (p.stderr.strip(), short(query, 200)))
    return [[None if c == "NULL" else c for c in line.split("\t")] for line in p.stdout.splitlines()]


def scalar(query, sock=None):
    rows = sql(query, sock)
    return rows[0][0] if rows else None


_tables = {}

# A token's last_used_at is written (at most once a minute) by any authenticated
# request, which changes nothing: the snapshot leaves it out.
_TOKEN_DIGEST = ("SELECT 'tokens', COALESCE(SUM(CRC32(CONCAT_WS('|', id, user_id, name, HEX(hash), prefix, "
                 "IFNULL(expires_at,'-'), IFNULL(revoked_at,'-'), version, created_at, updated_at))), 0), "
                 "COUNT(*) FROM tokens")


def db_snapshot(sock=None):
    """{table: (checksum, row count)} for every table of the database (tokens without
    last_used_at). Equal snapshots before and after a request: it changed nothing."""
    sock = sock or suite_sock()
    if sock not in _tables:
        _tables[sock] = [r[0] for r in sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'fibertrack' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name", sock)]
    tables = _tables[sock]
    plain = [t for t in tables if t != "tokens"]
    q = "CHECKSUM TABLE %s; " % ", ".join("`%s`" % t for t in plain)
    q += " UNION ALL ".join("SELECT '%s', COUNT(*) FROM `%s`" % (t, t) for t in plain) + "; "
    q += _TOKEN_DIGEST + ";"
    sums, counts = {}, {}
    for row in sql(q, sock):
        if len(row) == 2 and "." in row[0]:  # CHECKSUM TABLE: db.table, checksum
            sums[row[0].split(".", 1)[1]] = row[1]
        elif len(row) == 2:
            counts[row[0]] = row[1]
        elif len(row) == 3:  # the tokens digest
            sums[row[0]] = row[1]
            counts[row[0]] = row[2]
    return {t: (sums.get(t), counts.get(t)) for t in tables}


def snapshot_diff(before, after):
    """The tables that differ between two snapshots."""
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def check_unchanged(before, what="", sock=None):
    """Takes a new snapshot and checks it equals `before`."""
    diff = snapshot_diff(before, db_snapshot(sock))
    check(not diff, "%s: the database changed (tables %s)" % (what, ", ".join(diff)))


class Unchanged:
    """with Unchanged(server, "what"): ... checks that no table changed inside."""

    def __init__(self, server, what):
        self.sock = server.sock if server else None
        self.what = what

    def __enter__(self):
        self.before = db_snapshot(self.sock)
        return self

    def __exit__(self, et, ev, tb):
        if et is None:
            check_unchanged(self.before, self.what, self.sock)
        return False


# ----------------------------------------------------------------- processes


def alive(pid):
    """Whether pid runs (a zombie counts as gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return line.split()[1] not in ("Z", "X")
    except OSError:
        return False
    return False


def wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def mariadbd_of(pidfile):
    """The pid of the mariadbd that pidfile names, when it still runs."""
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() not in ("mariadbd", "mysqld"):
                return None
        return pid if alive(pid) else None
    except (OSError, ValueError):
        return None


def free_port(lo=None, hi=None, avoid=(), host="127.0.0.1"):
    """A port nothing listens on: one of lo..hi at random (each suite has its own
    range, so suites running at once do not pick the same), else any."""
    if lo is None:
        s = socket.socket()
        try:
            s.bind((host, 0))
            return s.getsockname()[1]
        finally:
            s.close()
    ports = [p for p in range(lo, hi + 1) if p not in avoid]
    random.shuffle(ports)
    for p in ports:
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in %d-%d" % (lo, hi))


def parallel(fns, timeout=120):
    """Runs the callables in threads released at the same moment; returns their
    results in order (an exception as its value, None if still running at the timeout)."""
    results = [None] * len(fns)
    barrier = threading.Barrier(len(fns))

    def run(i, fn):
        try:
            barrier.wait(10)
        except threading.BrokenBarrierError:
            pass
        try:
            results[i] = fn()
        except Exception as e:  # noqa: BLE001
            results[i] = e
    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    return results


# -------------------------------------------------------------------- server


class Server:
    """A fibertrackd of the tests.

    With data_dir it has its own private MariaDB there (keep the path short: the
    socket path must stay under 108 bytes); with db_url it uses another server's
    database and starts none. settings: variables set for its commands; unset:
    variables of our environment it must not see. Its output goes to log_path.
    """

    def __init__(self, data_dir=None, db_url=None, host="127.0.0.1", port=None, bin=None,
                 settings=None, unset=(), log_path=None):
        self.data_dir = data_dir
        self.db_url = db_url
        self.host = host
        self.port = port or free_port(host=host)
        self.bin = bin or os.path.join(bindir(), "fibertrackd")
        self.settings = dict(settings or {})
        self.unset = tuple(unset)
        self.log_path = log_path or (os.path.join(data_dir, "serve.log") if data_dir else os.devnull)
        self.proc = None

    @classmethod
    def from_env(cls):
        """The server that tests/run.sh started: FT_BASE_URL, FT_DATA_DIR, FT_BIN."""
        host, port = DEFAULT_SERVER
        return cls(data_dir=os.environ.get("FT_DATA_DIR", ""), host=host, port=port,
                   bin=os.environ.get("FT_BIN"), log_path=os.devnull)

    @property
    def base(self):
        return (self.host, self.port)

    @property
    def url(self):
        return "http://%s:%d" % self.base

    @property
    def sock(self):
        return os.path.join(self.data_dir or "", "mariadb", "mariadb.sock")

    @property
    def pidfile(self):
        return os.path.join(self.data_dir or "", "mariadb", "mariadb.pid")

    def env(self):
        e = {k: v for k, v in os.environ.items() if k not in self.unset and k not in ("FT_DB_URL", "FT_LISTEN")}
        if self.data_dir:
            e["FT_DATA_DIR"] = self.data_dir
        if self.db_url:
            e["FT_DB_URL"] = self.db_url
        e.update(self.settings)
        return e

    def _log(self, text):
        with open(self.log_path, "a") as f:
            f.write(text)

    def cmd(self, *args, stdin=None, timeout=120):
        """Runs `fibertrackd ARGS` (migrate, demo, user add, ...); returns what it
        printed on stdout. Its output goes to the log too."""
        p = subprocess.run([self.bin] + [str(a) for a in args], env=self.env(), input=stdin,
                           capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        self._log("==== fibertrackd %s ====\n%s%s" % (" ".join(str(a) for a in args), p.stdout, p.stderr))
        if p.returncode != 0:
            raise RuntimeError("fibertrackd %s failed (%d): %s" % (
                " ".join(str(a) for a in args), p.returncode, (p.stderr or p.stdout)[-800:]))
        return p.stdout

    def migrate(self):
        self.cmd("migrate", timeout=300)

    def demo(self, *options):
        self.cmd("demo", *options, timeout=300)

    def user_add(self, email, name, role, password, contractor=None):
        """`fibertrackd user add` (the password on stdin)."""
        args = ["user", "add", "--email", email, "--name", name, "--role", role]
        if contractor:
            args += ["--contractor", str(contractor)]
        self.cmd(*args, stdin=password + "\n")

    def token_issue(self, email, name="tests"):
        """`fibertrackd token issue`: a new bearer token of that user."""
        out = self.cmd("token", "issue", "--email", email, "--name", name)
        toks = [w for w in out.split() if w.startswith("ftk_")]
        if not toks:
            raise RuntimeError("token issue printed no token: %r" % out)
        return toks[-1]

    def spawned(self, pid):
        """Called with the pid of each `fibertrackd serve` started, before it is ready."""

    def start(self, *options, wait=60):
        """Starts `fibertrackd serve` and waits until GET /readyz answers 200: then the
        database is reachable and current, so that no test meets one that is not ready."""
        self._log("==== fibertrackd serve %s ====\n" % " ".join(options))
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.bin, "serve", "--listen", "%s:%d" % self.base] + list(options),
                                         env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=ROOT)
        self.spawned(self.proc.pid)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("fibertrackd serve exited with status %s: %s" % (self.proc.returncode,
                                                                                    self.log_tail()))
            try:
                if request("GET", "/readyz", server=self.base, timeout=2).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("fibertrackd did not get ready within %d s: %s" % (wait, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace=30):
        """SIGTERM, and SIGKILL after grace seconds; returns the exit status (None if
        it was never started; negative: the signal that ended it)."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        if self.running():
            self.proc.kill()
            self.proc.wait(10)

    def mariadbd_pid(self):
        return mariadbd_of(self.pidfile) if self.data_dir else None

    def stop_mariadbd(self, wait=10):
        """A mariadbd that still runs: it gets `wait` seconds to end by itself (as
        it does after its fibertrackd), then SIGTERM, then SIGKILL."""
        pid = self.mariadbd_pid()
        if not pid or wait_gone(pid, wait):
            return
        try:
            os.kill(pid, signal.SIGTERM)
            if not wait_gone(pid, 30):
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 5)
        except OSError:
            pass

    def log_tail(self, n=1500):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - n))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def request(self, method, path, **kw):
        return request(method, path, server=self.base, **kw)

    def sql(self, query, **kw):
        return sql(query, self.sock, **kw)

    def scalar(self, query):
        return scalar(query, self.sock)

    def snapshot(self):
        return db_snapshot(self.sock)


def main(argv):
    if len(argv) in (2, 4) and argv[1] == "free-port":
        print(free_port(*(int(a) for a in argv[2:])))
        return 0
    print("usage: ftlib.py free-port [LO HI]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
