#!/usr/bin/env bats
# r53apply under faults, against the Route 53 emulator: throttling,
# connections lost after a batch was applied, 5xx answers, retries that run
# out, thresholds; every run ends with the zone converged (r53dump | rrdiff
# shows no change) and nothing applied twice.

load test_helper

setup() {
	r53a_emu
	zid=$(emu_create_zone example.com)
	emu_quota 100000
}

teardown() {
	emu_stop
}

# desired zone: N A records (plus the given extra lines) -> $T/des
make_desired() {
	{ r53a_adds "$1" h | sed 's/^+\t//'; } | r53a_desired "$T/des"
}

@test "r53apply faults: 50% Throttling + PriorRequestNotComplete on every API still converges" {
	make_desired 2500
	emu_faults '{"throttle_rate": 0.3, "prior_request_rate": 0.2, "seed": 11}'
	export AWS_MAX_ATTEMPTS=14
	r53a_pipeline "$zid" "$T/des" --report "$T/rep.json"
	echo "$output"
	assert_success
	assert_output --partial "created 2500, updated 0, deleted 0, skipped 0, change requests 3,"
	retries=$(r53a_jq "$T/rep.json" '.retries')
	echo "retries $retries" >&3
	[ "$retries" -gt 0 ]
	[ "$(r53a_jq "$T/rep.json" '.change_requests')" = 3 ]
	emu_counters | grep -q Throttling
	emu_counters | grep -q PriorRequestNotComplete
	emu_faults '{"clear": true}'
	r53a_converged "$zid" "$T/des"
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}

@test "r53apply faults: the summary's requests count every HTTP request sent, retries included, as the emulator saw them" {
	make_desired 50
	r53dump --zone-id "$zid" -o "$T/cur"
	rrdiff -o "$T/c" "$T/des" "$T/cur" || true
	emu_reset_counters
	emu_faults '{"script": ["throttle", "prior", "ok"], "apis": ["ChangeResourceRecordSets"]}'
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_success
	total=$(emu_count _total)
	retries=$(r53a_jq "$T/rep.json" '.retries')
	echo "# HTTP requests $total, retries $retries" >&3
	[ "$retries" -gt 0 ]
	assert_output --partial "change requests 1, requests $total, retries $retries,"
	[ "$(r53a_jq "$T/rep.json" '.http_requests')" = "$total" ]
}

@test "r53apply faults: connection dropped after batch 2 was applied: re-read, not resent, run completes" {
	make_desired 2500
	emu_faults '{"drop_after_change": 2}'
	r53a_pipeline "$zid" "$T/des" --report "$T/rep.json"
	echo "$output"
	assert_success
	assert_output --partial "re-reading the zone"
	# three batches, three change requests: the dropped one was not resent
	[ "$(r53a_count ChangeResourceRecordSets)" = 3 ]
	[ "$(r53a_jq "$T/rep.json" '.batches[].ambiguous' | paste -sd,)" = "false,true,false" ]
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 2500 ]
	# a rerun of the whole pipeline finds nothing to do
	emu_reset_counters
	r53a_pipeline "$zid" "$T/des"
	assert_success
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	r53a_converged "$zid" "$T/des"
}

@test "r53apply faults: a 5xx before the change applied: re-read shows it did not, sent once more" {
	make_desired 50
	emu_faults '{"script": ["500"], "apis": ["ChangeResourceRecordSets"]}'
	r53a_pipeline "$zid" "$T/des"
	echo "$output"
	assert_success
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 50 ]
	r53a_converged "$zid" "$T/des"
}

@test "r53apply faults: a 503 after the change applied (after_change) is resolved by re-reading" {
	make_desired 1500
	emu_faults '{"drop_after_change": 1, "after_change": "503"}'
	r53a_pipeline "$zid" "$T/des"
	echo "$output"
	assert_success
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	r53a_converged "$zid" "$T/des"
}

@test "r53apply faults: retries exhausted in batch 2 stop the run (exit 7), the report names the batches; a rerun converges" {
	make_desired 2500
	emu_faults '{"script": ["ok", "throttle", "throttle", "throttle", "throttle"], "apis": ["ChangeResourceRecordSets"]}'
	export AWS_MAX_ATTEMPTS=3
	r53a_pipeline "$zid" "$T/des" --report "$T/rep.json"
	echo "$output"
	assert_failure 7
	assert_output --partial "batch 2 of 3 could not be sent"
	[ "$(r53a_jq "$T/rep.json" '.batches[].state' | paste -sd,)" = "applied,failed,not-sent" ]
	r53a_jq "$T/rep.json" '.batches[1].message' | grep -qi throttl
	[ "$(r53a_jq "$T/rep.json" '.exit_status')" = 7 ]
	# not everything applied: the SOA serial is not written
	[ "$(r53a_serial "$zid")" = 1 ]
	emu_faults '{"clear": true}'
	unset AWS_MAX_ATTEMPTS
	r53a_pipeline "$zid" "$T/des" --adopt
	echo "$output"
	assert_success
	r53a_converged "$zid" "$T/des"
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 2500 ]
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}

@test "r53apply faults: Route 53 unreachable: nothing applied, exit 5" {
	make_desired 10
	r53dump --zone-id "$zid" -o "$T/cur"
	rrdiff -o "$T/c" "$T/des" "$T/cur" || true
	emu_stop
	export AWS_MAX_ATTEMPTS=2
	run r53apply --zone-id "$zid" "$T/c"
	assert_failure 5
}

@test "r53apply faults: thresholds refuse a mass delete; nothing sent" {
	make_desired 40
	r53a_pipeline "$zid" "$T/des"
	assert_success
	# the source lost 20 of its 40 records
	{ r53a_adds 20 h | sed 's/^+\t//'; } | R53A_SERIAL=2024052003 r53a_desired "$T/des2"
	emu_reset_counters
	r53a_pipeline "$zid" "$T/des2"
	assert_failure 4
	assert_output --partial "20 deletes are more than 30% of the 42 existing RRsets"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	r53a_pipeline "$zid" "$T/des2" --max-delete-pct 50
	assert_success
	r53a_converged "$zid" "$T/des2"
}

@test "r53apply faults: thresholds cannot be talked around: an edited current-rrsets is refused (exit 4), nothing sent" {
	make_desired 400
	r53a_pipeline "$zid" "$T/des"
	assert_success
	# the source lost 375 of its 400 records: 375 of 402 RRsets deleted
	{ r53a_adds 25 h | sed 's/^+\t//'; } | R53A_SERIAL=2024052003 r53a_desired "$T/des2"
	r53dump --zone-id "$zid" -o "$T/cur"
	rrdiff -o "$T/c" "$T/des2" "$T/cur" || true
	grep -q 'current-rrsets=402 ' "$T/c"
	emu_reset_counters
	# the word alone edited: 375 deletes look like 0.4% of the zone
	sed 's/current-rrsets=402 /current-rrsets=100000 /' "$T/c" >"$T/big"
	run r53apply --zone-id "$zid" "$T/big"
	echo "$output"
	assert_failure 4
	assert_output --partial "computed against 100000 RRsets (current-rrsets), the hosted zone holds 402 (GetHostedZone)"
	assert_output --partial "nothing sent"
	# or below --min-existing, where no threshold applies
	sed 's/current-rrsets=402 /current-rrsets=9 /' "$T/c" >"$T/small"
	run r53apply --zone-id "$zid" "$T/small"
	echo "$output"
	assert_failure 4
	assert_output --partial "deletes or updates 375 RRsets of the 9 it says the zone held"
	# which the stream itself shows, with no request at all
	run r53apply --zone-id "$zid" --dry-run --offline "$T/small"
	assert_failure 4
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 400 ]
	# the stream as computed: the thresholds speak; raised, it applies
	run r53apply --zone-id "$zid" "$T/c"
	assert_failure 4
	assert_output --partial "375 deletes are more than 30% of the 402 existing RRsets"
	run r53apply --zone-id "$zid" --max-delete-pct 95 "$T/c"
	echo "$output"
	assert_success
	r53a_converged "$zid" "$T/des2"
}

@test "r53apply faults: the same 1,500 adds applied twice: the second run finds them in place, no bisection, few requests" {
	r53a_adds 1500 h | r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" "$T/c"
	echo "$output"
	assert_success
	assert_output --partial "created 1500, updated 0, deleted 0, skipped 0"
	# an earlier run (or another process) already applied everything
	emu_reset_counters
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_success
	# the first batch is refused (an answer too long to name the RRsets
	# here); one walk over the zone settles it and the later batch
	assert_output --partial "created 0, updated 0, deleted 0, already applied 1500, skipped 0, change requests 1,"
	refute_output --partial "rejected by Route 53"
	changes=$(r53a_count ChangeResourceRecordSets)
	lists=$(r53a_count ListResourceRecordSets)
	echo "# change requests $changes, list requests $lists" >&3
	[ "$changes" = 1 ]
	[ $((changes + lists)) -le 10 ]
	[ "$(r53a_jq "$T/rep.json" '.already_applied')" = 1500 ]
	[ "$(r53a_jq "$T/rep.json" '.created')" = 0 ]
	[ "$(r53a_jq "$T/rep.json" '.rejected')" = 0 ]
	[ "$(r53a_jq "$T/rep.json" '.already_applied_changes | length')" = 1500 ]
	[ "$(r53a_jq "$T/rep.json" '.not_applied | length')" = 0 ]
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 1500 ]
}

@test "r53apply faults: adds applied twice, one RRset changed meanwhile: that one is an offender (exit 1), the rest already applied" {
	r53a_adds 1500 h | r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" "$T/c"
	assert_success
	# someone changed one of them by hand: same key, other value
	r53a_batch_file "$T/up.json" UPSERT h00777.example.com. A 300 192.0.2.77
	emu_change "$zid" "$T/up.json" >/dev/null
	# and another with the same value but another TTL
	r53a_batch_file "$T/up2.json" UPSERT h01222.example.com. A 60 10.0.4.198
	emu_change "$zid" "$T/up2.json" >/dev/null
	emu_reset_counters
	# one <Message> per refused change, as Route 53's XML form has it
	emu_faults '{"icb_form": "messages"}'
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "already applied 1498,"
	assert_output --partial "h00777.example.com."
	assert_output --partial "already exists"
	changes=$(r53a_count ChangeResourceRecordSets)
	lists=$(r53a_count ListResourceRecordSets)
	echo "# change requests $changes, list requests $lists" >&3
	[ $((changes + lists)) -le 10 ]
	[ "$(r53a_jq "$T/rep.json" '.rejected')" = 2 ]
	[ "$(r53a_jq "$T/rep.json" '.already_applied')" = 1498 ]
	[ "$(r53a_jq "$T/rep.json" '.not_applied[].key' | paste -sd,)" = "h00777.example.com. A,h01222.example.com. A" ]
	# the hand-made values are still there
	r53a_list "$zid" | grep -qx 'h00777.example.com. A 300 192.0.2.77'
	r53a_list "$zid" | grep -qx 'h01222.example.com. A 60 10.0.4.198'
}

@test "r53apply faults: deletes applied twice: 'not found' RRsets that are absent count as already applied" {
	r53a_adds 30 h | r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" "$T/c"
	assert_success
	# delete two of them (few: one read each) and then 25 (a walk)
	for n in 2 25; do
		r53a_adds "$n" h | sed 's/^+/-/' | R53A_SERIAL= r53a_stream "$T/d$n" "$zid"
	done
	run r53apply --zone-id "$zid" --force "$T/d2"
	assert_success
	assert_output --partial "deleted 2,"
	emu_reset_counters
	run r53apply --zone-id "$zid" --force --report "$T/rep2.json" "$T/d2"
	echo "$output"
	assert_success
	assert_output --partial "deleted 0, already applied 2, skipped 0, change requests 1,"
	[ "$(r53a_count ListResourceRecordSets)" -le 3 ]
	[ "$(r53a_jq "$T/rep2.json" '.already_applied')" = 2 ]
	run r53apply --zone-id "$zid" --force "$T/d25"
	echo "$output"
	assert_success
	assert_output --partial "deleted 23, already applied 2, skipped 0, change requests 2,"
	[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 5 ]
	emu_reset_counters
	run r53apply --zone-id "$zid" --force "$T/d25"
	echo "$output"
	assert_success
	assert_output --partial "deleted 0, already applied 25, skipped 0, change requests 1,"
	[ "$(r53a_count ListResourceRecordSets)" -le 3 ]
}

# walk_names_stream OUT KIND-FOR-ADDS KIND-FOR-DELS: adds and deletes at
# names whose listing order differs from the order of the names as sent
# ("*" sent raw, listed \052; a leading "-" sent \055, listed raw; "/"
# sent raw, listed \057; a space \040 both ways).
walk_names() {
	local k1="$1" k2="$2" n
	for n in '*' '\045x' '0/26' 'a\032b' a b; do
		printf '%s\t%s.example.com.\tA\t300\t192.0.2.1\n' "$k1" "$n"
	done
	for n in 0 '\045y' '1/26' 'z\032z' '_z' '0\042q'; do
		printf '%s\t%s.example.com.\tA\t300\t192.0.2.9\n' "$k2" "$n"
	done
}

@test "r53apply faults: re-read walk in Route 53's listing order ('*', leading '-', '/', escapes): a delete not applied is never taken as done" {
	walk_names + + | R53A_CUR_RRSETS=2 r53a_stream "$T/c0" "$zid"
	run r53apply --zone-id "$zid" "$T/c0"
	echo "$output"
	assert_success
	assert_output --partial "created 12,"
	# the adds are in place already (refused: "already exists"), the
	# deletes are not: the walk must list them, not call them absent
	walk_names + - | R53A_CUR_RRSETS=14 R53A_SERIAL=2024052003 r53a_stream "$T/c1" "$zid"
	run r53apply --zone-id "$zid" --force --report "$T/rep.json" "$T/c1"
	echo "$output"
	r53a_list "$zid"
	assert_success
	assert_output --partial "deleted 6, already applied 6,"
	[ "$(r53a_list "$zid" | grep -c '192.0.2.9')" = 0 ]
	[ "$(r53a_list "$zid" | grep -c '192.0.2.1$')" = 6 ]
	[ "$(r53a_jq "$T/rep.json" '.already_applied_changes[].kind' | sort -u)" = "+" ]
	[ "$(r53a_serial "$zid")" = 2024052003 ]
	# and once more: now everything is in place
	run r53apply --zone-id "$zid" --force "$T/c1"
	echo "$output"
	assert_success
	assert_output --partial "deleted 0, already applied 12,"
}

@test "r53apply faults: rerun after an interrupted run: a later batch's delete before '*' in Route 53's order is sent, not taken as done" {
	# the packer places '*' (six records) first, then the SOA UPSERT in
	# the other batch, then the rest where the load is least: the delete
	# of 0. goes with the SOA, in the batch sent last (checked below)
	star=$(printf '192.0.2.%d\t' 1 2 3 4 5 6)
	star=${star%$'\t'}
	{
		printf '+\t*.example.com.\tA\t300\t%s\n' "$star"
		printf '+\t0.example.com.\tA\t300\t192.0.2.1\n'
		r53a_adds 1500 h A 192.0.2.1
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c0" "$zid"
	run r53apply --zone-id "$zid" "$T/c0"
	assert_success
	{
		printf '+\t*.example.com.\tA\t300\t%s\n' "$star"
		printf -- '-\t0.example.com.\tA\t300\t192.0.2.1\n'
		r53a_adds 1500 h A 192.0.2.1
	} | R53A_CUR_RRSETS=1504 R53A_SERIAL=2024052003 r53a_stream "$T/c1" "$zid"
	run r53apply -v --dry-run --zone-id "$zid" --force "$T/c1"
	echo "$output" | grep -E "^batch|CREATE \\*|DELETE 0\\."
	[ "$(echo "$output" | grep -E '^batch|CREATE \*|DELETE 0\.' | cut -c1-10 | paste -sd,)" = "batch 1/2:,  CREATE *,batch 2/2:,  DELETE 0" ]
	# the first batch is refused ("already exists"); its walk passes
	# the later batch's delete of 0., which must be found present
	run r53apply --zone-id "$zid" --force --report "$T/rep.json" "$T/c1"
	echo "$output"
	assert_success
	assert_output --partial "deleted 1, already applied 1501,"
	! r53a_list "$zid" | grep -q '^0\.example\.com\.'
	[ "$(r53a_serial "$zid")" = 2024052003 ]
}
