#!/usr/bin/env bats
# 73-mirror-crash.bats: scripts/mirror.sh killed with SIGKILL while
# r53apply runs (the OOM killer, systemd's final kill, a reboot): the
# drift baseline was invalidated on disk before r53apply started, so the
# next run says drift=unchecked (never a drift count for the mirror's own
# changes) and converges; no record is lost.

load test_helper

ZONE=crash.test
VPC=vpc-0crash001
NRR=5000		# RRsets of the source zone
KILLS=10
LATENCY_MS=400		# per ChangeResourceRecordSets: a wider window

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

# gen_zone GEN FILE: the source zone, generation GEN: $NRR RRsets in all
# (SOA, NS, ns1 A and h1..h$((NRR - 3)) A).  Each generation changes the
# address of every tenth h name and moves a band of 200 names to other
# names (back in the next generation), so every run has some 1,800
# changes (under r53apply's 30% thresholds): several change batches.
gen_zone() {
	awk -v gen="$1" -v n=$((NRR - 3)) 'BEGIN {
		printf "$ORIGIN crash.test.\n$TTL 300\n"
		printf "@ IN SOA ns1 hostmaster %d 7200 900 1209600 300\n", 2026120100 + gen
		printf "@ IN NS ns1\nns1 IN A 192.0.2.53\n"
		band = (gen % 5) * 200
		for (i = 1; i <= n; i++) {
			if (i > band && i <= band + 200)
				i2 = n + i	# the moved band: other names
			else
				i2 = i
			g = (i % 10 == gen % 10) ? gen : 0
			printf "h%d IN A 10.%d.%d.%d\n", i2, g % 250, int(i / 250), i % 250
		}
	}' >"$2"
}

# kill_session SID: SIGKILL to every process of session SID at once, as
# systemd kills a unit's control group (the stage runs in its own process
# group, under timeout(1), within the session).
kill_session() {
	local pids
	pids=$(ps -e -o pid=,sid= | awk -v s="$1" '$2 == s { print $1 }')
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

@test "mirror crash: $KILLS SIGKILLs during r53apply ($NRR RRsets): never drift, every rerun converges, nothing lost" {
	local i pid sid st delay seed kills_in_apply=0
	gen_zone 0 "$T/zone"
	server_start knot "$ZONE" "$T/zone"
	emu_start
	ID=$(emu_create_zone "$ZONE" --private "$VPC")
	# r53apply marks when it starts (same process: exec).
	cat >"$T/r53apply-mark" <<EOF
#!/bin/bash
echo \$\$ >"$T/apply.pid"
exec "$R53M_BUILD/r53apply" "\$@"
EOF
	mirror_wrap r53apply "$T/r53apply-mark"
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$ZONE" 127.0.0.1 "$ID"
	assert_success
	assert_output --partial "result=changed"
	emu_faults "{\"latency_ms\":$LATENCY_MS,\"apis\":[\"ChangeResourceRecordSets\"]}"
	seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
	echo "# seed $seed (CRASH_SEED=$seed to repeat)" >&3
	RANDOM=$seed
	SECONDS=0
	for ((i = 1; i <= KILLS; i++)); do
		gen_zone "$i" "$T/zone"
		server_update "$ZONE" "$T/zone"
		rm -f "$T/apply.pid"
		setsid bash "$MIRROR_SH" --state-dir "$T/state" -p "$SERVER_PORT" \
			-k "$SERVER_KEYFILE" "$ZONE" 127.0.0.1 "$ID" >"$T/kill.out" 2>&1 &
		pid=$!
		mirror_wait_file "$T/apply.pid"
		sid=$(ps -o sid= -p "$pid" | tr -d ' ')
		[ "$sid" = "$pid" ]
		# A random point of r53apply's run (about 5 batches, each
		# $LATENCY_MS ms), or just after it.
		delay=$((RANDOM % (6 * LATENCY_MS)))
		sleep "$(printf '0.%03d' "$delay")"
		[ -d "/proc/$(cat "$T/apply.pid")" ] && kills_in_apply=$((kills_in_apply + 1))
		kill_session "$sid"
		st=0
		wait "$pid" || st=$?
		echo "# kill $i after ${delay} ms: status $st" >&3
		[ "$st" -eq 137 ]
		# The request in flight lands after the emulator's latency.
		sleep "$(printf '0.%03d' $((LATENCY_MS + 200)))"
		# The rerun: no drift count for the mirror's own changes.
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$ZONE" 127.0.0.1 "$ID"
		echo "# rerun $i (${SECONDS}s): $(grep -o 'result=[^ ]* status=[^ ]*' <<<"$output") $(grep -o 'drift=[^ ]*' <<<"$output")" >&3
		assert_success
		refute_output --partial "changed outside the mirror"
		assert_output --regexp ' drift=(unchecked|0) '
		# It applied every difference it found (the zone does not
		# change in between, so a late request only moves Route 53 the
		# same way); every second one is compared afresh, to save time.
		# A kill just after r53apply ended leaves nothing to apply: the
		# rerun finds no change and runs no r53apply (no report).
		if ! grep -q ' changes=0 ' <<<"$output"; then
			grep -q '"not_applied": \[\]' "$(mirror_zone_dir "$ID")/last/report.json"
		fi
		if ((i % 2 == 0)); then
			mirror_converged "$ZONE" "$ID"
		fi
	done
	echo "# $KILLS kills ($kills_in_apply while r53apply ran) in ${SECONDS}s" >&3
	[ "$kills_in_apply" -ge $((KILLS / 2)) ]
	# A full compare afterwards: the baseline is valid again, no drift.
	emu_faults '{"clear":true}'
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --full "$ZONE" 127.0.0.1 "$ID"
	assert_success
	assert_output --partial "changes=0 "
	assert_output --partial " drift=0 "
}
