#!/usr/bin/env bats
# zonebuf's sort (a multikey quicksort on 8-octet words, lib/common/
# stream/zonebuf.c) and the stream writer's shortcut for an owner equal to the
# previous line's (lib/common/stream/stream.c), through build/tests/stream_test.
# The writer checks every line zonebuf writes (order included), so a
# wrong sort fails there as well as in the comparison below.

bats_require_minimum_version 1.5.0
load test_helper

@test "zonebuf sorts random records exactly as qsort with strcmp would" {
	# long shared RDATA prefixes (several 8-octet words deep), keys that
	# are prefixes of others (A, AA, AAAA), duplicates
	for seed in 1 2 3; do
		run --separate-stderr stream_test sortcheck 20000 "$seed" "$T"
		assert_success
		grep -v '^#' "$T/got" >"$T/got.lines"
		diff -u "$T/expected" "$T/got.lines"
		[ "$(wc -l <"$T/expected")" -gt 1000 ]
		tail -n 1 "$T/got" | grep -qx "#end rrsets=$(wc -l <"$T/expected")"
	done
}

@test "zonebuf sorts a few records (insertion sort) the same way" {
	run --separate-stderr stream_test sortcheck 5 7 "$T"
	assert_success
	grep -v '^#' "$T/got" | diff -u "$T/expected" -
}

@test "the writer refuses out-of-order types under one owner" {
	printf 'a.example.com.\tMX\t1\t10 a.example.com.\na.example.com.\tA\t1\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: internal error: out-of-order key a.example.com. A"
	refute_output --partial '#end'
}

@test "the writer still checks an owner that only shares a prefix with the previous one" {
	# a.example.com. is skipped only when the whole owner and its TAB match
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.b\tA\t1\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: owner: not absolute (must end with '.')"
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.\tAAAA\t1\t::1\nb\\065.example.com.\tA\t1\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):6: owner: upper-case octet (must be lower case)"
}

@test "the writer checks every other field under a repeated owner" {
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.\tAAAA\t01\t::1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: ttl: not a decimal 0..2147483647 without leading zeros, nor '-'"
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.\tTXT\t1\t"b"\t"a"\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: rdata 2: records not in byte order"
}

@test "the writer takes a repeated owner and counts the lines" {
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.\tAAAA\t1\t::1\na.example.com.\tTXT\t1\t"x"\nb.example.com.\tA\t1\t192.0.2.2\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_success
	assert_line --index 6 'b.example.com.	A	1	192.0.2.2'
	assert_line --index 7 '#end rrsets=4'
}
