#!/usr/bin/env bats
# Canonical names and RDATA (format/SPEC.md sections 3 and 4), through
# build/tests/canon_test, which drives lib/common/dns/names.c and canon.c.
# Golden files in tests/fixtures/canon/:
#   torture.zone -> torture.canon   every type zxfr's torture zone has
#   variants.zone -> variants.canon one content, many spellings: one line
#   torture.r53                     Route 53 values of torture.canon
#   r53values.tsv                   TYPE, Route 53 value, canonical text
#   r53names.tsv, name2r53.tsv, names.tsv   name conversions (in, out)

bats_require_minimum_version 1.5.0
load test_helper

# Short CPU-bound tests: in make check they run in order (the file beside
# others), as bats' parallel mode within a file costs more than it saves.
setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

C="$FIXTURES/canon"

# storable TYPE: true if Route 53 stores TYPE (as canon_test reports it).
storable() {
	[[ "$(printf '%s\n' "$1" | canon_test typename)" == *storable=1* ]]
}

# each_line CMD FILE: for each "IN TAB OUT" line of FILE, CMD turns IN
# into OUT (all lines in one run, compared as a whole).
each_line() {
	cut -f1 "$2" | canon_test "$1" >"$T/got" 2>"$T/err"
	no_sanitizer_report "$T/err"
	[ ! -s "$T/err" ] || { cat "$T/err" >&2; return 1; }
	paste <(cut -f1 "$2") "$T/got" >"$T/pairs"
	diff -u "$2" "$T/pairs"
}

@test "torture zone: every record has its golden canonical text" {
	run --separate-stderr canon_test wire2canon example.com. \
	    <"$C/torture.zone"
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/out"
	diff -u "$C/torture.canon" "$T/out"
}

@test "rarer types known to ldns have their golden canonical text" {
	run --separate-stderr canon_test wire2canon example.com. \
	    <"$C/rare.zone"
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/out"
	diff -u "$C/rare.canon" "$T/out"
	# names inside IPSECKEY's opaque gateway field are lowercased too
	grep -q 'IPSECKEY	10 3 2 gw.example.com. ' "$T/out"
}

@test "torture set covers every type and owner form of the zxfr torture zone" {
	cut -f2 "$C/torture.canon" | sort -u >"$T/types"
	for t in A AAAA NS CNAME MX TXT SPF SRV PTR NAPTR CAA DS SSHFP TLSA \
	    SVCB HTTPS SOA LOC HINFO RP DNSKEY RRSIG NSEC TYPE65534; do
		grep -qx "$t" "$T/types" || { echo "missing $t"; return 1; }
	done
	for o in '*.example.com.' 'a\032b.example.com.' 'a\046b.example.com.' \
	    'xn--bcher-kva.example.com.' '0/26.2.0.192.in-addr.arpa.' \
	    'upper.case.example.com.'; do
		cut -f1 "$C/torture.canon" | grep -qxF "$o" ||
		    { echo "missing owner $o"; return 1; }
	done
}

@test "canonical text parses back to exactly itself, for every type" {
	cat "$C/torture.canon" "$C/rare.canon" >"$T/all"
	cut -f2 "$T/all" | sort -u >"$T/types"
	while read -r t; do
		awk -F'\t' -v t="$t" '$2 == t { print $3 }' "$T/all" >"$T/in"
		canon_test verify "$t" <"$T/in" >"$T/got" 2>"$T/err" ||
		    { cat "$T/err"; return 1; }
		no_sanitizer_report "$T/err"
		[ "$(grep -c '^ok$' "$T/got")" -eq "$(wc -l <"$T/in")" ]
	done <"$T/types"
}

@test "one content in different case and escape spellings gives one text" {
	run --separate-stderr canon_test wire2canon example.com. \
	    <"$C/variants.zone"
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/out"
	# every record was read ...
	[ "$(wc -l <"$T/out")" -eq "$(grep -cv '^[;$]' "$C/variants.zone")" ]
	# ... and each group of spellings collapsed to its one golden line
	sort -u "$T/out" | diff -u "$C/variants.canon" -
	[ -z "$(cut -f1 "$C/variants.canon" | uniq -d)" ]
	[ "$(wc -l <"$C/variants.canon")" -eq 14 ]
}

@test "text2canon completes relative names with the origin" {
	run --separate-stderr canon_test text2canon MX example.com. <<-'EOF'
	10 Mail
	20 mx.Example.NET.
	EOF
	assert_success
	assert_output "$(printf '10 mail.example.com.\n20 mx.example.net.')"
}

@test "Route 53 values (octal escapes, any case) become canonical text" {
	while IFS=$'\t' read -r t v want; do
		run --separate-stderr canon_test r53tocanon "$t" <<<"$v"
		[ "$status" -eq 0 ] || { echo "$t [$v]: $stderr"; return 1; }
		[ "$output" = "$want" ] ||
		    { echo "$t [$v] gave [$output], want [$want]"; return 1; }
	done <"$C/r53values.tsv"
}

@test "canonical -> Route 53 value -> canonical for all 17 Route 53 types" {
	: >"$T/r53"
	while IFS=$'\t' read -r o t r; do
		storable "$t" || continue
		v=$(canon_test canontor53 "$t" <<<"$r" 2>"$T/err") ||
		    { cat "$T/err"; return 1; }
		printf '%s\t%s\n' "$t" "$v" >>"$T/r53"
		back=$(canon_test r53tocanon "$t" <<<"$v" 2>"$T/err") ||
		    { cat "$T/err"; return 1; }
		[ "$back" = "$r" ] ||
		    { echo "$t: [$r] -> [$v] -> [$back]"; return 1; }
	done <"$C/torture.canon"
	diff -u "$C/torture.r53" "$T/r53"
	[ "$(cut -f1 "$T/r53" | sort -u | wc -l)" -eq 17 ]
}

@test "canontor53 writes octal escapes in names and character-strings" {
	run --separate-stderr canon_test canontor53 TXT <<<'"tab\009 \\ \" \255"'
	assert_success
	assert_output '"tab\011 \\ \" \377"'
	run --separate-stderr canon_test canontor53 CNAME <<<'a\032b.*.example.com.'
	assert_success
	assert_output 'a\040b.*.example.com.'
	# RFC 3597 data has no Route 53 form
	run --separate-stderr canon_test canontor53 SVCB <<<'\# 8 0001000002000100'
	assert_failure 2
	[[ "$stderr" == *"no Route 53 form"* ]]
}

@test "Route 53 names (octal, wildcard \\052, RFC 2317 \\057) become canonical" {
	each_line r53name "$C/r53names.tsv"
}

@test "canonical names become Route 53 names with octal escapes" {
	each_line name2r53 "$C/name2r53.tsv"
}

@test "presentation names (decimal and \\X escapes, any case) become canonical" {
	each_line name2canon "$C/names.tsv"
}

@test "no canonical owner begins with a stream line's reserved octet" {
	printf '%s\n' '-a.' '#a.' '+a.' '<a.' '>a.' | canon_test name2canon \
	    >"$T/got"
	[ "$(wc -l <"$T/got")" -eq 5 ]
	! grep -q '^[-#+<>]' "$T/got"
}

@test "invalid Route 53 values are rejected with a clear error" {
	check() {	# TYPE VALUE MESSAGE
		run --separate-stderr canon_test r53tocanon "$1" <<<"$2"
		[ "$status" -eq 2 ] || { echo "$1 [$2] accepted: $output"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"$3"* ]] ||
		    { echo "$1 [$2]: [$stderr] lacks [$3]"; return 1; }
	}
	check TXT '"a\9"' 'TXT: bad octal escape'
	check TXT '"a\08"' 'TXT: bad octal escape'
	check TXT '"a\400"' 'TXT: escape out of range'
	check TXT '"unterminated' 'TXT: unterminated quoted string'
	check TXT 'v=spf1;x' "TXT: unquoted ';'"
	check TXT '' 'TXT: empty rdata'
	check TXT '"a\' 'TXT: backslash at end of value'
	check TXT "\"$(printf 'x%.0s' {1..256})\"" 'TXT: cannot parse rdata'
	check A '300.1.1.1' 'A: cannot parse rdata "300.1.1.1"'
	check A '192.0.2.1 192.0.2.2' 'superfluous text'
	check AAAA '2001:db8::g' 'AAAA: cannot parse rdata'
	check MX 'mail.example.com.' 'MX: cannot parse rdata'
	check CNAME 'a..b.' 'CNAME: cannot parse rdata'
	check CAA '0 issue amazon.com' 'CAA: cannot parse rdata'
	check DS '1 2 3 xyz' 'DS: cannot parse rdata'
	check LOC '52 22 23 N 4 53 32 E 0m' 'LOC: not a type Route 53 stores'
	# ldns 1.8.3 would read this name as the origin and drop the rest
	check MX '10 \100.example.com.' "MX: a name whose first label is '@'"
	check MX '10 @.example.com.' "MX: a name whose first label is '@'"
	check CNAME '@' "CNAME: a name whose first label is '@'"
	check SRV '0 0 1 @.example.com.' "SRV: a name whose first label is '@'"
}

@test "invalid names are rejected with a clear error" {
	check() {	# COMMAND NAME MESSAGE
		run --separate-stderr canon_test "$1" <<<"$2"
		[ "$status" -eq 2 ] || { echo "$1 [$2] accepted: $output"; return 1; }
		[[ "$stderr" == *"$3"* ]] ||
		    { echo "$1 [$2]: [$stderr] lacks [$3]"; return 1; }
	}
	check name2canon 'relative.example' 'not absolute'
	check name2canon 'a..b.' 'empty label'
	check name2canon '.a.' 'empty label'
	check name2canon 'a\256.' 'bad escape'
	check name2canon 'a\25.' 'bad escape'
	check name2canon 'a b.' 'bad escape or character'
	check name2canon "$(printf 'x%.0s' {1..64})." 'label longer than 63'
	l63=$(printf 'x%.0s' {1..63})
	# 3 * (1 + 63) + (1 + 62) + 1 = 256 wire octets: one too many
	check name2canon "$l63.$l63.$l63.${l63:1}." 'longer than 255'
	check r53name "$l63.$l63.$l63.${l63:1}" 'longer than 255'
	# 255 octets exactly: accepted
	run canon_test name2canon <<<"$l63.$l63.$l63.${l63:2}."
	assert_success
	assert_output "$l63.$l63.$l63.${l63:2}."
	check r53name 'a\8.example.com.' 'bad escape'
	check r53name 'a\400.example.com.' 'bad escape'
	check r53name 'a..example.com.' 'empty label'
	check name2r53 'A.example.com.' 'bad escape or character'
	check name2r53 'a\.b.example.com.' 'bad escape or character'
	check name2r53 'relative' 'bad escape or character'
}

@test "non-canonical RDATA text is refused by verify" {
	check() {	# TYPE TEXT
		run --separate-stderr canon_test verify "$1" <<<"$2"
		[ "$status" -eq 2 ] || { echo "$1 [$2] accepted"; return 1; }
		[[ "$stderr" == *"$1: "* ]]
	}
	check AAAA '2001:DB8::1'
	check AAAA '2001:db8:0:0:0:0:0:1'
	check A '192.0.2.01'
	check MX '10  mail.example.com.'
	check MX '10 Mail.example.com.'
	check MX '10 mail.example.com'
	check MX '010 mail.example.com.'
	check TXT 'unquoted'
	check TXT "\"raw$(printf '\t')tab\""
	check TXT '"\t"'
	check TXT '"a" '
	check DS '1 8 2 ABCDEF'
	check SOA 'a. b. 1 2H 900 1209600 300'
	check HTTPS '1 . alpn="h2"'
	check HTTPS '1 . port=443 alpn=h2'
	check TYPE65534 '\# 4 0A000001'
	check CNAME 'a\.b.example.com.'
	run --separate-stderr canon_test verify MX <<<'10 mail.example.com.'
	assert_success
	assert_output ok
}

@test "records that do not follow their type's format are written RFC 3597" {
	run --separate-stderr canon_test rdata2canon SVCB <<-'EOF'
	00010000010003026832000300020050
	00010000030002005000010003026832
	000100000100050468322c78
	0001000002000100
	000100000000040003000100010003026832000300020050
	000100000000020009
	EOF
	assert_success
	assert_output "$(printf '%s\n' '1 . alpn=h2 port=80' \
	    '\# 16 00010000030002005000010003026832' \
	    '\# 12 000100000100050468322c78' '\# 8 0001000002000100' \
	    '\# 24 000100000000040003000100010003026832000300020050' \
	    '1 . mandatory=key9')"
	run --separate-stderr canon_test rdata2canon CAA <<-'EOF'
	800569737375656c65
	0005697373752d7861
	EOF
	assert_success
	assert_output "$(printf '%s\n' '128 issue "le"' '\# 9 0005697373752d7861')"
	run --separate-stderr canon_test rdata2canon TXT <<<''
	assert_success
	assert_output '\# 0'
	run --separate-stderr canon_test rdata2canon MX <<<'000a'
	assert_success
	assert_output '\# 2 000a'
}

@test "DNSSEC records ldns prints but cannot read back are written RFC 3597" {
	# NSEC3 with an empty next hash; then a well-formed one
	run --separate-stderr canon_test rdata2canon NSEC3 <<-'EOF'
	010000010000000140
	0100000100140000000000000000000000000000000000000000000140
	EOF
	assert_success
	assert_output "$(printf '%s\n' '\# 9 010000010000000140' \
	    '1 0 1 - 00000000000000000000000000000000 A')"
	# NSEC: windows out of order, repeated, empty; then in order
	run --separate-stderr canon_test rdata2canon NSEC <<-'EOF'
	016100010140000140
	016100000140000120
	0161000000
	016100000140010140
	EOF
	assert_success
	assert_output "$(printf '%s\n' '\# 9 016100010140000140' \
	    '\# 9 016100000140000120' '\# 5 0161000000' 'a. A CAA')"
	# RRSIG and SIG expiring at 2^32-1 s: ldns prints the date nearest
	# today, one second before 1970 (until 2038); then a 2026 one
	for t in RRSIG SIG; do
		run --separate-stderr canon_test rdata2canon "$t" <<-'EOF'
		0001080200000e10ffffffff000000001234076578616d706c650001020304
		0001080200000e106a000000690000001234076578616d706c650001020304
		EOF
		assert_success
		assert_line --index 0 '\# 31 0001080200000e10ffffffff000000001234076578616d706c650001020304'
		assert_line --index 1 'A 8 2 3600 20260510034816 20251027232800 4660 example. AQIDBA=='
	done
	canon_test rdata2canon NSEC3 <<<010000010000000140 >"$T/out"
	canon_test rdata2canon RRSIG \
	    <<<0001080200000e10ffffffff000000001234076578616d706c650001020304 \
	    >"$T/rrsig"
	run canon_test verify NSEC3 <"$T/out"
	assert_output ok
	run canon_test verify RRSIG <"$T/rrsig"
	assert_output ok
}

@test "WKS is written with numbers, fast, whatever /etc/services says" {
	# ports 25 and 80 (smtp, http in /etc/services), protocol 6 (tcp)
	run --separate-stderr canon_test rdata2canon WKS \
	    <<<c0000201060000004000000000000080
	assert_success
	assert_output '192.0.2.1 6 25 80'
	run canon_test verify WKS <<<'192.0.2.1 6 25 80'
	assert_output ok
	# every port: took 8.6 s through ldns's service lookups, and its
	# text did not parse back
	printf 'c000020106%s\n' "$(printf 'ff%.0s' $(seq 8192))" >"$T/full"
	timeout 3 canon_test rdata2canon WKS <"$T/full" >"$T/text"
	[ "$(wc -w <"$T/text")" -eq $((2 + 65536)) ]
	run timeout 3 canon_test verify WKS <"$T/text"
	assert_success
	assert_output ok
}

@test "malformed RFC 3597 text is refused, not read as some record" {
	# ldns read this as an HTTPS record whose RFC 3597 text it refused
	run --separate-stderr canon_test text2canon HTTPS \
	    <<<'\# \keyf\650034 Key65001'
	assert_failure 2
	[[ "$stderr" == *"malformed RFC 3597 rdata"* ]]
	run --separate-stderr canon_test text2canon TYPE65280 <<-'EOF'
	\# 2 00
	\#
	EOF
	assert_failure 2
	[ "$(grep -c 'malformed RFC 3597' <<<"$stderr")" -eq 2 ]
	run --separate-stderr canon_test text2canon TYPE65280 <<<'\# 3 00 01 02'
	assert_success
	assert_output '\# 3 000102'
}

@test "NSEC3 text ldns turns into malformed RDATA is refused" {
	# base32hex next hash with padding and more: ldns wrote a length
	# octet of 11 before 10 octets, then refused its own RFC 3597 text
	# of that (fuzzing); the text is refused instead
	for h in '2t7b4g4vsa5smi4n=x' '2t7b4g4vsa5smi4n=='; do
		run --separate-stderr canon_test text2canon NSEC3 \
		    <<<"1 1 12 aabbccdd $h"
		assert_failure 2
		[[ "$stderr" == *"ldns builds malformed RDATA"* ]]
	done
	# the same hash unpadded is an ordinary NSEC3
	run --separate-stderr canon_test text2canon NSEC3 \
	    <<<'1 1 12 aabbccdd 2t7b4g4vsa5smi4n'
	assert_success
	assert_output '1 1 12 aabbccdd 2t7b4g4vsa5smi4n'
}

@test "any wire data of the Route 53 types gives text that parses back to itself" {
	grep -v '^#' "$C/fuzz.hex" | cut -f1 | sort -u >"$T/types"
	[ "$(wc -l <"$T/types")" -eq 17 ]
	while read -r t; do
		awk -F'\t' -v t="$t" '$1 == t { print $2 }' "$C/fuzz.hex" >"$T/in"
		# ldns refuses some inputs outright (exit 2, one line each on
		# stderr): those are not records zxfr could receive
		canon_test rdata2canon "$t" <"$T/in" >"$T/out" 2>"$T/err" || true
		no_sanitizer_report "$T/err"
		! grep -v 'ldns refuses\|trailing rdata' "$T/err"
		[ -s "$T/out" ]
		canon_test verify "$t" <"$T/out" >"$T/ok" 2>"$T/verr" ||
		    { echo "$t:"; head "$T/verr"; return 1; }
		[ "$(grep -c '^ok$' "$T/ok")" -eq "$(wc -l <"$T/out")" ]
		# and every typed text survives the trip through Route 53 text
		grep -v '^\\#' "$T/out" >"$T/typed" || true
		[ "$(wc -l <"$T/typed")" -ge 80 ]
		canon_test canontor53 "$t" <"$T/typed" >"$T/r53" 2>"$T/rerr" ||
		    { echo "$t:"; head "$T/rerr"; return 1; }
		canon_test r53tocanon "$t" <"$T/r53" >"$T/back" 2>"$T/rerr" ||
		    { echo "$t:"; head "$T/rerr"; return 1; }
		diff -u "$T/typed" "$T/back"
	done <"$T/types"
}

@test "subdomain, raw high octet and canonical-name checks" {
	run canon_test subdomain example.com. <<-'EOF'
	example.com.
	www.example.com.
	a.b.example.com.
	badexample.com.
	a\046example.com.
	com.
	EOF
	assert_output "$(printf '1\n1\n1\n0\n0\n0')"
	run canon_test subdomain . <<<'www.example.com.'
	assert_output 1
	run canon_test highoctet <<-'EOF'
	\195\169t\195\169.example.com.
	\127.example.com.
	xn--t-9fab.example.com.
	EOF
	assert_output "$(printf '1\n0\n0')"
	run canon_test namecheck <<-'EOF'
	www.example.com.
	WWW.example.com.
	a\.b.
	a\046b.
	\042.x.
	*.x.
	x
	EOF
	assert_output "$(printf '1\n0\n0\n1\n0\n1\n0')"
}

@test "type names, Route 53 storable types and DNSSEC types" {
	run --separate-stderr canon_test typename <<-'EOF'
	A
	https
	TYPE1
	65534
	TYPE65534
	RRSIG
	DS
	LOC
	NSEC3
	EOF
	assert_success
	assert_output "$(printf '%s\n' 'A 1 storable=1 dnssec=0' \
	    'HTTPS 65 storable=1 dnssec=0' 'A 1 storable=1 dnssec=0' \
	    'TYPE65534 65534 storable=0 dnssec=0' \
	    'TYPE65534 65534 storable=0 dnssec=0' \
	    'RRSIG 46 storable=0 dnssec=1' 'DS 43 storable=1 dnssec=0' \
	    'LOC 29 storable=0 dnssec=0' 'NSEC3 50 storable=0 dnssec=1')"
	printf '%s\n' A AAAA CAA CNAME DS HTTPS MX NAPTR NS PTR SOA SPF SRV \
	    SSHFP SVCB TLSA TXT | canon_test typename >"$T/st"
	[ "$(grep -c 'storable=1' "$T/st")" -eq 17 ]
	run --separate-stderr canon_test typename <<<'NOSUCHTYPE'
	assert_failure 2
}
