#!/usr/bin/env bats
# rrdiff: golden change streams for every change class
# (tests/fixtures/rrdiff/CASE/), trouble on either input (exit 2, no
# trailer), atomic -o, usage, and the SPEC 7 zone-file one-liner.

load test_helper

# Short CPU-bound tests: in make check they run in order (the file beside
# others), as bats' parallel mode within a file costs more than it saves.
setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}
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
@test "a DESIRED RRset beside routing records of its name and type is left out, with a warning" { rrdiff_case route53-only-collision; }
@test "--delete-route53-only: the routing records go, the plain RRset comes" { rrdiff_case route53-only-collision-delete; }
@test "@raw is ignored in comparisons and carried in - and < lines" { rrdiff_case raw; }
@test "--types restricts the managed types" { rrdiff_case types; }
@test "an RRset r53dump could not convert (@raw only) is replaced or deleted, never equal" { rrdiff_case unconverted; }
@test "--ignore-ttl still replaces it; --delete-route53-only deletes an unconverted routing record" { rrdiff_case unconverted-options; }

@test "an RRset without RDATA in DESIRED: exit 2, file and line named, no trailer" {
	cd "$R/unconverted"
	run --separate-stderr rrdiff -q current.rrset desired.rrset
	assert_equal "$status" 2
	assert_equal "$stderr" "rrdiff: current.rrset:6: a.example.com. TXT: an RRset without RDATA (@raw only, a Route 53 value r53dump could not read) cannot be DESIRED; are the operands swapped?"
	refute_output --partial '#end'
}

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

@test "rrdiff.1 and r53mirror-format.5 are lint-clean; rrdiff.1 documents every option" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for m in rrdiff.1 r53mirror-format.5; do
		run mandoc -Tlint -W warning "$TOP_DIR/man/$m"
		assert_success
		assert_output ""
	done
	mandoc -Tascii "$TOP_DIR/man/rrdiff.1" | col -b >"$T/page"
	opts=$(rrdiff --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
	[ "$(echo "$opts" | wc -l)" -ge 6 ]
	for o in $opts -o -q; do
		grep -q -- "$o" "$T/page" || { echo "rrdiff.1 lacks $o" >&2; false; }
	done
	grep -q 'authoritative' <(mandoc -Tascii "$TOP_DIR/man/r53mirror-format.5" | col -b)
}

@test "rrdiff's memory does not grow with the number of RRsets" {
	[ -z "${R53M_SANITIZE:-}" ] || skip "sanitizer builds use more memory"
	[ -x /usr/bin/time ] || skip "GNU time (package time) not installed"
	# gen N FILE SALT: N A RRsets, every 100th with rdata depending on SALT
	gen() {
		awk -v n="$1" -v s="$3" 'BEGIN {
			print "#!r53mirror-rrset 1\n#origin example.com.\n#producer t"
			for (i = 0; i < n; i++)
				printf "h%07d.example.com.\tA\t300\t192.0.%d.%d\n", i, (i % 100 == 0) ? s : 2, i % 250
			printf "#end rrsets=%d\n", n }' >"$2"
	}
	gen 10000 "$T/d1" 1; gen 10000 "$T/c1" 3
	gen 300000 "$T/d2" 1; gen 300000 "$T/c2" 3
	/usr/bin/time -f %M -o "$T/m1" rrdiff "$T/d1" "$T/c1" >"$T/o1" || [ $? -eq 1 ]
	/usr/bin/time -f %M -o "$T/m2" rrdiff "$T/d2" "$T/c2" >"$T/o2" || [ $? -eq 1 ]
	assert_equal "$(grep -c '^<' "$T/o2")" 3000
	m1=$(tail -n 1 "$T/m1") m2=$(tail -n 1 "$T/m2")
	echo "peak RSS: $m1 KiB for 10,000 RRsets, $m2 KiB for 300,000"
	[ "$m2" -lt 16384 ]
	[ "$((m2 - m1))" -lt 1024 ]
}

# random_stream SEED FILE: a random sorted RRset stream of owners built
# from awkward labels (escapes, wildcard, leading \045, digits) and
# managed types, unique keys, origin example.com.
random_stream() {
	awk -v seed="$1" 'BEGIN {
		srand(seed)
		split("a b a\\032b a\\046b \\045x * 0/26 z9 ab a-b _s", L, " ")
		split("A AAAA TXT MX", Y, " ")
		for (i = 0; i < 250; i++) {
			o = L[int(rand() * 11) + 1] "." L[int(rand() * 11) + 1] ".example.com."
			if (o ~ /^[^.]+\.\*\./) continue	# "*" only leftmost here
			t = Y[int(rand() * 4) + 1]
			r = (t == "A") ? "192.0.2." int(rand() * 3) : (t == "AAAA") ? "2001:db8::" int(rand() * 3) : (t == "TXT") ? "\"t" int(rand() * 3) "\"" : int(rand() * 3) " mx.example.com."
			printf "%s\t%s\t%d\t%s\n", o, t, 300 * (1 + int(rand() * 2)), r
		}
	}' | LC_ALL=C sort -t "$(printf '\t')" -k1,2 -u | LC_ALL=C sort >"$T/body"
	{ printf '#!r53mirror-rrset 1\n#origin example.com.\n#producer t\n'
	  cat "$T/body"; printf '#end rrsets=%d\n' "$(wc -l <"$T/body")"; } >"$2"
}

@test "random streams: rrdiff agrees with an awk merge of the same files" {
	for seed in 1 2 3; do
		random_stream "$seed" "$T/d.rrset"
		random_stream "$((seed + 100))" "$T/c.rrset"
		run --separate-stderr rrdiff "$T/d.rrset" "$T/c.rrset"
		assert_equal "$status" 1
		printf '%s\n' "$output" | grep -v '^#' >"$T/got"
		# oracle: key -> line for both sides, then every key in order
		awk -F'\t' 'FNR == NR { if (!/^#/) d[$1 "\t" $2] = $0; next }
			!/^#/ { c[$1 "\t" $2] = $0 }
			END {
				for (k in d) if (!(k in c)) print k "\t1\t+\t" d[k]
				for (k in c) if (!(k in d)) print k "\t1\t-\t" c[k]
				for (k in d) if ((k in c) && d[k] != c[k]) {
					print k "\t1\t<\t" c[k]; print k "\t2\t>\t" d[k] }
			}' "$T/d.rrset" "$T/c.rrset" |
		    LC_ALL=C sort -t "$(printf '\t')" -k1,2 -k3,3n | cut -f4- >"$T/want"
		[ "$(grep -c "^+" "$T/want")" -gt 20 ]
		[ "$(grep -c "^-" "$T/want")" -gt 20 ]
		[ "$(grep -c "^<" "$T/want")" -gt 5 ]
		diff -u "$T/want" "$T/got"
	done
}
