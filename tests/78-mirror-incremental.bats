#!/usr/bin/env bats
# 78-mirror-incremental.bats: mirror.sh's incremental path (issue 13):
# the transfer is an IXFR from the last applied stream (BIND with
# ixfr-from-differences, Knot with its journal: tests/helpers/ixfr.bash
# edits ixfr.test version by version), and a run whose source changed
# while Route 53 still holds our serial diffs against the Route 53
# snapshot of the last run instead of listing the hosted zone.  Every
# result is checked against a fresh AXFR and a fresh listing.

load test_helper

setup() {
	mirror_setup
}

teardown() {
	adv_stop 2>/dev/null || true
	emu_stop
	server_stop
}

# start KIND: KIND serving ixfr.test version 1, the emulator, a hosted
# zone for it (ID).
start() {
	ixfr_zone 1 >"$T/v1.zone"
	server_start "$1" ixfr.test "$T/v1.zone"
	emu_start
	ID=$(emu_create_zone ixfr.test)
}

mirror_ix() {
	mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" ixfr.test 127.0.0.1 "$ID"
}

# summary KEY: KEY's value in the summary line of the last run.
summary() {
	grep -o " $1=[^ ]*" <<<"$output" | tail -n 1 | cut -d= -f2-
}

# ------------------------------------------------------ rrdiff --patch

# streams: a Route 53 dump (base), a source (src), their changes (ch).
streams() {
	cat >"$T/base" <<'EOS'
#!r53mirror-rrset 1
#origin ex.test.
#serial 5
#producer r53dump 0.1.0
#zone-id Z1
a.ex.test.	A	300	192.0.2.1
b.ex.test.	A	300	192.0.2.2
ex.test.	NS	172800	ns-1.awsdns-1.com.
ex.test.	SOA	900	ns-1.awsdns-1.com. awsdns-hostmaster.amazon.com. 5 7200 900 1209600 86400
#end rrsets=4
EOS
	cat >"$T/src" <<'EOS'
#!r53mirror-rrset 1
#origin ex.test.
#serial 6
#producer zxfr 0.1.0
a.ex.test.	A	600	192.0.2.1
c.ex.test.	A	300	192.0.2.3
ex.test.	NS	3600	ns1.ex.test.
ex.test.	SOA	3600	ns1.ex.test. h.ex.test. 6 7200 900 1209600 300
#end rrsets=4
EOS
	run rrdiff -o "$T/ch" "$T/src" "$T/base"
	assert_failure 1
}

@test "rrdiff --patch: the base with the changes applied, the serial written into the SOA" {
	streams
	run rrdiff --patch "$T/ch" -o "$T/out" --stats "$T/st" "$T/base"
	assert_success
	run rrdiff "$T/src" "$T/out"
	assert_success
	grep -q '^#serial 6$' "$T/out"
	grep -q '^#zone-id Z1$' "$T/out"
	grep -q '^ex\.test\.	SOA	900	ns-1\.awsdns-1\.com\. awsdns-hostmaster\.amazon\.com\. 6 7200 ' "$T/out"
	grep -q '^ex\.test\.	NS	172800	ns-1\.awsdns-1\.com\.$' "$T/out"
	grep -q '^adds=1$' "$T/st"
	grep -q '^deletes=1$' "$T/st"
	grep -q '^updates=1$' "$T/st"
}

@test "rrdiff --patch: changes not computed against the base are refused, nothing written" {
	streams
	sed 's/192\.0\.2\.2$/192.0.2.9/' "$T/base" >"$T/base2"
	run rrdiff --patch "$T/ch" -o "$T/out" "$T/base2"
	assert_failure 2
	assert_output --partial "ch:"
	assert_output --partial "b.ex.test.	A: changes an RRset the base holds otherwise"
	[ ! -e "$T/out" ]
	sed 's/^#serial 5$/#serial 4/' "$T/base" >"$T/base3"
	run rrdiff --patch "$T/ch" "$T/base3"
	assert_failure 2
	assert_output --partial "current-serial is 5"
	refute_output --partial "#end"
	run rrdiff --patch "$T/ch" --ignore-ttl "$T/base"
	assert_failure 3
}

# ------------------------------------------------------------- mirror.sh

@test "incremental: the second run transfers by IXFR and keeps the change stream (Knot, BIND)" {
	local kind d
	for kind in knot bind; do
		start "$kind"
		run mirror_ix
		assert_success
		[ "$(summary xfr)" = axfr ]
		ixfr_set 2
		run mirror_ix
		assert_success
		[ "$(summary xfr)" = ixfr ]
		[ "$(summary result)" = changed ]
		d=$(mirror_zone_dir "$ID")
		grep -q '^#desired-serial 2026120102$' "$d/last/ixfr.changes"
		grep -q '^+	new\.ixfr\.test\.	AAAA	300	2001:db8::1$' "$d/last/ixfr.changes"
		mirror_converged ixfr.test "$ID"
		emu_stop
		server_stop
	done
}

# counts RUN: the emulator's request counters since the last reset.
lrrs() { emu_count ListResourceRecordSets; }

@test "incremental: a changed source diffs against the snapshot, no listing; equal to a full run" {
	local d
	start knot
	run mirror_ix
	assert_success
	d=$(mirror_zone_dir "$ID")
	# The snapshot is what a listing gives (but the producer).
	r53dump --zone-id "$ID" -o "$T/dump"
	diff <(grep -v '^#producer' "$T/dump") <(grep -v '^#producer' "$d/route53.rrset")
	ixfr_set 2
	emu_reset_counters
	run mirror_ix
	assert_success
	[ "$(summary check)" = incremental ]
	[ "$(summary result)" = changed ]
	[ "$(summary xfr)" = ixfr ]
	# The probe alone (maxitems 1), never a listing: r53apply takes the
	# SOA from the snapshot (--current) and looks no zone up; three adds
	# make it read the quota.
	[ "$(lrrs)" -eq 1 ] && [ "$(emu_count GetHostedZone)" = 0 ] &&
		[ "$(emu_count GetHostedZoneLimit)" = 1 ] || { emu_counters; false; }
	[ ! -e "$d/last/r53dump.stats" ]
	mirror_converged ixfr.test "$ID"
	r53dump --zone-id "$ID" -o "$T/dump"
	diff <(grep -v '^#producer' "$T/dump") <(grep -v '^#producer' "$d/route53.rrset")
	# One RRset deleted: the probe, the ownership read and the change
	# (issue 13: at most 3 requests).
	ixfr_set 3
	emu_reset_counters
	run mirror_ix
	assert_success
	[ "$(summary check)" = incremental ]
	[ "$(summary requests)" = 3 ] && [ "$(emu_count _total)" = 3 ] &&
		[ "$(emu_count ChangeResourceRecordSets)" = 1 ] || { emu_counters; false; }
	r53dump --zone-id "$ID" -o "$T/dump"
	diff <(grep -v '^#producer' "$T/dump") <(grep -v '^#producer' "$d/route53.rrset")
	mirror_converged ixfr.test "$ID"
	# Nothing changed: the probe alone, as before.
	emu_reset_counters
	run mirror_ix
	assert_success
	[ "$(summary check)" = probe ]
	mirror_probe_requests_ok 1
}

# hand_edit JSON: one change batch sent to the hosted zone by hand.
hand_edit() {
	printf '%s\n' "$1" >"$T/batch.json"
	emu_change "$ID" "$T/batch.json" >/dev/null
}

@test "incremental: hand edits Route 53 rejects (CREATE that exists, DELETE that no longer matches) fall back to a full compare that converges, drift reported" {
	local d
	start knot
	run mirror_ix
	assert_success
	d=$(mirror_zone_dir "$ID")
	# CREATE that exists: version 2 adds new.ixfr.test. A.
	hand_edit '{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"new.ixfr.test.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"203.0.113.5"}]}}]}'
	ixfr_set 2
	run mirror_ix
	assert_failure 12
	[ "$(summary check)" = full:incremental-failed ]
	[ "$(summary drift)" = 1 ]
	[ "$(summary result)" = drift-repaired ]
	assert_output --partial "Route 53 did not take every incremental change"
	[ -s "$d/last/incremental.changes" ]
	grep -q '^[<-]	new\.ixfr\.test\.	A	60	203\.0\.113\.5$' "$d/last/drift.changes"
	mirror_converged ixfr.test "$ID"
	# Then an incremental run, then a DELETE whose values changed by
	# hand: version 3 deletes h5.
	ixfr_set 3
	hand_edit '{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"h5.ixfr.test.","Type":"A","TTL":300,"ResourceRecords":[{"Value":"10.9.9.9"}]}}]}'
	run mirror_ix
	assert_failure 12
	[ "$(summary check)" = full:incremental-failed ]
	[ "$(summary drift)" = 1 ]
	mirror_converged ixfr.test "$ID"
	# Trusted again: the next change is incremental.
	ixfr_set 4
	run mirror_ix
	assert_success
	[ "$(summary check)" = incremental ]
	mirror_converged ixfr.test "$ID"
}

# adv_zxfr: zxfr as mirror.sh runs it, but at the advserver's port of
# the moment ($T/adv.port): a new advserver is a new port, and mirror.sh
# would take a new port for a new source.
adv_zxfr() {
	cat >"$T/adv-zxfr" <<EOS
#!/bin/bash
a=() prev=""
for x in "\$@"; do
	[ "\$prev" = -p ] && x=\$(cat "$T/adv.port")
	a+=("\$x")
	prev=\$x
done
exec "$R53M_BUILD/zxfr" "\${a[@]}"
EOS
	mirror_wrap zxfr "$T/adv-zxfr"
}

@test "incremental: a damaged IXFR (truncated, bad TSIG on a middle message) fails without touching Route 53; a sequence that does not apply falls back to AXFR" {
	local mode st
	adv_zxfr
	emu_start
	ID=$(emu_create_zone adv.test)
	adv_start ixfr-v0
	run mirror -p 53 -k "$FIXTURES/zones/keys/xfrkey.key" adv.test 127.0.0.1 "$ID"
	assert_success
	adv_stop
	r53dump --zone-id "$ID" -o "$T/before"
	for mode in ixfr-truncated:5 ixfr-bad-mac-middle:6; do
		st=${mode#*:}
		emu_reset_counters
		adv_start "${mode%%:*}" --conns 2
		run mirror -p 53 -k "$FIXTURES/zones/keys/xfrkey.key" adv.test 127.0.0.1 "$ID"
		assert_failure "$st"
		[ "$(summary result)" = failed-zxfr ]
		[ "$(summary check)" = incremental ]
		[ "$(emu_count ChangeResourceRecordSets)" -eq 0 ]
		r53dump --zone-id "$ID" -o "$T/after"
		diff <(grep -v '^#' "$T/before") <(grep -v '^#' "$T/after")
		adv_stop
	done
	adv_start ixfr-bad-apply --conns 2
	run mirror -p 53 -k "$FIXTURES/zones/keys/xfrkey.key" adv.test 127.0.0.1 "$ID"
	assert_success
	[ "$(summary xfr)" = axfr ]
	grep -q 'IXFR from serial 2026112599 not used: .*; transferring' \
		"$(mirror_zone_dir "$ID")/last/zxfr.err"
	grep -q '^new\.adv\.test\.	A	300	192\.0\.2\.202$' <(r53dump --zone-id "$ID")
}

@test "incremental: an apply killed midway leaves no snapshot: the next run compares in full" {
	local d
	start knot
	run mirror_ix
	assert_success
	d=$(mirror_zone_dir "$ID")
	[ -s "$d/route53.rrset" ]
	cat >"$T/kill-r53apply" <<EOS
#!/bin/bash
"$R53M_BUILD/r53apply" "\$@"
kill -KILL \$(ps -o ppid= -p \$PPID)
EOS
	mirror_wrap r53apply "$T/kill-r53apply"
	ixfr_set 2
	run mirror_ix
	[ "$status" -eq 137 ]
	[ ! -e "$d/route53.rrset" ]
	mirror_unwrap r53apply
	run mirror_ix
	assert_success
	[ "$(summary check)" = full:source-serial-2026120101-to-2026120102 ]
	mirror_converged ixfr.test "$ID"
	[ -s "$d/route53.rrset" ]
}

@test "incremental: a forward zone and its reverse zone, both incremental" {
	local fwd=mirror.test rev=2.0.192.in-addr.arpa fid rid z
	server_start knot "$fwd" "$FIXTURES/mirror/$fwd.zone" "$rev" "$FIXTURES/mirror/rev.zone"
	emu_start
	fid=$(emu_create_zone "$fwd")
	rid=$(emu_create_zone "$rev")
	for z in "$fwd:$fid" "$rev:$rid"; do
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "${z%%:*}" 127.0.0.1 "${z#*:}"
		assert_success
	done
	server_update "$fwd" "$FIXTURES/mirror/$fwd.v2.zone"
	server_update "$rev" "$FIXTURES/mirror/rev.v2.zone"
	for z in "$fwd:$fid" "$rev:$rid"; do
		run mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "${z%%:*}" 127.0.0.1 "${z#*:}"
		assert_success
		[ "$(summary check)" = incremental ]
		[ "$(summary xfr)" = ixfr ]
		[ "$(summary result)" = changed ]
		mirror_converged "${z%%:*}" "${z#*:}"
	done
}

@test "incremental: five changes in a row stay exact (BIND), and a full compare then finds nothing" {
	local v d
	start bind
	run mirror_ix
	assert_success
	d=$(mirror_zone_dir "$ID")
	for v in 2 3 4 5 6; do
		ixfr_set "$v"
		run mirror_ix
		assert_success
		[ "$(summary check)" = incremental ] || { echo "$output"; false; }
		[ "$(summary xfr)" = ixfr ]
		[ "$(summary serial)" = "$(ixfr_serial "$v")" ]
		mirror_converged ixfr.test "$ID"
		r53dump --zone-id "$ID" -o "$T/dump"
		diff <(grep -v '^#producer' "$T/dump") <(grep -v '^#producer' "$d/route53.rrset")
	done
	run mirror_ix --full
	assert_success
	[ "$(summary check)" = full:asked ]
	[ "$(summary changes)" = 0 ]
	[ "$(summary drift)" = 0 ]
	# --full-every 0: every run compares in full.
	run mirror_ix --full-every 0
	assert_success
	[ "$(summary check)" = full:full-every ]
}
