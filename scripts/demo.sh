#!/bin/bash
# demo.sh: the whole mirror on a built-in default, run by `make demo`.
#
# Installs what is missing (scripts/deps.sh), builds, starts a local Knot
# (or BIND, DEMO_SERVER=bind) serving a sample forward zone and a sample
# reverse zone with TSIG-protected transfers, starts the Route 53
# emulator, creates two private hosted zones, mirrors both zones with
# scripts/mirror.sh, shows the result (also through the aws CLI), edits the
# source zones, shows the next run's change stream, runs once more (no
# change: one DNS query and one API request per zone), and stops every
# process it started, also when interrupted.
#
# Everything listens on 127.0.0.1 only.  DEMO_KEEP=1 keeps the work folder
# (state folders, streams, logs) for inspection.  R53M_BUILD=DIR uses the
# commands in DIR instead of building.

set -u
set -o pipefail

TOP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TESTS_DIR="$TOP_DIR/tests"
export TOP_DIR TESTS_DIR
cd "$TOP_DIR" || exit 2

if [ -t 1 ]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi
say() { printf '%s\n' "$*"; }
fail() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. Dependencies and build"
if ! bash scripts/deps.sh; then
	fail "scripts/deps.sh failed (run it as root, or install the packages it names)"
fi
if [ -n "${R53M_BUILD:-}" ]; then
	say "using the commands in R53M_BUILD=$R53M_BUILD (no build)"
else
	make -s all || fail "build failed"
	R53M_BUILD="$TOP_DIR/build"
fi
export R53M_BUILD

T=$(mktemp -d "${TMPDIR:-/tmp}/r53mirror-demo.XXXXXX") || fail "mktemp"
export T

# The test suite's helpers start the servers and the emulator.
# shellcheck disable=SC1091
. "$TESTS_DIR/helpers/servers.bash"
# shellcheck disable=SC1091
. "$TESTS_DIR/helpers/emu.bash"

cleanup() {
	local st=$?
	trap - EXIT INT TERM
	emu_stop
	# shellcheck disable=SC2119 # no folder: stop every server we started
	server_stop
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		say "demo.sh: work folder kept: $T"
	else
		rm -rf -- "$T"
	fi
	exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PATH="$R53M_BUILD:$PATH"
export PATH LC_ALL=C
export R53M_RATE_FILE="$T/ratelimit"
MIRROR=(bash "$TOP_DIR/scripts/mirror.sh")
FWD=corp.example
REV=2.0.192.in-addr.arpa
VPC=vpc-0demo1234
KIND=${DEMO_SERVER:-knot}

step "2. A local authoritative server ($KIND) with $FWD and $REV"
server_start "$KIND" "$FWD" examples/demo/$FWD.zone "$REV" examples/demo/$REV.zone ||
	fail "could not start $KIND"
say "$KIND listens on 127.0.0.1 port $SERVER_PORT; transfers need the TSIG key $SERVER_KEYFILE"
show dig +short -p "$SERVER_PORT" @127.0.0.1 "$FWD" SOA

step "3. The Route 53 emulator and two private hosted zones"
emu_start || fail "could not start the Route 53 emulator"
say "emulator: $EMU_URL (credentials in the environment, never on a command line)"
create_private_zone() {
	local id
	id=$(/usr/bin/aws route53 create-hosted-zone --endpoint-url "$EMU_URL" \
		--name "$1" --caller-reference "demo-$1-$$" \
		--vpc "VPCRegion=us-east-1,VPCId=$VPC" \
		--hosted-zone-config "Comment=r53mirror demo,PrivateZone=true" \
		--query HostedZone.Id --output text 2>"$T/aws.err") ||
		id=$(emu_create_zone "$1" --private "$VPC") || return 1
	printf '%s' "${id#/hostedzone/}"
}
FWD_ID=$(create_private_zone "$FWD") || fail "cannot create $FWD"
REV_ID=$(create_private_zone "$REV") || fail "cannot create $REV"
say "hosted zone $FWD: $FWD_ID (private, $VPC)"
say "hosted zone $REV: $REV_ID (private, $VPC)"

step "4. The config file: one zone per line"
CONF="$T/zones.conf"
cat >"$CONF" <<EOF
# zone                 server[:port]         key file           hosted zone
$FWD.                  127.0.0.1:$SERVER_PORT  $SERVER_KEYFILE  $FWD_ID
# the reverse zone is found by name and visibility (its id is then cached)
$REV.                  127.0.0.1:$SERVER_PORT  $SERVER_KEYFILE  private:$VPC  --wait
EOF
cat "$CONF"
STATE="$T/state"

step "5. First run: a full compare, everything created"
emu_reset_counters
show "${MIRROR[@]}" --state-dir "$STATE" --all "$CONF" -j 2 || fail "first run failed (status $?)"
say "Route 53 requests: $(emu_counters | tr -d '\n ')"

step "6. The result, through the aws CLI"
# shellcheck disable=SC2016 # a JMESPath expression, not shell
QUERY='ResourceRecordSets[].[Name,Type,TTL,join(`,`,ResourceRecords[].Value)]'
show /usr/bin/aws route53 list-resource-record-sets --endpoint-url "$EMU_URL" \
	--hosted-zone-id "$FWD_ID" --output text \
	--query "$QUERY"
show /usr/bin/aws route53 list-resource-record-sets --endpoint-url "$EMU_URL" \
	--hosted-zone-id "$REV_ID" --output text \
	--query "$QUERY"

step "7. Edit the source zones (add, change, delete; serial +1) and reload"
FWD_FILE=$(server_zonefile "$FWD")
REV_FILE=$(server_zonefile "$REV")
sed -i -e 's/ 2026112601 / 2026112602 /' \
	-e 's/^printer\([[:space:]].*\)192\.0\.2\.131$/printer\1192.0.2.132/' \
	-e '/^intranet[[:space:]]/d' "$FWD_FILE"
printf 'wiki\t\tIN A\t192.0.2.90\n' >>"$FWD_FILE"
sed -i -e 's/ 7 7200 / 8 7200 /' -e 's/^131\([[:space:]]\)/132\1/' "$REV_FILE"
printf '90\t\tIN PTR\twiki.corp.example.\n' >>"$REV_FILE"
server_reload || fail "reload failed"
show dig +short -p "$SERVER_PORT" @127.0.0.1 "$FWD" SOA

step "8. Second run: the changes"
emu_reset_counters
show "${MIRROR[@]}" --state-dir "$STATE" --all "$CONF" -j 2 || fail "second run failed (status $?)"
# only the zones' folders (the state folder holds other files too)
for f in "$STATE"/*/last/changes; do
	[ -f "$f" ] || continue
	say "--- the change stream of this run, $f:"
	cat "$f"
done
say "Route 53 requests: $(emu_counters | tr -d '\n ')"

step "9. Third run: nothing changed (1 DNS query + 1 API request per zone)"
emu_reset_counters
show "${MIRROR[@]}" --state-dir "$STATE" --all "$CONF" -j 2 || fail "third run failed (status $?)"
say "Route 53 requests: $(emu_counters | tr -d '\n ')"

step "10. Least-privilege IAM policy for this config"
show "${MIRROR[@]}" --state-dir "$STATE" --iam-policy "$CONF"

step "Done: stopping $KIND and the emulator"
