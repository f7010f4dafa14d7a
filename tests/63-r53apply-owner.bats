#!/usr/bin/env bats
# r53apply: ownership of a hosted zone is the tag r53mirror:origin, read
# before anything is deleted or updated and written on the first write (or
# with --adopt); never inferred from the SOA serial.  Against the Route 53
# emulator, counting every request.

load test_helper

teardown() {
	emu_stop
}

# tag_requests LIST CHANGE: the emulator saw exactly LIST ListTagsForResource
# and CHANGE ChangeTagsForResource requests since the last reset.
tag_requests() {
	[ "$(r53a_count ListTagsForResource)" = "$1" ] &&
		[ "$(r53a_count ChangeTagsForResource)" = "$2" ] || {
		emu_counters >&2
		return 1
	}
}

# sends_nothing_when API ZID STREAM MESSAGE: with every API request
# failing (HTTP 500), r53apply exits 5 saying MESSAGE and that nothing was
# sent, and sends no change.
sends_nothing_when() {
	emu_faults "{\"error5xx_rate\": 1, \"apis\": [\"$1\"]}"
	emu_reset_counters
	AWS_MAX_ATTEMPTS=2 run r53apply --zone-id "$2" "$3"
	echo "$output"
	emu_faults '{"clear": true}'
	assert_failure 5
	assert_output --partial "$4"
	assert_output --partial "nothing sent"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
}

# populated ZID: three records written by somebody else (the aws CLI).
populated() {
	r53a_aws_create "$1" old1.example.com A 300 192.0.2.1
	r53a_aws_create "$1" old2.example.com A 300 192.0.2.2
	r53a_aws_create "$1" upd.example.com A 300 192.0.2.3
}

# zone_rrsets ZID: the RRsets the hosted zone holds now, as the stream's
# current-rrsets must say (r53apply checks it against GetHostedZone).
zone_rrsets() {
	r53dump --zone-id "$1" | grep -vc '^#'
}

# deletes_stream OUT ZID [SERIAL]: delete old1 and old2, update upd, add new.
deletes_stream() {
	{
		printf -- '-\told1.example.com.\tA\t300\t192.0.2.1\n'
		printf -- '-\told2.example.com.\tA\t300\t192.0.2.2\n'
		printf '<\tupd.example.com.\tA\t300\t192.0.2.3\n>\tupd.example.com.\tA\t300\t192.0.2.4\n'
		printf '+\tnew.example.com.\tA\t300\t192.0.2.5\n'
	} | R53A_CUR_RRSETS="$(zone_rrsets "$2")" \
		R53A_EXTRA_HEADER="#current-serial ${3:-1}" r53a_stream "$1" "$2"
}

@test "owner: serial-1 source: the first sync of an empty zone marks it; later updates and deletes apply every run" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	[ -z "$(r53a_mark "$zid")" ]
	{
		printf 'www.example.com.\tA\t300\t192.0.2.80\n'
		printf 'txt.example.com.\tTXT\t300\t"hello"\n'
		printf 'keep.example.com.\tA\t300\t192.0.2.1\n'
	} | R53A_SERIAL=1 r53a_desired "$T/d1"
	emu_reset_counters
	R53A_SERIAL=1 r53a_pipeline "$zid" "$T/d1"
	echo "$output"
	assert_success
	[ "$(r53a_mark "$zid")" = example.com. ]
	# the mark cost one request: written, not read
	tag_requests 0 1
	# Route 53's SOA after this sync is exactly its initial one (serial 1)
	[ "$(r53a_serial "$zid")" = 1 ]
	r53a_converged "$zid" "$T/d1"
	# serial 2: one A changed, the TXT deleted
	{
		printf 'www.example.com.\tA\t300\t192.0.2.81\n'
		printf 'keep.example.com.\tA\t300\t192.0.2.1\n'
	} | R53A_SERIAL=2 r53a_desired "$T/d2"
	emu_reset_counters
	R53A_SERIAL=2 r53a_pipeline "$zid" "$T/d2"
	echo "$output"
	assert_success
	refute_output --partial "held"
	assert_output --partial "created 0, updated 1, deleted 1, skipped 0"
	r53a_converged "$zid" "$T/d2"
	[ "$(r53a_serial "$zid")" = 2 ]
	# the mark was read once, not written again
	tag_requests 1 0
	# and again at serial 3
	{
		printf 'www.example.com.\tA\t300\t192.0.2.82\n'
	} | R53A_SERIAL=3 r53a_desired "$T/d3"
	emu_reset_counters
	R53A_SERIAL=3 r53a_pipeline "$zid" "$T/d3"
	assert_success
	assert_output --partial "created 0, updated 1, deleted 1, skipped 0"
	r53a_converged "$zid" "$T/d3"
	tag_requests 1 0
	# nothing to change: nothing sent, no tag request
	emu_reset_counters
	R53A_SERIAL=3 r53a_pipeline "$zid" "$T/d3"
	assert_success
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	tag_requests 0 0
}

@test "owner: a zone marked for another origin is refused (exit 4), nothing sent, dry run too" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	populated "$zid"
	awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$zid" \
		--add-tags Key=r53mirror:origin,Value=other.example.
	deletes_stream "$T/c" "$zid"
	emu_reset_counters
	run r53apply --zone-id "$zid" --adopt "$T/c"
	echo "$output"
	assert_failure 4
	assert_output --partial "refused: hosted zone $zid carries the tag r53mirror:origin=other.example.: it mirrors other.example., not this stream's origin example.com."
	assert_output --partial "nothing sent"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	tag_requests 1 0
	[ "$(r53a_mark "$zid")" = other.example. ]
	run r53apply --zone-id "$zid" --dry-run "$T/c"
	assert_failure 4
	assert_output --partial "carries the tag r53mirror:origin=other.example."
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	r53a_list "$zid" | grep -qxF 'old1.example.com. A 300 192.0.2.1'
	# The mark compares as a name: case and a final dot do not matter.
	awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$zid" \
		--add-tags Key=r53mirror:origin,Value=EXAMPLE.com
	apply_ok "$zid" "$T/c"
	! r53a_list "$zid" | grep -q '^old'
}

@test "owner: an unmarked zone with others' records holds deletes and updates on every run; --adopt marks it and applies" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	populated "$zid"
	deletes_stream "$T/c" "$zid"
	# a dry run reads the mark so that its plan is true: held, no SOA
	emu_reset_counters
	run r53apply --zone-id "$zid" --dry-run "$T/c"
	echo "$output"
	assert_success
	refute_output --partial "- old1"
	assert_line --partial "held: line"
	refute_output --partial "would tag"
	tag_requests 1 0
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	for i in 1 2; do
		emu_reset_counters
		run r53apply --zone-id "$zid" "$T/c"
		echo "$output"
		assert_failure 1
		assert_output --partial "has no tag r53mirror:origin and holds records r53mirror did not write: 3 deletes and updates held back (use --adopt"
		tag_requests 1 0
		[ -z "$(r53a_mark "$zid")" ]
		# the SOA stays Route 53's: the zone is not taken for ours later
		[ "$(r53a_serial "$zid")" = 1 ]
		r53a_list "$zid" | grep -qxF 'old1.example.com. A 300 192.0.2.1'
		deletes_stream "$T/c" "$zid"
		sed -i '/^+/d; s/adds=1/adds=0/; s/changes=4/changes=3/' "$T/c"
		sed -i 's/desired-rrsets=[0-9]*/desired-rrsets=4/' "$T/c"
	done
	# --adopt --dry-run says it would mark the zone, and sends nothing
	emu_reset_counters
	run r53apply --zone-id "$zid" --adopt --dry-run "$T/c"
	assert_success
	assert_output --partial "dry run: would tag hosted zone $zid r53mirror:origin=example.com."
	assert_line --regexp '^- old1\.example\.com\. 300 A 192\.0\.2\.1$'
	tag_requests 1 0
	[ -z "$(r53a_mark "$zid")" ]
	# --adopt: marked first, then applied; one read and one write
	emu_reset_counters
	apply_ok "$zid" "$T/c" --adopt
	tag_requests 1 1
	[ "$(r53a_mark "$zid")" = example.com. ]
	! r53a_list "$zid" | grep -q '^old'
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	# from then on no --adopt is needed
	{
		printf -- '-\tnew.example.com.\tA\t300\t192.0.2.5\n'
	} | R53A_SERIAL=2024052003 R53A_CUR_RRSETS=4 R53A_EXTRA_HEADER="#current-serial 2024052002" r53a_stream "$T/c3" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/c3"
	tag_requests 1 0
	! r53a_list "$zid" | grep -q '^new'
}

@test "owner: a legacy zone (SOA stamped by an earlier r53apply, no mark) gets the mark and works" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	populated "$zid"
	r53a_batch_file "$T/soa.json" UPSERT example.com SOA 900 \
		"ns-2048.awsdns-64.net. awsdns-hostmaster.amazon.com. 2024052001 7200 900 1209600 86400"
	emu_change "$zid" "$T/soa.json" >/dev/null
	deletes_stream "$T/c" "$zid" 2024052001
	emu_reset_counters
	run r53apply --zone-id "$zid" "$T/c"
	echo "$output"
	assert_success
	assert_output --partial "no tag r53mirror:origin, but its SOA was written by an earlier r53apply: marking it"
	assert_output --partial "created 1, updated 1, deleted 2, skipped 0"
	tag_requests 1 1
	[ "$(r53a_mark "$zid")" = example.com. ]
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}

@test "owner: creates only: no tag request; a mark that cannot be written or read sends nothing; --offline reads nothing" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	populated "$zid"
	# creates into a zone with records: nothing is deleted or replaced,
	# so the mark is neither read nor written
	r53a_adds 3 h | R53A_CUR_RRSETS=5 R53A_EXTRA_HEADER="#current-serial 1" r53a_stream "$T/a" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/a"
	tag_requests 0 0
	[ -z "$(r53a_mark "$zid")" ]
	# an empty zone whose mark cannot be written: nothing is sent
	z2=$(emu_create_zone example.com)
	r53a_adds 3 h | R53A_CUR_RRSETS=2 r53a_stream "$T/b" "$z2"
	sends_nothing_when ChangeTagsForResource "$z2" "$T/b" \
		"cannot mark the zone as this mirror's (tag r53mirror:origin)"
	apply_ok "$z2" "$T/b"
	[ "$(r53a_mark "$z2")" = example.com. ]
	# a mark that cannot be read: nothing sent either
	deletes_stream "$T/c" "$zid"
	sends_nothing_when ListTagsForResource "$zid" "$T/c" \
		"cannot read the ownership mark (tag r53mirror:origin)"
	[ "$(r53a_count ChangeTagsForResource)" = 0 ]
	# --offline: no request at all, the plan is that of our own zone
	emu_reset_counters
	run r53apply --zone-id "$zid" --dry-run --offline "$T/c"
	assert_success
	assert_line --regexp '^- old1\.example\.com\. 300 A 192\.0\.2\.1$'
	[ "$(emu_count _total)" = 0 ]
}
