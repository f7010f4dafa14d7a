#!/usr/bin/env bats
# 70-mirror.bats: scripts/mirror.sh for one zone, end to end: real DNS
# servers (BIND, NSD, Knot) -> zxfr -> rrdiff -> r53apply -> the Route 53
# emulator; the cheap probe (1 DNS query + 1 API request), the lock, the
# watchdog, staleness, drift, truncated upstreams, and the docs' promises.

load test_helper

FWD=mirror.test
REV=2.0.192.in-addr.arpa
VPC=vpc-0test0001

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

# start_all KIND: server KIND with both zones, the emulator, two private
# hosted zones (FWD_ID, REV_ID).
start_all() {
	server_start "$1" "$FWD" "$FIXTURES/mirror/$FWD.zone" \
		"$REV" "$FIXTURES/mirror/rev.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	REV_ID=$(emu_create_zone "$REV" --private "$VPC")
}

mirror_fwd() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$FWD" 127.0.0.1 "$FWD_ID"
}

mirror_rev() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --private --vpc-id "$VPC" \
		"$@" "$REV" 127.0.0.1
}

# ----------------------------------------------------------- static checks

@test "mirror: shellcheck finds nothing in scripts/*.sh and the helpers" {
	cd "$TOP_DIR"
	run shellcheck scripts/*.sh tests/helpers/mirror.bash
	assert_success
	assert_output ""
}

@test "mirror: usage errors exit 3 and say why" {
	run mirror
	assert_failure 3
	run mirror example.test 127.0.0.1
	assert_failure 3
	assert_output --partial "HOSTED-ZONE-ID"
	run mirror example.test 127.0.0.1 not-an-id
	assert_failure 3
	assert_output --partial "bad hosted zone id"
	run mirror --private example.test 127.0.0.1 Z123
	assert_failure 3
	run mirror --private --public example.test 127.0.0.1
	assert_failure 3
	run mirror --vpc-id vpc-1 example.test 127.0.0.1 Z123
	assert_failure 3
	run mirror -p 0 example.test 127.0.0.1 Z123
	assert_failure 3
	assert_output --partial "bad port"
	run mirror --bogus example.test 127.0.0.1 Z123
	assert_failure 3
	assert_output --partial "unknown option --bogus"
	run mirror -p 53 example.test 127.0.0.1:54 Z123
	assert_failure 3
	run mirror -k "$T/missing.key" example.test 127.0.0.1 Z123
	assert_failure 3
	assert_output --partial "cannot read key file"
	run mirror --help
	assert_success
	assert_output --partial "13 watchdog timeout"
	[ ! -e "$T/state" ]
}

@test "mirror: a run of a hosted zone whose lock is held exits 10 after --lock-wait" {
	mkdir -p "$T/state/id-Z0000000000LOCK"
	exec 8>>"$T/state/id-Z0000000000LOCK/lock"
	flock 8
	SECONDS=0
	run mirror --lock-wait 1 example.test 127.0.0.1 Z0000000000LOCK
	exec 8>&-
	assert_failure 10
	assert_output --partial "another run holds"
	assert_output --partial "result=locked"
	assert_output --partial " drift=unchecked "
	[ "$SECONDS" -ge 1 ]
	[ "$SECONDS" -lt 20 ]
	# No DNS query was made while locked.
	[ "$(mirror_zxfr_calls)" -eq 0 ]
}

@test "mirror: a source unreachable for longer than --stale-after exits 11" {
	local port
	port=$(mirror_closed_port)
	run mirror --timeout 20 -p "$port" example.test 127.0.0.1 Z0000000000STAL
	[ "$status" -ne 0 ]
	[ "$status" -ne 11 ]
	assert_output --partial "result=failed-zxfr"
	sleep 2
	run mirror --timeout 20 --stale-after 1 -p "$port" example.test 127.0.0.1 Z0000000000STAL
	assert_failure 11
	assert_output --partial "result=stale"
	assert_output --partial "has failed for"
	# Without --stale-after (default one hour) it is an ordinary failure.
	run mirror --timeout 20 -p "$port" example.test 127.0.0.1 Z0000000000STAL
	[ "$status" -ne 0 ]
	[ "$status" -ne 11 ]
}

@test "mirror: state folders are mode 0700 and created with the run" {
	local port
	port=$(mirror_closed_port)
	run mirror --timeout 20 -p "$port" example.test 127.0.0.1 Z0000000000MODE
	[ "$(stat -c %a "$T/state")" = 700 ]
	[ "$(stat -c %a "$T/state/id-Z0000000000MODE")" = 700 ]
	[ -f "$T/state/id-Z0000000000MODE/state" ]
	[ "$(stat -c %a "$T/state/id-Z0000000000MODE/state")" = 600 ]
}

@test "mirror: runs racing to create one state folder all get it (mkdir_p)" {
	local port j
	port=$(mirror_closed_port)
	# The loadable mkdir's -p fails "File exists" when another run makes
	# a folder of the path between its check and its mkdir: every -p in
	# mirror.sh goes through mkdir_p, which takes that as done.
	local mk
	mk=$(grep -nE 'mkdir[[:space:]]+(-[a-z]*p|.*[[:space:]]-p)' "$MIRROR_SH" |
		grep -vE '^[0-9]+:[[:space:]]*#')
	[ "$(wc -l <<<"$mk")" = 1 ]
	[[ $mk == *'	mkdir -p -- "$1" 2>/dev/null || [ -d "$1" ] || mkdir -p -- "$1"' ]]
	# Eight first runs at once into one new state folder three deep.
	for ((j = 0; j < 8; j++)); do
		bash "$MIRROR_SH" --state-dir "$T/st/a/b" --timeout 20 -p "$port" \
			"z$j.example.test" 127.0.0.1 "Z0000000000RACE$j" >"$T/out.$j" 2>&1 &
	done
	wait
	run cat "$T"/out.*
	refute_output --partial 'cannot create'
	[ "$(grep -c 'result=failed-zxfr' "$T"/out.* | grep -c ':1$')" = 8 ]
}

@test "mirror: --iam-policy gives exactly the listed zones' actions (python3 json)" {
	cat >"$T/ids.conf" <<'EOF'
a.example. 192.0.2.1 - Z0AAAAAAAAAAAAA
b.example. 192.0.2.1:5353 - Z0BBBBBBBBBBBBB --ignore-ttl
2.0.192.in-addr.arpa 192.0.2.1 - /hostedzone/Z0CCCCCCCCCCCCC
EOF
	run bash -c "bash '$MIRROR_SH' --iam-policy '$T/ids.conf' > '$T/ids.json'"
	assert_success
	run /usr/bin/python3 - "$T/ids.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
assert p["Version"] == "2012-10-17"
st = p["Statement"]
assert len(st) == 2, st
z = st[0]
assert z["Effect"] == "Allow"
assert sorted(z["Action"]) == ["route53:ChangeResourceRecordSets",
    "route53:ChangeTagsForResource", "route53:GetHostedZone",
    "route53:GetHostedZoneLimit", "route53:ListResourceRecordSets",
    "route53:ListTagsForResource"], z
assert z["Resource"] == ["arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAA",
    "arn:aws:route53:::hostedzone/Z0BBBBBBBBBBBBB",
    "arn:aws:route53:::hostedzone/Z0CCCCCCCCCCCCC"], z["Resource"]
assert st[1]["Action"] == ["route53:GetChange"]
assert st[1]["Resource"] == ["arn:aws:route53:::change/*"]
acts = [a for s in st for a in s["Action"]]
assert "route53:ListHostedZonesByName" not in acts
print("ok")
EOF
	assert_success
	assert_output "ok"

	# A named zone: ListHostedZonesByName on *, and the zone's id from its
	# state folder once a run resolved it (else hostedzone/*, warned).
	cat >"$T/named.conf" <<'EOF'
a.example. 192.0.2.1 - Z0AAAAAAAAAAAAA
lab.a.example. 192.0.2.1 - private:vpc-0abc
EOF
	run bash -c "bash '$MIRROR_SH' --state-dir '$T/state' --iam-policy '$T/named.conf' 2>'$T/warn' > '$T/named.json'"
	assert_success
	grep -q 'named.conf:2: lab.a.example.' "$T/warn"
	/usr/bin/python3 -c '
import json, sys
st = json.load(open(sys.argv[1]))["Statement"]
assert st[0]["Resource"] == ["arn:aws:route53:::hostedzone/*"], st[0]
assert st[2]["Action"] == ["route53:ListHostedZonesByName"] and st[2]["Resource"] == "*", st
' "$T/named.json"
	mkdir -p "$T/state/name-lab.a.example-private-vpc-0abc"
	printf 'zone_id=Z0DDDDDDDDDDDDD\n' >"$T/state/name-lab.a.example-private-vpc-0abc/state"
	run bash -c "bash '$MIRROR_SH' --state-dir '$T/state' --iam-policy '$T/named.conf' 2>'$T/warn' > '$T/named.json'"
	assert_success
	[ ! -s "$T/warn" ]
	/usr/bin/python3 -c '
import json, sys
st = json.load(open(sys.argv[1]))["Statement"]
assert st[0]["Resource"] == ["arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAA",
    "arn:aws:route53:::hostedzone/Z0DDDDDDDDDDDDD"], st[0]
assert st[2]["Action"] == ["route53:ListHostedZonesByName"], st
' "$T/named.json"
	# The wrapper script gives the same.
	run bash "$TOP_DIR/scripts/iam-policy.sh" --state-dir "$T/state" "$T/named.conf"
	assert_success
	[ "$output" = "$(cat "$T/named.json")" ]
}

# ---------------------------------------------------------- end to end

# roundtrip KIND: first sync of both zones, a change, a no-change run.
roundtrip() {
	start_all "$1"

	# First run: the state folder is new: a full compare, all created.
	run mirror_fwd
	assert_success
	assert_output --partial "result=changed"
	assert_output --partial "check=full:new-state"
	assert_output --partial "route53-serial=1->2026112601"
	mirror_converged "$FWD" "$FWD_ID"
	run mirror_rev
	assert_success
	assert_output --partial "result=changed"
	assert_output --partial "serial=41"
	mirror_converged "$REV" "$REV_ID"
	# The aws CLI sees the records, the SOA serial is the source's.
	run awsr53 list-resource-record-sets --hosted-zone-id "$FWD_ID"
	assert_success
	assert_output --partial '"Value": "192.0.2.80"'
	assert_output --regexp '"Value": "[^"]* 2026112601 [0-9 ]+"'
	assert_output --partial '\\052.wild.mirror.test.'
	run awsr53 list-resource-record-sets --hosted-zone-id "$REV_ID"
	assert_success
	assert_output --partial '"Name": "99.2.0.192.in-addr.arpa."'
	assert_output --partial '"Value": "old.mirror.test."'
	# The run folder keeps every stream.
	local d
	d=$(mirror_zone_dir "$FWD_ID")
	[ -s "$d/last/source.rrset" ]
	[ -s "$d/last/route53.rrset" ]
	[ -s "$d/last/changes" ]
	[ -s "$d/last/report.json" ]
	/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/last/report.json"

	# A change at the source: exactly those changes, nothing else.
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	server_update "$REV" "$FIXTURES/mirror/rev.v2.zone"
	run mirror_fwd
	assert_success
	assert_output --partial "result=changed"
	assert_output --partial "check=incremental"
	assert_output --partial "changes=3 adds=1 deletes=1 updates=1"
	assert_output --partial "route53-serial=2026112601->2026112602"
	mirror_converged "$FWD" "$FWD_ID"
	run mirror_rev
	assert_success
	assert_output --partial "changes=2 adds=1 deletes=1 updates=0"
	mirror_converged "$REV" "$REV_ID"
	grep -q '^<	www.mirror.test.	A	3600	192.0.2.80$' "$d/last/changes"
	grep -q '^>	www.mirror.test.	A	3600	192.0.2.81$' "$d/last/changes"

	# The TSIG secret never appeared on a command line.
	local secret
	secret=$(sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$SERVER_KEYFILE")
	[ -n "$secret" ]
	run grep -qF -- "$secret" "$T/zxfr.calls"
	assert_failure 1

	# No change: one DNS query (one zxfr --serial run) and one API request.
	local calls
	for z in fwd rev; do
		calls=$(mirror_zxfr_calls)
		emu_reset_counters
		run "mirror_$z"
		assert_success
		assert_output --partial "result=unchanged"
		assert_output --partial "check=probe"
		assert_output --partial "requests=1 dns-queries=1"
		[ "$(mirror_zxfr_calls)" -eq $((calls + 1)) ]
		tail -n 1 "$T/zxfr.calls" | grep -q -- '--serial'
		mirror_probe_requests_ok 1
	done
}

@test "mirror: BIND -> Route 53: first sync, change, no-change run (forward and reverse)" {
	roundtrip bind
}

@test "mirror: NSD -> Route 53: first sync, change, no-change run (forward and reverse)" {
	roundtrip nsd
}

@test "mirror: Knot -> Route 53: first sync, change, no-change run (forward and reverse)" {
	roundtrip knot
}

@test "mirror: overlapping runs of one zone never interleave (lock, exit 10)" {
	start_all knot
	run mirror_fwd
	assert_success
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	# A slow Route 53 keeps the first run inside its lock for seconds.
	emu_faults '{"latency_ms":1500}'
	mirror_fwd >"$T/first.out" 2>&1 &
	local first=$! i
	for ((i = 0; i < 100; i++)); do
		flock -n "$(mirror_zone_dir "$FWD_ID")/lock" true || break
		sleep 0.1
	done
	[ "$i" -lt 100 ]
	run mirror_fwd --lock-wait 0
	assert_failure 10
	assert_output --partial "result=locked"
	# A run that waits long enough goes after the first one and finds
	# nothing left to do.
	run mirror_fwd --lock-wait 60
	wait "$first"
	local fst=$?
	cat "$T/first.out"
	[ "$fst" -eq 0 ]
	grep -q 'result=changed' "$T/first.out"
	assert_success
	assert_output --partial "result=unchanged"
	mirror_converged "$FWD" "$FWD_ID"
}

@test "mirror: zxfr killed after N records applies nothing; the next run converges" {
	start_all bind
	run mirror_fwd
	assert_success
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	# zxfr writes 8 lines of the transfer, then dies of SIGKILL.
	cat >"$T/zxfr-killed" <<EOF
#!/bin/bash
case " \$* " in *" --serial "*) exec "$R53M_BUILD/zxfr" "\$@" ;; esac
args=() out=
while [ \$# -gt 0 ]; do
	if [ "\$1" = -o ]; then out=\$2; shift 2; else args+=("\$1"); shift; fi
done
"$R53M_BUILD/zxfr" "\${args[@]}" | head -n 8 >"\$out"
kill -9 \$\$
EOF
	mirror_wrap zxfr "$T/zxfr-killed"
	emu_reset_counters
	run mirror_fwd
	assert_failure
	assert_output --partial "killed by signal 9"
	assert_output --partial "result=failed-zxfr"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	# The truncated stream itself is rejected by every reader.
	local f
	f=$(mirror_zone_dir "$FWD_ID")/last/source.rrset
	[ "$(wc -l <"$f")" -eq 8 ]
	run rrdiff "$f" "$f"
	assert_failure 2

	# A zxfr that even exits 0 after a truncated stream: rrdiff refuses it.
	sed -i 's/^kill -9 .*/exit 0/' "$T/zxfr-killed"
	mirror_wrap zxfr "$T/zxfr-killed"
	run mirror_fwd
	assert_failure 2
	assert_output --partial "result=failed-rrdiff"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	run emu_rrsets "$FWD_ID"
	assert_output --partial '"192.0.2.80"'

	mirror_unwrap zxfr
	run mirror_fwd
	assert_success
	assert_output --partial "changes=3"
	mirror_converged "$FWD" "$FWD_ID"
}

@test "mirror: r53dump killed after page 2 (or truncated) applies nothing; the next run converges" {
	# A zone of 700+ RRsets: 3 list pages.
	{
		sed -n '1,/^@.*IN NS/p' "$FIXTURES/mirror/$FWD.zone"
		for ((i = 1; i <= 700; i++)); do
			printf 'h%d\tIN A\t10.0.%d.%d\n' "$i" $((i / 250)) $((i % 250))
		done
	} >"$T/big.zone"
	sed 's/ 2026112601 / 2026112602 /; s/^h7\t.*/h7\tIN A\t10.9.9.9/' "$T/big.zone" >"$T/big2.zone"
	server_start knot "$FWD" "$T/big.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	run mirror_fwd
	assert_success
	server_update "$FWD" "$T/big2.zone"

	cat >"$T/r53dump-killed" <<EOF
#!/bin/bash
case " \$* " in *" --serial "*) exec "$R53M_BUILD/r53dump" "\$@" ;; esac
base=\$(curl -sS "$EMU_URL/_emu/counters" | jq ".ListResourceRecordSets // 0")
"$R53M_BUILD/r53dump" "\$@" &
pid=\$!
for ((i = 0; i < 300; i++)); do
	n=\$(curl -sS "$EMU_URL/_emu/counters" | jq ".ListResourceRecordSets // 0")
	[ "\$n" -ge \$((base + 2)) ] && break
	sleep 0.1
done
kill -9 \$pid
wait \$pid
EOF
	mirror_wrap r53dump "$T/r53dump-killed"
	emu_faults '{"latency_ms":800,"apis":["ListResourceRecordSets"]}'
	emu_reset_counters
	run mirror_fwd
	assert_failure
	assert_output --partial "result=failed-r53dump"
	[ "$(emu_count ListResourceRecordSets)" -ge 2 ]
	[ "$(emu_count ListResourceRecordSets)" -lt 4 ]
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	[ ! -e "$(mirror_zone_dir "$FWD_ID")/last/route53.rrset" ]

	emu_faults '{"clear":true}'
	# An r53dump that exits 0 after a truncated stream: rrdiff refuses it.
	cat >"$T/r53dump-short" <<EOF
#!/bin/bash
case " \$* " in *" --serial "*) exec "$R53M_BUILD/r53dump" "\$@" ;; esac
"$R53M_BUILD/r53dump" "\$@" || exit
out=\${*: -1}
head -n 400 "\$out" >"\$out.short" && mv "\$out.short" "\$out"
EOF
	mirror_wrap r53dump "$T/r53dump-short"
	emu_reset_counters
	run mirror_fwd
	assert_failure 2
	assert_output --partial "result=failed-rrdiff"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]

	mirror_unwrap r53dump
	run mirror_fwd
	assert_success
	assert_output --partial "changes=1 adds=0 deletes=0 updates=1"
	mirror_converged "$FWD" "$FWD_ID"
}

@test "mirror: a record changed by hand in Route 53 is found by the next full compare, repaired, reported as drift" {
	start_all nsd
	run mirror_fwd
	assert_success
	cat >"$T/batch.json" <<'EOF'
{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"www.mirror.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.66"}]}},
{"Action":"CREATE","ResourceRecordSet":{"Name":"rogue.mirror.test.","Type":"TXT","TTL":60,"ResourceRecords":[{"Value":"\"by hand\""}]}}]}
EOF
	run emu_change "$FWD_ID" "$T/batch.json"
	assert_success
	# The probe alone cannot see it (neither serial moved)...
	run mirror_fwd
	assert_success
	assert_output --partial "result=unchanged"
	# ...the full compare does, repairs it, and says drift (exit 12).
	run mirror_fwd --full-every 0
	assert_failure 12
	assert_output --partial "check=full:full-every"
	assert_output --partial "result=drift-repaired"
	assert_output --partial "drift=2"
	assert_output --partial "changes=2 adds=0 deletes=1 updates=1"
	assert_output --partial "changed outside the mirror"
	grep -q '^-	rogue.mirror.test.	TXT' "$(mirror_zone_dir "$FWD_ID")/last/drift.changes"
	mirror_converged "$FWD" "$FWD_ID"
	run mirror_fwd --full
	assert_success
	assert_output --partial "drift=0"
}

@test "mirror: a Route 53 serial ahead of the source (RFC 1982) is refused, exit 4" {
	start_all knot
	run mirror_fwd
	assert_success
	# Somebody wrote a later serial into Route 53 (2026112601 + 2^31 - 1).
	local soa
	soa=$(emu_rrsets "$FWD_ID" |
		jq -r '.[] | select(.Type == "SOA") | .ResourceRecords[0]')
	soa=${soa/ 2026112601 / 4173596248 }
	cat >"$T/soa.json" <<EOF
{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"mirror.test.","Type":"SOA","TTL":900,"ResourceRecords":[{"Value":"$soa"}]}}]}
EOF
	emu_change "$FWD_ID" "$T/soa.json"
	emu_reset_counters
	run mirror_fwd
	assert_failure 4
	assert_output --partial "ahead of the source"
	assert_output --partial "route53-serial-4173596248-not-ours"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	# One more than 2^31 later is behind under RFC 1982: overwritten.
	soa=${soa/ 4173596248 / 4173596250 }
	sed -i "s/\"Value\":\"[^\"]*\"/\"Value\":\"$soa\"/" "$T/soa.json"
	emu_change "$FWD_ID" "$T/soa.json"
	run mirror_fwd
	assert_success
	assert_output --partial "route53-serial=4173596250->2026112601"
}

@test "mirror: --dry-run sends nothing and keeps no state; --keep rotates run folders" {
	start_all bind
	emu_reset_counters
	run mirror_fwd --dry-run
	assert_success
	assert_output --partial "result=dry-run"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	run mirror_fwd --dry-run
	assert_output --partial "check=full:"
	for i in 1 2 3 4; do
		run mirror_fwd --full --keep 2
		assert_success
	done
	# The first run changed Route 53: kept apart from the last 2 in-sync.
	[ "$(find "$(mirror_zone_dir "$FWD_ID")/runs" -mindepth 1 -maxdepth 1 -type d | wc -l)" -eq 3 ]
	[ -e "$(mirror_zone_dir "$FWD_ID")/last/source.rrset" ]
	# The dry runs left no trace: 4 runs in the history.
	[ "$(wc -l <"$(mirror_zone_dir "$FWD_ID")/history.log")" -eq 4 ]
}

@test "mirror: the watchdog stops a run that takes longer than --timeout (exit 13)" {
	start_all knot
	emu_faults '{"latency_ms":4000}'
	SECONDS=0
	run mirror_fwd --timeout 2
	assert_failure 13
	assert_output --partial "watchdog"
	[ "$SECONDS" -lt 30 ]
	emu_faults '{"clear":true}'
	run mirror_fwd
	assert_success
	mirror_converged "$FWD" "$FWD_ID"
}

@test "mirror: --syslog sends the summary line to logger instead of stdout" {
	start_all knot
	cat >"$T/logger" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$T/logger.calls"
EOF
	chmod +x "$T/logger"
	PATH="$T:$PATH" run mirror_fwd --syslog
	assert_success
	refute_output --partial "result="
	grep -q -- '-t r53mirror -p daemon.notice -- zone=mirror.test. ' "$T/logger.calls"
}

@test "mirror: SIGTERM stops the running stage at once and reports result=interrupted" {
	start_all knot
	cat >"$T/r53dump-pid" <<EOF2
#!/bin/bash
echo \$\$ >"$T/r53dump.pid"
exec "$R53M_BUILD/r53dump" "\$@"
EOF2
	mirror_wrap r53dump "$T/r53dump-pid"
	emu_faults '{"latency_ms":8000,"apis":["ListResourceRecordSets"]}'
	bash "$MIRROR_SH" --state-dir "$T/state" -p "$SERVER_PORT" -k "$SERVER_KEYFILE" \
		"$FWD" 127.0.0.1 "$FWD_ID" >"$T/term.out" 2>&1 &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/r53dump.pid" ] && break
		sleep 0.1
	done
	[ -s "$T/r53dump.pid" ]
	sleep 0.5
	SECONDS=0
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	cat "$T/term.out"
	[ "$st" -eq 143 ]
	[ "$SECONDS" -lt 6 ]
	grep -q 'result=interrupted' "$T/term.out"
	run mirror_alive "$(cat "$T/r53dump.pid")"
	assert_failure
	# The lock went with it: the next run goes ahead.
	emu_faults '{"clear":true}'
	run mirror_fwd --lock-wait 0
	assert_success
}

@test "mirror: pass-through of --ignore-ttl, --types, --max-delete-pct/--force, --endpoint-url" {
	start_all knot
	run mirror_fwd
	assert_success
	# Only a TTL and a TXT change (serial + 4).
	sed -e 's/ 2026112601 / 2026112605 /' -e 's/^www\t\tIN A\t/www\t600\tIN A\t/' \
		-e 's/^@\t\tIN TXT.*/@\t\tIN TXT\t"v=spf1 -all"/' \
		"$FIXTURES/mirror/$FWD.zone" >"$T/ttl.zone"
	server_update "$FWD" "$T/ttl.zone"
	run mirror_fwd --ignore-ttl --types A,AAAA,MX,SRV,CNAME
	assert_success
	assert_output --partial "changes=0 "
	assert_output --partial "route53-serial=2026112601->2026112605"
	grep -q '^#ignore-ttl' "$(mirror_zone_dir "$FWD_ID")/last/changes"
	# Other options: a full compare (the options hash changed), both seen.
	run mirror_fwd
	assert_success
	assert_output --partial "check=full:options-changed"
	assert_output --partial "changes=2 adds=0 deletes=0 updates=2"
	mirror_converged "$FWD" "$FWD_ID"

	# Two deletes out of 13 RRsets: over --max-delete-pct 5, refused
	# (nothing sent) unless --force.
	sed -e 's/ 2026112605 / 2026112606 /' -e '/^old\t/d' -e '/^ftp\t/d' \
		"$T/ttl.zone" >"$T/del.zone"
	server_update "$FWD" "$T/del.zone"
	emu_reset_counters
	run mirror_fwd --max-delete-pct 5
	assert_failure 4
	assert_output --partial "result=failed-r53apply"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	# The endpoint from --endpoint-url alone (no AWS_ENDPOINT_URL_ROUTE_53).
	run env -u AWS_ENDPOINT_URL_ROUTE_53 bash "$MIRROR_SH" --state-dir "$T/state" \
		--endpoint-url "$EMU_URL" -p "$SERVER_PORT" -k "$SERVER_KEYFILE" \
		--max-delete-pct 5 --force "$FWD" 127.0.0.1 "$FWD_ID"
	assert_success
	assert_output --partial "changes=2 adds=0 deletes=2"
	mirror_converged "$FWD" "$FWD_ID"
}

@test "mirror: an RFC 2317 zone name (with /) is quoted safely everywhere" {
	local port
	port=$(mirror_closed_port)
	run mirror --timeout 20 -p "$port" 0/26.2.0.192.in-addr.arpa 127.0.0.1 Z0000000002317
	[ "$status" -ne 0 ]
	assert_output --partial "zone=0/26.2.0.192.in-addr.arpa. hosted-zone=Z0000000002317 result=failed-zxfr"
	assert_output --regexp "mirror.sh: 0/26.2.0.192.in-addr.arpa.: zxfr: .*0/26.2.0.192.in-addr.arpa"
	run mirror --timeout 20 --private -p "$port" 0/26.2.0.192.in-addr.arpa 127.0.0.1
	[ "$status" -ne 0 ]
	[ -d "$T/state/name-0_26.2.0.192.in-addr.arpa-private" ]
}

@test "mirror: a new binary of any command forces a full compare (tool version in the state)" {
	start_all knot
	run mirror_fwd
	assert_success
	run mirror_fwd
	assert_output --partial "check=probe"
	# A different rrdiff (a wrapper: same behaviour, other bytes).
	printf '#!/bin/sh\nexec "%s/rrdiff" "$@"\n' "$R53M_BUILD" >"$T/rrdiff-new"
	mirror_wrap rrdiff "$T/rrdiff-new"
	run mirror_fwd
	assert_success
	assert_output --partial "check=full:options-changed"
	assert_output --partial "result=in-sync"
	run mirror_fwd
	assert_output --partial "check=probe"
}

# start_huge: Knot serving the forward zone plus huge.mirror.test. TXT,
# whose value is over Route 53's 4,000 characters (r53apply skips it);
# the emulator and FWD_ID.
start_huge() {
	local s255 big i
	s255=$(printf 'x%.0s' $(seq 1 255))
	big=""
	for i in $(seq 1 17); do big="$big \"$s255\""; done
	{ cat "$FIXTURES/mirror/$FWD.zone"; printf 'huge\tIN TXT\t%s\n' "$big"; } >"$T/huge.zone"
	server_start knot "$FWD" "$T/huge.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
}

@test "mirror: an RRset r53apply must skip gives exit 1 every run and never counts as drift" {
	start_huge
	run mirror_fwd
	assert_failure 1
	assert_output --partial "result=changed status=1"
	run emu_rrsets "$FWD_ID"
	assert_output --partial '"Name": "www.mirror.test."'
	refute_output --partial '"Name": "huge.mirror.test."'
	# The probe: nothing changed since.
	run mirror_fwd
	assert_success
	assert_output --partial "check=probe"
	# A full compare: the same skip again, no drift.
	run mirror_fwd --full
	assert_failure 1
	assert_output --partial "drift=0"
	assert_output --partial "changes=1 adds=1"
}

@test "mirror: r53apply killed after batch 1: exit 7, no false drift, the next run converges" {
	start_all knot
	run mirror_fwd
	assert_success
	# 1,500 new RRsets: two ChangeResourceRecordSets batches.
	big_change
	cat >"$T/r53apply-killed" <<EOF
#!/bin/bash
base=\$(curl -sS "$EMU_URL/_emu/counters" | jq ".ChangeResourceRecordSets // 0")
"$R53M_BUILD/r53apply" "\$@" &
pid=\$!
for ((i = 0; i < 300; i++)); do
	n=\$(curl -sS "$EMU_URL/_emu/counters" | jq ".ChangeResourceRecordSets // 0")
	[ "\$n" -ge \$((base + 1)) ] && break
	sleep 0.1
done
sleep 0.3
kill -9 \$pid
wait \$pid
EOF
	mirror_wrap r53apply "$T/r53apply-killed"
	emu_faults '{"latency_ms":1500,"apis":["ChangeResourceRecordSets"]}'
	run mirror_fwd
	assert_failure 7
	assert_output --partial "result=failed-r53apply"
	# The batch in flight when r53apply died still lands (after the
	# emulator's latency of 1.5 s): wait until the zone stops changing.
	local prev="" cur
	sleep 2
	for ((i = 0; i < 50; i++)); do
		cur=$(emu_admin get zones | tr -d ' \n')
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 1
	done
	emu_faults '{"clear":true}'
	mirror_unwrap r53apply
	# Route 53 holds part of the change now; that is not drift (no
	# snapshot of what Route 53 holds: not checked, and said so).
	run mirror_fwd
	assert_success
	assert_output --partial "drift=unchecked"
	mirror_converged "$FWD" "$FWD_ID"
	run mirror_fwd --full
	assert_success
	assert_output --partial "changes=0 "
	assert_output --partial "drift=0"
}

# ------------------------------------------------- review fixes (items 1-8)

# big_change: the source gets 1,500 new RRsets (serial + 1).
big_change() {
	{
		sed 's/ 2026112601 / 2026112602 /' "$FIXTURES/mirror/$FWD.zone"
		for ((i = 1; i <= 1500; i++)); do
			printf 'n%d\tIN A\t10.1.%d.%d\n' "$i" $((i / 250)) $((i % 250))
		done
	} >"$T/big.zone"
	server_update "$FWD" "$T/big.zone"
}

@test "mirror: SIGTERM while r53apply runs drops the drift baseline: no false drift next run" {
	start_all knot
	run mirror_fwd
	assert_success
	big_change
	# r53apply does all its work, then lingers: the signal comes after
	# Route 53 has changed.
	cat >"$T/r53apply-slow" <<EOF2
#!/bin/bash
"$R53M_BUILD/r53apply" "\$@"
st=\$?
echo "\$st" >"$T/applied.flag"
exec sleep 60
EOF2
	mirror_wrap r53apply "$T/r53apply-slow"
	mirror_term_when "$T/applied.flag" "$T/term" --state-dir "$T/state" \
		-p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$FWD" 127.0.0.1 "$FWD_ID"
	[ "$TERM_STATUS" -eq 143 ]
	[ "$(cat "$T/applied.flag")" -eq 0 ]
	[ ! -e "$(mirror_zone_dir "$FWD_ID")/applied.rrset" ]
	grep -q 'result=interrupted' "$T/term.out"
	mirror_unwrap r53apply
	# Our own changes are not drift: the next run converges, exit 0.
	run mirror_fwd
	assert_success
	refute_output --partial "changed outside the mirror"
	assert_output --partial "drift=unchecked"
	mirror_converged "$FWD" "$FWD_ID"
	run mirror_fwd --full
	assert_success
	assert_output --partial "drift=0"
}

@test "mirror: a signal during a redirected stage still puts the summary on the script's stdout" {
	# zxfr --serial hangs; the trap runs while its stdout is probe.out.
	cat >"$T/zxfr-hang" <<EOF2
#!/bin/bash
echo \$\$ >"$T/zxfr.pid"
exec sleep 60
EOF2
	mirror_wrap zxfr "$T/zxfr-hang"
	mirror_term_when "$T/zxfr.pid" "$T/sig" --state-dir "$T/state" \
		example.test 127.0.0.1 Z0000000000SIGS
	[ "$TERM_STATUS" -eq 143 ]
	grep -q '^zone=example.test. hosted-zone=Z0000000000SIGS result=interrupted status=143 ' "$T/sig.out"
	grep -q 'interrupted by SIGTERM' "$T/sig.err"
	run grep -c 'result=' "$T/state/id-Z0000000000SIGS/probe.out"
	assert_output 0
	run mirror_alive "$(cat "$T/zxfr.pid")"
	assert_failure
}

@test "mirror: a source whose SOA answers but whose transfers fail goes stale (exit 11)" {
	start_all knot
	# From the start (a new binary would force a full compare): zxfr
	# whose transfers fail once $T/noxfr exists; its probes always work.
	cat >"$T/zxfr-noxfr" <<EOF2
#!/bin/bash
case " \$* " in *" --serial "*) exec "$R53M_BUILD/zxfr" "\$@" ;; esac
if [ -e "$T/noxfr" ]; then
	echo "zxfr: transfer refused (simulated)" >&2
	exit 5
fi
exec "$R53M_BUILD/zxfr" "\$@"
EOF2
	mirror_wrap zxfr "$T/zxfr-noxfr"
	run mirror_fwd
	assert_success
	: >"$T/noxfr"
	# A no-change probe needs no transfer: the source counts as OK.
	run mirror_fwd
	assert_success
	assert_output --partial "result=unchanged"
	run mirror_fwd --full --stale-after 60
	assert_failure 5
	assert_output --partial "result=failed-zxfr"
	sleep 2
	# The probe works, the transfer does not: stale after --stale-after.
	run mirror_fwd --full --stale-after 1
	assert_failure 11
	assert_output --partial "result=stale"
	# So too when the serial moved and every run must transfer.
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	run mirror_fwd --stale-after 1
	assert_failure 11
	assert_output --partial "check=incremental"
	rm -f "$T/noxfr"
	run mirror_fwd --stale-after 1
	assert_success
}

@test "mirror: drift is found (exit 12) after an option or tool change too" {
	start_all knot
	run mirror_fwd
	assert_success
	cat >"$T/batch.json" <<'EOF2'
{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"www.mirror.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.66"}]}}]}
EOF2
	emu_change "$FWD_ID" "$T/batch.json"
	# A new rrdiff binary: the option hash changes, the check stays.
	printf '#!/bin/sh\nexec "%s/rrdiff" "$@"\n' "$R53M_BUILD" >"$T/rrdiff-new"
	mirror_wrap rrdiff "$T/rrdiff-new"
	run mirror_fwd
	assert_failure 12
	assert_output --partial "check=full:options-changed"
	assert_output --partial "result=drift-repaired"
	assert_output --partial "drift=1"
	mirror_converged "$FWD" "$FWD_ID"
	# The same with an option added (the hand change is not only a TTL).
	emu_change "$FWD_ID" "$T/batch.json"
	run mirror_fwd --ignore-ttl
	assert_failure 12
	assert_output --partial "check=full:options-changed"
	assert_output --partial "drift=1"
	# Compared as the run that applied compared: a run with --types A
	# leaves the TXT change at the source out of Route 53; a later run
	# without --types repairs it, and that is no drift.
	sed -e 's/ 2026112601 / 2026112603 /' -e 's/^@\t\tIN TXT.*/@\t\tIN TXT\t"v=spf1 -all"/' \
		"$FIXTURES/mirror/$FWD.zone" >"$T/txt.zone"
	server_update "$FWD" "$T/txt.zone"
	run mirror_fwd --types A
	assert_success
	assert_output --partial "changes=0 "
	run mirror_fwd
	assert_success
	assert_output --partial "check=full:options-changed"
	assert_output --partial "changes=1 adds=0 deletes=0 updates=1"
	assert_output --partial "drift=0"
	# Without a snapshot of the stream format, the check is skipped and
	# the summary says so.
	sed -i '1s/^#!r53mirror-rrset 1$/#!r53mirror-rrset 0/' "$(mirror_zone_dir "$FWD_ID")/applied.rrset"
	run mirror_fwd --full
	assert_success
	assert_output --partial "drift=unchecked"
}

@test "mirror: runs of one hosted zone by id and by name exclude each other" {
	start_all knot
	run mirror_fwd
	assert_success
	local idlock
	idlock="$(mirror_zone_dir "$FWD_ID")/lock"
	exec 8>>"$idlock"
	flock 8
	# By name, first run (the id found by the dump): waits for the id's
	# lock before anything is written, exit 10.
	emu_reset_counters
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --private --vpc-id "$VPC" \
		--lock-wait 1 "$FWD" 127.0.0.1
	assert_failure 10
	assert_output --partial "another run holds $idlock"
	assert_output --partial "result=locked"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	flock -u 8
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --private --vpc-id "$VPC" "$FWD" 127.0.0.1
	assert_success
	assert_output --partial "hosted-zone=private:$VPC/$FWD_ID "
	flock 8
	# The id cached: a full compare by name waits too...
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --private --vpc-id "$VPC" \
		--lock-wait 1 --full "$FWD" 127.0.0.1
	assert_failure 10
	assert_output --partial "result=locked"
	# ...while the no-change probe (it writes nothing) stays one DNS
	# query and one request, and never waits.
	emu_reset_counters
	run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --private --vpc-id "$VPC" \
		--lock-wait 0 "$FWD" 127.0.0.1
	assert_success
	assert_output --partial "result=unchanged"
	assert_output --partial "requests=1 dns-queries=1"
	mirror_probe_requests_ok 1
	exec 8>&-
}

@test "mirror: a zone named -x.example. is passed after -- to every command (BIND, NSD, Knot)" {
	local kind id
	emu_start
	for kind in bind nsd knot; do
		server_start "$kind" -x.example. "$FIXTURES/mirror/dash.zone"
		id=$(emu_create_zone -x.example. --private "vpc-0dash$kind")
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" -- -x.example. 127.0.0.1 "$id"
		assert_success
		refute_output --partial "invalid option"
		assert_output --partial "zone=-x.example. hosted-zone=$id result=changed status=0 "
		assert_output --partial "route53-serial=1->2026112701 "
		mirror_converged -x.example. "$id"
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" -- -x.example. 127.0.0.1 "$id"
		assert_success
		assert_output --partial "result=unchanged"
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" --full -- -x.example. 127.0.0.1 "$id"
		assert_success
		assert_output --partial "result=in-sync status=0 check=full:asked serial=2026112701 route53-serial=2026112701 changes=0 "
		server_stop
	done
	# By name (r53dump/r53apply --zone -x.example.), unreachable source:
	# a plain failure of zxfr, no option error anywhere.
	run mirror --timeout 20 -p "$(mirror_closed_port)" --public -- -x.example 127.0.0.1
	assert_failure 5
	refute_output --partial "invalid option"
	refute_output --partial "unrecognized option"
	assert_output --partial "zone=-x.example. hosted-zone=public result=failed-zxfr"
}

# tree_sum DIR: every file's path, mode, size and bytes, and every link.
tree_sum() {
	(cd "$1" && find . -printf '%p %m %s %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}

@test "mirror: --dry-run keeps no state: the zone's state folder stays byte for byte" {
	start_all knot
	# Nothing at all before the first real run.
	run mirror_fwd --dry-run
	assert_success
	assert_output --partial "result=dry-run"
	assert_output --partial "check=full:new-state"
	[ ! -e "$T/state/id-$FWD_ID" ]
	for i in 1 2; do
		run mirror_fwd --full --keep 2
		assert_success
	done
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	cat >"$T/batch.json" <<'EOF2'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"rogue.mirror.test.","Type":"TXT","TTL":60,"ResourceRecords":[{"Value":"\"by hand\""}]}}]}
EOF2
	emu_change "$FWD_ID" "$T/batch.json"
	local d before
	d=$(mirror_zone_dir "$FWD_ID")
	before=$(tree_sum "$d")
	emu_reset_counters
	mkdir "$T/tmp"
	TMPDIR="$T/tmp" run mirror_fwd --dry-run --keep 1
	# What would change is printed; drift found (exit 12), nothing sent.
	assert_failure 12
	assert_output --partial "result=dry-run"
	assert_output --partial "check=full:source-serial-2026112601-to-2026112602"
	assert_output --partial "changes=4 "
	assert_output --partial "rogue.mirror.test."
	assert_output --partial "drift=1"
	[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
	[ "$(tree_sum "$d")" = "$before" ]
	# No temporary folder left behind.
	[ -z "$(ls -A "$T/tmp")" ]
	TMPDIR="$T/tmp" run mirror_fwd --dry-run
	[ "$(tree_sum "$d")" = "$before" ]
	[ -z "$(ls -A "$T/tmp")" ]
	# (An incremental run would not list the zone: a full compare.)
	run mirror_fwd --full
	assert_failure 12
	assert_output --partial "result=drift-repaired"
}

@test "mirror: route53-serial shows the serial Route 53 holds, not the one r53apply held back" {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	# A record nobody mirrored: the first apply holds its delete (and
	# with it the SOA) back without --adopt.
	cat >"$T/batch.json" <<'EOF2'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"legacy.mirror.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.9"}]}}]}
EOF2
	emu_change "$FWD_ID" "$T/batch.json"
	run mirror_fwd
	assert_failure 1
	assert_output --partial "route53-serial=1 "
	refute_output --partial "->2026112601"
	run emu_rrsets "$FWD_ID"
	refute_output --regexp '"[^"]* 2026112601 [0-9 ]+"'
	# With --adopt the SOA is written: the arrow says so.
	run mirror_fwd --adopt
	assert_success
	assert_output --partial "route53-serial=1->2026112601 "
	mirror_converged "$FWD" "$FWD_ID"
}

# ------------------------------------- issue 9: what a run says it did

@test "mirror: after a run that skipped an RRset, drift on an RRset it applied is found next time" {
	start_huge
	run mirror_fwd
	assert_failure 1
	assert_output --partial "result=changed status=1"
	local d
	d=$(mirror_zone_dir "$FWD_ID")
	# Only the skipped RRset is left out of the next drift check.
	run cat "$d/unsettled.keys"
	assert_output "$(printf 'huge.mirror.test.\tTXT')"
	cat >"$T/batch.json" <<'EOF2'
{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"www.mirror.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.66"}]}}]}
EOF2
	emu_change "$FWD_ID" "$T/batch.json"
	run mirror_fwd --full
	assert_failure 12
	assert_output --partial "result=drift-repaired"
	assert_output --partial " drift=1 "
	assert_output --partial "changed outside the mirror"
	grep -q '^<	www.mirror.test.	A	' "$d/last/drift.changes"
	run cat "$d/unsettled.keys"
	assert_output "$(printf 'huge.mirror.test.\tTXT')"
}

@test "mirror: the summary says skipped=N and where the list is" {
	start_huge
	run mirror_fwd
	assert_failure 1
	local d
	d=$(mirror_zone_dir "$FWD_ID")
	assert_output --partial " updates=0 skipped=1 drift=unchecked "
	assert_output --regexp " skipped-list=$d/runs/[^ /]+/skipped\$"
	local list
	list=$(printf '%s\n' "$output" | sed -n 's/.* skipped-list=\([^ ]*\)$/\1/p')
	run cat "$list"
	assert_output --regexp "^skipped	huge.mirror.test.	TXT	[0-9]+\$"
	# What r53apply said of it reached stderr once.
	run mirror_fwd --full
	assert_failure 1
	[ "$(printf '%s\n' "$output" | grep -c 'skipped: line [0-9]*: huge.mirror.test. TXT')" -eq 1 ]
	assert_output --partial " skipped=1 drift=0 "
	# Nothing but the skipped RRset to change: nothing changed.
	assert_output --partial "result=skipped status=1"
	# A dry run counts them too; its plan is the list (its run folder
	# is temporary: no path to it).
	run mirror_fwd --full --dry-run
	assert_success
	assert_output --partial "skipped: line "
	assert_output --partial " skipped=1 drift=0 "
	refute_output --partial "skipped-list="
	# A run with nothing skipped names no list.
	server_update "$FWD" "$FIXTURES/mirror/$FWD.v2.zone"
	run mirror_fwd
	assert_success
	assert_output --partial " skipped=0 "
	refute_output --partial "skipped-list="
}

@test "mirror: every change held back: result=held, not changed" {
	cat >"$T/min.zone" <<'EOF2'
$ORIGIN mirror.test.
$TTL 3600
@	IN SOA	ns1.mirror.test. hostmaster.mirror.test. 2026112601 7200 900 1209600 300
@	IN NS	ns1
ns1	IN A	192.0.2.53
EOF2
	server_start knot "$FWD" "$T/min.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	# Route 53 holds the source's records, and one nobody mirrored:
	# its delete is held back (a first apply without --adopt).
	cat >"$T/batch.json" <<'EOF2'
{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"ns1.mirror.test.","Type":"A","TTL":3600,"ResourceRecords":[{"Value":"192.0.2.53"}]}},
{"Action":"CREATE","ResourceRecordSet":{"Name":"legacy.mirror.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.9"}]}}]}
EOF2
	emu_change "$FWD_ID" "$T/batch.json"
	run mirror_fwd
	assert_failure 1
	assert_output --partial "result=held status=1"
	assert_output --partial "changes=1 adds=0 deletes=1 updates=0 skipped=1 "
	run emu_rrsets "$FWD_ID"
	assert_output --partial '"Name": "legacy.mirror.test."'
}

@test "mirror: stage warnings reach stderr and syslog once each on a run that went well; drift=unchecked unless checked" {
	# HINFO is not managed: rrdiff warns, and the run goes well.
	{ cat "$FIXTURES/mirror/$FWD.zone"; printf 'pc\tIN HINFO\t"PC" "Linux"\n'; } >"$T/hinfo.zone"
	server_start knot "$FWD" "$T/hinfo.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	cat >"$T/logger" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$T/logger.calls"
case " \$* " in *" -- "*) ;; *) cat >>"$T/logger.calls" ;; esac
EOF
	chmod +x "$T/logger"
	PATH="$T:$PATH" run mirror_fwd --syslog
	assert_success
	refute_output --partial "result="
	[ "$(printf '%s\n' "$output" | grep -c 'rrdiff: warning: type HINFO is not managed')" -eq 1 ]
	grep -q -- '-t r53mirror -p daemon.warning' "$T/logger.calls"
	[ "$(grep -c 'mirror.test.: rrdiff: warning: type HINFO is not managed' "$T/logger.calls")" -eq 1 ]
	# The probe does not check drift, and says so.
	run mirror_fwd
	assert_success
	assert_output --partial "check=probe"
	assert_output --partial " drift=unchecked "
	refute_output --partial "warning"
	# A full compare checks it; the warning comes once (the drift
	# check's own rrdiff is quiet).
	run mirror_fwd --full
	assert_success
	assert_output --partial " drift=0 "
	[ "$(printf '%s\n' "$output" | grep -c 'rrdiff: warning: type HINFO is not managed')" -eq 1 ]
}
