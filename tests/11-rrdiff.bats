#!/usr/bin/env bats
# rrdiff: golden change streams for every change class
# (tests/fixtures/rrdiff/CASE/), trouble on either input (exit 2, no
# trailer), atomic -o, usage, and the SPEC 7 zone-file one-liner.

load test_helper
bats_require_minimum_version 1.5.0

R="$FIXTURES/rrdiff"

@test "identical inputs: no changes, exit 0" { rrdiff_case identical; }
@test "empty zone on both sides: exit 0" { rrdiff_case empty; }
@test "add" { rrdiff_case add; }
@test "delete" { rrdiff_case delete; }
@test "DESIRED empty: everything but apex SOA and NS deleted" { rrdiff_case desired-empty; }
@test "TTL-only change is an update" { rrdiff_case ttl-only; }
@test "--ignore-ttl: TTL-only change is none, TTL and rdata change is one" { rrdiff_case ttl-only-ignored; }
@test "rdata change" { rrdiff_case rdata-change; }
@test "A to CNAME at one name: delete and add" { rrdiff_case a-to-cname; }
@test "wildcard owners" { rrdiff_case wildcard; }
@test "escaped owners: space, dot in a label, leading hyphen" { rrdiff_case escaped-owners; }
@test "RFC 2317 owners with /" { rrdiff_case rfc2317; }
@test "apex SOA and NS are not managed; desired serial in the header" {
	rrdiff_case apex
	assert_line '#desired-serial 2024052002'
	assert_line '#current-zone-id Z0123456789ABC'
}
@test "--manage-apex-ns updates the apex NS set" { rrdiff_case apex-ns-managed; }
@test "unmanaged types: one warning per type, DNSSEC quiet, all counted" { rrdiff_case unsupported; }
@test "-q: no warnings" { rrdiff_case unsupported-quiet; }
@test "alias and routing records only Route 53 holds are kept" { rrdiff_case route53-only; }
@test "--delete-route53-only deletes and replaces them" { rrdiff_case route53-only-delete; }
@test "@raw is ignored in comparisons and carried in - and < lines" { rrdiff_case raw; }
@test "--types restricts the managed types" { rrdiff_case types; }

# truncated FILE LINES OUT: the first LINES lines of FILE into OUT
truncated() { head -n "$2" "$1" >"$3"; }

@test "truncated DESIRED: exit 2, no trailer" {
	truncated "$R/desired-empty/current.rrset" 9 "$T/cut.rrset"
	run --separate-stderr rrdiff -q "$T/cut.rrset" "$R/desired-empty/desired.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/cut.rrset:9: no trailer: input truncated"
	refute_output --partial '#end'
}

@test "trouble after more than a buffer of changes: partial output, no trailer" {
	awk 'BEGIN { print "#!r53mirror-rrset 1\n#origin example.com.\n#producer t"
		for (i = 0; i < 20000; i++) printf "a%05d.example.com.\tTXT\t300\t\"%s\"\n", i, sprintf("%040d", i)
		print "#end rrsets=20000" }' >"$T/d.rrset"
	awk 'BEGIN { print "#!r53mirror-rrset 1\n#origin example.com.\n#producer t"
		for (i = 0; i < 100; i++) printf "b%05d.example.com.\tA\t300\t192.0.2.1\n", i }' >"$T/c.rrset"
	run --separate-stderr rrdiff "$T/d.rrset" "$T/c.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/c.rrset:103: no trailer: input truncated"
	# the change lines that reached stdout carry no trailer
	[ "$(printf '%s\n' "$output" | grep -c '^+')" -gt 1000 ]
	refute_output --partial '#end'
	printf '%s\n' "$output" >"$T/partial"
	run stream_test catchange "$T/partial"
	assert_equal "$status" 2
}

@test "truncated CURRENT: exit 2, no trailer" {
	truncated "$R/desired-empty/current.rrset" 9 "$T/cut.rrset"
	run --separate-stderr rrdiff "$R/desired-empty/desired.rrset" "$T/cut.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/cut.rrset:9: no trailer: input truncated"
	refute_output --partial '#end'
	# and a last line cut in the middle
	head -c -3 "$R/add/current.rrset" >"$T/cut2.rrset"
	run --separate-stderr rrdiff "$R/add/desired.rrset" "$T/cut2.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/cut2.rrset:11: last line has no newline: input truncated"
	refute_output --partial '#end'
}

@test "a bad line in the middle of CURRENT: exit 2, no trailer" {
	sed 's/^www.example.com.\tA\t300/www.example.com.\tA\t0300/' "$R/add/current.rrset" >"$T/bad.rrset"
	run --separate-stderr rrdiff "$R/add/desired.rrset" "$T/bad.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/bad.rrset:10: ttl: not a decimal 0..2147483647 without leading zeros, nor '-'"
	refute_output --partial '#end'
}

@test "different origins: exit 2, nothing written" {
	run --separate-stderr rrdiff "$R/add/desired.rrset" "$R/rfc2317/current.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: different origins: $R/add/desired.rrset has example.com., $R/rfc2317/current.rrset has 2.0.192.in-addr.arpa."
	assert_output ""
}

@test "a change stream or an unknown version as input: exit 2" {
	run --separate-stderr rrdiff "$R/add/desired.rrset" "$R/add/expected.out"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $R/add/expected.out:1: this is a change stream, expected an RRset stream"
	sed '1s/ 1$/ 2/' "$R/add/current.rrset" >"$T/v2.rrset"
	run --separate-stderr rrdiff "$T/v2.rrset" "$R/add/current.rrset"
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: $T/v2.rrset:1: unknown format version '2' (this reader knows 1)"
	run rrdiff "$R/add/desired.rrset" "$T/missing.rrset"
	assert_equal "$status" 2
	assert_output "rrdiff: $T/missing.rrset: No such file or directory"
}

@test "swapped operands: a warning, and desired-zone-id in the header" {
	cd "$R/add"
	run --separate-stderr rrdiff current.rrset desired.rrset
	assert_equal "$status" 1
	assert_equal "$stderr" "rrdiff: warning: DESIRED current.rrset is a Route 53 dump (zone-id Z0123456789ABC): are the operands swapped?"
	assert_line '#desired-zone-id Z0123456789ABC'
	assert_line "$(printf -- '-\tnew.example.com.\tA\t300\t192.0.2.10')"
}

@test "either input may be standard input" {
	cd "$R/add"
	rrdiff - current.rrset <desired.rrset >"$T/a" || [ $? -eq 1 ]
	rrdiff desired.rrset - <current.rrset >"$T/b" || [ $? -eq 1 ]
	diff -u expected.out "$T/a"
	diff -u expected.out "$T/b"
}

@test "a write error on stdout: exit 2" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c 'rrdiff "$1" "$2" >/dev/full' sh "$R/add/desired.rrset" "$R/add/current.rrset"
	assert_equal "$status" 2
	assert_output "rrdiff: (stdout): write: No space left on device"
}

@test "-o FILE: written atomically, equal to stdout" {
	cd "$R/add"
	run rrdiff -o "$T/out.changes" desired.rrset current.rrset
	assert_equal "$status" 1
	assert_output ""
	diff -u expected.out "$T/out.changes"
	run ls -A "$T"
	assert_output "out.changes"
}

@test "-o FILE with a truncated input: no file, no temporary, old file kept" {
	truncated "$R/add/current.rrset" 8 "$T/cut.rrset"
	run rrdiff -o "$T/out.changes" "$R/add/desired.rrset" "$T/cut.rrset"
	assert_equal "$status" 2
	run ls -A "$T"
	assert_output "cut.rrset"
	echo old >"$T/out.changes"
	run rrdiff -o "$T/out.changes" "$R/add/desired.rrset" "$T/cut.rrset"
	assert_equal "$status" 2
	assert_equal "$(cat "$T/out.changes")" old
	run ls -A "$T"
	assert_output "$(printf 'cut.rrset\nout.changes')"
}

@test "usage errors exit 3; --help and --version exit 0" {
	run rrdiff
	assert_equal "$status" 3
	run rrdiff a
	assert_equal "$status" 3
	run rrdiff - -
	assert_equal "$status" 3
	assert_output "rrdiff: DESIRED and CURRENT cannot both be standard input"
	run rrdiff --types 'A,b-c' x y
	assert_equal "$status" 3
	assert_output "rrdiff: --types: 'B-C' is not a type mnemonic"
	run rrdiff --types A,SOA x y
	assert_equal "$status" 3
	run rrdiff --types '' x y
	assert_equal "$status" 3
	run rrdiff --help
	assert_success
	assert_line --index 0 --partial 'usage: rrdiff'
	run rrdiff --version
	assert_success
	assert_output --regexp '^rrdiff [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the SPEC 7 awk one-liner turns a stream into a zone named-checkzone accepts" {
	command -v named-checkzone >/dev/null || skip "named-checkzone (bind9-utils) not installed"
	# the one-liner exactly as format/SPEC.md prints it
	cmd=$(grep -m1 "^    awk -F'\\\\t' '!/^#/" "$TOP_DIR/format/SPEC.md" | sed 's/^    //')
	[ -n "$cmd" ]
	cp "$FIXTURES/rrdiff/zonefile.rrset" "$T/zone.rrset"
	cd "$T"
	eval "$cmd" >"$T/zone.db"
	# every plain record became one zone-file line; alias, routing, @ not
	assert_equal "$(wc -l <"$T/zone.db")" "$(grep -v '^#' zone.rrset | grep -v '	-	' | grep -v '	[A-Z0-9]*/' | awk -F'\t' '{ n = 0; for (i = 4; i <= NF; i++) if ($i !~ /^@/) n++; t += n } END { print t }')"
	run named-checkzone -i local -k fail example.com. "$T/zone.db"
	assert_success
	assert_line --partial 'loaded serial 2024052001'
}

@test "the SPEC 7 key-order check of change streams passes on every golden output" {
	cmd=$(grep -m1 "^    grep -v '^#' changes | cut -f2-" "$TOP_DIR/format/SPEC.md" | sed 's/^    //')
	[ -n "$cmd" ]
	n=0
	for f in "$R"/*/expected.out; do
		cp "$f" "$T/changes"
		(cd "$T" && eval "$cmd")
		n=$((n + 1))
	done
	[ "$n" -ge 20 ]
	# and it notices a disorder
	{ grep '^#' "$R/escaped-owners/expected.out" | head -n -1; grep -v '^#' "$R/escaped-owners/expected.out" | tac; } >"$T/changes"
	run bash -c "cd '$T' && $cmd"
	assert_failure
}

@test "mandoc -Tlint is clean for every man page" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for m in "$TOP_DIR"/man/*.[158]; do
		run mandoc -Tlint -W warning "$m"
		assert_success
		assert_output ""
	done
}
