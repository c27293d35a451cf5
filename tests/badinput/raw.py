"""raw — requests no ordinary client sends: broken request lines and
headers, bad framing, bodies beyond the limits. Each goes on a connection of
its own (they run in parallel threads), since a server may rightly stop
reading such a connection or close it."""

from cases import Case, J

MIB = 1024 * 1024


def _req(line, headers, body=b"", crlf=b"\r\n"):
    out = line + crlf
    for h in headers:
        out += h + crlf
    return out + crlf + body


def gen_raw(spec, fx, port):
    out = []
    P = fx.ids["project"]
    host = b"Host: 127.0.0.1:%d" % port

    def tok(who):
        return b"Authorization: Bearer " + fx.tokens[who].encode()

    def add(cat, what, data, expect, method="GET", target="", who=None, **kw):
        c = Case(cat, what, method, target, who=None, expect=expect, parallel=True,
                 raw=(lambda ctx, d=data: d), label=who or "anonymous", **kw)
        c.write = method not in ("GET", "HEAD")
        out.append(c)

    # ---- request lines
    add("raw", "request line of one word", b"GET\r\n\r\n", {400})
    # A version the server does not speak is refused as a malformed line.
    add("raw", "HTTP/0.9 simple request", b"GET /\r\n\r\n", {400}, target="/", may_close=True)
    add("raw", "request line with a fourth part", _req(b"GET / HTTP/1.1 extra", [host]), {400}, target="/")
    add("raw", "two spaces after the method", _req(b"GET  /api/v1/me HTTP/1.1", [host]), {400, 401, 404},
        target=" /api/v1/me")
    add("raw", "HTTP/9.9", _req(b"GET /healthz HTTP/9.9", [host]), {400}, target="/healthz", may_close=True)
    add("raw", "HTTP/2.0 on an HTTP/1 connection", _req(b"GET /healthz HTTP/2.0", [host]), {400},
        target="/healthz", may_close=True)
    add("raw", "HTTP/2 connection preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 405}, target="*",
        may_close=True)
    add("raw", "protocol HTTX/1.1", _req(b"GET /healthz HTTX/1.1", [host]), {400}, target="/healthz")
    add("raw", "protocol HTTP/1.", _req(b"GET /healthz HTTP/1.", [host]), {400}, target="/healthz")
    add("raw", "lower-case protocol", _req(b"GET /healthz http/1.1", [host]), {400}, target="/healthz")
    add("raw", "control byte in the target", _req(b"GET /healthz\x01 HTTP/1.1", [host]), {400, 404}, target="/healthz\\x01")
    add("raw", "raw NUL in the target", _req(b"GET /healthz\x00 HTTP/1.1", [host]), {400}, target="/healthz\\x00")
    add("raw", "raw NUL in a file name", _req(b"GET /app.js\x00.html HTTP/1.1", [host]), {400},
        target="/app.js\\x00.html")
    add("raw", "a space inside the target", _req(b"GET /api/v1/ me HTTP/1.1", [host]), {400, 404},
        target="/api/v1/ me")
    add("raw", "NUL inside the method", _req(b"G\x00ET /healthz HTTP/1.1", [host]), {400, 405},
        method="G\\x00ET", target="/healthz")
    add("raw", "CONNECT to an authority", _req(b"CONNECT 127.0.0.1:%d HTTP/1.1" % port, [host]), {400, 405},
        method="CONNECT", target="127.0.0.1", may_close=True)
    add("raw", "authority form for GET", _req(b"GET 127.0.0.1:%d HTTP/1.1" % port, [host]), {400},
        target="127.0.0.1")
    add("raw", "asterisk form for GET", _req(b"GET * HTTP/1.1", [host]), {400, 404}, target="*")
    add("raw", "TLS ClientHello on the plain port", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\xaa" * 32
        + b"\x00\x00\x02\x13\x01\x01\x00\x00\x76" + b"\x00" * 118, {400}, method="(TLS)", may_close=True)
    add("raw", "20 KiB request target", _req(b"GET /" + b"a" * 20480 + b" HTTP/1.1", [host]), {400, 414, 431},
        target="/aaaa…")
    add("raw", "absolute-form URI with a bad limit", _req(
        b"GET http://127.0.0.1:%d/api/v1/projects?limit=0 HTTP/1.1" % port, [host, tok("admin")]), {400},
        target="http://127.0.0.1/api/v1/projects?limit=0", who="admin")
    add("raw", "absolute-form URI of another host", _req(b"GET http://evil.example/api/v1/me HTTP/1.1", [host]),
        {400, 401}, target="http://evil.example/api/v1/me")
    add("raw", "absolute-form URI with scheme ftp", _req(b"GET ftp://127.0.0.1/api/v1/me HTTP/1.1", [host]),
        {400, 401}, target="ftp://127.0.0.1/api/v1/me")
    add("raw", "absolute-form URI with %00", _req(b"GET http://127.0.0.1:%d/app.js%%00.html HTTP/1.1" % port,
                                                  [host]), {400}, target="http://127.0.0.1/app.js%00.html")
    add("raw", "absolute-form URI with traversal", _req(
        b"GET http://127.0.0.1:%d/../../etc/passwd HTTP/1.1" % port, [host]), {400, 403, 404},
        target="http://127.0.0.1/../../etc/passwd")
    add("raw", "scheme without slashes", _req(b"GET http:/api/v1/me HTTP/1.1", [host]), {400, 401, 404},
        target="http:/api/v1/me")

    # ---- header fields
    add("raw", "a 20 KiB header", _req(b"GET /api/v1/me HTTP/1.1", [host, b"X-Big: " + b"a" * 20480]),
        {400, 413, 431}, target="/api/v1/me")
    add("raw", "1,000 headers (20 KiB)", _req(b"GET /api/v1/me HTTP/1.1",
                                              [host] + [b"X-H%04d: %s" % (i, b"b" * 12) for i in range(1000)]),
        {400, 413, 431}, target="/api/v1/me")
    add("raw", "a 70 KiB cookie", _req(b"GET /api/v1/me HTTP/1.1", [host, b"Cookie: a=" + b"c" * 71680]),
        {400, 413, 431}, target="/api/v1/me")
    add("raw", "a header line without a colon", _req(b"GET /healthz HTTP/1.1", [host, b"Foo bar"]), {400},
        target="/healthz")
    add("raw", "white space before the colon", _req(b"GET /healthz HTTP/1.1", [host, b"X-Foo : bar"]), {400},
        target="/healthz")
    add("raw", "a space inside a header name", _req(b"GET /healthz HTTP/1.1", [host, b"X Foo: bar"]), {400},
        target="/healthz")
    add("raw", "a control byte in a header name", _req(b"GET /healthz HTTP/1.1", [host, b"X-\x01Foo: bar"]), {400},
        target="/healthz")
    add("raw", "a NUL in a header name", _req(b"GET /healthz HTTP/1.1", [host, b"X-\x00A: 1"]), {400},
        target="/healthz")
    add("raw", "an empty header name", _req(b"GET /healthz HTTP/1.1", [host, b": value"]), {400}, target="/healthz")
    add("raw", "obs-fold continuation line", _req(b"GET /api/v1/me HTTP/1.1", [host, b"X-A: a", b" b"]),
        {400, 401}, target="/api/v1/me")
    add("raw", "continuation line right after the request line",
        _req(b"GET /api/v1/me HTTP/1.1", [b" X-A: b", host]), {400, 401}, target="/api/v1/me")
    add("raw", "obs-fold inside Content-Length", _req(b"POST /api/v1/contractors HTTP/1.1",
                                                      [host, tok("admin"), b"Content-Type: application/json",
                                                       b"Content-Length:", b" 2"], b"{}"),
        {400, 422}, method="POST", target="/api/v1/contractors", who="admin")
    add("raw", "NUL in X-Request-ID", _req(b"GET /api/v1/me HTTP/1.1", [host, b"X-Request-ID: bi-nul\x00tail"]),
        {400, 401}, target="/api/v1/me", not_echo="bi-nul")
    add("raw", "NUL inside the bearer token", _req(b"GET /api/v1/me HTTP/1.1", [host, tok("finance") + b"\x00junk"]),
        {400, 401}, target="/api/v1/me", who="finance")
    add("raw", "NUL inside Content-Type", _req(b"POST /api/v1/contractors HTTP/1.1",
                                               [host, tok("admin"), b"Content-Type: application/json\x00xml",
                                                b"Content-Length: %d" % len(J(fx.create_body("contractors")))],
                                               J(fx.create_body("contractors"))),
        {400, 415}, method="POST", target="/api/v1/contractors", who="admin")
    vx, vv = fx.victim("contractors")
    add("raw", "NUL inside If-Match", _req(b"DELETE /api/v1/contractors/%d HTTP/1.1" % vx,
                                           [host, tok("admin"), b'If-Match: "%d"\x00x' % vv]),
        {400, 412}, method="DELETE", target="/api/v1/contractors/%d" % vx, who="admin")
    add("raw", "NUL inside Host", _req(b"GET /healthz HTTP/1.1", [b"Host: 127.0.0.1\x00evil.example"]), {400},
        target="/healthz")
    add("raw", "bare LF line ends", _req(b"GET /api/v1/projects?limit=0 HTTP/1.1", [host, tok("manager")],
                                         crlf=b"\n"), {400}, target="/api/v1/projects?limit=0", who="manager")
    add("raw", "bare LF line ends, anonymous", _req(b"GET /api/v1/me HTTP/1.1", [host], crlf=b"\n"), {400, 401},
        target="/api/v1/me")
    add("raw", "CRLF lines but a bare LF blank line",
        b"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\n", {400, 401}, target="/api/v1/me")
    add("raw", "bare CR inside a header value", _req(b"GET /api/v1/me HTTP/1.1", [host, b"X-A: a\rb"]), {400, 401},
        target="/api/v1/me")
    add("raw", "no Host header in HTTP/1.1", _req(b"GET /healthz HTTP/1.1", []), {400}, target="/healthz")
    add("raw", "two Host headers", _req(b"GET /healthz HTTP/1.1", [host, b"Host: evil.example"]), {400},
        target="/healthz")
    add("raw", "Host with a space", _req(b"GET /healthz HTTP/1.1", [b"Host: 127.0.0.1 evil.example"]), {400},
        target="/healthz")
    add("raw", "two Content-Type headers", _req(b"POST /api/v1/contractors HTTP/1.1",
                                                [host, tok("admin"), b"Content-Type: application/json",
                                                 b"Content-Type: text/plain", b"Content-Length: 2"], b"{}"),
        {400, 415}, method="POST", target="/api/v1/contractors", who="admin")

    # ---- framing: Content-Length and chunked
    bad = b'{"bogus-framing":1}'
    two_cl = J(fx.create_body("contractors"))

    def post(headers, body, who="admin", path=b"/api/v1/contractors", version=b"HTTP/1.1"):
        hs = [host, b"Content-Type: application/json"] + ([tok(who)] if who else []) + headers
        return _req(b"POST " + path + b" " + version, hs, body)

    for what, headers, body, expect in [
        # The first length frames a valid body: taking it shows as an accepted request.
        ("two different Content-Length headers", [b"Content-Length: %d" % len(two_cl), b"Content-Length: %d" % (
            len(two_cl) + 4)], two_cl + b"\r\n\r\n", {400}),
        ("a Content-Length list of two values", [b"Content-Length: 2, %d" % len(bad)], bad, {400}),
        ("negative Content-Length", [b"Content-Length: -1"], bad, {400}),
        ("Content-Length of letters", [b"Content-Length: abc"], bad, {400}),
        ("Content-Length with a plus sign", [b"Content-Length: +%d" % len(bad)], bad, {400}),
        ("hexadecimal Content-Length", [b"Content-Length: 0x13"], bad, {400}),
        ("20-digit Content-Length", [b"Content-Length: 99999999999999999999"], bad, {400, 413}),
        ("Content-Length with a NUL", [b"Content-Length: %d\x00" % len(bad)], bad, {400}),
        ("chunk size of letters", [b"Transfer-Encoding: chunked"], b"zz\r\n" + bad + b"\r\n0\r\n\r\n", {400}),
        ("chunk size larger than the chunk", [b"Transfer-Encoding: chunked"],
         b"20\r\n" + bad + b"\r\n0\r\n\r\n" + b"x" * 40 + b"\r\n\r\n", {400}),
        ("chunk size smaller than the chunk", [b"Transfer-Encoding: chunked"], b"2\r\n" + bad + b"\r\n0\r\n\r\n", {400}),
        ("negative chunk size", [b"Transfer-Encoding: chunked"], b"-1\r\n" + bad + b"\r\n0\r\n\r\n", {400}),
        ("chunk size beyond 64 bits", [b"Transfer-Encoding: chunked"], b"1ffffffffffffffff\r\n" + bad + b"\r\n0\r\n\r\n",
         {400, 413}),
        ("chunk size with a plus sign", [b"Transfer-Encoding: chunked"], b"+13\r\n" + bad + b"\r\n0\r\n\r\n", {400}),
        ("NUL in a chunk extension", [b"Transfer-Encoding: chunked"], b"13;\x00\r\n" + bad + b"\r\n0\r\n\r\n",
         {400, 422}),
        ("chunk data without its CRLF", [b"Transfer-Encoding: chunked"], b"13\r\n" + bad + b"0\r\n\r\n", {400}),
        ("Transfer-Encoding gzip", [b"Transfer-Encoding: gzip", b"Content-Length: %d" % len(bad)], bad, {400, 411, 415}),
        ("Transfer-Encoding chunked, gzip", [b"Transfer-Encoding: chunked, gzip"], b"13\r\n" + bad + b"\r\n0\r\n\r\n",
         {400, 415}),
        ("Transfer-Encoding xchunked", [b"Transfer-Encoding: xchunked"], b"13\r\n" + bad + b"\r\n0\r\n\r\n", {400, 411}),
        ("Transfer-Encoding chunked twice", [b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"],
         b"13\r\n" + bad + b"\r\n0\r\n\r\n", {400}),
    ]:
        # After a framing error the rest of the connection cannot be read.
        add("raw", what, post(headers, body), expect, method="POST", target="/api/v1/contractors", who="admin",
            must_close=422 not in expect)
    add("raw", "chunked in an HTTP/1.0 request", post([b"Transfer-Encoding: chunked"],
                                                       b"13\r\n" + bad + b"\r\n0\r\n\r\n", version=b"HTTP/1.0"),
        {400, 422}, method="POST", target="/api/v1/contractors", who="admin", must_close=True, may_close=True)
    add("raw", "chunked and Content-Length together (smuggling)",
        post([b"Content-Length: 4", b"Transfer-Encoding: chunked"], b"0\r\n\r\nGET /api/v1/me HTTP/1.1\r\n"
             b"Host: 127.0.0.1\r\n\r\n", who=None),
        {400, 401}, method="POST", target="/api/v1/contractors", must_close=True)
    add("raw", "chunked and Content-Length together, signed in",
        post([b"Content-Length: 6", b"Transfer-Encoding: chunked"], b"13\r\n" + bad + b"\r\n0\r\n\r\n"),
        {400, 422}, method="POST", target="/api/v1/contractors", who="admin", must_close=True)

    # ---- limits: bodies larger than the route takes
    big_name = J({"name": "n" * (MIB + 16)})
    add("limits", "a 1 MiB + JSON body", post([b"Content-Length: %d" % len(big_name)], big_name), {413},
        method="POST", target="/api/v1/contractors", who="admin")
    anon_body = J({"email": "x@x.example", "password": "p" * (64 * 1024)})
    add("limits", "a 64 KiB + sign-in body", post([b"Content-Length: %d" % len(anon_body)], anon_body, who=None,
                                                   path=b"/api/v1/auth/login"),
        {413}, method="POST", target="/api/v1/auth/login")
    anon_big = J({"name": "a" * (100 * 1024)})
    add("limits", "100 KiB unauthenticated body", post([b"Content-Length: %d" % len(anon_big)], anon_big, who=None,
                                                        path=b"/api/v1/projects"),
        {413}, method="POST", target="/api/v1/projects")
    fc = J({"type": "FeatureCollection", "features": [], "pad": "p" * (100 * 1024)})
    add("limits", "100 KiB unauthenticated import", post([b"Content-Length: %d" % len(fc)], fc, who=None,
                                                          path=b"/api/v1/projects/%d/import" % P),
        {413}, method="POST", target="/api/v1/projects/%d/import" % P)
    for what, path, who, n in [("2 MiB declared, body not sent", b"/api/v1/contractors", "admin", 2 * MIB),
                               ("65 MiB declared on the import, body not sent", b"/api/v1/projects/%d/import" % P,
                                "admin", 65 * MIB),
                               ("100 KiB declared for sign-in, body not sent", b"/api/v1/auth/login", None, 100 * 1024),
                               ("1 GiB declared, unauthenticated, body not sent", b"/api/v1/projects", None, 1 << 30)]:
        add("limits", what, post([b"Content-Length: %d" % n], b"", who=who, path=path), {413},
            method="POST", target=path.decode(), who=who, max_time=3.0, timeout=5.0)
    add("limits", "2 MiB declared with Expect: 100-continue",
        post([b"Content-Length: %d" % (2 * MIB), b"Expect: 100-continue"], b""), {413, 417},
        method="POST", target="/api/v1/contractors", who="admin", max_time=3.0, timeout=5.0)
    chunk = b"c" * 65536
    stream = post([b"Transfer-Encoding: chunked"], b"")
    pieces = [stream, b'10\r\n{"name":"ccccccc\r\n'] + [b"10000\r\n" + chunk + b"\r\n"] * 20
    c = Case("limits", "1.25 MiB chunked stream", "POST", "/api/v1/contractors", expect={413}, parallel=True,
             raw=lambda ctx, p=pieces: p, label="admin", timeout=8.0)
    out.append(c)
    # Quadratic validation takes seconds here; linear takes milliseconds.
    keys = b"{" + b",".join(b'"k%05d":1' % i for i in range(60000)) + b"}"
    add("limits", "60,000 unknown members (validation must stay linear)",
        post([b"Content-Length: %d" % len(keys)], keys), {422, 400}, method="POST",
        target="/api/v1/contractors", who="admin", max_time=1.5, timeout=20.0)
    return out
