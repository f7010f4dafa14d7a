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

# fake_logger: a logger(1) in $T/bin-log that records its arguments and
# the lines it reads to $T/logger.calls.
fake_logger() {
	mkdir -p "$T/bin-log"
	cat >"$T/bin-log/logger" <<EOF2
#!/bin/bash
printf 'ARGS %s\n' "\$*" >>"$T/logger.calls"
for a in "\$@"; do [ "\$a" = --no-act ] && exit 0; done
case " \$* " in *" -- "*) ;; *) cat >>"$T/logger.calls" ;; esac
EOF2
	chmod +x "$T/bin-log/logger"
	: >"$T/logger.calls"
}

@test "status: every stage's warnings reach stderr and syslog once each, on a run that succeeds" {
	# rrdiff: HINFO is not managed; r53apply: a delegation in a private
	# hosted zone; r53dump: a value it cannot read, dumped twice (the
	# zone is found by name, then read again under its id's lock).
	{
		cat "$FIXTURES/mirror/$FWD.zone"
		printf 'pc\tIN HINFO\t"PC" "Linux"\n'
		printf 'child\tIN NS\tns.child\nns.child\tIN A\t192.0.2.60\n'
	} >"$T/warn.zone"
	server_start knot "$FWD" "$T/warn.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private vpc-0test0001)
	cat >"$T/byhand.json" <<'JSON'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"byhand.mirror.test.","Type":"TXT","TTL":300,"ResourceRecords":[{"Value":"\"x\\009y\""}]}}]}
JSON
	emu_change "$FWD_ID" "$T/byhand.json" >/dev/null
	fake_logger
	PATH="$T/bin-log:$PATH" run --separate-stderr mirror -p "$SERVER_PORT" \
		-k "$SERVER_KEYFILE" --adopt --syslog --private --vpc-id vpc-0test0001 \
		"$FWD" 127.0.0.1
	echo "$stderr"
	assert_success
	local w
	for w in 'rrdiff: warning: type HINFO is not managed' \
		'r53apply: warning: child.mirror.test. NS: private hosted zones do not follow delegations' \
		'r53dump: warning: hosted zone .*byhand.mirror.test.* written without'; do
		[ "$(grep -c "^mirror.sh: $FWD.: $w" <<<"$stderr")" -eq 1 ]
		[ "$(grep -c "^$FWD.: $w" "$T/logger.calls")" -eq 1 ]
	done
	# at warning level; the summary at notice (it went well)
	grep -q -- '^ARGS -t r53mirror -p daemon.warning$' "$T/logger.calls"
	grep -q -- "^ARGS .*-p daemon.notice -- zone=$FWD. .*result=changed status=0 " "$T/logger.calls"
	[ -z "$output" ]
}
