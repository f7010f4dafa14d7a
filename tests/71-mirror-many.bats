#!/usr/bin/env bats
# 71-mirror-many.bats: scripts/mirror.sh --all over a config file: parsing
# (errors name file and line), many zones in parallel against the
# emulator's account-wide limit of 5 requests per second, forward and
# reverse zones, a child zone delegated below a private zone's apex in its
# own private hosted zone, and examples/zones.mk.

load test_helper

VPC=vpc-0many0001
NZONES=10

setup() {
	mirror_setup
	# The client's default rate, against the emulator's account limit.
	unset R53M_RATE
}

teardown() {
	emu_stop
	server_stop
}

@test "mirror config: every error names the file and the line; only good lines run" {
	local dead
	dead=$(mirror_closed_port)
	cat >"$T/bad.conf" <<EOF
# comment line

good.example.   127.0.0.1:$dead  -  Z0GOOD0000000001
short.example.  127.0.0.1
bad..example.   127.0.0.1       -  Z0BAD00000000001
x.example.      127.0.0.1:99999 -  Z0BAD00000000002
y.example.      127.0.0.1       $T/no-such.key  Z0BAD00000000003
z.example.      127.0.0.1       -  publik
w.example.      127.0.0.1       -  Z0BAD00000000004 --bogus
v.example.      127.0.0.1       -  Z0BAD00000000005 --max-delete-pct 200
u.example.      127.0.0.1       -  Z0BAD00000000006 -k /etc/passwd
t.example.      127.0.0.1       -  Z0BAD00000000007 --types A,,MX
s.example.      127.0.0.1       -  Z0BAD00000000008 stray
EOF
	# (tests/79-mirror-config.bats: a bad line fails its zone alone.)
	run mirror --all "$T/bad.conf" --timeout 60
	assert_failure 5
	assert_output --partial "bad.conf:4: expected ZONE SERVER"
	assert_output --partial "bad.conf:5: bad zone name 'bad..example.'"
	assert_output --partial "bad.conf:6: bad server '127.0.0.1:99999'"
	assert_output --partial "bad.conf:7: cannot read key file"
	assert_output --partial "bad.conf:8: bad hosted zone 'publik'"
	assert_output --partial "bad.conf:9: unknown option --bogus"
	assert_output --partial "bad.conf:10: --max-delete-pct needs a percentage"
	assert_output --partial "bad.conf:11: option -k is not allowed in a zone line"
	assert_output --partial "bad.conf:12: bad type list"
	assert_output --partial "bad.conf:13: unexpected word 'stray'"
	refute_output --partial "bad.conf:3:"
	[ "$(printf '%s\n' "$output" | grep -c ' result=config-error status=3 ')" -eq 10 ]
	assert_output --regexp 'zone=good\.example\. [^ ]+ result=failed-zxfr status=5 '
	[ "$(mirror_zxfr_calls)" -eq 1 ]
	run mirror --check-config "$T/bad.conf"
	assert_failure 3
	run mirror --all "$T/missing.conf"
	assert_failure 3
	assert_output --partial "missing.conf: cannot read config file"
	printf '# nothing\n' >"$T/empty.conf"
	run mirror --all "$T/empty.conf"
	assert_failure 3
	assert_output --partial "no zone lines"
}

@test "mirror config: the example config parses; --list and zones.mk list its zones" {
	run mirror --list "$TOP_DIR/examples/zones.conf"
	assert_success
	assert_line --index 0 "example.com."
	assert_line "0/26.100.51.198.in-addr.arpa."
	assert_line "lab.corp.example."
	[ "${#lines[@]}" -eq 6 ]
	run make -s -f "$TOP_DIR/examples/zones.mk" CONFIG="$TOP_DIR/examples/zones.conf" list
	assert_success
	[ "${#lines[@]}" -eq 6 ]
	# The only errors in the example are its key files, absent here.
	run mirror --check-config "$TOP_DIR/examples/zones.conf"
	assert_failure 3
	refute_output --regexp 'zones.conf:[0-9]+: (bad|unknown|option|unexpected|expected)'
}

# throttled: Throttling errors the emulator answered since the last reset.
throttled() {
	emu_counters | jq '._errors.Throttling // 0'
}

# many_setup: Knot with NZONES forward zones, a reverse zone, a private
# parent zone that delegates lab.corp.many.test, and that child zone; the
# emulator with an account-wide limit of 5 requests/s; $T/many.conf.
many_setup() {
	local i z args=()
	for ((i = 1; i <= NZONES; i++)); do
		z=$(printf 'z%02d.many.test' "$i")
		cat >"$T/$z.zone" <<EOF
\$ORIGIN $z.
\$TTL 300
@	IN SOA	ns1.$z. hostmaster.$z. $((100 + i)) 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	198.51.100.$i
www	IN A	198.51.100.$((100 + i))
www	IN AAAA	2001:db8::$i
mail	IN MX	10 mx.$z.
mx	IN A	198.51.100.$((200 + i))
txt	IN TXT	"zone $i"
EOF
		args+=("$z" "$T/$z.zone")
	done
	cat >"$T/rev.zone" <<'EOF'
$ORIGIN 100.51.198.in-addr.arpa.
$TTL 300
@	IN SOA	ns1.z01.many.test. hostmaster.z01.many.test. 5 7200 900 1209600 300
@	IN NS	ns1.z01.many.test.
1	IN PTR	ns1.z01.many.test.
101	IN PTR	www.z01.many.test.
102	IN PTR	www.z02.many.test.
EOF
	cat >"$T/corp.zone" <<'EOF'
$ORIGIN corp.many.test.
$TTL 300
@	IN SOA	ns1.corp.many.test. hostmaster.corp.many.test. 1 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	192.0.2.1
intranet IN A	192.0.2.10
lab	IN NS	ns1.lab
ns1.lab	IN A	192.0.2.20
EOF
	cat >"$T/lab.zone" <<'EOF'
$ORIGIN lab.corp.many.test.
$TTL 300
@	IN SOA	ns1.lab.corp.many.test. hostmaster.corp.many.test. 1 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	192.0.2.20
bench	IN A	192.0.2.21
scope	IN A	192.0.2.22
EOF
	args+=(100.51.198.in-addr.arpa "$T/rev.zone" corp.many.test "$T/corp.zone"
		lab.corp.many.test "$T/lab.zone")
	server_start knot "${args[@]}"
	emu_start
	{
		printf '# generated by 71-mirror-many.bats\n'
		for ((i = 1; i <= NZONES; i++)); do
			z=$(printf 'z%02d.many.test' "$i")
			printf '%s 127.0.0.1:%s %s %s\n' "$z" "$SERVER_PORT" \
				"$SERVER_KEYFILE" "$(emu_create_zone "$z" --private "$VPC")"
		done
		emu_create_zone 100.51.198.in-addr.arpa --private "$VPC" >"$T/rev.id"
		printf '100.51.198.in-addr.arpa 127.0.0.1:%s %s private:%s\n' \
			"$SERVER_PORT" "$SERVER_KEYFILE" "$VPC"
		CORP_ID=$(emu_create_zone corp.many.test --private "$VPC")
		LAB_ID=$(emu_create_zone lab.corp.many.test --private "$VPC")
		printf 'corp.many.test 127.0.0.1:%s %s %s\n' "$SERVER_PORT" "$SERVER_KEYFILE" "$CORP_ID"
		printf '# the child zone, in its own private hosted zone\n'
		printf 'lab.corp.many.test 127.0.0.1:%s %s %s --wait\n' "$SERVER_PORT" "$SERVER_KEYFILE" "$LAB_ID"
	} >"$T/many.conf"
	NALL=$((NZONES + 3))
	emu_faults '{"account_rate_limit":5}'
}

@test "mirror --all: $NZONES+3 zones, -j 8, against the account-wide 5 requests/s: no failed run" {
	many_setup
	emu_reset_counters
	SECONDS=0
	run mirror --all "$T/many.conf" -j 8
	local secs=$SECONDS
	emu_counters
	assert_success
	# The shared token bucket kept the whole run under the account's
	# limit: (almost) nothing throttled, and it took its time.
	local total thr
	total=$(emu_count _total)
	thr=$(throttled)
	echo "requests $total, throttled $thr, $secs s"
	[ "$thr" -le $((total / 10)) ]
	[ "$secs" -ge $(((total - 10) / 5)) ]
	[ "$(printf '%s\n' "$output" | grep -c ' result=changed status=0 ')" -eq "$NALL" ]
	refute_output --partial "status=5"
	# Every zone converged, forward and reverse.
	local i z
	for ((i = 1; i <= NZONES; i++)); do
		z=$(printf 'z%02d.many.test' "$i")
		mirror_converged "$z" "$(awk -v z="$z" '$1 == z { print $4 }' "$T/many.conf")"
	done
	mirror_converged 100.51.198.in-addr.arpa "$(cat "$T/rev.id")"
	# The parent keeps the delegation; the child zone is in its own
	# private hosted zone.
	mirror_converged corp.many.test "$CORP_ID"
	mirror_converged lab.corp.many.test "$LAB_ID"
	run emu_rrsets "$LAB_ID"
	assert_output --partial '"Name": "bench.lab.corp.many.test."'
	run emu_rrsets "$CORP_ID"
	assert_output --partial '"Name": "lab.corp.many.test."'
	refute_output --partial 'bench.lab'

	# The next run: nothing changed, one request per zone, all at once.
	emu_reset_counters
	run mirror --all "$T/many.conf" -j 16
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c ' result=unchanged status=0 check=probe ')" -eq "$NALL" ]
	mirror_probe_requests_ok "$NALL"
	[ "$(mirror_zxfr_calls)" -ge "$((3 * NALL))" ]

	# A selection: only the named zones run.
	run mirror --all "$T/many.conf" z03.many.test LAB.corp.many.test.
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --partial "zone=z03.many.test. "
	assert_line --partial "zone=lab.corp.many.test. "
}

@test "mirror --all: without the shared bucket (R53M_RATE=0) the same run is throttled" {
	# The contrast to the test above: the emulator's account-wide limit
	# is real, and the bucket is what keeps the runs under it.
	many_setup
	emu_reset_counters
	R53M_RATE=0 run mirror --all "$T/many.conf" -j 8
	emu_counters
	echo "status $status, throttled $(throttled)"
	[ "$(throttled)" -gt 0 ]
}

@test "mirror --all: one failing zone does not stop the others; the status is the worst" {
	many_setup
	# z02's line points to a port where nothing answers.
	sed -i "s/^z02.many.test 127.0.0.1:$SERVER_PORT /z02.many.test 127.0.0.1:1 /" "$T/many.conf"
	run mirror --all "$T/many.conf" -j4 --timeout 60
	[ "$status" -ge 2 ]
	[ "$(printf '%s\n' "$output" | grep -c ' status=0 ')" -eq $((NALL - 1)) ]
	assert_output --regexp 'zone=z02.many.test. [^ ]+ result=failed-zxfr'
}

@test "mirror: examples/zones.mk runs a target per zone with make -j4 under the shared limit" {
	many_setup
	emu_reset_counters
	run make -s -f "$TOP_DIR/examples/zones.mk" -j4 CONFIG="$T/many.conf" \
		MIRROR="$MIRROR_SH" MIRROR_OPTS="--state-dir $T/state"
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c ' result=changed status=0 ')" -eq "$NALL" ]
	# Again: all unchanged, one request each.
	emu_reset_counters
	run make -s -f "$TOP_DIR/examples/zones.mk" -j4 CONFIG="$T/many.conf" \
		MIRROR="$MIRROR_SH" MIRROR_OPTS="--state-dir $T/state"
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c ' result=unchanged status=0 ')" -eq "$NALL" ]
	mirror_probe_requests_ok "$NALL"
	# One target alone.
	run make -s -f "$TOP_DIR/examples/zones.mk" CONFIG="$T/many.conf" \
		MIRROR="$MIRROR_SH" MIRROR_OPTS="--state-dir $T/state" z05.many.test.
	assert_success
	assert_output --partial "zone=z05.many.test. "
}

@test "mirror: the scheduling recipes: the cron line's command runs; the systemd units verify" {
	# The cron line: 5 time fields, a user, then the command; run that
	# command (paths pointed into $T) against a zone whose server does
	# not answer: it must parse (not 3) and report to syslog (logger).
	local line cmd port
	line=$(grep -v '^#' "$TOP_DIR/examples/r53mirror.cron" | grep -v '^[[:space:]]*$')
	[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ]
	[ "$(printf '%s\n' "$line" | awk '{ print NF }')" -ge 8 ]
	printf '%s\n' "$line" | awk '{ exit !($1 == "*" && $6 == "r53mirror" && $7 == "/usr/local/bin/r53mirror") }'
	port=$(mirror_closed_port)
	printf 'cron.example. 127.0.0.1:%s - Z0CRON000000001\n' "$port" >"$T/zones.conf"
	cmd=$(printf '%s\n' "$line" | cut -d' ' -f7- |
		sed -e "s|/usr/local/bin/r53mirror|bash $MIRROR_SH|" \
			-e "s|/var/lib/r53mirror|$T/state|" -e "s|/etc/r53mirror/zones.conf|$T/zones.conf|")
	printf '#!/bin/bash\nprintf "%%s\\n" "$*" >>"%s/logger.calls"\n' "$T" >"$T/logger"
	chmod +x "$T/logger"
	PATH="$T:$PATH" run bash -c "$cmd"
	[ "$status" -ne 0 ]
	[ "$status" -ne 3 ]
	refute_output --partial "zone="
	grep -q -- '-p daemon.err -- zone=cron.example. hosted-zone=Z0CRON000000001 result=failed-zxfr' "$T/logger.calls"

	# The systemd units (an instance of each), with an executable in
	# place of the installed script.
	if ! command -v systemd-analyze >/dev/null; then
		skip "systemd-analyze is not installed"
	fi
	mkdir -p "$T/units"
	sed "s|/usr/local/bin/r53mirror|/bin/true|" "$TOP_DIR/examples/r53mirror@.service" \
		>"$T/units/r53mirror@zones.service"
	cp "$TOP_DIR/examples/r53mirror@.timer" "$T/units/r53mirror@zones.timer"
	cd "$T/units"
	run timeout 60 systemd-analyze verify --man=no ./r53mirror@zones.service ./r53mirror@zones.timer
	assert_success
	assert_output ""
}
