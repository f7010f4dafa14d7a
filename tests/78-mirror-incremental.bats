#!/usr/bin/env bats
# 78-mirror-incremental.bats: mirror.sh's incremental path (issue 13):
# the transfer is an IXFR from the last applied stream (BIND with
# ixfr-from-differences, Knot with its journal: tests/helpers/ixfr.bash
# edits ixfr.test version by version), and a run whose source changed
# while Route 53 still holds our serial diffs against the Route 53
# snapshot of the last run instead of listing the hosted zone.  Every
# result is checked against a fresh AXFR and a fresh listing.

load test_helper

setup() {
	mirror_setup
}

teardown() {
	adv_stop 2>/dev/null || true
	emu_stop
	server_stop
}

# start KIND: KIND serving ixfr.test version 1, the emulator, a hosted
# zone for it (ID).
start() {
	ixfr_zone 1 >"$T/v1.zone"
	server_start "$1" ixfr.test "$T/v1.zone"
	emu_start
	ID=$(emu_create_zone ixfr.test)
}

mirror_ix() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" ixfr.test 127.0.0.1 "$ID"
}

# summary KEY: KEY's value in the summary line of the last run.
summary() {
	grep -o " $1=[^ ]*" <<<"$output" | tail -n 1 | cut -d= -f2-
}

@test "incremental: the second run transfers by IXFR and keeps the change stream (Knot, BIND)" {
	local kind d
	for kind in knot bind; do
		start "$kind"
		run mirror_ix
		assert_success
		[ "$(summary xfr)" = axfr ]
		ixfr_set 2
		run mirror_ix
		assert_success
		[ "$(summary xfr)" = ixfr ]
		[ "$(summary result)" = changed ]
		d=$(mirror_zone_dir "$ID")
		grep -q '^#desired-serial 2026120102$' "$d/last/ixfr.changes"
		grep -q '^+	new\.ixfr\.test\.	AAAA	300	2001:db8::1$' "$d/last/ixfr.changes"
		mirror_converged ixfr.test "$ID"
		emu_stop
		server_stop
	done
}
