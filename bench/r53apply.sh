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
# Then r53apply --dry-run --offline alone on PLAN_CHANGES changes (default
# 1,000,000; 0 skips it), side by side with the build before issue 13's
# memory work (git ref PLAN_ANCHOR_REF, built into the temporary folder):
# CPU seconds, peak RSS per change, requests against the lower bound
# (fails unless equal) and whether both plans are byte for byte the same
# (fails unless they are).
#
# Environment: RUNS (3), ANCHOR_RUNS (1), CHANGES (10000), PLAN_CHANGES
# (1000000), PLAN_ANCHOR_REF (6dfeba8) or PLAN_ANCHOR_BUILD (a folder with
# an older r53apply), R53M_BUILD (build), SKIP_ANCHOR=1 to skip the
# emulator anchor.
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
	bash "$TOP/bench/gen-changes.sh" "$2" "$CHANGES" "$1" >"$3"
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

# Planning alone at scale: --dry-run --offline on PLAN_CHANGES changes (no
# anchor plans anything: the AWS sample sends one request per record), by
# this build and, side by side, by the build before issue 13's memory work
# (PLAN_ANCHOR_REF, built here from git; or PLAN_ANCHOR_BUILD, a folder
# holding an r53apply).  Issue 13's goals: peak RSS at most 200 bytes per
# change, requests exactly the lower bound, the plan unchanged.

# plan_anchor: the folder of the older r53apply, or nothing (not a git
# checkout, or the ref is unknown).
plan_anchor() {
	local ref=${PLAN_ANCHOR_REF:-6dfeba8}
	if [ -n "${PLAN_ANCHOR_BUILD:-}" ]; then
		echo "$PLAN_ANCHOR_BUILD"
		return
	fi
	git -C "$TOP" rev-parse -q --verify "$ref^{commit}" >/dev/null 2>&1 ||
		return 0
	mkdir -p "$WORK/anchor-src"
	git -C "$TOP" archive "$ref" | tar -x -C "$WORK/anchor-src"
	make -s -C "$WORK/anchor-src" progs >"$WORK/anchor-build.log" 2>&1 ||
		{ cat "$WORK/anchor-build.log" >&2; return 0; }
	echo "$WORK/anchor-src/build"
}

# plan_runs NAME BUILD: RUNS plans of $WORK/plan.change; appends "rss cpu"
# to $WORK/NAME.runs, the plan text to $WORK/NAME.plan.
plan_runs() {
	local name=$1 build=$2 rss ucpu scpu
	for ((r = 1; r <= RUNS; r++)); do
		/usr/bin/time -f '%M %U %S' -o "$WORK/plan.time" \
			"$build/r53apply" --dry-run --offline --zone-id ZPLAN \
			--force "$WORK/plan.change" >"$WORK/$name.plan"
		read -r rss ucpu scpu <"$WORK/plan.time"
		echo "$rss $(awk -v a="$ucpu" -v b="$scpu" 'BEGIN { print a + b }')" \
			>>"$WORK/$name.runs"
	done
}

# plan_line LABEL NAME N: the median line of NAME's runs.
plan_line() {
	printf '  %-22s median %6.2f s cpu, peak RSS %7d KiB = %4.0f bytes per change\n' \
		"$1" "$(median "$2" 2)" "$(median "$2" 1)" \
		"$(awk -v r="$(median "$2" 1)" -v n="$3" 'BEGIN { print r * 1024 / n }')"
}

plan_bench() {
	local n=$PLAN_CHANGES preq plb anchor
	bash "$TOP/bench/gen-changes.sh" main "$n" ZPLAN >"$WORK/plan.change"
	plan_runs plan "$BUILD"
	anchor=$(plan_anchor)
	[ -z "$anchor" ] || plan_runs planold "$anchor"
	# "requests N, lower bound M (...)", line 2 of the text plan
	read -r preq plb <<<"$(awk -F'[ ,]+' '$1 == "requests" { print $2, $5; exit }' \
		"$WORK/plan.plan")"
	echo "plan of $n changes (--dry-run --offline): $preq requests, lower bound $plb"
	plan_line "r53apply:" plan "$n"
	if [ -n "$anchor" ]; then
		plan_line "before (${PLAN_ANCHOR_BUILD:-${PLAN_ANCHOR_REF:-6dfeba8}}):" planold "$n"
		printf '  ratio before/now: peak RSS %.1f, cpu %.2f; plans %s\n' \
			"$(ratio "$(median planold 1)" "$(median plan 1)")" \
			"$(ratio "$(median planold 2)" "$(median plan 2)")" \
			"$(cmp -s "$WORK/plan.plan" "$WORK/planold.plan" &&
				echo identical || echo DIFFER)"
		if ! cmp -s "$WORK/plan.plan" "$WORK/planold.plan"; then
			echo "FAIL: the plan differs from the older build's" >&2
			fail=1
		fi
	else
		echo "  (no older build to compare: not a git checkout?)"
	fi
	if [ "$preq" != "$plb" ]; then
		echo "FAIL: the plan needs more requests than the lower bound" >&2
		fail=1
	fi
	if [ "$(awk -v r="$(median plan 1)" -v n="$n" 'BEGIN { print (r * 1024 / n > 200) }')" = 1 ]; then
		echo "note: above issue 13's goal of 200 bytes per change" >&2
	fi
}
if [ "${PLAN_CHANGES:-1000000}" != 0 ]; then
	PLAN_CHANGES=${PLAN_CHANGES:-1000000}
	plan_bench
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
