#!/usr/bin/env bash
# `make deb`: builds OUTDIR/fibertrack_VERSION-1_ARCH.deb with dpkg-deb from
# the binaries in BINDIR (built already), schema/, clients/web/, the unit and
# the docs. Prints the path of the package.
#
#   build-deb.sh [OUTDIR]      (default dist)
#   BINDIR                     where fibertrackd and fibertrack are (default bin)
#
# Installed layout: /usr/sbin/fibertrackd, /usr/bin/fibertrack,
# /usr/share/fibertrack/{schema,web} (the unit names them in FT_SCHEMA_DIR
# and FT_WEB_DIR), /lib/systemd/system/fibertrackd.service,
# /etc/fibertrack/fibertrack.env and /usr/share/doc/fibertrack.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
OUT=${1:-dist}
BINDIR=${BINDIR:-bin}
PKG=fibertrack
DEBREV=1
MAINTAINER="fibertrack maintainers <fibertrack@musterstadt.example>"

for b in "$BINDIR/fibertrackd" "$BINDIR/fibertrack"; do
    if [ ! -x "$b" ]; then
        echo "build-deb: $b is missing; build it with make" >&2
        exit 1
    fi
done
UPSTREAM=$(sed -n 's/^#define FIBERTRACKD_VERSION "\(.*\)"$/\1/p' server/main.c)
if [ -z "$UPSTREAM" ]; then
    echo "build-deb: no FIBERTRACKD_VERSION in server/main.c" >&2
    exit 1
fi
VERSION=$UPSTREAM-$DEBREV
ARCH=$(dpkg --print-architecture)
# The last commit's time, so that two builds of one commit are the same.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

WORK=$(mktemp -d /tmp/ftk-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# dpkg-shlibdeps wants debian/control and the files below debian/PACKAGE.
STAGE=$WORK/debian/$PKG
DOC=$STAGE/usr/share/doc/$PKG
umask 022
mkdir -p "$STAGE/DEBIAN"

# Binaries, stripped as dh_strip would (the debug symbols stay in bin/).
install -D -m 0755 "$BINDIR/fibertrackd" "$STAGE/usr/sbin/fibertrackd"
install -D -m 0755 "$BINDIR/fibertrack" "$STAGE/usr/bin/fibertrack"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$STAGE/usr/sbin/fibertrackd" "$STAGE/usr/bin/fibertrack"

install -d "$STAGE/usr/share/fibertrack/schema" "$STAGE/usr/share/fibertrack/web"
install -m 0644 schema/*.sql "$STAGE/usr/share/fibertrack/schema/"
(cd clients/web && find . -type f -print0) | while IFS= read -r -d '' f; do
    install -D -m 0644 "clients/web/$f" "$STAGE/usr/share/fibertrack/web/$f"
done

install -D -m 0644 packaging/fibertrackd.service "$STAGE/lib/systemd/system/fibertrackd.service"
install -D -m 0644 packaging/fibertrack.env "$STAGE/etc/fibertrack/fibertrack.env"

install -d "$DOC/examples"
install -m 0644 README.md docs/DEPLOYMENT.md docs/operations.md docs/cli.md SECURITY.md "$DOC/"
install -m 0644 packaging/nginx/fibertrack.conf "$DOC/examples/nginx-fibertrack.conf"
gzip -9n -c CHANGELOG.md >"$DOC/changelog.gz"
DATE=$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")
{
    echo "$PKG ($VERSION) unstable; urgency=medium"
    echo
    echo "  * Release $UPSTREAM; see changelog.gz for what it contains."
    echo
    echo " -- $MAINTAINER  $DATE"
} | gzip -9n >"$DOC/changelog.Debian.gz"
# Machine-readable copyright; the EUPL is not among Debian's common
# licences, so its full text is included.
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: fibertrack"
    echo
    echo "Files: *"
    echo "Copyright: the fibertrack authors"
    echo "License: EUPL-1.2"
    echo
    echo "License: EUPL-1.2"
    sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' LICENSE
} >"$DOC/copyright"

install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$STAGE/DEBIAN/"
echo /etc/fibertrack/fibertrack.env >"$STAGE/DEBIAN/conffiles"

# Depends: the libraries the binaries link, as dpkg-shlibdeps finds them.
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" >"$WORK/debian/control"
shlibs=$(cd "$WORK" && dpkg-shlibdeps -O -e"$STAGE/usr/sbin/fibertrackd" -e"$STAGE/usr/bin/fibertrack")
shlibs=${shlibs#shlibs:Depends=}

(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)

cat >"$STAGE/DEBIAN/control" <<CONTROL
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $size
Depends: $shlibs, adduser
Recommends: mariadb-server
Suggests: nginx
Section: net
Priority: optional
Description: municipal fiber rollout tracking server and client
 fibertrack runs a municipal fiber rollout: project managers plan the
 network and review what contractors report, civil-works contractors
 report construction progress and photos, and finance staff track
 invoices and build the reports the funding agencies ask for.
 .
 This package holds the server fibertrackd (a JSON API and the web
 dashboard, with a systemd unit), its database migrations and the
 command-line client fibertrack. Without a database URL the server runs
 a private MariaDB in its data directory.
CONTROL

find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$OUT"
DEB=$OUT/${PKG}_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
case $DEB in
/*) echo "$DEB" ;;
*) echo "$ROOT/$DEB" ;;
esac
