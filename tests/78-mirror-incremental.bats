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

# ------------------------------------------------------ rrdiff --patch

# streams: a Route 53 dump (base), a source (src), their changes (ch).
streams() {
	cat >"$T/base" <<'EOS'
#!r53mirror-rrset 1
#origin ex.test.
#serial 5
#producer r53dump 0.1.0
#zone-id Z1
a.ex.test.	A	300	192.0.2.1
b.ex.test.	A	300	192.0.2.2
ex.test.	NS	172800	ns-1.awsdns-1.com.
ex.test.	SOA	900	ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 5 7200 900 1209600 86400
#end rrsets=4
EOS
	cat >"$T/src" <<'EOS'
#!r53mirror-rrset 1
#origin ex.test.
#serial 6
#producer zxfr 0.1.0
a.ex.test.	A	600	192.0.2.1
c.ex.test.	A	300	192.0.2.3
ex.test.	NS	3600	ns1.ex.test.
ex.test.	SOA	3600	ns1.ex.test. h.ex.test. 6 7200 900 1209600 300
#end rrsets=4
EOS
	run rrdiff -o "$T/ch" "$T/src" "$T/base"
	assert_failure 1
}

@test "rrdiff --patch: the base with the changes applied, the serial written into the SOA" {
	streams
	run rrdiff --patch "$T/ch" -o "$T/out" --stats "$T/st" "$T/base"
	assert_success
	run rrdiff "$T/src" "$T/out"
	assert_success
	grep -q '^#serial 6$' "$T/out"
	grep -q '^#zone-id Z1$' "$T/out"
	grep -q '^ex\.test\.	SOA	900	ns-1\.awsdns-1\.com\. awsdns-hostmaster\.amazon\.com\. 6 7200 ' "$T/out"
	grep -q '^ex\.test\.	NS	172800	ns-1\.awsdns-1\.com\.$' "$T/out"
	grep -q '^adds=1$' "$T/st"
	grep -q '^deletes=1$' "$T/st"
	grep -q '^updates=1$' "$T/st"
}

@test "rrdiff --patch: changes not computed against the base are refused, nothing written" {
	streams
	sed 's/192\.0\.2\.2$/192.0.2.9/' "$T/base" >"$T/base2"
	run rrdiff --patch "$T/ch" -o "$T/out" "$T/base2"
	assert_failure 2
	assert_output --partial "ch:"
	assert_output --partial "b.ex.test.	A: changes an RRset the base holds otherwise"
	[ ! -e "$T/out" ]
	sed 's/^#serial 5$/#serial 4/' "$T/base" >"$T/base3"
	run rrdiff --patch "$T/ch" "$T/base3"
	assert_failure 2
	assert_output --partial "current-serial is 5"
	refute_output --partial "#end"
	run rrdiff --patch "$T/ch" --ignore-ttl "$T/base"
	assert_failure 3
}

# ------------------------------------------------------------- mirror.sh

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
