#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
# 79-mirror-status.bats: operating a fleet with mirror.sh: the last change
# stays findable (last-change, pruning by kind), stage warnings reach
# stderr and syslog once each, the fleet view (--status, --json) and the
# Prometheus metrics file (--metrics-file), parsed back strictly.  Real
# DNS servers and the Route 53 emulator, as the other 7N tests.

load test_helper
bats_require_minimum_version 1.5.0

FWD=mirror.test
REV=2.0.192.in-addr.arpa

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

start_zone() {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD")
}

mirror_fwd() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$FWD" 127.0.0.1 "$FWD_ID"
}

# run_dirs: the run folders of FWD's hosted zone.
run_dirs() {
	find "$(mirror_zone_dir "$FWD_ID")/runs" -mindepth 1 -maxdepth 1 -type d | sort
}

@test "status: last-change names the run that changed Route 53, kept past 11 in-sync runs with --keep 3" {
	start_zone
	run mirror_fwd --adopt --keep 3
	assert_success
	assert_output --partial "result=changed"
	local d target i
	d=$(mirror_zone_dir "$FWD_ID")
	target=$(readlink "$d/last-change")
	[ "$target" = "$(readlink "$d/last")" ]
	grep -q '^+	' "$d/last-change/changes"
	for ((i = 0; i < 11; i++)); do
		run mirror_fwd --full --keep 3
		assert_success
		assert_output --partial "result=in-sync"
	done
	# The change's folder and its change stream are still there, and
	# last-change still names it; the in-sync runs are pruned to 3.
	[ "$(readlink "$d/last-change")" = "$target" ]
	[ -d "$d/$target" ]
	grep -q '^+	' "$d/last-change/changes"
	[ "$(readlink "$d/last")" != "$target" ]
	[ "$(run_dirs | wc -l)" -eq 4 ]
	# A second change: last-change moves on; both changing runs are kept
	# (3 of each kind), the in-sync ones stay 3.
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	run mirror_fwd --keep 3
	assert_success
	assert_output --partial "result=changed"
	[ "$(readlink "$d/last-change")" = "$(readlink "$d/last")" ]
	[ "$(readlink "$d/last-change")" != "$target" ]
	[ -d "$d/$target" ]
	[ "$(run_dirs | wc -l)" -eq 5 ]
}
