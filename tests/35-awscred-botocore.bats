#!/usr/bin/env bats
# Our choice of credential source against botocore's, on the fixtures in
# tests/fixtures/awscred/NN-name/: config, credentials (the two shared
# files), env (VAR=VALUE lines), profile (an explicit --profile) and
# expect (the answer both must give: "METHOD AKID" for sources read
# without a call, "METHOD" for the ones botocore defers (assume-role,
# web identity, SSO), "none" or "error").  ${FX} in a fixture stands for
# its folder.  No network: instance metadata is disabled.  botocore is
# Debian's (/usr/bin/python3, python3-botocore), the one deps.sh installs.

load test_helper

setup() {
	aws_clean_env
	export R53M_FAKE_TIME=20261126T220000Z
	# STS on a loopback port nobody listens on: a role is chosen, the
	# call fails at once, nothing leaves the machine.
	export AWS_ENDPOINT_URL_STS=http://127.0.0.1:9
}

# fixture_load SRC: copy the fixture to $T/fx with ${FX} filled in, point
# the AWS variables at it; sets FX_PROFILE.
fixture_load() {
	local src=$1 f
	rm -rf "$T/fx"
	cp -a "$src" "$T/fx"
	for f in config credentials env; do
		[ -e "$T/fx/$f" ] && sed -i "s|\${FX}|$T/fx|g" "$T/fx/$f"
	done
	export AWS_CONFIG_FILE="$T/fx/config" AWS_SHARED_CREDENTIALS_FILE="$T/fx/credentials"
	FX_PROFILE=$(cat "$T/fx/profile" 2>/dev/null || true)
}

# ours: our answer in the fixture's terms, from awscred_test.
ours() {
	local out rc=0 src akid
	out=$(awscred_test get ${FX_PROFILE:+--profile "$FX_PROFILE"} 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		src=$(sed -n 's/^source=\([^ ]*\) .*/\1/p' <<<"$out")
		akid=$(sed -n 's/.* akid=\([^ ]*\) .*/\1/p' <<<"$out")
		case $src in
		environment) src=env ;;
		credential-process) src=custom-process ;;
		container) src=container-role ;;
		imds) src=iam-role ;;
		esac
		case $src in
		assume-role | assume-role-with-web-identity | sso) echo "$src" ;;
		*) echo "$src $akid" ;;
		esac
		return
	fi
	# The STS call that failed, or a way not supported (yet) refused by
	# name: that is its source.
	case $out in
	*"no AWS credentials found"*) echo none ;;
	*"STS AssumeRole: "*) echo assume-role ;;
	*"STS AssumeRoleWithWebIdentity: "*) echo assume-role-with-web-identity ;;
	*"role_arn: assume role is not supported"*) echo assume-role ;;
	*"web_identity_token_file: web identity is not supported"* | \
		*"AWS_WEB_IDENTITY_TOKEN_FILE: web identity is not supported"*)
		echo assume-role-with-web-identity ;;
	*"run: aws sso login --profile"*) echo sso ;;
	*) echo error ;;
	esac
}

# theirs: botocore's answer, without any call to STS or SSO (those
# providers defer their fetch: the method is known, the key is not).
theirs() {
	/usr/bin/python3 - "$FX_PROFILE" <<'PY'
import sys
import botocore.session
s = botocore.session.Session(profile=sys.argv[1] or None)
try:
    c = s.get_credentials()
except Exception as e:
    print("error")
    sys.exit(0)
if c is None:
    print("none")
elif c.method in ("assume-role", "assume-role-with-web-identity", "sso"):
    print(c.method)
else:
    print(c.method, c.access_key)
PY
}

@test "botocore: at least 20 fixtures" {
	local n
	n=$(find "$FIXTURES/awscred" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$n" -ge 20 ]
}

@test "botocore: same source and access key id as botocore on every fixture" {
	local d want ob bo bad=0
	for d in "$FIXTURES"/awscred/*/; do
		fixture_load "$d"
		want=$(cat "$T/fx/expect")
		ob=$(
			set -a
			# shellcheck disable=SC1091
			[ -e "$T/fx/env" ] && . "$T/fx/env"
			ours
		)
		bo=$(
			set -a
			# shellcheck disable=SC1091
			[ -e "$T/fx/env" ] && . "$T/fx/env"
			theirs
		)
		if [ "$ob" != "$want" ] || [ "$bo" != "$want" ]; then
			echo "$(basename "$d"): expect '$want', ours '$ob', botocore '$bo'"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}
