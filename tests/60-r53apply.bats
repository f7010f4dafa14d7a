#!/usr/bin/env bats
# r53apply: planning (offline dry runs on crafted change streams), Route 53
# rule checks, refusals, and applying to the Route 53 emulator.

load test_helper

plan_json() {	# plan_json STREAM [options]: the --json plan into $T/plan.json
	local s="$1"; shift
	run r53apply --dry-run --json --offline --zone-id ZTEST1 "$@" "$s"
	assert_success
	printf '%s\n' "$output" >"$T/plan.json"
}

@test "r53apply: plan of every change class: deletes first, update = DELETE+CREATE, A->CNAME in one batch" {
	# The batches as sent are printed with -v (65-r53apply-dryrun: the
	# plan in DNS terms without).
	run r53apply -v --dry-run --offline --zone-id ZTEST1 "$FIXTURES/r53apply/basic.change"
	assert_success
	assert_line --partial "requests 1, lower bound 1"
	assert_line --index "$(($(printf '%s\n' "$output" | grep -n '^requests ' | cut -d: -f1)))" "batch 1/1: 7 records, 87 characters"
	# DELETE lines all come before CREATE lines
	last_delete=$(printf '%s\n' "$output" | grep -n '^  DELETE' | tail -1 | cut -d: -f1)
	first_create=$(printf '%s\n' "$output" | grep -n '^  CREATE' | head -1 | cut -d: -f1)
	[ "$last_delete" -lt "$first_create" ]
	assert_line "  DELETE sw.example.com. A 300 [192.0.2.7]"
	assert_line "  CREATE sw.example.com. CNAME 300 [target.example.net.]"
	assert_line "  DELETE www.example.com. A 300 [192.0.2.80]"
	assert_line "  CREATE www.example.com. A 300 [192.0.2.81]"
	assert_line "  DELETE old.example.com. A 300 [192.0.2.9]"
	assert_line '  CREATE txt.example.com. TXT 300 ["hello world" "x\"y"]'
}

@test "r53apply: exactly 1,000 ResourceRecords fit one request, 1,001 need two" {
	r53a_adds 1000 h | r53a_stream "$T/c1000" ZTEST1
	plan_json "$T/c1000"
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 1 ]
	[ "$(r53a_jq "$T/plan.json" '.resource_records')" = 1000 ]
	r53a_adds 1001 h | r53a_stream "$T/c1001" ZTEST1
	plan_json "$T/c1001"
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 2 ]
	[ "$(r53a_jq "$T/plan.json" '[.batches[].resource_records] | max')" -le 1000 ]
}

@test "r53apply: exactly 32,000 Value characters fit one request, 32,001 need two" {
	v=$(r53a_txt_value 1000)
	r53a_adds 32 t TXT "$v" | r53a_stream "$T/c32k" ZTEST1
	plan_json "$T/c32k"
	[ "$(r53a_jq "$T/plan.json" '.value_chars')" = 32000 ]
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 1 ]
	{ r53a_adds 31 t TXT "$v"; printf '+\tz.example.com.\tTXT\t300\t%s\n' "$(r53a_txt_value 1001)"; } |
		r53a_stream "$T/c32k1" ZTEST1
	plan_json "$T/c32k1"
	[ "$(r53a_jq "$T/plan.json" '.value_chars')" = 32001 ]
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 2 ]
	[ "$(r53a_jq "$T/plan.json" '[.batches[].value_chars] | max')" -le 32000 ]
}

@test "r53apply: one RRset larger than half a request is never split" {
	big=$(seq 1 600 | awk '{ printf "%s10.9.%d.%d", (NR > 1 ? "\t" : ""), int($1 / 256), $1 % 256 }' |
		tr '\t' '\n' | LC_ALL=C sort | paste -sd '\t')
	{ printf '+\tbig.example.com.\tA\t300\t%s\n' "$big"; r53a_adds 900 h; } |
		r53a_stream "$T/cbig" ZTEST1
	plan_json "$T/cbig"
	[ "$(r53a_jq "$T/plan.json" '.lower_bound')" = 2 ]
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 2 ]
	# the 600 values are in one Change of one request
	[ "$(r53a_jq "$T/plan.json" '[.batches[].changes[] | select(.name == "big.example.com.") | .values | length] | add // 0')" = 600 ]
	[ "$(r53a_jq "$T/plan.json" '[.batches[].changes[] | select(.name == "big.example.com.")] | length')" = 1 ]
}

@test "r53apply: an update too large for DELETE+CREATE becomes an UPSERT; too large for both is skipped" {
	old=$(seq 1 900 | awk '{ printf "10.9.%d.%d\n", int($1 / 256), $1 % 256 }' | LC_ALL=C sort | paste -sd '\t')
	new=$(seq 1 300 | awk '{ printf "10.8.%d.%d\n", int($1 / 256), $1 % 256 }' | LC_ALL=C sort | paste -sd '\t')
	big=$(seq 1 600 | awk '{ printf "10.7.%d.%d\n", int($1 / 256), $1 % 256 }' | LC_ALL=C sort | paste -sd '\t')
	{
		printf '<\ta.example.com.\tA\t300\t%s\n>\ta.example.com.\tA\t300\t%s\n' "$old" "$new"
		printf '<\tb.example.com.\tA\t300\t%s\n>\tb.example.com.\tA\t300\t%s\n' "$old" "$big"
	} | r53a_stream "$T/c" ZTEST1
	run r53apply -v --dry-run --offline --zone-id ZTEST1 --force "$T/c"
	assert_success
	assert_output --partial "a.example.com. A: large old RRset: replaced with an UPSERT"
	assert_line --partial "  UPSERT a.example.com. A 300 [10.8.0.1]"
	assert_output --partial "skipped: line"
	assert_output --partial "b.example.com. A: 1500 records"
}

@test "r53apply: TXT-heavy and A-heavy changes share requests: within one of the lower bound" {
	v=$(r53a_txt_value 4000)
	{ r53a_adds 80 t TXT "$v"; r53a_adds 9000 h; } | r53a_stream "$T/cmix" ZTEST1
	plan_json "$T/cmix"
	lb=$(r53a_jq "$T/plan.json" '.lower_bound')
	req=$(r53a_jq "$T/plan.json" '.requests')
	echo "requests $req lower bound $lb" >&3
	[ "$lb" -ge 13 ]
	[ "$req" -le $((lb + 1)) ]
	[ "$(r53a_jq "$T/plan.json" '[.batches[].value_chars] | max')" -le 32000 ]
	[ "$(r53a_jq "$T/plan.json" '[.batches[].resource_records] | max')" -le 1000 ]
}

@test "r53apply: the packer's unit tests (bounds on random and adversarial inputs)" {
	run r53apply_plan_test 7
	assert_success
	assert_output --partial "all packer checks passed"
}

@test "r53apply: Route 53's refusal messages: RRset, value and kind, in both answer forms (unit tests)" {
	run r53apply_refusal_test
	assert_success
	assert_output --partial "all refusal checks passed"
}

@test "r53apply: a delegation travels with its glue; A and CNAME at one name together" {
	{
		r53a_adds 3000 h
		printf '+\tsub.example.com.\tNS\t300\tns1.sub.example.com.\tns2.sub.example.com.\n'
		printf '+\tns1.sub.example.com.\tA\t300\t192.0.2.53\n'
		printf '+\tns2.sub.example.com.\tAAAA\t300\t2001:db8::53\n'
		printf -- '-\th01500.example.com.\tA\t300\t10.0.5.220\n'
	} | sed 's/^+\th01500.example.com.\tA\t300\t.*$/+\th01500.example.com.\tCNAME\t300\tx.example.net./' |
		r53a_stream "$T/cdel" ZTEST1
	plan_json "$T/cdel"
	[ "$(r53a_jq "$T/plan.json" '.requests')" -ge 3 ]
	b_ns=$(r53a_jq "$T/plan.json" '.batches | to_entries[] | select(any(.value.changes[]; .name == "sub.example.com.")) | .key')
	b_g1=$(r53a_jq "$T/plan.json" '.batches | to_entries[] | select(any(.value.changes[]; .name == "ns1.sub.example.com.")) | .key')
	b_g2=$(r53a_jq "$T/plan.json" '.batches | to_entries[] | select(any(.value.changes[]; .name == "ns2.sub.example.com.")) | .key')
	[ -n "$b_ns" ] && [ "$b_ns" = "$b_g1" ] && [ "$b_ns" = "$b_g2" ]
	b_c=$(r53a_jq "$T/plan.json" '.batches | to_entries[] | select(any(.value.changes[]; .name == "h01500.example.com.")) | .key')
	[ "$(printf '%s\n' "$b_c" | wc -l)" = 1 ]
	# in that batch the DELETE of the A comes before the CREATE of the CNAME
	r53a_jq "$T/plan.json" ".batches[$b_c].changes[] | select(.name == \"h01500.example.com.\") | .action" >"$T/acts"
	[ "$(paste -sd, "$T/acts")" = "DELETE,CREATE" ]
}

@test "r53apply: what Route 53 cannot store is skipped and reported, the rest planned" {
	{
		r53a_adds 5 h
		printf '+\thinfo.example.com.\tHINFO\t300\t"PC" "Linux"\n'
		printf '+\t*.wild.example.com.\tNS\t300\tns1.example.net.\n'
		printf '+\texample.com.\tCNAME\t300\tother.example.net.\n'
		printf '+\tbig.example.com.\tTXT\t300\t%s\n' "$(r53a_txt_value 4001)"
		printf '+\tsub.example.com.\tSOA\t300\tns.sub.example.com. h.sub.example.com. 1 2 3 4 5\n'
		printf '+\tmix.example.com.\tA\t300\t192.0.2.2\n'
		printf '+\tmix.example.com.\tCNAME\t300\tother.example.net.\n'
		printf '+\tloc.example.com.\tLOC\t300\t52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n'
	} | r53a_stream "$T/cbad" ZTEST1
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/cbad"
	assert_success
	assert_line --partial "skipped: line"
	assert_output --partial "hinfo.example.com. HINFO: Route 53 cannot store type HINFO"
	assert_output --partial "*.wild.example.com. NS: Route 53 does not allow NS records on a wildcard"
	assert_output --partial "example.com. CNAME: a CNAME is not allowed at the zone apex"
	assert_output --partial "over Route 53's limit of 4000"
	assert_output --partial "an SOA is only allowed at the apex"
	assert_output --partial "mix.example.com. CNAME: a CNAME is not permitted beside other data"
	assert_output --partial "Route 53 cannot store type LOC"
	[ "$(printf '%s\n' "$output" | grep -c '^skipped:')" = 7 ] || { echo "$output"; false; }
	[ "$(printf '%s\n' "$output" | grep -c '^+ ')" = 6 ]
}

@test "r53apply: a stream for another hosted zone, swapped inputs or no zone id are refused" {
	r53a_adds 3 h | r53a_stream "$T/c" ZOTHER
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/c"
	assert_failure 4
	assert_output --partial "computed against hosted zone ZOTHER, not ZTEST1"
	r53a_adds 3 h | r53a_stream "$T/c" ""
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/c"
	assert_failure 4
	assert_output --partial "no current-zone-id"
	r53a_adds 3 h | R53A_EXTRA_HEADER="#desired-zone-id ZTEST1" r53a_stream "$T/c" ZTEST1
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/c"
	assert_failure 4
	assert_output --partial "swapped"
	# /hostedzone/ prefix accepted on the command line
	r53a_adds 3 h | r53a_stream "$T/c" ZTEST1
	run r53apply --dry-run --offline --zone-id /hostedzone/ZTEST1 "$T/c"
	assert_success
	# --zone-id with --zone offline: the name given is the zone's name
	run r53apply --dry-run --offline --zone-id ZTEST1 --zone Example.COM "$T/c"
	assert_success
	run r53apply --dry-run --offline --zone-id ZTEST1 --zone other.test "$T/c"
	assert_failure 4
	assert_output --partial "origin example.com. is not the hosted zone's name other.test."
}

@test "r53apply: a truncated or malformed stream is bad input (exit 2), nothing planned" {
	r53a_adds 50 h | r53a_stream "$T/c" ZTEST1
	head -n -1 "$T/c" >"$T/trunc"
	run r53apply -v --dry-run --offline --zone-id ZTEST1 "$T/trunc"
	assert_failure 2
	refute_output --partial "batch"
	refute_output --partial "requests"
	sed 's/changes=50/changes=49/' "$T/c" >"$T/badcount"
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/badcount"
	assert_failure 2
	run r53apply --dry-run --offline --zone-id ZTEST1 <"$T/trunc"
	assert_failure 2
}

@test "r53apply: thresholds refuse a mass delete unless forced or raised" {
	{ seq 1 40 | awk '{ printf "-\td%05d.example.com.\tA\t300\t10.1.0.%d\n", $1, $1 }'; } |
		R53A_CUR_RRSETS=100 r53a_stream "$T/c" ZTEST1
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/c"
	assert_failure 4
	assert_output --partial "40 deletes are more than 30% of the 100 existing RRsets"
	run r53apply --dry-run --offline --zone-id ZTEST1 --force "$T/c"
	assert_success
	run r53apply --dry-run --offline --zone-id ZTEST1 --max-delete-pct 40 "$T/c"
	assert_success
	run r53apply --dry-run --offline --zone-id ZTEST1 --min-existing 101 "$T/c"
	assert_success
	# updates have their own threshold
	{ seq 1 31 | awk '{ printf "<\tu%05d.example.com.\tA\t300\t10.1.0.%d\n>\tu%05d.example.com.\tA\t300\t10.2.0.%d\n", $1, $1, $1, $1 }'; } |
		R53A_CUR_RRSETS=100 r53a_stream "$T/u" ZTEST1
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/u"
	assert_failure 4
	assert_output --partial "31 updates are more than 30%"
	run r53apply --dry-run --offline --zone-id ZTEST1 --max-update-pct 31 "$T/u"
	assert_success
	# a small zone (under 10 RRsets) is not protected by default
	{ seq 1 5 | awk '{ printf "-\td%05d.example.com.\tA\t300\t10.1.0.%d\n", $1, $1 }'; } |
		R53A_CUR_RRSETS=6 r53a_stream "$T/s" ZTEST1
	run r53apply --dry-run --offline --zone-id ZTEST1 "$T/s"
	assert_success
}

@test "r53apply: usage errors exit 3" {
	run r53apply --dry-run "$FIXTURES/r53apply/basic.change"
	assert_failure 3
	run r53apply --offline --zone-id Z1 "$FIXTURES/r53apply/basic.change"
	assert_failure 3
	run r53apply --zone-id Z1 --max-delete-pct abc "$FIXTURES/r53apply/basic.change"
	assert_failure 3
	run r53apply --zone-id Z1 --public "$FIXTURES/r53apply/basic.change"
	assert_failure 3
	run r53apply --dry-run --offline --zone example.com "$FIXTURES/r53apply/basic.change"
	assert_failure 3
	run r53apply --help
	assert_success
	assert_output --partial "usage: r53apply"
}

# ---- against the Route 53 emulator ----

teardown() {
	emu_stop
}

@test "r53apply: every change class applied to the emulator; SOA serial follows the source" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	{
		printf '+\ta.example.com.\tA\t300\t192.0.2.1\t192.0.2.2\n'
		printf '+\taaaa.example.com.\tAAAA\t300\t2001:db8::1\n'
		printf '+\tmx.example.com.\tMX\t300\t10 mail.example.com.\t20 mx2.example.net.\n'
		printf '+\ttxt.example.com.\tTXT\t300\t"a\\"b\\\\c\\009d" "two"\t"v=spf1 -all"\n'
		printf '+\tspf.example.com.\tSPF\t300\t"v=spf1 -all"\n'
		printf '+\t_sip._tcp.example.com.\tSRV\t300\t10 5 5060 sip.example.com.\n'
		printf '+\tcaa.example.com.\tCAA\t300\t0 issue "ca.example.net"\n'
		printf '+\tptr.example.com.\tPTR\t300\thost.example.net.\n'
		printf '+\tnaptr.example.com.\tNAPTR\t300\t100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .\n'
		printf '+\tsub.example.com.\tNS\t300\tns1.sub.example.com.\tns2.sub.example.com.\n'
		printf '+\tsub.example.com.\tDS\t300\t12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n'
		printf '+\tns1.sub.example.com.\tA\t300\t192.0.2.53\n'
		printf '+\tns2.sub.example.com.\tAAAA\t300\t2001:db8::53\n'
		printf '+\t*.wild.example.com.\tA\t300\t192.0.2.99\n'
		printf '+\tgone.example.com.\tA\t300\t192.0.2.9\n'
		printf '+\tupd.example.com.\tA\t300\t192.0.2.10\n'
		printf '+\tswap.example.com.\tA\t300\t192.0.2.11\n'
		printf '+\tback.example.com.\tCNAME\t300\ta.example.com.\n'
		printf '+\tsshfp.example.com.\tSSHFP\t300\t1 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n'
		printf '+\t_443._tcp.example.com.\tTLSA\t300\t3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n'
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c1" "$zid"
	apply_ok "$zid" "$T/c1"
	assert_output --partial "created 20, updated 0, deleted 0, skipped 0, change requests 1,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	r53a_list "$zid" >"$T/l1"
	cat "$T/l1"
	grep -qxF 'a.example.com. A 300 192.0.2.1|192.0.2.2' "$T/l1"
	grep -qxF 'mx.example.com. MX 300 10 mail.example.com.|20 mx2.example.net.' "$T/l1"
	grep -qxF 'txt.example.com. TXT 300 "a\"b\\c\011d" "two"|"v=spf1 -all"' "$T/l1"
	grep -qxF '\052.wild.example.com. A 300 192.0.2.99' "$T/l1"
	grep -qxF 'sub.example.com. NS 300 ns1.sub.example.com.|ns2.sub.example.com.' "$T/l1"
	grep -qxF 'naptr.example.com. NAPTR 300 100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .' "$T/l1"
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	[ "$(wc -l <"$T/l1")" = 22 ]

	# second round: delete, update, A -> CNAME, CNAME -> A
	{
		printf -- '-\tgone.example.com.\tA\t300\t192.0.2.9\n'
		printf '<\tupd.example.com.\tA\t300\t192.0.2.10\n>\tupd.example.com.\tA\t60\t192.0.2.20\t192.0.2.21\n'
		printf -- '-\tswap.example.com.\tA\t300\t192.0.2.11\n'
		printf '+\tswap.example.com.\tCNAME\t300\ta.example.com.\n'
		printf -- '-\tback.example.com.\tCNAME\t300\ta.example.com.\n'
		printf '+\tback.example.com.\tA\t300\t192.0.2.12\n'
	} | R53A_CUR_RRSETS=22 R53A_SERIAL=2024052003 \
		R53A_EXTRA_HEADER="#current-serial 2024052002" r53a_stream "$T/c2" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/c2"
	assert_output --partial "created 2, updated 1, deleted 3, skipped 0, change requests 1,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	r53a_list "$zid" >"$T/l2"
	! grep -q '^gone\.' "$T/l2"
	grep -qxF 'upd.example.com. A 60 192.0.2.20|192.0.2.21' "$T/l2"
	grep -qxF 'swap.example.com. CNAME 300 a.example.com.' "$T/l2"
	grep -qxF 'back.example.com. A 300 192.0.2.12' "$T/l2"
	[ "$(r53a_serial "$zid")" = 2024052003 ]
	[ "$(wc -l <"$T/l2")" = 21 ]
}

@test "r53apply: records created by hand in non-canonical text are deleted and replaced (@raw)" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" Mixed.Example.com CNAME 300 Target.EXAMPLE.com.
	r53a_aws_create "$zid" mx.example.com MX 300 "10 MAIL.Example.com."
	r53a_aws_create "$zid" t.example.com TXT 300 '"\101bc"'
	r53a_list "$zid"
	# without @raw the DELETE does not match the stored text: rejected
	{
		printf '<\tmixed.example.com.\tCNAME\t300\ttarget.example.com.\n>\tmixed.example.com.\tCNAME\t300\tnew.example.com.\n'
	} | R53A_CUR_RRSETS=5 r53a_stream "$T/c0" "$zid"
	run r53apply --zone-id "$zid" --adopt "$T/c0"
	assert_failure 1
	assert_output --partial "rejected by Route 53"
	# with @raw (what r53dump writes for such records) it works
	{
		printf '<\tmixed.example.com.\tCNAME\t300\ttarget.example.com.\t@raw=["Target.EXAMPLE.com."]\n'
		printf '>\tmixed.example.com.\tCNAME\t300\tnew.example.com.\n'
		printf -- '-\tmx.example.com.\tMX\t300\t10 mail.example.com.\t@raw=["10 MAIL.Example.com."]\n'
		printf '<\tt.example.com.\tTXT\t300\t"Abc"\t@raw=["\\"\\\\101bc\\""]\n'
		printf '>\tt.example.com.\tTXT\t300\t"Abc" "d"\n'
	} | R53A_CUR_RRSETS=5 r53a_stream "$T/c1" "$zid"
	cat "$T/c1"
	apply_ok "$zid" "$T/c1" --adopt
	r53a_list "$zid" >"$T/l"
	cat "$T/l"
	grep -qxF 'mixed.example.com. CNAME 300 new.example.com.' "$T/l"
	grep -qxF 't.example.com. TXT 300 "Abc" "d"' "$T/l"
	! grep -q '^mx\.' "$T/l"
}

@test "r53apply: an unconverted RRset (@raw only) is deleted and replaced with exactly its stored values and TTL" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	# values as the AWS mirror-dns sample sends them (dnspython's decimal
	# escapes); the emulator, like Route 53, stores them as sent
	r53a_aws_create "$zid" oct.example.com TXT 300 '"v=1\009x"' '"fine"'
	r53a_aws_create "$zid" gone.example.com TXT 60 '"a\009"'
	cat >"$T/w.json" <<'JSON'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"w.example.com","Type":"TXT","SetIdentifier":"one","Weight":10,"TTL":300,"ResourceRecords":[{"Value":"\"a\\009b\""}]}}]}
JSON
	emu_change "$zid" "$T/w.json" >/dev/null
	r53a_list "$zid" >"$T/l0"
	cat "$T/l0"
	grep -qxF 'oct.example.com. TXT 300 "fine"|"v=1\009x"' "$T/l0"
	grep -qxF 'w.example.com. TXT/one 300 "a\009b"' "$T/l0"
	# Negative controls: the emulator compares a DELETE's TTL and values
	# exactly, so the same data in another text or TTL is refused.
	for bad in '-\tgone.example.com.\tTXT\t60\t@raw=["\\"a\\\\011\\""]' \
	    '-\tgone.example.com.\tTXT\t300\t@raw=["\\"a\\\\009\\""]'; do
		printf -- "$bad\n" | R53A_CUR_RRSETS=5 r53a_stream "$T/bad" "$zid"
		cat "$T/bad"
		run r53apply --zone-id "$zid" --adopt "$T/bad"
		echo "$output"
		assert_failure 1
		assert_output --partial "do not match"
	done
	{
		printf '<\toct.example.com.\tTXT\t300\t@raw=["\\"v=1\\\\009x\\"","\\"fine\\""]\n'
		printf '>\toct.example.com.\tTXT\t300\t"fine"\t"v=1\\009x"\n'
		printf -- '-\tgone.example.com.\tTXT\t60\t@raw=["\\"a\\\\009\\""]\n'
		printf -- '-\tw.example.com.\tTXT/one\t300\t@r53={"Weight":"10"}\t@raw=["\\"a\\\\009b\\""]\n'
	} | R53A_CUR_RRSETS=5 R53A_EXTRA_HEADER="#delete-route53-only yes" r53a_stream "$T/c" "$zid"
	cat "$T/c"
	apply_ok "$zid" "$T/c" --adopt
	assert_output --partial "created 0, updated 1, deleted 2, skipped 0"
	r53a_list "$zid" >"$T/l"
	cat "$T/l"
	# the replacement is sent in octal: the TAB the sample meant
	grep -qxF 'oct.example.com. TXT 300 "fine"|"v=1\011x"' "$T/l"
	! grep -q '^gone\.' "$T/l"
	! grep -q '^w\.' "$T/l"
}

@test "r53apply: alias records are left alone unless the stream says to delete them" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" h.example.com A 300 192.0.2.1
	cat >"$T/alias.json" <<JSON
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"al.example.com","Type":"A","AliasTarget":{"HostedZoneId":"$zid","DNSName":"h.example.com","EvaluateTargetHealth":false}}}]}
JSON
	emu_change "$zid" "$T/alias.json" >/dev/null
	r53="@r53={\"AliasTarget\":{\"DNSName\":\"h.example.com.\",\"EvaluateTargetHealth\":\"false\",\"HostedZoneId\":\"$zid\"}}"
	{
		printf -- '-\tal.example.com.\tA\t-\t%s\n' "$r53"
		printf '+\tnew.example.com.\tA\t300\t192.0.2.2\n'
	} | R53A_CUR_RRSETS=4 r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" --adopt "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "al.example.com. A"
	assert_output --partial "created 1, updated 0, deleted 0, skipped 1"
	r53a_list "$zid" | grep -qxF 'al.example.com. A alias h.example.com.'
	# rrdiff --delete-route53-only writes this header: then it goes
	{
		printf -- '-\tal.example.com.\tA\t-\t%s\n' "$r53"
	} | R53A_CUR_RRSETS=5 R53A_EXTRA_HEADER="#delete-route53-only yes" r53a_stream "$T/c2" "$zid"
	apply_ok "$zid" "$T/c2" --adopt
	! r53a_list "$zid" | grep -q '^al\.'
}

@test "r53apply: a zone with unstorable records still mirrors everything else (and the serial)" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	{
		r53a_adds 20 h
		printf '+\thinfo.example.com.\tHINFO\t300\t"PC" "Linux"\n'
		printf '+\t*.wild.example.com.\tNS\t300\tns1.example.net.\n'
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "skipped: line"
	assert_output --partial "Route 53 cannot store type HINFO"
	assert_output --partial "created 20, updated 0, deleted 0, skipped 2, change requests 1,"
	[ "$(r53a_list "$zid" | grep -c '^h000')" = 20 ]
	# skipped by Route 53's rules is final: the serial is written
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	[ "$(r53a_jq "$T/rep.json" '.skipped')" = 2 ]
}

@test "r53apply: hand-made non-canonical records converge through the pipeline (r53dump @raw)" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" Mixed.Example.com CNAME 300 Target.EXAMPLE.com.
	r53a_aws_create "$zid" mx.example.com MX 300 "10 MAIL.Example.com."
	r53a_aws_create "$zid" keep.example.com A 300 192.0.2.1
	{
		printf 'keep.example.com.\tA\t300\t192.0.2.1\n'
		printf 'mixed.example.com.\tCNAME\t300\tnew.example.com.\n'
		printf 'mx.example.com.\tMX\t300\t20 mail.example.com.\n'
	} | r53a_desired "$T/des"
	r53a_pipeline "$zid" "$T/des" --adopt
	echo "$output"
	grep -q '@raw=' "$T/pipe.change"
	assert_success
	r53a_converged "$zid" "$T/des"
	r53a_list "$zid" | grep -qxF 'mixed.example.com. CNAME 300 new.example.com.'
	r53a_list "$zid" | grep -qxF 'mx.example.com. MX 300 20 mail.example.com.'
}

@test "r53apply: quota (GetHostedZoneLimit) refuses a stream that would exceed it" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	emu_quota 10 "$zid"
	r53a_adds 9 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c9" "$zid"
	run r53apply --zone-id "$zid" "$T/c9"
	assert_failure 4
	assert_output --partial "over its quota of 10"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	r53a_adds 8 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c8" "$zid"
	apply_ok "$zid" "$T/c8"
	[ "$(r53a_count GetHostedZoneLimit)" -ge 1 ]
}

@test "r53apply: first apply to an unmarked zone with records deletes nothing unless --adopt" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" old1.example.com A 300 192.0.2.1
	r53a_aws_create "$zid" old2.example.com A 300 192.0.2.2
	r53a_aws_create "$zid" upd.example.com A 300 192.0.2.3
	{
		printf -- '-\told1.example.com.\tA\t300\t192.0.2.1\n'
		printf -- '-\told2.example.com.\tA\t300\t192.0.2.2\n'
		printf '<\tupd.example.com.\tA\t300\t192.0.2.3\n>\tupd.example.com.\tA\t300\t192.0.2.4\n'
		printf '+\tnew.example.com.\tA\t300\t192.0.2.5\n'
	} | R53A_CUR_RRSETS=5 R53A_EXTRA_HEADER="#current-serial 1" r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "has no tag r53mirror:origin and holds records r53mirror did not write: 3 deletes and updates held back"
	assert_output --partial "created 1, updated 0, deleted 0, skipped 3"
	r53a_list "$zid" >"$T/l"
	grep -q '^old1\.example\.com\. A 300 192.0.2.1$' "$T/l"
	grep -q '^upd\.example\.com\. A 300 192.0.2.3$' "$T/l"
	grep -q '^new\.example\.com\. A 300 192.0.2.5$' "$T/l"
	[ "$(r53a_serial "$zid")" = 1 ]
	# adopting: the rest goes, and the serial is written
	{
		printf -- '-\told1.example.com.\tA\t300\t192.0.2.1\n'
		printf -- '-\told2.example.com.\tA\t300\t192.0.2.2\n'
		printf '<\tupd.example.com.\tA\t300\t192.0.2.3\n>\tupd.example.com.\tA\t300\t192.0.2.4\n'
	} | R53A_CUR_RRSETS=6 R53A_EXTRA_HEADER="#current-serial 1" r53a_stream "$T/c2" "$zid"
	apply_ok "$zid" "$T/c2" --adopt
	r53a_list "$zid" >"$T/l"
	! grep -q '^old' "$T/l"
	grep -q '^upd\.example\.com\. A 300 192.0.2.4$' "$T/l"
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}

@test "r53apply: serial ahead refused; same serial and no changes sends nothing; serial only: one SOA UPSERT" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_adds 2 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	apply_ok "$zid" "$T/c"
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	# nothing to change, same serial: no change request
	: | R53A_CUR_RRSETS=4 R53A_EXTRA_HEADER="#current-serial 2024052002" r53a_stream "$T/e" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/e"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	# no changes, newer serial: exactly one request, the SOA UPSERT
	: | R53A_CUR_RRSETS=4 R53A_SERIAL=2024052005 R53A_EXTRA_HEADER="#current-serial 2024052002" r53a_stream "$T/s" "$zid"
	apply_ok "$zid" "$T/s"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	[ "$(r53a_serial "$zid")" = 2024052005 ]
	r53a_list "$zid" | grep -q '^example\.com\. SOA 900 ns-2048\.awsdns-64\.net\. awsdns-hostmaster\.amazon\.com\. 2024052005 7200 900 1209600 86400$'
	# the source is behind Route 53 (RFC 1982): refused, unless --force
	r53a_adds 1 z | R53A_CUR_RRSETS=4 R53A_SERIAL=2024052004 R53A_EXTRA_HEADER="#current-serial 2024052005" r53a_stream "$T/b" "$zid"
	emu_reset_counters
	run r53apply --zone-id "$zid" "$T/b"
	assert_failure 4
	assert_output --partial "ahead of the source"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	apply_ok "$zid" "$T/b" --force
	[ "$(r53a_serial "$zid")" = 2024052004 ]
	# a stream computed against an older state of the zone is stale
	r53a_adds 1 y | R53A_CUR_RRSETS=4 R53A_SERIAL=2024052009 R53A_EXTRA_HEADER="#current-serial 2024052002" r53a_stream "$T/st" "$zid"
	run r53apply --zone-id "$zid" "$T/st"
	assert_failure 4
	assert_output --partial "stale change stream"
}

@test "r53apply: a change Route 53 rejects is found by bisection, the rest applied, exit 1" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" h00017.example.com A 300 192.0.2.250
	r53a_adds 60 h | R53A_CUR_RRSETS=3 r53a_stream "$T/c" "$zid"
	emu_reset_counters
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "h00017.example.com."
	assert_output --partial "already exists"
	assert_output --partial "created 59, updated 0, deleted 0, skipped 1"
	[ "$(r53a_list "$zid" | grep -c '^h000')" = 60 ]
	r53a_list "$zid" | grep -qxF 'h00017.example.com. A 300 192.0.2.250'
	# Route 53 named the offender: set aside, the rest sent at once
	n=$(r53a_count ChangeResourceRecordSets)
	echo "change requests: $n" >&3
	[ "$n" -le 3 ]
	[ "$(r53a_jq "$T/rep.json" '.rejected')" = 1 ]
	r53a_jq "$T/rep.json" '.not_applied[0].reason' | grep -q "already exists"
	# the serial is not written: the stream did not apply whole
	[ "$(r53a_serial "$zid")" = 1 ]
}

@test "r53apply: a rejection that names no RRset is found by bisection" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	# an alias to a target that does not exist: Route 53's message
	# ("Tried to create an alias that targets ...") names no RRset
	r53="@r53={\"AliasTarget\":{\"DNSName\":\"nowhere.example.com.\",\"EvaluateTargetHealth\":\"false\",\"HostedZoneId\":\"$zid\"}}"
	{ r53a_adds 60 h; printf '+\tbad.example.com.\tA\t-\t%s\n' "$r53"; } |
		R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" --report "$T/rep.json" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "created 60, updated 0, deleted 0, skipped 1"
	assert_output --partial "nowhere.example.com"
	n=$(r53a_count ChangeResourceRecordSets)
	echo "change requests: $n" >&3
	# about 2 log2(61) requests, far fewer than 61
	[ "$n" -le 16 ]
	[ "$(r53a_jq "$T/rep.json" '.not_applied[0].key')" = "bad.example.com. A" ]
	! r53a_list "$zid" | grep -q '^bad\.'
	[ "$(r53a_list "$zid" | grep -c '^h000')" = 60 ]
}

# caa_desired OUT SERIAL N: N A records h00001.. and an apex CAA set
# with a critical record of a tag Route 53 does not accept (the emulator
# refuses it as Route 53 does: the value quoted, no RRset named).
caa_desired() {
	{
		r53a_adds "$3" h | sed 's/^+\t//'
		printf 'example.com.\tCAA\t300\t0 issue "letsencrypt.org"\t128 tbs "x"\n'
	} | R53A_SERIAL="$2" r53a_desired "$1"
}

@test "r53apply: a refused value among 37 changes is set aside by Route 53's message: <= 3 change requests, the rest applied" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	caa_desired "$T/des" 2024052002 36
	emu_reset_counters
	r53a_pipeline "$zid" "$T/des" --report "$T/rep.json"
	echo "$output"
	assert_failure 1
	assert_output --partial "rejected by Route 53: Invalid Resource Record: 'FATAL problem: CAARDATAIncorrectFormat (Value is not in the correct format) encountered with '128 tbs \"x\"''"
	assert_output --partial "created 36, updated 0, deleted 0, skipped 1,"
	n=$(r53a_count ChangeResourceRecordSets)
	echo "# change requests for 37 changes, one refused: $n" >&3
	[ "$n" -le 3 ]
	[ "$(r53a_jq "$T/rep.json" '.not_applied[].key')" = "example.com. CAA" ]
	[ "$(r53a_list "$zid" | grep -c '^h000')" = 36 ]
	! r53a_list "$zid" | grep -q ' CAA '
}

@test "r53apply: an RRset Route 53 refuses for itself blocks nothing: the serial follows the source, later edits apply, removing it converges" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	caa_desired "$T/des" 2024052002 36
	r53a_pipeline "$zid" "$T/des" --report "$T/rep.json"
	echo "$output"
	assert_failure 1
	assert_output --partial "created 36, updated 0, deleted 0, skipped 1,"
	[ "$(r53a_jq "$T/rep.json" '.not_applied[].refusal')" = "invalid-value" ]
	# everything Route 53 accepts applied: the serial is the source's,
	# so the zone no longer looks never written
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	[ "$(r53a_jq "$T/rep.json" '.serial_written')" = 2024052002 ]
	# an update and a delete in the source apply (nothing held back); the
	# refused RRset is tried again at this full compare
	caa_desired "$T/des2" 2024052003 35
	sed -i 's/^\(h00007\.example\.com\.\tA\t300\t\).*/\1192.0.2.7/' "$T/des2"
	r53a_pipeline "$zid" "$T/des2"
	echo "$output"
	assert_failure 1
	assert_output --partial "created 0, updated 1, deleted 1, skipped 1,"
	refute_output --partial "held back"
	[ "$(r53a_serial "$zid")" = 2024052003 ]
	r53a_list "$zid" | grep -qx 'h00007.example.com. A 300 192.0.2.7'
	! r53a_list "$zid" | grep -q '^h00036'
	# the refused record removed from the source: the zone converges
	{ r53a_adds 35 h | sed 's/^+\t//'; } | R53A_SERIAL=2024052004 r53a_desired "$T/des3"
	sed -i 's/^\(h00007\.example\.com\.\tA\t300\t\).*/\1192.0.2.7/' "$T/des3"
	r53a_pipeline "$zid" "$T/des3"
	echo "$output"
	assert_success
	assert_output --partial "created 0, updated 0, deleted 0, skipped 0,"
	[ "$(r53a_serial "$zid")" = 2024052004 ]
	r53a_converged "$zid" "$T/des3"
}

# weighted_www ZONE_ID: the aws CLI creates www.example.com. A/eu, a
# weighted record (192.0.2.80, TTL 60).
weighted_www() {
	cat >"$T/w.json" <<JSON
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"www.example.com","Type":"A","SetIdentifier":"eu","Weight":10,"TTL":60,"ResourceRecords":[{"Value":"192.0.2.80"}]}}]}
JSON
	emu_change "$1" "$T/w.json" >/dev/null
}

@test "r53apply: a plain RRset colliding with routing records of its name and type is reported, the rest applied" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	weighted_www "$zid"
	{ r53a_adds 5 h; printf '+\twww.example.com.\tA\t300\t192.0.2.81\n'; } |
		R53A_CUR_RRSETS=3 r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$zid" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "www.example.com"
	assert_output --partial "created 5, updated 0, deleted 0, skipped 1"
	r53a_list "$zid" | grep -qxF 'www.example.com. A/eu 60 192.0.2.80'
}

@test "pipeline: rrdiff leaves out a source RRset beside routing records, so no batch is refused" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	weighted_www "$zid"
	{
		printf '#!r53mirror-rrset 1\n#origin example.com.\n#serial 2024052002\n#producer zxfr 0.1.0\n'
		printf 'h1.example.com.\tA\t300\t192.0.2.1\n'
		printf 'www.example.com.\tA\t300\t192.0.2.81\n'
		printf 'www.example.com.\tTXT\t300\t"plain"\n'
		printf '#end rrsets=3\n'
	} >"$T/des"
	emu_reset_counters
	r53a_pipeline "$zid" "$T/des"
	echo "$output"
	assert_success
	assert_output --partial "created 2, updated 0, deleted 0, skipped 0"
	# one change request: nothing refused, nothing bisected
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	grep -qF 'www.example.com. A: not mirrored: Route 53 holds an alias or routing record' "$T/pipe.err"
	r53a_list "$zid" | grep -qxF 'www.example.com. A/eu 60 192.0.2.80'
	r53a_list "$zid" | grep -qxF 'www.example.com. TXT 300 "plain"'
	# a second run has nothing to do
	r53a_pipeline "$zid" "$T/des"
	assert_success
	assert_output --partial "created 0, updated 0, deleted 0, skipped 0"
}

@test "r53apply: --dry-run against the emulator reads, plans the SOA UPSERT, and sends nothing" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_adds 3 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	run r53apply -v --zone-id "$zid" --dry-run --report "$T/r.json" "$T/c"
	assert_success
	[ "$(r53a_jq "$T/r.json" '.dry_run')" = true ]
	[ "$(r53a_jq "$T/r.json" '.batches[0].state')" = planned ]
	[ "$(r53a_jq "$T/r.json" '.change_requests')" = 0 ]
	assert_output --partial "UPSERT example.com. SOA 900 [ns-2048.awsdns-64.net. awsdns-hostmaster.amazon.com. 2024052002 7200 900 1209600 86400]"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	[ "$(r53a_count GetHostedZoneLimit)" = 1 ]
	[ "$(r53a_serial "$zid")" = 1 ]
}

@test "r53apply: --dry-run shows what the run sends: every change held, no SOA UPSERT and no request" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" x.example.com A 300 192.0.2.1
	r53a_aws_create "$zid" y.example.com A 300 192.0.2.2
	{
		printf -- '-\tx.example.com.\tA\t300\t192.0.2.1\n'
		printf '<\ty.example.com.\tA\t300\t192.0.2.2\n>\ty.example.com.\tA\t300\t192.0.2.3\n'
	} | R53A_CUR_RRSETS=4 r53a_stream "$T/c" "$zid"
	# a zone never written, no --adopt: the delete and the update are held
	run r53apply -v --zone-id "$zid" --dry-run "$T/c"
	echo "$output"
	assert_success
	assert_output --partial "2 changes, 0 to send, 0 skipped, 2 held"
	assert_output --partial "requests 0, lower bound 0"
	refute_output --partial "UPSERT"
	r53apply --zone-id "$zid" --dry-run --json "$T/c" 2>/dev/null >"$T/plan.json"
	[ "$(r53a_jq "$T/plan.json" '.requests')" = 0 ]
	# and the run indeed sends nothing, the serial stays Route 53's
	emu_reset_counters
	run r53apply --zone-id "$zid" "$T/c"
	echo "$output"
	assert_failure 1
	assert_output --partial "created 0, updated 0, deleted 0, skipped 2, change requests 0,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	[ "$(r53a_serial "$zid")" = 1 ]
}

@test "r53apply: stream for another zone or origin refused before any change request" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	other=$(emu_create_zone other.test)
	r53a_adds 3 h | r53a_stream "$T/c" "$zid"
	run r53apply --zone-id "$other" "$T/c"
	assert_failure 4
	r53a_adds 3 h | r53a_stream "$T/c2" "$other"
	run r53apply --zone-id "$other" "$T/c2"
	assert_failure 4
	assert_output --partial "origin example.com. is not the hosted zone's name other.test."
	run r53apply --zone other.test "$T/c"
	assert_failure 4
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
	# by name, the right zone
	apply_ok "" "$T/c" 2>/dev/null || true
	run r53apply --zone example.com "$T/c"
	assert_success
}

@test "r53apply: a private hosted zone warns about each delegation" {
	r53a_emu
	zid=$(emu_create_zone example.com --private vpc-1)
	{
		printf '+\tsub.example.com.\tNS\t300\tns1.example.net.\n'
		printf '+\tsub2.example.com.\tNS\t300\tns1.example.net.\n'
		printf '+\twww.example.com.\tA\t300\t192.0.2.1\n'
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	apply_ok "$zid" "$T/c"
	[ "$(printf '%s\n' "$output" | grep -c 'private hosted zones do not follow delegations')" = 2 ]
	assert_output --partial "sub2.example.com. NS"
}

@test "r53apply: --wait polls GetChange until INSYNC, bounded by --wait-timeout" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	emu_admin post pending '{"seconds": 4}' >/dev/null
	r53a_adds 2 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	apply_ok "$zid" "$T/c" --wait --wait-timeout 60 --report "$T/r.json"
	[ "$(r53a_count GetChange)" -ge 2 ]
	[ "$(r53a_jq "$T/r.json" '.batches[0].insync')" = true ]
	emu_admin post pending '{"seconds": 600}' >/dev/null
	r53a_adds 2 k | R53A_CUR_RRSETS=4 R53A_EXTRA_HEADER="#current-serial 2024052002" R53A_SERIAL=2024052003 r53a_stream "$T/c2" "$zid"
	run r53apply --zone-id "$zid" --wait --wait-timeout 2 "$T/c2"
	assert_failure 5
	assert_output --partial "not INSYNC"
}

@test "r53apply: request boundaries hold against the emulator (1,000 RRs, 32,000 characters)" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	emu_quota 100000
	# 998 CREATEs + the SOA UPSERT (counted twice) = exactly 1,000
	r53a_adds 998 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	apply_ok "$zid" "$T/c"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	[ "$(r53a_serial "$zid")" = 2024052002 ]
	# 1,000 CREATEs without a serial to write: one request
	r53a_adds 1000 f | R53A_CUR_RRSETS=1000 R53A_SERIAL= r53a_stream "$T/f" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/f" --force
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	v=$(r53a_txt_value 1000)
	r53a_adds 32 t TXT "$v" | R53A_CUR_RRSETS=2000 R53A_SERIAL= r53a_stream "$T/t" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/t"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	r53a_adds 1001 g | R53A_CUR_RRSETS=2032 R53A_SERIAL= r53a_stream "$T/g" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/g" --force
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	[ "$(r53a_list "$zid" | wc -l)" = 3033 ]
	# one RRset of 600 records (over half a request) and 900 small ones
	big=$(seq 1 600 | awk '{ printf "10.9.%d.%d\n", int($1 / 256), $1 % 256 }' | LC_ALL=C sort | paste -sd '\t')
	{ printf '+\tbig.example.com.\tA\t300\t%s\n' "$big"; r53a_adds 900 k; } |
		R53A_CUR_RRSETS=3033 R53A_SERIAL= r53a_stream "$T/b" "$zid"
	emu_reset_counters
	apply_ok "$zid" "$T/b" --force
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	[ "$(r53a_list "$zid" | awk '$1 == "big.example.com." { print $4 }' | tr '|' '\n' | wc -l)" = 600 ]
}

@test "r53apply: a truncated change stream sends nothing at all" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_adds 100 h | R53A_CUR_RRSETS=2 r53a_stream "$T/c" "$zid"
	head -n 60 "$T/c" >"$T/trunc"
	emu_reset_counters
	run r53apply --zone-id "$zid" "$T/trunc"
	assert_failure 2
	assert_output --partial "nothing sent"
	[ "$(r53a_count _total)" = 0 ]
	run r53apply --zone-id "$zid" <"$T/trunc"
	assert_failure 2
	[ "$(r53a_count _total)" = 0 ]
}

@test "r53apply: a split A->CNAME group: the DELETE of the A goes in a batch before the CREATE of the CNAME" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	emu_quota 100000
	big=$(seq 1 1000 | awk '{ printf "10.9.%d.%d\n", int($1 / 256), $1 % 256 }' | LC_ALL=C sort | paste -sd '\t')
	{
		printf '+\tx.example.com.\tA\t300\t%s\n' "$big"
		for i in 1 2 3 4 5; do printf '+\td%d.example.com.\tA\t300\t192.0.2.%d\n' $i $i; done
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c0" "$zid"
	apply_ok "$zid" "$T/c0"
	{
		printf -- '-\tx.example.com.\tA\t300\t%s\n' "$big"
		printf '+\tx.example.com.\tCNAME\t300\ttarget.example.net.\n'
		for i in 1 2 3 4 5; do printf -- '-\td%d.example.com.\tA\t300\t192.0.2.%d\n' $i $i; done
	} | R53A_CUR_RRSETS=8 R53A_SERIAL= r53a_stream "$T/c1" "$zid"
	run r53apply -v --dry-run --zone-id "$zid" --force "$T/c1"
	echo "$output" | cut -c1-80
	assert_success
	assert_output --partial "requests 2, lower bound 2"
	del=$(printf '%s\n' "$output" | grep -n '^  DELETE x\.example\.com\. A' | cut -d: -f1)
	cre=$(printf '%s\n' "$output" | grep -n '^  CREATE x\.example\.com\. CNAME' | cut -d: -f1)
	[ -n "$del" ] && [ -n "$cre" ] && [ "$del" -lt "$cre" ]
	emu_reset_counters
	run r53apply --zone-id "$zid" --force "$T/c1"
	echo "$output"
	assert_success
	assert_output --partial "created 1, updated 0, deleted 6, skipped 0, change requests 2,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	r53a_list "$zid" | grep -qx 'x.example.com. CNAME 300 target.example.net.'
}

@test "r53apply: a refusal naming one routing record (set identifier) blames only that one" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	{
		printf '+\twww.example.com.\tA/eu\t300\t192.0.2.1\t@r53={"Weight":"10"}\n'
		printf '+\twww.example.com.\tA/us\t300\t192.0.2.2\t@r53={"Weight":"20"}\n'
	} | R53A_CUR_RRSETS=2 r53a_stream "$T/c0" "$zid"
	apply_ok "$zid" "$T/c0"
	# someone changes www A/eu by hand: its DELETE is refused
	python3 - "$T/up.json" <<'PY'
import json, sys
json.dump({"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
    "Name": "www.example.com.", "Type": "A", "SetIdentifier": "eu",
    "Weight": 10, "TTL": 300,
    "ResourceRecords": [{"Value": "192.0.2.77"}]}}]}, open(sys.argv[1], "w"))
PY
	emu_change "$zid" "$T/up.json" >/dev/null
	{
		printf -- '-\twww.example.com.\tA/eu\t300\t192.0.2.1\t@r53={"Weight":"10"}\n'
		printf -- '-\twww.example.com.\tA/us\t300\t192.0.2.2\t@r53={"Weight":"20"}\n'
	} | R53A_CUR_RRSETS=4 R53A_SERIAL=2024052003 R53A_EXTRA_HEADER='#delete-route53-only yes' r53a_stream "$T/c1" "$zid"
	emu_reset_counters
	run r53apply --zone-id "$zid" --force --report "$T/rep.json" "$T/c1"
	echo "$output"
	assert_failure 1
	assert_output --partial "set-identifier='eu'"
	assert_output --partial "created 0, updated 0, deleted 1, skipped 1, change requests 2,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
	[ "$(r53a_jq "$T/rep.json" '.not_applied[].key')" = "www.example.com. A/eu" ]
	r53a_list "$zid" | grep -qx 'www.example.com. A/eu 300 192.0.2.77'
	! r53a_list "$zid" | grep -q 'A/us'
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}

@test "r53apply: every offender a refusal names is set aside at once (joined and XML message forms, with and without the SOA)" {
	r53a_emu
	for form in error messages; do
		for serial in "" 2024052002; do
			zid=$(emu_create_zone example.com)
			for i in 1 2 3 4 5 6; do r53a_aws_create "$zid" c$i.example.com CNAME 300 t.example.net.; done
			{
				for i in 1 2 3 4 5 6; do printf '+\tc%d.example.com.\tTXT\t300\t"x"\n' $i; done
				r53a_adds 20 h
			} | R53A_SERIAL="$serial" R53A_CUR_RRSETS=8 r53a_stream "$T/c" "$zid"
			emu_faults "{\"icb_form\": \"$form\"}"
			emu_reset_counters
			run r53apply --zone-id "$zid" --adopt "$T/c"
			echo "form $form serial '$serial'"
			echo "$output"
			assert_failure 1
			assert_output --partial "created 20, updated 0, deleted 0, skipped 6, change requests 2,"
			[ "$(echo "$output" | grep -c 'rejected by Route 53: RRSet of type TXT with DNS name c.\.example\.com\. is not permitted because')" = 6 ]
			# the first request (with the SOA, if any) refused, the rest in one
			[ "$(r53a_count ChangeResourceRecordSets)" = 2 ]
			[ "$(r53a_list "$zid" | grep -c '^h[0-9]')" = 20 ]
			[ "$(r53a_serial "$zid")" = 1 ]
		done
	done
}

@test "r53apply: first apply without --adopt: a CNAME that needs a held DELETE is held too, not sent to be refused" {
	r53a_emu
	zid=$(emu_create_zone example.com)
	r53a_aws_create "$zid" x.example.com A 300 192.0.2.1
	{
		printf -- '-\tx.example.com.\tA\t300\t192.0.2.1\n'
		printf '+\tx.example.com.\tCNAME\t300\tt.example.net.\n'
		printf '+\ty.example.com.\tA\t300\t192.0.2.2\n'
	} | R53A_CUR_RRSETS=3 r53a_stream "$T/c1" "$zid"
	emu_reset_counters
	run r53apply -v --zone-id "$zid" --report "$T/rep.json" "$T/c1"
	echo "$output"
	assert_failure 1
	assert_output --partial "x.example.com. CNAME: needs the DELETE of line 8 (x.example.com. A), which is held back"
	refute_output --partial "rejected by Route 53"
	assert_output --partial "created 1, updated 0, deleted 0, skipped 2, change requests 1,"
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	[ "$(r53a_jq "$T/rep.json" '.held')" = 2 ]
	[ "$(r53a_jq "$T/rep.json" '.rejected')" = 0 ]
	r53a_list "$zid" | grep -qx 'x.example.com. A 300 192.0.2.1'
	r53a_list "$zid" | grep -qx 'y.example.com. A 300 192.0.2.2'
	[ "$(r53a_serial "$zid")" = 1 ]
	# adopting applies both (y. is found in place already)
	apply_ok "$zid" "$T/c1" --adopt
	assert_output --partial "created 1, updated 0, deleted 1, already applied 1,"
	r53a_list "$zid" | grep -qx 'x.example.com. CNAME 300 t.example.net.'
	[ "$(r53a_serial "$zid")" = 2024052002 ]
}
