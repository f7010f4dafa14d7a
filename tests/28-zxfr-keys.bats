#!/usr/bin/env bats
# zxfr -k: key files as people write them.  BIND's format (tsig-keygen),
# Knot's (keymgr -t prints it) and dig's -y argument (ALG:NAME:SECRET, or
# NAME:SECRET for hmac-md5) each sign a real transfer and a probe from
# BIND and Knot; a bad file of each format names file, line and field
# and never the secret; a key file other users may read gets a warning.

load test_helper

K="$FIXTURES/zones/keys"

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local d=$BATS_FILE_TMPDIR kind
	# keymgr's own output, and the same key in the two other formats
	(umask 077 && keymgr -t knotkey hmac-sha256 >"$d/knot.key")
	KSECRET=$(sed -n 's/^ *secret: *//p' "$d/knot.key")
	export KSECRET
	(umask 077 && printf 'key "knotkey" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
		"$KSECRET" >"$d/bind.key")
	(umask 077 && sed -n 's/^# //p' "$d/knot.key" >"$d/dig.key")
	export SERVER_KEYFILES="$d/bind.key $K/key512.key $K/keymd5.key"
	for kind in bind knot; do
		server_start "$kind" mirror.test "$FIXTURES/mirror/mirror.test.zone"
		eval "export PORT_$kind=$SERVER_PORT"
	done
	zxfr -k "$d/bind.key" -p "$PORT_knot" mirror.test 127.0.0.1 >"$d/ref.rrset"
}

teardown_file() {
	server_stop
}

port() { eval echo "\$PORT_$1"; }

# same_zone: $T/out holds the zone of the reference transfer.
same_zone() {
	diff <(zxfr_norm "$T/out" | grep -v '^#source') \
		<(zxfr_norm "$BATS_FILE_TMPDIR/ref.rrset" | grep -v '^#source')
}

# key FILE TEXT: FILE (in $T) holds TEXT, mode 600.
key() {
	(umask 077 && printf '%s' "$2" >"$T/$1")
}

@test "keymgr -t output (Knot's format) signs the transfer and the probe" {
	head -2 "$BATS_FILE_TMPDIR/knot.key" | grep -q '^key:$'
	for kind in bind knot; do
		zxfr_run -k "$BATS_FILE_TMPDIR/knot.key" -p "$(port $kind)" mirror.test 127.0.0.1
		[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
		same_zone
		grep -q '^#source dns 127.0.0.1 port [0-9]* tsig knotkey$' "$T/out"
		[ ! -s "$T/err" ]
		zxfr_run --serial -k "$BATS_FILE_TMPDIR/knot.key" -p "$(port $kind)" mirror.test 127.0.0.1
		[ "$status" -eq 0 ]
		[ "$(cat "$T/out")" = "$(server_serial mirror.test)" ]
	done
}

@test "NSD's key: clause (name:, quoted secret) is read the same way" {
	key nsd.key "key:
	name: \"knotkey\"
	algorithm: hmac-sha256
	secret: \"$KSECRET\"
"
	zxfr_run -k "$T/nsd.key" -p "$PORT_bind" mirror.test 127.0.0.1
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	same_zone
}

@test "dig's ALG:NAME:SECRET, and NAME:SECRET as hmac-md5 like dig -y" {
	for kind in bind knot; do
		zxfr_run -k "$BATS_FILE_TMPDIR/dig.key" -p "$(port $kind)" mirror.test 127.0.0.1
		[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
		same_zone
	done
	key512=$(_srv_key_field "$K/key512.key" secret)
	key d512.key "hmac-sha512:key512:$key512"
	zxfr_run -k "$T/d512.key" -p "$PORT_knot" mirror.test 127.0.0.1
	[ "$status" -eq 0 ]
	same_zone
	md5=$(_srv_key_field "$K/keymd5.key" secret)
	key dmd5.key "keymd5:$md5
"
	zxfr_run --serial -k "$T/dmd5.key" -p "$PORT_bind" mirror.test 127.0.0.1
	[ "$status" -eq 0 ] || { cat "$T/err"; return 1; }
	# the same secret as hmac-sha256 is refused: NAME:SECRET is md5
	key dwrong.key "hmac-sha256:keymd5:$md5"
	zxfr_run --serial -k "$T/dwrong.key" -p "$PORT_bind" mirror.test 127.0.0.1
	[ "$status" -eq 6 ]
}

@test "the key from \$ZXFR_TSIG_KEY in dig's form" {
	ZXFR_TSIG_KEY="hmac-sha256:knotkey:$KSECRET" zxfr_run -p "$PORT_knot" mirror.test 127.0.0.1
	[ "$status" -eq 0 ]
	same_zone
}

# bad NAME TEXT PATTERN: a key file NAME holding TEXT is refused with
# exit 2, a message matching PATTERN, nothing on stdout and no part of
# the secret on stderr.
bad() {
	key "$1" "$2"
	zxfr_run -k "$T/$1" -p "$PORT_knot" mirror.test 127.0.0.1
	[ "$status" -eq 2 ] || { echo "status $status for $1" >&2; cat "$T/err" >&2; return 1; }
	grep -q -- "$3" "$T/err" || { echo "want '$3'" >&2; cat "$T/err" >&2; return 1; }
	[ ! -s "$T/out" ]
	zxfr_absent -F "${KSECRET:0:8}" "$T/err"
	zxfr_absent -F "c2VjcmV0" "$T/err"
}

@test "bad Knot-format files: file, line and field named, never the secret" {
	bad k1.key "key:
  - id: knotkey
    algorithm: hmac-sha256
" "k1.key:3: bad TSIG key: no secret"
	bad k2.key "key:
  - id: knotkey
    algorithm: hmac-sha256
    secret: c2VjcmV0!!
" "k2.key:4: bad TSIG key: secret: not valid base64"
	bad k3.key "key:
  - id: knotkey
    algorithm: hmac-blake3
    secret: $KSECRET
" "k3.key:3: bad TSIG key: unsupported algorithm (hmac-md5,"
	zxfr_absent -F blake3 "$T/err"
	bad k4.key "key:
  - id: knotkey
    c2VjcmV0: $KSECRET
" "k4.key:3: bad TSIG key: unknown field (want id, algorithm, secret)"
	bad k5.key "key:
  - id: a
    algorithm: hmac-sha256
    secret: $KSECRET
  - id: b
" "k5.key:5: bad TSIG key: more than one key in the file"
	bad k6.key "key:
  - id: knotkey
    algorithm: hmac-sha256
    secret: $KSECRET
server:
    listen: 127.0.0.1
" "k6.key:5: bad TSIG key: text after the key: section"
	bad k7.key "key:
  - id: bad..name
" "k7.key:2: bad TSIG key: id: the key name is not a plain domain name"
}

@test "bad dig-format files: file, line and field named, never the secret" {
	bad d1.key "hmac-sha999:knotkey:$KSECRET" "d1.key:1: bad TSIG key: unsupported algorithm (hmac-md5"
	bad d2.key "hmac-sha256:knotkey:c2VjcmV0!!" "d2.key:1: bad TSIG key: SECRET: not valid base64"
	bad d3.key "# a comment
hmac-sha256:bad..name:$KSECRET" "d3.key:2: bad TSIG key: NAME: the key name is not"
	bad d4.key "hmac-sha256:knotkey:$KSECRET
hmac-sha256:other:$KSECRET" "d4.key:2: bad TSIG key: more than one line"
	bad d5.key "a:b:c:$KSECRET" "d5.key:1: bad TSIG key: expected ALG:NAME:SECRET"
	bad d6.key "$KSECRET" "d6.key:1: bad TSIG key: expected 'key"
}

@test "a key file other users may read: a warning naming the file, never the secret" {
	cp "$BATS_FILE_TMPDIR/knot.key" "$T/open.key"
	chmod 644 "$T/open.key"
	zxfr_run -k "$T/open.key" -p "$PORT_knot" mirror.test 127.0.0.1
	[ "$status" -eq 0 ]
	grep -q "zxfr: warning: TSIG key file $T/open.key is readable by other users (mode 0644)" "$T/err"
	[ "$(wc -l <"$T/err")" -eq 1 ]
	zxfr_absent -F "${KSECRET:0:8}" "$T/err"
	chmod 602 "$T/open.key"
	zxfr_run --serial -k "$T/open.key" -p "$PORT_knot" mirror.test 127.0.0.1
	[ "$status" -eq 0 ]
	grep -q "open.key is writable by other users (mode 0602)" "$T/err"
	# 0640 (root:bind, as BIND keeps its keys) and 0600: no warning
	for m in 640 600; do
		chmod "$m" "$T/open.key"
		zxfr_run --serial -k "$T/open.key" -p "$PORT_knot" mirror.test 127.0.0.1
		[ "$status" -eq 0 ]
		[ ! -s "$T/err" ]
	done
}
