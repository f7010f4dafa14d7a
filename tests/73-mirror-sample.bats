#!/usr/bin/env bats
# 73-mirror-sample.bats: a hosted zone written the way the AWS mirror-dns
# Lambda sample writes it (one CREATE per RRset, dnspython's DECIMAL
# escapes in TXT, relative names made absolute by appending the zone),
# then edited by hand (upper-case targets, an extra record), is taken over
# by scripts/mirror.sh --adopt and converges in one run.

load test_helper
bats_require_minimum_version 1.5.0

Z=sample.test
WRITER="$FIXTURES/sample/sample-writer.py"

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

mirror_sample() {
	mirror -p "$SERVER_PORT" "$@" "$Z" 127.0.0.1 "$ZID"
}

# sample_zone: the DNS server with sample.test, the emulator, and the
# hosted zone ZID as the sample leaves it, plus hand-made edits.
sample_zone() {
	SERVER_TSIG=none server_start nsd "$Z" "$FIXTURES/sample/$Z.zone"
	emu_start
	ZID=$(emu_create_zone "$Z")
	emu_reset_counters
	run env EMU_URL="$EMU_URL" /usr/bin/python3 "$WRITER" 127.0.0.1 \
		"$SERVER_PORT" "$Z" "$ZID"
	echo "$output"
	assert_success
	# one request per RRset (the apex NS and SOA left out), then the SOA
	[ "$(emu_count ChangeResourceRecordSets)" -eq "$output" ]
	[ "$output" -eq 16 ]
	cat >"$T/byhand.json" <<'JSON'
{"Changes":[
{"Action":"UPSERT","ResourceRecordSet":{"Name":"alias.sample.test.","Type":"CNAME","TTL":3600,"ResourceRecords":[{"Value":"WWW.Sample.TEST."}]}},
{"Action":"UPSERT","ResourceRecordSet":{"Name":"sample.test.","Type":"MX","TTL":3600,"ResourceRecords":[{"Value":"10 MAIL.Sample.test."}]}},
{"Action":"CREATE","ResourceRecordSet":{"Name":"byhand.sample.test","Type":"TXT","TTL":300,"ResourceRecords":[{"Value":"\"x\\009y\""}]}}]}
JSON
	emu_change "$ZID" "$T/byhand.json" >/dev/null
}

@test "sample zone: the emulator stores decimal escapes and hand-made case as sent" {
	sample_zone
	awsr53 list-resource-record-sets --hosted-zone-id "$ZID" >"$T/list.json"
	/usr/bin/python3 - "$T/list.json" <<'PY'
import json, sys
rr = {(r["Name"], r["Type"]): [v["Value"] for v in r.get("ResourceRecords", [])]
      for r in json.load(open(sys.argv[1]))["ResourceRecordSets"]}
want = {
    ("tab.sample.test.", "TXT"): ['"v=1\\009x"'],
    ("multi.sample.test.", "TXT"): ['"first" "second\\009part"'],
    ("utf8.sample.test.", "TXT"): ['"caf\\195\\169"'],
    ("high.sample.test.", "TXT"): ['"b\\200c"'],
    ("alias.sample.test.", "CNAME"): ["WWW.Sample.TEST."],
    ("sample.test.", "MX"): ["10 MAIL.Sample.test."],
    ("_sip._tcp.sample.test.", "SRV"): ["10 5 5060 sip.sample.test."],
    ("\\052.wild.sample.test.", "A"): ["192.0.2.77"],
    ("byhand.sample.test.", "TXT"): ['"x\\009y"'],
}
for k, v in want.items():
    assert rr.get(k) == v, (k, rr.get(k), v)
assert rr[("sample.test.", "SOA")][0].split()[2] == "2026120301", rr
PY
}

@test "sample zone: mirror.sh --adopt takes it over and converges in one run" {
	sample_zone
	# r53dump reads it, warning once per RRset it cannot convert (three
	# of the sample's, one by hand)
	run --separate-stderr r53dump --zone-id "$ZID" -o "$T/before.rrset"
	assert_success
	echo "$stderr"
	[ "$(printf '%s\n' "$stderr" | grep -c 'warning: .*written without RDATA')" -eq 4 ]
	grep -qxF "$(printf 'tab.sample.test.\tTXT\t3600\t@raw=["\\"v=1\\\\009x\\""]')" "$T/before.rrset"

	run mirror_sample --adopt
	echo "$output"
	assert_success
	assert_output --partial "result=changed"
	assert_output --partial "check=full:new-state"
	# the three unreadable TXT of the sample and "b\200c" (octal for
	# Route 53: another octet) replaced, the hand-made TXT deleted; the
	# upper-case targets are the same data: left as they are
	assert_output --partial "changes=5 adds=0 deletes=1 updates=4"
	mirror_converged "$Z" "$ZID"
	r53a_list "$ZID" >"$T/after"
	cat "$T/after"
	grep -qxF 'tab.sample.test. TXT 3600 "v=1\011x"' "$T/after"
	grep -qxF 'utf8.sample.test. TXT 3600 "caf\303\251"' "$T/after"
	grep -qxF 'alias.sample.test. CNAME 3600 WWW.Sample.TEST.' "$T/after"
	! grep -q '^byhand\.' "$T/after"

	# the next run: in sync, the cheap probe
	emu_reset_counters
	run mirror_sample --adopt
	echo "$output"
	assert_success
	assert_output --partial "result=unchanged"
	assert_output --partial "requests=1 dns-queries=1"
	mirror_probe_requests_ok 1
	# and a full compare finds nothing to do, no warning
	run --separate-stderr mirror_sample --full
	echo "$output"
	assert_success
	assert_output --partial "changes=0"
	[ -z "$stderr" ]
}
