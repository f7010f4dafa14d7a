#!/usr/bin/env bats
# zxfr SERVER as people write it: a host name (localhost resolves to
# 127.0.0.1 here), ADDR:PORT and [IPv6]:PORT like zones.conf, and a
# primary pair "A,B" tried in order: a dead first primary leaves the
# second, named in #source and in --stats server_index; with
# --ixfr-from a primary whose serial is behind the base's is skipped.
# Real Knot (serial 2026112601) and BIND (2026112602) on 127.0.0.1.

load test_helper

ZONE=mirror.test

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	server_start knot "$ZONE" "$FIXTURES/mirror/$ZONE.zone"
	export OLD_PORT=$SERVER_PORT OLD_KEY=$SERVER_KEYFILE
	SERVER_KEYFILES=$OLD_KEY server_start bind "$ZONE" "$FIXTURES/mirror/$ZONE.v2.zone"
	export NEW_PORT=$SERVER_PORT
	DEAD_PORT=$(_srv_pick_port)
	export DEAD_PORT
}

teardown_file() {
	server_stop
}

stat_of() { sed -n "s/^$1=//p" "$T/stats"; }

@test "a host name as SERVER: probe and transfer, #source gives the address" {
	grep -Eq '^127\.0\.0\.1[[:space:]]+(.*[[:space:]])?localhost([[:space:]]|$)' /etc/hosts
	zxfr_run --serial -k "$OLD_KEY" -p "$NEW_PORT" "$ZONE" localhost
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2026112602 ]
	zxfr_run -k "$OLD_KEY" "$ZONE" "localhost:$NEW_PORT"
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -qx "#source dns 127.0.0.1 port $NEW_PORT tsig xfrkey" "$T/out"
	[ ! -s "$T/err" ]
}

@test "a name that does not resolve: exit 5 naming it" {
	zxfr_run --serial --stats "$T/stats" "$ZONE" no-such-primary.invalid
	[ "$status" -eq 5 ]
	grep -q "cannot resolve server 'no-such-primary.invalid'" "$T/err"
	[ "$(stat_of status)" = 5 ]
	zxfr_run -k "$OLD_KEY" "$ZONE" "no-such-primary.invalid:$OLD_PORT"
	[ "$status" -eq 5 ]
	grep -q "no-such-primary.invalid" "$T/err"
}

@test "ADDR:PORT and [IPv6]:PORT like zones.conf; -p the same is fine, different a usage error" {
	zxfr_run --serial "$ZONE" "127.0.0.1:$OLD_PORT"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2026112601 ]
	zxfr_run --serial -p "$OLD_PORT" "$ZONE" "127.0.0.1:$OLD_PORT"
	[ "$status" -eq 0 ]
	zxfr_run --serial -p "$NEW_PORT" "$ZONE" "127.0.0.1:$OLD_PORT"
	[ "$status" -eq 3 ]
	grep -q "port given twice: 127.0.0.1:$OLD_PORT and -p $NEW_PORT" "$T/err"
	# [::1]:PORT is parsed (no server listens there: a network failure)
	zxfr_run --serial --timeout 3 "$ZONE" "[::1]:$DEAD_PORT"
	[ "$status" -eq 5 ]
	grep -q "from ::1 port $DEAD_PORT" "$T/err"
	for bad in "127.0.0.1:0" "127.0.0.1:x" "[::1" "a b" "127.0.0.1," "[::1]x"; do
		zxfr_run --serial "$ZONE" "$bad"
		[ "$status" -eq 3 ] || { echo "accepted '$bad'" >&2; return 1; }
		grep -q "bad server" "$T/err"
	done
}

@test "a primary pair with the first dead: the second serves, named in #source and --stats" {
	zxfr_run -k "$OLD_KEY" --stats "$T/stats" -o "$T/z.rrset" "$ZONE" \
		"127.0.0.1:$DEAD_PORT,localhost:$NEW_PORT"
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -qx "#source dns 127.0.0.1 port $NEW_PORT tsig xfrkey" "$T/z.rrset"
	grep -qx "#serial 2026112602" "$T/z.rrset"
	[ "$(stat_of server_index)" = 2 ]
	grep -q "port $DEAD_PORT: cannot connect" "$T/err"
	grep -q "trying the next server: localhost 127.0.0.1 port $NEW_PORT" "$T/err"
	# the probe too, and the first one when it answers
	zxfr_run --serial --stats "$T/stats" "$ZONE" "127.0.0.1:$DEAD_PORT,127.0.0.1:$OLD_PORT"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2026112601 ]
	[ "$(stat_of server_index)" = 2 ]
	zxfr_run --serial --stats "$T/stats" "$ZONE" "127.0.0.1:$OLD_PORT,127.0.0.1:$NEW_PORT"
	[ "$(cat "$T/out")" = 2026112601 ]
	[ "$(stat_of server_index)" = 1 ]
	[ ! -s "$T/err" ]
	# every primary dead: exit 5
	zxfr_run --serial --timeout 3 "$ZONE" "127.0.0.1:$DEAD_PORT,localhost:$DEAD_PORT"
	[ "$status" -eq 5 ]
}

@test "--ixfr-from: a primary behind the base's serial is skipped, never the source" {
	zxfr -k "$OLD_KEY" -p "$NEW_PORT" -o "$T/base.rrset" "$ZONE" 127.0.0.1
	grep -qx "#serial 2026112602" "$T/base.rrset"
	cp "$T/base.rrset" "$T/last.rrset"
	zxfr_run -k "$OLD_KEY" --stats "$T/stats" --ixfr-from "$T/last.rrset" -o "$T/last.rrset" \
		"$ZONE" "127.0.0.1:$OLD_PORT,127.0.0.1:$NEW_PORT"
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -q "from 127.0.0.1 port $OLD_PORT: skipped: its serial 2026112601 is behind 2026112602" "$T/err"
	grep -qx "#source dns 127.0.0.1 port $NEW_PORT tsig xfrkey" "$T/last.rrset"
	grep -qx "#serial 2026112602" "$T/last.rrset"
	[ "$(stat_of server_index)" = 2 ]
	# only the older primary: nothing written, exit 5
	cp "$T/base.rrset" "$T/last.rrset"
	zxfr_run -k "$OLD_KEY" --ixfr-from "$T/last.rrset" -o "$T/last.rrset" \
		"$ZONE" "127.0.0.1:$OLD_PORT,127.0.0.1:$DEAD_PORT"
	[ "$status" -eq 5 ]
	cmp "$T/base.rrset" "$T/last.rrset"
}

@test "mirror.sh passes a primary pair with a name through to zxfr; the summary names the one used" {
	mirror_setup
	emu_start
	id=$(emu_create_zone "$ZONE" --private vpc-0test0001)
	run mirror -k "$OLD_KEY" "$ZONE" "127.0.0.1:$DEAD_PORT,localhost:$NEW_PORT" "$id"
	emu_stop
	assert_success
	grep -q -- "-- $ZONE. 127.0.0.1:$DEAD_PORT,localhost:$NEW_PORT" "$T/zxfr.calls"
	grep -qx "#source dns 127.0.0.1 port $NEW_PORT tsig xfrkey" "$T"/state/*/last/source.rrset
	# the summary names the primary used
	assert_output --partial " primary=localhost:$NEW_PORT "
	run mirror -k "$OLD_KEY" "$ZONE" "127.0.0.1:$DEAD_PORT,,localhost" "$id"
	assert_failure 3
	assert_output --partial "bad server"
}

@test "the probe of a zone the server does not serve says so, not 'refuses the transfer'" {
	for port in "$OLD_PORT" "$NEW_PORT"; do
		zxfr_run --serial "not-served.test" "127.0.0.1:$port"
		[ "$status" -eq 5 ]
		grep -q "SOA query: REFUSED (the server is not authoritative for the zone, or refuses queries from this address)" "$T/err" ||
			{ cat "$T/err"; return 1; }
		zxfr_absent -F "refuses the transfer" "$T/err"
	done
}
