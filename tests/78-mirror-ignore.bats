#!/usr/bin/env bats
# 78-mirror-ignore.bats: names left alone, as octoDNS's "ignored" and
# dnscontrol's IGNORE(): rrdiff --ignore PATTERN (NAME, *.NAME, @, *;
# relative to the origin unless absolute) keeps matching RRsets of either
# side out of the change stream; mirror.sh --ignore (also in a zone line)
# passes it: a record made by hand in the hosted zone under an ignored name
# survives full compares and is no drift, a source record under an ignored
# name is not created.  A bad pattern is a usage error naming it.

load test_helper

FWD=mirror.test
VPC=vpc-0ign00001

teardown() {
	emu_stop
	server_stop
}

# streams: DESIRED $T/d and CURRENT $T/c of example.com.
streams() {
	printf '#!r53mirror-rrset 1\n#origin example.com.\n#producer test\n' >"$T/d"
	printf 'a.dev.example.com.\tA\t300\t192.0.2.1\n' >>"$T/d"
	printf 'dev.example.com.\tA\t300\t192.0.2.2\n' >>"$T/d"
	printf 'keep.example.com.\tA\t300\t192.0.2.3\n' >>"$T/d"
	printf 'mydev.example.com.\tA\t300\t192.0.2.6\n' >>"$T/d"
	printf 'www.example.com.\tA\t300\t192.0.2.4\n#end rrsets=5\n' >>"$T/d"
	printf '#!r53mirror-rrset 1\n#origin example.com.\n#producer test\n' >"$T/c"
	printf 'hand.example.com.\tTXT\t300\t"made by hand"\n' >>"$T/c"
	printf 'www.example.com.\tA\t300\t192.0.2.99\n' >>"$T/c"
	printf 'x.y.dev.example.com.\tA\t300\t192.0.2.9\n#end rrsets=3\n' >>"$T/c"
}

# keys: the change lines' kind and owner, comma-separated.
keys() {
	grep -E '^[-+<>]	' "$T/out" | cut -f1,2 | tr '\t' ' ' | paste -sd,
}

@test "rrdiff --ignore: NAME, *.NAME (below, not itself), relative or absolute, both sides" {
	streams
	run rrdiff -o "$T/out" "$T/d" "$T/c"
	assert_failure 1
	[ "$(keys)" = "+ a.dev.example.com.,+ dev.example.com.,- hand.example.com.,+ keep.example.com.,+ mydev.example.com.,< www.example.com.,> www.example.com.,- x.y.dev.example.com." ]
	refute_output
	grep -q 'skipped=0 skipped-soa=0 skipped-apex-ns=0 skipped-dnssec=0 skipped-unmanaged=0 skipped-route53-only=0$' "$T/out"

	# *.dev: everything below dev (a.dev, x.y.dev), not dev, not mydev;
	# HAND: a relative name, any case; www.example.com.: absolute.
	run rrdiff --ignore '*.dev' --ignore HAND --ignore www.example.com. -o "$T/out" "$T/d" "$T/c"
	assert_failure 1
	[ "$(keys)" = "+ dev.example.com.,+ keep.example.com.,+ mydev.example.com." ]
	grep -qx '#ignored-names \*.dev.example.com.,hand.example.com.,www.example.com.' "$T/out"
	grep -q ' skipped=4 .* skipped-ignored=4$' "$T/out"

	# dev and *.dev: the whole subtree; @ and a name outside the zone.
	run rrdiff --ignore dev --ignore '*.dev' --ignore other.test. --ignore @ -o "$T/out" "$T/d" "$T/c"
	[ "$(keys)" = "- hand.example.com.,+ keep.example.com.,+ mydev.example.com.,< www.example.com.,> www.example.com." ]

	# *: every name below the origin: nothing to do.
	run rrdiff --ignore '*' -o "$T/out" "$T/d" "$T/c"
	assert_success
	[ -z "$(keys)" ]
	grep -q ' skipped=7 .* skipped-ignored=7$' "$T/out"	# www on both sides counts once
}

@test "rrdiff --ignore: a bad pattern is a usage error naming it; nothing is written" {
	streams
	local p
	for p in 'a..b' '.x' 'x.*' '*x' 'a b' 'a;b' '**.x' "$(printf 'l%.0s' {1..64})" ''; do
		run rrdiff --ignore "$p" -o "$T/out" "$T/d" "$T/c"
		assert_failure 3
		assert_output --partial "bad --ignore pattern '$p'"
		[ ! -e "$T/out" ]
	done
	run rrdiff --help
	assert_output --partial "--ignore PATTERN"
}

@test "mirror --ignore: a hand-made record survives full compares; a source record is not created" {
	mirror_setup
	server_start nsd "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	mirror_ign() {
		mirror -p "$SERVER_PORT" -k "$SERVER_KEYFILE" "$@" "$FWD" 127.0.0.1 "$FWD_ID"
	}
	# The source's old.mirror.test. and *.wild.mirror.test. are left out.
	run mirror_ign --ignore old --ignore '*.wild' --ignore hand.mirror.test.
	assert_success
	assert_output --partial "result=changed status=0"
	run r53a_list "$FWD_ID"
	assert_output --partial "www.mirror.test. A 3600 192.0.2.80"
	refute_output --partial "old.mirror.test."
	refute_output --partial "wild.mirror.test."

	# A record made by hand under an ignored name, and one at a name
	# the mirror manages.
	r53a_aws_create "$FWD_ID" hand.mirror.test TXT 300 '"made by hand"'
	r53a_aws_create "$FWD_ID" stray.mirror.test TXT 300 '"stray"'
	run mirror_ign --full --ignore old --ignore '*.wild' --ignore hand.mirror.test.
	assert_failure 12
	assert_output --regexp "result=drift-repaired status=12 .* changes=1 adds=0 deletes=1 updates=0 .* drift=1 "
	run r53a_list "$FWD_ID"
	assert_output --partial 'hand.mirror.test. TXT 300 "made by hand"'
	refute_output --partial "stray.mirror.test."
	refute_output --partial "old.mirror.test."
	run mirror_ign --full --ignore old --ignore '*.wild' --ignore hand.mirror.test.
	assert_success
	assert_output --regexp "result=in-sync status=0 .* changes=0 .* drift=0 "
	r53a_list "$FWD_ID" | grep -q '^hand.mirror.test. TXT'

	# The same from a zone line, relative patterns, with --all; the
	# command line's pattern adds to the line's.
	printf '%s 127.0.0.1:%s %s %s --ignore old --ignore *.wild --ignore hand\n' \
		"$FWD" "$SERVER_PORT" "$SERVER_KEYFILE" "$FWD_ID" >"$T/z.conf"
	r53a_aws_create "$FWD_ID" extra.mirror.test A 60 192.0.2.123
	run mirror --all "$T/z.conf" --full --ignore extra
	assert_success
	assert_output --regexp "result=in-sync status=0 .* changes=0 "
	r53a_list "$FWD_ID" | grep -q '^hand.mirror.test. TXT'
	r53a_list "$FWD_ID" | grep -q '^extra.mirror.test. A'

	# Without --ignore the names are mirrored again: the hand-made
	# records go, the source's come.
	run mirror_ign --full
	assert_output --regexp "changes=4 adds=2 deletes=2 updates=0"
	run r53a_list "$FWD_ID"
	refute_output --partial "hand.mirror.test."
	refute_output --partial "extra.mirror.test."
	assert_output --partial "old.mirror.test. A 3600 192.0.2.99"
}

@test "mirror --ignore: a bad pattern is a usage error naming it, on the command line or in a zone line" {
	mirror_setup
	run mirror --ignore 'x.*' example.com 127.0.0.1 Z0AAAAAAAAAAAAA1
	assert_failure 3
	assert_output --partial "bad --ignore pattern 'x.*'"
	[ "$(mirror_zxfr_calls)" -eq 0 ]
	printf 'example.com. 127.0.0.1 - Z0AAAAAAAAAAAAA1 --ignore a..b\n' >"$T/z.conf"
	run mirror --check-config "$T/z.conf"
	assert_failure 3
	assert_output --partial "z.conf:1: bad --ignore pattern 'a..b'"
}
