#!/usr/bin/env bats
# Assumed roles and web identity through the emulator's STS
# (tests/r53emu/sts.py): the Route 53 requests must be signed with the
# key STS issued (the emulator reports each signer), never with the
# source key or an instance role; the web identity token is re-read at
# each refresh; no secret reaches the output.

load test_helper

teardown() {
	emu_stop
	fakeaws_stop
}

setup() {
	emu_start
	aws_clean_env
	export AWS_ENDPOINT_URL_STS="$EMU_URL"
	ZID=$(emu_create_zone example.com)
	printf '[mirror]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$EMU_AK" "$EMU_SK" \
		>"$HOME/.aws/credentials"
}

ROLE=arn:aws:iam::123456789012:role/r53mirror

# sts_last FIELD: that field of the emulator's last STS call.
sts_last() {
	emu_admin get sts/calls | /usr/bin/python3 -c 'import json, sys
c = json.load(sys.stdin)
print(c[-1][sys.argv[1]] if c else "")' "$1"
}

# signers: the distinct access key ids that signed Route 53 requests.
signers() {
	emu_admin get sts/signers | /usr/bin/python3 -c 'import json, sys
print(" ".join(sorted({s["akid"] for s in json.load(sys.stdin)})))'
}

@test "roles: source_profile: Route 53 is signed with the issued key, never the source key" {
	cat >"$HOME/.aws/config" <<EOC
[profile assumed]
role_arn = $ROLE
source_profile = mirror
external_id = ext-42
role_session_name = mirror-run
duration_seconds = 1800
EOC
	run r53dump -v --profile assumed --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	local issued
	issued=$(sts_last issued)
	[[ $issued =~ ^ASIA ]]
	assert_output --partial "credentials: source assume-role, access key id $issued"
	[ "$(signers)" = "$issued" ]
	[ "$(sts_last signer)" = "$EMU_AK" ]
	[ "$(sts_last external_id)" = ext-42 ]
	[ "$(sts_last session)" = mirror-run ]
	[ "$(sts_last duration)" = 1800 ]
}

@test "roles: a chain of source profiles, and a loop refused" {
	cat >"$HOME/.aws/config" <<EOC
[profile hop1]
role_arn = arn:aws:iam::123456789012:role/hop1
source_profile = mirror
[profile hop2]
role_arn = $ROLE
source_profile = hop1
[profile a]
role_arn = $ROLE
source_profile = b
[profile b]
role_arn = $ROLE
source_profile = a
EOC
	run r53dump --profile hop2 --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	# hop2's AssumeRole was signed by the key hop1's issued
	local calls
	calls=$(emu_admin get sts/calls)
	/usr/bin/python3 - "$calls" "$EMU_AK" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
assert [x["role_arn"].rsplit("/", 1)[1] for x in c] == ["hop1", "r53mirror"], c
assert c[0]["signer"] == sys.argv[2] and c[1]["signer"] == c[0]["issued"], c
PY
	[ "$(signers)" = "$(sts_last issued)" ]
	run r53dump --profile a --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "makes a loop of profiles"
}

@test "roles: credential_source Environment; a role profile with IMDS reachable never uses the instance role" {
	printf '{"imds": {"role": "instance-role", "expiration": "2099-01-01T00:00:00Z"}}\n' >"$T/imds.json"
	fakeaws_start "$T/imds.json"
	unset AWS_EC2_METADATA_DISABLED
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL"
	printf '[profile assumed]\nrole_arn = %s\nsource_profile = mirror\n[profile env]\nrole_arn = %s\ncredential_source = Environment\n' \
		"$ROLE" "$ROLE" >"$HOME/.aws/config"
	AWS_PROFILE=assumed run r53dump --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	[ "$(fakeaws_count)" = 0 ]
	[ "$(signers)" = "$(sts_last issued)" ]
	AWS_ACCESS_KEY_ID=$EMU_AK AWS_SECRET_ACCESS_KEY=$EMU_SK \
		run r53dump --profile env --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	[ "$(sts_last signer)" = "$EMU_AK" ]
	[ "$(fakeaws_count)" = 0 ]
}

@test "roles: mfa_serial and a bad duration are refused by name" {
	printf '[profile m]\nrole_arn = %s\nsource_profile = mirror\nmfa_serial = arn:aws:iam::1:mfa/u\n[profile d]\nrole_arn = %s\nsource_profile = mirror\nduration_seconds = 60\n' \
		"$ROLE" "$ROLE" >"$HOME/.aws/config"
	run r53dump --profile m --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "profile m: mfa_serial"
	run r53dump --profile d --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "profile d: duration_seconds"
	[ "$(emu_admin get sts/calls)" = "[]" ]
}

@test "roles: web identity from the environment; the token is read again at each refresh, never shown" {
	emu_admin post sts '{"web_tokens": ["jwt-one-secret", "jwt-two-secret"]}' >/dev/null
	printf 'jwt-one-secret\n' >"$T/token"
	export AWS_ROLE_ARN=$ROLE AWS_WEB_IDENTITY_TOKEN_FILE="$T/token" AWS_ROLE_SESSION_NAME=irsa
	run r53dump -v --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	assert_output --partial "source assume-role-with-web-identity"
	refute_output --partial jwt-
	[ "$(sts_last token)" = jwt-one-secret ]
	[ "$(sts_last session)" = irsa ]
	[ "$(signers)" = "$(sts_last issued)" ]
	# refresh: the token file has rotated; the new one is sent
	export R53M_FAKE_TIME=$(date -u +%Y%m%dT%H%M%SZ)
	printf 'jwt-two-secret\n' >"$T/token.new"
	run awscred_test get --exec "mv $T/token.new $T/token" \
		--then-at "$(date -u -d '+3590 seconds' +%Y%m%dT%H%M%SZ)"
	unset R53M_FAKE_TIME
	assert_success
	[ "$(sts_last token)" = jwt-two-secret ]
	refute_output --partial jwt-
	# a token STS refuses: exit 6, the token never quoted
	printf 'jwt-bad-secret\n' >"$T/token"
	run r53dump --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "AWS_WEB_IDENTITY_TOKEN_FILE: STS AssumeRoleWithWebIdentity"
	assert_output --partial InvalidIdentityToken
	refute_output --partial jwt-
}

@test "roles: credentials expiring during a long r53apply are refreshed, no request refused" {
	export R53M_RETRY_BASE_MS=5 R53M_RATE=0
	printf '[profile assumed]\nrole_arn = %s\nsource_profile = mirror\n' "$ROLE" >"$HOME/.aws/config"
	export AWS_PROFILE=assumed
	emu_quota 100000
	{ r53a_adds 2500 h | sed 's/^+\t//'; } | r53a_desired "$T/des"
	r53dump --endpoint-url "$EMU_URL" --zone-id "$ZID" -o "$T/cur"
	rrdiff -o "$T/c" "$T/des" "$T/cur" || true
	# each issued key lives 3 s; each change request takes 1.5 s
	emu_admin post sts '{"duration_override": 3}' >/dev/null
	emu_faults '{"latency_ms": 1500, "apis": ["ChangeResourceRecordSets"]}'
	local before
	before=$(emu_admin get sts/calls | grep -c '"issued"')
	run r53apply -v --endpoint-url "$EMU_URL" --zone-id "$ZID" "$T/c"
	echo "$output"
	assert_success
	assert_output --partial "created 2500"
	# several keys were issued during the run, none was used expired, no
	# change request was sent twice
	[ "$(emu_admin get sts/calls | grep -c '"issued"')" -gt $((before + 1)) ]
	run emu_counters
	refute_output --partial ExpiredToken
	[ "$(emu_count ChangeResourceRecordSets)" = 3 ]
}

# sso_cache KEY TOKEN EXPIRES: the file `aws sso login` leaves for KEY (the
# sso_session name, or the start URL of a legacy profile).
sso_cache() {
	local sha
	sha=$(printf '%s' "$1" | sha1sum | cut -c1-40)
	mkdir -p "$HOME/.aws/sso/cache"
	printf '{"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"}\n' \
		"$2" "$3" >"$HOME/.aws/sso/cache/$sha.json"
}

@test "roles: SSO, sso_session and legacy: the portal's credentials sign Route 53; expired token: run aws sso login" {
	export AWS_ENDPOINT_URL_SSO="$EMU_URL"
	cat >"$HOME/.aws/config" <<'EOC'
[profile team]
sso_role_name = R53Mirror
sso_account_id = 123456789012
sso_session = ops
[sso-session ops]
sso_region = eu-west-1
sso_start_url = https://ops.awsapps.com/start
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 210987654321
sso_role_name = R53Legacy
EOC
	emu_admin post sts '{"sso_tokens": ["sso-access-secret-1", "sso-access-secret-2"]}' >/dev/null
	local later
	later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
	sso_cache ops sso-access-secret-1 "$later"
	sso_cache https://legacy.awsapps.com/start sso-access-secret-2 "$later"
	run r53dump -v --profile team --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	assert_output --partial "source sso, access key id $(sts_last issued)"
	refute_output --partial sso-access-secret
	[ "$(sts_last role_arn)" = arn:aws:iam::123456789012:role/R53Mirror ]
	[ "$(signers)" = "$(sts_last issued)" ]
	run r53dump --profile legacy --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_success
	[ "$(sts_last role_arn)" = arn:aws:iam::210987654321:role/R53Legacy ]
	# expired in the cache, or refused by the portal: log in again
	sso_cache ops sso-access-secret-1 "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"
	run r53dump --profile team --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "run: aws sso login --profile team"
	refute_output --partial sso-access-secret
	sso_cache ops sso-revoked-secret "$later"
	run r53dump --profile team --endpoint-url "$EMU_URL" --zone-id "$ZID" --serial
	assert_failure 6
	assert_output --partial "refused the token (HTTP 401); run: aws sso login --profile team"
	refute_output --partial sso-revoked-secret
}

@test "roles: no secret in the output at -v -v, in the report or in argv" {
	emu_admin post sts '{"web_tokens": ["jwt-never-shown"]}' >/dev/null
	printf '[profile assumed]\nrole_arn = %s\nsource_profile = mirror\n' "$ROLE" >"$HOME/.aws/config"
	{ r53a_adds 3 h | sed 's/^+\t//'; } | r53a_desired "$T/des"
	r53dump --profile assumed --endpoint-url "$EMU_URL" --zone-id "$ZID" -o "$T/cur"
	rrdiff -o "$T/c" "$T/des" "$T/cur" || true
	run r53apply -v -v --profile assumed --endpoint-url "$EMU_URL" --zone-id "$ZID" \
		--report "$T/rep.json" "$T/c"
	assert_success
	printf 'jwt-never-shown\n' >"$T/token"
	AWS_ROLE_ARN=$ROLE AWS_WEB_IDENTITY_TOKEN_FILE="$T/token" \
		r53dump -v -v --endpoint-url "$EMU_URL" --zone-id "$ZID" -o "$T/cur2" 2>"$T/err2"
	# the source secret, the web token, the emulator's session tokens
	# (they all start FwoGZXIvYXdzE) appear nowhere
	local f
	for f in "$T/rep.json" "$T/cur" "$T/cur2" "$T/err2"; do
		! grep -F -e "$EMU_SK" -e jwt-never-shown -e FwoGZXIvYXdzE "$f"
	done
	refute_output --partial "$EMU_SK"
	refute_output --partial FwoGZXIvYXdzE
	# nothing secret is ever passed to a program: r53dump runs no child,
	# and its own argv holds only options
	grep -rn "execv\|execl\|system(" "$TOP_DIR/cmd" "$TOP_DIR/lib/common" |
		grep -v "awscred.c" | { ! grep .; }
}
