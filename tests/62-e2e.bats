#!/usr/bin/env bats
# End to end: a real DNS server (Knot, then BIND and NSD) serves the torture
# zone; zxfr | rrdiff against an empty hosted zone's r53dump | r53apply
# fills the Route 53 emulator; r53dump | rrdiff against the same zxfr
# output then finds no change (exit 0).  The emulator's state is
# cross-checked with the aws CLI.  A zone update on the server (update,
# delete, A -> CNAME, new records) converges the same way.

load test_helper

Z="$FIXTURES/zones"

setup() {
	r53a_emu
	zid=$(emu_create_zone torture.test)
}

teardown() {
	emu_stop
	server_stop
}

# mirror_once: zxfr -> $T/des, pipeline, convergence check.
mirror_once() {
	zxfr -k "$SERVER_KEYFILE" -p "$SERVER_PORT" -o "$T/des" torture.test 127.0.0.1
	r53a_pipeline "$zid" "$T/des" "$@"
	echo "$output"
	assert_success
	apply_output="$output"
	r53dump --zone-id "$zid" -o "$T/after"
	run rrdiff -o "$T/after.change" "$T/des" "$T/after"
	grep -v '^#' "$T/after.change" || true
	assert_success		# 0: no differences
}

# the RRsets Route 53 must hold: managed types, apex SOA/NS excluded
expected_count() {
	awk -F'\t' '!/^#/ && !($1 == "torture.test." && ($2 == "SOA" || $2 == "NS")) &&
		$2 ~ /^(A|AAAA|CAA|CNAME|DS|HTTPS|MX|NAPTR|NS|PTR|SPF|SRV|SSHFP|SVCB|TLSA|TXT)$/' "$1" | wc -l
}

e2e_kind() {
	server_start "$1" torture.test "$Z/torture.test.zone"
	mirror_once
	# cross-check with the aws CLI: every managed RRset plus the apex
	# SOA and NS, the SOA serial from the source, escapes in octal
	r53a_list "$zid" >"$T/list"
	cat "$T/list"
	[ "$(wc -l <"$T/list")" = $(( $(expected_count "$T/des") + 2 )) ]
	[ "$(r53a_serial "$zid")" = 2026112601 ]
	grep -qxF '\052.wild.torture.test. A 3600 192.0.2.99' "$T/list"
	grep -qxF 'caf\303\251.torture.test. A 3600 192.0.2.104' "$T/list"
	grep -qxF 'dot\056inside.torture.test. A 3600 192.0.2.101' "$T/list"
	grep -qxF 'www.torture.test. CNAME 3600 torture.test.' "$T/list"
	grep -qF '"semi;colon and tab\011here"' "$T/list"
	grep -qxF 'sub.torture.test. NS 3600 ns.elsewhere.example.|ns1.sub.torture.test.' "$T/list"
	# the apex NS stays Route 53's
	grep -q '^torture.test. NS 172800 ns-' "$T/list"
	! grep -q 'HINFO\|LOC\|RP \|TYPE65534\|DNSKEY' "$T/list"
}

@test "e2e: Knot torture zone -> empty hosted zone -> no differences" {
	command -v knotd >/dev/null || skip "knotd not installed"
	e2e_kind knot
}

@test "e2e: BIND torture zone -> empty hosted zone -> no differences" {
	command -v named >/dev/null || skip "named not installed"
	e2e_kind bind
}

@test "e2e: NSD torture zone -> empty hosted zone -> no differences" {
	command -v nsd >/dev/null || skip "nsd not installed"
	e2e_kind nsd
}

@test "e2e: a zone update on the server (update, delete, A->CNAME, add) converges in one request" {
	command -v knotd >/dev/null || skip "knotd not installed"
	server_start knot torture.test "$Z/torture.test.zone"
	mirror_once
	sed -e 's/2026112601/2026112602/' \
	    -e 's/^mail\t600\tIN A\t192.0.2.26$/mail\t600\tIN A\t192.0.2.27/' \
	    -e '/^svc-target/d' -e 's/^svc\t.*$/svc\t\tIN SVCB\t0 www.torture.test./' \
	    -e 's/^xn--caf-dma\tIN A\t192.0.2.103$/xn--caf-dma\tIN CNAME\twww/' \
	    "$Z/torture.test.zone" >"$T/v2.zone"
	printf 'new\tIN AAAA\t2001:db8::99\n' >>"$T/v2.zone"
	grep -q 192.0.2.27 "$T/v2.zone"
	server_update torture.test "$T/v2.zone"
	emu_reset_counters
	mirror_once --report "$T/rep.json"
	[[ "$apply_output" == *"created 2, updated 2, deleted 2, skipped 0, change requests 1,"* ]]
	[ "$(r53a_count ChangeResourceRecordSets)" = 1 ]
	[ "$(r53a_serial "$zid")" = 2026112602 ]
	r53a_list "$zid" >"$T/list"
	grep -qxF 'xn--caf-dma.torture.test. CNAME 3600 www.torture.test.' "$T/list"
	grep -qxF 'mail.torture.test. A 600 192.0.2.25|192.0.2.27' "$T/list"
	! grep -q '^svc-target' "$T/list"
	# nothing left to do: a second run sends no change request
	emu_reset_counters
	mirror_once
	[ "$(r53a_count ChangeResourceRecordSets)" = 0 ]
}
