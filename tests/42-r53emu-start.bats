#!/usr/bin/env bats
# The Route 53 emulator: start-up options, libcurl's own SigV4 signer
# (curl --aws-sigv4) on one kept-alive connection, Expect: 100-continue,
# and the admin API's error answers.

load test_helper

teardown() {
	emu_stop
}

@test "curl --aws-sigv4: one connection reused, Expect: 100-continue, chunked body" {
	command -v curl >/dev/null || skip "no curl"
	emu_start
	z=$(emu_create_zone example.com)
	/usr/bin/python3 - "$T/batch.xml" <<'EOF'
import sys
ch = "".join('<Change><Action>CREATE</Action><ResourceRecordSet><Name>h%d.example.com</Name>'
             '<Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>10.0.0.%d'
             '</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>' % (i, i)
             for i in range(40))
open(sys.argv[1], "w").write(
    '<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest '
    'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>%s'
    '</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>' % ch)
EOF
	sed 's/h\([0-9]*\)\.example/c\1.example/g' "$T/batch.xml" >"$T/batch2.xml"
	run curl -sS -v --aws-sigv4 aws:amz:us-east-1:route53 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H 'Content-Type: text/xml' -H 'Expect: 100-continue' \
		--data-binary "@$T/batch.xml" "$EMU_URL/2013-04-01/hostedzone/$z/rrset/" \
		--next --aws-sigv4 aws:amz:us-east-1:route53 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H 'Content-Type: text/xml' -H 'Transfer-Encoding: chunked' \
		--data-binary "@$T/batch2.xml" "$EMU_URL/2013-04-01/hostedzone/$z/rrset/" \
		--next --aws-sigv4 aws:amz:us-east-1:route53 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		"$EMU_URL/2013-04-01/hostedzone/$z/rrset?maxitems=2&name=h1.example.com"
	assert_success
	assert_output --partial '< HTTP/1.1 100 Continue'
	assert_output --partial 'Re-using existing connection'
	assert_output --partial '<Status>PENDING</Status>'
	assert_output --partial '<Name>h1.example.com.</Name>'
	assert_output --partial '<NextRecordName>h11.example.com.</NextRecordName>'
	refute_output --partial 'HTTP/1.1 4'
	[ "$(emu_count ChangeResourceRecordSets)" = 2 ]
	run emu_rrsets "$z"
	assert_output --partial '"Name": "c39.example.com."'
	# curl 7.88 signs the query string unsorted (fixed in later curl); the
	# SigV4 spec (and Route 53) sort it, so that request fails.
	run curl -sS --aws-sigv4 aws:amz:us-east-1:route53 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		"$EMU_URL/2013-04-01/hostedzone/$z/rrset?name=h1.example.com&maxitems=2"
	if curl --version | grep -q '^curl 7\.88'; then
		assert_output --partial '<Code>SignatureDoesNotMatch</Code>'
		grep -q '^maxitems=2&name=h1.example.com$' "$EMU_LOG"
	fi
	# A wrong secret through libcurl's signer.
	run curl -sS --aws-sigv4 aws:amz:us-east-1:route53 --user "$AWS_ACCESS_KEY_ID:wrong" "$EMU_URL/2013-04-01/hostedzone/$z"
	assert_output --partial '<Code>SignatureDoesNotMatch</Code>'
	grep -q 'signature mismatch; canonical request' "$EMU_LOG"
}

@test "start options: key pair, quota, faults with seed, pending time; --help" {
	run /usr/bin/python3 "$TOP_DIR/tests/r53emu/r53emu.py" --help
	assert_success
	assert_output --partial '--listen'
	emu_start --access-key AKIDOTHER --secret-key s3cr3t --quota 3 \
		--pending-seconds 30 --throttle-rate 0.5 --seed 42
	run emu_admin get faults
	assert_output --partial '"throttle_rate": 0.5'
	assert_output --partial '"seed": 42'
	emu_faults '{"clear":true}'
	z=$(emu_create_zone example.com)
	export z
	run env PYTHONPATH="$TOP_DIR/tests/r53emu" /usr/bin/python3 - <<'EOF'
import os
from boto import r53, err, change
z = os.environ["z"]
e = err(lambda: r53().get_hosted_zone(Id=z))
assert e[0] == "InvalidClientTokenId", e
c = r53(key="AKIDOTHER", secret="s3cr3t")
assert c.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId=z)["Limit"]["Value"] == 3
cid = change(c, z, ("CREATE", "a.example.com", "A", 1, ["192.0.2.1"]))["ChangeInfo"]["Id"]
assert c.get_change(Id=cid)["ChangeInfo"]["Status"] == "PENDING"
e = err(lambda: change(c, z, ("CREATE", "b.example.com", "A", 1, ["192.0.2.1"])))
assert e[0] == "InvalidChangeBatch" and "MAX_RRSETS_BY_ZONE" in e[1], e
print("OK")
EOF
	assert_success
	assert_output OK
}

@test "admin API: bad JSON, unknown settings and paths answer errors" {
	emu_start
	run emu_admin post faults '{"throttle_rate": 2}'
	assert_failure
	assert_output --partial 'must be in [0,1]'
	run emu_admin post faults '{"no_such_setting": 1}'
	assert_failure
	run emu_admin post faults 'not json'
	assert_failure
	assert_output --partial 'bad JSON'
	run emu_admin get zones/ZNOPE/rrsets
	assert_failure
	assert_output --partial 'NoSuchHostedZone'
	run emu_admin post zones '{"name":"private.example","private":true,"vpc":"vpc-9"}'
	assert_success
	run emu_admin get zones
	assert_output --partial '"private": true'
	# Unknown API paths get a Route 53 style error.
	run /usr/bin/python3 "$TOP_DIR/tests/r53emu/rawreq.py" "$EMU_URL" GET /2013-04-01/nosuchthing
	assert_line --index 0 404
	assert_output --partial '<ErrorResponse'
}

@test "emu_admin over /dev/tcp: counters/NAME, bodies and statuses as emuctl.py gives them" {
	emu_start
	z=$(emu_create_zone count.example)
	[[ $z == Z* ]]
	[ "$(emu_count ChangeResourceRecordSets)" = 0 ]
	cat >"$T/b.json" <<'EOF2'
{"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "a.count.example",
 "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}
EOF2
	emu_change "$z" "$T/b.json" >/dev/null
	emu_change "$z" "$T/b.json" >/dev/null || true   # exists: refused, counted
	[ "$(emu_count ChangeResourceRecordSets)" = 2 ]
	[ "$(emu_count NoSuchApi)" = 0 ]
	# The same numbers through the other client (python3, urllib).
	py=$(/usr/bin/python3 "$EMU_DIR/emuctl.py" "$EMU_URL" get counters)
	[ "$(jq '.ChangeResourceRecordSets' <<<"$py")" = 2 ]
	[ "$(jq '._errors.InvalidChangeBatch' <<<"$py")" = 1 ]
	[ "$(emu_admin get counters | jq -S .)" = "$(jq -S . <<<"$py")" ]
	# An error answer: its body on stdout, status 1.
	run emu_admin get zones/ZNOPE/rrsets
	assert_failure 1
	assert_output --partial 'NoSuchHostedZone'
	# A POST body of several lines arrives whole, non-ASCII octets too
	# (its length is counted in octets: one short would be bad JSON).
	run emu_admin post zones "$(printf '{\n "name":\n "lines.example"}')"
	assert_success
	assert_output --partial '"name": "lines.example."'
	run emu_admin post zones "$(printf '{"name": "caf\303\251.example"}')"
	assert_failure 1
	assert_output --partial 'InvalidCharacter'
	emu_stop
	run emu_admin get health
	assert_failure 1
	assert_output --partial "/dev/tcp/127.0.0.1/${EMU_URL##*:}: Connection refused"
}

@test "emu_stop: the emulator is gone, the port is free; emu_start fails cleanly" {
	emu_start
	pid=$EMU_PID
	url=$EMU_URL
	emu_stop
	run kill -0 "$pid"
	assert_failure
	run /usr/bin/python3 "$TOP_DIR/tests/r53emu/emuctl.py" "$url" get counters
	assert_failure
	assert_output --partial 'Connection refused'
	run emu_start --no-such-option
	assert_failure
	assert_output --partial 'r53emu did not start'
	[ -z "$EMU_PID" ]
}

# /proc/PID/stat: field 4 is the parent's pid (field 2, the name, has no
# space here: python3).
ppid_of() {
	local f
	read -r -a f <"/proc/$1/stat"
	echo "${f[3]}"
}

@test "emufork: each emulator its own process and port, gone with the shell that started it" {
	emu_start
	a_pid=$EMU_PID a_url=$EMU_URL
	# Forked by this file's fork server, not a child of this shell.
	server=$(ppid_of "$a_pid")
	[ "$server" != "$BASHPID" ]
	grep -q emufork.py "/proc/$server/cmdline"
	# Started in a subshell: the emulator goes when the subshell does
	# (--exit-with-pid), though its parent, the fork server, stays.
	(
		EMU_PIDS=
		EMU_STATE="$T/sub.json" emu_start
		echo "$EMU_PID $EMU_URL" >"$T/sub"
	)
	read -r b_pid b_url <"$T/sub"
	[ "$b_pid" != "$a_pid" ] && [ "$b_url" != "$a_url" ]
	[ "$(ppid_of "$b_pid" 2>/dev/null || echo gone)" = "$server" ] ||
		[ ! -e "/proc/$b_pid" ]
	for ((i = 0; i < 50; i++)); do
		kill -0 "$b_pid" 2>/dev/null || break
		sleep 0.1
	done
	run kill -0 "$b_pid"
	assert_failure
	kill -0 "$server"
	# The first is untouched; its options were its own.
	EMU_URL=$a_url run emu_admin get health
	assert_success
	# Bad options: argparse's message in the log, the start fails.
	run emu_start --no-such-option
	assert_failure
	assert_output --partial 'unrecognized arguments: --no-such-option'
	# EMU_FORK=0: python3 -m r53emu, a child of this shell, as outside bats.
	emu_stop
	EMU_FORK=0 emu_start
	[ "$(ppid_of "$EMU_PID")" = "$BASHPID" ]
	run emu_admin get health
	assert_success
	# The fork server gone (it exits after 600 s idle): the same.
	emu_stop
	kill "$server"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	emu_start
	[ "$(ppid_of "$EMU_PID")" = "$BASHPID" ]
	run emu_admin get health
	assert_success
}

@test "wait_line: a first line written in two parts is read whole, bounded" {
	# As python3's print writes it with PYTHONUNBUFFERED=1: the text, then
	# the newline.  wait_file is satisfied by the half; wait_line is not.
	{ printf 'http://127.0.0.1:4'; sleep 0.4; printf '321\n'; } >"$T/url" &
	wait_file "$T/url"
	wait_line "$T/url" "$!"
	[ "$REPLY" = http://127.0.0.1:4321 ]
	# A writer gone without a newline: no line, at once.
	printf 'half' >"$T/half"
	/bin/true &
	wait "$!"
	SECONDS=0
	run wait_line "$T/half" "$!"
	assert_failure
	[ "$SECONDS" -lt 2 ]
	# Nothing written: failure after TRIES polls of 0.05 s.
	: >"$T/none"
	SECONDS=0
	run wait_line "$T/none" "" 10
	assert_failure
	[ "$SECONDS" -lt 3 ]
	# The emulator's URL is still read through it, under the same setting.
	PYTHONUNBUFFERED=1 EMU_FORK=0 emu_start
	[[ $EMU_URL == http://127.0.0.1:* ]]
}

@test "internal: the incremental listing index equals a full rebuild after random batches" {
	run /usr/bin/python3 "$TOP_DIR/tests/r53emu/selfcheck.py" 7 "$TOP_DIR/tests/r53emu"
	assert_success
	assert_output --regexp '^ok [0-9]+ failed batches [0-9]+ rrsets [0-9]+$'
}
