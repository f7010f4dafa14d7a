#!/usr/bin/env bats
# 65-r53apply-dryrun.bats: r53apply --dry-run prints the plan in DNS terms,
# one line a change ("+ NAME TTL TYPE VALUES", "- ...", "~ NAME TYPE old
# -> new"), then the request count and the lower bound; the API batches
# (an update is a DELETE and a CREATE there) only with -v; --json is
# unchanged.  mirror.sh --dry-run shows the same plan.

load test_helper
bats_require_minimum_version 1.5.0

teardown() {
	emu_stop
	server_stop
}

@test "r53apply --dry-run: one line a change in DNS terms, then the requests; no batches" {
	run --separate-stderr r53apply --dry-run --offline --zone-id ZTEST1 "$FIXTURES/r53apply/basic.change"
	assert_success
	assert_output "zone ZTEST1 origin example.com.: 6 changes, 6 to send, 0 skipped, 0 held
+ new.example.com. 300 A 192.0.2.10
- old.example.com. 300 A 192.0.2.9
- sw.example.com. 300 A 192.0.2.7
+ sw.example.com. 300 CNAME target.example.net.
+ txt.example.com. 300 TXT \"hello world\" \"x\\\"y\"
~ www.example.com. A 300 192.0.2.80 -> 300 192.0.2.81
requests 1, lower bound 1 (7 ResourceRecord elements, 87 Value characters)"
	refute_output --partial "batch"
	refute_output --partial "CREATE"
	[ -z "$stderr" ]
}

@test "r53apply --dry-run: updates show the TTL and every value, old and new; skipped lines stay" {
	{
		printf '<\tmx.example.com.\tMX\t3600\t10 a.example.net.\t20 b.example.net.\n'
		printf '>\tmx.example.com.\tMX\t300\t10 a.example.net.\t30 c.example.net.\n'
		printf '<\tttl.example.com.\tA\t300\t192.0.2.1\n>\tttl.example.com.\tA\t600\t192.0.2.1\n'
		printf -- '-\tgone.example.com.\tAAAA\t300\t2001:db8::1\t2001:db8::2\n'
		printf '+\thinfo.example.com.\tHINFO\t300\t"pc" "os"\n'
	} | r53a_stream "$T/c" ZTEST1
	run --separate-stderr r53apply --dry-run --offline --zone-id ZTEST1 "$T/c"
	assert_success
	assert_line --index 0 "zone ZTEST1 origin example.com.: 4 changes, 3 to send, 1 skipped, 0 held"
	assert_line "~ mx.example.com. MX 3600 10 a.example.net., 20 b.example.net. -> 300 10 a.example.net., 30 c.example.net."
	assert_line "~ ttl.example.com. A 300 192.0.2.1 -> 600 192.0.2.1"
	assert_line "- gone.example.com. 300 AAAA 2001:db8::1, 2001:db8::2"
	assert_line --regexp '^skipped: line [0-9]+: hinfo\.example\.com\. HINFO: Route 53 cannot store type HINFO'
	assert_line --index 5 --partial "requests 1, lower bound 1"
	[ "${#lines[@]}" -eq 6 ]
}

@test "r53apply -v --dry-run: the batches as sent follow; --json is the batches, unchanged" {
	run --separate-stderr r53apply -v --dry-run --offline --zone-id ZTEST1 "$FIXTURES/r53apply/basic.change"
	assert_success
	assert_line --index 6 "~ www.example.com. A 300 192.0.2.80 -> 300 192.0.2.81"
	assert_line --index 7 --partial "requests 1, lower bound 1"
	assert_line --index 8 "batch 1/1: 7 records, 87 characters"
	assert_line "  DELETE www.example.com. A 300 [192.0.2.80]"
	assert_line "  CREATE www.example.com. A 300 [192.0.2.81]"
	run --separate-stderr r53apply --dry-run --json --offline --zone-id ZTEST1 "$FIXTURES/r53apply/basic.change"
	assert_success
	[ "$(printf '%s\n' "$output" | jq -r '.batches[0].changes | map(.action) | join(",")')" = \
		"DELETE,DELETE,DELETE,CREATE,CREATE,CREATE,CREATE" ]
	refute_output --partial "~ www"
}

@test "r53apply --dry-run against the emulator: the apex SOA write is an update, old serial to new" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_adds 2 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	run --separate-stderr r53apply --zone-id "$zid" --dry-run "$T/c"
	assert_success
	assert_line "+ h00001.example.com. 300 A 10.0.0.1"
	assert_line --regexp '^~ example\.com\. SOA 900 ns-2048\.awsdns-64\.net\. awsdns-hostmaster\.amazon\.com\. 1 7200 900 1209600 86400 -> 900 ns-2048\.awsdns-64\.net\. awsdns-hostmaster\.amazon\.com\. 2024052002 7200 900 1209600 86400$'
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
}

@test "mirror.sh --dry-run: the plan in DNS terms before the summary line" {
	mirror_setup
	server_start nsd mirror.test "$FIXTURES/mirror/mirror.test.zone"
	emu_start
	zid=$(emu_create_zone mirror.test --private vpc-0dry00001)
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --dry-run mirror.test 127.0.0.1 "$zid"
	assert_success
	assert_line "+ www.mirror.test. 3600 AAAA 2001:db8::80"
	assert_line "+ sip.mirror.test. 300 A 192.0.2.70"
	assert_line "+ mirror.test. 3600 TXT \"v=spf1 mx -all\" \"second string\""
	assert_line --partial "requests 1, lower bound 1"
	refute_output --partial "batch 1/"
	assert_output --regexp "result=dry-run status=0"
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --dry-run -v mirror.test 127.0.0.1 "$zid"
	assert_success
	assert_line "+ sip.mirror.test. 300 A 192.0.2.70"
	assert_line "batch 1/1: 13 records, 342 characters"
	assert_line "  CREATE sip.mirror.test. A 300 [192.0.2.70]"
}
