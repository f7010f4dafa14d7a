#!/usr/bin/env bats
# r53apply --current FILE: the stream the changes were computed against
# (r53dump's, or mirror.sh's snapshot of it), which the caller has just
# found to hold the zone's serial, stands for the zone's apex SOA and
# name: a small change then costs the ownership read and the change
# itself (issue 13: at most 3 requests with mirror.sh's probe).  Against
# the Route 53 emulator, counting every request.

load test_helper

setup() {
	r53a_emu
	ZID=$(emu_create_zone example.com)
	{
		printf 'www.example.com.\tA\t300\t192.0.2.80\n'
		printf 'mail.example.com.\tA\t300\t192.0.2.25\n'
		printf 'txt.example.com.\tTXT\t300\t"hello"\n'
	} | R53A_SERIAL=10 r53a_desired "$T/d1"
	R53A_SERIAL=10 r53a_pipeline "$ZID" "$T/d1"
	assert_success
	r53dump --zone-id "$ZID" -o "$T/cur"
}

teardown() {
	emu_stop
}

# reads LIST LIMIT ZONE: the emulator saw exactly that many
# ListResourceRecordSets, GetHostedZoneLimit and GetHostedZone requests.
reads() {
	[ "$(r53a_count ListResourceRecordSets)" = "$1" ] &&
		[ "$(r53a_count GetHostedZoneLimit)" = "$2" ] &&
		[ "$(r53a_count GetHostedZone)" = "$3" ] || {
		emu_counters >&2
		return 1
	}
}

# desired2 SERIAL: www changed, the rest as in d1 (into $T/d2), and the
# change stream against $T/cur (into $T/c2).
desired2() {
	{
		printf 'www.example.com.\tA\t300\t192.0.2.81\n'
		printf 'mail.example.com.\tA\t300\t192.0.2.25\n'
		printf 'txt.example.com.\tTXT\t300\t"hello"\n'
	} | R53A_SERIAL=$1 r53a_desired "$T/d2"
	run rrdiff -o "$T/c2" "$T/d2" "$T/cur"
	[ "$status" -le 1 ]
}

# soa_but_serial ZID: the zone's SOA line without its serial.
soa_but_serial() {
	r53a_list "$1" | awk '$2 == "SOA" { $6 = "-"; print }'
}

@test "--current: one update costs the ownership read and the change; the SOA comes from FILE" {
	before=$(soa_but_serial "$ZID")
	desired2 11
	emu_reset_counters
	run r53apply --zone-id "$ZID" --current "$T/cur" "$T/c2"
	echo "$output"
	assert_success
	assert_output --partial "updated 1"
	reads 0 0 0
	[ "$(r53a_count ListTagsForResource)" = 1 ]
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	r53a_converged "$ZID" "$T/d2"
	[ "$(r53a_serial "$ZID")" = 11 ]
	# Route 53's SOA kept every field but the serial
	[ "$(soa_but_serial "$ZID")" = "$before" ]
	# the same stream without --current reads the zone, its quota and its
	# SOA first (the zone moved on: computed again)
	r53dump --zone-id "$ZID" -o "$T/cur"
	{
		printf 'www.example.com.\tA\t300\t192.0.2.82\n'
		printf 'mail.example.com.\tA\t300\t192.0.2.25\n'
		printf 'txt.example.com.\tTXT\t300\t"hello"\n'
	} | R53A_SERIAL=12 r53a_desired "$T/d3"
	run rrdiff -o "$T/c3" "$T/d3" "$T/cur"
	emu_reset_counters
	run r53apply --zone-id "$ZID" "$T/c3"
	assert_success
	reads 1 1 1
}

@test "--current: FILE must be the stream the changes were computed against (exit 4, nothing sent)" {
	desired2 11
	# another serial, zone id or origin in its header, or another count
	sed 's/^#serial .*/#serial 9/' "$T/cur" >"$T/cur.serial"
	sed 's/^#zone-id .*/#zone-id ZOTHER1/' "$T/cur" >"$T/cur.id"
	awk '/^www\./ { next } /^#end / { sub(/rrsets=[0-9]+/, "rrsets=" n) }
		{ print } /^[^#]/ { n++ }' "$T/cur" >"$T/cur.count"
	grep -q '^#end rrsets=' "$T/cur.count"
	emu_reset_counters
	for f in serial id; do
		run r53apply --zone-id "$ZID" --current "$T/cur.$f" "$T/c2"
		echo "$output"
		assert_failure 4
		assert_output --partial "$T/cur.$f"
		assert_output --partial "nothing sent"
	done
	run r53apply --zone-id "$ZID" --current "$T/cur.serial" "$T/c2"
	assert_output --partial "its serial is not the change stream's current-serial"
	run r53apply --zone-id "$ZID" --current "$T/cur.count" "$T/c2"
	echo "$output"
	assert_failure 4
	assert_output --partial "current-rrsets"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	[ "$(r53a_serial "$ZID")" = 10 ]
}

@test "--current: a damaged FILE is bad input (exit 2); without --zone-id a usage error (exit 3)" {
	desired2 11
	head -n -1 "$T/cur" >"$T/cur.cut"	# no trailer
	# the apex SOA line turned into an apex TXT: the count still fits
	awk -F'\t' -v OFS='\t' '$2 == "SOA" { $2 = "TXT"; $4 = "\"x\""; NF = 4 }
		{ print }' "$T/cur" >"$T/cur.nosoa"
	! grep -q '	SOA	' "$T/cur.nosoa"
	emu_reset_counters
	run r53apply --zone-id "$ZID" --current "$T/cur.cut" "$T/c2"
	echo "$output"
	assert_failure 2
	assert_output --partial "$T/cur.cut"
	run r53apply --zone-id "$ZID" --current "$T/cur.nosoa" "$T/c2"
	echo "$output"
	assert_failure 2
	assert_output --partial "$T/cur.nosoa: no readable SOA at the apex"
	run r53apply --zone example.com --current "$T/cur" "$T/c2"
	assert_failure 3
	assert_output --partial "--current needs --zone-id"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
}

@test "--current: the quota and the thresholds are still read when they can refuse" {
	# more creates than deletes: the quota is read, and a full zone refuses
	{
		cat "$T/d1" | grep -v '^#'
		printf 'new1.example.com.\tA\t300\t192.0.2.1\n'
		printf 'new2.example.com.\tA\t300\t192.0.2.2\n'
	} | R53A_SERIAL=11 r53a_desired "$T/d2"
	run rrdiff -o "$T/c2" "$T/d2" "$T/cur"
	emu_quota 6 "$ZID"
	emu_reset_counters
	run r53apply --zone-id "$ZID" --current "$T/cur" "$T/c2"
	echo "$output"
	assert_failure 4
	assert_output --partial "over its quota of 6"
	reads 0 1 0
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	# updates beyond what any count allows (30% of --min-existing 10 is
	# 3): the zone's count is read, and the threshold refuses
	{
		printf 'www.example.com.\tA\t300\t192.0.2.99\n'
		printf 'mail.example.com.\tA\t300\t192.0.2.99\n'
		printf 'txt.example.com.\tTXT\t300\t"bye"\n'
	} | R53A_SERIAL=11 r53a_desired "$T/d3"
	run rrdiff -o "$T/c3" "$T/d3" "$T/cur"
	emu_reset_counters
	run r53apply --zone-id "$ZID" --current "$T/cur" --min-existing 2 "$T/c3"
	echo "$output"
	assert_failure 4
	assert_output --partial "updates are more than 30%"
	[ "$(r53a_count GetHostedZoneLimit)" = 1 ]
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	[ "$(r53a_serial "$ZID")" = 10 ]
}
