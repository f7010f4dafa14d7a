#!/usr/bin/env bats
# zxfr --listen: the NOTIFY listener (RFC 1996, issue 14).  BIND, Knot
# and NSD as primaries send real NOTIFYs (unsigned for plain.test, TSIG
# for keyed.test) after a zone reload; the listener prints "ZONE SERIAL".
# Forged NOTIFYs (tests/helpers/notify_send.py) are refused, counted, print
# nothing, and the listener keeps serving.

load test_helper

setup_file() {
	# The servers and their NOTIFY target port are shared: in order.
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	local kind z
	for z in plain.test keyed.test; do
		notify_zone "$z" 1 >"$BATS_FILE_TMPDIR/$z.zone"
	done
	# one port the servers notify, kept for the whole file
	SRV_NOTIFY_PORT=$(_srv_pick_port)
	export SRV_NOTIFY_PORT
	for kind in bind knot nsd; do
		server_start "$kind" plain.test "$BATS_FILE_TMPDIR/plain.test.zone" \
			keyed.test "$BATS_FILE_TMPDIR/keyed.test.zone"
		"notify_primary_$kind" "$SRV_NOTIFY_PORT"
		eval "export PORT_$kind=$SERVER_PORT DIR_$kind=$SERVER_DIR KEY_$kind=$SERVER_KEYFILE"
	done
}

teardown_file() {
	server_stop
}

teardown() {
	notify_stop
}

# use KIND: make KIND's server the current one.
use() {
	export SERVER_KIND=$1
	SERVER_PORT=$(eval echo "\$PORT_$1")
	SERVER_DIR=$(eval echo "\$DIR_$1")
	SERVER_KEYFILE=$(eval echo "\$KEY_$1")
}

# serial_next ZONE: one more than what the current server serves.
serial_next() {
	echo $(($(server_serial "$1") + 1))
}

# primary_test KIND: both zones edited and reloaded on KIND; the listener
# prints each new serial (keyed.test only with the key's TSIG).
primary_test() {
	local kind=$1 s1 s2
	use "$kind"
	printf 'plain.test 127.0.0.1\nkeyed.test 127.0.0.1 %s\n' \
		"$SERVER_KEYFILE" >"$T/zones"
	notify_start "$SRV_NOTIFY_PORT" "$T/zones"
	s1=$(serial_next plain.test)
	s2=$(serial_next keyed.test)
	notify_zone plain.test "$s1" >"$T/p.zone"
	notify_zone keyed.test "$s2" >"$T/k.zone"
	server_update plain.test "$T/p.zone"
	server_update keyed.test "$T/k.zone"
	notify_wait_line "plain.test. $s1"
	notify_wait_line "keyed.test. $s2"
	notify_stop
	[ "$NOTIFY_RC" = 0 ]
	grep -q "NOTIFY keyed.test. from 127.0.0.1: accepted, serial $s2 (TSIG verified)" "$T/nerr"
	[ "$(notify_stat notify_notauth)" = 0 ]
	[ "$(notify_stat notify_refused)" = 0 ]
	[ "$(notify_stat notify_accepted)" -ge 2 ]
}

@test "BIND notifies (UDP, with and without TSIG): the new serials are printed" {
	primary_test bind
}

@test "Knot notifies (TCP, with and without TSIG): the new serials are printed" {
	primary_test knot
	[ "$(notify_stat notify_tcp)" -ge 1 ]
	# Knot took the signed answers (it logs BADSIG or a bad MAC as
	# "zone event 'notify' failed")
	grep -q "\[keyed.test.\] notify, outgoing, remote 127.0.0.1@$SRV_NOTIFY_PORT, serial" \
		"$DIR_knot/knot.log"
	run grep "keyed.test.*notify.*\(failed\|error\)" "$DIR_knot/knot.log"
	[ "$status" -ne 0 ]
}

@test "NSD notifies (with and without TSIG): the new serials are printed" {
	primary_test nsd
}

@test "a keyed zone's NOTIFY from a real primary without the key: NOTAUTH, no line" {
	# BIND signs keyed.test's NOTIFY with its key; the listener holds
	# another key for the zone, so the MAC cannot verify
	use bind
	tsig-keygen -a hmac-sha256 "$(_srv_key_field "$SERVER_KEYFILE" name)" >"$T/other.key"
	printf 'keyed.test 127.0.0.1 %s\n' "$T/other.key" >"$T/zones"
	notify_start "$SRV_NOTIFY_PORT" "$T/zones"
	notify_zone keyed.test "$(serial_next keyed.test)" >"$T/k.zone"
	server_update keyed.test "$T/k.zone"
	for _ in $(seq 1 100); do
		grep -q 'NOTAUTH (BADSIG)' "$T/nerr" && break
		sleep 0.1
	done
	notify_stop
	grep -q 'NOTIFY keyed.test. from 127.0.0.1: NOTAUTH (BADSIG)' "$T/nerr"
	[ ! -s "$T/nout" ]
	[ "$(notify_stat notify_accepted)" = 0 ]
	[ "$(notify_stat notify_notauth)" -ge 1 ]
}

# forge_setup: a listener on a port of its own (the servers never send
# there) for forge.test (keyed), open.test (no key) and only2.test
# (primary 127.0.0.2 only).
forge_setup() {
	tsig-keygen -a hmac-sha256 nkey >"$T/n.key"
	tsig-keygen -a hmac-sha256 otherkey >"$T/other.key"
	cat >"$T/zones" <<-EOZ
		# zone      primary          key
		forge.test  127.0.0.1:53     $T/n.key
		open.test   127.0.0.1
		only2.test  127.0.0.2
	EOZ
	notify_start "$(_srv_pick_port)" "$T/zones"
}

@test "TSIG forgeries: wrong secret, no key, another key, stale: NOTAUTH, no line" {
	forge_setup
	run notify_send --zone forge.test --serial 5 --key "$T/n.key" --wrong-secret
	assert_output --regexp '^NOTAUTH tsig=BADSIG signed=0 '
	run notify_send --zone forge.test --serial 5
	assert_output --regexp '^NOTAUTH tsig=none '
	run notify_send --zone forge.test --serial 5 --key "$T/other.key"
	assert_output --regexp '^NOTAUTH tsig=BADKEY signed=0 '
	run notify_send --zone open.test --serial 5 --key "$T/n.key"
	assert_output --regexp '^NOTAUTH tsig=BADKEY signed=0 '
	# a good MAC 20 minutes old: BADTIME, signed (RFC 8945 5.2.3)
	run notify_send --zone forge.test --serial 5 --key "$T/n.key" --time-offset -1200
	assert_output --regexp '^NOTAUTH tsig=BADTIME signed=1 verified=1 '
	[ ! -s "$T/nout" ]
	# still serving: a good one, answered signed (verified by the sender)
	run notify_send --zone FORGE.test. --serial 6 --key "$T/n.key"
	assert_output --regexp '^NOERROR tsig=NOERROR signed=1 verified=1 qid=[0-9]+ match=1 aa=1$'
	notify_wait_line "forge.test. 6"
	notify_stop
	[ "$NOTIFY_RC" = 0 ]
	[ "$(wc -l <"$T/nout")" = 1 ]
	[ "$(notify_stat notify_notauth)" = 5 ]
	[ "$(notify_stat notify_accepted)" = 1 ]
	[ "$(notify_stat notify_received)" = 6 ]
}

@test "wrong source, unknown zone, other opcode: REFUSED; bad messages: FORMERR or dropped" {
	forge_setup
	run notify_send --zone only2.test --serial 7 --source 127.0.0.1
	assert_output --regexp '^REFUSED '
	run notify_send --zone unknown.test --serial 7
	assert_output --regexp '^REFUSED .* match=1 aa=0$'
	run notify_send --zone open.test --serial 7 --opcode 0
	assert_output --regexp '^REFUSED '
	run notify_send --zone open.test --qtype 1
	assert_output --regexp '^FORMERR '
	# a header promising a question that is not there
	run notify_send --raw 123420000001000000000000
	assert_output --regexp '^FORMERR .* qid=4660 match=0 aa=0$'
	# not even a header; a response: never answered
	run notify_send --garbage 5 --wait 0.5
	assert_output NOANSWER
	run notify_send --zone open.test --qr --wait 0.5
	assert_output NOANSWER
	[ ! -s "$T/nout" ]
	# still serving, from the right source
	run notify_send --zone only2.test --serial 8 --source 127.0.0.2
	assert_output --regexp '^NOERROR tsig=none signed=0 '
	run notify_send --zone open.test
	assert_output --regexp '^NOERROR '
	notify_wait_line "only2.test. 8"
	notify_wait_line "open.test. -"
	notify_stop
	[ "$(wc -l <"$T/nout")" = 2 ]
	[ "$(notify_stat notify_refused)" = 3 ]
	[ "$(notify_stat notify_formerr)" = 2 ]
	[ "$(notify_stat notify_dropped)" = 2 ]
	[ "$(notify_stat notify_accepted)" = 2 ]
}

@test "a replayed signed NOTIFY is refused, over UDP and over TCP" {
	forge_setup
	run notify_send --zone forge.test --serial 9 --key "$T/n.key" --save "$T/sent"
	assert_output --regexp '^NOERROR tsig=NOERROR signed=1 verified=1 '
	run notify_send --load "$T/sent" --key "$T/n.key" --repeat 2
	assert_line --index 0 --regexp '^REFUSED '
	assert_line --index 1 --regexp '^REFUSED '
	run notify_send --load "$T/sent" --key "$T/n.key" --tcp
	assert_output --regexp '^REFUSED '
	notify_wait_line "forge.test. 9"
	notify_stop
	[ "$(wc -l <"$T/nout")" = 1 ]
	[ "$(notify_stat notify_replayed)" = 3 ]
	[ "$(notify_stat notify_refused)" = 3 ]
}

@test "over TCP: NOTIFYs answered, signed answers verify" {
	forge_setup
	run notify_send --zone forge.test --serial 10 --key "$T/n.key" --tcp
	assert_output --regexp '^NOERROR tsig=NOERROR signed=1 verified=1 .* match=1 aa=1$'
	run notify_send --zone open.test --serial 11 --tcp
	assert_output --regexp '^NOERROR tsig=none '
	run notify_send --zone forge.test --serial 12 --key "$T/n.key" --wrong-secret --tcp
	assert_output --regexp '^NOTAUTH tsig=BADSIG '
	notify_wait_line "open.test. 11"
	notify_stop
	[ "$(cat "$T/nout")" = "forge.test. 10
open.test. 11" ]
	[ "$(notify_stat notify_tcp)" = 3 ]
}

@test "a flood from one address is rate-limited; other sources are still served" {
	forge_setup
	notify_send --zone open.test --serial 13 --flood 1000
	run notify_send --zone only2.test --serial 14 --source 127.0.0.2
	assert_output --regexp '^NOERROR '
	notify_wait_line "only2.test. 14"
	notify_stop
	[ "$(notify_stat notify_ratelimited)" -gt 0 ]
	# at most the burst (100) and what 20 a second adds back
	[ "$(grep -c '^open.test. 13$' "$T/nout")" -le 200 ]
	[ "$(grep -c '^open.test. 13$' "$T/nout")" -ge 1 ]
}

@test "SIGHUP re-reads the zones file; a file without a usable line keeps the old zones" {
	forge_setup
	run notify_send --zone new.test --serial 1
	assert_output --regexp '^REFUSED '
	echo "new.test 127.0.0.1" >>"$T/zones"
	kill -HUP "$NOTIFY_PID"
	for _ in $(seq 1 50); do
		grep -q 're-read: 4 zone' "$T/nerr" && break
		sleep 0.1
	done
	run notify_send --zone new.test --serial 2
	assert_output --regexp '^NOERROR '
	echo "broken..test nowhere" >"$T/zones"
	kill -HUP "$NOTIFY_PID"
	for _ in $(seq 1 50); do
		grep -q 'keeping the 4 zone' "$T/nerr" && break
		sleep 0.1
	done
	grep -qF "$T/zones:1: field 1 (ZONE): 'broken..test' is not a domain name" "$T/nerr"
	run notify_send --zone new.test --serial 3
	assert_output --regexp '^NOERROR '
	notify_wait_line "new.test. 3"
	notify_stop
	[ "$NOTIFY_RC" = 0 ]
	[ "$(cat "$T/nout")" = "new.test. 2
new.test. 3" ]
	[ "$(notify_stat zones)" = 4 ]
}

@test "zones file: each bad line named by file, line and field and skipped; none usable: exit 3" {
	tsig-keygen -a hmac-sha256 nkey >"$T/n.key"
	echo 'key "x" { algorithm hmac-sha256; secret "not base64!"; };' >"$T/bad.key"
	cat >"$T/zones" <<-EOZ
		good.test 127.0.0.1
		bad..test 127.0.0.1
		noprimary.test
		badaddr.test 127.0.0.300
		badport.test 127.0.0.1:99999
		badkey.test 127.0.0.1 $T/bad.key
		nokey.test 127.0.0.1 $T/absent.key
		extra.test 127.0.0.1 $T/n.key more
		good.test 127.0.0.1
		v6.test [::1]:53
	EOZ
	notify_start "$(_srv_pick_port)" "$T/zones"
	run notify_send --zone good.test --serial 1
	assert_output --regexp '^NOERROR '
	notify_wait_line "good.test. 1"
	notify_stop
	run cat "$T/nerr"
	assert_line --partial "$T/zones:2: field 1 (ZONE): 'bad..test' is not a domain name"
	assert_line --partial "$T/zones:3: field 2 (PRIMARY): missing"
	assert_line --partial "$T/zones:4: field 2 (PRIMARY): '127.0.0.300' is not an IP address"
	assert_line --partial "$T/zones:5: field 2 (PRIMARY): '127.0.0.1:99999' is not an IP address"
	assert_line --partial "$T/zones:6: field 3 (KEYFILE): cannot use key file $T/bad.key"
	assert_line --partial "$T/zones:7: field 3 (KEYFILE): cannot use key file $T/absent.key"
	assert_line --partial "$T/zones:8: field 4: unexpected text"
	assert_line --partial "$T/zones:9: field 1 (ZONE): good.test. is listed twice"
	refute_output --partial 'not base64!'
	[ "$(notify_stat zones)" = 2 ]
	# no usable line at all
	printf '# nothing\n\nbad..test 1.2.3.4\n' >"$T/none"
	run zxfr --listen "127.0.0.1:$(_srv_pick_port)" --notify-zones "$T/none" \
		--stats "$T/s3"
	[ "$status" -eq 3 ]
	assert_output --partial "$T/none:3: field 1 (ZONE)"
	assert_output --partial 'no usable zone line'
	grep -qx 'status=3' "$T/s3"
	grep -qx 'zones=0' "$T/s3"
	run zxfr --listen "127.0.0.1:$(_srv_pick_port)" --notify-zones "$T/absent"
	[ "$status" -eq 3 ]
}

@test "usage: --listen needs --notify-zones, an ADDR:PORT, and nothing of a transfer" {
	echo "a.test 127.0.0.1" >"$T/zones"
	run zxfr --listen 127.0.0.1:5300
	[ "$status" -eq 3 ]
	assert_output --partial -- '--listen and --notify-zones go together'
	run zxfr --notify-zones "$T/zones"
	[ "$status" -eq 3 ]
	for a in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:53 '[::1]' '::1:53' '[::1:53'; do
		run zxfr --listen "$a" --notify-zones "$T/zones"
		[ "$status" -eq 3 ]
		assert_output --partial "bad --listen '$a'"
	done
	run zxfr --listen 127.0.0.1:5300 --notify-zones "$T/zones" a.test 127.0.0.1
	[ "$status" -eq 3 ]
	for a in "-k $T/zones" "-p 5300" "--timeout 5" "--serial" "-o $T/out"; do
		# shellcheck disable=SC2086  # an option and its argument
		run zxfr --listen 127.0.0.1:5300 --notify-zones "$T/zones" $a
		[ "$status" -eq 3 ]
		assert_output --partial -- '--listen takes only --notify-zones, --stats and -v'
	done
}

@test "the address is taken: exit 2 naming it; the first listener is untouched" {
	forge_setup
	run zxfr --listen "127.0.0.1:$NOTIFY_PORT" --notify-zones "$T/zones"
	[ "$status" -eq 2 ]
	assert_output --partial "cannot listen on 127.0.0.1 port $NOTIFY_PORT"
	run notify_send --zone open.test --serial 31
	assert_output --regexp '^NOERROR '
	notify_wait_line "open.test. 31"
}

@test "IPv6: [::1]:PORT listens; SIGINT ends it with status 0 and the stats file" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
		skip "no IPv6 loopback here"
	echo "six.test ::1" >"$T/zones"
	port=$(_srv_pick_port)
	zxfr --listen "[::1]:$port" --notify-zones "$T/zones" --stats "$T/nstats" \
		-v >"$T/nout" 2>"$T/nerr" 3>&- &
	pid=$!
	notify_ready "$pid"
	run python3 "$NOTIFY_SEND" --addr ::1 --port "$port" --zone six.test --serial 66
	assert_output --regexp '^NOERROR '
	run python3 "$NOTIFY_SEND" --addr ::1 --port "$port" --zone six.test --serial 67 --tcp
	assert_output --regexp '^NOERROR '
	kill -INT "$pid"
	wait "$pid"
	[ "$(cat "$T/nout")" = "six.test. 66
six.test. 67" ]
	grep -qx 'status=0' "$T/nstats"
	grep -qx 'notify_accepted=2' "$T/nstats"
}

@test "the reader of stdout goes away: the listener exits" {
	echo "open.test 127.0.0.1" >"$T/zones"
	port=$(_srv_pick_port)
	# head takes one line and exits; the listener must notice (poll sees
	# the pipe's reader gone) without another NOTIFY to write
	(zxfr --listen "127.0.0.1:$port" --notify-zones "$T/zones" \
		--stats "$T/nstats" -v 2>"$T/nerr" 3>&- | head -n 1 >"$T/first") &
	pid=$!
	notify_ready "$pid"
	NOTIFY_PORT=$port
	run notify_send --zone open.test --serial 1
	assert_output --regexp '^NOERROR '
	for _ in $(seq 1 100); do
		[ -s "$T/nstats" ] && break
		sleep 0.1
	done
	wait "$pid"
	[ "$(cat "$T/first")" = "open.test. 1" ]
	grep -q 'stdout is closed' "$T/nerr"
	grep -qx 'status=2' "$T/nstats"
}

@test "TCP: connections past 16 closed at once, idle ones after 10 s; still serving" {
	forge_setup
	run python3 - "$NOTIFY_PORT" <<-'EOP'
		import socket, sys, time
		port = int(sys.argv[1])
		idle = [socket.create_connection(("127.0.0.1", port))
		        for _ in range(16)]
		time.sleep(0.3)  # the listener accepts them all first
		extra = socket.create_connection(("127.0.0.1", port))
		extra.settimeout(3)
		try:
		    print("closed" if extra.recv(1) == b"" else "data")
		except socket.timeout:
		    print("open")
		except ConnectionError:
		    print("closed")
		# an idle connection is closed after 10 s without a request
		idle[0].settimeout(20)
		t0 = time.monotonic()
		print("idle closed" if idle[0].recv(1) == b"" else "idle data")
		print("after %d s" % round(time.monotonic() - t0))
	EOP
	assert_line --index 0 closed
	assert_line --index 1 'idle closed'
	assert_line --index 2 --regexp '^after (9|10|11|12) s$'
	run notify_send --zone open.test --serial 5 --tcp
	assert_output --regexp '^NOERROR '
	notify_stop
	[ "$(notify_stat notify_tcp)" = 17 ]
}

@test "sizes: two NOTIFYs in one TCP write both answered; over 4096 octets dropped" {
	forge_setup
	notify_send --zone open.test --serial 21 --save "$T/a" --no-send
	notify_send --zone open.test --serial 22 --save "$T/b" --no-send
	run python3 - "$NOTIFY_PORT" "$T/a" "$T/b" <<-'EOP'
		import socket, struct, sys
		port = int(sys.argv[1])
		msgs = [bytes.fromhex(open(f).read().split()[0]) for f in sys.argv[2:]]
		s = socket.create_connection(("127.0.0.1", port))
		s.settimeout(5)
		s.sendall(b"".join(struct.pack("!H", len(m)) + m for m in msgs))
		buf = b""
		while len(buf) < 4 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0] + 2:
		    part = s.recv(4096)
		    if not part:
		        break
		    buf += part
		n1 = struct.unpack("!H", buf[:2])[0]
		print("answers", len(buf) >= 2 + n1 + 2 + struct.unpack("!H", buf[2 + n1:4 + n1])[0])
		# a length over the limit: the connection is closed, no answer
		t = socket.create_connection(("127.0.0.1", port))
		t.settimeout(5)
		t.sendall(struct.pack("!H", 5000) + b"\0" * 5000)
		try:
		    print("big", "closed" if t.recv(1) == b"" else "answered")
		except ConnectionError:
		    print("big closed")
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		u.settimeout(1)
		u.sendto(msgs[0][:12] + b"\0" * 4200, ("127.0.0.1", port))
		try:
		    u.recv(512)
		    print("udp answered")
		except socket.timeout:
		    print("udp dropped")
	EOP
	assert_line --index 0 'answers True'
	assert_line --index 1 'big closed'
	assert_line --index 2 'udp dropped'
	notify_wait_line "open.test. 22"
	notify_stop
	# two lines, and the -v summary at exit
	[ "$(cat "$T/nout")" = "open.test. 21
open.test. 22" ]
	[ "$(notify_stat notify_dropped)" = 2 ]
	grep -q '^zxfr: NOTIFY: 4 received, 2 accepted, .* 2 dropped' "$T/nerr"
}
