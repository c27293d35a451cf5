"""wire — a byte-exact HTTP/1.1 client and a database fingerprint for the
bad-input suite (Python standard library only).

http.client refuses to send most of what this suite needs (NUL bytes, bare
LF, two Content-Length headers, unknown methods), so requests are built as
bytes here and answers are parsed by hand.
"""

import json
import socket
import subprocess
import threading
import time


class Outcome:
    """What came back for one request: a parsed response, or why there is none.

    kind is "response", "timeout" (no complete answer in time), "closed" (the
    server closed the connection without answering), "reset" (connection
    reset without an answer) or "garbage" (bytes that are not an HTTP
    response)."""

    def __init__(self, kind, status=0, reason="", version="", headers=None, body=b"",
                 elapsed=0.0, closed_after=False, note=""):
        self.kind = kind
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers or []
        self.body = body
        self.elapsed = elapsed
        self.closed_after = closed_after
        self.note = note
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
    def ctype(self):
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def json(self):
        if not self._parsed:
            self._parsed = True
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def short(self):
        if self.kind != "response":
            return self.kind + (" (%s)" % self.note if self.note else "")
        return "%d" % self.status


class _Eof(Exception):
    pass


class _Bad(Exception):
    pass


def build(method, target, headers=(), body=None, version="HTTP/1.1", host=True):
    """The bytes of one request. headers: (name, value) pairs of str or bytes,
    sent as they are; Host and Content-Length are added unless given (or
    host=False); a body of None sends no Content-Length."""

    def b(x):
        return x if isinstance(x, bytes) else x.encode("utf-8")

    names = {b(k).lower() for k, _ in headers}
    out = [b(method) + b" " + b(target) + (b" " + b(version) if version else b"")]
    if host and b"host" not in names:
        out.append(b"Host: 127.0.0.1")
    for k, v in headers:
        out.append(b(k) + b": " + b(v))
    if body is not None and b"content-length" not in names and b"transfer-encoding" not in names:
        out.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(out) + b"\r\n\r\n" + (body or b"")


class Conn:
    """One TCP connection to the server, reusable for keep-alive."""

    def __init__(self, host, port, timeout=10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = None
        self.buf = b""
        self.used = 0

    def open(self):
        self.close()
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.used = 0

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.sock.settimeout(left)
        chunk = self.sock.recv(262144)
        if not chunk:
            raise _Eof()
        self.buf += chunk

    def _line(self, deadline, limit=1 << 20):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
                return line.rstrip(b"\r\n")
            if len(self.buf) > limit:
                raise _Bad("line longer than %d bytes" % limit)
            self._fill(deadline)

    def _exactly(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_response(self, head, deadline):
        while True:
            first = self._line(deadline)
            while first == b"":  # stray empty lines before a status line
                first = self._line(deadline)
            parts = first.decode("latin-1").split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                raise _Bad("not a status line: %r" % first[:80])
            version, status = parts[0], int(parts[1])
            reason = parts[2] if len(parts) > 2 else ""
            headers = []
            while True:
                line = self._line(deadline)
                if line == b"":
                    break
                k, sep, v = line.decode("latin-1").partition(":")
                if not sep:
                    raise _Bad("header line without a colon: %r" % line[:80])
                headers.append((k.strip(), v.strip()))
            if 100 <= status < 200:  # 100 Continue and friends precede the answer
                continue
            break
        hmap = {}
        for k, v in headers:
            hmap.setdefault(k.lower(), v)
        conn_hdr = hmap.get("connection", "").lower()
        closed = "close" in conn_hdr or (version == "HTTP/1.0" and "keep-alive" not in conn_hdr)
        body = b""
        if head or status in (204, 304):
            pass
        elif "chunked" in hmap.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size_line = self._line(deadline).split(b";")[0].strip()
                try:
                    size = int(size_line, 16)
                except ValueError:
                    raise _Bad("bad chunk size %r" % size_line[:40])
                if size == 0:
                    while self._line(deadline) != b"":
                        pass
                    break
                parts.append(self._exactly(size, deadline))
                self._line(deadline)
            body = b"".join(parts)
        elif "content-length" in hmap:
            try:
                n = int(hmap["content-length"])
            except ValueError:
                raise _Bad("bad Content-Length %r" % hmap["content-length"])
            body = self._exactly(n, deadline)
        else:
            try:
                while True:
                    self._fill(deadline)
            except _Eof:
                pass
            body, self.buf = self.buf, b""
            closed = True
        return version, status, reason, headers, body, closed

    def exchange(self, data, head=False, timeout=None, send_pause=None):
        """Sends data (bytes, or a list of byte pieces sent with send_pause
        seconds between them) and reads one response."""
        timeout = timeout or self.timeout
        t0 = time.monotonic()
        deadline = t0 + timeout
        try:
            if self.sock is None:
                self.open()
            self.used += 1
            pieces = data if isinstance(data, list) else [data]
            for i, piece in enumerate(pieces):
                try:
                    self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                    self.sock.sendall(piece)
                except (BrokenPipeError, ConnectionResetError):
                    # The server may answer and close before taking the whole
                    # request (a 413 before the body): read what it said.
                    break
                if send_pause and i + 1 < len(pieces):
                    time.sleep(send_pause)
            version, status, reason, headers, body, closed = self._read_response(head, deadline)
            out = Outcome("response", status, reason, version, headers, body,
                          time.monotonic() - t0, closed)
            if closed:
                self.close()
            return out
        except socket.timeout:
            self.close()
            return Outcome("timeout", elapsed=time.monotonic() - t0,
                           note="no complete answer within %.0f s" % timeout)
        except _Eof:
            partial = bool(self.buf)
            self.close()
            return Outcome("closed", elapsed=time.monotonic() - t0,
                           note="closed after a partial answer" if partial else "closed without an answer")
        except (ConnectionResetError, BrokenPipeError) as e:
            self.close()
            return Outcome("reset", elapsed=time.monotonic() - t0, note=type(e).__name__)
        except _Bad as e:
            self.close()
            return Outcome("garbage", elapsed=time.monotonic() - t0, note=str(e))
        except OSError as e:
            self.close()
            return Outcome("reset", elapsed=time.monotonic() - t0, note=str(e))

    def closes_soon(self, wait=1.5):
        """(closed, extra): whether the server closes this connection within
        wait seconds, and any bytes it sent meanwhile."""
        if self.sock is None:
            return True, b""
        deadline = time.monotonic() + wait
        start = len(self.buf)
        try:
            while True:
                self._fill(deadline)
        except _Eof:
            extra = self.buf[start:]
            self.close()
            return True, extra
        except socket.timeout:
            return False, self.buf[start:]
        except OSError:
            extra = self.buf[start:]
            self.close()
            return True, extra


def request_once(host, port, data, head=False, timeout=5.0, send_pause=None):
    """One request on a fresh connection, which is closed afterwards."""
    c = Conn(host, port, timeout)
    try:
        return c.exchange(data, head=head, timeout=timeout, send_pause=send_pause)
    finally:
        c.close()


# ---------------------------------------------------------------- database


class DBError(Exception):
    pass


class DB:
    """A long-lived `mariadb` client on the server's private socket: one
    process, many queries, so that a fingerprint costs about a millisecond."""

    END = "__badinput_end__"

    def __init__(self, socket_path, database="fibertrack"):
        self.proc = subprocess.Popen(
            ["mariadb", "-S", socket_path, "-u", "root", database, "-N", "-B", "-n", "--force"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", bufsize=1)
        self.lock = threading.Lock()
        self.start = None
        self._plain = None
        self._special = None

    def query(self, sql):
        """Rows of the statements in sql (tab-separated cells, NULL as None)."""
        sql = sql.strip()
        if not sql.endswith(";"):
            sql += ";"
        with self.lock:
            try:
                self.proc.stdin.write(sql + "\nSELECT '%s';\n" % self.END)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise DBError("the mariadb client is gone: %s" % e)
            rows, errors = [], []
            while True:
                line = self.proc.stdout.readline()
                if not line:
                    raise DBError("the mariadb client ended: %s" % " ".join(errors))
                line = line.rstrip("\n")
                if line == self.END:
                    break
                if line.startswith("ERROR ") and " at line " in line:
                    errors.append(line)
                    continue
                rows.append([None if c == "NULL" else c for c in line.split("\t")])
        if errors:
            raise DBError("; ".join(errors))
        return rows

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(5)
        except Exception:  # noqa: BLE001 - best effort at exit
            self.proc.kill()

    # Tables whose rows the server may write while it refuses a request, and
    # how they are compared instead of CHECKSUM TABLE:
    #  tokens          last_used_at is stamped (once a minute) by every
    #                  authenticated request, refused or not; updated_at is left
    #                  out with it, as a stamp may touch it. Every other column
    #                  counts (a revocation changes revoked_at and version). Rows revoked or expired before the run are left
    #                  out, so that housekeeping may purge them meanwhile.
    #  login_failures  only rows written since the run began count: older ones
    #                  may be purged by housekeeping. No case may add one (bad
    #                  input is refused before any password is checked).
    #  idempotency_keys  keys of the last 23 hours (expired ones may be purged).
    #                  A refused request may claim its key, but must release it
    #                  before it answers, so the table must end up unchanged.
    SPECIAL = {
        "tokens": ("(revoked_at IS NULL OR revoked_at >= '{start}') AND "
                   "(expires_at IS NULL OR expires_at >= '{start}')", ("last_used_at", "updated_at")),
        "login_failures": ("at >= '{start}'", ()),
        "idempotency_keys": ("created_at >= '{start}' - INTERVAL 23 HOUR", ()),
    }

    def prepare(self):
        """Notes the start of the run and which tables there are."""
        self.start = self.query("SELECT NOW(3)")[0][0]
        tables = [r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        self._plain = [t for t in tables if t not in self.SPECIAL]
        self._special = []
        for t, (where, skip) in self.SPECIAL.items():
            if t not in tables:
                continue
            cols = [r[0] for r in self.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                "AND table_name = '%s' ORDER BY ordinal_position" % t)]
            expr = ", ".join("IFNULL(HEX(`%s`), '-')" % c for c in cols if c not in skip)
            self._special.append(
                "SELECT '%s', COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', %s))), 0) FROM `%s` WHERE %s"
                % (t, expr, t, where.format(start=self.start)))
        return tables

    def snapshot(self):
        """{table: fingerprint} of every table; equal snapshots: nothing changed."""
        sql = "CHECKSUM TABLE %s;\n" % ", ".join("`%s`" % t for t in self._plain)
        sql += ";\n".join(self._special) + ";"
        snap = {}
        for row in self.query(sql):
            if len(row) == 2 and "." in row[0]:
                snap[row[0].split(".", 1)[1]] = row[1]
            elif len(row) == 3:
                snap[row[0]] = "%s rows, crc %s" % (row[1], row[2])
        return snap

    WRITES = ("SHOW GLOBAL STATUS WHERE Variable_name IN "
              "('Handler_write', 'Handler_update', 'Handler_delete')")

    def writes(self):
        """The server's counters of rows written, updated and deleted: while
        they stand still nothing was written, and no checksum is needed."""
        return tuple(sorted((r[0], r[1]) for r in self.query(self.WRITES)))

    def state(self):
        """(write counters, snapshot) now."""
        w = self.writes()
        return (w, self.snapshot())

    def check(self, state):
        """(tables changed since state, the new state). The tables are only
        checksummed again when the write counters moved."""
        w = self.writes()
        if w == state[0]:
            return [], state
        snap = self.snapshot()
        return self.diff(state[1], snap), (w, snap)

    @staticmethod
    def diff(a, b):
        return sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))
