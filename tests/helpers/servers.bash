# servers.bash: start and stop real authoritative DNS servers (BIND 9, NSD,
# Knot) on 127.0.0.1 high ports, each in its own temporary folder, serving
# given zone files with TSIG-protected zone transfers.  Loaded by
# tests/test_helper.bash, so every bats file can use it.
#
# API (stable; other tests rely on it):
#
#   server_start KIND ZONE ZONEFILE [ZONE ZONEFILE ...]
#       KIND is bind, nsd or knot.  Copies each ZONEFILE into a fresh
#       folder, starts the server in the foreground (as a background job
#       of the calling shell) and waits until every ZONE answers its SOA
#       over UDP.  Returns non-zero (with the server log on stderr) if it
#       cannot.  Sets and exports:
#         SERVER_KIND     bind | nsd | knot
#         SERVER_ADDR     127.0.0.1
#         SERVER_PORT     the DNS port (UDP and TCP)
#         SERVER_DIR      the server's folder (config, zone files, logs)
#         SERVER_PID      the server process
#         SERVER_KEYFILE  the first key file (BIND `key "name" {...};`
#                         format, as written by tsig-keygen); "" when
#                         SERVER_TSIG=none
#         SERVER_KEYNAME, SERVER_KEYALG  name and algorithm of that key
#       Optional inputs (environment, read at start):
#         SERVER_KEYFILES  space-separated key files the server accepts
#                          for transfers (default: one fresh hmac-sha256
#                          key named xfrkey, written to $SERVER_DIR/xfrkey.key)
#         SERVER_TSIG      "required" (default): transfers only with one of
#                          the keys; "none": transfers allowed to 127.0.0.1
#                          without a key (like a Windows DNS primary)
#         SERVER_LIFETIME  seconds after which the server stops by itself
#                          even if server_stop is never called (an
#                          interrupted test run); default 3600
#         SERVER_NOTIFY    a port: the server sends NOTIFY for every zone
#                          to 127.0.0.1 on that port when a zone changes,
#                          signed with the first key (unsigned when
#                          SERVER_TSIG=none); default "": no NOTIFY
#       Several servers may run at once (call server_start again; the
#       SERVER_* variables then describe the last one: save them first).
#
#   server_zonefile ZONE       print the path of the zone file the current
#                              server loads for ZONE (edit it, then reload)
#   server_reload [ZONE ...]   reload ZONEs (default: all of the current
#                              server) and wait until each serves the SOA
#                              serial written in its zone file
#   server_update ZONE FILE    copy FILE over ZONE's zone file, reload and
#                              wait for its serial (the serial must grow)
#   server_serial ZONE         print the SOA serial the current server
#                              serves for ZONE (one UDP query, no key)
#   server_stop [DIR ...]      stop EVERY server started by this shell
#                              (TERM, then KILL after 10 s) and remove their
#                              folders; safe to call when none runs.  Call
#                              it from teardown / teardown_file.  With DIRs
#                              (values of SERVER_DIR), stop only those: a
#                              test that starts its own server while others
#                              from setup_file run (tests inherit the list)
#                              stops it with server_stop "$SERVER_DIR".
#
# Typical use:
#   setup_file() { server_start knot example.test "$FIXTURES/x.zone"; }
#   teardown_file() { server_stop; }
#   @test "..." { run zxfr -k "$SERVER_KEYFILE" -p "$SERVER_PORT" example.test 127.0.0.1; }
#
# Every wait is bounded (about 30 s); nothing listens beyond 127.0.0.1.

SERVER_ADDR=127.0.0.1
export SERVER_ADDR

# "pid dir" of every server this shell started, newline-separated.
_SRV_STARTED=""

# _srv_alive PID: the process exists and is not a zombie.
# Builtins only: it runs in every wait loop, and each fork counts.
_srv_alive() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }	# the state follows the command name's ")"
	st=${st:0:1}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _srv_port_free PORT: no socket on this host (listening or connected, TCP
# or UDP) uses PORT.  A client's ephemeral port counts too: a server cannot
# bind its TCP listener there and would answer on UDP only.
_srv_port_free() {
	[ -z "$(ss -Hatnu "( sport = :$1 )" 2>/dev/null)" ]
}

# _srv_pick_port: print a random free high port, below the kernel's
# ephemeral range when there is room, so that no client connection made
# later (curl, zxfr, dig) can take it between the pick and the bind.
# Tests may run at once (make check runs bats with --jobs): a port is
# also reserved for the whole bats run by creating a folder named after
# it (mkdir is atomic), so no two tests of one run ever pick the same
# port between one's check and its bind.
_srv_pick_port() {
	local _ try p lo=32768 base=20000 span resv=""
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	span=$((lo - base))
	[ "$span" -ge 2000 ] || span=40000
	if [ -n "${BATS_RUN_TMPDIR:-}" ]; then
		resv="$BATS_RUN_TMPDIR/r53m-ports"
		# Files of one run race here: a folder another made is no failure.
		mkdir -p "$resv" 2>/dev/null || [ -d "$resv" ] || return 1
	fi
	for ((try = 0; try < 50; try++)); do
		p=$((base + (RANDOM * 32768 + RANDOM) % span))
		if [ -n "$resv" ] && ! mkdir "$resv/$p" 2>/dev/null; then
			continue
		fi
		if _srv_port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# _srv_key_field FILE name|algorithm|secret: one field of a BIND key file.
# Bash regexes rather than tr | sed: a server start reads each field of
# each key several times.
_srv_key_field() {
	local txt re
	IFS= read -r -d '' txt <"$1"
	txt=${txt//$'\n'/ }
	case "$2" in
	name) re='^[^"]*key[[:space:]]*"([^"]*)"' ;;
	algorithm) re='.*algorithm[[:space:]]*"?([A-Za-z0-9.-]*)' ;;
	secret) re='.*secret[[:space:]]*"([^"]*)"' ;;
	*) return 0 ;;
	esac
	[[ $txt =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}"
	return 0
}

# _srv_file_serial FILE ZONE: the SOA serial written in a zone file.
_srv_file_serial() {
	named-checkzone -q -k ignore -n ignore -i none -D -o - "$2" "$1" 2>/dev/null |
		awk '$4 == "SOA" { print $7; exit }'
}

# server_serial ZONE: the serial served by the current server.
server_serial() {
	dig +norec +tries=1 +time=2 +short -p "$SERVER_PORT" @"$SERVER_ADDR" \
		-t SOA -q "$1" 2>/dev/null | awk 'NF == 7 { print $3; exit }'
}

# _srv_wait_serial ZONE SERIAL: wait (bounded) until ZONE serves SERIAL
# (any serial when SERIAL is empty).
_srv_wait_serial() {
	local try got
	for ((try = 0; try < 300; try++)); do
		_srv_alive "$SERVER_PID" || return 1
		got=$(server_serial "$1")
		if [ -n "$got" ] && { [ -z "$2" ] || [ "$got" = "$2" ]; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# _srv_wait_tcp ZONE: wait (bounded, ~10 s) until ZONE's SOA also answers
# over TCP.  A server may answer on UDP a moment before its TCP listener is
# up (BIND sets up UDP first); transfers use TCP, so readiness means both.
_srv_wait_tcp() {
	local try
	for ((try = 0; try < 100; try++)); do
		_srv_alive "$SERVER_PID" || return 1
		_srv_tcp_soa_ok "$1" && return 0
		sleep 0.1
	done
	return 1
}

# _srv_tcp_soa_ok ZONE: the current server answers a query for ZONE's SOA
# over TCP with NOERROR and at least one answer.  bash alone writes the
# query to /dev/tcp and reads the answer's header back (read -d '' splits
# at NUL octets, each one counted back in): every server start asks this,
# and a dig start was a third of a start's CPU.
_srv_tcp_soa_ok() {
	local LC_ALL=C IFS=. q="" l i b fd chunk rc try
	local -a by=()
	for l in ${1%.}; do
		printf -v b '\\x%02x' "${#l}"
		q+=$b
		for ((i = 0; i < ${#l}; i++)); do
			printf -v b '\\x%02x' "'${l:i:1}"
			q+=$b
		done
	done
	# Length, id 0x5233, no flags (no recursion), one question: QNAME, SOA, IN.
	printf -v b '\\x00\\x%02x' $((12 + ${#q} / 4 + 1 + 4))
	q="$b\\x52\\x33\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00$q\\x00\\x00\\x06\\x00\\x01"
	{ exec {fd}<>"/dev/tcp/$SERVER_ADDR/$SERVER_PORT"; } 2>/dev/null || return 1
	# shellcheck disable=SC2059  # the query is the format: \xHH only
	printf "$q" >&"$fd"
	# Length (2), id (2), flags (2), QDCOUNT (2), ANCOUNT (2): 10 octets.
	for ((try = 0; try < 12 && ${#by[@]} < 10; try++)); do
		rc=0
		IFS= read -r -d '' -t 2 -u "$fd" chunk || rc=$?
		for ((i = 0; i < ${#chunk}; i++)); do
			printf -v b '%d' "'${chunk:i:1}"
			by+=($(((b + 256) % 256)))
		done
		[ "$rc" = 0 ] && by+=(0)
		[ "$rc" = 0 ] || [ -n "$chunk" ] || break
	done
	exec {fd}>&-
	[ "${#by[@]}" -ge 10 ] && [ "${by[2]}" = 82 ] && [ "${by[3]}" = 51 ] &&
		((by[4] & 128 && (by[5] & 15) == 0 && by[8] * 256 + by[9] > 0))
}

server_zonefile() {
	echo "$SERVER_DIR/zones/$1.zone"
}

# _srv_notify_key [NONE]: the name of the key NOTIFYs are signed with
# (SERVER_NOTIFY), or NONE (default "") when SERVER_TSIG=none.
_srv_notify_key() {
	if [ "$SERVER_TSIG" = none ]; then
		printf '%s' "${1:-}"
	else
		_srv_key_field "${_SRV_KEYS%% *}" name
	fi
}

# _srv_notify_bind: a BIND zone's NOTIFY options (SERVER_NOTIFY), or
# nothing (the global "notify no").
_srv_notify_bind() {
	local k
	[ -n "${SERVER_NOTIFY:-}" ] || return 0
	k=$(_srv_notify_key)
	printf ' notify explicit; notify-delay 0; also-notify { 127.0.0.1 port %s%s; };' \
		"$SERVER_NOTIFY" "${k:+ key \"$k\"}"
}

_srv_conf_bind() {
	local d=$1 port=$2 cport=$3 z kf allow="" rsecret
	rsecret=$(head -c 32 /dev/urandom | base64)
	{
		for kf in $_SRV_KEYS; do
			printf 'key "%s" { algorithm %s; secret "%s"; };\n' \
				"$(_srv_key_field "$kf" name)" \
				"$(_srv_key_field "$kf" algorithm)" \
				"$(_srv_key_field "$kf" secret)"
			allow="$allow key \"$(_srv_key_field "$kf" name)\";"
		done
		[ "$SERVER_TSIG" = none ] && allow=" 127.0.0.1;"
		printf 'key "rndc-key" { algorithm hmac-sha256; secret "%s"; };\n' "$rsecret"
		printf 'controls { inet 127.0.0.1 port %s allow { 127.0.0.1; } keys { "rndc-key"; }; };\n' "$cport"
		cat <<EOF
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-transfer {$allow };
	notify no;
	check-names primary ignore;
	ixfr-from-differences yes;
	dnssec-validation no;
	max-journal-size 10M;
};
EOF
		for z in $_SRV_ZONES; do
			printf 'zone "%s" { type primary; file "zones/%s.zone";%s };\n' \
				"$z" "$z" "$(_srv_notify_bind)"
		done
	} >"$d/named.conf"
	cat >"$d/rndc.conf" <<EOF
key "rndc-key" { algorithm hmac-sha256; secret "$rsecret"; };
options { default-key "rndc-key"; default-server 127.0.0.1; default-port $cport; };
EOF
}

_srv_conf_nsd() {
	local d=$1 port=$2 z kf
	{
		cat <<EOF
server:
	ip-address: 127.0.0.1@$port
	port: $port
	do-ip6: no
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d/xfr"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	username: ""
	chroot: ""
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: yes
	control-interface: "$d/nsd.ctl"
EOF
		for kf in $_SRV_KEYS; do
			printf 'key:\n\tname: "%s"\n\talgorithm: %s\n\tsecret: "%s"\n' \
				"$(_srv_key_field "$kf" name)" \
				"$(_srv_key_field "$kf" algorithm)" \
				"$(_srv_key_field "$kf" secret)"
		done
		for z in $_SRV_ZONES; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "zones/%s.zone"\n' "$z" "$z"
			printf '\tstore-ixfr: yes\n\tcreate-ixfr: yes\n'
			[ -z "${SERVER_NOTIFY:-}" ] ||
				printf '\tnotify: 127.0.0.1@%s %s\n' "$SERVER_NOTIFY" "$(_srv_notify_key NOKEY)"
			if [ "$SERVER_TSIG" = none ]; then
				printf '\tprovide-xfr: 127.0.0.1 NOKEY\n'
			else
				for kf in $_SRV_KEYS; do
					printf '\tprovide-xfr: 127.0.0.1 %s\n' "$(_srv_key_field "$kf" name)"
				done
			fi
		done
	} >"$d/nsd.conf"
	mkdir -p "$d/xfr"
}

_srv_conf_knot() {
	local d=$1 port=$2 z kf keys=""
	{
		printf 'server:\n  rundir: "%s"\n  pidfile: "%s/knot.pid"\n  listen: 127.0.0.1@%s\n' "$d" "$d" "$port"
		printf '  tcp-workers: 1\n  udp-workers: 1\n  background-workers: 1\n'
		# slow readers (dnspython, sanitizer builds) must not be cut off
		printf '  tcp-io-timeout: 60000\n'
		printf 'log:\n  - target: "%s/knot.log"\n    any: info\n' "$d"
		printf 'database:\n  storage: "%s/db"\n' "$d"
		printf 'control:\n  listen: "%s/knot.sock"\n' "$d"
		if [ -n "$_SRV_KEYS" ]; then
			printf 'key:\n'
			for kf in $_SRV_KEYS; do
				printf '  - id: "%s"\n    algorithm: %s\n    secret: "%s"\n' \
					"$(_srv_key_field "$kf" name)" \
					"$(_srv_key_field "$kf" algorithm)" \
					"$(_srv_key_field "$kf" secret)"
				keys="$keys${keys:+, }\"$(_srv_key_field "$kf" name)\""
			done
		fi
		printf 'acl:\n  - id: xfr_acl\n    address: 127.0.0.1\n    action: transfer\n'
		[ "$SERVER_TSIG" = none ] || printf '    key: [ %s ]\n' "$keys"
		if [ -n "${SERVER_NOTIFY:-}" ]; then
			printf 'remote:\n  - id: notify_target\n    address: 127.0.0.1@%s\n' "$SERVER_NOTIFY"
			[ -z "$(_srv_notify_key)" ] || printf '    key: "%s"\n' "$(_srv_notify_key)"
		fi
		printf 'template:\n  - id: default\n    storage: "%s/zones"\n' "$d"
		printf '    semantic-checks: off\n    zonefile-sync: -1\n'
		printf '    zonefile-load: difference\n    journal-content: changes\n'
		printf 'zone:\n'
		for z in $_SRV_ZONES; do
			printf '  - domain: "%s"\n    file: "%s.zone"\n    acl: xfr_acl\n' "$z" "$z"
			[ -z "${SERVER_NOTIFY:-}" ] || printf '    notify: notify_target\n'
		done
	} >"$d/knot.conf"
	mkdir -p "$d/db"
}

# _srv_capped CMD...: run CMD in the foreground under timeout(1), so that
# a server whose test run was interrupted stops by itself; TERM sent to
# timeout is passed on to the server.
_srv_capped() {
	exec timeout -k 10 "${SERVER_LIFETIME:-3600}" "$@"
}

# _srv_launch KIND DIR PORT CPORT: write the config, start, record the pid.
_srv_launch() {
	local kind=$1 d=$2 port=$3 cport=$4
	case "$kind" in
	bind)
		_srv_conf_bind "$d" "$port" "$cport"
		_srv_capped named -c "$d/named.conf" -g -n 1 >"$d/named.log" 2>&1 3>&- </dev/null &
		;;
	nsd)
		_srv_conf_nsd "$d" "$port"
		_srv_capped nsd -d -c "$d/nsd.conf" >"$d/nsd.out" 2>&1 3>&- </dev/null &
		;;
	knot)
		_srv_conf_knot "$d" "$port"
		_srv_capped knotd -c "$d/knot.conf" >"$d/knot.out" 2>&1 3>&- </dev/null &
		;;
	*)
		echo "server_start: unknown server kind '$kind' (bind, nsd, knot)" >&2
		return 1
		;;
	esac
	SERVER_PID=$!
	_SRV_STARTED="$_SRV_STARTED$SERVER_PID $d
"
}

# _srv_dump_logs DIR: show what the server said (on stderr).
_srv_dump_logs() {
	local f
	for f in "$1"/*.log "$1"/*.out; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
}

# _srv_fill_dir DIR ZONE ZONEFILE [ZONE ZONEFILE ...]: the server's folder:
# open to the server (mktemp made it 0700), each ZONEFILE copied to
# DIR/zones/ZONE.zone; sets _SRV_ZONES, the zones it will serve.
_srv_fill_dir() {
	local d=$1 z
	shift
	chmod 755 "$d"
	mkdir -p "$d/zones"
	_SRV_ZONES=""
	while [ $# -ge 2 ]; do
		z=${1%.}
		cp "$2" "$d/zones/$z.zone" || return 1
		_SRV_ZONES="$_SRV_ZONES $z"
		shift 2
	done
}

# _srv_use_keys DIR: sets _SRV_KEYS, the key files the server accepts:
# SERVER_KEYFILES, or one fresh key written to DIR/xfrkey.key.  Returns
# non-zero (with a message) if one cannot be read.
_srv_use_keys() {
	local kf files=()
	if [ -n "${SERVER_KEYFILES:-}" ]; then
		_SRV_KEYS=$SERVER_KEYFILES
	else
		(umask 077 && tsig-keygen -a hmac-sha256 xfrkey >"$1/xfrkey.key") || return 1
		_SRV_KEYS="$1/xfrkey.key"
	fi
	# zxfr warns about key files other users may read or the group may
	# write (a checkout's 0644); group read stays (BIND's root:bind 0640).
	# Regular files only: run as root, a device given as a key file
	# (/dev/null, to try a key that does not parse) lost its mode.
	for kf in $_SRV_KEYS; do
		[ -f "$kf" ] && files+=("$kf")
	done
	if [ ${#files[@]} -gt 0 ]; then
		chmod o-rwx,g-w "${files[@]}" || return 1
	fi
	for kf in $_SRV_KEYS; do
		if [ -z "$(_srv_key_field "$kf" secret)" ]; then
			echo "server_start: cannot read key file $kf" >&2
			return 1
		fi
	done
}

# _srv_wait_zones: wait until every zone of the server just launched
# answers its SOA over UDP, then over TCP.  Returns 0 when all do; 1 when
# one never answered (its port taken meanwhile, or a broken zone); 2 when
# UDP answered but TCP never did: the TCP port is taken by someone else.
_srv_wait_zones() {
	local z
	for z in $_SRV_ZONES; do
		_srv_wait_serial "$z" "" || return 1
		_srv_wait_tcp "$z" || return 2
	done
}

# _srv_port_taken DIR: the server's logs say it could not bind its port.
_srv_port_taken() {
	grep -qiE 'address (already )?in use|cannot bind|failed to bind|could not bind' \
		"$1"/*.log "$1"/*.out 2>/dev/null
}

# _srv_launch_on_free_ports KIND DIR: launch the server on two fresh free
# ports (DNS and control) and wait for its zones; a few more tries when a
# port turns out to be taken.  Sets SERVER_PORT and SERVER_PID.  Returns
# 0 when it serves every zone; 1 when it did not start or did not load
# its zones (its logs say why); 2 when _srv_launch refused (said why).
_srv_launch_on_free_ports() {
	local kind=$1 d=$2 port cport rc
	for _ in 1 2 3 4 5; do
		port=$(_srv_pick_port) || return 1
		cport=$(_srv_pick_port) || return 1
		[ "$port" != "$cport" ] || continue
		SERVER_PORT=$port
		_srv_launch "$kind" "$d" "$port" "$cport" || return 2
		rc=0
		_srv_wait_zones || rc=$?
		[ "$rc" = 0 ] && return 0
		# Port taken meanwhile, or a broken zone: stop and maybe retry.
		_srv_kill "$SERVER_PID"
		[ "$rc" = 2 ] && continue
		_srv_port_taken "$d" || return 1
	done
	return 1
}

# _srv_set_key: SERVER_KEYFILE, SERVER_KEYNAME and SERVER_KEYALG from the
# first key, or "" when SERVER_TSIG=none.
_srv_set_key() {
	SERVER_KEYFILE=""
	SERVER_KEYNAME=""
	SERVER_KEYALG=""
	if [ "$SERVER_TSIG" != none ]; then
		SERVER_KEYFILE=${_SRV_KEYS%% *}
		SERVER_KEYNAME=$(_srv_key_field "$SERVER_KEYFILE" name)
		SERVER_KEYALG=$(_srv_key_field "$SERVER_KEYFILE" algorithm)
	fi
}

server_start() {
	local kind=$1 d rc
	shift
	if [ $# -lt 2 ] || [ $(($# % 2)) -ne 0 ]; then
		echo "usage: server_start bind|nsd|knot ZONE ZONEFILE [ZONE ZONEFILE ...]" >&2
		return 2
	fi
	: "${SERVER_TSIG:=required}"
	d=$(mktemp -d "${TMPDIR:-/tmp}/r53m-srv.XXXXXX") || return 1
	_srv_fill_dir "$d" "$@" || return 1
	_srv_use_keys "$d" || return 1
	SERVER_KIND=$kind
	SERVER_DIR=$d
	rc=0
	_srv_launch_on_free_ports "$kind" "$d" || rc=$?
	[ "$rc" != 2 ] || return 1
	if [ "$rc" != 0 ]; then
		echo "server_start: $kind did not start or did not load its zones" >&2
		_srv_dump_logs "$d"
		return 1
	fi
	_srv_set_key
	export SERVER_KIND SERVER_PORT SERVER_DIR SERVER_PID SERVER_KEYFILE \
		SERVER_KEYNAME SERVER_KEYALG
	return 0
}

# _srv_zones_of_current: the zones of the current server (from its config).
_srv_zones_of_current() {
	local f
	for f in "$SERVER_DIR"/zones/*.zone; do
		[ -e "$f" ] || continue
		f=${f##*/}
		echo "${f%.zone}"
	done
}

server_reload() {
	local z zones serial
	zones="$*"
	[ -n "$zones" ] || zones=$(_srv_zones_of_current)
	for z in $zones; do
		z=${z%.}
		case "$SERVER_KIND" in
		bind) rndc -c "$SERVER_DIR/rndc.conf" reload "$z" >/dev/null ;;
		nsd) nsd-control -c "$SERVER_DIR/nsd.conf" reload "$z" >/dev/null ;;
		knot) knotc -c "$SERVER_DIR/knot.conf" zone-reload "$z" >/dev/null ;;
		esac || { echo "server_reload: $SERVER_KIND refused to reload $z" >&2; return 1; }
	done
	for z in $zones; do
		z=${z%.}
		serial=$(_srv_file_serial "$(server_zonefile "$z")" "$z")
		if ! _srv_wait_serial "$z" "$serial"; then
			echo "server_reload: $SERVER_KIND does not serve $z serial $serial" >&2
			_srv_dump_logs "$SERVER_DIR"
			return 1
		fi
	done
}

server_update() {
	local z=${1%.}
	cp "$2" "$(server_zonefile "$z")" || return 1
	server_reload "$z"
}

# _srv_kill PID: TERM, wait up to 10 s, then KILL.
_srv_kill() {
	local try
	_srv_alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null
	for ((try = 0; try < 100; try++)); do
		_srv_alive "$1" || break
		sleep 0.1
	done
	if _srv_alive "$1"; then
		kill -KILL "$1" 2>/dev/null
		sleep 0.1
	fi
	wait "$1" 2>/dev/null || true
}

server_stop() {
	local pid d want keep=""
	while read -r pid d; do
		[ -n "$pid" ] || continue
		if [ $# -gt 0 ]; then
			for want in "$@"; do
				[ "$want" = "$d" ] && break
			done
			if [ "$want" != "$d" ]; then
				keep="$keep$pid $d
"
				continue
			fi
		fi
		_srv_kill "$pid"
		case "$d" in
		*/r53m-srv.*) rm -rf "$d" ;;
		esac
	done <<EOF
$_SRV_STARTED
EOF
	_SRV_STARTED=$keep
	return 0
}
