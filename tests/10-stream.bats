#!/usr/bin/env bats
# The stream library (lib/common/stream/stream.c, zonebuf.c) through
# build/tests/stream_test: every rejection of SPEC 2.3 with its exact
# message, round trips, the writer's checks and atomic output, zonebuf.

load test_helper

# Short CPU-bound tests: in make check they run in order (the file beside
# others), as bats' parallel mode within a file costs more than it saves.
setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}
bats_require_minimum_version 1.5.0

S="$FIXTURES/stream"

@test "an RRset stream round-trips byte for byte through reader and writer" {
	run --separate-stderr stream_test cat "$S/good.rrset"
	assert_success
	assert_equal "$stderr" ""
	diff -u "$S/good.rrset" <(printf '%s\n' "$output")
}

@test "the good stream is sorted and unique by key for sort(1)" {
	grep -v '^#' "$S/good.rrset" | LC_ALL=C sort -c
	grep -v '^#' "$S/good.rrset" | LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,2
}

@test "the empty zone, the root zone and stdin are read" {
	run stream_test cat "$S/empty.rrset"
	assert_success
	assert_output "$(cat "$S/empty.rrset")"
	run stream_test cat "$S/root.rrset"
	assert_success
	assert_output "$(cat "$S/root.rrset")"
	stream_test cat - <"$S/good.rrset" >"$T/out"
	cmp "$S/good.rrset" "$T/out"
}

@test "a change stream round-trips byte for byte" {
	run --separate-stderr stream_test catchange "$S/good.changes"
	assert_success
	diff -u "$S/good.changes" <(printf '%s\n' "$output")
}

@test "a line longer than the read buffer and many buffer refills" {
	# one TXT RRset of 4000 records of 100 octets: a 400 KB line
	awk 'BEGIN {
		printf "#!r53mirror-rrset 1\n#origin example.com.\n#producer t\n"
		printf "big.example.com.\tTXT\t300"
		for (i = 0; i < 4000; i++) printf "\t\"%08d%s\"", i, sprintf("%090d", 0)
		printf "\n"
		for (i = 0; i < 30000; i++) printf "h%06d.example.com.\tA\t300\t192.0.2.1\n", i
		printf "#end rrsets=30001\n"
	}' >"$T/big.rrset"
	stream_test cat "$T/big.rrset" >"$T/out"
	cmp "$T/big.rrset" "$T/out"
	stream_test cat - <"$T/big.rrset" | cmp - "$T/big.rrset"
}

@test "the reader and names.c agree on which names are canonical (golden)" {
	run stream_test namecheck <"$S/names.txt"
	assert_success
	diff -u "$S/names.expected" <(printf '%s\n' "$output")
	# both columns equal on every line
	assert_equal "$(awk -F'\t' '$2 != $3' "$S/names.expected")" ""
}

@test "rrset_parse splits fields; @raw is outside the compared content" {
	line=$(printf 'www.example.com.\tA/eu\\032west\t60\t192.0.2.1\t192.0.2.2\t@r53={"Region":"eu-west-1"}\t@raw=["192.0.2.1","192.0.2.2"]')
	run stream_test parse "$line"
	assert_success
	assert_output "$(printf '%s\n' 'owner=www.example.com.' 'type=A' \
	    'setid=eu\032west' 'ttl=60' 'rdata=192.0.2.1' 'rdata=192.0.2.2' \
	    'r53={"Region":"eu-west-1"}' 'raw=["192.0.2.1","192.0.2.2"]' \
	    "key=$(printf 'www.example.com.\tA/eu\\032west')" \
	    "cmp=$(printf 'www.example.com.\tA/eu\\032west\t60\t192.0.2.1\t192.0.2.2\t@r53={"Region":"eu-west-1"}')" \
	    'route53-only=1' 'unconverted=0')"
	run stream_test parse "$(printf 'a.example.com.\tA\t-\t@r53={"AliasTarget":{}}')"
	assert_success
	assert_line 'ttl=-1'
	assert_line 'route53-only=1'
	run stream_test parse "$(printf 'a.example.com.\tA\t5\t192.0.2.1')"
	assert_line 'route53-only=0'
	run --separate-stderr stream_test parse "$(printf 'a.example.com.\tA\t5\t')"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: arg:1: rdata 1: empty field"
}

@test "an RRset with @raw and no RDATA: its stored values are its content" {
	# r53dump's form for values it cannot convert (SPEC 2.2): no RDATA,
	# so no source RRset can equal it; @raw compared, unlike beside RDATA
	line=$(printf 'x.example.com.\tTXT\t300\t@raw=["\\"v=1\\\\009x\\""]')
	run --separate-stderr stream_test parse "$line"
	assert_success
	assert_output "$(printf '%s\n' 'owner=x.example.com.' 'type=TXT' \
	    'ttl=300' 'raw=["\"v=1\\009x\""]' \
	    "key=$(printf 'x.example.com.\tTXT')" "cmp=$line" \
	    'route53-only=0' 'unconverted=1')"
	# a routing record keeps its @r53 before the @raw
	run stream_test parse "$(printf 'x.example.com.\tTXT/a\t300\t@r53={"Weight":"1"}\t@raw=["x"]')"
	assert_success
	assert_line 'route53-only=1'
	assert_line 'unconverted=1'
	# neither RDATA nor @raw, or only @r53: still refused
	run --separate-stderr stream_test parse "$(printf 'x.example.com.\tTXT\t300\t@r53={"Weight":"1"}')"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: arg:1: rdata 1: missing (an RRset needs at least one record, or @raw)"
	# rrset_format and zonebuf write the form
	run stream_test format x.example.com. TXT - 300 - '["x"]'
	assert_success
	assert_output "$(printf 'x.example.com.\tTXT\t300\t@raw=["x"]')"
	printf 'x.example.com.\tTXT\t-\t300\t-\t-\t["x"]\n' |
	    stream_test zonebuf example.com. >"$T/zb"
	grep -qxF "$(printf 'x.example.com.\tTXT\t300\t@raw=["x"]')" "$T/zb"
	printf 'x.example.com.\tTXT\t-\t300\t-\t-\t["x"]\nx.example.com.\tTXT\t-\t300\t"a"\t-\t-\n' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: x.example.com.	TXT: an RRset without RDATA and records with one key"
}

@test "the change writer puts an RRset without RDATA only on '-' and '<' lines" {
	printf '%s\n' '-	a.example.com.	TXT	1	@raw=["a"]' \
	    '<	c.example.com.	TXT	1	@raw=["c"]' '>	c.example.com.	TXT	1	"c"' \
	    '#EXTRA desired-rrsets=1 current-rrsets=2 skipped=0' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_success
	assert_line --index 6 '#end changes=2 adds=0 deletes=1 updates=1 desired-rrsets=1 current-rrsets=2 skipped=0'
	printf '+\tb.example.com.\tTXT\t1\t@raw=["b"]\n' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):4: kind: '+' line with an RRset without RDATA (@raw only: it can only be deleted or replaced)"
	printf '%s\n' '<	c.example.com.	TXT	1	"c"' '>	c.example.com.	TXT	1	@raw=["c"]' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: kind: '>' line with an RRset without RDATA (@raw only: it can only be deleted or replaced)"
}

@test "rrset_format sorts records bytewise and drops duplicates" {
	run stream_test format www.example.com. MX - 300 - - "20 b.example." "10 z.example." "20 b.example." "100 a.example."
	assert_success
	assert_output "$(printf 'www.example.com.\tMX\t300\t10 z.example.\t100 a.example.\t20 b.example.')"
	run stream_test format w.example.com. A 'eu\032west' - '{"AliasTarget":{}}' '["x"]'
	assert_success
	assert_output "$(printf 'w.example.com.\tA/eu\\032west\t-\t@r53={"AliasTarget":{}}\t@raw=["x"]')"
}

@test "SetIdentifier escapes: decimal \\DDD outside A-Z a-z 0-9 - _ ." {
	run stream_test setid 'eu west/1.Ab_-'
	assert_success
	assert_output "$(printf '%s\n' 'eu\032west\0471.Ab_-' 'eu west/1.Ab_-')"
	run stream_test unsetid 'a\097'
	assert_equal "$status" 2
	run stream_test unsetid 'a b'
	assert_equal "$status" 2
	run stream_test unsetid 'a\25'
	assert_equal "$status" 2
}

@test "the writer refuses a line out of order and writes no trailer" {
	printf 'b.example.com.\tA\t1\t192.0.2.1\na.example.com.\tA\t1\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: internal error: out-of-order key a.example.com. A"
	refute_output --partial '#end'
}

@test "the writer refuses a duplicate key, a bad field and an owner outside the origin" {
	printf 'a.example.com.\tA\t1\t192.0.2.1\na.example.com.\tA\t2\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: internal error: duplicate key a.example.com. A"
	printf 'a.example.com.\tA\t01\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):4: ttl: not a decimal 0..2147483647 without leading zeros, nor '-'"
	printf 'a.example.org.\tA\t1\t192.0.2.1\n' >"$T/in"
	run --separate-stderr stream_test put rrset example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):4: owner: outside the origin"
	refute_output --partial '#end'
}

@test "the change writer pairs < with > and counts in the trailer" {
	printf '%s\n' '-	a.example.com.	A	1	192.0.2.1' '+	b.example.com.	A	1	192.0.2.1' \
	    '<	c.example.com.	A	1	192.0.2.1' '>	c.example.com.	A	2	192.0.2.1' \
	    '#EXTRA desired-rrsets=2 current-rrsets=2 skipped=0' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_success
	assert_line --index 7 '#end changes=3 adds=1 deletes=1 updates=1 desired-rrsets=2 current-rrsets=2 skipped=0'
	printf '%s\n' "$output" >"$T/out"
	stream_test catchange "$T/out" | cmp - "$T/out"
	printf '%s\n' '<	c.example.com.	A	1	192.0.2.1' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout): internal error: '<' not followed by '>'"
	printf '%s\n' '<	c.example.com.	A	1	192.0.2.1' '>	d.example.com.	A	1	192.0.2.1' >"$T/in"
	run --separate-stderr stream_test put change example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):5: internal error: '>' without its '<'"
}

@test "atomic output: the file appears complete, with no temporary left" {
	stream_test copy "$S/good.rrset" "$T/out.rrset"
	cmp "$S/good.rrset" "$T/out.rrset"
	run ls -A "$T"
	assert_output "out.rrset"
}

@test "atomic output: an aborted write leaves no file and no temporary" {
	run stream_test copy "$S/good.rrset" "$T/out.rrset" 5
	assert_equal "$status" 2
	run ls -A "$T"
	assert_output ""
	# an existing file is left as it was
	echo old >"$T/out.rrset"
	run stream_test copy "$S/good.rrset" "$T/out.rrset" 5
	assert_equal "$status" 2
	run ls -A "$T"
	assert_output "out.rrset"
	assert_equal "$(cat "$T/out.rrset")" old
	# a truncated input does not replace it either
	head -n 10 "$S/good.rrset" >"$T/trunc"
	run stream_test copy "$T/trunc" "$T/out.rrset"
	assert_equal "$status" 2
	assert_equal "$(cat "$T/out.rrset")" old
	run ls -A "$T"
	assert_output "$(printf 'out.rrset\ntrunc')"
}

@test "atomic output into a missing folder fails cleanly" {
	run --separate-stderr stream_test copy "$S/good.rrset" "$T/nodir/out.rrset"
	assert_equal "$status" 2
	[[ "$stderr" == "stream_test: $T/nodir/out.rrset: cannot create temporary file "* ]]
	[ ! -e "$T/nodir" ]
}

@test "zonebuf groups, sorts, dedups and merges TTLs (golden)" {
	run --separate-stderr stream_test zonebuf example.com. <"$S/records.tsv"
	assert_success
	diff -u "$S/zonebuf.rrset" <(printf '%s\n' "$output")
	diff -u "$S/zonebuf.err" <(printf '%s\n' "$stderr")
	grep -v '^#' "$S/zonebuf.rrset" | LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,2
}

@test "zonebuf reports TTL conflicts through a callback instead" {
	run --separate-stderr stream_test zonebuf-cb example.com. <"$S/records.tsv"
	assert_success
	diff -u "$S/zonebuf.rrset" <(printf '%s\n' "$output")
	assert_equal "$stderr" "$(printf 'conflict *.example.com.\tTXT 100 300\nconflict www.example.com.\tA 300 600\nrecords=17 rrsets=10 ttl-conflicts=2')"
}

@test "zonebuf rebuilds a stream from its records in random order" {
	# explode good.rrset into one record per line, shuffle, rebuild
	awk -F'\t' -v OFS='\t' '!/^#/ {
		split($2, ts, "/"); setid = ($2 ~ /\//) ? substr($2, index($2, "/") + 1) : "-"
		r53 = "-"; raw = "-"; n = 0
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^@r53=/) r53 = substr($i, 6)
			else if ($i ~ /^@raw=/) raw = substr($i, 6)
			else rd[++n] = $i
		}
		if (n == 0) print $1, ts[1], setid, $3, "-", r53, raw
		for (i = 1; i <= n; i++) print $1, ts[1], setid, $3, rd[i], r53, raw
	}' "$S/good.rrset" >"$T/records"
	[ "$(wc -l <"$T/records")" -gt 20 ]
	shuf --random-source=<(yes) "$T/records" >"$T/shuffled"
	run cmp -s "$T/records" "$T/shuffled"
	assert_failure
	stream_test zonebuf example.com. <"$T/shuffled" >"$T/out" 2>/dev/null
	diff -u <(grep -v '^#' "$S/good.rrset") <(grep -v '^#' "$T/out")
}

@test "zonebuf refuses conflicting @r53, alias mixed with records, TAB in a field" {
	printf 'a.example.com.\tA\tx\t1\t192.0.2.1\t{"Weight":"1"}\t-\na.example.com.\tA\tx\t1\t192.0.2.2\t{"Weight":"2"}\t-\n' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: a.example.com.	A/x: records of one RRset with different @r53 or @raw"
	printf 'a.example.com.\tA\t-\t-\t-\t{"AliasTarget":{}}\t-\na.example.com.\tA\t-\t1\t192.0.2.2\t-\t-\n' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: a.example.com.	A: alias and plain records with one key"
	printf 'a.example.com.\tA\t-\t1\t-\t-\t-\n' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_equal "$status" 2
	[[ "$stderr" == "stream_test: zonebuf: bad record for a.example.com. A "* ]]
	printf 'a.example.org.\tA\t-\t1\t192.0.2.1\t-\t-\n' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_equal "$status" 2
	assert_equal "$stderr" "stream_test: (stdout):4: owner: outside the origin"
}

@test "zonebuf sorts 100,000 records given in reverse order, each twice" {
	awk 'BEGIN { for (i = 50000; i > 0; i--) {
		o = sprintf("h%d.example.com.", int(i / 3)); t = i % 3
		if (t == 0) l = o "\tA\t-\t300\t192.0.2." (i % 250) "\t-\t-"
		else if (t == 1) l = o "\tTXT\t-\t300\t\"" i "\"\t-\t-"
		else l = o "\tAAAA\t-\t300\t2001:db8::" i "\t-\t-"
		print l; print l } }' >"$T/in"
	run --separate-stderr stream_test zonebuf example.com. <"$T/in"
	assert_success
	assert_equal "$stderr" "records=100000 rrsets=50000 ttl-conflicts=0"
	printf '%s\n' "$output" >"$T/out"
	grep -v '^#' "$T/out" | LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,2
	stream_test cat "$T/out" | cmp - "$T/out"
	assert_equal "$(grep -vc '^#' "$T/out")" 50000
	assert_equal "$(tail -n 1 "$T/out")" "#end rrsets=50000"
}

@test "reader rejects after-trailer" {
	reject rrset after-trailer
}

@test "reader rejects alias-with-rdata" {
	reject rrset alias-with-rdata
}

@test "reader rejects alias-without-r53" {
	reject rrset alias-without-r53
}

@test "reader rejects at-unknown" {
	reject rrset at-unknown
}

@test "reader rejects bad-magic" {
	reject rrset bad-magic
}

@test "reader rejects change-magic" {
	reject rrset change-magic
}

@test "reader rejects count-missing" {
	reject rrset count-missing
}

@test "reader rejects crlf" {
	reject rrset crlf
}

@test "reader rejects duplicate-key" {
	reject rrset duplicate-key
}

@test "reader rejects empty-line" {
	reject rrset empty-line
}

@test "reader rejects empty" {
	reject rrset empty
}

@test "reader rejects header-after-records" {
	reject rrset header-after-records
}

@test "reader rejects header-malformed" {
	reject rrset header-malformed
}

@test "reader rejects header-no-value" {
	reject rrset header-no-value
}

@test "reader rejects header-twice" {
	reject rrset header-twice
}

@test "reader rejects missing-origin" {
	reject rrset missing-origin
}

@test "reader rejects missing-producer" {
	reject rrset missing-producer
}

@test "reader rejects no-magic" {
	reject rrset no-magic
}

@test "reader rejects no-trailer" {
	reject rrset no-trailer
}

@test "reader rejects origin-relative" {
	reject rrset origin-relative
}

@test "reader rejects out-of-order" {
	reject rrset out-of-order
}

@test "reader rejects owner-bad-escape" {
	reject rrset owner-bad-escape
}

@test "reader rejects owner-empty-label" {
	reject rrset owner-empty-label
}

@test "reader rejects owner-escape-256" {
	reject rrset owner-escape-256
}

@test "reader rejects owner-label-64" {
	reject rrset owner-label-64
}

@test "reader rejects owner-leading-dash" {
	reject rrset owner-leading-dash
}

@test "reader rejects owner-name-256" {
	reject rrset owner-name-256
}

@test "reader rejects owner-needless-escape" {
	reject rrset owner-needless-escape
}

@test "reader rejects owner-only" {
	reject rrset owner-only
}

@test "reader rejects owner-outside" {
	reject rrset owner-outside
}

@test "reader rejects owner-relative" {
	reject rrset owner-relative
}

@test "reader rejects owner-space" {
	reject rrset owner-space
}

@test "reader rejects owner-star-escaped" {
	reject rrset owner-star-escaped
}

@test "reader rejects owner-star-inside" {
	reject rrset owner-star-inside
}

@test "reader rejects owner-suffix-not-label" {
	reject rrset owner-suffix-not-label
}

@test "reader rejects owner-upper" {
	reject rrset owner-upper
}

@test "reader rejects r53-after-raw" {
	reject rrset r53-after-raw
}

@test "reader rejects r53-not-object" {
	reject rrset r53-not-object
}

@test "reader rejects raw-not-array" {
	reject rrset raw-not-array
}

@test "reader rejects raw-twice" {
	reject rrset raw-twice
}

@test "reader rejects rdata-after-at" {
	reject rrset rdata-after-at
}

@test "reader rejects rdata-control" {
	reject rrset rdata-control
}

@test "reader rejects rdata-duplicate" {
	reject rrset rdata-duplicate
}

@test "reader rejects rdata-empty" {
	reject rrset rdata-empty
}

@test "reader rejects rdata-high-octet" {
	reject rrset rdata-high-octet
}

@test "reader rejects rdata-missing" {
	reject rrset rdata-missing
}

@test "reader rejects rdata-trailing-space" {
	reject rrset rdata-trailing-space
}

@test "reader rejects rdata-trailing-tab" {
	reject rrset rdata-trailing-tab
}

@test "reader rejects rdata-unsorted" {
	reject rrset rdata-unsorted
}

@test "reader rejects serial-too-big" {
	reject rrset serial-too-big
}

@test "reader rejects setid-empty" {
	reject rrset setid-empty
}

@test "reader rejects setid-needless-escape" {
	reject rrset setid-needless-escape
}

@test "reader rejects setid-space" {
	reject rrset setid-space
}

@test "reader rejects trailer-malformed" {
	reject rrset trailer-malformed
}

@test "reader rejects trailer-duplicate (one count given twice)" {
	reject rrset trailer-duplicate
}

@test "reader rejects truncated-header" {
	reject rrset truncated-header
}

@test "reader rejects truncated-line" {
	reject rrset truncated-line
}

@test "reader rejects ttl-alpha" {
	reject rrset ttl-alpha
}

@test "reader rejects ttl-empty" {
	reject rrset ttl-empty
}

@test "reader rejects ttl-leading-zero" {
	reject rrset ttl-leading-zero
}

@test "reader rejects ttl-negative" {
	reject rrset ttl-negative
}

@test "reader rejects ttl-too-big" {
	reject rrset ttl-too-big
}

@test "reader rejects two-trailers" {
	reject rrset two-trailers
}

@test "reader rejects type-digit-first" {
	reject rrset type-digit-first
}

@test "reader rejects type-empty" {
	reject rrset type-empty
}

@test "reader rejects type-lower" {
	reject rrset type-lower
}

@test "reader rejects type-no-ttl" {
	reject rrset type-no-ttl
}

@test "reader rejects unknown-version" {
	reject rrset unknown-version
}

@test "reader rejects wrong-count" {
	reject rrset wrong-count
}

@test "change reader rejects bad-kind" {
	reject change bad-kind
}

@test "change reader rejects bad-rrset" {
	reject change bad-rrset
}

@test "change reader rejects gt-without-lt" {
	reject change gt-without-lt
}

@test "change reader rejects lt-at-end" {
	reject change lt-at-end
}

@test "change reader rejects lt-without-gt" {
	reject change lt-without-gt
}

@test "change reader rejects missing-current-rrsets" {
	reject change missing-current-rrsets
}

@test "change reader rejects no-tab-after-kind" {
	reject change no-tab-after-kind
}

@test "change reader rejects no-trailer" {
	reject change no-trailer
}

@test "change reader rejects out-of-order" {
	reject change out-of-order
}

@test "change reader rejects rrset-magic" {
	reject change rrset-magic
}

@test "change reader rejects update-key-differs" {
	reject change update-key-differs
}

@test "change reader rejects add-unconverted (an RRset without RDATA added)" {
	reject change add-unconverted
}

@test "change reader rejects gt-unconverted (an RRset without RDATA as the new side)" {
	reject change gt-unconverted
}

@test "change reader rejects wrong-adds" {
	reject change wrong-adds
}


@test "mutated streams are accepted or rejected, never crash the reader" {
	run stream_test fuzz rrset "$S/good.rrset" 2000 53
	assert_success
	[[ "$output" =~ ^accepted=([0-9]+)\ rejected=([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "${BASH_REMATCH[2]}" -gt 1000 ]
	run stream_test fuzz change "$S/good.changes" 2000 54
	assert_success
	[[ "$output" =~ ^accepted=([0-9]+)\ rejected=([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "${BASH_REMATCH[2]}" -gt 1000 ]
}

# spec_example HEADING: the first indented block after HEADING in SPEC.md
spec_example() {
	awk -v h="$1" '$0 == h { on = 1; next }
		on && /^    / { sub(/^    /, ""); print; got = 1; next }
		on && got { exit }' "$TOP_DIR/format/SPEC.md"
}

@test "the examples of SPEC.md sections 2 and 5 are valid streams" {
	spec_example '## 2. The RRset stream' >"$T/ex.rrset"
	[ "$(wc -l <"$T/ex.rrset")" -gt 5 ]
	stream_test cat "$T/ex.rrset" | cmp - "$T/ex.rrset"
	spec_example '## 5. The change stream' >"$T/ex.changes"
	[ "$(wc -l <"$T/ex.changes")" -gt 5 ]
	stream_test catchange "$T/ex.changes" | cmp - "$T/ex.changes"
}
