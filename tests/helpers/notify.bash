# notify.bash: the NOTIFY listener (zxfr --listen) under test, and real
# primaries sending it NOTIFYs (tests/27-zxfr-notify.bats).
#
#   notify_zone ZONE SERIAL    print a small zone file with that serial
#   notify_start PORT FILE     start zxfr --listen 127.0.0.1:PORT
#                              --notify-zones FILE -v in the background:
#                              stdout $T/nout, stderr $T/nerr, stats
#                              $T/nstats; waits (bounded) until it listens
#   notify_ready PID           that wait, for a listener started otherwise
#   notify_stop                SIGTERM, wait; its exit status in NOTIFY_RC;
#                              fails on a sanitizer report
#   notify_wait_line LINE      wait (bounded, 15 s) until stdout has LINE
#   notify_send ARGS...        tests/helpers/notify_send.py --port
#                              $NOTIFY_PORT ARGS (one answer line each)
#   notify_stat KEY            a value of the stats file
#   notify_primary_bind PORT   make the current BIND send NOTIFYs for
#                              plain.test (unsigned) and keyed.test
#                              (signed with its key) to 127.0.0.1:PORT
#   notify_primary_knot PORT   the same for the current Knot (over TCP)
#   notify_primary_nsd PORT    the same for the current NSD
# All three servers are started by servers.bash with "notify no" (or
# none); these edit the config in place and make the server re-read it.

NOTIFY_SEND="${BASH_SOURCE[0]%/*}/notify_send.py"

notify_zone() {
	# shellcheck disable=SC2016  # a zone file's $TTL, not a variable
	printf '$TTL 300\n@ IN SOA ns1.%s. hostmaster.%s. %s 3600 600 604800 300\n' \
		"$1" "$1" "$2"
	printf '@ IN NS ns1.%s.\nns1 IN A 192.0.2.1\nwww IN A 192.0.2.%s\n' \
		"$1" $(($2 % 250 + 1))
}

notify_start() {
	local _
	NOTIFY_PORT=$1
	: >"$T/nerr"
	zxfr --listen "127.0.0.1:$1" --notify-zones "$2" --stats "$T/nstats" \
		-v >"$T/nout" 2>"$T/nerr" 3>&- &
	NOTIFY_PID=$!
	notify_ready "$NOTIFY_PID"
}

# notify_ready PID: wait (bounded, 5 s) until the listener PID (started
# with -v, stderr in $T/nerr) says it listens.
notify_ready() {
	local _
	for _ in $(seq 1 100); do
		grep -q 'listening for NOTIFY' "$T/nerr" && return 0
		_srv_alive "$1" || break
		sleep 0.05
	done
	cat "$T/nerr" >&2
	return 1
}

# NOTIFY_RC is read by the tests.
# shellcheck disable=SC2034
notify_stop() {
	NOTIFY_RC=
	[ -n "${NOTIFY_PID:-}" ] || return 0
	kill -TERM "$NOTIFY_PID" 2>/dev/null
	wait "$NOTIFY_PID"
	NOTIFY_RC=$?
	NOTIFY_PID=
	no_sanitizer_report "$T/nerr"
}

notify_wait_line() {
	local _
	for _ in $(seq 1 150); do
		grep -qxF "$1" "$T/nout" && return 0
		sleep 0.1
	done
	echo "no line '$1' from the listener; it printed:" >&2
	cat "$T/nout" "$T/nerr" >&2
	return 1
}

notify_send() {
	python3 "$NOTIFY_SEND" --port "$NOTIFY_PORT" "$@"
}

notify_stat() {
	sed -n "s/^$1=//p" "$T/nstats"
}

notify_primary_bind() {
	local p=$1 k
	k=$(_srv_key_field "$SERVER_KEYFILE" name)
	sed -i -e "s|^\(zone \"plain.test\" {.*\) };\$|\1 notify explicit; also-notify { 127.0.0.1 port $p; }; };|" \
		-e "s|^\(zone \"keyed.test\" {.*\) };\$|\1 notify explicit; also-notify { 127.0.0.1 port $p key \"$k\"; }; };|" \
		"$SERVER_DIR/named.conf"
	rndc -c "$SERVER_DIR/rndc.conf" reconfig >/dev/null
}

notify_primary_knot() {
	local p=$1 k
	k=$(_srv_key_field "$SERVER_KEYFILE" name)
	awk -v p="$p" -v k="$k" '
		/^template:/ {
			print "remote:"
			print "  - id: lsn_plain\n    address: 127.0.0.1@" p
			print "  - id: lsn_keyed\n    address: 127.0.0.1@" p "\n    key: " k
		}
		{ print }
		/domain: "plain.test"/ { print "    notify: lsn_plain" }
		/domain: "keyed.test"/ { print "    notify: lsn_keyed" }
	' "$SERVER_DIR/knot.conf" >"$SERVER_DIR/knot.conf.new" &&
		mv "$SERVER_DIR/knot.conf.new" "$SERVER_DIR/knot.conf"
	knotc -c "$SERVER_DIR/knot.conf" reload >/dev/null
}

notify_primary_nsd() {
	local p=$1 k
	k=$(_srv_key_field "$SERVER_KEYFILE" name)
	awk -v p="$p" -v k="$k" '
		{ print }
		/name: "plain.test"/ { print "\tnotify: 127.0.0.1@" p " NOKEY" }
		/name: "keyed.test"/ { print "\tnotify: 127.0.0.1@" p " " k }
	' "$SERVER_DIR/nsd.conf" >"$SERVER_DIR/nsd.conf.new" &&
		mv "$SERVER_DIR/nsd.conf.new" "$SERVER_DIR/nsd.conf"
	nsd-control -c "$SERVER_DIR/nsd.conf" reconfig >/dev/null
}
