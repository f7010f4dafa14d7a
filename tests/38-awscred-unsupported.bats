#!/usr/bin/env bats
# Credential sources and settings botocore knows but this library does
# not read are refused by name (exit 6), never skipped: skipping them
# would go on to the container or the instance role, another identity.
# The loopback fake plays an instance metadata service that must never be
# asked when a refusal applies.

load test_helper

setup() {
	aws_imds_bait
}

teardown() {
	fakeaws_stop
}

# refused WHAT [awscred_test args...]: exit 6 with WHAT in the message,
# the instance role untouched.
refused() {
	local what=$1
	shift
	run awscred_test get "$@"
	assert_failure 6
	assert_output --partial "$what"
	refute_output --partial ASIAIMDS
	[ "$(fakeaws_count)" = 0 ]
}

@test "unsupported: the instance role is there to be taken (the fake works)" {
	run awscred_test get
	assert_success
	assert_output --partial "source=imds akid=ASIAIMDS0001"
}

@test "unsupported: AWS_CREDENTIAL_FILE (EC2 API tools) is refused by name" {
	printf 'AWSAccessKeyId=AKIDEC2TOOLS\nAWSSecretKey=ec2ToolsSecret\n' >"$T/ec2.cred"
	AWS_CREDENTIAL_FILE="$T/ec2.cred" refused "environment: AWS_CREDENTIAL_FILE"
	refute_output --partial ec2ToolsSecret
	# botocore would take those keys here: so the refusal is not spurious
	AWS_CREDENTIAL_FILE="$T/ec2.cred" run python3 -c 'import botocore.session
c = botocore.session.get_session().get_credentials()
print(c.method, c.access_key)'
	assert_output "ec2-credentials-file AKIDEC2TOOLS"
}

@test "unsupported: boto2 [Credentials] in BOTO_CONFIG or ~/.boto are refused by name" {
	printf '[Credentials]\naws_access_key_id = AKIDBOTO2\naws_secret_access_key = boto2Secret\n' >"$T/boto.cfg"
	BOTO_CONFIG="$T/boto.cfg" refused "$T/boto.cfg: boto2 [Credentials]"
	refute_output --partial boto2Secret
	cp "$T/boto.cfg" "$HOME/.boto"
	refused "$HOME/.boto: boto2 [Credentials]"
	run python3 -c 'import botocore.session
c = botocore.session.get_session().get_credentials()
print(c.method, c.access_key)'
	assert_output "boto-config AKIDBOTO2"
	# a boto file without credentials is no source: the chain goes on
	printf '[Boto]\ndebug = 0\n' >"$HOME/.boto"
	run awscred_test get
	assert_success
	assert_output --partial "source=imds"
}

@test "unsupported: the profile's instance metadata settings and IPv6 IMDS are refused by name" {
	local k
	for k in ec2_metadata_service_endpoint ec2_metadata_service_endpoint_mode \
		metadata_service_timeout metadata_service_num_attempts imds_use_ipv6; do
		printf '[default]\n%s = 2\n' "$k" >"$HOME/.aws/config"
		refused "profile default: $k is not supported"
	done
	rm "$HOME/.aws/config"
	AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 refused "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: IPv6"
	AWS_IMDS_USE_IPV6=true refused "AWS_IMDS_USE_IPV6: true"
	AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4 run awscred_test get
	assert_success
}

@test "unsupported: a profile with keys wins before any refusal, as in botocore" {
	printf '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = fileSecret\nmetadata_service_timeout = 2\n' \
		>"$HOME/.aws/credentials"
	AWS_CREDENTIAL_FILE=/nonexistent run awscred_test get
	assert_success
	assert_output --partial "source=shared-credentials-file akid=AKIDFILE"
}

@test "unsupported: AWS_CREDENTIAL_EXPIRATION is read; AWS_EC2_METADATA_V1_DISABLED stops the IMDSv1 fallback" {
	export AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envSecret AWS_SESSION_TOKEN=tok
	AWS_CREDENTIAL_EXPIRATION=2026-11-26T23:00:00Z run awscred_test get
	assert_success
	assert_output --partial "source=environment akid=AKIDENV"
	refute_output --partial "expiration=0"
	AWS_CREDENTIAL_EXPIRATION=2026-11-26T21:00:00Z run awscred_test get
	assert_failure 6
	assert_output --partial "environment credentials expired already"
	AWS_CREDENTIAL_EXPIRATION=soon run awscred_test get
	assert_failure 6
	assert_output --partial "AWS_CREDENTIAL_EXPIRATION: soon"
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	fakeaws_stop
	printf '{"imds": {"role": "instance-role", "token_status": 404, "require_token": false}}\n' \
		>"$T/imds.json"
	fakeaws_start "$T/imds.json"
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL"
	run awscred_test get
	assert_success
	assert_output --partial "source=imds"
	AWS_EC2_METADATA_V1_DISABLED=true run awscred_test get
	assert_failure 6
	assert_output --partial "AWS_EC2_METADATA_V1_DISABLED"
}
