#!/usr/bin/env bats
# Many AWS identities in one mirror config: --profile on the command line
# and in zone lines, a request budget per profile, --iam-policy with the
# partition's ARN prefix.

load test_helper

setup() {
	mirror_setup
}

teardown() {
	emu_stop
	server_stop
}

@test "mirror profiles: zones in two profiles run both, each with its own budget and identity" {
	local z
	for z in one.prof.test two.prof.test; do
		printf '$ORIGIN %s.\n$TTL 300\n@ IN SOA ns1.%s. h.%s. 7 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.7\n' \
			"$z" "$z" "$z" >"$T/$z.zone"
	done
	server_start knot one.prof.test "$T/one.prof.test.zone" two.prof.test "$T/two.prof.test.zone"
	emu_start
	aws_clean_env
	export R53M_BIN="$T/bin" R53M_RATE_FILE="$T/ratelimit" AWS_ENDPOINT_URL_STS="$EMU_URL"
	printf '[acct-a]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$EMU_AK" "$EMU_SK" \
		>"$HOME/.aws/credentials"
	printf '[profile acct-b]\nrole_arn = arn:aws:iam::210987654321:role/mirror\nsource_profile = acct-a\n' \
		>"$HOME/.aws/config"
	local id1 id2
	id1=$(emu_create_zone one.prof.test)
	id2=$(emu_create_zone two.prof.test)
	printf '%s 127.0.0.1:%s %s %s --profile %s --endpoint-url %s\n' \
		one.prof.test "$SERVER_PORT" "$SERVER_KEYFILE" "$id1" acct-a "$EMU_URL" \
		two.prof.test "$SERVER_PORT" "$SERVER_KEYFILE" "$id2" acct-b "$EMU_URL" >"$T/zones.conf"
	run mirror --check-config "$T/zones.conf"
	assert_success
	run mirror --all "$T/zones.conf"
	echo "$output"
	assert_success
	# each profile spent its own bucket
	[ -f "$T/ratelimit-acct-a" ] && [ -f "$T/ratelimit-acct-b" ]
	# the second zone was written by the role's key, the first by acct-a's
	local issued
	issued=$(emu_admin get sts/calls | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["issued"])')
	run emu_admin get sts/signers
	assert_output --partial "\"akid\": \"$issued\""
	assert_output --partial "\"akid\": \"$EMU_AK\""
	emu_rrsets "$id1" | grep -q ns1.one.prof.test
	emu_rrsets "$id2" | grep -q ns1.two.prof.test
}

@test "mirror profiles: a bad profile name in a zone line is refused with its line" {
	printf 'a.example. 192.0.2.1 - Z0AAAAAAAAAAAAA --profile ok-name\nb.example. 192.0.2.1 - Z0BBBBBBBBBBBBB --profile x;y\n' >"$T/bad.conf"
	run mirror --check-config "$T/bad.conf"
	assert_failure 3
	assert_output --partial "bad.conf:2: bad profile name 'x;y'"
	refute_output --partial "bad.conf:1:"
}

@test "mirror profiles: --iam-policy uses the partition's ARN prefix" {
	printf 'a.example. 192.0.2.1 - Z0AAAAAAAAAAAAA\n' >"$T/p.conf"
	local region want
	for region in cn-north-1:arn:aws-cn us-gov-west-1:arn:aws-us-gov eu-west-1:arn:aws; do
		want=${region#*:}
		AWS_REGION=${region%%:*} run bash "$MIRROR_SH" --iam-policy "$T/p.conf"
		assert_success
		/usr/bin/python3 -c 'import json, sys
p = json.loads(sys.argv[1])
res = [r for s in p["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
assert sys.argv[2] + ":route53:::hostedzone/Z0AAAAAAAAAAAAA" in res, res
assert all(r == "*" or r.startswith(sys.argv[2] + ":route53:::") for r in res), res' "$output" "$want"
	done
}

@test "mirror profiles: --iam-policy prints one valid policy per profile, in its region's partition" {
	aws_clean_env
	printf '[profile china]\nregion = cn-north-1\n[profile gov]\nregion=us-gov-west-1\n[default]\nregion = eu-west-1\n' \
		>"$HOME/.aws/config"
	printf '[gov]\nregion = us-gov-west-1\n' >"$HOME/.aws/credentials"
	printf '%s\n' \
		'a.example. 192.0.2.1 - Z0AAAAAAAAAAAAA --profile china' \
		'b.example. 192.0.2.1 - Z0BBBBBBBBBBBBB --profile gov' \
		'c.example. 192.0.2.1 - Z0CCCCCCCCCCCCC' \
		'd.example. 192.0.2.1 - Z0DDDDDDDDDDDDD --profile=china' >"$T/p.conf"
	run bash -c 'bash "$1" --iam-policy "$2" 2>/dev/null' _ "$MIRROR_SH" "$T/p.conf"
	assert_success
	# three documents, each valid JSON, each naming its profile
	[ "$(jq -s length <<<"$output")" = 3 ]
	run jq -rs '.[] | .Id + " " + ([.Statement[].Resource] | flatten | map(select(. != "*")) | join(" "))' <<<"$output"
	assert_success
	assert_line "r53mirror-profile-china arn:aws-cn:route53:::hostedzone/Z0AAAAAAAAAAAAA arn:aws-cn:route53:::hostedzone/Z0DDDDDDDDDDDDD arn:aws-cn:route53:::change/*"
	assert_line "r53mirror-profile-gov arn:aws-us-gov:route53:::hostedzone/Z0BBBBBBBBBBBBB arn:aws-us-gov:route53:::change/*"
	assert_line "r53mirror-profile-default arn:aws:route53:::hostedzone/Z0CCCCCCCCCCCCC arn:aws:route53:::change/*"
	# the command line's --profile wins over the zone lines: one policy
	run bash -c 'bash "$1" --profile gov --iam-policy "$2" 2>/dev/null' _ "$MIRROR_SH" "$T/p.conf"
	assert_success
	[ "$(jq -s length <<<"$output")" = 1 ]
	[ "$(jq -r .Id <<<"$output")" = r53mirror-profile-gov ]
	# AWS_REGION beats the profiles' regions, as in the C tools
	AWS_REGION=us-east-1 run bash "$MIRROR_SH" --iam-policy "$T/p.conf"
	assert_success
	refute_output --partial 'arn:aws-'
}
