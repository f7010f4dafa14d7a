# watch.bash: what tests/79-mirror-watch.bats and bench/notify-latency.sh
# share to drive r53mirror --watch against a real primary.  Loaded by
# test_helper.bash for every test; nothing here runs on load.
#
#   watch_bump ZONE STEP      a new TXT RRset step-STEP in the current
#                             server's file of ZONE, its SOA serial one
#                             up; prints the new serial (reload it after)
#   watch_notify_send ZONE SERIAL COUNT SECS PORT KEYFILE
#                             COUNT NOTIFYs for ZONE (SERIAL in the answer
#                             section) to 127.0.0.1:PORT, each a message of
#                             its own (id, TSIG time and MAC: no replay),
#                             signed with KEYFILE (hmac-sha256), spread over
#                             SECS seconds (0: back to back); prints
#                             "answered A of COUNT" (answers that came in
#                             by a second after the last one was sent)
#   watch_until SECONDS CMD...  poll CMD every 0.05 s until it succeeds,
#                             at most SECONDS; says so on stderr if never

watch_bump() {
	local f old new
	f=$(server_zonefile "$1")
	# (awk stops reading early: a SIGPIPE status under pipefail)
	old=$(_srv_file_serial "$f" "$1" || true)
	[[ $old =~ ^[0-9]+$ ]] || { echo "watch_bump: no serial in $f" >&2; return 1; }
	new=$((old + 1))
	sed -i "s/ SOA\(.*\) $old / SOA\1 $new /" "$f"
	printf 'step-%s 300 IN TXT "step %s"\n' "$2" "$2" >>"$f"
	echo "$new"
}

watch_until() {
	local n=$(($1 * 20)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "watch_until: '$*' still false after $((n / 20)) s" >&2
	return 1
}

# dnspython from Debian's python3 (/usr/bin/python3: the emulator's).
watch_notify_send() {
	NZ=$1 NS=$2 NC=$3 NT=$4 NP=$5 KN=$(_srv_key_field "$6" name) \
		KS=$(_srv_key_field "$6" secret) /usr/bin/python3 - <<'EOF'
import os, socket, time
import dns.message, dns.opcode, dns.flags, dns.rrset, dns.tsigkeyring, dns.tsig
z, serial = os.environ["NZ"], os.environ["NS"]
n, secs = int(os.environ["NC"]), float(os.environ["NT"])
ring = dns.tsigkeyring.from_text({os.environ["KN"]: os.environ["KS"]})
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(os.environ["NP"])))
s.setblocking(False)
answered = 0
def drain():
    global answered
    try:
        while True:
            s.recv(65535)
            answered += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
t0 = time.monotonic()
for i in range(n):
    m = dns.message.make_query(z, "SOA")
    m.flags = dns.flags.AA  # (the opcode lives in the flags: set it after)
    m.set_opcode(dns.opcode.NOTIFY)
    m.answer.append(dns.rrset.from_text(z, 3600, "IN", "SOA",
        "ns1.%s hostmaster.%s %s 7200 900 1209600 300" % (z, z, serial)))
    m.use_tsig(ring, keyname=os.environ["KN"], algorithm=dns.tsig.HMAC_SHA256)
    try:
        s.send(m.to_wire())
    except (BlockingIOError, ConnectionRefusedError):
        pass
    drain()
    wait = t0 + secs * (i + 1) / n - time.monotonic()
    if wait > 0:
        time.sleep(wait)
end = time.monotonic() + 1.0
while answered < n and time.monotonic() < end:
    time.sleep(0.01)
    drain()
print("answered %d of %d" % (answered, n))
EOF
}
