#!/bin/bash
# bench/zxfr-ixfr.sh: zxfr --ixfr-from after one changed record in a large
# zone, side by side with zxfr's own AXFR of the same version and with
# `dig IXFR`, all from a local Knot with its journal (zonefile-load:
# difference, tests/helpers/servers.bash) and TSIG.  Not a test: it
# prints medians and ratios.
#
#   bash bench/zxfr-ixfr.sh                 # 1,000,000 records, 5 runs each
#   RECORDS=200000 RUNS=3 bash bench/zxfr-ixfr.sh
#
# Goal (issue 13): the IXFR, written as the whole new stream, takes under
# 10% of the AXFR's wall time.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
ZXFR=${ZXFR:-$TOP/build/zxfr}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-5}
ZONE=bench.test

# shellcheck disable=SC1091
source "$TOP/tests/helpers/servers.bash"
# shellcheck source=bench/lib.sh
source "$TOP/bench/lib.sh"
bench_workdir
# shellcheck disable=SC2119,SC2317  # stop every server; run by the trap
cleanup() { server_stop; bench_cleanup; }
trap cleanup EXIT

[ -x "$ZXFR" ] || { echo "no $ZXFR: run make first" >&2; exit 2; }

# timed LABEL CMD...: run CMD under /usr/bin/time, append "wall-secs kb
# cpu-secs" to $WORK/LABEL.runs (CPU: user + system, which a loaded
# machine disturbs less than wall time)
timed() {
	local label=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$WORK/t" "$@"
	awk '{ print $1, $2, $3 + $4 }' "$WORK/t" >>"$WORK/$label.runs"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "generating $RECORDS records..."
bash "$TOP/bench/genzone.sh" "$ZONE" "$RECORDS" >"$WORK/zone"
echo "starting knot..."
server_start knot "$ZONE" "$WORK/zone"
KEY=$SERVER_KEYFILE
PORT=$SERVER_PORT

# the base: what the last run wrote (version 2026112601)
"$ZXFR" -k "$KEY" -p "$PORT" -o "$WORK/base" "$ZONE" 127.0.0.1
# one change: a record added, the serial bumped; Knot journals the difference
sed 's/ 2026112601 / 2026112602 /' "$WORK/zone" >"$WORK/zone2"
echo "ixfrbench 300 IN A 192.0.2.99" >>"$WORK/zone2"
echo "reloading with one change..."
server_update "$ZONE" "$WORK/zone2"

# warm-up and the check that both paths give the same stream
"$ZXFR" -k "$KEY" -p "$PORT" -o "$WORK/axfr" "$ZONE" 127.0.0.1
"$ZXFR" -k "$KEY" -p "$PORT" --ixfr-from "$WORK/base" -o "$WORK/ixfr" \
	"$ZONE" 127.0.0.1 2>"$WORK/ixfr.err"
if [ -s "$WORK/ixfr.err" ] || ! cmp -s "$WORK/axfr" "$WORK/ixfr"; then
	cat "$WORK/ixfr.err" >&2
	echo "the IXFR result differs from the AXFR (or fell back)" >&2
	exit 1
fi

for _ in $(seq 1 "$RUNS"); do
	timed axfr "$ZXFR" -k "$KEY" -p "$PORT" -o "$WORK/axfr" "$ZONE" 127.0.0.1
	timed ixfr "$ZXFR" -k "$KEY" -p "$PORT" --ixfr-from "$WORK/base" \
		-o "$WORK/ixfr" "$ZONE" 127.0.0.1
	timed dig dig -k "$KEY" IXFR=2026112601 "$ZONE" @127.0.0.1 -p "$PORT" \
		+noall +answer >/dev/null
done
AXFR_S=$(median axfr 1)
IXFR_S=$(median ixfr 1)
DIG_S=$(median dig 1)
AXFR_CPU=$(median axfr 3)
IXFR_CPU=$(median ixfr 3)
IXFR_KB=$(cut -d' ' -f2 "$WORK/ixfr.runs" | sort -n | tail -n 1)
AXFR_KB=$(cut -d' ' -f2 "$WORK/axfr.runs" | sort -n | tail -n 1)

echo "zone: $RECORDS records, stream $(stat -c %s "$WORK/axfr") octets ($(tail -n 1 "$WORK/axfr")), one record added"
echo "zxfr AXFR           median of $RUNS: $AXFR_S s wall, $AXFR_CPU s CPU, peak RSS $AXFR_KB KiB"
echo "zxfr --ixfr-from    median of $RUNS: $IXFR_S s wall, $IXFR_CPU s CPU, peak RSS $IXFR_KB KiB (whole stream written)"
echo "dig IXFR (answer only, not written) median of $RUNS: $DIG_S s wall"
echo "ratio IXFR/AXFR: wall $(ratio "$IXFR_S" "$AXFR_S"), CPU $(ratio "$IXFR_CPU" "$AXFR_CPU") (goal < 0.10)"
# where the time goes (one more run of each, -v): the IXFR exchange itself
# against the AXFR's transfer; the rest of the IXFR run is reading the
# base and writing the whole new stream, both checked line by line
IX_LINE=$("$ZXFR" -v -k "$KEY" -p "$PORT" --ixfr-from "$WORK/base" -o "$WORK/ixfr" \
	"$ZONE" 127.0.0.1 2>&1 | grep 'reading the base')
AX_LINE=$("$ZXFR" -v -k "$KEY" -p "$PORT" -o "$WORK/axfr" "$ZONE" 127.0.0.1 2>&1 |
	grep 'transfer and canonical text')
echo "IXFR run: ${IX_LINE#zxfr: }"
echo "AXFR run: ${AX_LINE#zxfr: }"
IX_X=$(sed -n 's/.*base, \([0-9.]*\) s IXFR.*/\1/p' <<<"$IX_LINE")
AX_X=$(sed -n 's/.*: \([0-9.]*\) s transfer.*/\1/p' <<<"$AX_LINE")
echo "ratio IXFR exchange / AXFR transfer: $(ratio "$IX_X" "$AX_X")"
