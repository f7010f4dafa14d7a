#!/usr/bin/env bats
# 77-mirror-stats.bats: every command's --stats FILE (format/SPEC.md
# section 8), its counts checked against what the other side saw: the
# emulator's own request counters, the stream's trailer, the DNS server's
# zone; and mirror.sh's summary line, whose requests= now comes from
# those files (a retried request counts, as Route 53 counts it).

load test_helper

FWD=mirror.test

setup() {
	mirror_setup
	export R53M_RATE=0
}

teardown() {
	emu_stop
	server_stop
}

# stat FILE KEY: KEY's value in a stats file ("" when absent).
stat() {
	sed -n "s/^$2=//p" "$1"
}

# stats_ok FILE COMMAND STATUS: the magic line, the command, the status,
# an elapsed time, and nothing but key=value lines of whole numbers.
stats_ok() {
	[ "$(head -n 1 "$1")" = '#!r53mirror-stats 1' ]
	[ "$(stat "$1" command)" = "$2" ]
	[ "$(stat "$1" status)" = "$3" ]
	[[ $(stat "$1" elapsed_ms) =~ ^[0-9]+$ ]]
	! tail -n +3 "$1" | grep -vqE '^[a-z_]+=[0-9]+$'
	# written atomically: no temporary file left beside it
	! ls "$1".tmp.* 2>/dev/null
}

# trailer FILE KEY: KEY=N of a stream's trailer.
trailer() {
	tail -n 1 "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

start_zone() {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD")
}

@test "stats: zxfr --stats counts the transfer it wrote" {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	run zxfr -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --stats "$T/x.stats" \
		-o "$T/src.rrset" "$FWD" 127.0.0.1
	assert_success
	stats_ok "$T/x.stats" zxfr 0
	[ "$(stat "$T/x.stats" requests)" -eq 1 ]
	[ "$(stat "$T/x.stats" rrsets)" -eq "$(trailer "$T/src.rrset" rrsets)" ]
	[ "$(stat "$T/x.stats" serial)" = "$(server_serial "$FWD")" ]
	[ "$(stat "$T/x.stats" records)" -gt "$(stat "$T/x.stats" rrsets)" ]
	[ "$(stat "$T/x.stats" bytes)" -gt 0 ]
	[ "$(stat "$T/x.stats" messages)" -ge 1 ]
	run zxfr --serial -p "$SERVER_PORT" --stats "$T/s.stats" "$FWD" 127.0.0.1
	assert_success
	stats_ok "$T/s.stats" zxfr 0
	[ "$(stat "$T/s.stats" serial)" = "$output" ]
	[ "$(stat "$T/s.stats" requests)" -eq 1 ]
}

@test "stats: zxfr writes its stats file when the transfer fails" {
	local port
	port=$(mirror_closed_port)
	run zxfr -p "$port" --timeout 3 --stats "$T/x.stats" -o "$T/src.rrset" \
		"$FWD" 127.0.0.1
	assert_failure 5
	stats_ok "$T/x.stats" zxfr 5
	[ ! -e "$T/src.rrset" ]
}

@test "stats: r53dump --stats requests are the emulator's, retries included" {
	start_zone
	mirror --full -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$FWD" 127.0.0.1 "$FWD_ID"
	emu_reset_counters
	# Two throttled answers, retried: Route 53 counts all four.
	emu_faults '{"script":["throttle","throttle","ok"]}'
	run r53dump --endpoint-url "$EMU_URL" --zone-id "$FWD_ID" \
		--stats "$T/d.stats" -o "$T/r53.rrset"
	assert_success
	stats_ok "$T/d.stats" r53dump 0
	[ "$(stat "$T/d.stats" requests)" -eq "$(emu_count _total)" ]
	[ "$(stat "$T/d.stats" retries)" -eq 2 ]
	[ "$(stat "$T/d.stats" throttles)" -eq 2 ]
	[ "$(stat "$T/d.stats" pages)" -eq "$(emu_count ListResourceRecordSets)" ]
	[ "$(stat "$T/d.stats" rrsets)" -eq "$(trailer "$T/r53.rrset" rrsets)" ]
	[ "$(stat "$T/d.stats" serial)" = "$(sed -n 's/^#serial //p' "$T/r53.rrset")" ]
	emu_reset_counters
	run r53dump --endpoint-url "$EMU_URL" --zone-id "$FWD_ID" --zone "$FWD" \
		--serial --stats "$T/p.stats"
	assert_success
	stats_ok "$T/p.stats" r53dump 0
	[ "$(stat "$T/p.stats" serial)" = "$output" ]
	[ "$(stat "$T/p.stats" requests)" -eq 1 ]
	[ "$(emu_count _total)" -eq 1 ]
}

@test "stats: r53dump of a hosted zone that does not exist: its status, no made-up counts" {
	emu_start
	emu_reset_counters
	run r53dump --endpoint-url "$EMU_URL" --zone-id Z0000000000NONE \
		--stats "$T/d.stats" -o "$T/r53.rrset"
	assert_failure 5
	stats_ok "$T/d.stats" r53dump 5
	[ "$(emu_count _total)" -ge 1 ]
	# The lookup's requests are not known to r53dump: absent, not 0.
	[ -z "$(stat "$T/d.stats" requests)" ]
	[ -z "$(stat "$T/d.stats" serial)" ]
	[ "$(stat "$T/d.stats" rrsets)" -eq 0 ]
	[ ! -e "$T/r53.rrset" ]
}

@test "stats: rrdiff --stats matches the change stream's trailer" {
	start_zone
	zxfr -p "$SERVER_PORT" -k "$SERVER_KEYFILE" -o "$T/src.rrset" "$FWD" 127.0.0.1
	r53dump --endpoint-url "$EMU_URL" --zone-id "$FWD_ID" -o "$T/r53.rrset"
	run rrdiff --stats "$T/f.stats" -o "$T/changes" "$T/src.rrset" "$T/r53.rrset"
	assert_failure 1
	stats_ok "$T/f.stats" rrdiff 1
	local k
	for k in changes adds deletes updates skipped; do
		[ "$(stat "$T/f.stats" "$k")" -eq "$(trailer "$T/changes" "$k")" ]
	done
	[ "$(stat "$T/f.stats" adds)" -gt 0 ]
	[ "$(stat "$T/f.stats" desired_rrsets)" -eq "$(trailer "$T/src.rrset" rrsets)" ]
	[ "$(stat "$T/f.stats" current_rrsets)" -eq "$(trailer "$T/r53.rrset" rrsets)" ]
	[ "$(stat "$T/f.stats" requests)" -eq 0 ]
}

@test "stats: r53apply --stats counts what the emulator received and applied" {
	start_zone
	zxfr -p "$SERVER_PORT" -k "$SERVER_KEYFILE" -o "$T/src.rrset" "$FWD" 127.0.0.1
	r53dump --endpoint-url "$EMU_URL" --zone-id "$FWD_ID" -o "$T/r53.rrset"
	rrdiff -o "$T/changes" "$T/src.rrset" "$T/r53.rrset" || true
	emu_reset_counters
	emu_faults '{"script":["ok","throttle","ok"]}'
	run r53apply --endpoint-url "$EMU_URL" --zone-id "$FWD_ID" --adopt \
		--stats "$T/a.stats" "$T/changes"
	assert_success
	stats_ok "$T/a.stats" r53apply 0
	[ "$(stat "$T/a.stats" requests)" -eq "$(emu_count _total)" ]
	[ "$(stat "$T/a.stats" throttles)" -eq 1 ]
	[ "$(stat "$T/a.stats" retries)" -ge 1 ]
	[ "$(stat "$T/a.stats" change_requests)" -le "$(emu_count ChangeResourceRecordSets)" ]
	[ "$(stat "$T/a.stats" created)" -eq "$(trailer "$T/changes" adds)" ]
	[ "$(stat "$T/a.stats" changes)" -eq "$(trailer "$T/changes" changes)" ]
	[ "$(stat "$T/a.stats" serial_written)" = "$(server_serial "$FWD")" ]
	[ "$(stat "$T/a.stats" batches)" -ge 1 ]
}

@test "stats: a stats file that cannot be written fails the run (exit 2), naming it" {
	local f="$FIXTURES/rrdiff/types"
	run rrdiff --stats "$T/f.stats" -o "$T/changes" "$f/desired.rrset" "$f/current.rrset"
	assert_failure 1
	stats_ok "$T/f.stats" rrdiff 1
	run rrdiff --stats "$T/no/such/dir/f.stats" -o "$T/changes" \
		"$f/desired.rrset" "$f/current.rrset"
	assert_failure 2
	assert_output --partial "--stats $T/no/such/dir/f.stats"
	[ ! -e "$T/no/such/dir" ]
}

@test "-o, --stats and --report into a FIFO (or /dev/null as root): written there, never replaced by a file" {
	local f="$FIXTURES/rrdiff/types" p
	# A rename over a FIFO or device turns it into a regular file: as root
	# that once replaced /dev/null itself.
	for p in out stats report; do
		mkfifo "$T/$p.fifo"
		timeout 20 cat "$T/$p.fifo" >"$T/$p.got" &
	done
	run rrdiff --stats "$T/stats.fifo" -o "$T/out.fifo" "$f/desired.rrset" "$f/current.rrset"
	assert_failure 1
	run r53apply --dry-run --offline --zone-id ZTEST1 --report "$T/report.fifo" \
		"$FIXTURES/r53apply/basic.change"
	assert_success
	wait
	for p in out stats report; do
		[ -p "$T/$p.fifo" ]
		[ -s "$T/$p.got" ]
	done
	grep -q '^#end changes=' "$T/out.got"
	stats_ok "$T/stats.got" rrdiff 1
	jq -e .zone_id "$T/report.got" >/dev/null
	! ls "$T"/*.tmp.* "$T"/.*.fifo.* 2>/dev/null
	if [ "$(id -u)" = 0 ]; then
		mknod "$T/null" c 1 3
		run rrdiff --stats "$T/null" -o "$T/null" "$f/desired.rrset" "$f/current.rrset"
		assert_failure 1
		[ -c "$T/null" ]
	fi
}

@test "stats: mirror.sh's requests= is every request Route 53 received, retries too" {
	start_zone
	emu_reset_counters
	emu_faults '{"script":["ok","throttle","ok"]}'
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --adopt "$FWD" 127.0.0.1 "$FWD_ID"
	assert_success
	assert_output --partial "requests=$(emu_count _total) "
	assert_output --partial "dns-queries=2 "
	# The run folder keeps each command's stats file.
	local run
	run=$(mirror_zone_dir "$FWD_ID")/last
	[ -s "$run/r53dump.stats" ] && [ -s "$run/r53apply.stats" ]
	emu_reset_counters
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$FWD" 127.0.0.1 "$FWD_ID"
	assert_success
	assert_output --partial "result=unchanged"
	assert_output --partial "requests=1 "
	mirror_probe_requests_ok 1
}
