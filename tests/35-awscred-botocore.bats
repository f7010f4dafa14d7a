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

# fixture_load SRC [DEST]: copy the fixture to DEST (default $T/fx) with
# ${FX} filled in, point the AWS variables at it; sets FX_PROFILE.
fixture_load() {
	local src=$1 fx=${2:-$T/fx} f
	rm -rf "$fx"
	cp -a "$src" "$fx"
	for f in config credentials env; do
		[ -e "$fx/$f" ] && sed -i "s|\${FX}|$fx|g" "$fx/$f"
	done
	export AWS_CONFIG_FILE="$fx/config" AWS_SHARED_CREDENTIALS_FILE="$fx/credentials"
	FX_PROFILE=$(cat "$fx/profile" 2>/dev/null || true)
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

# theirs FX...: botocore's answer for each loaded fixture folder FX, one
# line each, without any call to STS or SSO (those providers defer their
# fetch: the method is known, the key is not).  FX/environ is the whole
# environment the fixture runs in (NAME=VALUE, NUL-terminated), FX/profile
# the explicit profile.  One python3 for all: importing botocore is most
# of a start (0.5 CPU-s), and each fixture gets a new Session built from
# its own environment, as a new process would.
theirs() {
	/usr/bin/python3 - "$@" <<'PY'
import os
import sys
import botocore.session

def answer(fx):
    env = open(os.path.join(fx, "environ"), "rb").read().split(b"\0")[:-1]
    os.environ.clear()
    os.environ.update(dict(v.decode().split("=", 1) for v in env))
    try:
        profile = open(os.path.join(fx, "profile")).read().rstrip("\n")
    except FileNotFoundError:
        profile = ""
    s = botocore.session.Session(profile=profile or None)
    try:
        c = s.get_credentials()
    except Exception:
        return "error"
    if c is None:
        return "none"
    if c.method in ("assume-role", "assume-role-with-web-identity", "sso"):
        return c.method
    return "%s %s" % (c.method, c.access_key)

for fx in sys.argv[1:]:
    print(answer(fx), flush=True)
PY
}

@test "botocore: at least 20 fixtures" {
	local n
	n=$(find "$FIXTURES/awscred" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$n" -ge 20 ]
}

@test "botocore: same source and access key id as botocore on every fixture" {
	local d fx n bad=0
	local -a fxs=() want=() ob=() bo=()
	for d in "$FIXTURES"/awscred/*/; do
		d=${d%/}
		fx="$T/fx-${d##*/}"
		fixture_load "$d" "$fx"
		fxs+=("$fx")
		want+=("$(cat "$fx/expect")")
		# Ours, and the environment botocore gets: the same one.
		ob+=("$(
			set -a
			# shellcheck disable=SC1091
			[ -e "$fx/env" ] && . "$fx/env"
			for n in $(compgen -e); do
				printf '%s=%s\0' "$n" "${!n}"
			done >"$fx/environ"
			ours
		)")
	done
	mapfile -t bo < <(theirs "${fxs[@]}")
	[ "${#bo[@]}" = "${#fxs[@]}" ]
	for n in "${!fxs[@]}"; do
		if [ "${ob[n]}" != "${want[n]}" ] || [ "${bo[n]}" != "${want[n]}" ]; then
			echo "${fxs[n]##*/fx-}: expect '${want[n]}', ours '${ob[n]}', botocore '${bo[n]}'"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}
