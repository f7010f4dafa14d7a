#!/usr/bin/env bats
# The emulator's Secrets Manager GetSecretValue (tests/r53emu/
# secretsmanager.py: AWS JSON 1.1, SigV4 for service secretsmanager),
# proven against the real aws CLI (/usr/bin/aws, Debian awscli).

load test_helper

setup() {
	[ -x /usr/bin/aws ] || skip "no /usr/bin/aws (Debian package awscli)"
	emu_start
	KEYTEXT='key "xfrkey" { algorithm hmac-sha256; secret "c2VjcmV0LXZhbHVlLWZvci10ZXN0cw=="; };'
	run emu_admin post secrets "$(printf '{"Name":"r53mirror/xfr","SecretString":"%s"}' "${KEYTEXT//\"/\\\"}")"
	assert_success
	ARN=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ARN"])' <<<"$output")
}

teardown() {
	emu_stop
}

awssm() {
	aws_cli secretsmanager --endpoint-url "$EMU_URL" --output json "$@"
}

field() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

@test "get-secret-value by name and by ARN returns the stored string" {
	run awssm get-secret-value --secret-id r53mirror/xfr
	assert_success
	[ "$(field SecretString <<<"$output")" = "$KEYTEXT" ]
	[ "$(field ARN <<<"$output")" = "$ARN" ]
	[ "$(field Name <<<"$output")" = r53mirror/xfr ]
	[[ $ARN =~ ^arn:aws:secretsmanager:us-east-1:[0-9]{12}:secret:r53mirror/xfr-[0-9a-f]{6}$ ]]
	run awssm get-secret-value --secret-id "$ARN"
	assert_success
	[ "$(field SecretString <<<"$output")" = "$KEYTEXT" ]
	run awssm get-secret-value --secret-id "${ARN%-*}"
	assert_success
	[ "$(emu_count GetSecretValue)" = 3 ]
	# No Route 53 API was counted for these.
	[ "$(emu_count ListResourceRecordSets)" = 0 ]
}

@test "unknown secret: ResourceNotFoundException as the CLI shows it" {
	run awssm get-secret-value --secret-id no-such-secret
	assert_failure
	assert_output --partial 'ResourceNotFoundException'
	assert_output --partial "Secrets Manager can't find the specified secret."
}

@test "a secret the caller may not read: AccessDeniedException" {
	emu_admin post secrets '{"Name":"locked","SecretString":"x","deny":true}' >/dev/null
	run awssm get-secret-value --secret-id locked
	assert_failure
	assert_output --partial 'AccessDeniedException'
	refute_output --partial '"x"'
}

@test "signatures are checked: wrong secret key and wrong access key refused" {
	AWS_SECRET_ACCESS_KEY=wrong-secret-key run awssm get-secret-value --secret-id r53mirror/xfr
	assert_failure
	assert_output --partial 'InvalidSignatureException'
	refute_output --partial 'c2VjcmV0'
	AWS_ACCESS_KEY_ID=AKIDOTHER run awssm get-secret-value --secret-id r53mirror/xfr
	assert_failure
	assert_output --partial 'UnrecognizedClientException'
	[ "$(emu_count GetSecretValue)" = 2 ]
}

@test "the admin listing names secrets without their values" {
	run emu_admin get secrets
	assert_success
	assert_output --partial r53mirror/xfr
	refute_output --partial c2VjcmV0
}
