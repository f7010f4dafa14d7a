#!/usr/bin/env bats
# Credential ways named by a profile or the environment (role_arn,
# web_identity_token_file, sso_*, ...): each is used or refused with exit 6
# naming the profile and the key, never skipped for the next link of the
# chain.  The loopback fake (tests/fakeaws) plays an instance metadata
# service that would hand out the instance role: it must never be asked.

load test_helper

setup() {
	aws_imds_bait
	# STS that cannot be reached: the role's own call fails
	export AWS_ENDPOINT_URL_STS=http://127.0.0.1:9
	printf '[mirror]\naws_access_key_id = AKIDMIRROR\naws_secret_access_key = mirrorSecret\n' \
		>"$HOME/.aws/credentials"
}

teardown() {
	fakeaws_stop
}

# refused PROFILE KEY [awscred_test args...]: exit 6 naming both, the
# instance role untouched.
refused() {
	local profile=$1 key=$2
	shift 2
	run awscred_test get "$@"
	assert_failure 6
	assert_output --partial "profile $profile: $key"
	refute_output --partial ASIAIMDS
	[ "$(fakeaws_count)" = 0 ]
}

@test "ways: the instance role is there to be taken (the fake works)" {
	run awscred_test get
	assert_success
	assert_output --partial "source=imds akid=ASIAIMDS0001"
}

@test "ways: a role profile whose STS fails never uses the instance role" {
	printf '[profile assumed]\nrole_arn = arn:aws:iam::123456789012:role/r53mirror\nsource_profile = mirror\n' \
		>"$HOME/.aws/config"
	AWS_PROFILE=assumed refused assumed role_arn
	refused assumed role_arn --profile assumed
	# role_arn in the credentials file counts too (botocore merges it)
	printf '[x]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = mirror\n' \
		>>"$HOME/.aws/credentials"
	refused x role_arn --profile x
	# credential_source Environment with nothing there: no fallback
	printf '[profile cs]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n' \
		>"$HOME/.aws/config"
	refused cs credential_source --profile cs
}

@test "ways: r53dump -v with a role profile exits 6 and says why" {
	printf '[profile assumed]\nrole_arn = arn:aws:iam::123456789012:role/r53mirror\nsource_profile = mirror\n' \
		>"$HOME/.aws/config"
	AWS_PROFILE=assumed run r53dump -v --endpoint-url http://127.0.0.1:1 --zone-id Z1 --serial
	assert_failure 6
	assert_output --partial "profile assumed: role_arn"
	refute_output --partial ASIAIMDS
	[ "$(fakeaws_count)" = 0 ]
}

@test "ways: web identity that fails, from the environment or the profile, says so" {
	printf 'jwt-secret-token\n' >"$T/token"
	AWS_ROLE_ARN=arn:aws:iam::1:role/r AWS_WEB_IDENTITY_TOKEN_FILE="$T/token" run awscred_test get
	assert_failure 6
	assert_output --partial "environment: AWS_WEB_IDENTITY_TOKEN_FILE: STS AssumeRoleWithWebIdentity"
	refute_output --partial jwt-secret-token
	[ "$(fakeaws_count)" = 0 ]
	printf '[profile wi]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = %s\n' "$T/token" \
		>"$HOME/.aws/config"
	refused wi web_identity_token_file --profile wi
	AWS_ROLE_ARN=arn:aws:iam::1:role/r run awscred_test get
	assert_failure 6
	assert_output --partial "AWS_ROLE_ARN is set without AWS_WEB_IDENTITY_TOKEN_FILE"
	[ "$(fakeaws_count)" = 0 ]
}

@test "ways: SSO profiles without a token, legacy and sso_session, stop with the fix" {
	cat >"$HOME/.aws/config" <<'EOC'
[profile legacy]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = R53Mirror
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
[profile new]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = R53Mirror
[profile tokenonly]
sso_session = corp
EOC
	# no token cached: the way to get one is named, nothing else is used
	local p
	for p in legacy new; do
		run awscred_test get --profile $p
		assert_failure 6
		assert_output --partial "profile $p: no usable SSO token"
		assert_output --partial "run: aws sso login --profile $p"
		[ "$(fakeaws_count)" = 0 ]
	done
	# botocore would skip a profile with only sso_session; we stop
	refused tokenonly sso_session --profile tokenonly
}

@test "ways: source_profile or credential_source without role_arn is not skipped" {
	printf '[profile half]\nsource_profile = mirror\n[profile cs]\ncredential_source = Environment\n' \
		>"$HOME/.aws/config"
	refused half source_profile --profile half
	refused cs credential_source --profile cs
	# with static keys in the profile, those are used (as botocore)
	printf '[profile both]\nsource_profile = mirror\naws_access_key_id = AKIDBOTH\naws_secret_access_key = s\n' \
		>"$HOME/.aws/config"
	run awscred_test get --profile both
	assert_success
	assert_output --partial "source=config-file akid=AKIDBOTH"
}

@test "ways: the environment keys still come before a role profile (botocore's order)" {
	printf '[profile assumed]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = mirror\n' \
		>"$HOME/.aws/config"
	AWS_PROFILE=assumed AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=s run awscred_test get
	assert_success
	assert_output --partial "source=environment akid=AKIDENV"
}
