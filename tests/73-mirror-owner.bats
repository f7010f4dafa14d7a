#!/usr/bin/env bats
# 73-mirror-owner.bats: scripts/mirror.sh end to end with a source whose
# SOA serial starts at 1 (its first sync leaves an SOA that looks like
# Route 53's initial one): r53apply's ownership mark (the hosted-zone tag
# r53mirror:origin) keeps every later edit flowing, at the request cost of
# 70-mirror.bats.

load test_helper

ZONE=one.test

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

# zone_v SERIAL WWW [TXT-LINE]: the source zone file for SERIAL on stdout.
zone_v() {
	cat <<EOF
\$ORIGIN $ZONE.
\$TTL 3600
@	IN SOA	ns1 hostmaster $1 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	192.0.2.53
www	IN A	$2
keep	IN A	192.0.2.1
${3:-}
EOF
}

mirror_one() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$ZONE" 127.0.0.1 "$ZID"
}

@test "mirror: a serial-1 source: first sync marks the zone; every later edit applies; then unchanged with 1 request" {
	zone_v 1 192.0.2.80 'txt	IN TXT	"hello world"' >"$T/v1.zone"
	server_start knot "$ZONE" "$T/v1.zone"
	emu_start
	ZID=$(emu_create_zone "$ZONE")
	run mirror_one
	echo "$output"
	assert_success
	assert_output --partial "result=changed"
	[ "$(r53a_mark "$ZID")" = "$ZONE." ]
	mirror_converged "$ZONE" "$ZID"
	# serial 2: one A changed, the TXT deleted
	zone_v 2 192.0.2.81 >"$T/v2.zone"
	server_update "$ZONE" "$T/v2.zone"
	emu_reset_counters
	run mirror_one
	echo "$output"
	assert_success
	assert_output --partial "result=changed"
	assert_output --partial "changes=2 adds=0 deletes=1 updates=1"
	assert_output --partial "route53-serial=1->2"
	refute_output --partial "held back"
	mirror_converged "$ZONE" "$ZID"
	# the mark cost one request: read, not written again
	[ "$(emu_count ListTagsForResource)" = 1 ]
	[ "$(emu_count ChangeTagsForResource)" = 0 ]
	# no change: one DNS query and one API request
	local calls
	calls=$(mirror_zxfr_calls)
	emu_reset_counters
	run mirror_one
	assert_success
	assert_output --partial "result=unchanged"
	assert_output --partial "requests=1 dns-queries=1"
	[ "$(mirror_zxfr_calls)" -eq $((calls + 1)) ]
	mirror_probe_requests_ok 1
	# and once more: serial 3 updates www and brings the TXT back
	zone_v 3 192.0.2.82 'txt	IN TXT	"back"' >"$T/v3.zone"
	server_update "$ZONE" "$T/v3.zone"
	run mirror_one
	echo "$output"
	assert_success
	assert_output --partial "changes=2 adds=1 deletes=0 updates=1"
	mirror_converged "$ZONE" "$ZID"
	emu_reset_counters
	run mirror_one
	assert_success
	assert_output --partial "result=unchanged"
	mirror_probe_requests_ok 1
}
