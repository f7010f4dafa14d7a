#!/usr/bin/env bats
# canon_rdata_wire (lib/common/dns/canon.c): RDATA read straight from a DNS
# message, names inside it compressed, through build/tests/canon_test
# msgrdata, which also checks that the direct printers and the plain ldns
# path give the same text.  The golden zones of tests/20-canon.bats go
# through canon_rdata_wire too (canon_test wire2canon, in a compressed
# message).  Messages here: a zeroed 12-octet header, the name at offset
# 12 (example.com. unless said), RDLENGTH at 25, RDATA at 27.

bats_require_minimum_version 1.5.0
load test_helper

H=000000000000000000000000
N=076578616d706c6503636f6d00	# example.com. at offset 12

# msg TYPE HEXLINE EXPECTED: canon_test msgrdata prints EXPECTED
msg() {
	run --separate-stderr canon_test msgrdata "$1" <<<"$2"
	assert_success
	[ -z "$stderr" ]
	assert_output "$3"
}

# msg_fails TYPE HEXLINE: both paths refuse the data
msg_fails() {
	run --separate-stderr canon_test msgrdata "$1" <<<"$2"
	assert_failure 2
	[[ "$stderr" == *"canon_rdata_wire failed"* ]]
}

@test "wire: MX whose exchange is a pointer to an earlier name" {
	msg MX "27 ${H}${N}0004000ac00c" "10 example.com."
}

@test "wire: MX whose exchange ends in a pointer" {
	msg MX "27 ${H}${N}0009000a046d61696cc00c" "10 mail.example.com."
}

@test "wire: SOA with both names compressed" {
	msg SOA "27 ${H}${N}0026026e73c00c0a686f73746d6173746572c00c0000000100000e100000038400093a800000012c" \
	    "ns.example.com. hostmaster.example.com. 1 3600 900 604800 300"
}

@test "wire: a compressed name is lowercased through the pointer" {
	# EXAMPLE.com. at 12; CNAME WWW + pointer
	msg CNAME "27 ${H}074558414d504c4503636f6d00000603575757c00c" \
	    "www.example.com."
}

@test "wire: SRV and DNAME with pointers" {
	msg SRV "27 ${H}${N}0008000100020050c00c" "1 2 80 example.com."
	msg DNAME "27 ${H}${N}0002c00c" "example.com."
}

@test "wire: rarer types go through ldns, pointers included (NAPTR)" {
	msg NAPTR "27 ${H}${N}000b000a00140161017300c00c" \
	    '10 20 "a" "s" "" example.com.'
	msg TYPE65280 "27 ${H}${N}0002abcd" '\# 2 abcd'
}

@test "wire: TXT strings, A, and empty TXT in RFC 3597 form" {
	msg TXT "27 ${H}${N}00070568656c6c6f00" '"hello" ""'
	msg TXT "27 ${H}${N}0000" '\# 0'
	msg A "27 ${H}${N}0004c0000201" "192.0.2.1"
}

@test "wire: forward and header pointers are left to ldns, the same text" {
	# the direct reader only follows pointers backwards
	msg MX "27 ${H}${N}0004000ac01f046d61696c00" "10 mail."
	# so is a pointer into the header (ldns reads octet 11 as the root;
	# it refuses only a pointer to octet 0, tested below)
	msg NS "27 ${H}${N}0002c00b" "."
}

@test "wire: pointer loops, pointers out of the message, short data fail" {
	msg_fails MX "27 ${H}${N}0004000ac01d"		# points at itself
	msg_fails MX "27 ${H}${N}0004000ac0ff"		# beyond the end
	msg_fails MX "27 ${H}${N}0004000ac000"		# into the header
	msg_fails A "27 ${H}${N}0003c00002"		# 3-octet A
	msg_fails MX "1 ${H}"				# no RDLENGTH
}

@test "wire: empty SVCB and HTTPS RDATA is malformed: \\# 0, and back" {
	# RFC 9460 2.2: at least SvcPriority and TargetName, so no RDATA at
	# all is written RFC 3597 (SPEC 4), by both paths, from text too,
	# and that text reads back to itself
	for t in SVCB HTTPS; do
		msg "$t" "27 ${H}${N}0000" '\# 0'
		run --separate-stderr canon_test text2canon "$t" <<<'\# 0'
		assert_success
		assert_output '\# 0'
		run --separate-stderr canon_test verify "$t" <<<'\# 0'
		assert_success
		assert_output ok
		# priority alone is malformed too; priority and target are not
		msg "$t" "27 ${H}${N}00020001" '\# 2 0001'
		msg "$t" "27 ${H}${N}0003000100" '1 .'
	done
}

@test "wire: NSEC3 hash ldns would pad in base32hex is written RFC 3597" {
	# ldns prints a 2-octet next hashed owner as "lelg====" and reads
	# that back as 5 octets: the text did not parse back (fuzzing)
	msg NSEC3 "27 ${H}${N}000800ff00010002abab" '\# 8 00ff00010002abab'
	msg NSEC3 "27 ${H}${N}000c00ff00010006abababababab" \
	    '\# 12 00ff00010006abababababab'
	run canon_test verify NSEC3 <<<'\# 8 00ff00010002abab'
	assert_output ok
	# 5 and 10 octets need no padding and stay typed
	msg NSEC3 "27 ${H}${N}001300ff00010005ababababab0006400000000002" \
	    '0 255 1 - lelqnatb A RRSIG'
	run canon_test verify NSEC3 <<<'0 255 1 - lelqnatb A RRSIG'
	assert_output ok
}

@test "wire: a name in RDATA whose first label is '@' is written RFC 3597" {
	# ldns reads "\064." (or "\@.", "@.") back as the origin, so the
	# text would not parse back to the same data (fuzzing: HTTPS
	# target "\064."); both paths write the RDATA as \# instead
	local at=014000 atx=0140076578616d706c6503636f6d00
	msg MX "27 ${H}${N}0005000a${at}" '\# 5 000a014000'
	msg NS "27 ${H}${N}0003${at}" '\# 3 014000'
	msg CNAME "27 ${H}${N}000f${atx}" \
	    '\# 15 0140076578616d706c6503636f6d00'
	msg HTTPS "27 ${H}${N}00050001${at}" '\# 5 0001014000'
	msg SRV "27 ${H}${N}0009000100020050${at}" '\# 9 000100020050014000'
	run canon_test verify MX <<<'\# 5 000a014000'
	assert_output ok
	# '@' after the first label is ordinary data
	msg MX "27 ${H}${N}0007000a0161${at}" '10 a.\064.'
}
