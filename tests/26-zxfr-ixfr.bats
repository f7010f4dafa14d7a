#!/usr/bin/env bats
# zxfr --ixfr-from (RFC 1995): BIND (ixfr-from-differences) and Knot
# (journal, zonefile-load: difference) serve ixfr.test edited version by
# version (tests/helpers/ixfr.bash); each IXFR result must equal a fresh
# AXFR of the same version byte for byte, all with TSIG.  NSD and
# servers without history fall back to AXFR with one line saying why;
# tests/advserver produces the damaged and forged answers.

load test_helper

K="$FIXTURES/zones/keys"
ADVKEY="$K/xfrkey.key"
FALLBACK='IXFR from serial [0-9]* not used: .*; transferring the whole zone (AXFR)$'

setup_file() {
	# Its tests share the servers and the streams: run them in order.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local kind
	ixfr_zone 1 >"$BATS_FILE_TMPDIR/v1.zone"
	for kind in bind knot nsd; do
		server_start "$kind" ixfr.test "$BATS_FILE_TMPDIR/v1.zone"
		eval "export PORT_$kind=$SERVER_PORT DIR_$kind=$SERVER_DIR KIND_$kind=$SERVER_KIND KEY_$kind=$SERVER_KEYFILE"
	done
}

teardown_file() {
	server_stop
}

teardown() {
	adv_stop
}

# use KIND: make KIND's server the current one (for ixfr_set).
use() {
	SERVER_KIND=$(eval echo "\$KIND_$1")
	SERVER_PORT=$(eval echo "\$PORT_$1")
	SERVER_DIR=$(eval echo "\$DIR_$1")
	KEY=$(eval echo "\$KEY_$1")
}

# S: where a kind's streams are kept between tests.
S() { echo "$BATS_FILE_TMPDIR/$1"; }

# axfr KIND OUT: a plain AXFR of ixfr.test from KIND to OUT.
axfr() {
	use "$1"
	zxfr -k "$KEY" -p "$SERVER_PORT" -o "$2" ixfr.test 127.0.0.1
}

# ixfr KIND BASE OUT [ARGS]: zxfr --ixfr-from BASE with an IXFR log;
# stderr in $T/err, the log in $T/log.
ixfr() {
	local kind=$1 base=$2 out=$3
	shift 3
	use "$kind"
	zxfr_run -k "$KEY" -p "$SERVER_PORT" --ixfr-from "$base" \
		--ixfr-log "$T/log" -o "$out" "$@" ixfr.test 127.0.0.1
}

# incremental: the last ixfr used the differences (no fallback, a log).
incremental() {
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	zxfr_absent 'not used' "$T/err"
	grep -q '^#end changes=' "$T/log"
}

# steps KIND: versions 2..6 one by one, each IXFR from the stream of the
# one before, each equal to a fresh AXFR.
steps() {
	local kind=$1 v d
	d=$(S "$kind")
	mkdir -p "$d"
	axfr "$kind" "$d/s1"
	cp "$d/s1" "$d/base1"
	for v in 2 3 4 5 6; do
		use "$kind"
		ixfr_set "$v"
		ixfr "$kind" "$d/s$((v - 1))" "$d/s$v"
		incremental
		axfr "$kind" "$d/a$v"
		cmp "$d/s$v" "$d/a$v" || { diff "$d/a$v" "$d/s$v"; return 1; }
		grep -q "^#serial $(ixfr_serial "$v")\$" "$d/s$v"
		cp "$T/log" "$d/log$v"
	done
}

@test "Knot: IXFR after adds, deletes, TTL changes, an SOA-only change and a replacement equals AXFR" {
	steps knot
	d=$(S knot)
	# the edits really went through IXFR and were what they should be
	grep -q '^+	new\.ixfr\.test\.	AAAA	300	2001:db8::1$' "$d/log2"
	grep -q '^>	www\.ixfr\.test\.	A	300	192\.0\.2\.80	192\.0\.2\.81$' "$d/log2"
	grep -q '^-	h5\.ixfr\.test\.	A	300	10\.0\.0\.5$' "$d/log3"
	grep -q '^>	txt\.ixfr\.test\.	TXT	900	' "$d/log4"
	[ "$(grep -c '^[<>+-]	' "$d/log5")" -eq 2 ]
	grep -q '^>	cname\.ixfr\.test\.	CNAME	300	www\.ixfr\.test\.$' "$d/log6"
}

@test "BIND: IXFR after adds, deletes, TTL changes, an SOA-only change and a replacement equals AXFR" {
	steps bind
	d=$(S bind)
	grep -q '^-	h5\.ixfr\.test\.	A	300	10\.0\.0\.5$' "$d/log3"
	grep -q '^>	dual\.ixfr\.test\.	A	600	192\.0\.2\.90	192\.0\.2\.91$' "$d/log4"
}

@test "Knot and BIND: five versions skipped at once (several sequences) equal AXFR" {
	for kind in knot bind; do
		d=$(S "$kind")
		ixfr "$kind" "$d/base1" "$T/out6" -v
		incremental
		grep -q 'IXFR from serial [0-9]* to [0-9]*: 5 sequences' "$T/err"
		cmp "$T/out6" "$d/a6"
	done
}

@test "up to date (a single SOA): the base written unchanged, an empty log" {
	for kind in knot bind; do
		d=$(S "$kind")
		ixfr "$kind" "$d/s6" "$T/same"
		incremental
		cmp "$T/same" "$d/s6"
		grep -q '^#end changes=0 ' "$T/log"
	done
}

@test "the IXFR log names both serials and holds rrdiff's changes plus the SOA" {
	d=$(S knot)
	head -n 1 "$d/log2" | grep -qx '#!r53mirror-change 1'
	grep -q '^#current-serial 2026120101$' "$d/log2"
	grep -q '^#desired-serial 2026120102$' "$d/log2"
	# rrdiff of the two versions gives the same lines except the SOA,
	# which rrdiff always skips
	run rrdiff --manage-apex-ns "$d/s2" "$d/s1"
	[ "$status" -eq 1 ]
	grep '^[<>+-]	' <<<"$output" >"$T/rrdiff.lines"
	grep '^[<>+-]	' "$d/log2" | grep -v '	SOA	' >"$T/log.lines"
	diff "$T/rrdiff.lines" "$T/log.lines"
}

@test "no history for the base's serial (an older serial): AXFR with one line saying why" {
	for kind in knot bind; do
		d=$(S "$kind")
		sed -e 's/^#serial .*/#serial 2026110100/' \
			-e 's/ 2026120106 3600 / 2026110100 3600 /; s/ 2026120106 7200 / 2026110100 7200 /' \
			"$d/s6" >"$T/old"
		grep -q 'SOA	.* 2026110100 ' "$T/old"
		ixfr "$kind" "$T/old" "$T/out"
		[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
		grep -q "^zxfr: ixfr\.test\. from 127\.0\.0\.1 port $SERVER_PORT: $FALLBACK" "$T/err"
		[ "$(grep -c 'not used' "$T/err")" -eq 1 ]
		cmp "$T/out" "$d/a6"
		[ ! -e "$T/log" ]
	done
}

@test "NSD: IXFR not usable (it adds records the base holds): AXFR with the reason" {
	use nsd
	axfr nsd "$T/n1"
	ixfr_set 2
	ixfr nsd "$T/n1" "$T/n2"
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -q "port $SERVER_PORT: $FALLBACK" "$T/err"
	grep -q 'not used: .*which the base already holds\|not used: the server sent the whole zone' "$T/err"
	axfr nsd "$T/a2"
	cmp "$T/n2" "$T/a2"
	[ ! -e "$T/log" ]
}

@test "the wrong TSIG key: IXFR fails as AXFR does (exit 6), nothing written, no fallback" {
	d=$(S knot)
	use knot
	zxfr_run -k "$K/key1.key" -p "$SERVER_PORT" --ixfr-from "$d/s5" \
		-o "$T/new" ixfr.test 127.0.0.1
	[ "$status" -eq 6 ] || { cat "$T/err"; return 1; }
	[ ! -e "$T/new" ]
	zxfr_absent 'not used' "$T/err"
}

@test "a base that is not a complete stream of the zone is refused (exit 2), nothing written or asked" {
	d=$(S knot)
	use knot
	base() {
		zxfr_run -k "$KEY" -p "$SERVER_PORT" --ixfr-from "$1" \
			--ixfr-log "$T/log" -o "$T/new" ixfr.test 127.0.0.1
		[ "$status" -eq 2 ] || { echo "status $status"; cat "$T/err"; return 1; }
		[ ! -e "$T/new" ] && [ ! -e "$T/log" ]
		grep -q "$2" "$T/err" || { cat "$T/err"; return 1; }
		zxfr_absent 'from 127.0.0.1' "$T/err"
	}
	head -n -1 "$d/s6" >"$T/notrailer"
	base "$T/notrailer" "notrailer"
	base "$T/missing" "missing"
	sed 's/ixfr\.test\./other.test./g' "$d/s6" >"$T/other"
	base "$T/other" "a stream of other\.test\., not of ixfr\.test\."
	grep -v '^#serial' "$d/s6" >"$T/noserial"
	base "$T/noserial" "no #serial header"
	sed 's/^#serial .*/#serial 7/' "$d/s6" >"$T/badserial"
	base "$T/badserial" "not the serial of its SOA record"
	run zxfr --ixfr-log "$T/log" ixfr.test 127.0.0.1
	[ "$status" -eq 3 ]
}

# ---- advserver: damaged and forged answers ----

# adv_base: the base (version 0 of adv.test) in $T/base.
adv_base() {
	adv_start ixfr-v0
	zxfr -k "$ADVKEY" -p "$ADV_PORT" -o "$T/base" adv.test 127.0.0.1
	adv_stop
	grep -q '^old\.adv\.test\.	A	300	192\.0\.2\.200$' "$T/base"
}

# adv_want: what an AXFR of version 2 gives, normalised, in $T/want.
adv_want() {
	adv_start ixfr-ok
	zxfr -k "$ADVKEY" -p "$ADV_PORT" -o "$T/axfr" adv.test 127.0.0.1
	adv_stop
	zxfr_norm "$T/axfr" >"$T/want"
}

# adv_ixfr MODE: IXFR of adv.test from $T/base in MODE (two connections).
adv_ixfr() {
	adv_start "$1" --conns 2
	zxfr_run -k "$ADVKEY" -p "$ADV_PORT" --read-timeout 3 --timeout 20 \
		--ixfr-from "$T/base" --ixfr-log "$T/log" -o "$T/new" \
		adv.test 127.0.0.1
}

@test "advserver: a good two-sequence IXFR, signed message by message, equals AXFR" {
	adv_base
	adv_want
	adv_ixfr ixfr-ok
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	zxfr_absent 'not used' "$T/err"
	zxfr_norm "$T/new" | diff "$T/want" -
	grep -q '^+	new\.adv\.test\.	A	300	192\.0\.2\.202$' "$T/log"
	grep -q '^-	old\.adv\.test\.	A	300	192\.0\.2\.200$' "$T/log"
	zxfr_absent 'mid\.adv' "$T/log"
}

@test "advserver: answers that are not usable differences fall back to AXFR with the reason" {
	adv_base
	adv_want
	for c in "ixfr-full:the server sent the whole zone" \
		"ixfr-refused:answered IXFR with REFUSED" \
		"ixfr-notimp:answered IXFR with NOTIMP" \
		"ixfr-bad-apply:delete ghost\.adv\.test\. A 192\.0\.2\.99, which the base does not hold" \
		"ixfr-add-existing:add adv\.test\. NS ns1\.adv\.test\., which the base already holds" \
		"ixfr-chain:the differences end at serial 2026112600 but go on from serial 2026112606" \
		"ixfr-short:the differences end at serial 2026112600, not at the server's serial 2026112601"; do
		adv_ixfr "${c%%:*}"
		[ "$status" -eq 0 ] || { echo "${c%%:*}: $status"; cat "$T/err"; return 1; }
		grep -q "^zxfr: adv\.test\. from 127\.0\.0\.1 port $ADV_PORT: IXFR from serial 2026112599 not used: .*${c#*:}.*; transferring" "$T/err" ||
			{ echo "${c%%:*}:"; cat "$T/err"; return 1; }
		[ "$(wc -l <"$T/err")" -eq 1 ]
		zxfr_norm "$T/new" | diff "$T/want" -
		[ ! -e "$T/log" ]
		adv_stop
	done
}

@test "advserver: up to date (a single SOA of the base's serial) writes the base's records" {
	adv_base
	adv_ixfr ixfr-uptodate
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	diff <(zxfr_norm "$T/base") <(zxfr_norm "$T/new")
}

@test "advserver: IXFR closed between sequences: exit 5, no trailer, no fallback" {
	adv_base
	adv_ixfr ixfr-truncated
	[ "$status" -eq 5 ] || { cat "$T/err"; return 1; }
	grep -q 'transfer truncated after 5 records, in difference sequence 1' "$T/err"
	zxfr_absent 'not used' "$T/err"
	[ ! -e "$T/new" ] && [ ! -e "$T/log" ]
}

@test "advserver: a bad TSIG MAC on a middle IXFR message: exit 6, nothing written, no fallback" {
	adv_base
	adv_ixfr ixfr-bad-mac-middle
	[ "$status" -eq 6 ] || { cat "$T/err"; return 1; }
	grep -q 'TSIG verification failed on message 3' "$T/err"
	zxfr_absent 'not used' "$T/err"
	[ ! -e "$T/new" ] && [ ! -e "$T/log" ]
}

@test "advserver: differences that delete the apex NS RRset: exit 5 as AXFR, nothing written" {
	adv_base
	adv_ixfr ixfr-no-ns
	[ "$status" -eq 5 ] || { cat "$T/err"; return 1; }
	grep -q 'port [0-9]*: no NS records at the zone apex: not a complete zone$' "$T/err"
	[ ! -e "$T/new" ] && [ ! -e "$T/log" ]
}

@test "advserver: without a key, an unsigned IXFR is applied as well" {
	ADV_KEYFILE="" adv_start ixfr-v0
	zxfr -p "$ADV_PORT" -o "$T/base" adv.test 127.0.0.1
	adv_stop
	ADV_KEYFILE="" adv_start ixfr-ok --conns 2
	zxfr_run -p "$ADV_PORT" --ixfr-from "$T/base" --ixfr-log "$T/log" \
		-o "$T/new" adv.test 127.0.0.1
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	grep -q '^+	new\.adv\.test\.	A	300	192\.0\.2\.202$' "$T/log"
	grep -q '^#source dns 127\.0\.0\.1 port [0-9]*$' "$T/new"
}

@test "advserver: the base may be the output file itself (replaced atomically)" {
	adv_base
	adv_want
	adv_start ixfr-ok
	zxfr_run -k "$ADVKEY" -p "$ADV_PORT" --ixfr-from "$T/base" -o "$T/base" \
		adv.test 127.0.0.1
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	zxfr_norm "$T/base" | diff "$T/want" -
}

@test "advserver: IXFR to stdout cut short writes no trailer" {
	adv_base
	adv_start ixfr-truncated
	zxfr -k "$ADVKEY" -p "$ADV_PORT" --read-timeout 3 --ixfr-from "$T/base" \
		adv.test 127.0.0.1 >"$T/out" 2>"$T/err" && false
	zxfr_no_trailer "$T/out"
}
