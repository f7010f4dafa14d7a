#!/usr/bin/env bats
# The emulator's STS (tests/r53emu/sts.py) proved against the real aws
# CLI: AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity, a role
# profile whose credentials the Route 53 side accepts (and reports as the
# signer), ExpiredToken once they lapse.

load test_helper

teardown() {
	emu_stop
}

setup() {
	[ -x /usr/bin/aws ] || skip "no /usr/bin/aws (Debian package awscli)"
	emu_start
}

# field EXPR: eval(EXPR) on the JSON document on stdin, bound to d.
field() {
	/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

ROLE=arn:aws:iam::123456789012:role/r53mirror

@test "sts: aws sts assume-role issues temporary credentials with an expiry" {
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" --output json \
		--role-arn "$ROLE" --role-session-name s1 --duration-seconds 900
	assert_success
	local akid exp
	akid=$(field 'd["Credentials"]["AccessKeyId"]' <<<"$output")
	exp=$(field 'd["Credentials"]["Expiration"]' <<<"$output")
	[[ $akid =~ ^ASIA[A-Z0-9]{16}$ ]]
	[ -n "$(field 'd["Credentials"]["SessionToken"]' <<<"$output")" ]
	local left=$(($(date -u -d "$exp" +%s) - $(date -u +%s)))
	[ "$left" -gt 850 ] && [ "$left" -le 900 ]
	assert_output --partial "assumed-role/r53mirror/s1"
	# signed by the emulator's own key, recorded with the session name
	run emu_admin get sts/calls
	assert_output --partial '"signer": "AKIDEXAMPLE"'
	assert_output --partial '"session": "s1"'
	# a bad role ARN and a bad duration are refused like STS does
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" \
		--role-arn arn:aws:iam::123456789012:user/not-a-role --role-session-name s1
	assert_failure
	assert_output --partial ValidationError
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" \
		--role-arn "$ROLE" --role-session-name s1 --duration-seconds 43201
	assert_failure
	assert_output --partial ValidationError
}

@test "sts: external id required by a role, web identity, caller identity" {
	emu_admin post sts '{"external_ids": {"'"$ROLE"'": "ext-1"}}' >/dev/null
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" \
		--role-arn "$ROLE" --role-session-name s1
	assert_failure
	assert_output --partial AccessDenied
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" --output json \
		--role-arn "$ROLE" --role-session-name s1 --external-id ext-1
	assert_success
	emu_admin post sts '{"web_tokens": ["good.jwt.token"]}' >/dev/null
	run aws_cli sts assume-role-with-web-identity --endpoint-url "$EMU_URL" \
		--output json --role-arn "$ROLE" --role-session-name irsa \
		--web-identity-token bad.jwt.token
	assert_failure
	assert_output --partial InvalidIdentityToken
	run aws_cli sts assume-role-with-web-identity --endpoint-url "$EMU_URL" \
		--output json --role-arn "$ROLE" --role-session-name irsa \
		--web-identity-token good.jwt.token
	assert_success
	local akid sk tok
	akid=$(field 'd["Credentials"]["AccessKeyId"]' <<<"$output")
	sk=$(field 'd["Credentials"]["SecretAccessKey"]' <<<"$output")
	tok=$(field 'd["Credentials"]["SessionToken"]' <<<"$output")
	AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$sk AWS_SESSION_TOKEN=$tok \
		run aws_cli sts get-caller-identity --endpoint-url "$EMU_URL" --output json
	assert_success
	assert_output --partial "assumed-role/r53mirror/irsa"
	# a wrong session token with an issued key is refused
	AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$sk AWS_SESSION_TOKEN=wrong \
		run aws_cli sts get-caller-identity --endpoint-url "$EMU_URL"
	assert_failure
	assert_output --partial InvalidClientTokenId
}

# aws_with_sts_url: an aws CLI whose botocore honours AWS_ENDPOINT_URL_STS
# (1.31 and later; Debian 12's /usr/bin/aws has 1.29), or nothing.
aws_with_sts_url() {
	local a v
	for a in /usr/bin/aws "$(command -v aws)"; do
		[ -x "$a" ] || continue
		v=$("$a" --version 2>&1 | sed -n 's/.*botocore\/\([0-9]*\.[0-9]*\).*/\1/p')
		[ -n "$v" ] || continue
		if [ "${v%%.*}" -gt 1 ] || [ "${v#*.}" -ge 31 ]; then
			echo "$a"
			return
		fi
	done
}

@test "sts: a role profile with AWS_ENDPOINT_URL_STS lists zones as the role; expired: ExpiredToken" {
	local aws
	aws=$(aws_with_sts_url)
	[ -n "$aws" ] || skip "no aws CLI with botocore >= 1.31 (AWS_ENDPOINT_URL_STS)"
	emu_create_zone example.com >/dev/null
	cat >"$T/config" <<EOC
[profile base]
region = us-east-1
[profile assumed]
role_arn = $ROLE
source_profile = base
role_session_name = cli-session
EOC
	printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$EMU_AK" "$EMU_SK" >"$T/creds"
	mkdir -p "$T/home"
	# HOME private: the CLI caches assumed-role credentials in ~/.aws/cli/cache
	local env=(HOME="$T/home" AWS_CONFIG_FILE="$T/config" AWS_SHARED_CREDENTIALS_FILE="$T/creds"
		AWS_ENDPOINT_URL_STS="$EMU_URL" AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY=)
	run env "${env[@]}" "$aws" --profile assumed route53 list-hosted-zones \
		--endpoint-url "$EMU_URL" --output json
	assert_success
	assert_output --partial example.com
	# the Route 53 request was signed with the key STS issued, not the base key
	local issued
	issued=$(emu_admin get sts/calls | field 'd[-1]["issued"]')
	[[ $issued =~ ^ASIA ]]
	run emu_admin get sts/signers
	assert_output --partial "\"akid\": \"$issued\""
	refute_output --partial '"akid": "AKIDEXAMPLE"'
	# credentials that lapse are refused with ExpiredToken
	run aws_cli sts assume-role --endpoint-url "$EMU_URL" --output json \
		--role-arn "$ROLE" --role-session-name s2
	local akid sk tok
	akid=$(field 'd["Credentials"]["AccessKeyId"]' <<<"$output")
	sk=$(field 'd["Credentials"]["SecretAccessKey"]' <<<"$output")
	tok=$(field 'd["Credentials"]["SessionToken"]' <<<"$output")
	AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$sk AWS_SESSION_TOKEN=$tok \
		run aws_cli route53 list-hosted-zones --endpoint-url "$EMU_URL"
	assert_success
	emu_faults '{"clock_offset": 7200}'
	AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$sk AWS_SESSION_TOKEN=$tok \
		run aws_cli route53 list-hosted-zones --endpoint-url "$EMU_URL" --cli-read-timeout 5
	assert_failure
	assert_output --partial ExpiredToken
}

@test "sts: the SSO portal's GetRoleCredentials, as aws sso get-role-credentials sees it" {
	emu_admin post sts '{"sso_tokens": ["portal-token"]}' >/dev/null
	run aws_cli sso get-role-credentials --endpoint-url "$EMU_URL" --output json \
		--access-token portal-token --account-id 123456789012 --role-name R53Mirror
	assert_success
	[[ $(field 'd["roleCredentials"]["accessKeyId"]' <<<"$output") =~ ^ASIA ]]
	local ms
	ms=$(field 'd["roleCredentials"]["expiration"]' <<<"$output")
	[ $((ms / 1000 - $(date +%s))) -gt 3500 ]
	run aws_cli sso get-role-credentials --endpoint-url "$EMU_URL" \
		--access-token wrong --account-id 123456789012 --role-name R53Mirror
	assert_failure
	assert_output --partial UnauthorizedException
}
