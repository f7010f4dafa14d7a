# aws.bash: helpers for the client library tests (tests/3x-*.bats):
# a clean AWS environment and the loopback fake (tests/fakeaws/fakeaws.py)
# that plays instance metadata, container credentials and canned Route 53
# answers.  Loaded by test_helper.bash for every test file.

# aws_clean_env: forget every AWS setting of the caller, give the test a
# private HOME and rate-limit file, and make sure the real instance
# metadata address can never be contacted.
aws_clean_env() {
	local v
	for v in $(compgen -e | grep -E '^AWS_|^R53M_FAKE_TIME$|^R53M_RATE'); do
		unset "$v"
	done
	export HOME="$T/home"
	mkdir -p "$HOME/.aws"
	export AWS_EC2_METADATA_DISABLED=true
	export R53M_RATE_FILE="$T/ratelimit"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
}

# aws_imds_bait: a clean environment with the loopback fake playing an
# instance metadata service that hands out the instance role (akid
# ASIAIMDS...), for tests that prove it is never asked.
aws_imds_bait() {
	aws_clean_env
	export AWS_METADATA_SERVICE_TIMEOUT=5
	export R53M_FAKE_TIME=20261126T220000Z
	printf '{"imds": {"role": "instance-role", "expiration": "2026-11-26T23:00:00Z"}}\n' \
		>"$T/imds.json"
	fakeaws_start "$T/imds.json"
	unset AWS_EC2_METADATA_DISABLED
	export AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKEAWS_URL"
}

# aws_test_keys: the documentation key pair the emulator accepts.
aws_test_keys() {
	export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
	export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
}

# fakeaws_start CONF.json [--tls CERT KEY]: start the fake on a free
# loopback port; sets FAKEAWS_URL, FAKEAWS_LOG (one JSON line per
# request), FAKEAWS_PID.
fakeaws_start() {
	local conf=$1
	shift
	FAKEAWS_LOG="$T/fakeaws.log"
	: >"$FAKEAWS_LOG"
	: >"$T/fakeaws.out"
	python3 "$TOP_DIR/tests/fakeaws/fakeaws.py" --config "$conf" \
		--log "$FAKEAWS_LOG" "$@" >"$T/fakeaws.out" 2>"$T/fakeaws.err" 3>&- &
	FAKEAWS_PID=$!
	FAKEAWS_URL=
	wait_line "$T/fakeaws.out" "$FAKEAWS_PID" && FAKEAWS_URL=$REPLY
	export FAKEAWS_URL FAKEAWS_LOG FAKEAWS_PID
	if [ -z "$FAKEAWS_URL" ]; then
		cat "$T/fakeaws.err" >&2
		return 1
	fi
}

# fakeaws_stop: stop the fake if this test started one.
fakeaws_stop() {
	if [ -n "${FAKEAWS_PID:-}" ]; then
		kill "$FAKEAWS_PID" 2>/dev/null || true
		wait "$FAKEAWS_PID" 2>/dev/null || true
		FAKEAWS_PID=
	fi
}

# fakeaws_count [METHOD] [PATH-PREFIX]: requests the fake received.
fakeaws_count() {
	python3 - "$FAKEAWS_LOG" "${1:-}" "${2:-}" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if sys.argv[2] and r["method"] != sys.argv[2]:
        continue
    if sys.argv[3] and not r["path"].startswith(sys.argv[3]):
        continue
    n += 1
print(n)
PY
}

# fakeaws_ports: number of distinct client connections (source ports).
fakeaws_ports() {
	python3 -c 'import json, sys
print(len({json.loads(l)["port"] for l in open(sys.argv[1])}))' "$FAKEAWS_LOG"
}

# fakeaws_request N FILE: write the Nth logged request (1-based) as a raw
# HTTP request file, for re-signing with botocore.
fakeaws_request() {
	python3 - "$FAKEAWS_LOG" "$1" "$2" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]) - 1]
with open(sys.argv[3], "w") as f:
    f.write("%s %s HTTP/1.1\n" % (r["method"], r["target"]))
    for k, v in r["headers"]:
        f.write("%s:%s\n" % (k, v))
    f.write("\n" + r["body"])
PY
}

# fakeaws_header N NAME: the value of header NAME of the Nth request.
fakeaws_header() {
	python3 - "$FAKEAWS_LOG" "$1" "$2" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]) - 1]
for k, v in r["headers"]:
    if k.lower() == sys.argv[3].lower():
        print(v)
PY
}

# aws_cli ARGS...: the aws CLI (Debian awscli) run with ARGS, the caller's
# environment and folder; its stdout, stderr and exit status.  The same
# code /usr/bin/aws runs (awscli.clidriver's entry point, a new driver and
# session each call), in one python3 per test file (tests/helpers/awsclid.py)
# instead of one per call: a start of /usr/bin/aws costs about 1.2 CPU-s,
# almost all of it imports.  AWSCLI_EXEC=1 runs /usr/bin/aws itself.
aws_cli() {
	[ "${AWSCLI_EXEC:-0}" = 1 ] && { /usr/bin/aws "$@"; return; }
	local port rc n base
	local -a env=()
	_awscli_port || return 1
	port=$REPLY
	for n in $(compgen -e); do
		env+=("$n=${!n}")
	done
	base="$T/.awscli.$BASHPID.$RANDOM"
	tcp_ask 127.0.0.1 "$port" 300 '%s\0' awscli1 "$PWD" "$base.out" \
		"$base.err" "${#env[@]}" "${env[@]}" "$#" "$@" || return 1
	rc=$REPLY
	if [ -z "$rc" ]; then
		echo "aws_cli: no answer from tests/helpers/awsclid.py:" >&2
		cat "${BATS_FILE_TMPDIR:-$T}/awscli/log" >&2
		rm -f "$base.out" "$base.err"
		return 1
	fi
	[ -s "$base.err" ] && cat "$base.err" >&2
	[ -s "$base.out" ] && cat "$base.out"
	rm -f "$base.out" "$base.err"
	return "$rc"
}

# _awscli_port: REPLY=the port of this file's awsclid.py, started by the
# first call (mkdir is the lock when tests of one file run side by side).
_awscli_port() {
	local dir="${BATS_FILE_TMPDIR:-$T}/awscli"
	if mkdir "$dir" 2>/dev/null; then
		/usr/bin/python3 "$TESTS_DIR/helpers/awsclid.py" "$dir" \
			</dev/null >"$dir/log" 2>&1 3>&- &
	fi
	wait_line "$dir/port" "" 400 && return 0
	echo "aws_cli: tests/helpers/awsclid.py did not start:" >&2
	cat "$dir/log" >&2
	return 1
}
