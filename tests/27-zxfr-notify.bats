#!/usr/bin/env bats
# zxfr --listen: the NOTIFY listener (RFC 1996, issue 14).  BIND, Knot
# and NSD as primaries send real NOTIFYs (unsigned for plain.test, TSIG
# for keyed.test) after a zone reload; the listener prints "ZONE SERIAL".
# Forged NOTIFYs (tests/helpers/notify_send.py) are refused, counted, print
# nothing, and the listener keeps serving.

load test_helper

setup_file() {
	# The servers and their NOTIFY target port are shared: in order.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local kind z
	for z in plain.test keyed.test; do
		notify_zone "$z" 1 >"$BATS_FILE_TMPDIR/$z.zone"
	done
	# one port the servers notify, kept for the whole file
	SRV_NOTIFY_PORT=$(_srv_pick_port)
	export SRV_NOTIFY_PORT
	for kind in bind knot nsd; do
		server_start "$kind" plain.test "$BATS_FILE_TMPDIR/plain.test.zone" \
			keyed.test "$BATS_FILE_TMPDIR/keyed.test.zone"
		"notify_primary_$kind" "$SRV_NOTIFY_PORT"
		eval "export PORT_$kind=$SERVER_PORT DIR_$kind=$SERVER_DIR KEY_$kind=$SERVER_KEYFILE"
	done
}

teardown_file() {
	server_stop
}

teardown() {
	notify_stop
}

# use KIND: make KIND's server the current one.
use() {
	SERVER_KIND=$1
	SERVER_PORT=$(eval echo "\$PORT_$1")
	SERVER_DIR=$(eval echo "\$DIR_$1")
	SERVER_KEYFILE=$(eval echo "\$KEY_$1")
}

# serial_next ZONE: one more than what the current server serves.
serial_next() {
	echo $(($(server_serial "$1") + 1))
}

# primary_test KIND: both zones edited and reloaded on KIND; the listener
# prints each new serial (keyed.test only with the key's TSIG).
primary_test() {
	local kind=$1 s1 s2
	use "$kind"
	printf 'plain.test 127.0.0.1\nkeyed.test 127.0.0.1 %s\n' \
		"$SERVER_KEYFILE" >"$T/zones"
	notify_start "$SRV_NOTIFY_PORT" "$T/zones"
	s1=$(serial_next plain.test)
	s2=$(serial_next keyed.test)
	notify_zone plain.test "$s1" >"$T/p.zone"
	notify_zone keyed.test "$s2" >"$T/k.zone"
	server_update plain.test "$T/p.zone"
	server_update keyed.test "$T/k.zone"
	notify_wait_line "plain.test. $s1"
	notify_wait_line "keyed.test. $s2"
	notify_stop
	[ "$NOTIFY_RC" = 0 ]
	grep -q "NOTIFY keyed.test. from 127.0.0.1: accepted, serial $s2 (TSIG verified)" "$T/nerr"
	[ "$(notify_stat notify_notauth)" = 0 ]
	[ "$(notify_stat notify_refused)" = 0 ]
	[ "$(notify_stat notify_accepted)" -ge 2 ]
}

@test "BIND notifies (UDP, with and without TSIG): the new serials are printed" {
	primary_test bind
}

@test "Knot notifies (TCP, with and without TSIG): the new serials are printed" {
	primary_test knot
	[ "$(notify_stat notify_tcp)" -ge 1 ]
}

@test "NSD notifies (with and without TSIG): the new serials are printed" {
	primary_test nsd
}

@test "a keyed zone's NOTIFY from a real primary without the key: NOTAUTH, no line" {
	# BIND signs keyed.test's NOTIFY with its key; the listener holds
	# another key for the zone, so the MAC cannot verify
	use bind
	tsig-keygen -a hmac-sha256 "$(_srv_key_field "$SERVER_KEYFILE" name)" >"$T/other.key"
	printf 'keyed.test 127.0.0.1 %s\n' "$T/other.key" >"$T/zones"
	notify_start "$SRV_NOTIFY_PORT" "$T/zones"
	notify_zone keyed.test "$(serial_next keyed.test)" >"$T/k.zone"
	server_update keyed.test "$T/k.zone"
	for _ in $(seq 1 100); do
		grep -q 'NOTAUTH (BADSIG)' "$T/nerr" && break
		sleep 0.1
	done
	notify_stop
	grep -q 'NOTIFY keyed.test. from 127.0.0.1: NOTAUTH (BADSIG)' "$T/nerr"
	[ ! -s "$T/nout" ]
	[ "$(notify_stat notify_accepted)" = 0 ]
	[ "$(notify_stat notify_notauth)" -ge 1 ]
}
