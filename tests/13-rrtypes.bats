#!/usr/bin/env bats
# The record-type table (lib/common/dns/rrtypes.c) is the one list of the
# types Route 53 stores, the DNSSEC types and the types managed by
# default; canon, rrdiff and r53apply read it.  It must agree with
# itself, with ldns's mnemonics, with the Route 53 emulator's list of
# supported types (tests/r53emu, which restates Route 53's documented
# list) and with rrdiff's default.

load test_helper
bats_require_minimum_version 1.5.0

table_types() {	# table_types LETTER: the names whose flags hold LETTER
	rrtypes_test list | awk -v f="$1" 'index($3, f) {print $2}'
}

@test "the record-type table is sorted, unique and names what ldns names" {
	run rrtypes_test check
	assert_success
	assert_output ''
}

@test "the emulator stores exactly the types the table marks as Route 53's" {
	run python3 -c 'import sys; sys.path.insert(0, sys.argv[1])
import r53emu
print("\n".join(sorted(r53emu.TYPES)))' "$TESTS_DIR/r53emu"
	assert_success
	assert_equal "$output" "$(table_types r | LC_ALL=C sort)"
}

@test "rrdiff manages by default the types the table marks as managed" {
	local d="$FIXTURES/rrdiff/unsupported"
	run --separate-stderr rrdiff "$d/desired.rrset" "$d/current.rrset"
	assert_equal "$status" 1
	assert_line "#managed-types $(table_types m | paste -sd, -)"
}

@test "rrdiff skips every DNSSEC type of the table quietly, SIG KEY NXT too" {
	local t n=0
	{
		printf '#!r53mirror-rrset 1\n#origin example.com.\n#serial 1\n'
		printf '#producer zxfr 0.1.0\n#source dns 127.0.0.1 port 53\n'
		for t in $(table_types d); do
			printf 'example.com.\t%s\t300\t\\# 4 0a000001\n' "$t"
			n=$((n + 1))
		done
		printf '#end rrsets=%d\n' "$n"
	} >"$T/desired"
	{
		printf '#!r53mirror-rrset 1\n#origin example.com.\n#serial 1\n'
		printf '#producer r53dump 0.1.0\n#zone-id Z1\n#end rrsets=0\n'
	} >"$T/current"
	run --separate-stderr rrdiff "$T/desired" "$T/current"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_output --partial "skipped-dnssec=$n "
	[ "$n" -ge 10 ]
}
