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
	assert_output --partial "created 2500, updated 0, deleted 0, skipped 0, requests 3,"
	retries=$(r53a_json_get "$T/rep.json" 'd["retries"]')
	echo "retries $retries" >&3
	[ "$retries" -gt 0 ]
	[ "$(r53a_json_get "$T/rep.json" 'd["change_requests"]')" = 3 ]
	emu_counters | grep -q Throttling
	emu_counters | grep -q PriorRequestNotComplete
	emu_faults '{"clear": true}'
	r53a_converged "$zid" "$T/des"
	[ "$(r53a_serial "$zid")" = 2024052002 ]
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
	[ "$(r53a_json_get "$T/rep.json" '[b["ambiguous"] for b in d["batches"]]' | paste -sd,)" = "false,true,false" ]
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
	[ "$(r53a_json_get "$T/rep.json" '[b["state"] for b in d["batches"]]' | paste -sd,)" = "applied,failed,not-sent" ]
	r53a_json_get "$T/rep.json" 'd["batches"][1]["message"]' | grep -qi throttl
	[ "$(r53a_json_get "$T/rep.json" 'd["exit_status"]')" = 7 ]
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
