#!/usr/bin/env bash
# Tests of the Debian package and the TLS reverse proxy (packaging/):
# builds the .deb from the binaries in BINDIR as `make deb` does, checks its
# control data and contents with dpkg-deb, runs lintian, extracts it into a
# scratch root and starts the installed fibertrackd from there (the unit's
# environment, a throwaway data dir and its private MariaDB), then puts
# nginx with packaging/nginx/fibertrack.conf and a self-signed certificate
# in front of it and talks HTTP/2 through it. Ports 18800-18899; nothing is
# left behind.
#
#   BINDIR   where fibertrack and fibertrackd are (default bin)
#
# Last line: "N passed, N failed"; exit status 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
BINDIR=${BINDIR:-bin}
case $BINDIR in
/*) ;;
*) BINDIR=$ROOT/$BINDIR ;;
esac
export FT_PYTHON=${FT_PYTHON:-/usr/bin/python3}
# Our server is configured here alone.
unset FT_DB_URL FT_LISTEN FT_THREADS FT_LOG FT_DATA_DIR FT_SCHEMA_DIR FT_WEB_DIR \
    FT_ATTACHMENT_DIR FT_TRUSTED_PROXIES FT_SECRET

# Lintian warnings this package keeps, each for a reason:
#   no-manual-page: the binaries document themselves with --help, and
#     README.md and docs/cli.md are in /usr/share/doc/fibertrack.
#   initial-upload-closes-no-bugs: the package is not meant for the Debian
#     archive, so there is no ITP bug to close.
KEPT_WARNINGS="no-manual-page initial-upload-closes-no-bugs"

# Short path: the MariaDB unix socket path must stay under 108 bytes.
TMP=$(mktemp -d /tmp/ftk-deploy.XXXXXX)
ART=${FT_ARTIFACTS:-$ROOT/tests/artifacts}
mkdir -p "$ART"
SERVER_LOG=$ART/deploy-server.log
NGINX_LOG=$ART/deploy-nginx.log
: >"$SERVER_LOG"
: >"$NGINX_LOG"
SERVER_PID=
NGINX_PID=
DATA=$TMP/data
R=$TMP/root

# shellcheck source=SCRIPTDIR/../lib/server.sh
. "$ROOT/tests/lib/server.sh"

cleanup() {
    if [ -n "$NGINX_PID" ] && ft_alive "$NGINX_PID"; then
        kill -QUIT "$NGINX_PID" 2>/dev/null
        ft_wait_gone "$NGINX_PID" 10 || kill -KILL "$NGINX_PID" 2>/dev/null
    fi
    if [ -n "$SERVER_PID" ]; then
        ft_server_stop "$SERVER_PID" 30 >/dev/null
    fi
    ft_mariadbd_stop "$DATA"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "run-deploy.sh: interrupted" >&2; exit 130' INT TERM

passed=0
failed=0
ok() {
    echo "ok    $1"
    passed=$((passed + 1))
}
fail() { # name, reason
    echo "FAIL  $1: $2"
    failed=$((failed + 1))
}
# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else fail "$name" "$*"; fi
}
summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# ---- the package ---------------------------------------------------------------

version=$("$BINDIR/fibertrackd" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
DEB=$TMP/dist/fibertrack_${version}-1_${arch}.deb
if BINDIR=$BINDIR packaging/build-deb.sh "$TMP/dist" >"$TMP/build.out" 2>&1 &&
    [ "$(tail -n 1 "$TMP/build.out")" = "$DEB" ] && [ -f "$DEB" ]; then
    ok "build-deb.sh builds fibertrack_${version}-1_${arch}.deb"
else
    fail "build-deb.sh" "$(tail -n 5 "$TMP/build.out")"
    summary
    exit
fi
check "make deb runs packaging/build-deb.sh" grep -q 'packaging/build-deb.sh dist' \
    <(make -s -n deb 2>/dev/null)

info=$(dpkg-deb -I "$DEB")
field() { dpkg-deb -f "$DEB" "$1"; }
check "control: Package, Version, Architecture" \
    test "$(field Package) $(field Version) $(field Architecture)" = "fibertrack $version-1 $arch"
check "control: maintainer scripts and conffiles" \
    grep -qzE 'conffiles.*postinst.*postrm.*prerm' <<<"$info"
check "conffiles: the env file" test "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" \
    = /etc/fibertrack/fibertrack.env

# Depends must name the package of every library the binaries link
# directly (NEEDED), as ldd resolves it.
deps=$(field Depends)
missing=
for b in fibertrackd fibertrack; do
    for lib in $(objdump -p "$BINDIR/$b" | awk '$1 == "NEEDED" { print $2 }'); do
        path=$(ldd "$BINDIR/$b" | awk -v l="$lib" '$1 == l { print $3 }')
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -z "$pkg" ] && pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
        case ", $deps," in
        *", $pkg "* | *", $pkg,"*) ;;
        *) missing="$missing $lib($pkg)" ;;
        esac
    done
done
if [ -z "$missing" ]; then
    ok "Depends covers every library the binaries link"
else
    fail "Depends covers every library the binaries link" "missing:$missing"
fi
check "Depends: adduser (postinst)" grep -qw adduser <<<"$deps"

contents=$(dpkg-deb -c "$DEB")
has() { grep -qE "^$1 +root/root +[0-9]+ [0-9-]+ [0-9:]+ \./$2\$" <<<"$contents"; }
for f in usr/sbin/fibertrackd usr/bin/fibertrack; do
    check "contents: $f (0755)" has -rwxr-xr-x "$f"
done
for f in lib/systemd/system/fibertrackd.service etc/fibertrack/fibertrack.env \
    usr/share/fibertrack/web/index.html usr/share/doc/fibertrack/copyright \
    usr/share/doc/fibertrack/changelog.Debian.gz usr/share/doc/fibertrack/changelog.gz \
    usr/share/doc/fibertrack/DEPLOYMENT.md usr/share/doc/fibertrack/SECURITY.md \
    usr/share/doc/fibertrack/examples/nginx-fibertrack.conf; do
    check "contents: $f" has -rw-r--r-- "$f"
done
n_schema=$(find schema -maxdepth 1 -name '*.sql' | wc -l)
check "contents: all $n_schema migrations" \
    test "$(grep -c '\./usr/share/fibertrack/schema/[0-9].*\.sql$' <<<"$contents")" = "$n_schema"
n_web=$(find clients/web -type f | wc -l)
check "contents: all $n_web dashboard files" \
    test "$(grep -c '^-.*\./usr/share/fibertrack/web/' <<<"$contents")" = "$n_web"
check "contents: every entry owned by root" test -z "$(grep -v ' root/root ' <<<"$contents")"
check "contents: nothing in var, tmp, home or usr/local" \
    test -z "$(grep -E '\./(var|tmp|home|usr/local)/' <<<"$contents")"

# ---- lintian -----------------------------------------------------------------------

lintian --allow-root "$DEB" >"$TMP/lintian.out" 2>&1
cp "$TMP/lintian.out" "$ART/deploy-lintian.txt"
errors=$(grep -c '^E: ' "$TMP/lintian.out")
check "lintian: no errors" test "$errors" = 0
unexpected=$(grep '^W: ' "$TMP/lintian.out" | awk '{print $3}' | sort -u |
    grep -vxF -f <(tr ' ' '\n' <<<"$KEPT_WARNINGS") | tr '\n' ' ')
check "lintian: no warnings but the documented ones (${unexpected:-none new})" test -z "$unexpected"
grep -E '^[EW]: ' "$TMP/lintian.out" | sed 's/^/      /'

# ---- the installed files ---------------------------------------------------------

mkdir -p "$R"
if ! dpkg-deb -x "$DEB" "$R"; then
    fail "dpkg-deb -x" "cannot extract the package"
    summary
    exit
fi
# The copyright file carries LICENSE whole, as a DEP-5 paragraph.
license_of_copyright() {
    # The text follows the second "License:" line, the stand-alone paragraph.
    awk 'p; /^License: EUPL-1.2$/ && ++n == 2 { p = 1 }' "$R/usr/share/doc/fibertrack/copyright" |
        sed -e 's/^ //' -e 's/^\.$//'
}
check "copyright: the full EUPL-1.2 text of LICENSE" \
    cmp -s <(license_of_copyright) <(sed 's/[[:space:]]*$//' LICENSE)
UNIT=$R/lib/systemd/system/fibertrackd.service
for d in User=fibertrack ProtectSystem=strict ReadWritePaths=/var/lib/fibertrack ProtectHome=yes \
    PrivateTmp=yes NoNewPrivileges=yes Restart=on-failure \
    EnvironmentFile=-/etc/fibertrack/fibertrack.env; do
    check "unit: $d" grep -qxF "$d" "$UNIT"
done
if command -v systemd-analyze >/dev/null; then
    # The unit as installed, its commands pointed at the scratch root.
    sed "s|=/usr/sbin/fibertrackd|=$R/usr/sbin/fibertrackd|" "$UNIT" >"$TMP/fibertrackd.service"
    systemd-analyze verify "$TMP/fibertrackd.service" >"$TMP/verify.out" 2>&1
    check "unit: systemd-analyze verify finds nothing" test ! -s "$TMP/verify.out"
    sed 's/^/      /' "$TMP/verify.out"
    # systemd's own measure of the hardening: 0 is locked down, 10 is none;
    # the unit scores 3.2 ("OK") and must not slip back.
    score=$(systemd-analyze security --offline=true "$TMP/fibertrackd.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for fibertrackd.service: \([0-9.]*\).*/\1/p')
    check "unit: systemd-analyze security exposure below 4.0 (got ${score:-none})" \
        awk -v s="${score:-99}" 'BEGIN { exit !(s < 4.0) }'
fi

# The maintainer scripts run with stand-ins for the commands that would
# change this machine; each stand-in logs its arguments.
mkdir -p "$TMP/stub"
for c in adduser install chown chmod deb-systemd-helper deb-systemd-invoke systemctl; do
    printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$c" "$TMP/stub.log" >"$TMP/stub/$c"
    chmod 755 "$TMP/stub/$c"
done
printf '#!/bin/sh\nexit 2\n' >"$TMP/stub/getent"
chmod 755 "$TMP/stub/getent"
dpkg-deb -e "$DEB" "$TMP/control"
: >"$TMP/stub.log"
PATH=$TMP/stub:$PATH sh "$TMP/control/postinst" configure >/dev/null 2>&1
check "postinst configure: adds the system user fibertrack" \
    grep -qE '^adduser --system .*--home /var/lib/fibertrack .* fibertrack$' "$TMP/stub.log"
if [ ! -d /var/lib/fibertrack ]; then
    check "postinst configure: makes /var/lib/fibertrack (0750, fibertrack)" \
        grep -qxF 'install -d -o fibertrack -g fibertrack -m 0750 /var/lib/fibertrack' "$TMP/stub.log"
fi
check "postinst configure: enables the unit" \
    grep -qxF 'deb-systemd-helper enable fibertrackd.service' "$TMP/stub.log"
check "prerm remove: succeeds" env PATH="$TMP/stub:$PATH" sh "$TMP/control/prerm" remove

check "installed fibertrackd --version" test "$("$R/usr/sbin/fibertrackd" --version | awk '{print $2}')" = "$version"
check "installed fibertrack --version" test "$("$R/usr/bin/fibertrack" --version)" = "fibertrack $version"

# ---- the installed server ------------------------------------------------------------

# The unit's environment with the paths moved into the scratch root; the
# working directory is empty, so that nothing is found beside this checkout.
while IFS= read -r line; do
    kv=${line#Environment=}
    case ${kv%%=*} in
    FT_DATA_DIR) ;;
    *) export "${kv%%=*}=$R${kv#*=}" ;;
    esac
done < <(grep '^Environment=' "$UNIT")
check "unit environment names the installed schema and web files" \
    test -d "${FT_SCHEMA_DIR:-/nonexistent}" -a -f "${FT_WEB_DIR:-/nonexistent}/index.html"
FTD=$R/usr/sbin/fibertrackd
cd "$TMP" || exit 2
# The installed binary finds its files itself, in ../share/fibertrack beside
# /usr/sbin, as a command run by hand needs: the server below runs without
# the unit's FT_SCHEMA_DIR and FT_WEB_DIR.
unset FT_SCHEMA_DIR FT_WEB_DIR
export FT_DATA_DIR=$DATA
if "$FTD" migrate >>"$SERVER_LOG" 2>&1; then
    ok "installed fibertrackd migrate (ExecStartPre)"
else
    fail "installed fibertrackd migrate" "see $SERVER_LOG"
    summary
    exit
fi
PORT=$(ft_free_port 18800 18849)
if FT_TRUSTED_PROXIES=127.0.0.1 ft_server_start SERVER_PID "$DATA" "$PORT" "$SERVER_LOG"; then
    ok "installed fibertrackd serve: /readyz answers 200"
else
    fail "installed fibertrackd serve" "/readyz did not answer (see $SERVER_LOG)"
    summary
    exit
fi
BASE=http://127.0.0.1:$PORT
check "installed server serves the dashboard from /usr/share/fibertrack/web" \
    grep -qi '<html' <(curl -fsS "$BASE/")
EMAIL=deploy-admin@musterstadt.example
PASSWORD=deploy-test-password-1
add_user() {
    "$FTD" user add --email "$EMAIL" --name "Deploy Test" --role admin <<<"$PASSWORD" >>"$SERVER_LOG" 2>&1
}
check "installed fibertrackd user add" add_user

# ---- TLS through nginx ---------------------------------------------------------------------

NG=$TMP/nginx
mkdir -p "$NG/logs" "$NG/tmp"
TLS_PORT=$(ft_free_port 18850 18874)
HTTP_PORT=$(ft_free_port 18875 18899)
HOST=fibertrack.test
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" \
    -addext "subjectAltName=DNS:$HOST" -keyout "$NG/key.pem" -out "$NG/cert.pem" >/dev/null 2>&1
# The example as shipped, moved to loopback ports and this certificate.
sed -e "s|server 127.0.0.1:8080|server 127.0.0.1:$PORT|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e '/listen \[::\]/d' \
    -e "s|server_name fibertrack.example.org;|server_name $HOST;|" \
    -e "s|/etc/ssl/fibertrack/fullchain.pem|$NG/cert.pem|" \
    -e "s|/etc/ssl/fibertrack/privkey.pem|$NG/key.pem|" \
    "$R/usr/share/doc/fibertrack/examples/nginx-fibertrack.conf" >"$NG/site.conf"
cat >"$NG/nginx.conf" <<CONF
# The workers run as this user, since everything here is in a private directory.
user $(id -un) $(id -gn);
worker_processes 1;
pid $NG/nginx.pid;
error_log $NGINX_LOG info;
events { worker_connections 64; }
http {
    access_log $NG/logs/access.log;
    client_body_temp_path $NG/tmp/body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    include $NG/site.conf;
}
CONF
if nginx -t -c "$NG/nginx.conf" -p "$NG" >>"$NGINX_LOG" 2>&1; then
    ok "nginx -t accepts packaging/nginx/fibertrack.conf"
else
    fail "nginx -t" "see $NGINX_LOG"
    summary
    exit
fi
nginx -c "$NG/nginx.conf" -p "$NG" -g 'daemon off;' >>"$NGINX_LOG" 2>&1 &
NGINX_PID=$!
URL=https://$HOST:$TLS_PORT
CURL=(curl -sS --max-time 20 --cacert "$NG/cert.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1"
    --resolve "$HOST:$HTTP_PORT:127.0.0.1")
for ((i = 0; i < 100; i++)); do
    "${CURL[@]}" -o /dev/null "$URL/healthz" 2>/dev/null && break
    sleep 0.1
done

out=$("${CURL[@]}" --http2 -o /dev/null -w '%{http_version} %{http_code}' "$URL/readyz")
check "HTTP/2 negotiated over TLS, /readyz 200 through nginx (got $out)" test "$out" = "2 200"
out=$("${CURL[@]}" --http1.1 --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$URL/healthz")
check "TLS 1.2 accepted (got $out)" test "$out" = 200
# openssl at security level 0 would speak TLS 1.1, so a failed handshake
# is nginx's refusal, not the client's.
tls() { # version flag: succeeds when the handshake does
    openssl s_client -connect "127.0.0.1:$TLS_PORT" -servername "$HOST" "$1" \
        -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >/dev/null 2>&1
}
check "TLS 1.2 handshake with a permissive client" tls -tls1_2
no_tls() { ! tls "$1"; }
check "TLS 1.1 refused by nginx" no_tls -tls1_1
out=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "http://$HOST:$HTTP_PORT/readyz")
check "plain HTTP redirects to HTTPS (got $out)" test "$out" = "301 https://$HOST/readyz"

# A sign-in and an authorised read over HTTP/2.
login=$("${CURL[@]}" --http2 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login")
TOKEN=$("$FT_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$login" 2>/dev/null)
check "sign-in through nginx returns a token" test -n "$TOKEN"
out=$("${CURL[@]}" --http2 -o "$TMP/projects.json" -w '%{http_version} %{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$URL/api/v1/projects")
check "GET /api/v1/projects with the token over HTTP/2 (got $out)" test "$out" = "2 200"
check "the answer is the API's JSON" grep -q '"items"' "$TMP/projects.json"

# The client address: nginx appends its peer to X-Forwarded-For, and the
# server (trusting 127.0.0.1) takes the right-most untrusted entry. Its
# request log line has no address field, so a failed sign-in shows it:
# the server records the client address of each failure.
CLIENT=198.51.100.23
out=$("${CURL[@]}" --http2 -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $CLIENT" \
    -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"wrong\"}" \
    "$URL/api/v1/auth/login")
check "a wrong password through nginx is 401 (got $out)" test "$out" = 401
ips=$(mariadb --no-defaults -S "$DATA/mariadb/mariadb.sock" -u root -N -B fibertrack \
    -e 'SELECT ip FROM login_failures' 2>&1)
check "the server saw the client $CLIENT from X-Forwarded-For, not nginx's 127.0.0.1 (got ${ips//$'\n'/ })" \
    test "$ips" = "$CLIENT"
check "the server logged the request that nginx forwarded" \
    grep -q 'method=POST route="/api/v1/auth/login" status=401' "$SERVER_LOG"

# Body limits: nginx passes bodies up to 64 MiB, so the server's own limit
# per route answers (problem+json); beyond 64 MiB nginx refuses.
head -c $((2 * 1024 * 1024)) /dev/zero >"$TMP/2m"
out=$("${CURL[@]}" --http2 -o "$TMP/413.json" -w '%{http_code} %{content_type}' \
    -H 'Content-Type: application/json' --data-binary @"$TMP/2m" "$URL/api/v1/auth/login")
check "2 MiB to sign-in: the server's own 413 (got $out)" test "$out" = "413 application/problem+json"
head -c $((65 * 1024 * 1024)) /dev/zero >"$TMP/65m"
out=$("${CURL[@]}" --http1.1 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/geo+json' -X POST -T "$TMP/65m" "$URL/api/v1/projects/1/import")
check "65 MiB: nginx's client_max_body_size refuses (got $out)" test "$out" = 413
rm -f "$TMP/2m" "$TMP/65m"

cd "$ROOT" || exit 2
summary
