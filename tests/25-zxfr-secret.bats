#!/usr/bin/env bats
# zxfr --tsig-secret-id: the TSIG key from AWS Secrets Manager (the
# emulator's GetSecretValue), for the probe and the transfer, and through
# mirror.sh; failures name the secret and never print its value.

load test_helper

ZONE=mirror.test

setup_file() {
	server_start knot "$ZONE" "$FIXTURES/mirror/$ZONE.zone"
}

teardown_file() {
	server_stop
}

setup() {
	emu_start
	export AWS_ENDPOINT_URL_SECRETS_MANAGER="$EMU_URL"
	SECRET=$(_srv_key_field "$SERVER_KEYFILE" secret)
	put_secret r53mirror/xfr "$(cat "$SERVER_KEYFILE")"
}

teardown() {
	emu_stop
}

# put_secret NAME TEXT [deny]: store TEXT as NAME's SecretString.
put_secret() {
	local json
	json=$("$EMU_PY" -c 'import json,sys; print(json.dumps({"Name": sys.argv[1], "SecretString": sys.argv[2], "deny": len(sys.argv) > 3}))' "$@")
	emu_admin post secrets "$json" >/dev/null
}

@test "probe and transfer with the key from Secrets Manager" {
	run zxfr --serial --tsig-secret-id r53mirror/xfr -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	assert_success
	[ "$output" = "$(server_serial "$ZONE")" ]
	run zxfr --tsig-secret-id r53mirror/xfr -p "$SERVER_PORT" -o "$T/out.rrset" "$ZONE" 127.0.0.1
	assert_success
	zxfr -k "$SERVER_KEYFILE" -p "$SERVER_PORT" "$ZONE" 127.0.0.1 >"$T/ref.rrset"
	rrdiff "$T/out.rrset" "$T/ref.rrset"
	grep -q "tsig $SERVER_KEYNAME" "$T/out.rrset"
	[ "$(emu_count GetSecretValue)" = 2 ]
}

@test "secret failures: exit status and a message naming the secret, never its value" {
	run zxfr --serial --tsig-secret-id no-such -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	[ "$status" -eq 5 ]
	assert_output --partial 'secret no-such: Secrets Manager answered HTTP 400 ResourceNotFoundException'
	put_secret locked "$(cat "$SERVER_KEYFILE")" deny
	run zxfr --serial --tsig-secret-id locked -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	[ "$status" -eq 6 ]
	assert_output --partial 'AccessDeniedException'
	refute_output --partial "$SECRET"
	# A secret that is not a key file: bad input, the text not echoed.
	put_secret garbage "not a key but $SECRET"
	run zxfr --serial --tsig-secret-id garbage -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	[ "$status" -eq 2 ]
	assert_output --partial 'secret garbage'
	refute_output --partial "$SECRET"
	# The wrong key: the server refuses it (TSIG verification).
	put_secret wrong "$(tsig-keygen -a hmac-sha256 xfrkey)"
	run zxfr --serial --tsig-secret-id wrong -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	[ "$status" -eq 5 ] || [ "$status" -eq 6 ]
	# Bad AWS credentials: signature refused, exit 6.
	AWS_SECRET_ACCESS_KEY=bad run zxfr --serial --tsig-secret-id r53mirror/xfr -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	[ "$status" -eq 6 ]
	assert_output --partial 'InvalidSignatureException'
}

@test "usage: -k with --tsig-secret-id, no region, plain http off loopback" {
	run zxfr --serial -k "$SERVER_KEYFILE" --tsig-secret-id x "$ZONE" 127.0.0.1
	[ "$status" -eq 3 ]
	assert_output --partial 'give one key'
	AWS_REGION= AWS_DEFAULT_REGION= run zxfr --serial --tsig-secret-id x "$ZONE" 127.0.0.1
	[ "$status" -eq 3 ]
	assert_output --partial 'secret x: no region'
	# The ARN's region is used and needs no AWS_REGION.
	arn=$(emu_admin get secrets | "$EMU_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["ARN"])')
	AWS_REGION= AWS_DEFAULT_REGION= run zxfr --serial --tsig-secret-id "$arn" -p "$SERVER_PORT" "$ZONE" 127.0.0.1
	assert_success
	AWS_ENDPOINT_URL_SECRETS_MANAGER=http://192.0.2.1:9 run zxfr --serial --tsig-secret-id x "$ZONE" 127.0.0.1
	[ "$status" -eq 3 ]
	assert_output --partial 'refusing plain http'
}

@test "mirror.sh --tsig-secret-id: full sync, then a probe; the id in no state file's place of a secret" {
	mirror_setup
	id=$(emu_create_zone "$ZONE")
	run mirror --tsig-secret-id r53mirror/xfr -p "$SERVER_PORT" "$ZONE" 127.0.0.1 "$id"
	assert_success
	assert_output --partial 'result=changed'
	run mirror --tsig-secret-id r53mirror/xfr -p "$SERVER_PORT" "$ZONE" 127.0.0.1 "$id"
	assert_success
	assert_output --partial 'check=probe'
	! grep -rqF "$SECRET" "$T/state"
	grep -q -- '--tsig-secret-id r53mirror/xfr' "$T/zxfr.calls"
	run mirror --tsig-secret-id r53mirror/xfr -k "$SERVER_KEYFILE" -p "$SERVER_PORT" "$ZONE" 127.0.0.1 "$id"
	[ "$status" -eq 3 ]
	run mirror --tsig-secret-id 'bad id!' -p "$SERVER_PORT" "$ZONE" 127.0.0.1 "$id"
	[ "$status" -eq 3 ]
	assert_output --partial "bad --tsig-secret-id"
}
