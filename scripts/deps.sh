#!/bin/sh
# deps.sh: install every Debian package r53mirror needs to build, run and
# test. Idempotent: packages already present are left alone.
# Usage: scripts/deps.sh            (as root, or with sudo available)
set -eu

PKGS="
build-essential pkg-config make
libldns-dev libcurl4-openssl-dev libssl-dev libexpat1-dev libjansson-dev
bats bats-support bats-assert parallel
bind9 bind9-utils bind9-dnsutils nsd knot knot-dnsutils ldnsutils
python3 python3-botocore python3-dnspython awscli
shellcheck mandoc util-linux procps psmisc time curl jq ca-certificates openssl iproute2
debhelper dpkg-dev fakeroot lintian
clang libclang-rt-14-dev
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps.sh: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The Debian server packages start their daemons on port 53; the project
# starts its own on loopback high ports, so stop the system ones.
for svc in named bind9 nsd knot; do
	if command -v systemctl >/dev/null 2>&1; then
		$SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
	fi
done
echo "deps.sh: done"
