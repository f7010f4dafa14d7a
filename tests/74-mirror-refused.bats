#!/usr/bin/env bats
# 74-mirror-refused.bats: scripts/mirror.sh end to end with a source that
# holds one RRset Route 53 refuses for itself (an apex CAA set with a
# critical record of a tag Route 53 does not accept).  That RRset blocks
# nothing: everything else applies, the serial follows the source, the
# probe returns to 1 request, every full compare reports skipped=1, and
# removing the record from the source converges the zone.

load test_helper

ZONE=refused.test

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

# zone_v SERIAL WWW [EXTRA-LINES]: the source zone file on stdout.
zone_v() {
	cat <<EOF
\$ORIGIN $ZONE.
\$TTL 3600
@	IN SOA	ns1 hostmaster $1 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	192.0.2.53
www	IN A	$2
old	IN TXT	"to be deleted"
${3:-}
EOF
	local i
	for i in $(seq 1 30); do
		printf 'h%02d\tIN A\t192.0.2.%d\n' "$i" "$i"
	done
}

mirror_one() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$ZONE" 127.0.0.1 "$ZID"
}

# summary_word KEY: the value of KEY=... in the last summary of $output.
summary_word() {
	printf '%s\n' "$output" | grep -o " $1=[^ ]*" | tail -n 1 | cut -d= -f2-
}

@test "mirror: one RRset Route 53 refuses blocks nothing; probe back to 1 request; skipped=1 each full compare; removal converges" {
	local caa='@	IN CAA	0 issue "letsencrypt.org"
@	IN CAA	128 tbs "x"'
	zone_v 1 192.0.2.80 "$caa" >"$T/v1.zone"
	server_start knot "$ZONE" "$T/v1.zone"
	emu_start
	ZID=$(emu_create_zone "$ZONE")

	# First sync: all but the CAA set applied, serial stamped, exit 1.
	emu_reset_counters
	run mirror_one
	echo "$output"
	[ "$status" -eq 1 ]
	assert_output --partial "skipped=1"
	assert_output --partial "result=changed"
	assert_output --partial "skipped-list="
	# the refusal reaches mirror.sh's stderr on this run
	assert_output --partial "CAARDATAIncorrectFormat"
	[ "$(emu_count ChangeResourceRecordSets)" -le 3 ]
	# requests= is every request the emulator received
	[ "$(summary_word requests)" = "$(emu_count _total)" ]
	r53dump --zone-id "$ZID" -o "$T/r1.rrset"
	grep -q "^h30\.$ZONE\.	A	3600	192\.0\.2\.30$" "$T/r1.rrset"
	run grep -c "	CAA	" "$T/r1.rrset"
	[ "$output" = 0 ]

	# Serial 2: www changes, the TXT goes: both apply despite the CAA.
	zone_v 2 192.0.2.81 "$caa" | grep -v '^old' >"$T/v2.zone"
	server_update "$ZONE" "$T/v2.zone"
	run mirror_one
	echo "$output"
	[ "$status" -eq 1 ]
	assert_output --partial "route53-serial=1->2"
	assert_output --partial "skipped=1"
	refute_output --partial "held back"
	r53dump --zone-id "$ZID" -o "$T/r2.rrset"
	grep -q "^www\.$ZONE\.	A	3600	192\.0\.2\.81$" "$T/r2.rrset"
	run grep -c "^old\.$ZONE\.	" "$T/r2.rrset"
	[ "$output" = 0 ]
	# the serial follows the source although the CAA is still refused
	[ "$(awk -F'\t' '$2 == "SOA" { split($4, w, " "); print w[3] }' "$T/r2.rrset")" = 2 ]

	# No change: the probe, one DNS query and one API request.
	emu_reset_counters
	run mirror_one
	echo "$output"
	assert_success
	assert_output --partial "result=unchanged"
	mirror_probe_requests_ok 1

	# A full compare retries the CAA and reports it again.
	run mirror_one --full
	echo "$output"
	[ "$status" -eq 1 ]
	assert_output --partial "skipped=1"

	# The refused record leaves the source: the zone converges.
	zone_v 3 192.0.2.81 '@	IN CAA	0 issue "letsencrypt.org"' | grep -v '^old' >"$T/v3.zone"
	server_update "$ZONE" "$T/v3.zone"
	run mirror_one
	echo "$output"
	assert_success
	assert_output --partial "skipped=0"
	mirror_converged "$ZONE" "$ZID"
	emu_reset_counters
	run mirror_one
	assert_success
	assert_output --partial "result=unchanged"
	mirror_probe_requests_ok 1
}
