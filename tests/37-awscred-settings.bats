#!/usr/bin/env bats
# Shared-config settings for Route 53 (awshttp_endpoint_profile and
# awshttp_new): region, endpoint_url and the services section,
# use_fips_endpoint, retry_mode; command line > environment > profile.

load test_helper

setup() {
	aws_clean_env
	cat >"$HOME/.aws/config" <<'EOC'
[profile cn]
region = cn-north-1
[profile ep]
endpoint_url = http://127.0.0.1:1111
services = local
[profile eponly]
endpoint_url = http://127.0.0.1:2222
[services local]
route53 =
  endpoint_url = http://127.0.0.1:3333
[profile fips]
use_fips_endpoint = true
[profile fipscn]
use_fips_endpoint = true
region = cn-northwest-1
[profile turbo]
retry_mode = turbo
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = s
EOC
}

# endpoint: what awscred_test endpoint resolves, with AWS_PROFILE=$1.
endpoint() {
	local p=$1
	shift
	AWS_PROFILE=$p awscred_test endpoint "$@"
}

@test "settings: region from the profile picks the partition; the environment wins" {
	run endpoint cn
	assert_output "url=https://route53.amazonaws.com.cn region=cn-northwest-1"
	AWS_DEFAULT_REGION=us-gov-west-1 run endpoint cn
	assert_output "url=https://route53.us-gov.amazonaws.com region=us-gov-west-1"
	AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=cn-north-1 run endpoint cn
	assert_output "url=https://route53.amazonaws.com region=us-east-1"
	run endpoint cn --region us-east-1
	assert_output --partial "url=https://route53.amazonaws.com "
}

@test "settings: endpoint_url: option > AWS_ENDPOINT_URL_ROUTE_53 > AWS_ENDPOINT_URL > services > profile" {
	run endpoint eponly
	assert_output --partial "url=http://127.0.0.1:2222 "
	run endpoint ep
	assert_output --partial "url=http://127.0.0.1:3333 "
	AWS_ENDPOINT_URL=http://127.0.0.1:4444 run endpoint ep
	assert_output --partial "url=http://127.0.0.1:4444 "
	AWS_ENDPOINT_URL=http://127.0.0.1:4444 AWS_ENDPOINT_URL_ROUTE_53=http://127.0.0.1:5555 run endpoint ep
	assert_output --partial "url=http://127.0.0.1:5555 "
	AWS_ENDPOINT_URL_ROUTE_53=http://127.0.0.1:5555 run endpoint ep --endpoint-url http://127.0.0.1:6666
	assert_output --partial "url=http://127.0.0.1:6666 "
	AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true run endpoint ep
	assert_output --partial "url=https://route53.amazonaws.com "
}

@test "settings: use_fips_endpoint and AWS_USE_FIPS_ENDPOINT; none in aws-cn" {
	run endpoint fips
	assert_output "url=https://route53-fips.amazonaws.com region=us-east-1"
	AWS_USE_FIPS_ENDPOINT=true run endpoint default
	assert_output "url=https://route53-fips.amazonaws.com region=us-east-1"
	AWS_USE_FIPS_ENDPOINT=false run endpoint fips
	assert_output "url=https://route53.amazonaws.com region=us-east-1"
	run endpoint fipscn
	assert_failure 3
	assert_output --partial "no FIPS endpoint in the aws-cn partition"
}

@test "settings: an unknown retry_mode is refused by name, not ignored" {
	run r53dump --profile turbo --endpoint-url http://127.0.0.1:1 --zone-id Z1 --serial
	assert_failure 3
	assert_output --partial "retry_mode turbo"
	AWS_RETRY_MODE=adaptive run r53dump --profile turbo --endpoint-url http://127.0.0.1:1 --zone-id Z1 --serial
	refute_output --partial "retry_mode"
}
