"""Sign-in, sign-out, /me, API tokens, the role matrix, and what the server
keeps about requests: keyed idempotency fingerprints and housekeeping.

Failed sign-ins are counted per client address. The suite server trusts
X-Forwarded-For from 127.0.0.1 (tests/run.sh), so the sign-in limit tests
come from made-up addresses (TEST-NET ranges, one per test); the rest of
the suite comes from 127.0.0.1 and makes as few failures as it can."""

import datetime
import hashlib
import hmac
import itertools
import json
import os
import re
import time

from ftapi import (API, DATA_DIR, Fixture, OtherServer, Suite, check, check_unchanged, db_query, db_snapshot,
                   etag_of, invalid, local_address, login, problem, request, require, short, unique, user_client)

suite = Suite("auth")
FX = None

TOKEN_RE = re.compile(r"^ftk_[A-Za-z0-9_-]{43,}$")  # >= 32 random bytes, base64url
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_ts(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def audit(request_id):
    return FX.admin.get("/audit", params={"request_id": request_id}).json["items"]


def failures_for(email):
    return int(db_query("SELECT COUNT(*) FROM login_failures WHERE email = '%s'" % email.replace("'", ""))[0][0])


def new_user(role="manager", password=None, **kw):
    """A user with a password (hashing costs ~50 ms: only where a sign-in is needed)."""
    email = unique(role) + "@test.example"
    body = {"email": email, "name": "User " + email, "role": role}
    if password:
        body["password"] = password
    body.update(kw)
    u = FX.admin.create("users", body)
    return u, email


_addresses = itertools.count(1)


def new_address(net="203.0.113"):
    """An address no other test of this run signs in from."""
    return "%s.%d" % (net, next(_addresses))


def login_from(addr, email, password, **kw):
    """Signs in as if through a proxy on 127.0.0.1 that saw the client at addr."""
    return request("POST", API + "/auth/login", body={"email": email, "password": password},
                   headers={"X-Forwarded-For": addr}, **kw)


def failures_at(email, ip):
    return int(db_query("SELECT COUNT(*) FROM login_failures WHERE email = '%s' AND ip = '%s'"
                        % (email.replace("'", ""), ip.replace("'", "")))[0][0])


# -------------------------------------------------------------------- sign-in


@suite.test("login -> 201 {token ftk_…, expires_at, user}; token stored only as a hash; audit login")
def t_login():
    pw = "sign-in-password-1"
    u, email = new_user(password=pw)
    r = login(email, pw)
    require(r.status == 201, "login: %r" % r)
    b = r.json
    tok = b.get("token", "")
    check(TOKEN_RE.match(tok), "token %r does not look like ftk_ + >= 32 random bytes" % tok[:12])
    check(isinstance(b.get("expires_at"), str) and TS_RE.match(b["expires_at"]) and parse_ts(b["expires_at"]) > now_utc(),
          "expires_at %r" % b.get("expires_at"))
    user = b.get("user") or {}
    check(user.get("id") == u["id"] and user.get("email") == email and user.get("role") == "manager",
          "user %s" % short(json.dumps(user)))
    check("password" not in r.text and "hash" not in r.text, "login response shows a password or hash")
    me = request("GET", API + "/me", token=tok)
    check(me.status == 200 and me.json.get("id") == u["id"], "GET /me with the new token: %r" % me)
    # only a hash and a short prefix are stored
    rows = db_query("SELECT COUNT(*) FROM tokens WHERE user_id = %d AND (name LIKE '%%%s%%' OR prefix = '%s' "
                    "OR HEX(hash) LIKE '%%%s%%')" % (u["id"], tok, tok, tok.encode().hex().upper()))
    check(rows[0][0] == "0", "the plaintext token is stored in tokens")
    prefix = db_query("SELECT prefix FROM tokens WHERE user_id = %d" % u["id"])
    check(prefix and all(p[0] and len(p[0]) < 20 and tok.startswith(p[0]) for p in prefix), "prefixes %r" % prefix)
    e = audit(r.request_id)
    check(len(e) == 1 and e[0].get("action") == "login" and e[0].get("user_id") == u["id"],
          "audit of the login: %s" % short(json.dumps(e)))
    # e-mail matching is not case-sensitive
    r = login(email.upper(), pw)
    check(r.status == 201, "login with the e-mail in capitals: %r" % r)


@suite.test("login: wrong password and unknown e-mail -> 401, same answer (no oracle)")
def t_login_wrong():
    pw = "right-password-123"
    u, email = new_user(password=pw)
    r1 = login(email, "wrong-password-123")
    p1 = problem(r1, 401, "wrong password")
    r2 = login(unique("nobody") + "@test.example", "whatever-password")
    p2 = problem(r2, 401, "unknown e-mail")
    check(p1.get("detail") == p2.get("detail") and p1.get("title") == p2.get("title"),
          "wrong password and unknown e-mail answer differently: %r vs %r" % (p1.get("detail"), p2.get("detail")))
    check("token" not in (r1.json or {}), "401 carries a token")


@suite.test("login: malformed bodies -> 400/415/422 and count as no failure")
def t_login_malformed():
    u, email = new_user(password="some-password-1")
    snap = db_snapshot()
    problem(request("POST", API + "/auth/login", raw='{"email": "x"', ctype="application/json"), 400, "truncated JSON")
    problem(request("POST", API + "/auth/login", raw='{"email": "%s", "email": "x", "password": "p"}' % email,
                    ctype="application/json"), 400, "duplicate key")
    problem(request("POST", API + "/auth/login", raw=json.dumps({"email": email, "password": "p"}), ctype="text/plain"),
            415, "text/plain")
    invalid(request("POST", API + "/auth/login", body={"email": email}), ["password"], "no password")
    invalid(request("POST", API + "/auth/login", body={"email": email, "password": "p", "remember": True}),
            ["remember"], "unknown field")
    invalid(request("POST", API + "/auth/login", body={"email": 5, "password": ["p"]}), ["email", "password"],
            "wrong types")
    check_unchanged(snap, "malformed sign-ins")


@suite.test("login rate limit: 5 failures for one e-mail -> 429 with Retry-After; others unaffected")
def t_rate_limit():
    pw = "limited-password-1"
    u, email = new_user(password=pw)
    for i in range(5):
        r = login(email, "not-the-password-%d" % i)
        problem(r, 401, "failure %d" % (i + 1))
    require(failures_for(email) == 5, "login_failures rows for %s: %d" % (email, failures_for(email)))
    r = login(email, "not-the-password-6")
    problem(r, 429, "6th attempt")
    ra = r.header("Retry-After") or ""
    check(ra.isdigit() and 1 <= int(ra) <= 3600, "Retry-After %r" % ra)
    r = login(email, pw)
    problem(r, 429, "the right password while limited")
    check(failures_for(email) == 5, "refused attempts while limited were counted: %d" % failures_for(email))
    # another account is not locked out
    pw2 = "other-password-1"
    u2, email2 = new_user(password=pw2)
    r = login(email2, pw2)
    check(r.status == 201, "another e-mail while the first is limited: %r" % r)


@suite.test("login limit: the owner signs in from another address after 5 failures elsewhere")
def t_owner_not_locked_out():
    pw = "owner-password-1"
    u, email = new_user(password=pw)
    attacker, owner = new_address(), new_address()
    for i in range(6):
        r = login_from(attacker, email, "guess-%d" % i)
        check(r.status == (401 if i < 5 else 429), "failure %d from %s: %r" % (i + 1, attacker, r))
    require(failures_at(email, attacker) == 5, "failures recorded for %s: %d" % (attacker, failures_at(email, attacker)))
    r = login_from(owner, email, pw)
    check(r.status == 201, "the owner with the right password from another address: %r" % r)
    # and straight from the proxy itself, as a client without X-Forwarded-For
    r = login(email, pw)
    check(r.status == 201, "the owner with the right password from 127.0.0.1: %r" % r)
    # the attacker's address stays limited, even with the right password
    p = problem(login_from(attacker, email, pw), 429, "the right password from the limited address")
    check("try again" in (p.get("detail") or ""), "429 detail %r" % p.get("detail"))


@suite.test("login limit: 5 failures per (account, address) -> 429 with Retry-After; counted under the client address")
def t_limit_per_account_address():
    pw = "pair-password-1"
    u, email = new_user(password=pw)
    addr = new_address()
    for i in range(5):
        problem(login_from(addr, email, "wrong-%d" % i), 401, "failure %d" % (i + 1))
    r = login_from(addr, email, "wrong-6")
    problem(r, 429, "6th attempt from the same address")
    ra = r.header("Retry-After") or ""
    check(ra.isdigit() and 840 <= int(ra) <= 900, "Retry-After %r, want about 15 minutes" % ra)
    check(failures_at(email, addr) == 5, "refused attempts were counted: %d" % failures_at(email, addr))
    # The right-most address that is not a trusted proxy is the client: what a
    # client writes in front of it is not believed.
    other = new_address()
    problem(login_from("%s, %s" % (addr, other), email, "wrong-7"), 401, "a failure through a second hop")
    check(failures_at(email, other) == 1, "the failure through a chain was not counted under %s" % other)
    r = login_from("%s, %s" % (addr, other), email, pw)
    check(r.status == 201, "the client at %s is not the one at %s: %r" % (other, addr, r))


@suite.test("login limit: an owner's own typos are forgiven by the right password")
def t_typos_forgiven():
    pw = "typo-password-1"
    u, email = new_user(password=pw)
    addr = new_address()
    for i in range(4):
        problem(login_from(addr, email, "typo-%d" % i), 401, "typo %d" % (i + 1))
    r = login_from(addr, email, pw)
    require(r.status == 201, "the right password after 4 typos: %r" % r)
    check(failures_at(email, addr) == 0, "failures left after the right password: %d" % failures_at(email, addr))
    for i in range(4):
        problem(login_from(addr, email, "typo-again-%d" % i), 401, "typo %d after signing in" % (i + 1))
    check(login_from(addr, email, pw).status == 201, "4 more typos locked the owner out")


@suite.test("login limit: 20+ failures from one address over many accounts do not block other addresses")
def t_address_does_not_block_others():
    pw = "spray-password-1"
    u, email = new_user(password=pw)
    sprayer, owner = new_address(), new_address()
    # a password spray: one guess each for many accounts (known and unknown)
    for i in range(25):
        target = email if i == 0 else unique("spray") + "@test.example"
        problem(login_from(sprayer, target, "Summer2026!"), 401, "spray %d" % (i + 1))
    r = login_from(owner, email, pw)
    check(r.status == 201, "a user at another address after 25 failures from %s: %r" % (sprayer, r))
    r = login(email, pw)
    check(r.status == 201, "a user at the proxy's own address after 25 failures from %s: %r" % (sprayer, r))


@suite.test("login limit: 50 failures from one address -> 429 for every account there, not elsewhere")
def t_limit_per_address():
    pw = "address-password-1"
    u, email = new_user(password=pw)
    addr, elsewhere = new_address("198.51.100"), new_address("198.51.100")
    for i in range(50):
        r = login_from(addr, unique("many") + "@test.example", "guess")
        require(r.status == 401, "failure %d of 50: %r" % (i + 1, r))
    r = login_from(addr, email, pw)
    problem(r, 429, "an account without failures, from an address with 50")
    ra = r.header("Retry-After") or ""
    check(ra.isdigit() and 1 <= int(ra) <= 900, "Retry-After %r" % ra)
    check(failures_at(email, addr) == 0, "the refused attempt was counted")
    r = login_from(elsewhere, email, pw)
    check(r.status == 201, "the same account from another address: %r" % r)


@suite.test("login limit: an IPv6 /64 counts as one address")
def t_limit_ipv6_network():
    pw = "six-password-1"
    u, email = new_user(password=pw)
    for i in range(5):
        problem(login_from("2001:db8:77:1::%x" % (i + 1), email, "wrong-%d" % i), 401, "failure %d" % (i + 1))
    check(failures_at(email, "2001:db8:77:1::/64") == 5, "failures are not counted under the /64")
    problem(login_from("2001:db8:77:1:ffff::9", email, pw), 429, "another address in the same /64")
    r = login_from("2001:db8:77:2::1", email, pw)
    check(r.status == 201, "an address in another /64: %r" % r)


@suite.test("login limit: X-Forwarded-For from a peer that is not a trusted proxy is ignored")
def t_forwarded_for_untrusted():
    pw = "untrusted-password-1"
    u, email = new_user(password=pw)
    host = local_address() or "127.0.0.1"
    made_up = new_address()
    with OtherServer(host=host) as srv:  # trusts no proxy
        r = srv.request("POST", API + "/auth/login", body={"email": email, "password": "wrong-1"},
                        headers={"X-Forwarded-For": made_up})
        problem(r, 401, "a failure through the second server")
        rows = db_query("SELECT ip FROM login_failures WHERE email = '%s'" % email)
        check(rows == [[host]], "the failure was counted under %r, want the peer %s" % (rows, host))
        for i in range(5):
            srv.request("POST", API + "/auth/login", body={"email": email, "password": "x"},
                        headers={"X-Forwarded-For": new_address()})
        r = srv.request("POST", API + "/auth/login", body={"email": email, "password": pw},
                        headers={"X-Forwarded-For": new_address()})
        problem(r, 429, "a made-up X-Forwarded-For escaped the limit")
    db_query("DELETE FROM login_failures WHERE email = '%s'" % email)  # the peer's allowance is shared


@suite.test("logout revokes the token in use (then 401); audit logout")
def t_logout():
    pw = "logout-password-1"
    u, email = new_user(password=pw)
    r = login(email, pw)
    require(r.status == 201, "login: %r" % r)
    tok = r.json["token"]
    other = login(email, pw).json["token"]  # a second session of the same user
    r = request("POST", API + "/auth/logout", token=tok)
    check(r.status == 204, "logout: %r" % r)
    e = audit(r.request_id)
    check(len(e) == 1 and e[0].get("action") == "logout", "audit of the logout: %s" % short(json.dumps(e)))
    r = request("GET", API + "/me", token=tok)
    problem(r, 401, "GET /me after logout")
    check((r.header("WWW-Authenticate") or "").lower().startswith("bearer"), "WWW-Authenticate %r" % r.header("WWW-Authenticate"))
    problem(request("POST", API + "/auth/logout", token=tok), 401, "logout again")
    check(request("GET", API + "/me", token=other).status == 200, "logout revoked the user's other session too")
    problem(request("POST", API + "/auth/logout"), 401, "logout without a token")


@suite.test("GET /me for every role; 401 without a token")
def t_me():
    for who in (FX.admin, FX.manager, FX.finance, FX.ca):
        r = who.get("/me")
        check(r.status == 200 and r.json.get("id") == who.id and r.json.get("role") == who.user.get("role"),
              "GET /me as %s: %r" % (who.user.get("role"), r))
        check("password" not in r.text and "hash" not in r.text, "GET /me shows a password or hash")
    check(FX.ca.get("/me").json.get("contractor_id") == FX.con_a["id"], "a contractor's /me lacks contractor_id")
    r = request("GET", API + "/me")
    problem(r, 401, "GET /me without a token")
    check((r.header("WWW-Authenticate") or "").lower().startswith("bearer"), "WWW-Authenticate %r" % r.header("WWW-Authenticate"))
    r = request("GET", API + "/me", headers={"Authorization": "bearer " + FX.manager.token})
    check(r.status == 200, "the auth scheme is case-insensitive (bearer): %r" % r)


@suite.test("inactive user: tokens stop working and sign-in fails; reactivation restores")
def t_inactive():
    pw = "inactive-password-1"
    u, email = new_user(password=pw)
    tok = login(email, pw).json["token"]
    r = FX.admin.patch("/users/%d" % u["id"], {"active": False}, if_match=etag_of(u))
    require(r.status == 200 and r.json.get("active") is False, "deactivate: %r" % r)
    problem(request("GET", API + "/me", token=tok), 401, "token of an inactive user")
    r2 = FX.admin.patch("/users/%d" % u["id"], {"active": True}, if_match=r.etag)
    check(r2.status == 200, "reactivate: %r" % r2)
    check(request("GET", API + "/me", token=tok).status == 200, "token after reactivation")


# --------------------------------------------------------------------- tokens


@suite.test("POST /tokens returns the plaintext token once; it works; GET/list never show it")
def t_token_create():
    m = FX.manager
    r = m.post("/tokens", {"name": "laptop"})
    require(r.status == 201, "POST /tokens: %r" % r)
    t = r.json
    tok = t.get("token", "")
    check(TOKEN_RE.match(tok), "token %r" % tok[:12])
    check(t.get("user_id") == m.id and t.get("name") == "laptop", "token object %s" % short(r.text))
    check(r.header("Location") == "%s/tokens/%d" % (API, t["id"]), "Location %r" % r.header("Location"))
    check(r.etag == '"1"', "ETag %r" % r.etag)
    check(tok.startswith(t.get("prefix") or "-"), "prefix %r is not the start of the token" % t.get("prefix"))
    check("hash" not in t, "the hash is returned")
    g = m.get("/tokens/%d" % t["id"])
    check(g.status == 200 and "token" not in g.json and tok not in g.text, "GET shows the token: %r" % g)
    lst = m.get("/tokens", params={"limit": "1000"})
    check(tok not in lst.text and all("hash" not in i and "token" not in i for i in lst.json["items"]),
          "the list shows tokens or hashes")
    me = request("GET", API + "/me", token=tok)
    check(me.status == 200 and me.json.get("id") == m.id, "the new token: %r" % me)
    e = audit(r.request_id)
    check(len(e) == 1 and e[0].get("action") == "create" and e[0].get("entity") == "token" and tok not in json.dumps(e),
          "audit of the token (must not hold the plaintext): %s" % short(json.dumps(e)))


@suite.test("DELETE /tokens/{id}: 428 without If-Match, 412 stale, 204 revokes (then 401)")
def t_token_revoke():
    m = FX.manager
    t = m.create("tokens", {"name": "to-revoke"})
    path = "/tokens/%d" % t["id"]
    snap = db_snapshot()
    problem(m.delete(path), 428, "DELETE without If-Match")
    problem(m.delete(path, if_match='"7"'), 412, "DELETE with a stale If-Match")
    check_unchanged(snap, "refused revokes")
    check(request("GET", API + "/me", token=t["token"]).status == 200, "token stopped working before the revoke")
    r = m.delete(path, if_match=etag_of(t))
    check(r.status == 204, "DELETE: %r" % r)
    problem(request("GET", API + "/me", token=t["token"]), 401, "the revoked token")
    g = m.get(path)
    check(g.status == 200 and g.json.get("revoked_at") and TS_RE.match(g.json["revoked_at"]), "revoked token: %r" % g)
    e = audit(r.request_id)
    check(len(e) == 1 and e[0].get("action") == "delete" and e[0].get("entity") == "token"
          and e[0].get("entity_id") == t["id"], "audit of the revoke: %s" % short(json.dumps(e)))


@suite.test("tokens: a contractor sees and revokes only its own")
def t_token_scope():
    ca, cb = FX.ca, FX.cb
    mine = ca.create("tokens", {"name": "a-phone"})
    theirs = cb.create("tokens", {"name": "b-phone"})
    items = ca.list_all("tokens")
    check(items and all(i.get("user_id") == ca.id for i in items), "contractor A's list has others' tokens: %s"
          % sorted({i.get("user_id") for i in items}))
    check(mine["id"] in [i["id"] for i in items], "own token missing from the list")
    check(ca.get("/tokens", params={"user_id": cb.id}).json.get("items") == [], "user_id filter shows B's tokens")
    r_other = ca.get("/tokens/%d" % theirs["id"])
    r_none = ca.get("/tokens/99999999")
    p_other = problem(r_other, 404, "GET B's token")
    p_none = problem(r_none, 404, "GET a nonexistent token")
    check((p_other.get("detail") or "").replace(str(theirs["id"]), "#") == (p_none.get("detail") or "").replace("99999999", "#")
          and p_other.get("type") == p_none.get("type") and p_other.get("title") == p_none.get("title"),
          "B's token answers unlike a missing one: %r vs %r" % (p_other, p_none))
    snap = db_snapshot()
    problem(ca.delete("/tokens/%d" % theirs["id"], if_match=etag_of(theirs)), 404, "DELETE B's token")
    invalid(ca.post("/tokens", {"name": "for-b", "user_id": cb.id}), ["user_id"], "contractor issuing a token for B")
    invalid(FX.manager.post("/tokens", {"name": "for-b", "user_id": cb.id}), ["user_id"], "manager issuing for B")
    check_unchanged(snap, "refused token changes")
    check(request("GET", API + "/me", token=theirs["token"]).status == 200, "B's token stopped working")
    # admins see and manage everyone's
    check(theirs["id"] in [i["id"] for i in FX.admin.list_all("tokens", params={"user_id": cb.id})], "admin list")
    t = FX.admin.create("tokens", {"name": "issued-for-a", "user_id": ca.id})
    me = request("GET", API + "/me", token=t["token"])
    check(me.status == 200 and me.json.get("id") == ca.id, "a token issued by an admin for A: %r" % me)
    r = FX.admin.delete("/tokens/%d" % theirs["id"], if_match=etag_of(theirs))
    check(r.status == 204, "admin revokes B's token: %r" % r)


@suite.test("tokens: expires_at is honoured (stored, in the future, expiry -> 401)")
def t_token_expiry():
    m = FX.manager
    snap = db_snapshot()
    invalid(m.post("/tokens", {"name": "old", "expires_at": "2020-01-01T00:00:00Z"}), ["expires_at"],
            "expires_at in the past")
    invalid(m.post("/tokens", {"name": "bad", "expires_at": "next week"}), ["expires_at"], "expires_at not a timestamp")
    check_unchanged(snap, "refused tokens")
    r = m.post("/tokens", {"name": "dated", "expires_at": "2030-06-30T12:00:00Z"})
    check(r.status == 201 and (r.json.get("expires_at") or "").startswith("2030-06-30T12:00:00"),
          "expires_at sent 2030-06-30T12:00:00Z, returned %r" % (r.json or {}).get("expires_at"))
    soon = (now_utc() + datetime.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = m.post("/tokens", {"name": "short-lived", "expires_at": soon})
    require(r.status == 201, "short-lived token: %r" % r)
    tok = r.json["token"]
    time.sleep(4.2)
    problem(request("GET", API + "/me", token=tok), 401, "a token past its expires_at (%s)" % soon)


@suite.test("the plaintext token is never stored, even when POST /tokens has an Idempotency-Key")
def t_token_idempotency():
    m = FX.manager
    key = unique("idem-token")
    r = m.post("/tokens", {"name": "idem"}, headers={"Idempotency-Key": key})
    require(r.status == 201, "POST /tokens: %r" % r)
    tok = r.json["token"]
    for t in ("idempotency_keys", "audit_log"):
        cols = {"idempotency_keys": "CONCAT_WS('|', idem_key, response, location)",
                "audit_log": "CONCAT_WS('|', before_json, after_json)"}[t]
        n = db_query("SELECT COUNT(*) FROM %s WHERE %s LIKE '%%%s%%'" % (t, cols, tok))[0][0]
        check(n == "0", "the plaintext token is stored in %s (%s rows)" % (t, n))
    r2 = m.post("/tokens", {"name": "idem"}, headers={"Idempotency-Key": key})
    check(r2.status in (201, 409, 422), "replay: %r" % r2)
    n = db_query("SELECT COUNT(*) FROM tokens WHERE user_id = %d AND name = 'idem'" % m.id)[0][0]
    check(n == "1", "%s tokens named idem after a replay, want 1" % n)


# ----------------------------------------------------- what is kept about requests


def server_key():
    """The HMAC key of the suite server: its secret file (tests/run.sh sets no FT_SECRET),
    or None when it has none."""
    path = os.path.join(DATA_DIR, "secret")
    if not check(os.path.exists(path), "the server made no secret file %s" % path):
        return None
    st = os.stat(path)
    check(st.st_mode & 0o777 == 0o600, "%s has mode %o, want 600" % (path, st.st_mode & 0o777))
    with open(path) as f:
        text = f.read().strip()
    require(re.match(r"^[0-9a-f]{64}$", text), "the secret file does not hold 64 hex digits")
    return bytes.fromhex(text)


@suite.test("idempotency fingerprints are keyed: POST /users with a password leaves no plain hash")
def t_idempotency_fingerprint():
    key = unique("idem-user")
    email = unique("fp") + "@test.example"
    body = json.dumps({"email": email, "name": "Fingerprint", "role": "finance",
                       "password": "a-password-nobody-guesses"}).encode()
    r = FX.admin.post("/users", raw=body, ctype="application/json", headers={"Idempotency-Key": key})
    require(r.status == 201, "POST /users: %r" % r)
    rows = db_query("SELECT HEX(request_hash) FROM idempotency_keys WHERE user_id = %d AND idem_key = '%s'"
                    % (FX.admin.id, key))
    require(len(rows) == 1, "idempotency_keys rows: %r" % rows)
    stored = bytes.fromhex(rows[0][0])
    plain = hashlib.sha256(b"POST\0" + (API + "/users").encode() + b"\0" + body).digest()
    check(stored != plain, "request_hash is sha256(method NUL path NUL body): a password guess can be checked")
    check(stored != hashlib.sha256(body).digest(), "request_hash is sha256(body)")
    msg = b"".join(len(p).to_bytes(8, "little") + p for p in (b"POST", (API + "/users").encode(), body))
    secret = server_key()
    check(secret is None or stored == hmac.new(secret, msg, hashlib.sha256).digest(),
          "request_hash is not the HMAC of the request under the server secret")
    # the fingerprint still does its job
    again = FX.admin.post("/users", raw=body, ctype="application/json", headers={"Idempotency-Key": key})
    check(again.status == 201 and again.header("Idempotent-Replayed") == "true", "replay: %r" % again)
    other = body.replace(b"nobody-guesses", b"nobody-guessez")
    problem(FX.admin.post("/users", raw=other, ctype="application/json", headers={"Idempotency-Key": key}),
            422, "same key, other password")


@suite.test("housekeeping purges expired idempotency keys, old failures and long-ended tokens in batches")
def t_housekeeping():
    uid = FX.manager.id
    tag = unique("hk")
    db_query("INSERT INTO idempotency_keys (user_id, idem_key, request_hash, state, status, created_at) VALUES "
             "(%d, '%s-old', UNHEX(SHA2('%s-old', 256)), 'done', 201, NOW(3) - INTERVAL 25 HOUR), "
             "(%d, '%s-new', UNHEX(SHA2('%s-new', 256)), 'done', 201, NOW(3) - INTERVAL 23 HOUR)"
             % (uid, tag, tag, uid, tag, tag))
    # more than one batch of old failures, and one that is recent
    db_query("INSERT INTO login_failures (email, ip, at) SELECT CONCAT('%s-', seq, '@test.example'), '192.0.2.250', "
             "NOW(3) - INTERVAL 25 HOUR FROM seq_1_to_1200" % tag)
    db_query("INSERT INTO login_failures (email, ip, at) VALUES ('%s-new@test.example', '192.0.2.250', "
             "NOW(3) - INTERVAL 2 HOUR)" % tag)
    tokens = {"revoked-old": ("NOW(3) - INTERVAL 31 DAY", "NULL"), "expired-old": ("NULL", "NOW(3) - INTERVAL 31 DAY"),
              "revoked-new": ("NOW(3) - INTERVAL 29 DAY", "NULL"), "expired-new": ("NULL", "NOW(3) - INTERVAL 1 DAY"),
              "live": ("NULL", "NULL")}
    for name, (revoked, expires) in tokens.items():
        db_query("INSERT INTO tokens (user_id, name, hash, prefix, revoked_at, expires_at) VALUES "
                 "(%d, '%s-%s', UNHEX(SHA2('%s-%s', 256)), 'ftk_hk', %s, %s)"
                 % (uid, tag, name, tag, name, revoked, expires))

    def left():
        return db_query(
            "SELECT (SELECT GROUP_CONCAT(idem_key ORDER BY idem_key) FROM idempotency_keys WHERE idem_key LIKE '%s-%%'), "
            "(SELECT COUNT(*) FROM login_failures WHERE email LIKE '%s-%%'), "
            "(SELECT GROUP_CONCAT(name ORDER BY name) FROM tokens WHERE name LIKE '%s-%%')" % (tag, tag, tag))[0]

    want = ["%s-new" % tag, "1", ",".join("%s-%s" % (tag, n) for n in sorted(["expired-new", "live", "revoked-new"]))]
    check(left()[1] == "1201", "setup: %r" % left())
    with OtherServer(FT_HOUSEKEEPING_INTERVAL="1"):
        deadline = time.monotonic() + 20
        while left() != want and time.monotonic() < deadline:
            time.sleep(0.5)
    got = left()
    check(got[0] == want[0], "idempotency keys left: %r, want only the one younger than 24 h" % got[0])
    check(got[1] == "1", "login failures left: %s of 1201, want the one younger than a day" % got[1])
    check(got[2] == want[2], "tokens left: %r, want %r" % (got[2], want[2]))


# ----------------------------------------------------------------------- roles


@suite.test("roles: a route the role may not use -> 403 problem, nothing changed")
def t_roles_forbidden():
    fx = FX
    seg = {"project_id": fx.p["id"], "lot_id": fx.lot_a["id"], "code": unique("S"), "kind": "trench",
           "planned_length_m": 10}
    snap = db_snapshot()
    cases = [
        (fx.finance, "POST", "/segments", {"body": seg}),
        (fx.ca, "POST", "/segments", {"body": seg}),
        (fx.ca, "PATCH", "/segments/%d" % fx.seg_a["id"], {"body": {"built_length_m": 5},
                                                           "headers": {"If-Match": etag_of(fx.seg_a)}}),
        (fx.ca, "DELETE", "/segments/%d" % fx.seg_a["id"], {"headers": {"If-Match": etag_of(fx.seg_a)}}),
        (fx.finance, "PATCH", "/projects/%d" % fx.p["id"], {"body": {"name": "x"}, "headers": {"If-Match": etag_of(fx.p)}}),
        (fx.finance, "POST", "/projects", {"body": {"code": unique("P"), "name": "x", "municipality": "y"}}),
        (fx.ca, "POST", "/contractors", {"body": {"name": "x"}}),
        (fx.ca, "PATCH", "/contractors/%d" % fx.con_a["id"], {"body": {"phone": "1"}, "headers": {"If-Match": etag_of(fx.con_a)}}),
        (fx.ca, "POST", "/lots", {"body": {"project_id": fx.p["id"], "code": unique("L"), "name": "x"}}),
        (fx.ca, "POST", "/premises", {"body": {"project_id": fx.p["id"], "code": unique("H"), "street": "s",
                                               "house_number": "1", "postcode": "1", "city": "c"}}),
        (fx.ca, "POST", "/nodes", {"body": {"project_id": fx.p["id"], "code": unique("N"), "kind": "pop"}}),
        (fx.manager, "GET", "/users", {}),
        (fx.manager, "GET", "/users/%d" % fx.finance.id, {}),
        (fx.manager, "POST", "/users", {"body": {"email": unique("x") + "@test.example", "name": "x", "role": "admin"}}),
        (fx.manager, "PATCH", "/users/%d" % fx.manager.id, {"body": {"role": "admin"}, "headers": {"If-Match": '"1"'}}),
        (fx.finance, "GET", "/users", {}),
        (fx.ca, "GET", "/users", {}),
        (fx.ca, "PATCH", "/users/%d" % fx.ca.id, {"body": {"contractor_id": fx.con_b["id"]}, "headers": {"If-Match": '"1"'}}),
        (fx.ca, "GET", "/audit", {}),
        (fx.ca, "GET", "/audit/1", {}),
    ]
    for who, method, path, kw in cases:
        r = who.req(method, path, **kw)
        problem(r, 403, "%s %s as %s" % (method, path, who.user.get("role")))
    check_unchanged(snap, "forbidden requests")


@suite.test("roles: what each role may do is allowed")
def t_roles_allowed():
    fx = FX
    for who in (fx.admin, fx.manager, fx.finance):
        for coll in ("projects", "contractors", "lots", "nodes", "segments", "premises", "audit", "tokens"):
            r = who.get("/" + coll, params={"limit": "5"})
            check(r.status == 200, "GET /%s as %s: %r" % (coll, who.user.get("role"), r))
    for coll in ("projects", "contractors", "lots", "nodes", "segments", "premises", "tokens"):
        r = fx.ca.get("/" + coll, params={"limit": "5"})
        check(r.status == 200, "GET /%s as contractor: %r" % (coll, r))
    m = fx.manager
    p = m.post("/projects", {"code": unique("P"), "name": "by manager", "municipality": "M"})
    check(p.status == 201, "manager creates a project: %r" % p)
    s = m.post("/segments", {"project_id": fx.p["id"], "lot_id": fx.lot_a["id"], "code": unique("S"), "kind": "drop",
                             "planned_length_m": 12.5})
    check(s.status == 201, "manager creates a segment: %r" % s)
    if s.status == 201:
        r = m.patch("/segments/%d" % s.json["id"], {"status": "accepted"}, if_match=s.etag)
        check(r.status == 200 and r.json.get("status") == "accepted", "manager accepts a segment: %r" % r)
        e = audit(s.request_id)
        check(len(e) == 1 and e[0].get("user_id") == m.id and e[0].get("user_name") == m.user.get("name"),
              "audit of the manager's create names the manager: %s" % short(json.dumps(e)))
    u = fx.admin.post("/users", {"email": unique("mgr") + "@test.example", "name": "x", "role": "manager"})
    check(u.status == 201, "admin creates a user: %r" % u)
    r = fx.admin.get("/users", params={"role": "contractor", "contractor_id": fx.con_a["id"]})
    check(r.status == 200 and [i["id"] for i in r.json["items"]] == [fx.ca.id], "admin lists users: %r" % r)


@suite.test("token cache: revoking, deactivating, a role change and expiry apply at once here; "
            "a revocation on another instance within 1 s")
def t_token_cache():
    a = FX.admin

    def me(c):
        return request("GET", API + "/me", token=c if isinstance(c, str) else c.token)

    u = user_client(a, "manager", unique("tc"))
    for _ in range(5):  # resolved once, then remembered by the worker threads
        require(me(u).status == 200, "GET /me")
    r = a.patch("/users/%d" % u.user["id"], {"role": "finance"}, if_match=a.get("/users/%d" % u.user["id"]).etag)
    require(r.status == 200, "role change: %r" % r)
    got = me(u)
    check(got.status == 200 and got.json.get("role") == "finance", "the new role at once: %r" % got)
    r = a.patch("/users/%d" % u.user["id"], {"active": False}, if_match=r.etag)
    require(r.status == 200, "deactivate: %r" % r)
    problem(me(u), 401, "a deactivated user's token right after the change")

    v = user_client(a, "manager", unique("tc"))
    for _ in range(5):
        me(v)
    tid = [t for t in a.list_all("tokens") if t["user_id"] == v.user["id"]][0]
    r = a.delete("/tokens/%d" % tid["id"], if_match=a.get("/tokens/%d" % tid["id"]).etag)
    require(r.status == 204, "revoke: %r" % r)
    problem(me(v), 401, "a revoked token right after DELETE /tokens/{id}")

    # A remembered token never outlives its expires_at.
    exp = (now_utc() + datetime.timedelta(seconds=3)).replace(microsecond=0)
    r = FX.manager.post("/tokens", {"name": "cache-expiry", "expires_at": exp.strftime("%Y-%m-%dT%H:%M:%SZ")})
    require(r.status == 201, "short-lived token: %r" % r)
    tok = r.json["token"]
    while (exp - now_utc()).total_seconds() > 0.4:
        check(me(tok).status == 200, "the token before its expiry")
        time.sleep(0.05)
    time.sleep(max(0.0, (exp - now_utc()).total_seconds()) + 0.15)
    problem(me(tok), 401, "a token used until just before expires_at, right after it")

    # Another instance on the same database: its revocation reaches this one within TOKEN_CACHE_TTL.
    w = user_client(a, "manager", unique("tc"))
    with OtherServer() as other:
        for _ in range(5):
            me(w)
        tid = [t for t in a.list_all("tokens") if t["user_id"] == w.user["id"]][0]
        etag = a.get("/tokens/%d" % tid["id"]).etag
        r = other.request("DELETE", API + "/tokens/%d" % tid["id"], token=a.token, headers={"If-Match": etag})
        require(r.status == 204, "revoke on the other instance: %r" % r)
        time.sleep(1.05)  # TOKEN_CACHE_TTL, and a little
        after = [me(w).status for _ in range(12)]
        check(after == [401] * 12, "revoked elsewhere, 1 s later every request is 401: %r" % after)


def setup():
    global FX
    FX = Fixture(unique("auth"))


if __name__ == "__main__":
    suite.run(setup)
