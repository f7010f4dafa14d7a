#!/usr/bin/env bash
# bench/r53apply.sh: apply 10,000 changes (adds, deletes and updates of A,
# AAAA, TXT and MX RRsets) to a hosted zone of the Route 53 emulator with
# r53apply, and the same change stream the way the AWS mirror-dns sample
# does it (the anchor: one ChangeResourceRecordSets request per record,
# through botocore), each on its own zone prepared the same way.
#
# Prints per tool the median wall time and peak RSS of RUNS runs (default
# 3; the anchor once unless ANCHOR_RUNS says otherwise), the
# ChangeResourceRecordSets requests each made, r53apply's lower bound
# max(ceil(RRs/1000), ceil(chars/32000)), and the ratios.  Fails (exit 1)
# unless r53apply needed at most one request more than the lower bound
# and the zone then holds exactly what the stream says.
#
# Environment: RUNS (3), ANCHOR_RUNS (1), CHANGES (10000), R53M_BUILD
# (build), SKIP_ANCHOR=1 to skip the anchor.
set -euo pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${R53M_BUILD:-$TOP/build}"
RUNS="${RUNS:-3}"
ANCHOR_RUNS="${ANCHOR_RUNS:-1}"
CHANGES="${CHANGES:-10000}"
EMUCTL="$TOP/tests/r53emu/emuctl.py"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# The stream: BASE existing RRsets; then ADDS adds, DELS deletes and UPDS
# updates (60/20/20 %) = CHANGES changes.
ADDS=$((CHANGES * 6 / 10))
DELS=$((CHANGES * 2 / 10))
UPDS=$((CHANGES - ADDS - DELS))
BASE=$((DELS + UPDS))

# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
bench_workdir
bench_start_emu $((CHANGES * 4))
bench_aws_env
export EMU_URL="$URL"

emu() { "$PY" "$EMUCTL" "$URL" "$@"; }
new_zone() {
	emu post zones '{"name":"bench.example"}' |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# gen ZID KIND OUT: the change stream creating the BASE RRsets (KIND base,
# serial 1 -> 2) or the measured one (KIND main, serial 2 -> 3).
gen() {
	local zid=$1 kind=$2 out=$3
	awk -v kind="$kind" -v base="$BASE" -v adds="$ADDS" -v dels="$DELS" '
	function r(i, p, v,   o, t) {
		o = sprintf("%s%06d.bench.example.", p, i)
		t = i % 4
		if (t == 0) return sprintf("%s\tA\t300\t10.%d.%d.%d", o, v, int(i / 256) % 256, i % 256)
		if (t == 1) return sprintf("%s\tAAAA\t300\t2001:db8:%x::%x", o, v, i)
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
	}' | LC_ALL=C sort -s -t "$(printf '\t')" -k2,3 >"$WORK/body"
	{
		printf '#!r53mirror-change 1\n#origin bench.example.\n#producer rrdiff 0.1.0\n'
		printf '#current-producer r53dump 0.1.0\n#current-zone-id %s\n' "$zid"
		if [ "$kind" = base ]; then
			printf '#current-serial 1\n#desired-serial 2\n'
			cat "$WORK/body"
			printf '#end changes=%d adds=%d deletes=0 updates=0 desired-rrsets=%d current-rrsets=2 skipped=0\n' \
				"$BASE" "$BASE" $((BASE + 2))
		else
			printf '#current-serial 2\n#desired-serial 3\n'
			cat "$WORK/body"
			printf '#end changes=%d adds=%d deletes=%d updates=%d desired-rrsets=%d current-rrsets=%d skipped=0\n' \
				"$CHANGES" "$ADDS" "$DELS" "$UPDS" $((BASE + 2 - DELS + ADDS)) $((BASE + 2))
		fi
	} >"$out"
}

# prepare: a fresh zone holding the BASE RRsets (serial 2); prints its id.
prepare() {
	local zid
	zid=$(new_zone)
	gen "$zid" base "$WORK/base.change"
	"$BUILD/r53apply" --endpoint-url "$URL" --zone-id "$zid" \
		"$WORK/base.change" 2>"$WORK/prep.err" || {
		cat "$WORK/prep.err" >&2
		exit 1
	}
	echo "$zid"
}

# The anchor: what the AWS mirror-dns sample does, one request per record
# (UPSERT for adds and updates, DELETE for deletes), through botocore.
cat >"$WORK/anchor.py" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
from boto import r53
c = r53(retries=3)
zid, path = sys.argv[2], sys.argv[3]
n = 0
for line in open(path):
    if line.startswith("#") or line.startswith("<"):
        continue
    f = line.rstrip("\n").split("\t")
    kind, rr = f[0], {"Name": f[1], "Type": f[2], "TTL": int(f[3]),
                      "ResourceRecords": [{"Value": v} for v in f[4:]]}
    action = "DELETE" if kind == "-" else "UPSERT"
    c.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={
        "Changes": [{"Action": action, "ResourceRecordSet": rr}]})
    n += 1
print(n)
PYEOF

# run_measured NAME CMD...: one run; appends "secs rss_kb reqs cpu" to
# $WORK/NAME.runs (peak RSS and user+system CPU seconds of the command
# and its children, via getrusage: no /usr/bin/time needed).
run_measured() {
	local name=$1 out rc secs rss reqs cpu
	shift
	emu post reset-counters >/dev/null
	out=$("$PY" -c '
import resource, subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[1], "w") as err:
    rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
t1 = time.monotonic()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%d %.3f %d %.3f" % (rc, t1 - t0, ru.ru_maxrss, ru.ru_utime + ru.ru_stime))
' "$WORK/$name.err" "$@")
	read -r rc secs rss cpu <<<"$out"
	if [ "$rc" != 0 ]; then
		echo "$name failed (exit $rc):" >&2
		cat "$WORK/$name.err" >&2
		exit 1
	fi
	reqs=$(emu count ChangeResourceRecordSets)
	echo "$secs $rss $reqs $cpu" >>"$WORK/$name.runs"
	printf '  %-8s run: %8.2f s wall  %6.2f s cpu  %7d KiB  %6d change requests\n' \
		"$name" "$secs" "$cpu" "$rss" "$reqs"
}

echo "r53apply bench: $CHANGES changes ($ADDS adds, $DELS deletes, $UPDS updates) on a zone of $BASE RRsets"
fail=0
for ((r = 1; r <= RUNS; r++)); do
	zid=$(prepare)
	gen "$zid" main "$WORK/main.change"
	"$BUILD/r53apply" --dry-run --json --offline --zone-id "$zid" --force \
		"$WORK/main.change" >"$WORK/plan.json"
	run_measured r53apply "$BUILD/r53apply" --endpoint-url "$URL" \
		--zone-id "$zid" --force --report "$WORK/report.json" \
		"$WORK/main.change"
	# the zone now holds exactly the desired RRsets
	have=$(emu get zones | "$PY" -c 'import json,sys; print([z["count"] for z in json.load(sys.stdin) if z["id"] == sys.argv[1]][0])' "$zid")
	want=$((BASE + 2 - DELS + ADDS))
	if [ "$have" != "$want" ]; then
		echo "FAIL: zone holds $have RRsets, want $want" >&2
		fail=1
	fi
done
lb=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["lower_bound"])' "$WORK/report.json")
if [ "${SKIP_ANCHOR:-0}" != 1 ]; then
	for ((r = 1; r <= ANCHOR_RUNS; r++)); do
		zid=$(prepare)
		gen "$zid" main "$WORK/anchor.change"
		run_measured anchor "$PY" "$WORK/anchor.py" "$TOP/tests/r53emu" \
			"$zid" "$WORK/anchor.change"
	done
fi

req=$(median r53apply 3)
echo
printf 'r53apply: median %.2f s wall, %.2f s cpu, peak RSS %d KiB, %d change requests, lower bound %d (%s)\n' \
	"$(median r53apply 1)" "$(median r53apply 4)" "$(median r53apply 2)" "$req" "$lb" \
	"$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%d ResourceRecords, %d Value characters" % (d["resource_records"], d["value_chars"]))' "$WORK/plan.json")"
if [ "$req" -gt $((lb + 1)) ]; then
	echo "FAIL: $req requests, more than lower bound + 1 = $((lb + 1))" >&2
	fail=1
fi
if [ "${SKIP_ANCHOR:-0}" != 1 ]; then
	printf 'anchor (AWS sample, one request per record): median %.2f s wall, %.2f s cpu, peak RSS %d KiB, %d change requests\n' \
		"$(median anchor 1)" "$(median anchor 4)" "$(median anchor 2)" "$(median anchor 3)"
	printf 'ratio anchor/r53apply: wall %.1f, cpu %.1f, peak RSS %.1f, change requests %.0f\n' \
		"$(ratio "$(median anchor 1)" "$(median r53apply 1)")" \
		"$(ratio "$(median anchor 4)" "$(median r53apply 4)")" \
		"$(ratio "$(median anchor 2)" "$(median r53apply 2)")" \
		"$(ratio "$(median anchor 3)" "$req")"
fi
exit "$fail"
