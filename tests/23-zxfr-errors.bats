#!/usr/bin/env bats
# zxfr error paths: usage (exit 3), key files and the key variable
# (exit 2, secret never echoed), authentication failures against BIND,
# NSD and Knot (wrong secret, unknown key, no key: exit 6 or 5 with the
# server's words), a zone not served, nothing listening (exit 5).  No
# trailer is ever written on failure.

load test_helper

Z="$FIXTURES/zones"
K="$FIXTURES/zones/keys"

setup_file() {
	# Its tests share what this sets up: run them in order under --jobs.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local kind
	export SERVER_KEYFILES="$K/xfrkey.key"
	for kind in bind nsd knot; do
		server_start "$kind" torture.test "$Z/torture.test.zone"
		eval "export PORT_$kind=$SERVER_PORT"
	done
}

teardown_file() {
	server_stop
}

port() { eval echo "\$PORT_$1"; }

# badkey TEXT: a key file holding TEXT; run zxfr with it against Knot.
badkey() {
	printf '%s' "$1" >"$T/bad.key"
	zxfr_run -k "$T/bad.key" -p "$PORT_knot" torture.test 127.0.0.1
}

@test "usage errors exit 3 with a message and the usage text" {
	zxfr_run
	[ "$status" -eq 3 ]
	grep -q 'missing ZONE or SERVER' "$T/err"
	grep -q '^usage: zxfr' "$T/err"
	zxfr_run a.test 127.0.0.1 extra
	[ "$status" -eq 3 ]
	grep -q 'too many arguments' "$T/err"
	zxfr_run -p 0 a.test 127.0.0.1
	[ "$status" -eq 3 ]
	grep -q "bad port '0'" "$T/err"
	zxfr_run -p 65536 a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run a.test 'ns1.example.com:x'
	[ "$status" -eq 3 ]
	grep -q "bad server 'ns1.example.com:x': give ADDR, NAME, ADDR:PORT or \[IPv6\]:PORT" "$T/err"
	zxfr_run 'a..test' 127.0.0.1
	[ "$status" -eq 3 ]
	grep -q "bad zone name 'a..test'" "$T/err"
	zxfr_run --timeout 0 a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run --read-timeout x a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run --serial -o "$T/x" a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run --bogus a.test 127.0.0.1
	[ "$status" -eq 3 ]
	[ ! -s "$T/out" ]
}

@test "-h and --version" {
	zxfr_run -h
	[ "$status" -eq 0 ]
	grep -q '^usage: zxfr' "$T/out"
	zxfr_run --version
	[ "$status" -eq 0 ]
	grep -qx 'zxfr [0-9][0-9.]*' "$T/out"
}

@test "key file: missing, not a key, no secret, bad base64, unknown algorithm: exit 2" {
	zxfr_run -k "$T/nonexistent.key" -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 2 ]
	grep -q "cannot open TSIG key file $T/nonexistent.key" "$T/err"
	badkey 'hello world'
	[ "$status" -eq 2 ]
	grep -q "bad.key:1: bad TSIG key: expected 'key" "$T/err"
	badkey 'key "k" { algorithm hmac-sha256; };'
	[ "$status" -eq 2 ]
	grep -q 'bad TSIG key: no secret' "$T/err"
	badkey 'key "k" { algorithm hmac-sha256; secret "c2VjcmV0!!"; };'
	[ "$status" -eq 2 ]
	grep -q 'bad TSIG key: secret is not valid base64' "$T/err"
	zxfr_absent -F 'c2VjcmV0' "$T/err"
	badkey 'key "k" { algorithm hmac-blake3; secret "c2VjcmV0"; };'
	[ "$status" -eq 2 ]
	grep -q "bad.key:1: bad TSIG key: unsupported algorithm (hmac-md5, hmac-sha1," "$T/err"
	zxfr_absent -F 'blake3' "$T/err"
	badkey 'key "k" { algorithm gss-tsig; secret "c2VjcmV0"; };'
	[ "$status" -eq 2 ]
	grep -q "unsupported algorithm 'gss-tsig'" "$T/err"
	badkey 'key "k" { algorithm hmac-sha256-128; secret "c2VjcmV0"; };'
	[ "$status" -eq 2 ]
	grep -q "unsupported algorithm 'hmac-sha256-128'" "$T/err"
	badkey 'key "k" { algorithm hmac-sha256; secret "c2VjcmV0"; };
key "j" { algorithm hmac-sha256; secret "c2VjcmV0"; };'
	[ "$status" -eq 2 ]
	grep -q 'bad.key:2: bad TSIG key: more than one key' "$T/err"
	badkey 'key "k" { algorithm hmac-sha256; secret "c2VjcmV0"; bogus 1; };'
	[ "$status" -eq 2 ]
	grep -q "bad.key:1: bad TSIG key: unknown statement" "$T/err"
	zxfr_absent -F 'bogus' "$T/err"
	[ ! -s "$T/out" ]
}

@test "key file with comments and on one line is accepted" {
	secret=$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$K/xfrkey.key")
	printf '# the key\n/* block */ key xfrkey { // name\n algorithm HMAC-SHA256; secret "%s"; };\n' "$secret" >"$T/c.key"
	zxfr_run -k "$T/c.key" -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
}

@test "a bad key in \$ZXFR_TSIG_KEY is named as such (exit 2)" {
	ZXFR_TSIG_KEY='key "k" { secret "c2VjcmV0"; };' zxfr_run -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 2 ]
	grep -q '\$ZXFR_TSIG_KEY:1: bad TSIG key: no algorithm' "$T/err"
	zxfr_absent -F 'c2VjcmV0' "$T/err"
}

# no_secret_in FILE SECRET: no 8 consecutive characters of SECRET in FILE.
no_secret_in() {
	local i
	for ((i = 0; i + 8 <= ${#2}; i++)); do
		zxfr_absent -F "${2:i:8}" "$1" || { echo "secret leaked: ${2:i:8}"; return 1; }
	done
}

@test "a secret misplaced in a bad key file or \$ZXFR_TSIG_KEY is never echoed" {
	s=$(sed -n 's/.*secret "\(.*\)".*/\1/p' "$K/xfrkey.key")
	[ "${#s}" -ge 40 ]
	for text in \
		"key \"k\" { algorithm hmac-sha256; \"$s\"; };" \
		"key \"k\" { algorithm hmac-sha256; $s; };" \
		"key \"k\" { algorithm \"$s\"; secret \"$s\"; };" \
		"key \"k\" { algorithm $s; };" \
		"key \"k\" {
 $s };" \
		"key \"k\" { secret \"$s\"; algorithm hmac-sha256; $s; };"; do
		badkey "$text"
		[ "$status" -eq 2 ]
		grep -q 'bad\.key:[12]: bad TSIG key: \(unknown statement\|unsupported algorithm\)' "$T/err"
		no_secret_in "$T/err" "$s"
		ZXFR_TSIG_KEY="$text" zxfr_run -p "$PORT_knot" torture.test 127.0.0.1
		[ "$status" -eq 2 ]
		grep -q '\$ZXFR_TSIG_KEY:[12]: bad TSIG key: \(unknown statement\|unsupported algorithm\)' "$T/err"
		no_secret_in "$T/err" "$s"
	done
}

@test "--max-records: a whole number above 0, else a usage error" {
	zxfr_run --max-records 0 a.test 127.0.0.1
	[ "$status" -eq 3 ]
	grep -q "bad --max-records '0'" "$T/err"
	zxfr_run --max-records -5 a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run --max-records 10x a.test 127.0.0.1
	[ "$status" -eq 3 ]
	zxfr_run -h
	grep -q -- '--max-records N .*(20000000)' "$T/out"
	# N records (the SOA once) pass a limit of N, not of N - 1
	zxfr_run -v -k "$K/xfrkey.key" -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
	n=$(sed -n 's/^zxfr: torture\.test\.: \([0-9]*\) records, .*/\1/p' "$T/err")
	[ "$n" -gt 10 ]
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_knot" --max-records "$n" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
	grep -q '^#end' "$T/out"
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_knot" --max-records $((n - 1)) torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q "^zxfr: torture\.test\. from 127\.0\.0\.1 port $PORT_knot: more than $((n - 1)) records" "$T/err"
	zxfr_no_trailer "$T/out"
}

@test "wrong secret: BADSIG from all three servers (exit 6)" {
	for kind in bind nsd knot; do
		zxfr_run -k "$K/wrongsecret.key" -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 6 ]
		grep -q "^zxfr: torture\.test\. from 127\.0\.0\.1 port $(port $kind): TSIG: BADSIG: the server rejected our signature (wrong secret for key xfrkey?)" "$T/err"
		zxfr_no_trailer "$T/out"
	done
}

@test "unknown key: BADKEY from all three servers (exit 6)" {
	for kind in bind nsd knot; do
		zxfr_run -k "$K/unknown.key" -p "$(port $kind)" torture.test 127.0.0.1
		[ "$status" -eq 6 ]
		grep -q "port $(port $kind): TSIG: BADKEY: the server does not know key otherkey with algorithm hmac-sha256" "$T/err"
		zxfr_no_trailer "$T/out"
	done
}

@test "no key where one is required: REFUSED (BIND, NSD) or NOTAUTH (Knot), exit 5" {
	zxfr_run -p "$PORT_bind" torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q 'answer: REFUSED (the server refuses the transfer; does it require a TSIG key? see -k)' "$T/err"
	zxfr_run -p "$PORT_nsd" torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q 'answer: REFUSED' "$T/err"
	zxfr_run -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q 'answer: NOTAUTH (the server does not serve this zone, or requires a TSIG key; see -k)' "$T/err"
	zxfr_no_trailer "$T/out"
}

@test "a zone the server does not serve: NOTAUTH, exit 5" {
	for kind in bind nsd knot; do
		zxfr_run -k "$K/xfrkey.key" -p "$(port $kind)" other.test 127.0.0.1
		[ "$status" -eq 5 ]
		grep -q "^zxfr: other\.test\. from 127\.0\.0\.1 port $(port $kind): answer: NOTAUTH" "$T/err"
		zxfr_no_trailer "$T/out"
		zxfr_run --serial -k "$K/xfrkey.key" -p "$(port $kind)" other.test 127.0.0.1
		[ "$status" -eq 5 ]
		grep -q "^zxfr: other\.test\. from 127\.0\.0\.1 port $(port $kind): SOA query: \(REFUSED\|NOTAUTH\)" "$T/err"
		[ ! -s "$T/out" ]
	done
}

@test "nothing listening: connection refused, exit 5" {
	port=$(_srv_pick_port)
	zxfr_run -k "$K/xfrkey.key" -p "$port" torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q "^zxfr: torture\.test\. from 127\.0\.0\.1 port $port: cannot connect: Connection refused" "$T/err"
	zxfr_no_trailer "$T/out"
	zxfr_run --serial -p "$port" torture.test 127.0.0.1
	[ "$status" -eq 5 ]
	grep -q 'SOA query over UDP: connection refused' "$T/err"
}

@test "IPv6 literal servers are accepted (and fail cleanly when nothing listens)" {
	port=$(_srv_pick_port)
	zxfr_run -p "$port" --timeout 3 torture.test ::1
	[ "$status" -eq 5 ]
	grep -q "^zxfr: torture\.test\. from ::1 port $port: cannot connect" "$T/err"
}

@test "servers allowing transfers by address: no key needed, all checks made" {
	for kind in bind nsd knot; do
		# server_start waits until the zone answers over UDP and TCP
		SERVER_TSIG=none server_start "$kind" 2.0.192.in-addr.arpa "$Z/2.0.192.in-addr.arpa.zone"
		[ -z "$SERVER_KEYFILE" ]
		zxfr_run -p "$SERVER_PORT" 2.0.192.in-addr.arpa 127.0.0.1
		if [ "$status" -ne 0 ]; then
			echo "# $kind: zxfr exit $status: $(cat "$T/err")" >&3
			cat "$SERVER_DIR"/*.log >&3 2>/dev/null || true
		fi
		server_stop "$SERVER_DIR"
		[ "$status" -eq 0 ]
		zxfr_norm "$T/out" | diff -u <(sed 's/ tsig xfrkey$//' "$Z/2.0.192.in-addr.arpa.golden") -
	done
	# the servers of setup_file still run
	zxfr_run --serial -p "$PORT_knot" torture.test 127.0.0.1
	[ "$status" -eq 0 ]
}

@test "output errors: a full stdout or an unwritable -o folder give exit 2" {
	status=0
	zxfr -k "$K/xfrkey.key" -p "$PORT_knot" torture.test 127.0.0.1 >/dev/full 2>"$T/err" || status=$?
	no_sanitizer_report "$T/err"
	[ "$status" -eq 2 ]
	grep -q 'No space left on device' "$T/err"
	zxfr_run -k "$K/xfrkey.key" -p "$PORT_knot" -o "$T/no/such/dir/x" torture.test 127.0.0.1
	[ "$status" -eq 2 ]
	grep -q "$T/no/such/dir" "$T/err"
	status=0
	zxfr --serial -p "$PORT_knot" torture.test 127.0.0.1 >/dev/full 2>"$T/err" || status=$?
	no_sanitizer_report "$T/err"
	[ "$status" -eq 2 ]
	grep -q 'cannot write the serial to stdout' "$T/err"
}
