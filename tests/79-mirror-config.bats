#!/usr/bin/env bats
# 79-mirror-config.bats: a config that never stops the fleet.  With --all
# a bad zone line (a bad field, a key file gone after a rotation, two
# lines on one hosted zone) fails that zone alone: its own summary line
# (status 3, config-error=FILE:LINE); the other zones run; the exit
# status is the worst.  --check-config reports every problem at once
# (zxfr --check-key parses the key files, server names must resolve);
# --list, and so examples/zones.mk, still lists the good zones.

load test_helper
bats_require_minimum_version 1.5.0

FWD=mirror.test
VPC=vpc-0conf0001

setup() {
	mirror_setup
	# Key files as a careful admin makes them: zxfr warns about others.
	umask 077
}

teardown() {
	emu_stop
	server_stop
}

# bad_key FILE: a key file zxfr cannot use: its secret is not base64.
bad_key() {
	printf 'key "xfr" {\n\talgorithm hmac-sha256;\n\tsecret "not*base64";\n};\n' >"$1"
}

@test "mirror --all: a bad line fails its zone alone (status 3, file:line); the others run" {
	server_start knot "$FWD" "$FIXTURES/mirror/$FWD.zone"
	emu_start
	FWD_ID=$(emu_create_zone "$FWD" --private "$VPC")
	OTHER_ID=$(emu_create_zone other.test --private "$VPC")
	cat >"$T/z.conf" <<EOF
# one good line, and one bad line of each kind
$FWD            127.0.0.1:$SERVER_PORT  $SERVER_KEYFILE  $FWD_ID
short.test.     127.0.0.1
other.test.     127.0.0.1:$SERVER_PORT  $T/rotated.key   $OTHER_ID
odd.test.       127.0.0.1:$SERVER_PORT  -                Z0ODD00000000001 --bogus
again.test.     127.0.0.1:$SERVER_PORT  -                $FWD_ID
EOF
	run mirror --all "$T/z.conf" -j 2
	assert_failure 3
	assert_output --regexp "zone=$FWD\. hosted-zone=$FWD_ID result=changed status=0 "
	assert_output --partial "z.conf:3: expected ZONE SERVER"
	assert_output --partial "z.conf:4: cannot read key file '$T/rotated.key'"
	assert_output --partial "z.conf:5: unknown option --bogus"
	assert_output --partial "z.conf:6: hosted zone $FWD_ID is already $FWD.'s (line 2)"
	assert_line --regexp "^zone=short\.test\. hosted-zone=- result=config-error status=3 .* config-error=$T/z\.conf:3$"
	assert_line --regexp "^zone=other\.test\. hosted-zone=$OTHER_ID result=config-error status=3 .* config-error=$T/z\.conf:4$"
	assert_line --regexp "^zone=odd\.test\. .*result=config-error status=3 .* config-error=$T/z\.conf:5$"
	assert_line --regexp "^zone=again\.test\. .*result=config-error status=3 .* config-error=$T/z\.conf:6$"
	[ "$(printf '%s\n' "$output" | grep -c ' result=')" -eq 5 ]
	# Only the good line reached the source, and it converged.
	grep -q -- " $FWD\. " "$T/zxfr.calls"
	run grep -E 'other\.test|again\.test|odd\.test' "$T/zxfr.calls"
	assert_failure
	mirror_converged "$FWD" "$FWD_ID"

	# The good zone's key file goes missing (a rotation): only that zone
	# fails, its history says so; the zones named are the ones that run.
	# other.test. (not served: REFUSED, 5) is the worst status: 5.
	cp "$SERVER_KEYFILE" "$T/rotated.key"
	sed -i "s|  $SERVER_KEYFILE  $FWD_ID|  $T/gone.key  $FWD_ID|" "$T/z.conf"
	run mirror --all "$T/z.conf" "$FWD" other.test
	assert_failure 5
	assert_line --regexp "^zone=$FWD\. hosted-zone=$FWD_ID result=config-error status=3 .* since-success=[0-9]+s config-error=$T/z\.conf:2$"
	assert_output --regexp "zone=other\.test\. hosted-zone=$OTHER_ID result=failed-zxfr status=5 "
	refute_output --partial "z.conf:5:"
	refute_output --partial "zone=odd.test."
	tail -n 1 "$(mirror_zone_dir "$FWD_ID")/history.log" |
		grep -q "result=config-error status=3 .* config-error=$T/z.conf:2$"
}

@test "mirror --check-config: every problem at once, each with file:line; exit 3" {
	tsig-keygen -a hmac-sha256 xfr >"$T/good.key"
	bad_key "$T/bad.key"
	mkdir "$T/dir.key"
	cat >"$T/c.conf" <<EOF
a.test.   127.0.0.1:5300       $T/good.key    Z0AAAAAAAAAAAAA1
b.test.   127.0.0.1            $T/bad.key     Z0BBBBBBBBBBBBB1
c.test.   127.0.0.1            $T/dir.key     Z0CCCCCCCCCCCCC1
d.test.   no-such.invalid:53   -              Z0DDDDDDDDDDDDD1
a.test.   127.0.0.1:5300       -              Z0AAAAAAAAAAAAA1
e.test.   127.0.0.1            -              Z0AAAAAAAAAAAAA1
f.test.   127.0.0.1            -              public
f.test.   127.0.0.1            -              public
f.test.   127.0.0.1            -              private:$VPC
g.test.   127.0.0.1            $T/no.key      Z0GGGGGGGGGGGGG1 --max-delete-pct 200
h.test.   localhost            -              Z0HHHHHHHHHHHHH1
EOF
	run mirror --check-config "$T/c.conf"
	assert_failure 3
	assert_line "mirror.sh: $T/c.conf:2: key file does not parse: $T/bad.key:3: bad TSIG key: secret is not valid base64"
	assert_line "mirror.sh: $T/c.conf:3: cannot read key file '$T/dir.key'"
	assert_line "mirror.sh: $T/c.conf:4: server name 'no-such.invalid' does not resolve"
	assert_line "mirror.sh: $T/c.conf:5: duplicate of line 1 (zone a.test., hosted zone Z0AAAAAAAAAAAAA1)"
	assert_line --partial "mirror.sh: $T/c.conf:6: hosted zone Z0AAAAAAAAAAAAA1 is already a.test.'s (line 1)"
	assert_line "mirror.sh: $T/c.conf:8: duplicate of line 7 (zone f.test., hosted zone public)"
	assert_line "mirror.sh: $T/c.conf:10: cannot read key file '$T/no.key'"
	assert_line --partial "mirror.sh: $T/c.conf:10: --max-delete-pct needs a percentage"
	assert_line "mirror.sh: $T/c.conf: 7 of 11 zone line(s) with errors"
	refute_output --regexp 'c\.conf:(1|7|9|11):'
	# The secret never shows.
	refute_output --partial "$(awk -F'"' '/secret/ { print $2 }' "$T/good.key")"

	# The good lines alone pass.
	sed -n '1p;7p;9p;11p' "$T/c.conf" >"$T/ok.conf"
	run mirror --check-config "$T/ok.conf"
	assert_success
	assert_output "$T/ok.conf: 4 zone(s)"
}

@test "zxfr --check-key: zxfr's own key parser, no DNS, never the secret" {
	tsig-keygen -a hmac-sha512 xfr.example >"$T/good.key"
	run zxfr --check-key "$T/good.key"
	assert_success
	assert_output "$T/good.key: key xfr.example, hmac-sha512"
	bad_key "$T/bad.key"
	run zxfr --check-key "$T/bad.key"
	assert_failure 2
	assert_output --partial "$T/bad.key:3: bad TSIG key"
	run zxfr --check-key "$T/none.key"
	assert_failure 2
	assert_output --partial "cannot open TSIG key file $T/none.key"
	run zxfr --check-key "$T/good.key" example.com 127.0.0.1
	assert_failure 3
}

@test "mirror --list and zones.mk: one bad line does not hide the other zones" {
	cat >"$T/l.conf" <<EOF
a.test.   127.0.0.1:5300  -   Z0AAAAAAAAAAAAA1
b.test.   127.0.0.1       -   Z0BBBBBBBBBBBBB1 --bogus
bad..test 127.0.0.1       -   Z0CCCCCCCCCCCCC1
c.test.   127.0.0.1
EOF
	run --separate-stderr mirror --list "$T/l.conf"
	assert_failure 3
	assert_output $'a.test.\nb.test.\nc.test.'
	[[ $stderr == *"l.conf:2: unknown option --bogus"* ]]
	[[ $stderr == *"l.conf:3: bad zone name 'bad..test'"* ]]
	run make -s -f "$TOP_DIR/examples/zones.mk" CONFIG="$T/l.conf" list
	assert_success
	refute_output --partial "no zones"
	assert_line a.test.
	assert_line c.test.
}
