"""openapi_check — every response a test suite receives, checked against the
server's own OpenAPI document (GET /api/v1/openapi.json).

The document promises, for each path and method, the statuses the server
answers and the body of each. A response breaks the promise when

  - its status is not listed for the operation (no "default" is assumed
    unless the document has one),
  - its Content-Type is not one the response lists, or it has a body where
    the response lists none,
  - its JSON body (application/json, application/problem+json, */*+json) does
    not validate against the schema (JSON Schema Draft 2020-12, Debian's
    python3-jsonschema, with the document as the base of every $ref),
  - a header the response marks as required is missing.

Routing is HTTP's, not an operation's: a path the document does not have is
answered 404, and a method a path does not list 405 with an Allow header
naming the path's methods (HEAD goes with GET). Both bodies are checked
against components/responses/404 and 405. A request that is refused before
it names a path (a malformed request line) may get any status that every
operation lists.

Use, from a suite's request helper and at its end:

    observe(method, target, status, headers, body, server)
    failures()  -> messages about the responses that broke the promise

The document is fetched once, from the first server a response came from
(every server of a test run is the same fibertrackd). FT_OPENAPI_DOC=FILE
checks against that file instead, e.g. to count what an older document got
wrong. Standard library and python3-jsonschema only; thread-safe.
"""

import datetime
import http.client
import json
import os
import re
import threading
import urllib.parse

TITLE = "every response matches GET /api/v1/openapi.json"
DOC_PATH = "/api/v1/openapi.json"
MAX_LISTED = 40

_lock = threading.Lock()
_doc = None          # the document, once loaded
_load_error = None   # why it could not be loaded
_paths = []          # (number of templated segments, template, regex, path item)
_validators = {}     # id of a schema object -> validator
_any_request = None  # statuses every operation lists
_failures = []
_checked = 0


# ------------------------------------------------------------------ document


def _fetch(server):
    conn = http.client.HTTPConnection(server[0], server[1], timeout=30)
    try:
        conn.request("GET", DOC_PATH)
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise ValueError("GET %s answered %d" % (DOC_PATH, r.status))
        return json.loads(data.decode("utf-8"))
    finally:
        conn.close()


def _load(server):
    """Loads the document (once); returns it, or None when it cannot be had."""
    global _doc, _load_error, _any_request
    if _doc is not None or _load_error is not None:
        return _doc
    try:
        import jsonschema  # noqa: F401 - Debian's python3-jsonschema
    except ImportError:
        _load_error = "python3-jsonschema is not installed (scripts/install-deps.sh)"
        return None
    path = os.environ.get("FT_OPENAPI_DOC")
    try:
        if path:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        else:
            doc = _fetch(server)
    except OSError as e:
        if path:
            _load_error = "FT_OPENAPI_DOC: %s" % e
        # Else the server may be down for a moment (a restart test): try
        # again with the next response.
        return None
    except ValueError as e:
        _load_error = "the OpenAPI document cannot be read: %s" % e
        return None
    problems = _check_document(doc)
    if problems:
        _load_error = "the OpenAPI document itself is invalid: " + "; ".join(problems[:5])
        return None
    for template, item in (doc.get("paths") or {}).items():
        regex = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$"
        _paths.append((template.count("{"), template, re.compile(regex), item))
    # Concrete paths win over templated ones, as in the server's router.
    _paths.sort(key=lambda p: p[0])
    common = None
    for _, _, _, item in _paths:
        for method, op in item.items():
            if method in _METHODS:
                codes = set((op.get("responses") or {}).keys())
                common = codes if common is None else common & codes
    _any_request = common or set()
    _doc = doc
    return doc


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _check_document(doc):
    """The document's own mistakes: not OpenAPI 3.1, schemas that are no
    valid JSON Schema 2020-12, a $ref that names nothing."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    out = []
    if not re.match(r"^3\.1\.\d+$", str(doc.get("openapi"))):
        out.append("openapi is %r, not 3.1.x" % doc.get("openapi"))
    for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as e:
            out.append("components/schemas/%s: %s" % (name, e.message))
    for ref in sorted(set(_refs(doc))):
        if _pointer(doc, ref) is None:
            out.append("$ref %s does not resolve" % ref)
    return out


def _refs(node):
    """Every $ref in the document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def _pointer(doc, ref):
    """The node a local $ref ("#/a/b") names in doc, or None."""
    if not ref.startswith("#/"):
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _resolve(node):
    """Follows the $ref of a response object."""
    for _ in range(10):
        if not (isinstance(node, dict) and "$ref" in node):
            return node
        node = _pointer(_doc, node["$ref"])
    return None


_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _format_checker():
    """jsonschema's format checks, and date-time without the optional
    package that jsonschema would want for it."""
    from jsonschema import FormatChecker
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value):
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    return checker


def _validator(schema):
    from jsonschema import Draft202012Validator, RefResolver
    v = _validators.get(id(schema))
    if v is None:
        resolver = RefResolver.from_schema(_doc)
        v = Draft202012Validator(schema, resolver=resolver, format_checker=_format_checker())
        _validators[id(schema)] = v
    return v


# ------------------------------------------------------------------ checking


def _media(headers):
    for k, v in headers:
        if k.lower() == "content-type":
            return v.split(";")[0].strip().lower()
    return ""


def _header(headers, name):
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


def _is_json(media):
    return media == "application/json" or media.endswith("+json")


def _content_for(content, media):
    """The media type object of content that media matches, or None."""
    if media in content:
        return content[media]
    major = media.split("/")[0] + "/*"
    if major in content:
        return content[major]
    return content.get("*/*")


def _schema_error(schema, instance):
    v = _validator(schema)
    errors = list(v.iter_errors(instance))
    if not errors:
        return None
    from jsonschema.exceptions import best_match
    e = best_match(errors)
    where = "/" + "/".join(str(p) for p in e.absolute_path)
    more = " (and %d more)" % (len(errors) - 1) if len(errors) > 1 else ""
    msg = e.message if len(e.message) <= 300 else e.message[:300] + "…"
    return "at %s: %s%s" % (where, msg, more)


def _check_response(label, response, method, status, headers, body):
    """Problems of one response against its documented response object."""
    out = []
    response = _resolve(response)
    if not isinstance(response, dict):
        return ["%s: the documented response does not resolve" % label]
    for name, h in (response.get("headers") or {}).items():
        h = _resolve(h)
        if isinstance(h, dict) and h.get("required") and _header(headers, name) is None:
            out.append("%s: required header %s is missing" % (label, name))
    content = response.get("content") or {}
    media = _media(headers)
    if method == "HEAD" or status == 304:
        return out
    if not content:
        if body:
            out.append("%s: a body (%s) where the document lists none" % (label, media or "no type"))
        return out
    if not body:
        out.append("%s: no body, the document lists %s" % (label, sorted(content)))
        return out
    mt = _content_for(content, media)
    if mt is None:
        out.append("%s: Content-Type %r is not one of %s" % (label, media, sorted(content)))
        return out
    schema = mt.get("schema") if isinstance(mt, dict) else None
    if schema is None or not _is_json(media):
        return out
    try:
        instance = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        out.append("%s: the %s body is not JSON" % (label, media))
        return out
    err = _schema_error(schema, instance)
    if err:
        out.append("%s: %s" % (label, err))
    return out


def _find_path(path):
    for _, template, regex, item in _paths:
        if regex.match(path):
            return template, item
    return None, None


def _allowed(item):
    methods = {m.upper() for m in item if m in _METHODS}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


def _everywhere(status):
    """Whether every operation lists status (exactly, as a range or by default)."""
    return bool({str(status), "%dXX" % (status // 100), "default"} & _any_request)


def _routing(label, method, status, headers, body):
    """A 404 or 405 of routing, or a refusal any request may get: checked
    against components/responses (or, in a document without them, against
    the Problem schema)."""
    components = _doc.get("components") or {}
    response = (components.get("responses") or {}).get(str(status))
    if response is None and "Problem" in (components.get("schemas") or {}):
        response = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return _check_response(label, response, method, status, headers, body)


def _problems(method, target, status, headers, body):
    path = urllib.parse.urlsplit(target).path if target else None
    if path is None or not method:
        label = "%s -> %d" % (target or "(no request line)", status)
        if not _everywhere(status):
            return ["%s: a request refused before it names a path gets only what every operation lists" % label]
        return _routing(label, method, status, headers, body)
    template, item = _find_path(path)
    label = "%s %s -> %d" % (method, template or path, status)
    if item is None:
        if status == 404 or _everywhere(status):
            return _routing(label, method, status, headers, body)
        return ["%s: the path is not in the document, so 404 is expected" % label]
    # Methods are case-sensitive: "get" is not GET.
    op = item.get(method.lower()) if method.isupper() and method.lower() in _METHODS else None
    if op is None and method == "HEAD":
        op = item.get("get")
    if op is None:
        if status == 405:
            out = _routing(label, method, status, headers, body)
            allow = {m.strip().upper() for m in (_header(headers, "Allow") or "").split(",") if m.strip()}
            if allow != _allowed(item):
                out.append("%s: Allow %s, the document lists %s" % (label, sorted(allow), sorted(_allowed(item))))
            return out
        if _everywhere(status):
            return _routing(label, method, status, headers, body)
        return ["%s: the document lists no %s for this path, so 405 is expected" % (label, method)]
    documented = op.get("responses") or {}
    response = documented.get(str(status)) or documented.get("%dXX" % (status // 100)) or documented.get("default")
    if response is None:
        return ["%s: status %d is not documented (documented: %s)" % (label, status, ", ".join(sorted(documented)))]
    return _check_response(label, response, method, status, headers, body)


def observe(method, target, status, headers, body, server):
    """Checks one response: method and target (path and query) as sent,
    status, headers as (name, value) pairs, body as bytes; server is
    (host, port) of the server that answered."""
    global _checked
    with _lock:
        if _load(server) is None:
            return
        _checked += 1
        try:
            found = _problems(method, target, status, headers, body or b"")
        except Exception as e:  # noqa: BLE001 - a bug here must not hide as a test crash
            found = ["%s %s -> %d: the check failed: %s: %s" % (method, target, status, type(e).__name__, e)]
        if found:
            _failures.append("; ".join(found))


def observe_raw(request, status, headers, body, server):
    """Checks a response to raw request bytes (a test that writes HTTP
    itself): method and target come from the request line when it has one;
    headers is a dict of lower-case names. No status (the connection was
    cut) and interim answers (100 Continue) are not responses to check."""
    if status < 200:
        return
    method = target = None
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    if len(parts) == 3 and parts[2] in ("HTTP/1.0", "HTTP/1.1") and parts[1].startswith("/"):
        method, target = parts[0], parts[1]
    observe(method, target, status, list(headers.items()), body, server)


def failures(save_to=None):
    """Messages of the responses that broke the document's promise, for a
    suite's last test: the first MAX_LISTED, then a count. save_to: a file
    that gets every message."""
    with _lock:
        if _load_error:
            return [_load_error]
        out = list(_failures[:MAX_LISTED])
        if len(_failures) > MAX_LISTED:
            out.append("… and %d more" % (len(_failures) - MAX_LISTED))
        if _failures:
            out.append("%d of %d responses do not match the document" % (len(_failures), _checked))
        if save_to and os.path.isdir(os.path.dirname(save_to) or "."):
            # The file of an earlier run must not outlive its mismatches.
            if os.path.exists(save_to):
                os.remove(save_to)
            if _failures:
                with open(save_to, "w", encoding="utf-8") as f:
                    f.write("\n".join(_failures) + "\n")
                out.append("every one is in " + save_to)
        return out


def tally():
    """One line for a suite's log: how many responses were checked."""
    with _lock:
        if _doc is None:
            return "openapi: no response was checked (%s)" % (_load_error or "no document")
        return "openapi: %d responses checked against %s, %d do not match" % (
            _checked, os.environ.get("FT_OPENAPI_DOC") or DOC_PATH, len(_failures))
