#!/usr/bin/env bats
# The AWS credential chain (lib/common/aws/awscred.c) through
# build/tests/awscred_test, with a private HOME, a credential_process
# script and the loopback fake (tests/fakeaws/fakeaws.py) playing the
# container credential endpoint and EC2 instance metadata (IMDSv2).
# The real metadata address is never contacted: aws_clean_env sets
# AWS_EC2_METADATA_DISABLED=true, and the IMDS tests point
# AWS_EC2_METADATA_SERVICE_ENDPOINT at the fake.

load test_helper

setup() {
	aws_clean_env
	export AWS_METADATA_SERVICE_TIMEOUT=5
	# The credentials served below expire at fixed instants: pin the
	# library's clock before them, so no test depends on today's date.
	export R53M_FAKE_TIME=20261126T220000Z
}

teardown() {
	fakeaws_stop
}

# sha16 STRING: the digest awscred_test prints for a secret.
sha16() {
	printf '%s' "$1" | sha256sum | cut -c1-16
}

# A credential_process script: prints JSON Version 1 with an AccessKeyId
# counting its runs (PROC0001, ...) and the given expiration.
make_process() {
	local exp=$1 extra=${2:-}
	cat >"$T/proc.sh" <<EOS
#!/bin/sh
n=\$(cat "$T/proc.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$T/proc.count"
$extra
printf '{"Version": 1, "AccessKeyId": "PROC%04d", "SecretAccessKey": "procSecret", "SessionToken": "procToken", "Expiration": "$exp"}\n' \$n
EOS
	chmod +x "$T/proc.sh"
}

@test "awscred: environment keys, with and without a session token" {
	export AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envSecret
	run awscred_test get
	assert_success
	assert_output "source=environment akid=AKIDENV secret=sha256:$(sha16 envSecret) token=none expiration=0"
	export AWS_SESSION_TOKEN=envToken
	run awscred_test get
	assert_output --partial "token=sha256:$(sha16 envToken)"
}

@test "awscred: half a key pair in the environment is an error naming the variable, not the key" {
	export AWS_ACCESS_KEY_ID=AKIDENV
	run awscred_test get
	assert_failure 6
	assert_output --partial "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
	unset AWS_ACCESS_KEY_ID
	export AWS_SECRET_ACCESS_KEY=topSecretValue
	run awscred_test get
	assert_failure 6
	refute_output --partial topSecretValue
}

@test "awscred: nothing configured: a clear error, exit 6" {
	run awscred_test get
	assert_failure 6
	assert_output --partial "no AWS credentials found"
}

@test "awscred: environment wins over the shared credentials file" {
	printf '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = fileSecret\n' \
		>"$HOME/.aws/credentials"
	AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=s run awscred_test get
	assert_output --partial "source=environment akid=AKIDENV"
	run awscred_test get
	assert_output "source=shared-credentials-file akid=AKIDFILE secret=sha256:$(sha16 fileSecret) token=none expiration=0"
}

@test "awscred: profiles: AWS_PROFILE, --profile, [profile x] in config, file over config" {
	cat >"$HOME/.aws/credentials" <<'EOF2'
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = defSecret
[dev]
aws_access_key_id=AKIDDEV
aws_secret_access_key=devSecret
aws_session_token = devToken
s3 =
    max_concurrent_requests = 20
[both]
aws_access_key_id = AKIDBOTHFILE
aws_secret_access_key = x
EOF2
	cat >"$HOME/.aws/config" <<'EOF2'
[default]
region = eu-west-1
[profile ops]
aws_access_key_id = AKIDOPS
aws_secret_access_key = opsSecret
[ops]
aws_access_key_id = AKIDWRONGSECTION
aws_secret_access_key = no
[profile both]
aws_access_key_id = AKIDBOTHCONFIG
aws_secret_access_key = y
EOF2
	AWS_PROFILE=dev run awscred_test get
	assert_output "source=shared-credentials-file akid=AKIDDEV secret=sha256:$(sha16 devSecret) token=sha256:$(sha16 devToken) expiration=0"
	run awscred_test get --profile ops
	assert_output --partial "source=config-file akid=AKIDOPS secret=sha256:$(sha16 opsSecret)"
	run awscred_test get --profile both
	assert_output --partial "akid=AKIDBOTHFILE"
	# An explicit --profile ignores the environment keys (as botocore).
	AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=s run awscred_test get --profile dev
	assert_output --partial "akid=AKIDDEV"
	# AWS_PROFILE does not: the environment still comes first.
	AWS_PROFILE=dev AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=s run awscred_test get
	assert_output --partial "akid=AKIDENV"
	run awscred_test get --profile missing
	assert_failure 6
	assert_output --partial "profile missing not found"
}

@test "awscred: AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files" {
	printf '[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s\n' \
		>"$HOME/.aws/credentials"
	printf '[x]\naws_access_key_id = AKIDELSEWHERE\naws_secret_access_key = s\n' >"$T/creds"
	printf '[profile y]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n' >"$T/conf"
	AWS_SHARED_CREDENTIALS_FILE="$T/creds" run awscred_test get --profile x
	assert_output --partial "akid=AKIDELSEWHERE"
	AWS_CONFIG_FILE="$T/conf" run awscred_test get --profile y
	assert_output --partial "akid=AKIDCONF"
	# With the variable set, the file in HOME is not read.
	AWS_SHARED_CREDENTIALS_FILE="$T/creds" run awscred_test get
	assert_failure 6
}

@test "awscred: a profile with half a key pair is an error naming the file" {
	printf '[default]\naws_access_key_id = AKIDHALF\n' >"$HOME/.aws/credentials"
	run awscred_test get
	assert_failure 6
	assert_output --partial "$HOME/.aws/credentials: profile default has aws_access_key_id but not aws_secret_access_key"
}

@test "awscred: credential_process (JSON Version 1) with Expiration" {
	make_process 2026-11-26T23:00:00Z
	printf '[profile ra]\ncredential_process = %s --ignored-arg\n' "$T/proc.sh" >"$HOME/.aws/config"
	run awscred_test get --profile ra
	assert_success
	assert_output "source=credential-process akid=PROC0001 secret=sha256:$(sha16 procSecret) token=sha256:$(sha16 procToken) expiration=$(date -u -d 2026-11-26T23:00:00Z +%s)"
}

@test "awscred: credential_process is refreshed within 5 minutes of Expiration, not before" {
	make_process 2026-11-26T23:00:00Z
	printf '[default]\ncredential_process = %s\n' "$T/proc.sh" >"$HOME/.aws/config"
	export R53M_FAKE_TIME=20261126T220000Z
	run awscred_test get --then-at 20261126T224000Z --then-at 20261126T225600Z
	assert_success
	assert_line --index 0 --partial "akid=PROC0001"
	assert_line --index 1 --partial "akid=PROC0001"
	assert_line --index 2 --partial "akid=PROC0002"
	[ "$(cat "$T/proc.count")" = 2 ]
}

@test "awscred: credential_process failures are clear and leak no secret" {
	make_process 2026-11-26T23:00:00Z 'echo "helper: no certificate" >&2; exit 3'
	printf '[default]\ncredential_process = %s\n' "$T/proc.sh" >"$HOME/.aws/config"
	run awscred_test get
	assert_failure 6
	assert_output --partial "helper: no certificate"
	assert_output --partial "credential_process failed (exit status 3)"
	printf '#!/bin/sh\necho "{\\"Version\\": 2, \\"AccessKeyId\\": \\"A\\", \\"SecretAccessKey\\": \\"leakme\\"}"\n' >"$T/v2.sh"
	chmod +x "$T/v2.sh"
	printf '[default]\ncredential_process = %s\n' "$T/v2.sh" >"$HOME/.aws/config"
	run awscred_test get
	assert_failure 6
	assert_output --partial "Version must be 1"
	refute_output --partial leakme
	printf '#!/bin/sh\necho not json\n' >"$T/bad.sh"
	chmod +x "$T/bad.sh"
	printf '[default]\ncredential_process = %s\n' "$T/bad.sh" >"$HOME/.aws/config"
	run awscred_test get
	assert_failure 6
	assert_output --partial "credential_process: answer is not a JSON object"
}

@test "awscred: static keys in the credentials file come before credential_process" {
	make_process 2026-11-26T23:00:00Z
	printf '[default]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s\n' >"$HOME/.aws/credentials"
	printf '[default]\ncredential_process = %s\n' "$T/proc.sh" >"$HOME/.aws/config"
	run awscred_test get
	assert_output --partial "akid=AKIDSTATIC"
	[ ! -e "$T/proc.count" ]
}

@test "awscred: container credentials (FULL_URI on loopback) with the authorization token" {
	cat >"$T/conf.json" <<'EOF2'
{"container": {"path": "/v2/credentials/task", "authorization": "Bearer s3cr3t",
  "expiration": "2026-11-26T23:00:00Z"}}
EOF2
	fakeaws_start "$T/conf.json"
	export AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKEAWS_URL/v2/credentials/task"
	export AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer s3cr3t"
	run awscred_test get
	assert_success
	assert_output "source=container akid=ASIAECS0001 secret=sha256:$(sha16 fakeSecret/0001) token=sha256:$(sha16 fakeToken0001) expiration=$(date -u -d 2026-11-26T23:00:00Z +%s)"
	[ "$(fakeaws_header 1 Authorization)" = "Bearer s3cr3t" ]
	# The token file wins over the variable.
	printf 'Bearer wrong\n' >"$T/tokfile"
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/tokfile" run awscred_test get
	assert_failure 6
	assert_output --partial "container credentials: HTTP 403"
	refute_output --partial "Bearer"
}

@test "awscred: container FULL_URI over plain http to a non-loopback host is refused" {
	export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/creds
	run awscred_test get
	assert_failure 6
	assert_output --partial "plain http only to loopback"
	# user info must not make a remote host look like loopback: curl
	# would connect to the host after the "@"
	local u
	for u in 'http://127.0.0.1:1@192.0.2.10/creds' 'http://127.0.0.1@192.0.2.10/creds' \
		'http://user:pw@127.0.0.1:1/creds' 'http://[::1]:1@192.0.2.10/creds'; do
		AWS_CONTAINER_CREDENTIALS_FULL_URI=$u \
			AWS_CONTAINER_AUTHORIZATION_TOKEN=containerSecretTok run awscred_test get
		assert_failure 6
		assert_output --partial "plain http only to loopback"
		refute_output --partial containerSecretTok
	done
}

@test "awscred: files come before container credentials (the fake is not asked)" {
	printf '{"container": {"path": "/creds"}}\n' >"$T/conf.json"
	fakeaws_start "$T/conf.json"
	export AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKEAWS_URL/creds"
	printf '[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n' >"$HOME/.aws/credentials"
	run awscred_test get
	assert_output --partial "akid=AKIDFILE"
	[ "$(fakeaws_count)" = 0 ]
}

@test "awscred: EC2 instance metadata, IMDSv2: token, role, credentials, refresh" {
	cat >"$T/conf.json" <<'EOF2'
{"imds": {"role": "r53-mirror-role", "expiration": "2026-11-26T23:00:00Z"}}
EOF2
	fakeaws_start "$T/conf.json"
	unset AWS_EC2_METADATA_DISABLED
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL/"
	export R53M_FAKE_TIME=20261126T220000Z
	run awscred_test get --then-at 20261126T223000Z --then-at 20261126T225800Z
	assert_success
	assert_line --index 0 "source=imds akid=ASIAIMDS0001 secret=sha256:$(sha16 fakeSecret/0001) token=sha256:$(sha16 fakeToken0001) expiration=$(date -u -d 2026-11-26T23:00:00Z +%s)"
	assert_line --index 1 --partial "akid=ASIAIMDS0001"
	assert_line --index 2 --partial "akid=ASIAIMDS0002"
	# Two rounds of PUT token, GET role, GET credentials, in that order.
	python3 - "$FAKEAWS_LOG" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["method"], r["path"], r["status"]) for r in reqs]
base = "/latest/meta-data/iam/security-credentials/"
one = [("PUT", "/latest/api/token", 200), ("GET", base, 200),
       ("GET", base + "r53-mirror-role", 200)]
assert got == one + one, got
for r in reqs:
    h = {k.lower(): v for k, v in r["headers"]}
    if r["method"] == "PUT":
        assert h["x-aws-ec2-metadata-token-ttl-seconds"] == "21600", h
    else:
        assert h["x-aws-ec2-metadata-token"].startswith("imdstoken"), h
PY
}

@test "awscred: AWS_EC2_METADATA_DISABLED=true skips instance metadata" {
	printf '{"imds": {}}\n' >"$T/conf.json"
	fakeaws_start "$T/conf.json"
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL"
	AWS_EC2_METADATA_DISABLED=true run awscred_test get
	assert_failure 6
	assert_output --partial "no AWS credentials found"
	[ "$(fakeaws_count)" = 0 ]
	AWS_EC2_METADATA_DISABLED=false run awscred_test get
	assert_success
	assert_output --partial "source=imds"
}

@test "awscred: instance metadata that refuses a token is an error, not a fallback" {
	printf '{"imds": {"token_status": 403}}\n' >"$T/conf.json"
	fakeaws_start "$T/conf.json"
	unset AWS_EC2_METADATA_DISABLED
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL"
	run awscred_test get
	assert_failure 6
	assert_output --partial "token request: HTTP 403"
}

@test "awscred: no metadata service listening ends the chain with the usual error" {
	unset AWS_EC2_METADATA_DISABLED
	# A loopback port nobody listens on (the fake is started and stopped).
	printf '{}\n' >"$T/conf.json"
	fakeaws_start "$T/conf.json"
	local url=$FAKEAWS_URL
	fakeaws_stop
	AWS_EC2_METADATA_SERVICE_ENDPOINT=$url run awscred_test get
	assert_failure 6
	assert_output --partial "no AWS credentials found"
}

@test "awscred: credential_process is split into words like botocore and run without a shell" {
	local cmd
	mkdir "$T/dir with space"
	cat >"$T/dir with space/rec.sh" <<EOS
#!/bin/sh
for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/argv"
printf '{"Version": 1, "AccessKeyId": "AKIDREC", "SecretAccessKey": "recSecret"}\n'
EOS
	chmod +x "$T/dir with space/rec.sh"
	while IFS= read -r cmd; do
		cmd="\"$T/dir with space/rec.sh\" $cmd"
		printf '[default]\ncredential_process = %s\n' "$cmd" >"$HOME/.aws/config"
		rm -f "$T/argv"
		run awscred_test get
		assert_success
		assert_output --partial "akid=AKIDREC"
		# botocore's own split (shlex, POSIX), without the program
		python3 -c 'import sys
from botocore.compat import compat_shell_split
for a in compat_shell_split(sys.argv[1])[1:]:
    sys.stdout.write(a + "\0")' "$cmd" >"$T/want"
		cmp "$T/want" "$T/argv" || {
			echo "command: $cmd"
			od -c "$T/want"
			od -c "$T/argv"
			false
		}
	done <<'EOS'
plain --flag=1
'single quoted' "double quoted"
"in \"double\" a \\ and \x kept" 'back\slash\'
escaped\ blank x\"y
'' "" empty-words
$HOME ~ `id` x;y a|b c&d >out
it"'"s 'say "hi"' mixed'quo'"tes"
EOS
	# no shell ran: nothing was redirected to a file named out
	[ ! -e out ] && [ ! -e "$T/out" ]
	# errors name the problem; nothing runs
	printf '[default]\ncredential_process = %s\n' "\"$T/dir with space/rec.sh\" 'open" >"$HOME/.aws/config"
	rm -f "$T/argv"
	run awscred_test get
	assert_failure 6
	assert_output --partial "credential_process: no closing quotation"
	[ ! -e "$T/argv" ]
	printf '[default]\ncredential_process = %s\n' "\"$T/dir with space/rec.sh\" x\\" >"$HOME/.aws/config"
	run awscred_test get
	assert_failure 6
	assert_output --partial "credential_process: no character after the last backslash"
	printf '[default]\ncredential_process = %s\n' "$T/no-such-helper --arg" >"$HOME/.aws/config"
	run awscred_test get
	assert_failure 6
	assert_output --partial "credential_process: cannot run \"$T/no-such-helper\" (exit status 127)"
}

@test "awscred: a malformed JSON answer is located, never quoted (it may hold a secret)" {
	local body
	for body in '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "leakSecretValue123\001xx"}' \
		'{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "leakSecretValue123' \
		'{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "s", "SessionToken": "leakSecretValue123\\q"}'; do
		printf '#!/bin/sh\nprintf '"'"'%%b'"'"' '"'"'%s'"'"'\n' "$body" >"$T/bad.sh"
		chmod +x "$T/bad.sh"
		printf '[default]\ncredential_process = %s\n' "$T/bad.sh" >"$HOME/.aws/config"
		run awscred_test get
		assert_failure 6
		assert_output --partial "credential_process: answer is not a JSON object: invalid JSON at line 1 column"
		refute_output --partial leakSecret
		refute_output --partial AKIDPROC
	done
}

@test "awscred: precedence of shared-file keys as botocore has it (credential_process, token names)" {
	local p
	for p in CONFIG CREDFILE; do
		cat >"$T/cp-$p.sh" <<EOS
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "AKID_$p", "SecretAccessKey": "s"}\n'
EOS
		chmod +x "$T/cp-$p.sh"
	done
	printf '[default]\ncredential_process = %s\n' "$T/cp-CONFIG.sh" >"$HOME/.aws/config"
	printf '[default]\ncredential_process = %s\n' "$T/cp-CREDFILE.sh" >"$HOME/.aws/credentials"
	run awscred_test get
	assert_success
	assert_output --partial "akid=AKID_CREDFILE"
	# botocore itself, on the same files
	run python3 -c 'import botocore.session; print(botocore.session.Session().get_credentials().access_key)'
	assert_output AKID_CREDFILE
	# both token names in one profile: the old name wins, in either order
	rm -f "$HOME/.aws/config"
	printf '[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = newTok\naws_security_token = oldTok\n' >"$HOME/.aws/credentials"
	run awscred_test get
	assert_output --partial "token=sha256:$(sha16 oldTok)"
	run python3 -c 'import botocore.session; print(botocore.session.Session().get_credentials().token)'
	assert_output oldTok
	printf '[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_security_token = oldTok\naws_session_token = newTok\n' >"$HOME/.aws/credentials"
	run awscred_test get
	assert_output --partial "token=sha256:$(sha16 oldTok)"
	# the environment: AWS_SECURITY_TOKEN first, then AWS_SESSION_TOKEN
	export AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envSecret
	AWS_SECURITY_TOKEN=oldEnv run awscred_test get
	assert_output --partial "token=sha256:$(sha16 oldEnv)"
	AWS_SECURITY_TOKEN=oldEnv AWS_SESSION_TOKEN=newEnv run awscred_test get
	assert_output --partial "token=sha256:$(sha16 oldEnv)"
	AWS_SECURITY_TOKEN=oldEnv AWS_SESSION_TOKEN=newEnv run python3 -c 'import botocore.session; print(botocore.session.Session().get_credentials().token)'
	assert_output oldEnv
	AWS_SECURITY_TOKEN= AWS_SESSION_TOKEN=newEnv run awscred_test get
	assert_output --partial "token=sha256:$(sha16 newEnv)"
}

@test "ratelimit: R53M_RATE=nan is refused with a warning, the default rate applies" {
	R53M_RATE=nan run awscred_test rate 3
	assert_success
	assert_output --partial "R53M_RATE=nan is not a number"
	local first last
	first=$(grep -E '^[0-9]+$' <<<"$output" | head -n 1)
	last=$(grep -E '^[0-9]+$' <<<"$output" | tail -n 1)
	# 3 tokens at the default 5/s take at least 0.35 s (only slower on a busy machine)
	[ $((last - first)) -ge 350 ]
}
