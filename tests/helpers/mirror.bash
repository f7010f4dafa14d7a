# mirror.bash: helpers for the scripts/mirror.sh tests (tests/7N-*.bats).
# Loaded by test_helper.bash for every test; nothing here runs on load.
#
#   mirror_setup          a private tool folder $T/bin (R53M_BIN) whose
#                         zxfr logs each call to $T/zxfr.calls and runs the
#                         real one; the other commands are the real ones.
#                         Own token bucket file (R53M_RATE_FILE), at
#                         R53M_RATE=50 requests/s (MIRROR_RATE): the bucket
#                         works as deployed, but a run's requests do not wait
#                         on Route 53's 5/s where the rate is not under test
#                         (71-mirror-many tests the default against the
#                         emulator's account limit: it unsets R53M_RATE).
#   mirror ARGS...        scripts/mirror.sh --state-dir $T/state ARGS
#   mirror_wrap CMD FILE  replace $T/bin/CMD with the script FILE (the real
#                         command is $R53M_BUILD/CMD); mirror_unwrap CMD
#   mirror_zxfr_calls     number of zxfr runs logged so far
#   mirror_converged ZONE ID   fresh zxfr and r53dump of ZONE compare equal
#                         (rrdiff exits 0); uses SERVER_PORT, SERVER_KEYFILE
#   mirror_zone_dir ID    the state folder of hosted zone ID
#   mirror_probe_requests_ok N  the emulator saw exactly N no-change probes
#   mirror_closed_port    a loopback port where nothing listens
#   mirror_alive PID      the process exists and is not a zombie
#   mirror_wait_file F    wait (bounded) until file F is not empty

MIRROR_SH="${TOP_DIR:-.}/scripts/mirror.sh"

mirror_setup() {
	mkdir -p "$T/bin"
	local c
	for c in rrdiff r53dump r53apply; do
		ln -sf "$R53M_BUILD/$c" "$T/bin/$c"
	done
	mirror_unwrap zxfr
	export R53M_BIN="$T/bin"
	export R53M_RATE_FILE="$T/ratelimit" R53M_RATE="${MIRROR_RATE:-50}"
	: >"$T/zxfr.calls"
}

mirror_unwrap() {
	rm -f "$T/bin/$1"
	if [ "$1" = zxfr ]; then
		cat >"$T/bin/zxfr" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$T/zxfr.calls"
exec "$R53M_BUILD/zxfr" "\$@"
EOF
		chmod +x "$T/bin/zxfr"
	else
		ln -sf "$R53M_BUILD/$1" "$T/bin/$1"
	fi
}

mirror_wrap() {
	rm -f "$T/bin/$1"
	cp "$2" "$T/bin/$1"
	chmod +x "$T/bin/$1"
}

mirror() {
	bash "$MIRROR_SH" --state-dir "$T/state" "$@"
}

mirror_zxfr_calls() {
	wc -l <"$T/zxfr.calls" | tr -d ' '
}

mirror_converged() {
	local zone=$1 id=$2
	zxfr -p "$SERVER_PORT" ${SERVER_KEYFILE:+-k "$SERVER_KEYFILE"} \
		-o "$T/conv.src" -- "$zone" 127.0.0.1 || return 1
	r53dump --zone-id "$id" -o "$T/conv.r53" || return 1
	rrdiff "$T/conv.src" "$T/conv.r53" >"$T/conv.changes"
	local st=$?
	if [ "$st" -ne 0 ]; then
		echo "mirror_converged: $zone differs from $id (rrdiff status $st):" >&2
		cat "$T/conv.changes" >&2
		return 1
	fi
}

mirror_zone_dir() {
	printf '%s/state/id-%s' "$T" "$1"
}

# mirror_probe_requests_ok N: since the last emu_reset_counters the
# emulator saw exactly N no-change probes: N ListResourceRecordSets (one
# r53dump --serial each) and no other request at all.
mirror_probe_requests_ok() {
	local n=$1
	if [ "$(emu_count _total)" -ne "$n" ] ||
		[ "$(emu_count ListResourceRecordSets)" -ne "$n" ]; then
		echo "expected exactly $n probe request(s), got:" >&2
		emu_counters >&2
		return 1
	fi
}

# mirror_closed_port: a loopback port where nothing listens (for a source
# that cannot be reached).
mirror_closed_port() {
	_srv_pick_port
}

# mirror_alive PID: the process exists and is not a zombie (servers.bash
# has the check).
mirror_alive() {
	_srv_alive "$1"
}

# mirror_term_when FILE OUT ARGS...: run mirror.sh ARGS in the background
# (stdout OUT.out, stderr OUT.err), wait (bounded) until FILE is not
# empty, send it SIGTERM, wait for it; its status in TERM_STATUS, both
# outputs printed.  Fails when FILE never appears.
# shellcheck disable=SC2034  # TERM_STATUS is read by the tests
mirror_term_when() {
	local flag=$1 out=$2 pid
	shift 2
	bash "$MIRROR_SH" "$@" >"$out.out" 2>"$out.err" &
	pid=$!
	TERM_STATUS=0
	if ! mirror_wait_file "$flag"; then
		kill -TERM "$pid"
		wait "$pid"
		return 1
	fi
	kill -TERM "$pid"
	wait "$pid" || TERM_STATUS=$?
	cat "$out.out" "$out.err"
}

# mirror_wait_file FILE: wait (bounded, 30 s) until FILE is not empty.
mirror_wait_file() {
	wait_file "$1" "" 600 && return 0
	echo "mirror_wait_file: $1 never appeared" >&2
	return 1
}
