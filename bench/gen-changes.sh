#!/usr/bin/env bash
# bench/gen-changes.sh KIND N ZID: print a change stream for the zone
# bench.example. whose hosted zone is ZID, for bench/r53apply.sh and
# tests/64-r53apply-plan.bats (a helper: `make bench` does not run it).
#   KIND base  the RRsets the measured stream starts from (serial 1 -> 2):
#              BASE = 40 % of N adds
#   KIND main  N changes (serial 2 -> 3): 20 % deletes and 20 % updates of
#              those, 60 % adds; A, AAAA, TXT and MX RRsets in turn
# Deterministic: the same arguments give the same stream.
set -euo pipefail

kind=${1:?usage: gen-changes.sh base|main N ZID}
CHANGES=${2:?usage: gen-changes.sh base|main N ZID}
zid=${3:?usage: gen-changes.sh base|main N ZID}
ADDS=$((CHANGES * 6 / 10))
DELS=$((CHANGES * 2 / 10))
UPDS=$((CHANGES - ADDS - DELS))
BASE=$((DELS + UPDS))
body=$(mktemp)
trap 'rm -f "$body"' EXIT

awk -v kind="$kind" -v base="$BASE" -v adds="$ADDS" -v dels="$DELS" '
function r(i, p, v,   o, t) {
	o = sprintf("%s%06d.bench.example.", p, i)
	t = i % 4
	if (t == 0) return sprintf("%s\tA\t300\t10.%d.%d.%d", o, v, int(i / 256) % 256, i % 256)
	# at most 4 hex digits a group (past 65535 the index takes two)
	if (t == 1 && i < 65536) return sprintf("%s\tAAAA\t300\t2001:db8:%x::%x", o, v, i)
	if (t == 1) return sprintf("%s\tAAAA\t300\t2001:db8:%x:%x::%x", o, v, int(i / 65536), i % 65536)
	if (t == 2) return sprintf("%s\tTXT\t300\t\"id=%d\" \"v=spf1 ip4:10.%d.0.0/16 -all\"", o, i, v)
	return sprintf("%s\tMX\t300\t%d mail%d.bench.example.", o, v + 10, i % 16)
}
BEGIN {
	if (kind == "base") {
		for (i = 0; i < base; i++) print "+\t" r(i, "h", 1)
	} else {
		for (i = 0; i < dels; i++) print "-\t" r(i, "h", 1)
		for (i = dels; i < base; i++) { print "<\t" r(i, "h", 1); print ">\t" r(i, "h", 2) }
		for (i = 0; i < adds; i++) print "+\t" r(i, "n", 3)
	}
}' | LC_ALL=C sort -s -t "$(printf '\t')" -k2,3 >"$body"
{
	printf '#!r53mirror-change 1\n#origin bench.example.\n#producer rrdiff 0.1.0\n'
	printf '#current-producer r53dump 0.1.0\n#current-zone-id %s\n' "$zid"
	if [ "$kind" = base ]; then
		printf '#current-serial 1\n#desired-serial 2\n'
		cat "$body"
		printf '#end changes=%d adds=%d deletes=0 updates=0 desired-rrsets=%d current-rrsets=2 skipped=0\n' \
			"$BASE" "$BASE" $((BASE + 2))
	else
		printf '#current-serial 2\n#desired-serial 3\n'
		cat "$body"
		printf '#end changes=%d adds=%d deletes=%d updates=%d desired-rrsets=%d current-rrsets=%d skipped=0\n' \
			"$CHANGES" "$ADDS" "$DELS" "$UPDS" $((BASE + 2 - DELS + ADDS)) $((BASE + 2))
	fi
}
