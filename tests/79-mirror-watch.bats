#!/usr/bin/env bats
# 79-mirror-watch.bats: scripts/mirror.sh --watch, the NOTIFY-driven
# driver, end to end: a real BIND primary sends NOTIFY (also-notify, TSIG)
# to the real listener (zxfr --listen) that --watch starts; the Route 53
# emulator holds the hosted zones.  A change reaches Route 53 within a
# bounded wait, a burst of NOTIFYs makes at most two runs, an old serial
# none, a zone whose primary does not notify is caught by --interval, the
# listener is restarted when it dies, SIGTERM lets go of every lock and
# SIGHUP with a broken config keeps the old one.  Every wait polls, bounded.

load test_helper

FWD=mirror.test			# BIND notifies the listener for this one
QUIET=2.0.192.in-addr.arpa	# and never for this one
VPC=vpc-0watch001

setup() {
	mirror_setup
	server_start bind "$FWD" "$FIXTURES/mirror/$FWD.zone" \
		"$QUIET" "$FIXTURES/mirror/rev.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	QUIET_ID=$(emu_create_zone "$QUIET" --private "$VPC")
	LPORT=$(_srv_pick_port)
	bind_notify "$LPORT"
	cat >"$T/w.conf" <<EOF
$FWD	127.0.0.1:$SERVER_PORT	$SERVER_KEYFILE	$FWD_ID
$QUIET	127.0.0.1:$SERVER_PORT	$SERVER_KEYFILE	$QUIET_ID
EOF
	WPID=""
}

teardown() {
	if [ -n "$WPID" ] && mirror_alive "$WPID"; then
		kill -TERM "$WPID"
		wait "$WPID" || true
	fi
	emu_stop
	server_stop
}

# bind_notify PORT: BIND sends NOTIFY for $FWD (signed with the transfer
# key, as a real primary would) to 127.0.0.1 PORT; none for $QUIET.
bind_notify() {
	sed -i "s|^zone \"$FWD\" { |&notify explicit; also-notify { 127.0.0.1 port $1 key \"$SERVER_KEYNAME\"; }; |" \
		"$SERVER_DIR/named.conf"
	grep -q "also-notify { 127.0.0.1 port $1" "$SERVER_DIR/named.conf"
	rndc -c "$SERVER_DIR/rndc.conf" reconfig >/dev/null
}

listening() { [ -n "$(ss -Hlun "( sport = :$LPORT )" 2>/dev/null)" ]; }
log_has() { grep -qF -- "$1" "$T/w.err"; }
# runs ZONE: summary lines of ZONE so far.
runs() { grep -c "^zone=$1\. " "$T/w.out" || true; }
runs_are() { [ "$(runs "$1")" -ge "$2" ]; }

# watch_start ARGS...: mirror.sh --watch in the background (WPID; stdout
# w.out, stderr w.err) until its listener is bound and both zones had
# their start run.
# HUP at its default even when the suite runs under nohup: bash cannot
# trap a signal ignored when it started, and the SIGHUP test needs it.
watch_start() {
	env --default-signal=HUP bash "$MIRROR_SH" --state-dir "$T/state" \
		--watch "$T/w.conf" \
		--listen "127.0.0.1:$LPORT" "$@" >"$T/w.out" 2>"$T/w.err" &
	WPID=$!
	watch_until 30 listening || { watch_show; return 1; }
	watch_until 120 runs_are "$FWD" 1 || { watch_show; return 1; }
	watch_until 120 runs_are "$QUIET" 1 || { watch_show; return 1; }
	grep -q "^zone=$FWD\. .* result=changed status=0" "$T/w.out"
}

watch_show() {
	echo "--- stdout"
	cat "$T/w.out"
	echo "--- stderr"
	cat "$T/w.err"
}

# in_route53 ID STEP: the emulator's hosted zone holds step-STEP.
in_route53() { emu_rrsets "$1" | grep -q "\"step-$2\."; }

# send_notify ZONE SERIAL COUNT: COUNT NOTIFYs back to back, signed with
# the server's key (watch_notify_send); "answered A of COUNT".
send_notify() {
	watch_notify_send "$1" "$2" "$3" 0 "$LPORT" "$SERVER_KEYFILE"
}

# settled ZONE SERIAL: ZONE is idle with SERIAL applied: the driver checks
# a NOTIFY's serial against the applied one only while the zone neither
# runs nor waits to (else the check comes after the run), and says "not
# newer" only once SERIAL is applied; the burst sent before has been read.
settled() {
	send_notify "$1." "$2" 1 >/dev/null
	log_has "$1.: NOTIFY serial $2 is not newer"
}

# ------------------------------------------------------------------ tests

@test "watch: usage: --listen goes with --watch, --watch needs --listen ADDR:PORT" {
	run mirror --watch "$T/w.conf"
	assert_failure 3
	assert_output --partial "--watch needs --listen"
	run mirror --watch "$T/w.conf" --listen 127.0.0.1
	assert_failure 3
	assert_output --partial "bad --listen"
	run mirror --all "$T/w.conf" --listen "127.0.0.1:$LPORT"
	assert_failure 3
	assert_output --partial "--listen goes with --watch"
	run mirror --watch "$T/w.conf" --listen "127.0.0.1:$LPORT" --interval 0
	assert_failure 3
	printf 'bad..zone 127.0.0.1 - Z1\n' >"$T/bad.conf"
	run mirror --watch "$T/bad.conf" --listen "127.0.0.1:$LPORT"
	assert_failure 3
	assert_output --partial "bad.conf:1: bad zone name"
}

@test "watch: rndc reload on BIND -> NOTIFY -> the change is in Route 53" {
	watch_start --interval 3600
	local serial
	serial=$(watch_bump "$FWD" 1)
	server_reload "$FWD"
	watch_until 120 in_route53 "$FWD_ID" 1 || { watch_show; false; }
	watch_until 10 log_has "$FWD.: run (notify serial $serial)" || { watch_show; false; }
	watch_until 30 grep -q "^zone=$FWD\. .* result=changed .* serial=$serial " "$T/w.out" || { watch_show; false; }
	mirror_converged "$FWD" "$FWD_ID"
	# the quiet zone ran once, at start: its interval is an hour
	[ "$(runs "$QUIET")" -eq 1 ]
}

@test "watch: a burst of NOTIFYs with one serial makes at most 2 runs" {
	watch_start --interval 3600
	local serial before after
	before=$(runs "$FWD")
	serial=$(watch_bump "$FWD" 2)
	server_reload "$FWD"
	run send_notify "$FWD." "$serial" 200
	echo "$output"
	assert_output --regexp '^answered [1-9][0-9]* of 200$'
	watch_until 120 in_route53 "$FWD_ID" 2 || { watch_show; false; }
	watch_until 120 settled "$FWD" "$serial" || { watch_show; false; }
	after=$(runs "$FWD")
	echo "runs for the burst: $((after - before))"
	[ $((after - before)) -ge 1 ]
	[ $((after - before)) -le 2 ]
}

@test "watch: a NOTIFY whose serial is not newer than the applied one makes no run" {
	watch_start --interval 3600
	local cur before
	cur=$(server_serial "$FWD")
	before=$(runs "$FWD")
	run send_notify "$FWD." $((cur - 1)) 1
	assert_output "answered 1 of 1"
	watch_until 10 log_has "NOTIFY serial $((cur - 1)) is not newer than the applied $cur: no run" ||
		{ watch_show; false; }
	run send_notify "$FWD." "$cur" 1
	watch_until 10 log_has "NOTIFY serial $cur is not newer than the applied $cur: no run" ||
		{ watch_show; false; }
	# RFC 1982: 2^31 + cur - 1 is behind cur too
	run send_notify "$FWD." $(((cur + 2147483649) % 4294967296)) 1
	watch_until 10 log_has "NOTIFY serial $(((cur + 2147483649) % 4294967296)) is not newer" ||
		{ watch_show; false; }
	[ "$(runs "$FWD")" -eq "$before" ]
	run grep -c ": run (notify" "$T/w.err"
	assert_output 0
}

@test "watch: a zone whose NOTIFY is lost is caught by --interval" {
	watch_start --interval 4
	watch_bump "$QUIET" 3 >/dev/null
	server_reload "$QUIET"
	watch_until 120 in_route53 "$QUIET_ID" 3 || { watch_show; false; }
	log_has "$QUIET.: run (interval)"
	run grep -c "$QUIET.: run (notify" "$T/w.err"
	assert_output 0
}

@test "watch: the listener killed is restarted; NOTIFYs work again" {
	watch_start --interval 3600
	local lpid
	lpid=$(pgrep -f -- "--listen 127.0.0.1:$LPORT --notify-zones" | grep -vx "$WPID" | head -n 1)
	[ -n "$lpid" ]
	kill -KILL "$lpid"
	watch_until 10 log_has "the listener ended" || { watch_show; false; }
	watch_until 30 listening || { watch_show; false; }
	watch_bump "$FWD" 4 >/dev/null
	server_reload "$FWD"
	watch_until 120 in_route53 "$FWD_ID" 4 || { watch_show; false; }
}

@test "watch: SIGTERM stops the runs and the listener, exits 0, locks released" {
	watch_start --interval 3600
	# A run in progress when SIGTERM comes: Route 53 answers slowly.
	emu_faults '{"latency_ms":1500}'
	watch_bump "$FWD" 5 >/dev/null
	server_reload "$FWD"
	watch_until 30 log_has "$FWD.: run (notify" || { watch_show; false; }
	kill -TERM "$WPID"
	local st=0
	wait "$WPID" || st=$?
	WPID=""
	watch_show
	[ "$st" -eq 0 ]
	log_has "watch: stopping"
	# nothing of it is left: no listener, no watch folder
	if listening; then false; fi
	[ -z "$(ls -d "$T"/state/watch.* 2>/dev/null)" ]
	emu_faults '{"clear":true}'
	# every lock is free: a normal run does not wait for one
	run mirror --all "$T/w.conf" --lock-wait 0
	refute_output --partial "result=locked"
	assert_success
	in_route53 "$FWD_ID" 5
}

@test "watch: SIGHUP with a broken config keeps the old one and goes on" {
	watch_start --interval 3600
	cp "$T/w.conf" "$T/w.conf.good"
	printf 'garbage\n' >>"$T/w.conf"
	kill -HUP "$WPID"
	watch_until 10 log_has "w.conf:3: expected ZONE SERVER" || { watch_show; false; }
	watch_until 10 log_has "keeping the old config (2 zone(s))" || { watch_show; false; }
	mirror_alive "$WPID"
	watch_bump "$FWD" 6 >/dev/null
	server_reload "$FWD"
	watch_until 120 in_route53 "$FWD_ID" 6 || { watch_show; false; }
	# a good config again: read, the listener told
	cp "$T/w.conf.good" "$T/w.conf"
	kill -HUP "$WPID"
	watch_until 10 log_has "w.conf re-read: 2 zone(s)" || { watch_show; false; }
	mirror_alive "$WPID"
}
