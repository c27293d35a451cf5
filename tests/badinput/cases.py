"""cases — the generators of bad-input cases, one function per category.

Every generator takes the Spec and the Fixture and returns Case objects.
Each case must be refused by a correct server whoever sends it: a case that
a correct server may accept does not belong here.
"""

import base64
import json
import re

from spec import READ_METHODS

ROLES = ("admin", "manager", "finance", "contractor")
ANY_4XX = None

# JSON-route answers for a body that is not a usable JSON object.
MALFORMED = {400}
SHAPE = {400, 422}


class Case:
    """One request that must be refused.

    target   request target exactly as sent (already percent-encoded)
    who      identity whose token goes into Authorization (None: anonymous)
    expect   the statuses a correct server may answer (None: any 4xx)
    pointer  for a 422, a JSON Pointer its errors[] must name
    raw      a callable(ctx) giving the request bytes (or a list of pieces
             sent apart) when the case is not an ordinary request
    parallel run with the other parallel cases on a connection of its own
             (cases that may stall a connection, or send big bodies)
    may_close  closing the connection without an answer is acceptable
    must_close the server must close the connection after answering
    max_time   seconds within which the answer must come
    changed    callable(fx) after the case changed the database (refresh)
    not_echo   an X-Request-ID that must not come back
    """

    def __init__(self, cat, what, method, target, who=None, headers=(), body=None, expect=ANY_4XX,
                 pointer=None, raw=None, parallel=False, may_close=False, must_close=False,
                 head=False, max_time=None, timeout=None, pause=None, changed=None, not_echo=None,
                 allow=None, fresh=False, write=None, label=None):
        self.cat = cat
        self.what = what
        self.method = method
        self.target = target
        self.who = who
        self.headers = list(headers)
        self.body = body
        self.expect = set(expect) if expect is not None else None
        self.pointer = pointer
        self.raw = raw
        self.parallel = parallel
        self.may_close = may_close
        self.must_close = must_close
        self.head = head or method == "HEAD"
        self.max_time = max_time
        self.timeout = timeout
        self.pause = pause
        self.changed = changed
        self.not_echo = not_echo
        self.allow = allow
        self.fresh = fresh or (body is not None and len(body) > 65536)
        self.write = write if write is not None else method not in READ_METHODS
        self.label = label or who or "anonymous"


# ------------------------------------------------------- building blocks


def J(v):
    """JSON text of a value, UTF-8, as bytes."""
    return json.dumps(v, ensure_ascii=False).encode("utf-8")


def obj(pairs):
    """A JSON object from (key, raw value bytes) pairs; keys may be raw bytes
    (the key text with its quotes) to send keys json.dumps cannot write."""
    parts = []
    for k, v in pairs:
        parts.append((k if isinstance(k, bytes) else J(k)) + b":" + v)
    return b"{" + b",".join(parts) + b"}"


def with_value(base, name, raw):
    """base (a dict) with field name set to the raw JSON value."""
    return obj([(k, J(v)) for k, v in base.items() if k != name] + [(name, raw)])


def ptr(name):
    return "/" + name.replace("~", "~0").replace("/", "~1")


def b64(s):
    return base64.urlsafe_b64encode(s).rstrip(b"=").decode()


def concrete(path, ids):
    """An OpenAPI path with {id} replaced."""
    return path.replace("{id}", str(ids)) if "{id}" in path else path


def rotate(options, i):
    return options[i % len(options)] if options else None


JSON_CT = ("Content-Type", "application/json")


# ---------------------------------------------------------- value variants
#
# Each variant: (label, raw JSON bytes, statuses a correct server may give).
# 422 is the rule for a value of the wrong type or range; a body that is not
# valid JSON (raw control characters, invalid UTF-8, lone surrogates) may
# also be refused as a whole with 400.

V422 = {422}
VBAD = {400, 422}


def string_junk(tag):
    """Variants that break any string field (tag keeps values unique)."""
    a, z = "bi" + tag, "zz"
    return [
        ("escaped \\u0000 inside", b'"' + a.encode() + b'\\u0000' + z.encode() + b'"', VBAD),
        ("escaped \\u0000 at the end", b'"' + a.encode() + b'\\u0000"', VBAD),
        ("raw NUL byte inside", b'"' + a.encode() + b"\x00" + z.encode() + b'"', VBAD),
        ("escaped \\u0001", b'"' + a.encode() + b'\\u0001"', VBAD),
        ("raw control byte 0x01", b'"' + a.encode() + b'\x01"', VBAD),
        ("escaped \\u001b (ESC)", b'"' + a.encode() + b'\\u001b[31m"', VBAD),
        ("escaped \\u007f (DEL)", b'"' + a.encode() + b'\\u007f"', VBAD),
        ("invalid UTF-8 byte 0xff", b'"' + a.encode() + b'\xff"', VBAD),
        ("overlong UTF-8 (0xc0 0xaf)", b'"' + a.encode() + b'\xc0\xaf"', VBAD),
        ("UTF-8 encoded surrogate", b'"' + a.encode() + b'\xed\xa0\x80"', VBAD),
        ("UTF-8 beyond U+10FFFF", b'"' + a.encode() + b'\xf4\x90\x80\x80"', VBAD),
        ("truncated UTF-8 sequence", b'"' + a.encode() + b'\xe2\x82"', VBAD),
        ("lone high surrogate escape", b'"' + a.encode() + b'\\ud800"', VBAD),
        ("lone low surrogate escape", b'"\\udc00' + a.encode() + b'"', VBAD),
    ]


def type_junk(f, kinds):
    out = []
    if "number" in kinds:
        out.append(("number instead of %s" % f.type, b"123", V422))
    if "string" in kinds:
        out.append(("string instead of %s" % f.type, J("1"), V422))
    if "bool" in kinds:
        out.append(("boolean instead of %s" % f.type, b"true", V422))
    out.append(("array instead of %s" % f.type, b"[1]" if f.type != "string" else b'["a"]', V422))
    out.append(("object instead of %s" % f.type, b'{"v":1}', V422))
    if not f.nullable:
        out.append(("null for a field that is not nullable", b"null", V422))
    return out


def variants(f, tag, fx):
    """The bad values of one field."""
    ct = f.ctype
    out = []
    if ct in ("FT_INT", "FT_MONEY", "FT_ID"):
        out += type_junk(f, ("string", "bool"))
        lo = f.minimum if f.minimum is not None else 0
        hi = f.maximum
        out.append(("below the minimum (%g)" % lo, J(int(lo) - 1), V422))
        if hi is not None:
            out.append(("above the maximum (%g)" % hi, J(int(hi) + 1), V422))
        out += [("decimal", b"1.5", V422), ("2^63", b"9223372036854775808", V422),
                ("-2^63-1", b"-9223372036854775809", V422), ("1e400 (overflows a double)", b"1e400", VBAD),
                ("empty string", J(""), V422)]
    elif ct == "FT_REF":
        out += type_junk(f, ("string", "bool"))
        out += [("zero", b"0", V422), ("negative", b"-1", V422), ("decimal", b"1.5", V422),
                ("2^63", b"9223372036854775808", V422), ("2^53+1", b"9007199254740993", V422),
                ("1e400 (overflows a double)", b"1e400", VBAD),
                ("an id no object has", J(2 ** 53 - 1), {404, 422}), ("numeric string of a real id", J(str(fx.any_id)), V422)]
    elif ct in ("FT_DECIMAL", "FT_RATE", "FT_LAT", "FT_LON"):
        out += type_junk(f, ("string", "bool"))
        lo, hi = {"FT_RATE": (0, 1), "FT_LAT": (-90, 90), "FT_LON": (-180, 180)}.get(ct, (f.minimum, f.maximum))
        if lo is not None:
            out.append(("below the minimum (%g)" % lo, J(lo - 0.5), V422))
        if hi is not None:
            out.append(("above the maximum (%g)" % hi, J(hi + 0.5), V422))
        out += [("1e400 (overflows a double)", b"1e400", VBAD), ("-1e400", b"-1e400", VBAD),
                ("the string NaN", J("NaN"), V422), ("NaN literal", b"NaN", {400}),
                ("Infinity literal", b"Infinity", {400})]
        if ct == "FT_DECIMAL":
            out.append(("three decimals", b"0.001", V422))
        if ct == "FT_RATE":
            out.append(("five decimals", b"0.00001", V422))
    elif ct == "FT_BOOL":
        out += type_junk(f, ())
        out += [("the string true", J("true"), V422), ("1 for true", b"1", V422), ("0 for false", b"0", V422),
                ("the string yes", J("yes"), V422)]
    elif ct == "FT_ENUM":
        good = f.enum[0] if f.enum else "x"
        out += type_junk(f, ("number",))
        out += [("empty string", J(""), V422), ("unknown value", J("bogus-" + tag), V422),
                ("upper-case value", J(good.upper()), V422), ("trailing space", J(good + " "), V422),
                ("leading space", J(" " + good), V422), ("zero-width space", J(good + "\u200b"), V422),
                ("valid value + escaped \\u0000", b'"' + good.encode() + b'\\u0000x"', VBAD),
                ("valid value + raw NUL", b'"' + good.encode() + b'\x00x"', VBAD),
                ("valid value + raw newline", b'"' + good.encode() + b'\nx"', VBAD)]
    elif ct == "FT_DATE":
        out += type_junk(f, ("number",))
        out += [("30 February", J("2026-02-30"), V422), ("month 13", J("2026-13-01"), V422),
                ("no leading zeros", J("2026-1-5"), V422), ("without dashes", J("20260105"), V422),
                ("a timestamp", J("2026-01-05T00:00:00Z"), V422), ("German notation", J("05.01.2026"), V422),
                ("year 10000", J("10000-01-01"), V422), ("year 0", J("0000-01-01"), V422),
                ("empty string", J(""), V422),
                ("valid date + escaped \\u0000", b'"2026-01-05\\u0000"', VBAD),
                ("valid date + raw NUL + junk", b'"2026-01-05\x00junk"', VBAD)]
    elif ct == "FT_TIMESTAMP":
        out += type_junk(f, ("number",))
        out += [("a date only", J("2027-01-05"), V422), ("hour 24", J("2027-01-05T24:00:00Z"), V422),
                ("no time zone", J("2027-01-05T12:00:00"), V422), ("30 February", J("2027-02-30T00:00:00Z"), V422),
                ("offset +25:00", J("2027-01-05T12:00:00+25:00"), V422), ("a word", J("tomorrow"), V422),
                ("empty string", J(""), V422),
                ("valid timestamp + escaped \\u0000", b'"2027-01-05T12:00:00Z\\u0000"', VBAD),
                ("valid timestamp + raw NUL + junk", b'"2027-01-05T12:00:00Z\x00junk"', VBAD)]
    elif ct == "FT_EMAIL":
        out += type_junk(f, ("number",))
        out += [("no @", J("bi%s.example" % tag), V422), ("a space", J("b i%s@x.example" % tag), V422), ("nothing before @", J("@x.example"), V422),
                ("two @", J("bi%s@@x.example" % tag), V422),
                ("255 characters", J("b" * 245 + "@x.example"), V422),
                ("line break", J("bi%s@x.example\r\nBcc: a@x.example" % tag), V422),
                ("escaped \\u0000 then more", b'"bi' + tag.encode() + b'@x.example\\u0000.evil"', VBAD),
                ("raw NUL then more", b'"bi' + tag.encode() + b'@x.example\x00.evil"', VBAD),
                ("invalid UTF-8", b'"bi' + tag.encode() + b'\xff@x.example"', VBAD)]
    elif ct == "FT_PASSWORD":
        out += type_junk(f, ("number",))
        m = int(f.max_length or 200)
        out += [("three characters", J("abc"), V422), ("%d characters (max %d)" % (m + 1, m), J("p" * (m + 1)), V422),
                ("escaped \\u0000 after ten characters", b'"abcdefghij\\u0000klmn"', VBAD),
                ("raw NUL after ten characters", b'"abcdefghij\x00klmn"', VBAD),
                ("invalid UTF-8", b'"abcdefghij\xffk"', VBAD)]
    elif ct == "FT_GEOMETRY":
        good = [[13.40, 52.50], [13.41, 52.51]]
        out += [("WKT text", J("LINESTRING(13.4 52.5, 13.41 52.51)"), V422), ("array", J(good), V422),
                ("number", b"1", V422), ("a Point", J({"type": "Point", "coordinates": [13.4, 52.5]}), V422),
                ("one position", J({"type": "LineString", "coordinates": [[13.4, 52.5]]}), V422),
                ("no coordinates", J({"type": "LineString"}), V422),
                ("lower-case type", J({"type": "linestring", "coordinates": good}), V422),
                ("longitude 181", J({"type": "LineString", "coordinates": [[181, 52.5], [13.41, 52.51]]}), V422),
                ("latitude -91", J({"type": "LineString", "coordinates": [[13.4, -91], [13.41, 52.51]]}), V422),
                ("coordinates as strings", J({"type": "LineString", "coordinates": [["13.4", "52.5"], ["13.41", "52.51"]]}), V422),
                ("positions nested too deep", J({"type": "LineString", "coordinates": [[[13.4, 52.5]], [[13.41, 52.51]]]}), V422),
                ("positions of four numbers", J({"type": "LineString", "coordinates": [[13.4, 52.5, 1, 2], [13.41, 52.51, 1, 2]]}), V422),
                ("an unknown member", J({"type": "LineString", "coordinates": good, "foo": 1}), V422),
                # In range for WGS84 too: only the crs makes it wrong.
                ("crs EPSG:25832 (not WGS84)", J({"type": "LineString", "coordinates": good,
                                                  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}}), V422),
                ("NaN coordinate", b'{"type":"LineString","coordinates":[[NaN,52.5],[13.41,52.51]]}', {400}),
                ("1e400 coordinate", b'{"type":"LineString","coordinates":[[1e400,52.5],[13.41,52.51]]}', VBAD),
                ("duplicate key inside", b'{"type":"LineString","type":"Point","coordinates":[[13.4,52.5],[13.41,52.51]]}', {400})]
        if not f.nullable:
            out.append(("null", b"null", V422))
    else:  # FT_STRING and anything unknown that is text
        out += type_junk(f, ("number", "bool"))
        m = f.max_length or 200
        if f.required:
            out.append(("empty string", J(""), V422))
        out += [("%d characters (max %d)" % (m + 1, m), J("x" * (int(m) + 1)), V422),
                ("%d two-byte characters" % (m + 1), J("ä" * (int(m) + 1)), V422),
                ("200,000 characters", J("y" * 200000), V422)]
        if not f.multiline:
            out.append(("CR LF line break in a one-line field", J("bi%s\r\nzz" % tag), V422))
        out += string_junk(tag)
    return out


# ------------------------------------------------------------- generators


def body_routes(spec):
    """Every route that takes a JSON body: those whose body the OpenAPI
    document describes, and those this suite knows (sign-in, review, import).
    Routes that take other media (files) are left to suites of their own."""
    return [r for r in spec.routes if r.method in ("POST", "PATCH", "PUT") and r.json_body
            and (r.body_schema or route_kind(r) in ("login", "approve", "reject", "import"))]


def route_kind(r):
    p = r.path
    if p.endswith("/auth/login"):
        return "login"
    if p.endswith("/approve"):
        return "approve"
    if p.endswith("/reject"):
        return "reject"
    if p.endswith("/import"):
        return "import"
    if p.endswith("/auth/logout"):
        return "logout"
    if r.method == "PATCH":
        return "update"
    if r.method == "POST" and not r.has_id:
        return "create"
    return "other"


class RouteCtx:
    """How to send a valid-looking request to a body route: its target, who
    may use it, a valid body, and extra headers; bad cases change one thing."""

    def __init__(self, spec, fx, r):
        self.r = r
        self.kind = route_kind(r)
        self.res = spec.resource_of(r) if self.kind in ("create", "update") else None
        if self.kind == "create" and r.tag == "progress-reports":
            self.res = spec.resources.get("progress-reports")
        self.writers = [x for x in r.roles if x in ROLES] or [None]
        self.fx = fx
        if self.kind == "update":
            self.target_id = fx.patch_target(r.tag)
        elif self.kind in ("approve", "reject"):
            self.target_id = None
        elif self.kind == "import":
            self.target_id = fx.ids["project"]
        elif r.has_id:
            self.target_id = fx.read_target(r.tag)
        else:
            self.target_id = None

    @property
    def usable(self):
        if self.kind in ("update", "other") and self.r.has_id:
            return self.target_id is not None
        return True

    def fields(self):
        if self.kind == "login":
            return [_pseudo("email", "FT_STRING", 254, required=True), _pseudo("password", "FT_STRING", 1024, required=True)]
        if self.kind in ("approve", "reject"):
            return [_pseudo("comment", "FT_STRING", 1000, nullable=self.kind == "approve", multiline=True)]
        if self.res is None:
            return []
        return [f for f in self.res.writable if not (self.kind == "update" and f.immutable)]

    def base(self):
        """A valid body (a dict), different on every call."""
        fx = self.fx
        if self.kind == "login":
            return {"email": fx.login_email, "password": fx.login_password}
        if self.kind == "approve":
            return {"comment": "ok"}
        if self.kind == "reject":
            return {"comment": "please measure again"}
        if self.kind == "import":
            return {"type": "FeatureCollection", "features": []}
        if self.kind == "update":
            return fx.patch_body(self.r.tag)
        return fx.create_body(self.r.tag)

    def prepare(self, case, body_is_valid=False):
        """Fills in target and headers at run time (report ids, ETags)."""
        fx = self.fx
        r = self.r
        kind = self.kind

        def setup(c):
            if kind in ("approve", "reject"):
                c.target = concrete(r.path, fx.report())
            elif kind == "update":
                c.target = concrete(r.path, self.target_id)
                c.headers = [h for h in c.headers if h[0] != "If-Match"] + [("If-Match", fx.etag(r.tag, self.target_id))]
            elif r.has_id:
                c.target = concrete(r.path, self.target_id)
        case.setup = setup
        if kind in ("approve", "reject"):
            case.changed = lambda fx_: fx_.burn_report()
        elif kind == "update":
            case.changed = lambda fx_, t=r.tag, i=self.target_id: fx_.refresh(t, i)
        if r.idempotency_required and not any(h[0] == "Idempotency-Key" for h in case.headers):
            case.headers.append(("Idempotency-Key", fx.unique("idem")))
        return case

    def case(self, cat, what, body, i, expect=ANY_4XX, pointer=None, ctype="application/json", headers=(),
             who=None):
        hdrs = list(headers)
        if ctype is not None:
            hdrs.insert(0, ("Content-Type", ctype))
        if self.kind == "login":
            # Where the server trusts the loopback proxy (tests/run.sh), a
            # failed sign-in a faulty server counts lands on a documentation
            # address, not on the one the other suites sign in from.
            hdrs.append(("X-Forwarded-For", "198.51.100.7"))
        c = Case(cat, what, self.r.method, concrete(self.r.path, self.target_id or 0),
                 who=who if who is not None else rotate(self.writers, i), headers=hdrs, body=body,
                 expect=expect, pointer=pointer)
        return self.prepare(c)


class _pseudo:
    """A field of a body that is not a resource (sign-in, review comment)."""

    def __init__(self, name, ctype, max_length, required=False, nullable=False, multiline=False):
        self.name = name
        self.ctype = ctype
        self.type = "string"
        self.max_length = max_length
        self.nullable = nullable
        self.flags = {"F_REQUIRED"} if required else set()
        self.multiline = multiline
        self.enum = []
        self.minimum = self.maximum = None
        self.required = required


def gen_fields(spec, fx):
    """Every writable field of every body: wrong types, ranges, broken strings."""
    out = []
    i = 0
    for r in body_routes(spec):
        rc = RouteCtx(spec, fx, r)
        if not rc.usable or rc.kind == "import":
            continue
        for f in rc.fields():
            vs = variants(f, fx.unique(""), fx)
            if rc.kind == "login":
                # Keep to the values a server refuses before it checks a
                # password: others would only count as failed sign-ins.
                vs = [v for v in vs if v[2] != V422 or v[0].startswith(("number", "array", "object", "null", "boolean"))
                      or "characters" in v[0]]
                vs = [v for v in vs if not any(s in v[0] for s in ("ESC", "DEL", "0x01", "surrogate escape"))]
                if f.name == "password":
                    vs = [v for v in vs if "\\u0001" not in v[0]]
                vs = [v for v in vs if "at the end" not in v[0]]
                vs = [(lbl, _suffix_login(fx, f.name, raw, lbl), ex) for lbl, raw, ex in vs]
            for label, raw, expect in vs:
                i += 1
                body = with_value(rc.base(), f.name, raw)
                what = "%s: %s" % (f.name, label)
                out.append(rc.case("field", what, body, i, expect=expect, pointer=ptr(f.name)))
    return out


def _suffix_login(fx, name, raw, label):
    """For sign-in, the NUL variants keep the right e-mail or password before
    the NUL, so that a server that cuts strings there signs the user in."""
    if "NUL" not in label and "\\u0000" not in label:
        return raw
    good = fx.login_email if name == "email" else fx.login_password
    if b"\x00" in raw:
        return b'"' + good.encode() + b'\x00junk"'
    return b'"' + good.encode() + b'\\u0000junk"'


def _unquote_first_key(b):
    i = b.find(b'"')
    j = b.find(b'"', i + 1)
    return b[:i] + b[i + 1:j] + b[j + 1:] if i >= 0 and j > i else b


def _leading_zero(base):
    """The valid body with one integer member written with a leading zero."""
    for k, v in base.items():
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return obj([(kk, J(vv)) for kk, vv in base.items() if kk != k] + [(k, b"0" + J(v))])
    return None


# (label, function of the valid body as a dict and as bytes): a lenient
# parser would read most of these as the valid body, so accepting one shows.
MALFORMED_BODIES = [
    ("an unclosed object", lambda d, b: b[:-1]),
    ("a member without a value", lambda d, b: b[:-1] + b',"a":}'),
    ("a trailing comma", lambda d, b: b[:-1] + b",}"),
    ("single quotes", lambda d, b: b.replace(b'"', b"'")),
    ("an unquoted key", lambda d, b: _unquote_first_key(b)),
    ("one brace too many", lambda d, b: b + b"}"),
    ("two JSON values", lambda d, b: b + b" " + b),
    ("a number with a leading zero", lambda d, b: _leading_zero(d)),
    ("a bare decimal point", lambda d, b: b'{"a":.5}'),
    ("a lone minus", lambda d, b: b'{"a":-}'),
    ("an exponent without digits", lambda d, b: b'{"a":1e}'),
    ("an invalid escape", lambda d, b: b'{"a":"\\x41"}'),
    ("a short \\u escape", lambda d, b: b'{"a":"\\u12"}'),
    ("a comment before the object", lambda d, b: b"/* note */" + b),
    ("a comment inside the object", lambda d, b: b"{/* note */" + b[1:]),
    ("an unterminated string", lambda d, b: b'{"a":"abc}'),
    ("a vertical tab between tokens", lambda d, b: b"{\x0b" + b[1:]),
    ("a form feed between tokens", lambda d, b: b"{\x0c" + b[1:]),
    ("a NUL byte between tokens", lambda d, b: b"{\x00" + b[1:]),
    ("a NUL byte after the object", lambda d, b: b + b"\x00"),
    ("a NUL byte before the object", lambda d, b: b"\x00" + b),
    ("XML", lambda d, b: b"<a>1</a>"),
    ("form encoding", lambda d, b: b"a=1&b=2"),
    ("invalid UTF-8 in a key", lambda d, b: b'{"\xff":1}'),
    ("UTF-16 encoded", lambda d, b: b.decode("utf-8").encode("utf-16")),
    ("UTF-32 encoded", lambda d, b: b.decode("utf-8").encode("utf-32")),
]
# Not UTF-8 at all: refused as malformed or as an unsupported encoding.
NOT_UTF8 = ("UTF-16 encoded", "UTF-32 encoded")

NON_OBJECTS = [("null", b"null"), ("an array", b"[]"), ("an array of an object", b"[{}]"),
               ("a string", b'"text"'), ("a number", b"0"), ("true", b"true")]


def deep_array(n):
    return b"[" * n + b"1" + b"]" * n


def deep_object(n):
    return b'{"a":' * n + b"1" + b"}" * n


def gen_bodies(spec, fx):
    """Body shapes: empty, not JSON, not an object, duplicate keys, deep
    nesting, unknown and read-only members, missing required members."""
    out = []
    i = 0
    for r in body_routes(spec):
        rc = RouteCtx(spec, fx, r)
        if not rc.usable:
            continue
        kind = rc.kind

        def add(what, body, expect=ANY_4XX, pointer=None, ctype="application/json", headers=()):
            nonlocal i
            i += 1
            out.append(rc.case("body", what, body, i, expect=expect, pointer=pointer, ctype=ctype, headers=headers))

        if not rc.r.body_optional:  # approving or accepting takes an empty body
            add("empty body", b"", SHAPE)
        add("only white space", b" \r\n\t ", MALFORMED)
        for what, make in MALFORMED_BODIES:
            valid = rc.base()
            body = make(valid, J(valid))
            if body is not None:
                add("malformed JSON: " + what, body, {400, 415} if what in NOT_UTF8 else MALFORMED)
        for what, b in NON_OBJECTS:
            add("body is " + what, b, SHAPE)
        add("byte order mark before an unknown member", b"\xef\xbb\xbf" + J({"bogus-bom": 1}), SHAPE)
        add("deep nesting: 100,000 arrays", deep_array(100000), {400, 413, 422})
        add("deep nesting: 5,000 objects", deep_object(5000), {400, 422})
        add("nesting of 900 arrays as a member", obj([("bogus-deep", deep_array(900))]), {400, 422})
        add("a member holding 100,000 numbers", obj([("bogus-long", b"[" + b",".join([b"1"] * 100000) + b"]")]), {400, 422})

        base = rc.base()
        fields = rc.fields()
        first = next(iter(base), None)
        if first is not None:
            add("duplicate key %s (same value)" % first,
                obj([(k, J(v)) for k, v in base.items()] + [(first, J(base[first]))]), {400})
            add("duplicate key %s (other value)" % first,
                obj([(k, J(v)) for k, v in base.items()] + [(first, J(_other(base[first])))]), {400})
            esc = J(first).replace(first[0].encode(), b"\\u%04x" % ord(first[0]), 1)
            add("duplicate key %s, once written with a \\u escape" % first,
                obj([(k, J(v)) for k, v in base.items()] + [(esc, J(base[first]))]), {400})
            add("duplicate key differing after a raw NUL (%s)" % first,
                obj([(k, J(v)) for k, v in base.items()] + [(J(first)[:-1] + b'\x00x"', J(base[first]))]), {400, 422})
            add("key %s with escaped \\u0000 in it" % first,
                obj([(k, J(v)) for k, v in base.items() if k != first] + [(J(first)[:-1] + b'\\u0000"', J(base[first]))]),
                {400, 422})
            add("key %s with a raw NUL and junk after it" % first,
                obj([(k, J(v)) for k, v in base.items() if k != first] + [(J(first)[:-1] + b'\x00junk"', J(base[first]))]),
                {400, 422})
        add("duplicate unknown key", obj([(k, J(v)) for k, v in base.items()] + [("bogus-dup", b"1"), ("bogus-dup", b"2")]), {400})
        for name in ("bogus", "ID", "__proto__", "a/b~c"):
            add("unknown member %s" % name, with_value(base, name, b"1"), {422}, pointer=ptr(name))
        # A server may name an absurd member shortened, or refuse it outright.
        add("unknown member of 10,000 characters", with_value(base, "x" * 10000, b"1"), {400, 422})
        add("unknown member with the empty name", with_value(base, "", b"1"), {400, 422})
        if fields:
            f0 = fields[0].name
            if f0.lower() != f0 or f0.upper() != f0:
                add("member %s in upper case" % f0, with_value(base, f0.upper(), J(base.get(f0, "x"))),
                    {422}, pointer=ptr(f0.upper()))
            add("member %s with a trailing space" % f0, with_value(base, f0 + " ", J(base.get(f0, "x"))),
                {422}, pointer=ptr(f0 + " "))
        if rc.res is not None:
            for f in rc.res.read_only:
                add("read-only member %s" % f.name, with_value(base, f.name, _plausible(f, fx)), {422}, pointer=ptr(f.name))
            if kind == "update":
                for f in rc.res.writable:
                    if f.immutable:
                        add("immutable member %s" % f.name, with_value(base, f.name, J(fx.ids["project"])),
                            {422}, pointer=ptr(f.name))
            if kind == "create":
                req = [f.name for f in rc.res.fields if f.required and f.writable]
                if req:
                    add("no members (all required ones missing)", b"{}", {422}, pointer=ptr(req[0]))
                    for name in req:
                        add("required member %s missing" % name,
                            obj([(k, J(v)) for k, v in base.items() if k != name]), {422}, pointer=ptr(name))
        if kind == "login":
            add("no members", b"{}", {422})
            add("e-mail missing", J({"password": fx.login_password}), {422}, pointer="/email")
            add("password missing", J({"email": fx.login_email}), {422}, pointer="/password")
        if kind == "reject":
            add("no comment", b"{}", {422}, pointer="/comment")
            add("empty comment", J({"comment": ""}), {422}, pointer="/comment")
        if kind == "import":
            for what, body in IMPORT_BODIES:
                add("GeoJSON: " + what, body, {400, 422})
    return out


IMPORT_BODIES = [
    ("a Feature, not a FeatureCollection", J({"type": "Feature", "geometry": None, "properties": {}})),
    ("features missing", J({"type": "FeatureCollection"})),
    ("features not an array", J({"type": "FeatureCollection", "features": {}})),
    ("a feature that is a number", J({"type": "FeatureCollection", "features": [1]})),
    ("an unknown layer", J({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.4, 52.5]},
         "properties": {"layer": "bogus", "code": "X1"}}]})),
    ("a node at longitude 999", J({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [999, 52.5]},
         "properties": {"layer": "node", "code": "BI-N1", "kind": "handhole"}}]})),
    ("a node code with escaped \\u0000", b'{"type":"FeatureCollection","features":[{"type":"Feature",'
     b'"geometry":{"type":"Point","coordinates":[13.4,52.5]},"properties":{"layer":"node",'
     b'"code":"BI-N2\\u0000x","kind":"handhole"}}]}'),
    ("a node code with a raw NUL", b'{"type":"FeatureCollection","features":[{"type":"Feature",'
     b'"geometry":{"type":"Point","coordinates":[13.4,52.5]},"properties":{"layer":"node",'
     b'"code":"BI-N3\x00x","kind":"handhole"}}]}'),
    # A system GDAL knows (EPSG:25832) is transformed; one it does not know is refused.
    ("crs EPSG:43260 (no such system) on the collection", J({"type": "FeatureCollection",
                                             "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::43260"}},
                                             "features": [{"type": "Feature",
                                                           "geometry": {"type": "Point", "coordinates": [13.4, 52.5]},
                                                           "properties": {"layer": "node", "code": "BI-N4", "kind": "handhole"}}]})),
    ("a segment with one position", J({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[13.4, 52.5]]},
         "properties": {"layer": "segment", "code": "BI-S1", "kind": "trench", "planned_length_m": 5}}]})),
]


def _other(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v + 1
    if isinstance(v, str):
        return v + "-2"
    return "other"


def _plausible(f, fx):
    """A value of the right type for a read-only field."""
    if f.type == "integer":
        return J(fx.any_id)
    if f.type == "number":
        return b"0.5"
    if f.type == "boolean":
        return b"true"
    if f.type == "object":
        return b"{}"
    if f.format == "date-time":
        return J("2026-01-01T00:00:00Z")
    if f.format == "date":
        return J("2026-01-01")
    if f.enum:
        return J(f.enum[0])
    return J("x")


CONTENT_TYPES = [
    ("no Content-Type", None),
    ("text/plain", "text/plain"),
    ("form encoding", "application/x-www-form-urlencoded"),
    ("multipart", "multipart/form-data; boundary=x"),
    ("application/xml", "application/xml"),
    ("application/jsonx", "application/jsonx"),
    ("application/json-patch+json", "application/json-patch+json"),
    ("text/json", "text/json"),
    ("*/*", "*/*"),
    ("application/json and text/plain in one header", "application/json, text/plain"),
    ("empty Content-Type", ""),
]


def gen_ctypes(spec, fx):
    """A valid body with a Content-Type that is not JSON: 415, nothing stored."""
    out = []
    i = 0
    for r in body_routes(spec):
        rc = RouteCtx(spec, fx, r)
        if not rc.usable:
            continue
        for what, ct in CONTENT_TYPES:
            i += 1
            out.append(rc.case("ctype", "valid body sent as " + what, J(rc.base()), i, expect={415}, ctype=ct))
    return out


# ---------------------------------------------------------------- ids

# (label, form, aliases): {x} is an id that exists, {w} is 2^64 + that id;
# aliases marks forms that a lenient parser could read as some other id.
ID_FORMS = [
    ("zero", "0", False), ("negative", "-1", True), ("minus zero", "-0", False),
    ("decimal", "{x}.5", False), ("trailing .0", "{x}.0", False), ("exponent 1e3", "1e3", True),
    ("id as exponent form", "{x}e0", False), ("leading zero", "0{x}", False), ("plus sign", "+{x}", False),
    ("%00 after the id", "{x}%00", False), ("%00 and junk after the id", "{x}%00junk", False),
    ("only %00", "%00", False), ("20 digits", "99999999999999999999", False),
    ("2^64 + the id (wraps to it)", "{w}", False), ("2^63", "9223372036854775808", False),
    ("space after the id", "{x}%20", False), ("space before the id", "%20{x}", False),
    ("tab after the id", "{x}%09", False), ("encoded slash after the id", "{x}%2f", False),
    ("%2e%2e", "%2e%2e", False), ("%2e", "%2e", False), ("letters", "abc", False),
    ("id followed by letters", "{x}abc", False), ("hexadecimal", "0x{h}", False),
    ("300 digits", "1" * 300, False), ("5,000 characters", "9" * 5000, False),
    ("Arabic-Indic digit one", "%D9%A1", True), ("full-width digit one", "%EF%BC%91", True),
    ("superscript one", "%C2%B9", True), ("literal 1.5", "1.5", True), ("literal 01", "01", True),
    ("literal 1%00", "1%00", True), ("null", "null", False), ("CR LF after the id", "{x}%0d%0a", False),
    ("bad percent-encoding", "%zz", False), ("a lone % after the id", "{x}%", False),
    ("invalid UTF-8", "%ff", False), ("a ;parameter", "{x};v=1", False), ("two ids", "{x},{x}", False),
]


def id_form(form, x):
    return form.replace("{x}", str(x)).replace("{w}", str(2 ** 64 + x)).replace("{h}", "%x" % x)


def id_expect(form, bad_body=False):
    if "%00" in form:
        return {400}
    return {400, 404, 422} if bad_body else {400, 404}


def who_for(r, tag):
    """The roles that may use route r and see the object it aims at."""
    if tag in ("tokens", "users"):
        return ["admin"]
    roles = [x for x in r.roles if x in ROLES] or [None]
    if tag in ("invoices", "audit"):
        roles = [x for x in roles if x != "contractor"] or roles
    return roles


def gen_ids(spec, fx):
    """Malformed ids on every route with an id. A form built from a real id
    with a valid body must still be refused: reading it as that id is the bug."""
    out = []
    i = 0
    for r in spec.routes:
        if not r.has_id:
            continue
        kind = route_kind(r)
        tag = r.tag or (r.path.split("/")[3] if r.path.startswith("/api/v1/") else None)
        roles = who_for(r, tag)
        for label, form, aliases in ID_FORMS:
            i += 1
            who = rotate(roles, i)
            real = "{x}" in form or "{w}" in form or "{h}" in form
            hdrs, body, setup, changed = [], None, None, None
            if r.method == "GET":
                base = "projects" if "/projects/{id}/" in r.path else tag
                x = fx.read_target(base)
                if x is None:
                    continue
            elif r.method == "DELETE":
                if aliases or (not real and form not in ("0", "%00", "abc", "%2e%2e", "%2e", "null", "%zz", "%ff",
                                                          "-0", "99999999999999999999", "9223372036854775808",
                                                          "1" * 300, "9" * 5000)):
                    continue
                x, ver = fx.victim(tag) if real else (0, 1)
                if x is None:
                    continue
                hdrs = [("If-Match", '"%d"' % ver)]
            elif kind == "update":
                x = fx.patch_target(tag)
                if x is None:
                    continue
                if real:
                    body = J(fx.patch_body(tag))

                    def setup(c, t=tag, x=x):
                        c.headers = [h for h in c.headers if h[0] != "If-Match"] + [("If-Match", fx.etag(t, x))]
                    changed = (lambda fx_, t=tag, x=x: fx_.refresh(t, x))
                else:
                    body = J({"bogus-id-form": 1})
                    hdrs = [("If-Match", '"1"')]
                hdrs.append(JSON_CT)
            elif kind in ("approve", "reject"):
                if aliases:
                    continue
                x = fx.ids["report_probe"]
                body = J({"comment": "ok"}) if real else J({"bogus-id-form": 1})
                hdrs = [JSON_CT]
                if real:
                    def setup(c, form=form):
                        c.target = concrete(c.route_path, id_form(form, fx.report()))
                    changed = (lambda fx_: fx_.burn_report())
            elif kind == "import":
                if aliases:
                    continue
                x = fx.ids["project"]
                body = J({"type": "FeatureCollection", "features": []}) if real else J({"bogus-id-form": 1})
                hdrs = [JSON_CT]
            else:
                continue
            target = concrete(r.path, id_form(form, x))
            c = Case("id", "id %s" % label, r.method, target, who=who, headers=hdrs, body=body,
                     expect=id_expect(form, body is not None and b"bogus-id-form" in body))
            c.route_path = r.path
            c.setup = setup
            c.changed = changed
            out.append(c)
    return out


# --------------------------------------------------------------- queries


def filter_values(f):
    ct = f.ctype
    if ct in ("FT_REF", "FT_ID", "FT_INT"):
        return [("letters", "abc"), ("zero", "0"), ("negative", "-1"), ("decimal", "1.5"), ("exponent", "1e3"),
                ("empty", ""), ("leading space", "%201"), ("20 digits", "99999999999999999999"),
                ("%00 after a number", "1%00"), ("hexadecimal", "0x1")]
    if ct == "FT_BOOL":
        return [("yes", "yes"), ("empty", ""), ("true%00", "true%00")]
    if ct == "FT_ENUM":
        good = f.enum[0] if f.enum else "x"
        return [("unknown value", "bogus"), ("empty", ""), ("upper case", good.upper()),
                ("trailing space", good + "%20"), ("%00 after a valid value", good + "%00")]
    if ct == "FT_DATE":
        return [("30 February", "2026-02-30"), ("a word", "yesterday"), ("no leading zeros", "2026-1-1"), ("empty", "")]
    return [("invalid UTF-8", "%ff"), ("%00 inside", "a%00b"), ("overlong UTF-8", "%C0%AF")]


def gen_queries(spec, fx):
    """Invalid filter values, limits, cursors and parameters on every GET that
    takes a query; %00 in the query of every GET."""
    out = []
    i = 0

    def add(r, what, query, expect={400}):
        nonlocal i
        i += 1
        roles = [x for x in r.roles if x in ROLES] or [None]
        who = rotate(roles, i)
        path = concrete(r.path, fx.read_target("projects" if "/projects/{id}" in r.path else r.tag) or 1)
        out.append(Case("query", what, r.method, path + "?" + query, who=who, expect=expect))

    for r in spec.routes:
        if r.method != "GET":
            continue
        # %00 anywhere in a query is refused, whatever the route.
        add(r, "query: %00 as a value", "x=%00")
        add(r, "query: a key of only %00", "%00")
        add(r, "query: %00 inside a value", "x=a%00b")
        res = spec.resources.get(r.tag) if r.tag else None
        is_list = res is not None and not r.has_id and r.path == "/api/v1/" + r.tag
        if is_list:
            for f in res.filters:
                for label, v in filter_values(f):
                    add(r, "filter %s: %s" % (f.name, label), "%s=%s" % (f.name, v))
                add(r, "filter %s given twice" % f.name, "%s=%s&%s=%s" % (f.name, _good_filter(f, fx), f.name, _good_filter(f, fx)))
            for label, v in [("0", "0"), ("-1", "-1"), ("1001", "1001"), ("letters", "abc"), ("empty", ""),
                             ("decimal", "1.5"), ("exponent", "1e2"), ("trailing space", "5%20"),
                             ("hexadecimal", "0x10"),
                             ("%00 after a number", "10%00"), ("20 digits", "99999999999999999999"), ("two values", "1,2")]:
                add(r, "limit %s" % label, "limit=" + v)
            add(r, "limit given twice", "limit=10&limit=20")
            good_cursor = "c1." + b64(b"id:1")
            for label, v in [("empty", ""), ("letters", "abc"), ("prefix only", "c1."), ("not base64", "c1.!!!!"),
                             ("unknown version", "c2." + b64(b"id:5")), ("negative id", "c1." + b64(b"id:-1")),
                             ("id of letters", "c1." + b64(b"id:abc")), ("NUL inside", "c1." + b64(b"id:1\x00")),
                             ("id overflows", "c1." + b64(b"id:99999999999999999999999")),
                             ("2,000 characters", "c1." + "A" * 2000), ("%00", "%00"),
                             ("valid cursor + %00", good_cursor + "%00")]:
                add(r, "cursor %s" % label, "cursor=" + v)
            add(r, "cursor given twice", "cursor=%s&cursor=%s" % (good_cursor, good_cursor))
            for label, v in [("a word", "yesterday"), ("a date", "2026-01-01"),
                             ("month 13", "2026-13-01T00:00:00Z"), ("no zone", "2026-01-01T00:00:00"),
                             ("%00 after a timestamp", "2026-01-01T00:00:00Z%00")]:
                add(r, "updated_since %s" % label, "updated_since=" + v)
            if res.search:
                for label, v in [("101 characters", "a" * 101), ("invalid UTF-8", "%ff"), ("%00 inside", "a%00b")]:
                    add(r, "q %s" % label, "q=" + v)
            wo = [f.name for f in res.fields if f.write_only]
            for label, v in [("unknown field", "bogus"), ("%00", "%00"), ("valid then unknown", "id,bogus")] + [("write-only field %s" % n, n) for n in wo]:
                add(r, "fields %s" % label, "fields=" + v)
            for label, v in [("unknown parameter", "bogus=1"), ("upper-case LIMIT", "LIMIT=10"),
                             ("%00 in a key", "limit%00=10"), ("empty key", "=1"), ("bad percent-encoding", "limit=%zz"),
                             ("bad percent-encoding in a key", "%zz=1"), ("a key without = among others", "limit=10&bogus")]:
                add(r, "query: %s" % label, v)
        elif r.path.endswith("/summary"):
            for label, v in [("month 13", "2026-13-01"), ("a word", "yesterday"), ("empty", ""),
                             ("%00 after a date", "2026-01-01%00")]:
                add(r, "as_of %s" % label, "as_of=" + v)
            add(r, "as_of given twice", "as_of=2026-01-01&as_of=2026-01-02")
            add(r, "unknown parameter", "bogus=1")
        elif r.path.endswith("/progress.xlsx") or r.path.endswith("/costs.xlsx"):
            date_param = "as_of" if r.path.endswith("/progress.xlsx") else "to"
            for label, v in [("month 13", "2026-13-01"), ("a word", "yesterday"), ("%00 after a date", "2026-01-01%00")]:
                add(r, "%s %s" % (date_param, label), "%s=%s" % (date_param, v))
            for label, v in [("fr", "fr"), ("empty", ""), ("%00 after en", "en%00"),
                             ("two values", "en,de")]:
                add(r, "lang %s" % label, "lang=" + v)
            add(r, "lang given twice", "lang=en&lang=de")
            add(r, "unknown parameter", "bogus=1")
            if r.path.endswith("/costs.xlsx"):
                add(r, "from a word", "from=yesterday")
                add(r, "from given twice", "from=2026-01-01&from=2026-01-02")
    # The import route takes dry_run; a valid empty import with a bad one.
    for r in spec.routes:
        if r.method == "POST" and r.path.endswith("/import"):
            for label, v in [("yes", "yes"), ("empty", ""), ("%00 after true", "true%00"),
                             ("given twice", "true&dry_run=false")]:
                i += 1
                c = Case("query", "dry_run %s" % label, "POST",
                         concrete(r.path, fx.ids["project"]) + "?dry_run=" + v,
                         who=rotate([x for x in r.roles if x in ROLES], i), headers=[JSON_CT],
                         body=J({"type": "FeatureCollection", "features": []}), expect={400})
                out.append(c)
            c = Case("query", "unknown parameter", "POST", concrete(r.path, fx.ids["project"]) + "?bogus=1",
                     who="admin", headers=[JSON_CT], body=J({"type": "FeatureCollection", "features": []}),
                     expect={400})
            out.append(c)
    return out


def _good_filter(f, fx):
    if f.ctype in ("FT_REF", "FT_ID", "FT_INT"):
        return str(fx.any_id)
    if f.ctype == "FT_BOOL":
        return "true"
    if f.ctype == "FT_ENUM":
        return f.enum[0] if f.enum else "x"
    if f.ctype == "FT_DATE":
        return "2026-01-01"
    return "x"


# --------------------------------------------------------------- methods


def gen_methods(spec, fx):
    """Methods a path does not take: 405 with an Allow that lists the ones it
    does; unknown methods likewise (never 501)."""
    out = []
    i = 0
    idents = [None] + list(ROLES)
    for path, methods in spec.paths().items():
        target = concrete(path, fx.read_target("projects" if "/projects/{id}" in path else _tag(spec, path)) or 1)
        allowed = set(methods)
        protected = any(not r.public for r in spec.routes if r.path == path)
        for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
            if m in methods or (m == "HEAD" and "GET" in methods):
                continue
            i += 1
            who = rotate(idents, i)
            hdrs, body = [], None
            if m in ("POST", "PUT", "PATCH"):
                hdrs, body = [JSON_CT], J({"bogus-method": 1})
            if m in ("PATCH", "DELETE"):
                hdrs.append(("If-Match", '"1"'))
            out.append(Case("method", "%s not allowed here" % m, m, target, who=who, headers=hdrs, body=body,
                            expect={405, 401} if protected and who is None else {405}, allow=allowed))
    samples = ["/", "/healthz", "/api/v1/me", "/api/v1/projects", "/api/v1/projects/%d" % fx.ids["project"],
               "/api/v1/auth/login", "/app.js"]
    for m in ("FOO", "TRACE", "PROPFIND", "LINK", "get", "Get", "M-SEARCH", "X" * 300):
        for t in samples:
            i += 1
            p = spec.paths().get(re.sub(r"/\d+$", "/{id}", t), None)
            allowed = set(p) if p else None
            out.append(Case("method", "unknown method %s" % (m if len(m) < 20 else "of %d letters" % len(m)), m, t,
                            who=rotate(idents, i), expect={405, 400}, allow=allowed))
    return out


def _tag(spec, path):
    for r in spec.routes:
        if r.path == path and r.tag:
            return r.tag
    parts = path.split("/")
    return parts[3] if len(parts) > 3 else None


# ------------------------------------------------------------ roles, auth


def gen_roles(spec, fx):
    """Every route as anonymous and as each role, each with something bad."""
    out = []
    for r in spec.routes:
        for who in (None,) + ROLES:
            kind = route_kind(r)
            base_tag = "projects" if "/projects/{id}" in r.path else r.tag
            hdrs, body, target = [], None, None
            if r.method in ("POST", "PATCH", "PUT") and not r.path.endswith("/logout"):
                hdrs, body = [JSON_CT], J({"bogus-role": 1})
                rid = fx.read_target(base_tag) if r.has_id else None
                if kind in ("approve", "reject"):
                    rid = fx.ids["report_probe"]
                target = concrete(r.path, rid or 1)
                what = "unknown member"
                if r.method == "PATCH":
                    hdrs.append(("If-Match", '"1"'))
            elif r.path.endswith("/logout"):
                target = r.path + "?x=%00"
                what = "%00 in the query of a sign-out"
                if who:
                    hdrs = [("Authorization", "Bearer " + fx.spare_token(who))]
                out.append(Case("role", what, r.method, target, who=None, headers=hdrs, expect={400, 401},
                                label=who or "anonymous"))
                continue
            elif r.method == "DELETE":
                target = concrete(r.path, 0)
                hdrs = [("If-Match", '"1"')]
                what = "id 0"
            elif r.has_id:
                target = concrete(r.path, 0)
                what = "id 0"
            elif r.tag and r.path == "/api/v1/" + r.tag:
                target = r.path + "?limit=0"
                what = "limit 0"
            else:
                target = r.path + "?x=%00"
                what = "%00 in the query"
            out.append(Case("role", what, r.method, target, who=who, headers=hdrs, body=body))
    return out


def gen_auth(spec, fx):
    """Missing, malformed, revoked and foreign credentials: 401 with
    WWW-Authenticate, nothing done."""
    out = []
    for r in spec.routes:
        if r.public or r.path.endswith("/auth/login"):
            continue
        kind = route_kind(r)
        rc = RouteCtx(spec, fx, r) if r.method in ("POST", "PATCH") and kind != "other" else None
        hdrs, body = [], None
        target = concrete(r.path, fx.read_target("projects" if "/projects/{id}" in r.path else r.tag) or 1)
        if rc is not None and rc.usable:
            hdrs, body = [JSON_CT], J(rc.base())
            c = rc.case("auth", "no Authorization header", body, 0, expect={401}, who="")
            c.who = None
            c.label = "anonymous"
            out.append(c)
            continue
        if r.method == "DELETE":
            hdrs = [("If-Match", '"1"')]
        out.append(Case("auth", "no Authorization header", r.method, target, headers=hdrs, body=body, expect={401}))
    tok = fx.tokens["finance"]
    bad = [
        ("scheme only", "Bearer"), ("scheme and spaces", "Bearer    "), ("Basic credentials", "Basic YWRtaW46YWRtaW4="),
        ("token without scheme", tok), ("token with another scheme", "Token " + tok),
        ("one character too many", "Bearer " + tok + "x"), ("one character too few", "Bearer " + tok[:-1]),
        ("prefix only", "Bearer ftk_"), ("two tokens", "Bearer %s %s" % (tok, tok)),
        ("a literal %00 after the token", "Bearer " + tok + "%00"), ("10 KiB token", "Bearer ftk_" + "a" * 10240),
        ("token of a revoked grant", "Bearer " + fx.revoked_token), ("token of a deactivated user", "Bearer " + fx.ghost_token),
        ("token with a changed character", "Bearer " + tok[:-1] + ("A" if tok[-1] != "A" else "B")),
    ]
    for what, value in bad:
        out.append(Case("auth", "Authorization: " + what, "GET", "/api/v1/me", headers=[("Authorization", value)],
                        expect={401}))
        out.append(Case("auth", "Authorization: " + what, "POST", "/api/v1/contractors",
                        headers=[("Authorization", value), JSON_CT], body=J(fx.create_body("contractors")),
                        expect={401}))
    out.append(Case("auth", "token in the query string instead of the header", "GET",
                    "/api/v1/me?access_token=" + tok, expect={400, 401}))
    out.append(Case("auth", "two Authorization headers (valid and invalid)", "GET", "/api/v1/me",
                    headers=[("Authorization", "Bearer " + tok), ("Authorization", "Bearer ftk_invalid")],
                    expect={400, 401}))
    out.append(Case("auth", "token with Latin-1 bytes appended", "GET", "/api/v1/me",
                    headers=[("Authorization", b"Bearer " + tok.encode() + b"\xe9")], expect={400, 401}))
    for what, rid in [("<script>", "<script>"), ("1,000 characters", "a" * 1000), ("a space", "a b"),
                      ("non-ASCII", "ä".encode()), ("a CR", b"a\rb"), ("a control byte", b"a\x01b")]:
        out.append(Case("auth", "insane X-Request-ID (%s) is not echoed" % what, "GET", "/api/v1/me",
                        headers=[("X-Request-ID", rid)], expect={400, 401},
                        not_echo=rid if isinstance(rid, str) else rid.decode("latin-1")))
    return out


# ---------------------------------------------------------- preconditions


def gen_etags(spec, fx):
    """If-Match forms: weak or malformed tags never match (412), a missing one
    is 428; the victim row is never touched."""
    out = []
    for r in spec.routes:
        if r.method != "DELETE":
            continue
        tag = r.tag
        for what, fmt in [("weak ETag W/\"v\"", 'W/"%d"'), ("no If-Match", None), ("unbalanced quote", '"%d'),
                          ("junk after the tag", '"%d"x'), ("empty tag", '""'), ("negative version", '"-1"'),
                          ("20-digit version", '"99999999999999999999"'), ("version + 2^64", '"{w}"')]:
            x, ver = fx.victim(tag)
            if x is None:
                break
            hdrs = []
            if fmt is not None:
                hdrs = [("If-Match", fmt.replace("{w}", str(2 ** 64 + ver)) % ver if "%d" in fmt
                         else fmt.replace("{w}", str(2 ** 64 + ver)))]
            out.append(Case("etag", "If-Match: " + what, "DELETE", concrete(r.path, x), who="admin", headers=hdrs,
                            expect={428} if fmt is None else ({412} if fmt.startswith("W/") else {400, 412})))
    for r in spec.routes:
        if r.method != "PATCH":
            continue
        tag = r.tag
        x, ver = fx.victim(tag)
        if x is None:
            x = fx.patch_target(tag)
            if x is None:
                continue
            ver = None
        for what, fmt in [("weak ETag W/\"v\"", 'W/"%d"'), ("no If-Match", None), ("junk after the tag", '"%d"x')]:
            def setup(c, fmt=fmt, t=tag, x=x):
                v = fx.version(t, x)
                c.headers = [h for h in c.headers if h[0] != "If-Match"]
                if fmt is not None:
                    c.headers.append(("If-Match", fmt % v))
            c = Case("etag", "If-Match: " + what, "PATCH", concrete(r.path, x), who="admin",
                     headers=[JSON_CT], body=J(fx.patch_body(tag)),
                     expect={428} if fmt is None else ({412} if fmt.startswith("W/") else {400, 412}))
            c.setup = setup
            c.changed = lambda fx_, t=tag, x=x: fx_.refresh(t, x)
            out.append(c)
    return out


def gen_idempotency(spec, fx):
    """Malformed Idempotency-Key headers on a valid body: 400, nothing stored."""
    out = []
    keys = [("missing", None), ("empty", ""), ("of 10,000 characters", "k" * 10000), ("a NUL byte", "\x00tail"),
            ("a control byte", "\x01"), ("a DEL byte", "\x7f")]
    routes = [r for r in spec.routes if r.method == "POST" and route_kind(r) == "create"]
    for r in routes:
        rc = RouteCtx(spec, fx, r)
        for what, key in keys:
            if key is None and not r.idempotency_required:
                continue
            c = rc.case("idem", "Idempotency-Key " + what, J(rc.base()), 0, expect={400})
            c.headers = [h for h in c.headers if h[0] != "Idempotency-Key"]
            if key is not None:
                # Unique keys: a server that cuts a key short must not find
                # the answer of another case under it.
                k = key if key in ("", "k" * 10000) else fx.unique("key") + key
                c.headers.append(("Idempotency-Key", k.encode("utf-8")))
            out.append(c)
    return out


def gen_rules(spec, fx):
    """Cross-field rules: each body is well-formed but breaks one rule."""
    out = []
    p = fx.ids["project"]
    rules = [
        ("invoices", "eligible_cents above net_cents", {"eligible_cents": 2000, "net_cents": 1000}, "eligible_cents"),
        ("invoices", "status paid without paid_date", {"status": "paid", "paid_date": None}, "paid_date"),
        ("invoices", "paid_date while not paid", {"status": "received", "paid_date": "2026-01-20"}, "paid_date"),
        ("projects", "federal_rate + state_rate above 1", {"federal_rate": 0.7, "state_rate": 0.4}, "state_rate"),
        ("projects", "planned_end_date before start_date", {"start_date": "2026-05-01", "planned_end_date": "2026-04-01"},
         "planned_end_date"),
        ("nodes", "lat without lon", {"lat": 52.5, "lon": None}, "lon"),
        ("premises", "excluded without exclusion_reason", {"status": "excluded", "exclusion_reason": None},
         "exclusion_reason"),
        ("segments", "planned_end before planned_start", {"planned_start": "2026-05-01", "planned_end": "2026-04-01"},
         "planned_end"),
        ("segments", "lot of another project", {"lot_id": fx.ids["lot_other_project"]}, "lot_id"),
        ("users", "role contractor without contractor_id", {"role": "contractor"}, "contractor_id"),
        ("drawdowns", "period_to before period_from", {"period_from": "2026-05-01", "period_to": "2026-04-01"},
         "period_to"),
        ("report-notes", "period_to before period_from", {"period_from": "2026-05-01", "period_to": "2026-04-01"},
         "period_to"),
        ("users", "role finance with a contractor_id", {"contractor_id": fx.ids["contractor"]}, "contractor_id"),
        ("progress-reports", "report_date in the future", {"report_date": "2999-01-01"}, "report_date"),
        ("progress-reports", "built length above 1.5 x planned without a note", {"built_length_m": 999999}, "note",
         {409, 422}),
        ("tokens", "expires_at in the past", {"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ]
    for rule in rules:
        tag, what, change, field = rule[:4]
        expect = rule[4] if len(rule) > 4 else {422}
        r = spec.route("POST", "/api/v1/" + tag)
        if r is None:
            continue
        rc = RouteCtx(spec, fx, r)
        body = rc.base()
        body.update(change)
        out.append(rc.case("rules", what, J(body), 0, expect=expect, pointer=ptr(field)))
        pr = spec.route("PATCH", "/api/v1/%s/{id}" % tag)
        if pr is not None and tag not in ("users", "segments"):
            prc = RouteCtx(spec, fx, pr)
            if prc.usable:
                out.append(prc.case("rules", what + " (change)", J(change), 0, expect={422}, pointer=ptr(field)))
    del p
    return out


# ------------------------------------------------------------------ paths


def gen_paths(spec, fx):
    """NUL, traversal and encoding tricks in the path."""
    P = fx.ids["project"]
    cases = [
        ("%00 inside a file name", "/app.js%00.html", None, {400}),
        ("%00 after a file name", "/index.html%00", None, {400}),
        ("only %00", "/%00", None, {400}),
        ("%00 after /api/v1/me", "/api/v1/me%00", "admin", {400}),
        ("%00 after a collection", "/api/v1/projects%00", "manager", {400}),
        ("%00 after a collection, then junk", "/api/v1/projects%00/../users", "finance", {400}),
        ("%00 after an id, before a sub-path", "/api/v1/projects/%d%%00/summary" % P, "finance", {400}),
        ("%00 inside /api/v1", "/api/v1%00/me", "contractor", {400}),
        ("%00 after /healthz", "/healthz%00", None, {400}),
        ("%00 after /metrics", "/metrics%00", None, {400}),
        ("%00 after openapi.json", "/api/v1/openapi.json%00", None, {400}),
        ("../ out of the web root", "/../../../etc/passwd", None, {400, 403, 404}),
        ("%2e%2e segments", "/%2e%2e/%2e%2e/etc/passwd", None, {400, 403, 404}),
        ("encoded slashes", "/..%2f..%2f..%2fetc%2fpasswd", None, {400, 403, 404}),
        ("%2e%2e%2f to the Makefile", "/%2e%2e%2fMakefile", None, {400, 403, 404}),
        ("backslash traversal", "/..%5c..%5cMakefile", None, {400, 403, 404}),
        (".%2e segments", "/.%2e/.%2e/Makefile", None, {400, 403, 404}),
        ("double-encoded dots", "/%252e%252e/%252e%252e/etc/passwd", None, {400, 403, 404}),
        ("traversal after a real file", "/app.js/..%2f..%2f..%2fMakefile", None, {400, 403, 404}),
        ("....// segments", "/....//....//etc/passwd", None, {400, 403, 404}),
        ("a .git file", "/.git/config", None, {400, 403, 404}),
        ("a .env file", "/.env", None, {400, 403, 404}),
        ("server source", "/server/main.c", None, {400, 403, 404}),
        ("an absolute file path", "/%2fetc%2fpasswd", None, {400, 403, 404}),
        ("a Windows path", "/C:%5cwindows%5cwin.ini", None, {400, 403, 404}),
        ("double-encoded %00", "/app.js%2500.html", None, {400, 404}),
        ("600-character path", "/" + "a" * 600, None, {400, 404, 414}),
        ("CR LF and a header in the path", "/x%0d%0aSet-Cookie:%20bi=1", None, {400, 404}),
        ("invalid UTF-8 in the path", "/%ff%fe", None, {400, 404}),
        ("an overlong UTF-8 slash", "/%c0%afetc%c0%afpasswd", None, {400, 404}),
        ("traversal into the API as anonymous", "/app.js/../api/v1/users", None, {400, 401, 404}),
        ("dot segments in the API as anonymous", "/api/v1/projects/../users", None, {400, 401, 404}),
        ("encoded dot segments in the API", "/api/v1/projects/%2e%2e/users", "contractor", {400, 403, 404}),
        ("a path without a leading slash", "api/v1/me", "admin", {400, 404}),
        ("a fragment in the path", "/api/v1/me#frag", None, {400, 401, 404}),
    ]
    out = []
    for what, target, who, expect in cases:
        out.append(Case("path", what, "GET", target, who=who, expect=expect))
    return out
