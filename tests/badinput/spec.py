"""spec — what the server says it accepts: routes and body schemas from the
served OpenAPI document, and the field flags the document does not carry
(list filters, immutable, multi-line, storage type) from the field tables in
server/api/*.c."""

import glob
import os
import re

READ_METHODS = ("GET", "HEAD")


class Field:
    def __init__(self, name, schema, ctype=None, flags=()):
        self.name = name
        self.schema = schema
        t = schema.get("type", "string")
        self.types = t if isinstance(t, list) else [t]
        self.nullable = "null" in self.types
        self.type = [x for x in self.types if x != "null"][0] if [x for x in self.types if x != "null"] else "string"
        self.format = schema.get("format")
        self.enum = [v for v in schema.get("enum", []) if v is not None]
        self.max_length = schema.get("maxLength")
        self.minimum = schema.get("minimum")
        self.maximum = schema.get("maximum")
        self.read_only = bool(schema.get("readOnly"))
        self.write_only = bool(schema.get("writeOnly"))
        self.flags = set(flags)
        self.ctype = ctype or self._guess()

    def _guess(self):
        """The storage type when the C field table does not say."""
        if self.write_only and "password" in self.name:
            return "FT_PASSWORD"
        if self.type == "integer":
            return "FT_REF" if self.name.endswith("_id") else "FT_INT"
        if self.type == "number":
            return "FT_DECIMAL"
        if self.type == "boolean":
            return "FT_BOOL"
        if self.type == "object":
            return "FT_GEOMETRY" if self.name == "geometry" else "FT_JSON"
        if self.enum:
            return "FT_ENUM"
        return {"date": "FT_DATE", "date-time": "FT_TIMESTAMP", "email": "FT_EMAIL"}.get(self.format, "FT_STRING")

    @property
    def required(self):
        return "F_REQUIRED" in self.flags

    @property
    def filter(self):
        return "F_FILTER" in self.flags

    @property
    def immutable(self):
        return "F_IMMUTABLE" in self.flags

    @property
    def multiline(self):
        return "F_MULTILINE" in self.flags

    @property
    def writable(self):
        return not self.read_only and self.ctype != "FT_JSON"


class Resource:
    def __init__(self, name, schema, ctable, create=None):
        self.name = name
        # What a body must hold is the create schema's word: the object as
        # returned (schema) lists every field it always carries.
        req = set((create or schema).get("required", []))
        cfields = (ctable or {}).get("fields", {})
        self.fields = []
        for fname, fs in schema.get("properties", {}).items():
            ct, flags = cfields.get(fname, (None, set()))
            flags = set(flags)
            if fname in req:
                flags.add("F_REQUIRED")
            self.fields.append(Field(fname, fs, ct, flags))
        self.search = bool((ctable or {}).get("search"))

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def writable(self):
        return [f for f in self.fields if f.writable]

    @property
    def read_only(self):
        return [f for f in self.fields if f.read_only]

    @property
    def filters(self):
        return [f for f in self.fields if f.filter]


class Route:
    def __init__(self, method, path, op):
        self.method = method
        self.path = path  # OpenAPI form: /api/v1/projects/{id}
        self.op = op
        roles = op.get("x-roles") or []
        if isinstance(roles, str):
            roles = roles.split(",")
        self.roles = [r.strip() for r in roles]
        self.public = not op.get("security")
        content = (op.get("requestBody") or {}).get("content") or {}
        # A body of another medium (a file, a CSV list) is for the suite of that route.
        self.json_body = not content or any("json" in m for m in content)
        ref = (content.get("application/json") or {}).get("schema", {})
        self.body_schema = ref.get("$ref", "").rsplit("/", 1)[-1] or None
        # A body that may be left out (approve, accept): an empty one is fine.
        self.body_optional = not (op.get("requestBody") or {}).get("required", False)
        self.tag = (op.get("tags") or [None])[0]
        hdrs = [p for p in op.get("parameters", []) if p.get("in") == "header"]
        self.idempotency_required = any(p["name"] == "Idempotency-Key" and p.get("required") for p in hdrs)
        self.if_match = any(p["name"] == "If-Match" for p in hdrs)

    @property
    def has_id(self):
        return "{" in self.path

    def __repr__(self):
        return "%s %s" % (self.method, self.path)


def parse_field_tables(root):
    """{resource name: {"fields": {json name: (FT_TYPE, {F_FLAGS})}, "search": bool}}
    read from the `struct field` arrays and `struct resource` descriptions."""
    arrays = {}
    out = {}
    texts = []
    for path in sorted(glob.glob(os.path.join(root, "server", "api", "*.c"))):
        with open(path, encoding="utf-8") as fh:
            texts.append(fh.read())
    for text in texts:
        for m in re.finditer(r"static const struct field (\w+)\[\]\s*=\s*\{(.*?)\n\};", text, re.S):
            fields = {}
            for fm in re.finditer(r'\{"(\w+)",\s*(FT_\w+),\s*([^,]+),', m.group(2)):
                fields[fm.group(1)] = (fm.group(2), set(re.findall(r"F_\w+", fm.group(3))))
            arrays[m.group(1)] = fields
    for text in texts:
        for m in re.finditer(r"const struct resource \w+\s*=\s*\{(.*?)\n\};", text, re.S):
            body = m.group(1)
            name = re.search(r'\.name\s*=\s*"([^"]+)"', body)
            fields = re.search(r"\.fields\s*=\s*(\w+)", body)
            if name and fields and fields.group(1) in arrays:
                out[name.group(1)] = {"fields": arrays[fields.group(1)],
                                      "search": bool(re.search(r"\.search\s*=", body))}
    return out


class Spec:
    def __init__(self, openapi, root):
        self.openapi = openapi
        self.ctables = parse_field_tables(root)
        schemas = openapi.get("components", {}).get("schemas", {})
        self.resources = {}
        for name, s in schemas.items():
            # "x.create", "x.update", "x.list" and "x.selection" are shapes of
            # resource x, not resources of their own.
            if s.get("type") == "object" and "properties" in s and name != "Problem" and "." not in name:
                self.resources[name] = Resource(name, s, self.ctables.get(name),
                                                schemas.get(name + ".create"))
        self.routes = []
        for path, ops in openapi.get("paths", {}).items():
            for m, op in ops.items():
                if m.upper() in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    self.routes.append(Route(m.upper(), path, op))

    def paths(self):
        """{path: [methods]} in document order."""
        out = {}
        for r in self.routes:
            out.setdefault(r.path, []).append(r.method)
        return out

    def route(self, method, path):
        for r in self.routes:
            if r.method == method and r.path == path:
                return r
        return None

    def resource_of(self, route):
        """The resource a route works on (by tag), or None."""
        return self.resources.get(route.tag) if route.tag else None
