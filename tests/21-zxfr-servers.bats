#!/usr/bin/env bats
# zxfr against real servers: BIND 9, NSD and Knot each serve the torture
# zone and an RFC 2317 reverse zone with TSIG required; the canonical
# output must be byte-identical from all three and equal the golden files
# (reviewed by hand against the zone files and format/SPEC.md 4).  Every
# TSIG algorithm, the key from the environment, --serial, -o, and a zone
# update are checked against all three servers.

load test_helper

Z="$FIXTURES/zones"
K="$FIXTURES/zones/keys"

setup_file() {
	# Its tests share what this sets up: run them in order under --jobs.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local kind
	export SERVER_KEYFILES="$K/xfrkey.key $K/key512.key $K/key1.key $K/keymd5.key $K/key384.key $K/key224.key"
	cat >"$BATS_FILE_TMPDIR/upd.zone" <<ZONE
\$TTL 300
@ IN SOA ns1.upd.test. hostmaster.upd.test. 1 3600 600 604800 300
@ IN NS ns1.upd.test.
ns1 IN A 192.0.2.1
www IN A 192.0.2.80
ZONE
	for kind in bind nsd knot; do
		server_start "$kind" torture.test "$Z/torture.test.zone" \
			2.0.192.in-addr.arpa "$Z/2.0.192.in-addr.arpa.zone" \
			upd.test "$BATS_FILE_TMPDIR/upd.zone"
		# one port and folder per kind, for the tests
		eval "export PORT_$kind=$SERVER_PORT DIR_$kind=$SERVER_DIR KIND_$kind=$SERVER_KIND"
	done
}

teardown_file() {
	server_stop
}

# use KIND: make KIND's server the current one (for server_update).
use() {
	SERVER_KIND=$(eval echo "\$KIND_$1")
	SERVER_PORT=$(eval echo "\$PORT_$1")
	SERVER_DIR=$(eval echo "\$DIR_$1")
}

port() { eval echo "\$PORT_$1"; }

# golden_check KIND ZONE: transfer ZONE from KIND with the sha256 key and
# compare with the golden file.
golden_check() {
	zxfr_run -k "$K/xfrkey.key" -p "$(port "$1")" "$2" 127.0.0.1
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	zxfr_norm "$T/out" >"$T/norm"
	diff -u "$Z/$2.golden" "$T/norm"
}

@test "BIND: torture zone equals the golden file" {
	golden_check bind torture.test
}

@test "NSD: torture zone equals the golden file" {
	golden_check nsd torture.test
}

@test "Knot: torture zone equals the golden file" {
	golden_check knot torture.test
}

@test "reverse zone with RFC 2317 names from all three equals the golden file" {
	for kind in bind nsd knot; do
		golden_check "$kind" 2.0.192.in-addr.arpa
	done
	grep -q '^2\.0/26\.2\.0\.192\.in-addr\.arpa\.	PTR	' "$T/out"
}

@test "the three servers give byte-identical output (apart from the port)" {
	for kind in bind nsd knot; do
		zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 0 ]
		zxfr_norm "$T/out" >"$T/$kind.norm"
	done
	cmp "$T/bind.norm" "$T/nsd.norm"
	cmp "$T/bind.norm" "$T/knot.norm"
	# the servers really differ on the wire: BIND keeps case, NSD does not
	dig -k "$K/xfrkey.key" -p "$PORT_bind" @127.0.0.1 torture.test AXFR +noall +answer >"$T/bind.dig"
	dig -k "$K/xfrkey.key" -p "$PORT_nsd" @127.0.0.1 torture.test AXFR +noall +answer >"$T/nsd.dig"
	grep -q 'UPPER\.CaSe' "$T/bind.dig"
	zxfr_absent 'UPPER\.CaSe' "$T/nsd.dig"
}

@test "the allocation-free fast path and the ldns path give the same output" {
	for kind in bind nsd knot; do
		for zone in torture.test 2.0.192.in-addr.arpa; do
			zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" "$zone" 127.0.0.1
			[ "$status" -eq 0 ]
			mv "$T/out" "$T/fast"
			R53M_ZXFR_SLOW=1 zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" "$zone" 127.0.0.1
			[ "$status" -eq 0 ]
			cmp "$T/fast" "$T/out"
		done
	done
}

@test "output is a valid stream: sorted, unique, accepted by rrdiff" {
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
	grep -v '^#' "$T/out" | LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,2
	run rrdiff "$T/out" "$T/out"
	[ "$status" -eq 0 ]
}

@test "raw non-ASCII owner: exactly one warning naming it, nothing else on stderr" {
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_bind" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
	[ "$(grep -c 'raw non-ASCII' "$T/err")" -eq 1 ]
	grep -q 'owner caf\\195\\169\.torture\.test\. has raw non-ASCII' "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ]
}

@test "every TSIG algorithm (md5 sha1 sha224 sha256 sha384 sha512) with every server" {
	for kind in bind nsd knot; do
		for key in keymd5 key1 key224 xfrkey key384 key512; do
			zxfr_run -k "$K/$key.key" -p "$(port $kind)" torture.test 127.0.0.1
			[ "$status" -eq 0 ] || { echo "$kind $key"; cat "$T/err"; return 1; }
			zxfr_norm "$T/out" | sed "s/ tsig $key\$/ tsig xfrkey/" >"$T/norm"
			diff -u "$Z/torture.test.golden" "$T/norm"
			grep -q "^#source dns 127.0.0.1 port $(port $kind) tsig $key\$" "$T/out"
		done
	done
}

@test "key from \$ZXFR_TSIG_KEY (file text), secret never printed" {
	secret=$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$K/xfrkey.key")
	[ -n "$secret" ]
	for kind in bind nsd knot; do
		ZXFR_TSIG_KEY=$(cat "$K/xfrkey.key") zxfr_run -v -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 0 ]
		grep -q '^#source dns 127.0.0.1 port [0-9]* tsig xfrkey$' "$T/out"
		zxfr_absent -F "$secret" "$T/err"
		zxfr_absent -F "$secret" "$T/out"
	done
	# -k wins over the environment
	ZXFR_TSIG_KEY=$(cat "$K/wrongsecret.key") zxfr_run -k "$K/xfrkey.key" -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
}

@test "--serial with a key (signed, verified) against all three" {
	for kind in bind nsd knot; do
		zxfr_run --serial -k "$K/xfrkey.key" -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 0 ]
		[ "$(cat "$T/out")" = 2026112601 ]
		[ ! -s "$T/err" ]
	done
}

@test "--serial without a key against all three (SOA queries need no key)" {
	for kind in bind nsd knot; do
		zxfr_run --serial -p "$(port $kind)" 2.0.192.in-addr.arpa 127.0.0.1
		[ "$status" -eq 0 ]
		[ "$(cat "$T/out")" = 7 ]
	done
}

@test "--serial with a wrong secret fails with BADSIG (exit 6)" {
	for kind in bind nsd knot; do
		zxfr_run --serial -k "$K/wrongsecret.key" -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 6 ]
		grep -q 'BADSIG' "$T/err"
		[ ! -s "$T/out" ]
	done
}

@test "-o FILE: written whole, no temporary file left, equals stdout output" {
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_nsd" -o "$T/zone.rrset" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
	[ ! -s "$T/out" ]
	zxfr_norm "$T/zone.rrset" | diff -u "$Z/torture.test.golden" -
	[ "$(ls -A "$T" | grep -c '^\.zone\.rrset')" -eq 0 ]
}

@test "-o FILE on failure: the old file is kept untouched, no temporary file" {
	echo "old content" >"$T/zone.rrset"
	zxfr_run -k "$K/wrongsecret.key" -p "$PORT_knot" -o "$T/zone.rrset" torture.test 127.0.0.1
	[ "$status" -eq 6 ]
	[ "$(cat "$T/zone.rrset")" = "old content" ]
	[ "$(ls -A "$T" | grep -c '^\.zone\.rrset')" -eq 0 ]
	rm "$T/zone.rrset"
	zxfr_run -k "$K/wrongsecret.key" -p "$PORT_knot" -o "$T/zone.rrset" torture.test 127.0.0.1
	[ ! -e "$T/zone.rrset" ]
}

@test "a zone update is seen by the transfer and by --serial on all three" {
	sed -e 's/ 1 3600 600/ 2 3600 600/' -e 's/192.0.2.80/192.0.2.81/' \
		"$BATS_FILE_TMPDIR/upd.zone" >"$T/upd2.zone"
	for kind in bind nsd knot; do
		zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" upd.test 127.0.0.1
		[ "$status" -eq 0 ]
		grep -q '^#serial 1$' "$T/out"
		use "$kind"
		server_update upd.test "$T/upd2.zone"
		zxfr_run --serial -k "$K/xfrkey.key" -p "$(port $kind)" upd.test 127.0.0.1
		[ "$(cat "$T/out")" = 2 ]
		zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" upd.test 127.0.0.1
		[ "$status" -eq 0 ]
		grep -q '^#serial 2$' "$T/out"
		grep -q '^www\.upd\.test\.	A	300	192\.0\.2\.81$' "$T/out"
	done
}

# The helpers' TCP readiness check (servers.bash, _srv_tcp_soa_ok: a SOA
# query by bash over /dev/tcp) says what dig +tcp says, on every server:
# yes for a zone's apex, no for a zone not served, a name without a SOA
# and a port where nothing listens.
@test "helpers: the TCP readiness check agrees with dig +tcp" {
	local kind q want got
	for kind in bind nsd knot; do
		use "$kind"
		SERVER_ADDR=127.0.0.1
		for q in torture.test 2.0.192.in-addr.arpa. upd.test nosuch.test www.upd.test; do
			want=no
			[ -n "$(dig +tcp +norec +tries=1 +time=2 +short -p "$SERVER_PORT" \
				@127.0.0.1 -t SOA -q "$q")" ] && want=yes
			got=no
			_srv_tcp_soa_ok "$q" && got=yes
			echo "$kind $q: dig $want, ours $got"
			[ "$got" = "$want" ]
		done
		[ "$want" = no ]
		_srv_tcp_soa_ok torture.test
	done
	SERVER_PORT=$(mirror_closed_port)
	run _srv_tcp_soa_ok torture.test
	assert_failure
}
