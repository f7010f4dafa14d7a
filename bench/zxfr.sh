#!/bin/bash
# bench/zxfr.sh: zxfr against dig and dnspython on one large zone served by
# a local Knot with TSIG (tests/helpers/servers.bash).  Not a test: it
# prints medians and ratios.
#
#   bash bench/zxfr.sh            # 1,000,000 records, 5 runs each
#   RECORDS=200000 RUNS=3 DNSPYTHON=0 bash bench/zxfr.sh
#
# Goals (issue 3): zxfr wall time <= 2x dig's (parity wanted), >= 30x
# faster than dnspython's dns.zone.from_xfr(dns.query.xfr(...)), peak RSS
# <= 2x the output size + 32 MiB.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
ZXFR=${ZXFR:-$TOP/build/zxfr}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-5}
DNSPYTHON=${DNSPYTHON:-1}
PY=/usr/bin/python3
ZONE=bench.test
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zxfr-bench.XXXXXX")

# shellcheck disable=SC1091
source "$TOP/tests/helpers/servers.bash"
# shellcheck disable=SC2119  # no arguments: stop every server started
cleanup() { server_stop; rm -rf "$WORK"; }
trap cleanup EXIT

[ -x "$ZXFR" ] || { echo "no $ZXFR: run make first" >&2; exit 2; }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed LABEL CMD...: run CMD under /usr/bin/time, append "secs kb" to
# $WORK/LABEL.times
timed() {
	local label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$WORK/t" "$@"
	cat "$WORK/t" >>"$WORK/$label.times"
}

echo "generating $RECORDS records..."
bash "$TOP/bench/genzone.sh" "$ZONE" "$RECORDS" >"$WORK/zone"
echo "starting knot..."
server_start knot "$ZONE" "$WORK/zone"
KEY=$SERVER_KEYFILE
PORT=$SERVER_PORT

# warm-up (Knot finishes loading and journalling; page cache)
"$ZXFR" -k "$KEY" -p "$PORT" "$ZONE" 127.0.0.1 >"$WORK/out"
dig -k "$KEY" AXFR "$ZONE" @127.0.0.1 -p "$PORT" +noall +answer >/dev/null

for _ in $(seq 1 "$RUNS"); do
	timed dig dig -k "$KEY" AXFR "$ZONE" @127.0.0.1 -p "$PORT" +noall +answer >/dev/null
	timed zxfr "$ZXFR" -k "$KEY" -p "$PORT" "$ZONE" 127.0.0.1 -o "$WORK/out"
done
OUT_BYTES=$(stat -c %s "$WORK/out")
RRSETS=$(tail -n 1 "$WORK/out")
DIG_S=$(cut -d' ' -f1 "$WORK/dig.times" | median)
ZXFR_S=$(cut -d' ' -f1 "$WORK/zxfr.times" | median)
ZXFR_KB=$(cut -d' ' -f2 "$WORK/zxfr.times" | sort -n | tail -n 1)
LIMIT_KB=$((OUT_BYTES * 2 / 1024 + 32768))

echo "zone: $RECORDS records, output $OUT_BYTES octets ($RRSETS)"
echo "dig  median of $RUNS: $DIG_S s"
echo "zxfr median of $RUNS: $ZXFR_S s   ratio zxfr/dig: $(awk -v a="$ZXFR_S" -v b="$DIG_S" 'BEGIN { printf "%.2f", a / b }') (goal <= 2)"
echo "zxfr peak RSS: $ZXFR_KB KiB (limit 2x output + 32 MiB = $LIMIT_KB KiB)"
"$ZXFR" -v -k "$KEY" -p "$PORT" "$ZONE" 127.0.0.1 2>&1 >/dev/null | tail -n 1

if [ "$DNSPYTHON" = 1 ] && "$PY" -c 'import dns.zone' 2>/dev/null; then
	SECRET=$(tr '\n' ' ' <"$KEY" | sed -n 's/.*secret[[:space:]]*"\([^"]*\)".*/\1/p')
	NAME=$(tr '\n' ' ' <"$KEY" | sed -n 's/^[^"]*key[[:space:]]*"\([^"]*\)".*/\1/p')
	cat >"$WORK/dnspy.py" <<'EOF'
import sys, dns.query, dns.tsigkeyring, dns.zone, dns.tsig
zone, port, name, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.stdin.read().strip()
ring = dns.tsigkeyring.from_text({name: secret})
z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=port, keyring=ring,
                                    keyalgorithm=dns.tsig.HMAC_SHA256, lifetime=600))
print(sum(1 for _ in z.iterate_rdatas()))
EOF
	echo "dnspython (one run, takes a while)..."
	echo "$SECRET" | timed dnspython "$PY" "$WORK/dnspy.py" "$ZONE" "$PORT" "$NAME" >/dev/null
	PY_S=$(cut -d' ' -f1 "$WORK/dnspython.times")
	echo "dnspython: $PY_S s   speedup zxfr vs dnspython: $(awk -v a="$PY_S" -v b="$ZXFR_S" 'BEGIN { printf "%.1f", a / b }')x (goal >= 30)"
fi
