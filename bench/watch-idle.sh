#!/usr/bin/env bash
# bench/watch-idle.sh: what r53mirror --watch costs in Route 53 requests
# while nothing changes (issue 14: "100 zones watched, idle for 10
# minutes: no Route 53 request beyond the scheduled probes"), side by
# side with an anchor in the same run: the AWS mirror-dns sample's way,
# which every interval transfers each zone (AXFR) and lists its whole
# hosted zone to compare them.
#
# One Knot serves ZONES small zones (bench/genzone.sh, RECORDS records
# each), signs transfers and NOTIFYs with TSIG and notifies the watch's
# listener (as deployed; an idle zone sends none).  The zones are synced
# once, then two Route 53 emulators start from that same state, one per
# side, so each counts its own requests:
#   watch:  r53mirror --watch --interval INTERVAL for MINUTES minutes
#   anchor: every INTERVAL seconds, for every zone, zxfr (AXFR) and
#           r53dump (the full listing), for the same MINUTES
# It prints each side's requests per API and, for the watch, the runs
# made against the scheduled probes (ZONES x (1 + MINUTES*60/INTERVAL):
# a probe at start, then one per interval).  A run that finds nothing
# changed is one probe: one DNS SOA query and one ListResourceRecordSets
# (r53dump --serial).  Not a test (tests/79-mirror-watch-primaries.bats
# checks the same with 3 zones): it prints numbers and fails only when a
# step cannot be done.
#
#   bash bench/watch-idle.sh                  # 100 zones, 10 minutes
#   MINUTES=1 ZONES=20 bash bench/watch-idle.sh
#
# Environment: ZONES (100), RECORDS (500), MINUTES (10), INTERVAL (60),
# JOBS (mirror.sh -j, 4), R53M_BUILD (build).
set -euo pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${R53M_BUILD:-$TOP/build}"
ZONES="${ZONES:-100}"
RECORDS="${RECORDS:-500}"
MINUTES="${MINUTES:-10}"
INTERVAL="${INTERVAL:-60}"
JOBS="${JOBS:-4}"
MIRROR="$TOP/scripts/mirror.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# shellcheck source=tests/helpers/servers.bash
source "$TOP/tests/helpers/servers.bash"
# shellcheck source=tests/helpers/watch.bash
source "$TOP/tests/helpers/watch.bash"
# shellcheck source=bench/lib.sh
source "$TOP/bench/lib.sh"

[ -x "$BUILD/zxfr" ] || { echo "no $BUILD/zxfr: run make first" >&2; exit 2; }
bench_workdir
WPID="" APID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	local p
	for p in $WPID $APID "${EMU_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# shellcheck disable=SC2119 # every server this shell started
	server_stop
	bench_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_aws_env
export R53M_BIN="$BUILD" PATH="$BUILD:$PATH"

# emu_up NAME: an emulator on the state file $WORK/NAME.json; its URL in
# EMU_URL.  EMU_PIDS: every one started (stopped by cleanup).
EMU_PIDS=()
emu_up() {
	local i url=""
	"$PY" "$TOP/tests/r53emu/r53emu.py" --listen 127.0.0.1:0 --quiet \
		--quota 1000000 --state "$WORK/$1.json" >"$WORK/$1.url" 2>"$WORK/$1.log" &
	EMU_PIDS+=($!)
	for ((i = 0; i < 200; i++)); do
		url=$(head -n 1 "$WORK/$1.url" 2>/dev/null || true)
		[ -n "$url" ] && break
		sleep 0.05
	done
	[ -n "$url" ] || { cat "$WORK/$1.log" >&2; exit 1; }
	EMU_URL=$url
}
# counters URL: "API=N ..." (the emulator's per-API request counts).
counters() {
	curl -sf "$1/_emu/counters" | "$PY" -c 'import json, sys
c = json.load(sys.stdin)
print(" ".join("%s=%s" % (k, v) for k, v in sorted(c.items()) if not k.startswith("_"))
      or "none", "total=%d" % c.get("_total", 0))'
}

echo "$ZONES zones of about $RECORDS records on Knot; syncing them once..."
args=()
for ((i = 1; i <= ZONES; i++)); do
	bash "$TOP/bench/genzone.sh" "z$i.idle.bench" "$RECORDS" >"$WORK/z$i.zone"
	args+=("z$i.idle.bench" "$WORK/z$i.zone")
done
LPORT=$(_srv_pick_port)
SERVER_NOTIFY=$LPORT server_start knot "${args[@]}"
# The watch's emulator holds the first sync too: its URL is part of what
# a zone's state was synced with (another one forces a full compare).
emu_up watch
URL_W=$EMU_URL
for ((i = 1; i <= ZONES; i++)); do
	id=$(curl -sf -X POST -d "{\"name\":\"z$i.idle.bench.\"}" "$URL_W/_emu/zones" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"].split("/")[-1])')
	printf 'z%s.idle.bench 127.0.0.1:%s %s %s\n' "$i" "$SERVER_PORT" "$SERVER_KEYFILE" "$id"
done >"$WORK/w.conf"
AWS_ENDPOINT_URL_ROUTE_53=$URL_W bash "$MIRROR" --state-dir "$WORK/state" -j "$JOBS" \
	--all "$WORK/w.conf" >"$WORK/sync.out" &
# (in the background: a signal to this script ends the wait at once)
WPID=$!
wait "$WPID" || {
	grep -v ' status=0 ' "$WORK/sync.out" >&2
	exit 1
}
WPID=""
# The anchor's emulator starts from the same hosted zones (the state file
# is rewritten after every change); the watch's forgets the sync's counts.
cp "$WORK/watch.json" "$WORK/anchor.json"
emu_up anchor
URL_A=$EMU_URL
curl -sf -X POST "$URL_W/_emu/reset-counters" >/dev/null
echo "synced; $MINUTES minute(s), --interval $INTERVAL, both sides at once"

SECS=$((MINUTES * 60))
# The watch as deployed: the client's token bucket at its default 5/s.
(
	unset R53M_RATE
	exec env AWS_ENDPOINT_URL_ROUTE_53="$URL_W" bash "$MIRROR" \
		--state-dir "$WORK/state" -j "$JOBS" --watch "$WORK/w.conf" \
		--listen "127.0.0.1:$LPORT" --interval "$INTERVAL" \
		>"$WORK/w.out" 2>"$WORK/w.err"
) &
WPID=$!
# The anchor: a pass over every zone each INTERVAL (at once when a pass
# took longer), until the same deadline.
(
	export AWS_ENDPOINT_URL_ROUTE_53="$URL_A"
	end=$((SECONDS + SECS))
	next=$SECONDS
	while [ "$SECONDS" -lt "$end" ]; do
		while read -r z srv _ id; do
			zxfr -p "${srv##*:}" -k "$SERVER_KEYFILE" -o /dev/null -- "$z" 127.0.0.1
			r53dump --zone-id "$id" -o /dev/null
		done <"$WORK/w.conf"
		echo pass >>"$WORK/anchor.passes"
		next=$((next + INTERVAL))
		while [ "$SECONDS" -lt "$next" ] && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
	done
) &
APID=$!
sleep "$SECS" &	# the idle time under measure (a signal ends the wait)
wait $!
kill -TERM "$WPID"
wait "$WPID" || { echo "the watch failed:" >&2; tail -n 20 "$WORK/w.err" >&2; exit 1; }
WPID=""
wait "$APID"
APID=""

runs=$(grep -c '^zone=' "$WORK/w.out" || true)
probes=$(grep -c ' result=unchanged status=0 check=probe ' "$WORK/w.out" || true)
stopped=$(grep -c ' result=interrupted ' "$WORK/w.out" || true)
summed=$(sed -n 's/.* requests=\([0-9]*\) .*/\1/p' "$WORK/w.out" | awk '{ s += $1 } END { print s + 0 }')
notify_runs=$(grep -c ': run (notify' "$WORK/w.err" || true)
sched=$((ZONES * (1 + SECS / INTERVAL)))
passes=$(grep -c . "$WORK/anchor.passes" 2>/dev/null || true)
printf 'watch:  %s runs (%s probes that found nothing, %s stopped at the end, %s asked by a NOTIFY); scheduled probes at most %s x (1 + %s/%s) = %s\n' \
	"$runs" "$probes" "$stopped" "$notify_runs" "$ZONES" "$SECS" "$INTERVAL" "$sched"
printf 'watch:  Route 53 requests: %s (summary lines add up to %s)\n' "$(counters "$URL_W")" "$summed"
if [ $((runs - probes - stopped)) -gt 0 ]; then
	echo "watch: runs other than probes:"
	grep '^zone=' "$WORK/w.out" | grep -v -e ' check=probe ' -e ' result=interrupted '
fi
printf 'anchor: %s passes over %s zones; Route 53 requests: %s\n' "$passes" "$ZONES" "$(counters "$URL_A")"
# Per zone and look: a watch run against an anchor pass over one zone.
# (Fewer runs than scheduled: the machine took longer than INTERVAL to
# go over every zone; the mean run time says how loaded it was.)
wreq=$(curl -sf "$URL_W/_emu/counters" | jq -r '._total')
areq=$(curl -sf "$URL_A/_emu/counters" | jq -r '._total')
secs_mean=$(sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p' "$WORK/w.out" |
	awk '{ s += $1 } END { printf "%.2f", NR ? s / NR : 0 }')
printf 'per zone and look: watch %s request(s) a run (mean run %s s wall), anchor %s a pass\n' \
	"$(ratio "$wreq" "$runs")" "$secs_mean" "$(ratio "$areq" $((passes * ZONES)))"
