#!/usr/bin/env bats
# 84-lambda.bats: the AWS Lambda zip (make lambda) run as Lambda runs it:
# unpacked into an otherwise empty root (chroot in a mount namespace: the
# zip at /var/task read-only, an empty /tmp, /dev/null and friends, /proc;
# Lambda's unprivileged uid 993), with
# only the runtime's environment variables, against a local Runtime API
# (tests/lambda/runtime_api.py), Knot and the Route 53 emulator (which
# also serves the TSIG key through Secrets Manager), all on loopback.

load test_helper

ZONE=mirror.test
RAPI="$TESTS_DIR/lambda/runtime_api.py"

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	export ZIP="$BATS_FILE_TMPDIR/r53mirror-lambda.zip"
	bash "$TOP_DIR/scripts/lambda-bundle.sh" "$R53M_BUILD" "$ZIP" >&2
	server_start knot "$ZONE" "$FIXTURES/mirror/$ZONE.zone"
}

teardown_file() {
	server_stop
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (chroot and a mount namespace)"
	command -v unshare >/dev/null || skip "no unshare (util-linux)"
	emu_start
	ZID=$(emu_create_zone "$ZONE")
	SECRET=$(_srv_key_field "$SERVER_KEYFILE" secret)
	put_secret r53mirror/xfr "$(cat "$SERVER_KEYFILE")"
	FN_PID="" RAPI_PID=""
}

teardown() {
	lambda_stop
	emu_stop
	# What CloudWatch would have shown, for a failed test.
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -s "$T/function.log" ]; then
		sed 's/^/function.log: /' "$T/function.log" >&3
	fi
}

put_secret() {
	local json
	json=$(jq -nc --arg n "$1" --arg s "$2" '{Name: $n, SecretString: $s}')
	emu_admin post secrets "$json" >/dev/null
}

# lambda_start [VAR=VALUE...]: a fresh root with the zip at /var/task, the
# Runtime API, and the function (bootstrap) in the root with Lambda's
# variables (plus VAR=VALUE: the function's configuration), as Lambda's
# unprivileged user (uid 993, sbx_user1051) with /var/task read-only.  Its stdout
# and stderr (what CloudWatch would get) go to $T/function.log.
lambda_start() {
	ROOT="$T/root"
	rm -rf "$ROOT"
	mkdir -p "$ROOT/var/task" "$ROOT/tmp" "$ROOT/dev" "$ROOT/proc"
	chmod 1777 "$ROOT/tmp"
	unzip -q "$ZIP" -d "$ROOT/var/task"
	rm -f "$T/rapi.addr"
	"$EMU_PY" "$RAPI" serve --function-timeout 120 >"$T/rapi.addr" 2>"$T/rapi.log" 3>&- &
	RAPI_PID=$!
	wait_line "$T/rapi.addr" "$RAPI_PID" 100
	RAPI_ADDR=$REPLY
	[ -n "$RAPI_ADDR" ]
	# The mount namespace ends with the function: nothing to undo.
	env -i AWS_LAMBDA_RUNTIME_API="$RAPI_ADDR" LAMBDA_TASK_ROOT=/var/task \
		_HANDLER=bootstrap LANG=en_US.UTF-8 TZ=:UTC \
		PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin \
		AWS_LAMBDA_FUNCTION_NAME=r53mirror AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 \
		AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
		AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
		AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
		AWS_SESSION_TOKEN=lambda-session-token \
		AWS_ENDPOINT_URL_ROUTE_53="$EMU_URL" \
		AWS_ENDPOINT_URL_SECRETS_MANAGER="$EMU_URL" \
		R53M_RETRY_BASE_MS=10 \
		"$@" \
		"$(command -v unshare)" --mount --pid --fork --kill-child --mount-proc="$ROOT/proc" \
		/bin/sh -c 'for d in null zero random urandom; do
			: >"$0/dev/$d" && $1 --bind "/dev/$d" "$0/dev/$d" || exit 1
		done
		$2 -s /proc/self/fd "$0/dev/fd"
		$1 --bind "$0/var/task" "$0/var/task" &&
			$1 -o remount,bind,ro "$0/var/task" || exit 1
		exec $3 --userspec=993:990 "$0" /var/task/bootstrap' "$ROOT" \
		"$(command -v mount)" "$(command -v ln)" "$(command -v chroot)" \
		>"$T/function.log" 2>&1 3>&- &
	FN_PID=$!
}

# lambda_stop: SIGKILL to unshare, which ignores TERM while its child
# runs; --kill-child then kills the function, PID 1 of its namespace.
lambda_stop() {
	if [ -n "$FN_PID" ]; then
		kill -KILL "$FN_PID" 2>/dev/null || true
		wait "$FN_PID" 2>/dev/null || true
	fi
	if [ -n "$RAPI_PID" ]; then
		kill "$RAPI_PID" 2>/dev/null || true
		wait "$RAPI_PID" 2>/dev/null || true
	fi
	FN_PID="" RAPI_PID=""
}

# invoke JSON: one invocation; the answer (JSON) in $output.
invoke() {
	printf '%s' "$1" >"$T/event.json"
	run "$EMU_PY" "$RAPI" invoke "$RAPI_ADDR" "$T/event.json" --wait 100
}

# jget JQ-EXPR: one value of the JSON document on stdin (strings raw).
jget() {
	jq -r "$1"
}

sample_event() {
	printf '{"Domain": "%s", "MasterDns": "127.0.0.1:%s", "ZoneId": "%s", "IgnoreTTL": "False"}' \
		"$ZONE" "${1:-$SERVER_PORT}" "$ZID"
}

# No secret anywhere the function wrote or said.
no_secret_leak() {
	! grep -rqF "$SECRET" "$T/function.log" "$T/rapi.log" "$ROOT/tmp"
}

@test "the zip: bootstrap, programs on the bundled loader, every library" {
	run unzip -Z "$ZIP" bootstrap
	assert_success
	[[ $output == -rwx* ]]
	mkdir -p "$T/z"
	unzip -q "$ZIP" -d "$T/z"
	for f in "$T/z/bin/"*; do
		[ "${f##*/}" = mirror.sh ] && continue
		[ "$(patchelf --print-interpreter "$f")" = /var/task/lib/ld-linux-x86-64.so.2 ]
		for lib in $(patchelf --print-needed "$f"); do
			[ -e "$T/z/lib/$lib" ] || { echo "${f##*/}: $lib missing" >&2; false; }
		done
	done
	# Every command mirror.sh and bootstrap run is in the zip.
	for c in bash curl jq awk basename cat chmod cp cut date dirname find \
		flock grep head id ln mkdir mktemp mv rm sed sha256sum sleep sort \
		sync tail timeout tr wc zxfr r53dump rrdiff r53apply mirror.sh; do
		[ -x "$T/z/bin/$c" ] || { echo "bin/$c missing" >&2; false; }
	done
}

@test "the sample's event: mirrored from Knot; the second invocation is a 1-request probe" {
	lambda_start R53M_TSIG_SECRET_ID=r53mirror/xfr R53M_MAX_INVOCATIONS=2
	invoke "$(sample_event)"
	assert_success
	[ "$(jget '.kind' <<<"$output")" = response ]
	[ "$(jget '.body.zones[0].status' <<<"$output")" = 0 ]
	[[ "$(jget '.body.zones[0].summary' <<<"$output")" == *result=changed* ]]
	mirror_converged "$ZONE" "$ZID"
	emu_reset_counters
	invoke "$(sample_event)"
	assert_success
	[ "$(jget '.kind' <<<"$output")" = response ]
	[[ "$(jget '.body.zones[0].summary' <<<"$output")" == *check=probe* ]]
	# One Route 53 request (and the key's one GetSecretValue).
	[ "$(emu_count ListResourceRecordSets)" = 1 ]
	[ "$(($(emu_count _total) - $(emu_count GetSecretValue)))" = 1 ]
	# The function ends after R53M_MAX_INVOCATIONS, with status 0.
	wait "$FN_PID"
	FN_PID=""
	grep -q "zone=$ZONE hosted-zone=$ZID status=0 (ok)" "$T/function.log"
	no_secret_leak
}

@test "a list of zones, and a scheduled event with the zones of R53M_ZONES" {
	local list
	list="[$(sample_event), $(sample_event)]"
	lambda_start R53M_TSIG_SECRET_ID=r53mirror/xfr R53M_ZONES="$list"
	invoke "$list"
	[ "$(jget '.body.zones | length' <<<"$output")" = 2 ]
	[ "$(jget '.body.source' <<<"$output")" = event ]
	invoke '{"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}'
	[ "$(jget '.kind' <<<"$output")" = response ]
	[ "$(jget '.body.source' <<<"$output")" = R53M_ZONES ]
	[ "$(jget '.body.zones[1].status' <<<"$output")" = 0 ]
}

@test "failures are reported to the Runtime API with the exit status in the log" {
	lambda_start R53M_TSIG_SECRET_ID=r53mirror/xfr
	# The DNS server is down.
	invoke "$(sample_event "$(mirror_closed_port)")"
	assert_success
	[ "$(jget '.kind' <<<"$output")" = error ]
	[ "$(jget '.errorType' <<<"$output")" = MirrorFailed ]
	msg=$(jget '.body.errorMessage' <<<"$output")
	[[ $msg == "1 of 1 zones failed: $ZONE exit 5 (remote failure"* ]]
	grep -q "zone=$ZONE hosted-zone=$ZID status=5 (remote failure" "$T/function.log"
	# A bad event: the field is named.
	invoke '{"Domain": "mirror.test", "MasterDns": "127.0.0.1", "ZoneId": "not-an-id"}'
	[ "$(jget '.errorType' <<<"$output")" = InvalidEvent ]
	[ "$(jget '.body.errorMessage' <<<"$output")" = 'event: zone 1: bad ZoneId "not-an-id"' ]
	invoke 'not json'
	[ "$(jget '.errorType' <<<"$output")" = InvalidEvent ]
	no_secret_leak
}

@test "a bad secret: the error names the secret and the exit status, never a value" {
	put_secret wrong-key "$(tsig-keygen -a hmac-sha256 xfrkey)"
	lambda_start R53M_TSIG_SECRET_ID=no-such-secret R53M_MAX_INVOCATIONS=1
	invoke "$(sample_event)"
	[ "$(jget '.kind' <<<"$output")" = error ]
	msg=$(jget '.body.errorMessage' <<<"$output")
	[[ $msg == *"exit 5"* ]]
	grep -q "ResourceNotFoundException" "$T/function.log"
	grep -q "status=5" "$T/function.log"
	lambda_stop
	# A secret that holds the wrong key: the server refuses the transfer.
	lambda_start R53M_TSIG_SECRET_ID=wrong-key R53M_MAX_INVOCATIONS=1
	invoke "$(sample_event)"
	[ "$(jget '.kind' <<<"$output")" = error ]
	[[ "$(jget '.body.errorMessage' <<<"$output")" == *"$ZONE exit "[56]* ]]
	no_secret_leak
}

@test "init errors go to /runtime/init/error and stop the function" {
	lambda_start
	run "$EMU_PY" "$RAPI" init-error "$RAPI_ADDR" --wait 20
	assert_success
	[ "$(jget '.errorType' <<<"$output")" = Runtime.InitError ]
	[[ "$(jget '.body.errorMessage' <<<"$output")" == "R53M_TSIG_SECRET_ID is not set"* ]]
	wait "$FN_PID" && false
	FN_PID=""
	lambda_stop
	lambda_start R53M_TSIG_SECRET_ID=x R53M_ZONES='[{"Domain": "a.example"}]'
	run "$EMU_PY" "$RAPI" init-error "$RAPI_ADDR" --wait 20
	assert_success
	[ "$(jget '.body.errorMessage' <<<"$output")" = "R53M_ZONES: zone 1: MasterDns is missing" ]
}
