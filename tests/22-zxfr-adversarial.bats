#!/usr/bin/env bats
# zxfr against tests/advserver/advserver.py, a server that misbehaves on
# purpose: broken connections, hangs, garbage, a changed serial, every
# way of breaking RFC 8945 TSIG.  Each failure must name zone, server and
# the reason, exit non-zero, write no trailer, and rrdiff must reject
# what was written.  The cases RFC 8945 allows (unsigned messages in the
# middle, up to 99 in a row) must be accepted.

load test_helper

KEY="$FIXTURES/zones/keys/xfrkey.key"

teardown() {
	adv_stop
}

# xfr [ZXFR OPTIONS]: transfer adv.test from the advserver with the key.
xfr() {
	zxfr_run -k "$KEY" -p "$ADV_PORT" --read-timeout 3 --timeout 20 "$@" adv.test 127.0.0.1
}

# rejected STATUS PATTERN: the last transfer failed with STATUS and a
# message matching PATTERN that names zone and server, left no trailer,
# and rrdiff refuses its output.
rejected() {
	[ "$status" -eq "$1" ] || { echo "status $status, want $1"; cat "$T/err"; return 1; }
	grep -q "^zxfr: adv\.test\. from 127\.0\.0\.1 port $ADV_PORT: .*$2" "$T/err" ||
		{ echo "no message matching '$2':"; cat "$T/err"; return 1; }
	zxfr_no_trailer "$T/out"
	run rrdiff "$T/out" "$T/out"
	[ "$status" -eq 2 ]
}

# accepted: the last transfer succeeded with a complete stream.
accepted() {
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -q '^#end rrsets=' "$T/out"
	grep -q '^#serial 2026112601$' "$T/out"
	run rrdiff "$T/out" "$T/out"
	[ "$status" -eq 0 ]
}

@test "control: a well-behaved signed transfer is accepted" {
	adv_start ok
	xfr
	accepted
	[ "$(grep -c '^host[0-9]*\.adv\.test\.	A	300	' "$T/out")" -eq 40 ]
}

@test "unsigned messages in the middle, covered by the next MAC, are accepted" {
	adv_start unsigned-middle
	xfr -v
	accepted
	grep -q 'received 44 records, 16 messages (6 unsigned)' "$T/err"
}

@test "99 unsigned messages in a row are accepted (the RFC 8945 limit)" {
	adv_start unsigned-99
	xfr
	accepted
}

@test "100 unsigned messages in a row are rejected" {
	adv_start unsigned-100
	xfr
	rejected 6 'TSIG verification failed on message 101: 100 unsigned messages in a row'
}

@test "first message unsigned is rejected" {
	adv_start first-unsigned
	xfr
	rejected 6 'message 1: first response is not signed'
}

@test "last message unsigned is rejected" {
	adv_start last-unsigned
	xfr
	rejected 6 'the last message (16) is not signed'
}

@test "a flipped MAC bit in message 2 is rejected (BADSIG)" {
	adv_start bad-mac
	xfr
	rejected 6 'message 2: BADSIG: MAC of response 2 does not verify'
}

@test "a flipped MAC bit in message 1 is rejected (BADSIG)" {
	adv_start bad-mac-first
	xfr
	rejected 6 'message 1: BADSIG: MAC of response 1 does not verify'
}

@test "another session's signed messages, replayed, are rejected" {
	adv_start replay
	xfr
	rejected 6 'message 1: BADSIG'
}

@test "one message of another session spliced into the middle is rejected" {
	adv_start replay-middle
	xfr
	rejected 6 'message 3: BADSIG'
}

@test "a MAC signed outside the fudge is rejected (BADTIME)" {
	adv_start badtime
	xfr
	rejected 6 'BADTIME: response signed at [0-9]*, 1000 s from our clock'
}

@test "a response signed under another key name is rejected" {
	adv_start wrong-keyname
	xfr
	rejected 6 'response signed with key otherkey\., not xfrkey'
}

@test "a response claiming another algorithm is rejected" {
	adv_start wrong-alg
	xfr
	rejected 6 'response signed with algorithm hmac-sha1\., not hmac-sha256'
}

@test "a TSIG error BADKEY from the server is reported" {
	adv_start tsig-badkey
	xfr
	rejected 6 'BADKEY: the server does not know key xfrkey'
}

@test "a TSIG error BADSIG from the server is reported" {
	adv_start tsig-badsig
	xfr
	rejected 6 'BADSIG: the server rejected our signature'
}

@test "connection closed mid-transfer: truncated after N records" {
	adv_start close-mid
	xfr
	rejected 5 'connection closed by the server: transfer truncated after 24 records'
}

@test "connection closed after the first SOA" {
	adv_start close-after-soa
	xfr
	rejected 5 'connection closed by the server: transfer truncated after the first SOA'
}

@test "connection closed in the middle of a message" {
	adv_start close-in-message
	xfr
	rejected 5 'connection closed by the server in the middle of message 2: transfer truncated after 3 records'
}

@test "connection closed without an answer" {
	adv_start close-at-once
	xfr
	rejected 5 'connection closed by the server without an answer'
}

@test "a server that stops sending hits the per-read timeout" {
	adv_start hang
	SECONDS=0
	zxfr_run -k "$KEY" -p "$ADV_PORT" --read-timeout 1 --timeout 20 adv.test 127.0.0.1
	rejected 5 'timed out: no data for 1 s: transfer truncated after 3 records'
	[ "$SECONDS" -lt 15 ]
}

@test "a server that never answers hits the overall deadline" {
	adv_start hang-at-once
	SECONDS=0
	zxfr_run -k "$KEY" -p "$ADV_PORT" --read-timeout 60 --timeout 2 adv.test 127.0.0.1
	rejected 5 'timed out: overall deadline of 2 s exceeded: transfer truncated before the first record'
	[ "$SECONDS" -lt 15 ]
}

@test "a server that keeps sending slowly hits the overall deadline" {
	adv_start drip
	SECONDS=0
	zxfr_run -k "$KEY" -p "$ADV_PORT" --read-timeout 5 --timeout 2 adv.test 127.0.0.1
	rejected 5 'timed out: overall deadline of 2 s exceeded: transfer truncated after [0-9]* records'
	[ "$SECONDS" -lt 15 ]
}

@test "garbage instead of a DNS message is rejected" {
	adv_start garbage
	xfr
	rejected 5 'malformed response (message 1, before the first record)'
}

@test "a compression loop in an owner name is rejected" {
	adv_start garbage-name
	xfr
	rejected 5 'malformed response (message 1, before the first record): malformed answer record 1'
}

@test "a closing SOA with another serial is rejected" {
	adv_start serial-mismatch
	xfr
	rejected 5 'began with SOA serial 2026112601 and ended with serial 2026112602 after 43 records'
}

@test "a transfer not beginning with the zone's SOA is rejected" {
	adv_start no-soa-first
	xfr
	rejected 5 'does not begin with the zone.s SOA (first record: adv\.test\. NS)'
}

@test "records after the closing SOA are rejected" {
	adv_start after-soa
	xfr
	rejected 5 '1 record(s) after the closing SOA in message 16'
}

@test "a message with another ID is rejected" {
	adv_start wrong-id
	xfr
	rejected 5 'message 2, after 3 records): wrong message ID'
}

@test "a record outside the zone is rejected" {
	adv_start out-of-zone
	xfr
	rejected 5 'record 44 (www\.elsewhere\.example\. A) is outside the zone'
}

@test "a record of class CH is rejected" {
	adv_start class-ch
	xfr
	rejected 5 'record 44 (chaos\.adv\.test\. A) has class 3, not IN'
}

@test "error rcodes are named: REFUSED, NOTAUTH, SERVFAIL" {
	adv_start refused
	xfr
	rejected 5 'answer: REFUSED'
	adv_stop
	adv_start notauth
	xfr
	rejected 5 'answer: NOTAUTH'
	adv_stop
	adv_start servfail
	xfr
	rejected 5 'answer: SERVFAIL'
}

@test "an RRset with different TTLs gets the lowest and one warning" {
	adv_start ttl-mixed
	xfr
	accepted
	grep -q '^mixed\.adv\.test\.	A	60	192\.0\.2\.7	192\.0\.2\.8$' "$T/out"
	[ "$(grep -c 'warning: .*RRset mixed\.adv\.test\. A arrived with TTLs 60 to 300; using the lowest, 60' "$T/err")" -eq 1 ]
	[ "$(wc -l <"$T/err")" -eq 1 ]
}

@test "an owner with raw non-ASCII octets is kept and warned about" {
	adv_start raw-owner
	xfr
	accepted
	grep -q '^caf\\195\\169\.adv\.test\.	A	300	192\.0\.2\.9$' "$T/out"
	grep -q 'warning: adv\.test\. from 127\.0\.0\.1 port [0-9]*: owner caf\\195\\169\.adv\.test\. has raw non-ASCII octets' "$T/err"
}

@test "a TTL above 2^31-1 is written as 0 with a warning" {
	adv_start big-ttl
	xfr
	accepted
	grep -q '^big\.adv\.test\.	A	0	192\.0\.2\.10$' "$T/out"
	grep -q 'TTL above 2147483647' "$T/err"
}

@test "without a key, an unsigned transfer is accepted and checked all the same" {
	ADV_KEYFILE="" adv_start ok
	zxfr_run -p "$ADV_PORT" --read-timeout 3 adv.test 127.0.0.1
	accepted
	grep -q '^#source dns 127\.0\.0\.1 port [0-9]*$' "$T/out"
	adv_stop
	ADV_KEYFILE="" adv_start serial-mismatch
	zxfr_run -p "$ADV_PORT" --read-timeout 3 adv.test 127.0.0.1
	rejected 5 'ended with serial 2026112602'
}

@test "with a key, an unsigned server is rejected" {
	ADV_KEYFILE="" adv_start ok
	# the server cannot verify our query without the key: it ignores TSIG
	xfr
	rejected 6 'first response is not signed'
}

@test "--serial: signed UDP answer verified; a bad MAC and an unsigned answer rejected" {
	adv_start probe
	zxfr_run --serial -k "$KEY" -p "$ADV_PORT" adv.test 127.0.0.1
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2026112601 ]
	adv_stop
	adv_start probe-bad-mac
	zxfr_run --serial -k "$KEY" -p "$ADV_PORT" adv.test 127.0.0.1
	[ "$status" -eq 6 ]
	grep -q 'BADSIG: MAC of response 1 does not verify' "$T/err"
	[ ! -s "$T/out" ]
	adv_stop
	adv_start probe-unsigned
	zxfr_run --serial -k "$KEY" -p "$ADV_PORT" adv.test 127.0.0.1
	[ "$status" -eq 6 ]
	grep -q 'the answer is not signed' "$T/err"
}

@test "--serial: a truncated UDP answer is retried over TCP" {
	adv_start probe-tc --conns 2
	zxfr_run -v --serial -k "$KEY" -p "$ADV_PORT" adv.test 127.0.0.1
	grep -q 'UDP answer truncated; asking over TCP' "$T/err"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = 2026112601 ]
}

@test "a server streaming without end hits the overall deadline (checked on every read)" {
	# the server never pauses, so zxfr never waits for data: the deadline
	# must be seen between reads too; the server stops by itself at 15 s
	ADV_KEYFILE="" adv_start stream-empty --lifetime 15
	SECONDS=0
	zxfr_run -p "$ADV_PORT" --read-timeout 5 --timeout 2 adv.test 127.0.0.1
	rejected 5 'timed out: overall deadline of 2 s exceeded.*: transfer truncated after 3 records'
	[ "$SECONDS" -lt 10 ]
}

@test "--max-records: a stream of records without end stops at the limit" {
	ADV_KEYFILE="" adv_start stream-records --lifetime 15
	SECONDS=0
	zxfr_run -p "$ADV_PORT" --read-timeout 5 --timeout 20 --max-records 5000 adv.test 127.0.0.1
	rejected 5 'more than 5000 records'
	[ "$SECONDS" -lt 10 ]
}

@test "octets left over in an RDATA are rejected (fast and ldns paths)" {
	for slow in 0 1; do
		adv_start a-junk
		R53M_ZXFR_SLOW=$slow xfr
		rejected 5 'malformed record 44 (x\.adv\.test\. A): its RDATA does not parse as A or does not fill its RDLENGTH of 5 octets'
		adv_stop
		adv_start mx-junk
		R53M_ZXFR_SLOW=$slow xfr
		rejected 5 'malformed record 44 (x\.adv\.test\. MX): .*RDLENGTH of 20 octets'
		adv_stop
		adv_start ns-spill
		R53M_ZXFR_SLOW=$slow xfr
		rejected 5 'malformed record 44 (x\.adv\.test\. NS): .*RDLENGTH of 1 octets'
		adv_stop
	done
}

@test "a first response without the question section is rejected" {
	adv_start qd0-first
	xfr
	rejected 5 'malformed response (message 1, before the first record): 0 questions (QDCOUNT), want 1'
}

@test "--serial: an SOA answer without the question section is rejected" {
	adv_start probe-qd0
	zxfr_run --serial -k "$KEY" -p "$ADV_PORT" adv.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q "^zxfr: adv\.test\. from 127\.0\.0\.1 port $ADV_PORT: malformed SOA answer: 0 questions (QDCOUNT), want 1" "$T/err"
	[ ! -s "$T/out" ]
}

@test "a transfer without NS records at the zone apex is rejected" {
	adv_start soa-soa
	xfr
	rejected 5 'no NS records at the zone apex: not a complete zone'
	adv_stop
	adv_start no-apex-ns
	xfr
	rejected 5 'no NS records at the zone apex: not a complete zone'
}
