#!/usr/bin/env bats
# 79-mirror-watch-primaries.bats: r53mirror --watch with Knot, NSD and
# BIND as the primary, each sending its own NOTIFYs (servers.bash
# SERVER_NOTIFY: Knot over TCP, NSD and BIND over UDP; signed with the
# transfer key, or unsigned when transfers need no key) to the listener
# that --watch starts; the change reaches the Route 53 emulator.  Then
# what an idle watch costs (scheduled probes only, counted by the
# emulator) and a flood of 1,000 NOTIFYs in 10 s (at most 2 runs).
# 79-mirror-watch.bats covers the rest of --watch with BIND.  Every wait
# polls, bounded.

load test_helper

ZONE=mirror.test
VPC=vpc-0watch002

setup() {
	mirror_setup
	emu_start
	LPORT=$(_srv_pick_port)
	WPID=""
}

teardown() {
	# a test that failed with the watch still running
	[ -z "$WPID" ] || ! mirror_alive "$WPID" || watch_end || true
	emu_stop
	server_stop
	unset SERVER_TSIG SERVER_NOTIFY
}

# primary KIND TSIG ZONE...: start KIND (TSIG: required or none) serving
# each ZONE (the mirror.test fixture under that name) and notifying the
# watch's port; one hosted zone each; the watch config in $T/w.conf.
primary() {
	local kind=$1 z id args=()
	export SERVER_TSIG=$2 SERVER_NOTIFY=$LPORT
	shift 2
	for z in "$@"; do
		sed "s/mirror\.test\./$z./g" "$FIXTURES/mirror/$ZONE.zone" >"$T/$z.zone"
		args+=("$z" "$T/$z.zone")
	done
	server_start "$kind" "${args[@]}"
	: >"$T/w.conf"
	for z in "$@"; do
		id=$(emu_create_zone "$z" --private "$VPC")
		eval "ID_${z//[.-]/_}=$id"
		printf '%s\t127.0.0.1:%s\t%s\t%s\n' "$z" "$SERVER_PORT" \
			"${SERVER_KEYFILE:--}" "$id" >>"$T/w.conf"
	done
}

id_of() { eval "echo \"\$ID_${1//[.-]/_}\""; }
listening() { [ -n "$(ss -Hlun "( sport = :$LPORT )" 2>/dev/null)" ]; }
log_has() { grep -qF -- "$1" "$T/w.err"; }
runs() { grep -c "^zone=$1\. " "$T/w.out" || true; }
runs_are() { [ "$(runs "$1")" -ge "$2" ]; }
in_route53() { emu_rrsets "$(id_of "$1")" | grep -q "\"step-$2\."; }

watch_show() {
	echo "--- stdout"
	cat "$T/w.out"
	echo "--- stderr"
	cat "$T/w.err"
}

# watch_begin INTERVAL ZONE...: mirror.sh --watch in the background (WPID)
# until its listener is bound and each ZONE had its start run.
watch_begin() {
	local z interval=$1
	shift
	bash "$MIRROR_SH" --state-dir "$T/state" --watch "$T/w.conf" \
		--listen "127.0.0.1:$LPORT" --interval "$interval" >"$T/w.out" 2>"$T/w.err" &
	WPID=$!
	watch_until 30 listening || { watch_show; return 1; }
	for z in "$@"; do
		watch_until 120 runs_are "$z" 1 || { watch_show; return 1; }
	done
}

# watch_end: SIGTERM, wait; fails unless it exits 0.
watch_end() {
	local st=0
	kill -TERM "$WPID"
	wait "$WPID" || st=$?
	WPID=""
	[ "$st" -eq 0 ] || { watch_show; return 1; }
}

# notified KIND TSIG: a reload on KIND makes it notify; the change is in
# Route 53 by a run the NOTIFY asked for (the interval is an hour), and
# the listener took the NOTIFY with TSIG verified, or unsigned.
# SERIAL: the new serial.
notified() {
	local serial
	primary "$1" "$2" "$ZONE"
	watch_begin 3600 "$ZONE"
	serial=$(watch_bump "$ZONE" 1)
	SERIAL=$serial
	server_reload "$ZONE"
	watch_until 60 in_route53 "$ZONE" 1 || { watch_show; false; }
	watch_until 10 log_has "$ZONE.: run (notify serial $serial)" || { watch_show; false; }
	watch_until 30 runs_are "$ZONE" 2 || { watch_show; false; }
	grep -q "^zone=$ZONE\. .* result=changed .* serial=$serial " "$T/w.out"
	mirror_converged "$ZONE" "$(id_of "$ZONE")"
	watch_end
	# the listener's counts, logged as the watch stops: nothing refused
	# (an unsigned NOTIFY for a keyed zone would be NOTAUTH)
	log_has "notify_accepted="
	run grep -o "notify_notauth=[0-9]*" "$T/w.err"
	assert_output "notify_notauth=0"
	run grep -o "notify_refused=[0-9]*" "$T/w.err"
	assert_output "notify_refused=0"
}

@test "watch: Knot notifies over TCP with TSIG: the change is in Route 53" {
	notified knot required
	run grep -o "notify_tcp=[0-9]*" "$T/w.err"
	assert_output --regexp '^notify_tcp=[1-9]'
	# Knot took the signed answer (a bad one: "notify, outgoing, remote
	# ..., failed"; its NOTIFY at start, with no listener yet, failed)
	grep -qF "[$ZONE.] notify, outgoing, remote 127.0.0.1@$LPORT, serial $SERIAL" \
		"$SERVER_DIR/knot.log"
}

@test "watch: Knot notifies over TCP unsigned (no transfer key): the change is in Route 53" {
	notified knot none
	run grep -o "notify_tcp=[0-9]*" "$T/w.err"
	assert_output --regexp '^notify_tcp=[1-9]'
}

@test "watch: NSD notifies with TSIG: the change is in Route 53" {
	notified nsd required
}

@test "watch: NSD notifies unsigned (no transfer key): the change is in Route 53" {
	notified nsd none
}

@test "watch: BIND notifies unsigned (no transfer key): the change is in Route 53" {
	notified bind none
}

@test "watch: idle zones cost only their scheduled probes, one request each" {
	local z zones="idle1.test idle2.test idle3.test" interval=3 t0 secs r total probes
	# shellcheck disable=SC2086
	primary knot required $zones
	# synced once before: the watch's start runs are probes too
	run mirror --all "$T/w.conf"
	assert_success
	emu_reset_counters
	t0=$SECONDS
	# shellcheck disable=SC2086
	watch_begin "$interval" $zones
	# idle until each zone had two interval runs after its start run
	for z in $zones; do
		watch_until 120 runs_are "$z" 3 || { watch_show; false; }
	done
	watch_end
	secs=$((SECONDS - t0))
	watch_show
	emu_counters
	# every run was one the schedule asked for: a start run per zone,
	# then interval runs, no more than the interval allows
	[ "$(grep -c ': run (start)$' "$T/w.err")" -eq 3 ]
	total=$(grep -c ': run (' "$T/w.err")
	[ "$(grep -c ': run (interval)$' "$T/w.err")" -eq $((total - 3)) ]
	for z in $zones; do
		r=$(runs "$z")
		[ "$r" -le $((2 + secs / interval)) ]
	done
	# each a probe that found nothing (no transfer, no listing), bar
	# those SIGTERM cut short (a run just started may end before its
	# summary line): never more than one request a run
	probes=$(grep -c ' result=unchanged status=0 check=probe ' "$T/w.out")
	[ "$probes" -ge 9 ]
	[ "$(grep -c -e ' check=probe ' -e ' result=interrupted ' "$T/w.out")" -eq "$(grep -c '^zone=' "$T/w.out")" ]
	[ "$(grep -c '^zone=' "$T/w.out")" -le "$total" ]
	run grep -E ' requests=([2-9]|[1-9][0-9]+) ' "$T/w.out"
	assert_failure
	# and Route 53 saw those probes alone: ListResourceRecordSets
	# (r53dump --serial), one for each probe, at most one a run
	r=$(emu_count _total)
	[ "$(emu_count ListResourceRecordSets)" -eq "$r" ]
	[ "$r" -ge "$probes" ]
	[ "$r" -le "$total" ]
}

@test "watch: 1,000 NOTIFYs in 10 s for one zone with one new serial: at most 2 runs" {
	local serial before after
	primary knot required "$ZONE"
	watch_begin 3600 "$ZONE"
	before=$(runs "$ZONE")
	serial=$(watch_bump "$ZONE" 2)
	server_reload "$ZONE"
	run watch_notify_send "$ZONE." "$serial" 1000 10 "$LPORT" "$SERVER_KEYFILE"
	echo "$output"
	assert_output --regexp '^answered [1-9][0-9]* of 1000$'
	watch_until 60 in_route53 "$ZONE" 2 || { watch_show; false; }
	# settled: a NOTIFY with the applied serial is "not newer" only while
	# the zone neither runs nor waits to (at most 30 tries: each starts
	# python, far slower than watch_until's tick)
	local i
	for ((i = 0; i < 30; i++)); do
		watch_notify_send "$ZONE." "$serial" 1 0 "$LPORT" "$SERVER_KEYFILE" >/dev/null
		watch_until 2 log_has "$ZONE.: NOTIFY serial $serial is not newer" 2>/dev/null && break
	done
	[ "$i" -lt 30 ] || { watch_show; false; }
	after=$(runs "$ZONE")
	echo "runs for the flood: $((after - before))"
	[ $((after - before)) -ge 1 ]
	[ $((after - before)) -le 2 ]
}
