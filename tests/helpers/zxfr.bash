# zxfr.bash: helpers for the zxfr tests (tests/2N-zxfr-*.bats).
#
#   adv_start MODE [advserver options...]
#       start tests/advserver/advserver.py in MODE on a free 127.0.0.1 port,
#       with the key file $ADV_KEYFILE (default: the fixture xfrkey.key;
#       ADV_KEYFILE="" runs unsigned); sets ADV_PORT, ADV_PID.  The server
#       answers one connection and exits by itself within its lifetime.
#   adv_stop        stop it (safe when none runs); call from teardown
#   zxfr_norm FILE  the stream in FILE with "#source ... port N" made
#                   "port PORT" and "#producer zxfr X" made "zxfr VERSION",
#                   for comparing with golden files

ADV_PY=/usr/bin/python3

adv_start() {
	local mode=$1 key
	shift
	key=${ADV_KEYFILE-$FIXTURES/zones/keys/xfrkey.key}
	rm -f "$T/adv.port"
	# As a module, its bytecode cached (see emu_start).
	PYTHONPATH="$TESTS_DIR/advserver" PYTHONDONTWRITEBYTECODE='' \
		PYTHONPYCACHEPREFIX="$R53M_BUILD/pycache" \
		"$ADV_PY" -m advserver --mode "$mode" \
		${key:+--key "$key"} --portfile "$T/adv.port" "$@" \
		>"$T/adv.log" 2>&1 3>&- </dev/null &
	ADV_PID=$!
	if ! wait_line "$T/adv.port" "$ADV_PID"; then
		echo "advserver did not start" >&2
		cat "$T/adv.log" >&2
		return 1
	fi
	ADV_PORT=$REPLY
	export ADV_PORT ADV_PID
}

adv_stop() {
	[ -n "${ADV_PID:-}" ] || return 0
	kill -TERM "$ADV_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		_srv_alive "$ADV_PID" || break
		sleep 0.1
	done
	kill -KILL "$ADV_PID" 2>/dev/null || true
	wait "$ADV_PID" 2>/dev/null || true
	ADV_PID=""
}

zxfr_norm() {
	sed -e 's/^\(#source dns [^ ]* port \)[0-9][0-9]*/\1PORT/' \
		-e 's/^#producer zxfr .*/#producer zxfr VERSION/' "$1"
}

# zxfr_run ARGS...: run zxfr, stdout in $T/out, stderr in $T/err; sets
# $status like bats' run; fails the test on a sanitizer report.
# shellcheck disable=SC2034  # status is read by the tests
zxfr_run() {
	status=0
	zxfr "$@" >"$T/out" 2>"$T/err" || status=$?
	no_sanitizer_report "$T/err"
}

# zxfr_no_trailer FILE: FILE holds no "#end" trailer (a failed transfer).
zxfr_no_trailer() {
	! grep -q '^#end' "$1"
}

# zxfr_absent [-F] PATTERN FILE: PATTERN does not occur in FILE (a plain
# "! grep" does not fail a bats test).
zxfr_absent() {
	if grep -q "$@"; then
		echo "unexpected match of '$*'" >&2
		return 1
	fi
}
