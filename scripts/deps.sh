#!/bin/sh
# deps.sh: install every Debian package r53mirror needs to build, run and
# test. Idempotent: packages already present are left alone.
# Usage: scripts/deps.sh            (as root, or with sudo available)
set -eu

PKGS="
build-essential pkg-config make
libldns-dev libcurl4-openssl-dev libssl-dev libexpat1-dev libjansson-dev
bats bats-support bats-assert parallel bash-builtins
bind9 bind9-utils bind9-dnsutils nsd knot knot-dnsutils ldnsutils
python3 python3-botocore python3-dnspython awscli
shellcheck mandoc util-linux procps psmisc time curl jq ca-certificates openssl iproute2
debhelper dpkg-dev fakeroot lintian
clang libclang-rt-14-dev
patchelf zip unzip
"
# npm for cfn-lint: Debian's package only where no npm is installed (a
# machine with NodeSource's nodejs has its own npm, and Debian's npm
# cannot be installed beside it).
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
# The CloudFormation linter of make lint-cfn (lambda/template.yaml), from
# the npm registry: Debian packages none.
CFN_LINT_VERSION=1.9.7

install_cfn_lint() {
	if [ -x /usr/bin/cfn-lint ] || [ -x /usr/local/bin/cfn-lint ]; then
		return 0
	fi
	echo "deps.sh: installing cfn-lint@$CFN_LINT_VERSION (npm)"
	$SUDO npm install -g --no-fund --no-audit "cfn-lint@$CFN_LINT_VERSION" >/dev/null
}

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

if [ -z "$missing" ]; then
	install_cfn_lint
	echo "deps.sh: all packages present"
	exit 0
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
install_cfn_lint
echo "deps.sh: done"
