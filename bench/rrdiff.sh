#!/usr/bin/env bash
# bench/rrdiff.sh: rrdiff against its anchor, `LC_ALL=C comm -3`, on the
# same two RRset streams of about N RRsets (default 1,000,000) with 1%
# different (bench/gen-rrsets.py; cached in bench/out/, git-ignored).
# Runs the two commands alternately RUNS times (default 5) and prints the
# median wall times, their ratio and rrdiff's peak RSS.
#   bash bench/rrdiff.sh [N] [RUNS]
# Needs python3 and GNU time (/usr/bin/time, Debian package "time").
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000}
RUNS=${2:-5}
OUT="$TOP/bench/out/rrdiff-$N"
RRDIFF=${RRDIFF:-$TOP/build/rrdiff}
export LC_ALL=C

[ -x "$RRDIFF" ] || { echo "bench: build first (make): $RRDIFF" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ ! -s "$OUT/current.rrset" ] || [ "$TOP/bench/gen-rrsets.py" -nt "$OUT/current.rrset" ]; then
	echo "generating $N RRsets into $OUT ..."
	python3 "$TOP/bench/gen-rrsets.py" "$N" 10 "$OUT"
fi
D="$OUT/desired.rrset"
C="$OUT/current.rrset"

# timed CMD...: "WALL RSS CPU" of one run: wall seconds, peak RSS (KiB),
# user+system seconds; the command's own exit status (1: differences) is
# fine.
timed() {
	local f="$OUT/time.txt"
	/usr/bin/time -f '%e %M %U %S' -o "$f" "$@" >/dev/null 2>&1 || true
	tail -n 1 "$f" | awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# sanity: rrdiff must accept both files and find differences (exit 1)
set +e
"$RRDIFF" "$D" "$C" >/dev/null
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "bench: rrdiff exited $rc (want 1)" >&2; exit 2; }

: >"$OUT/comm.txt"
: >"$OUT/rrdiff.txt"
for _ in $(seq "$RUNS"); do
	# LC_ALL=C is exported above
	timed comm -3 "$D" "$C" >>"$OUT/comm.txt"
	timed "$RRDIFF" "$D" "$C" >>"$OUT/rrdiff.txt"
done
col() { awk -v c="$1" '{ print $c }' "$2"; }
mc=$(col 1 "$OUT/comm.txt" | median)
mr=$(col 1 "$OUT/rrdiff.txt" | median)
cc=$(col 3 "$OUT/comm.txt" | median)
cr=$(col 3 "$OUT/rrdiff.txt" | median)
rss=$(col 2 "$OUT/rrdiff.txt" | sort -n | tail -n 1)
echo "inputs: $(grep -vc '^#' "$D" || true) + $(grep -vc '^#' "$C" || true) RRsets, $(du -m "$D" | cut -f1) MiB each ($OUT)"
echo "wall median: comm -3 ${mc}s, rrdiff ${mr}s; cpu (user+sys) median: comm -3 ${cc}s, rrdiff ${cr}s ($RUNS runs each, alternating)"
awk -v a="$mr" -v b="$mc" -v x="$cr" -v y="$cc" 'BEGIN {
	if (b > 0) printf "ratio rrdiff/comm: wall %.2f", a / b
	if (y > 0) printf ", cpu %.2f", x / y
	print " (limit 2.0, goal 1.2)" }'
echo "rrdiff peak RSS: $((rss / 1024)) MiB ($rss KiB; limit 16 MiB)"
