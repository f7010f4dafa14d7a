#!/usr/bin/env bats
# STS (and the SSO portal) are reached the way Route 53 is: the same CA
# bundle (--ca-bundle, AWS_CA_BUNDLE, the profile's ca_bundle) and the
# same proxies from the environment (lib/common/aws/awsnet.c).  The loopback
# fake plays STS over TLS with a self-signed certificate.

load test_helper

ROLE=arn:aws:iam::123456789012:role/r53mirror

setup() {
	aws_clean_env
	export R53M_FAKE_TIME=20261126T220000Z
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
		-out "$T/cert.pem" -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	local creds='<Credentials><AccessKeyId>ASIATLSROLE00001</AccessKeyId><SecretAccessKey>roleSecret</SecretAccessKey><SessionToken>roleToken</SessionToken><Expiration>2026-11-26T23:00:00Z</Expiration></Credentials>'
	cat >"$T/conf.json" <<EOF2
{"canned": [
 {"method": "POST", "path": "/", "body": "<AssumeRoleResponse><AssumeRoleResult>$creds</AssumeRoleResult></AssumeRoleResponse>"},
 {"method": "GET", "path": "/2013-04-01/hostedzonelimit/Z1/MAX_RRSETS_BY_ZONE",
  "body": "<GetHostedZoneLimitResponse><Limit><Type>MAX_RRSETS_BY_ZONE</Type><Value>10000</Value></Limit><Count>7</Count></GetHostedZoneLimitResponse>"}]}
EOF2
	fakeaws_start "$T/conf.json" --tls "$T/cert.pem" "$T/key.pem"
	[[ $FAKEAWS_URL == https://* ]]
	export AWS_ENDPOINT_URL_STS="$FAKEAWS_URL"
	printf '[mirror]\naws_access_key_id = AKIDMIRROR\naws_secret_access_key = mirrorSecret\n' \
		>"$HOME/.aws/credentials"
	printf '[profile role]\nrole_arn = %s\nsource_profile = mirror\n' "$ROLE" >"$HOME/.aws/config"
}

teardown() {
	fakeaws_stop
}

@test "transport: STS over TLS fails on an unknown CA, naming the profile and the cause" {
	run awscred_test get --profile role
	assert_failure 6
	assert_output --partial "profile role: role_arn"
	assert_output --partial "certificate"
	refute_output --partial mirrorSecret
}

@test "transport: STS is verified with AWS_CA_BUNDLE or the profile's ca_bundle" {
	AWS_CA_BUNDLE="$T/cert.pem" run awscred_test get --profile role
	assert_success
	assert_output --partial "source=assume-role akid=ASIATLSROLE00001"
	printf 'ca_bundle = %s\n' "$T/cert.pem" >>"$HOME/.aws/config"
	run awscred_test get --profile role
	assert_success
	assert_output --partial "source=assume-role akid=ASIATLSROLE00001"
}

@test "transport: a client's --ca-bundle verifies its STS call too" {
	run r53api_test --profile role --endpoint-url "$FAKEAWS_URL" --ca-bundle "$T/cert.pem" limit Z1
	assert_success
	assert_output --partial "limit=10000 count=7"
	# the Route 53 request was signed with the role's key
	grep '"path": "/2013-04-01/hostedzonelimit' "$FAKEAWS_LOG" | grep -q 'Credential=ASIATLSROLE00001/'
}

@test "transport: STS goes through the environment's proxy, as Route 53 does" {
	# A host that does not resolve: only a proxy could reach it, and the
	# proxy (a closed loopback port) is what the error names.
	local port
	port=$(mirror_closed_port)
	AWS_ENDPOINT_URL_STS=https://sts.invalid HTTPS_PROXY="http://127.0.0.1:$port" \
		run awscred_test get --profile role
	assert_failure 6
	assert_output --partial "profile role: role_arn"
	assert_output --partial "127.0.0.1"
	refute_output --partial "resolve host"
	# NO_PROXY is honoured as libcurl reads it
	AWS_ENDPOINT_URL_STS=https://sts.invalid HTTPS_PROXY="http://127.0.0.1:$port" NO_PROXY=sts.invalid \
		run awscred_test get --profile role
	assert_failure 6
	assert_output --partial "sts.invalid"
}
