#!/bin/bash
# bench/mirror-incremental.sh: what one run of mirror.sh costs after a
# small change at the source, on the incremental path (IXFR, a diff
# against the Route 53 snapshot, no listing) side by side with the full
# path every change took before (--full: the whole hosted zone listed),
# both in the same session: Knot with its journal serving the zone with
# TSIG, the Route 53 emulator limited to Route 53's 5 requests/s per
# account and the commands' own default token bucket.  Not a test: it
# prints medians and ratios.
#
#   bash bench/mirror-incremental.sh               # 100,000 records, 3 runs each
#   RECORDS=20000 RUNS=1 bash bench/mirror-incremental.sh
#
# Goals (issue 13): one RRset changed in a 100,000-RRset zone: at most 3
# Route 53 requests and 2 s wall, against ~336 requests and > 67 s; 1,000
# RRsets changed: change requests within 1 of the lower bound, no listing.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=${RECORDS:-100000}
RUNS=${RUNS:-3}
ZONE=bench.test
MIRROR="$TOP/scripts/mirror.sh"

# shellcheck disable=SC1091
source "$TOP/tests/helpers/servers.bash"
# shellcheck source=bench/lib.sh
source "$TOP/bench/lib.sh"
bench_workdir
# shellcheck disable=SC2119,SC2317  # stop every server; run by the trap
cleanup() { server_stop; bench_cleanup; }
trap cleanup EXIT

[ -x "$TOP/build/zxfr" ] || { echo "no $TOP/build/zxfr: run make first" >&2; exit 2; }
export R53M_BIN="$TOP/build"

bench_start_emu 1000000 --account-rate-limit 5
bench_aws_env
# Route 53's limit as deployed: the commands' own 5/s bucket.
unset R53M_RATE
export AWS_ENDPOINT_URL_ROUTE_53=$URL

counters() { curl -sf "$URL/_emu/counters"; }
count() { counters | "$PY" -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"; }
reset() { curl -sf -X POST "$URL/_emu/reset-counters" >/dev/null; }

echo "generating $RECORDS records..."
bash "$TOP/bench/genzone.sh" "$ZONE" "$RECORDS" >"$WORK/zone"
echo "starting knot..."
server_start knot "$ZONE" "$WORK/zone"
ID=$(curl -sf -X POST -d "{\"name\":\"$ZONE.\"}" "$URL/_emu/zones" |
	"$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"].split("/")[-1])')

SERIAL=2026112601
# bump N: change the value of N A records (host0.., rotating), and the
# serial; Knot journals the difference.
bump() {
	local n=$1
	SERIAL=$((SERIAL + 1))
	awk -v s="$SERIAL" -v n="$n" -v k="$SERIAL" '
		/ IN SOA / { sub(/ 2026[0-9]+ /, " " s " ") }
		/^host[0-9]+ 300 IN A / && c < n { sub(/ 10\.[0-9.]+$/, " 198.51." (k % 200) "." (c % 250)); c++ }
		{ print }' "$WORK/zone" >"$WORK/zone.new"
	server_update "$ZONE" "$WORK/zone.new"
}

# mirror_run LABEL ARGS: one mirror.sh run; "wall requests list-requests
# change-requests check xfr cpu" appended to $WORK/LABEL.runs (CPU: user
# + system of the script and every command it ran, which a loaded machine
# disturbs less than wall time).
mirror_run() {
	local label=$1 line
	shift
	reset
	line=$(/usr/bin/time -f '%e %U %S' -o "$WORK/t" bash "$MIRROR" ${BENCH_V:+-v} \
		--state-dir "$WORK/state" --timeout 3600 -p "$SERVER_PORT" \
		-k "$SERVER_KEYFILE" "$@" "$ZONE" 127.0.0.1 "$ID" | tail -n 1)
	printf '%s %s %s %s %s %s %s\n' "$(cut -d' ' -f1 "$WORK/t")" \
		"$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' <<<"$line")" \
		"$(count ListResourceRecordSets)" "$(count ChangeResourceRecordSets)" \
		"$(sed -n 's/.* check=\([^ ]*\) .*/\1/p' <<<"$line")" \
		"$(sed -n 's/.* xfr=\([^ ]*\).*/\1/p' <<<"$line")" \
		"$(awk '{ printf "%.2f", $2 + $3 }' "$WORK/t")" >>"$WORK/$label.runs"
	printf '  %s: %s\n' "$label" "$(tail -n 1 "$WORK/$label.runs")"
}

echo "first sync (creates the hosted zone's records; not timed)..."
bash "$MIRROR" --state-dir "$WORK/state" --timeout 3600 -p "$SERVER_PORT" \
	-k "$SERVER_KEYFILE" --max-update-pct 100 "$ZONE" 127.0.0.1 "$ID" | tail -n 1
RRSETS=$(grep -c . <(grep -v '^#' "$WORK/state/id-$ID/route53.rrset"))

echo "one RRset changed, $RUNS runs of each path (wall requests list change check xfr cpu):"
for _ in $(seq 1 "$RUNS"); do
	bump 1
	mirror_run full --full
	bump 1
	mirror_run incremental
done
for l in full incremental; do
	grep -q " $([ $l = full ] && echo full:asked || echo incremental) " "$WORK/$l.runs" ||
		{ echo "the $l runs took another path:" >&2; cat "$WORK/$l.runs" >&2; exit 1; }
done

echo "1,000 RRsets changed, incremental:"
bump 1000
mirror_run many --max-update-pct 100
D="$WORK/state/id-$ID/last"
CHG=$(sed -n 's/^changes=//p' "$D/r53apply.stats")
CR=$(sed -n 's/^change_requests=//p' "$D/r53apply.stats")
# The lower bound: Route 53 takes at most 1,000 values a request, an
# update sends the old and the new value, the SOA's UPSERT counts twice.
VALUES=$(awk -F'\t' '/^[-+<>]\t/ { n += NF - 4 } END { print n + 2 }' "$D/changes")
LB=$(( (VALUES + 999) / 1000 ))

FULL_S=$(median full 1)
INC_S=$(median incremental 1)
echo "zone: $RECORDS records, $RRSETS RRsets in Route 53; emulator and commands at 5 requests/s"
echo "full path (--full: listing)   median of $RUNS: $FULL_S s wall, $(median full 7) s CPU, $(median full 2) requests ($(median full 3) ListResourceRecordSets)"
echo "incremental (IXFR, snapshot)  median of $RUNS: $INC_S s wall, $(median incremental 7) s CPU, $(median incremental 2) requests ($(median incremental 3) ListResourceRecordSets)"
echo "ratio incremental/full: wall $(ratio "$INC_S" "$FULL_S"), CPU $(ratio "$(median incremental 7)" "$(median full 7)"), requests $(ratio "$(median incremental 2)" "$(median full 2)") (goal: at most 3 requests, 2 s)"
echo "machine load while it ran: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "1,000 RRsets changed: $CHG changes in $CR change requests (lower bound $LB: $VALUES values), $(awk '{ print $3 }' "$WORK/many.runs") ListResourceRecordSets, $(awk '{ print $1 }' "$WORK/many.runs") s wall, check=$(awk '{ print $5 }' "$WORK/many.runs")"
