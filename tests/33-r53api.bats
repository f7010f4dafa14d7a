#!/usr/bin/env bats
# Route 53 operations (lib/common/aws/r53api.c) through build/tests/r53api_test:
# XML answers parsed as a stream (edge cases, malformed answers, limits),
# both error forms with every message, change batches in XSD order
# (checked against botocore's serialiser), zone selection, and round trips
# with the emulator.

load test_helper

setup() {
	aws_clean_env
	aws_test_keys
	export R53M_RETRY_BASE_MS=20
}

teardown() {
	fakeaws_stop
	emu_stop
}

# serve PATH BODY-FILE [STATUS]...: start the fake with canned answers
# (triples of path, body file, status; GET and POST alike).
serve() {
	python3 - "$T/conf.json" "$@" <<'PY'
import json, sys
out, args = sys.argv[1], sys.argv[2:]
rules = []
for i in range(0, len(args), 3):
    rules.append({"path": args[i], "body_file": args[i + 1],
                  "status": int(args[i + 2])})
json.dump({"canned": rules}, open(out, "w"))
PY
	fakeaws_start "$T/conf.json"
	export AWS_ENDPOINT_URL_ROUTE_53=$FAKEAWS_URL
}

# emu_up: the emulator as the endpoint, keys as it wants them.
emu_up() {
	emu_start "$@"
	aws_clean_env
	aws_test_keys
	export AWS_ENDPOINT_URL_ROUTE_53=$EMU_URL
}

@test "r53api: ListResourceRecordSets edge cases: entities, CDATA, escapes, extras, Next*" {
	serve /2013-04-01/hostedzone/Z1/rrset "$FIXTURES/aws/list-edge.xml" 200
	run r53api_test list /hostedzone/Z1
	assert_success
	diff <(grep -v '^stats ' <<<"$output") "$FIXTURES/aws/list-edge.expected"
}

@test "r53api: malformed answers give clear errors (exit 5), never a crash" {
	local ok='<ListResourceRecordSetsResponse><ResourceRecordSets>'
	local rr='<ResourceRecordSet><Name>a.</Name><Type>A</Type><TTL>1</TTL><ResourceRecords><ResourceRecord><Value>1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>'
	local end='</ResourceRecordSets><IsTruncated>false</IsTruncated></ListResourceRecordSetsResponse>'
	local args=() i=0 deep long
	deep=$(printf '<a>%.0s' $(seq 1 40))
	long=$(head -c 70000 /dev/zero | tr '\0' x)
	# name|body|expected message
	cat >"$T/cases" <<EOF2
html|<html><body>Gateway</body></html>|unexpected answer: root element <html>, expected <ListResourceRecordSetsResponse>
notxml|this is not XML|malformed XML answer at line 1 column 0: syntax error
cut|$ok$rr</ResourceRecordSets><IsTrunc|malformed XML answer at line 1
empty||malformed XML answer at line 1 column 0: no element found
ttl|${ok}<ResourceRecordSet><Name>a.</Name><Type>A</Type><TTL>1x</TTL></ResourceRecordSet>$end|TTL "1x" is not a number
noname|${ok}<ResourceRecordSet><Type>A</Type><TTL>1</TTL></ResourceRecordSet>$end|ResourceRecordSet without Name
nottl|${ok}<ResourceRecordSet><Name>a.</Name><Type>A</Type><ResourceRecords><ResourceRecord><Value>1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>$end|has records but no TTL
notrunc|$ok$rr</ResourceRecordSets></ListResourceRecordSetsResponse>|no IsTruncated
badtrunc|$ok$rr</ResourceRecordSets><IsTruncated>yes</IsTruncated></ListResourceRecordSetsResponse>|IsTruncated is "yes"
nonext|$ok$rr</ResourceRecordSets><IsTruncated>true</IsTruncated></ListResourceRecordSetsResponse>|truncated without NextRecordName and NextRecordType
dtd|<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ListResourceRecordSetsResponse/>|answer contains a DTD
deep|<ListResourceRecordSetsResponse>$deep|answer nested too deeply
long|${ok}<ResourceRecordSet><Name>$long</Name></ResourceRecordSet>$end|longer than 65536 characters
EOF2
	while IFS='|' read -r name body msg; do
		i=$((i + 1))
		printf '%s' "$body" >"$T/body.$name"
		args+=("/2013-04-01/hostedzone/ZBAD$i/rrset" "$T/body.$name" 200)
	done <"$T/cases"
	serve "${args[@]}"
	i=0
	while IFS='|' read -r name body msg; do
		i=$((i + 1))
		run r53api_test list "ZBAD$i"
		[ "$status" = 5 ] || fail "$name: exit $status: $output"
		grep -qF -- "ListResourceRecordSets ZBAD$i: " <<<"$output" ||
			fail "$name: no call named in: $output"
		grep -qF -- "$msg" <<<"$output" || fail "$name: want '$msg' in: $output"
		assert_output --partial status=failed
	done <"$T/cases"
	[ "$i" = 13 ]
}

@test "r53api: error answers: both InvalidChangeBatch forms keep every message" {
	cat >"$T/icb1.xml" <<'EOF2'
<?xml version="1.0"?>
<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages><Message>Tried to create resource record set [name='x.example.com.', type='A'] but it already exists</Message><Message>RRSet with DNS name x.other.org. is not permitted in zone example.com.</Message></Messages><RequestId>b25f48e8-84fd-11e6-80d9-574e0c4664cb</RequestId></InvalidChangeBatch>
EOF2
	cat >"$T/icb2.xml" <<'EOF2'
<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>Tried to delete resource record set [name='y.example.com.', type='A'] but the values provided do not match the current values</Message></Error><RequestId>r-2</RequestId></ErrorResponse>
EOF2
	# The ErrorResponse form joins one message per change of a batch:
	# 1,000 of them (over 64 KiB) are kept whole.
	{
		printf '<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>['
		for ((i = 1; i <= 1000; i++)); do
			[ "$i" = 1 ] || printf ', '
			printf "Tried to create resource record set [name='h%d.example.com.', type='A'] but it already exists" "$i"
		done
		printf ']</Message></Error><RequestId>r-5</RequestId></ErrorResponse>\n'
	} >"$T/icb5.xml"
	printf '<html>Bad Gateway</html>' >"$T/gw.html"
	: >"$T/empty"
	serve /2013-04-01/hostedzone/Z1/rrset/ "$T/icb1.xml" 400 \
		/2013-04-01/hostedzone/Z2/rrset/ "$T/icb2.xml" 400 \
		/2013-04-01/hostedzone/Z3/rrset "$T/gw.html" 502 \
		/2013-04-01/hostedzone/Z4/rrset "$T/empty" 403 \
		/2013-04-01/hostedzone/Z5/rrset/ "$T/icb5.xml" 400
	printf '[{"action":"CREATE","name":"x.example.com.","type":"A","ttl":1,"values":["192.0.2.1"]}]\n' >"$T/b.json"
	run r53api_test change Z1 "$T/b.json"
	assert_failure 5
	assert_output --partial status=rejected
	assert_line "code=InvalidChangeBatch"
	assert_line "message=Tried to create resource record set [name='x.example.com.', type='A'] but it already exists"
	assert_line "message=RRSet with DNS name x.other.org. is not permitted in zone example.com."
	assert_output --partial "request id b25f48e8-84fd-11e6-80d9-574e0c4664cb"
	run r53api_test change Z2 "$T/b.json"
	assert_failure 5
	assert_line "code=InvalidChangeBatch"
	assert_line "message=Tried to delete resource record set [name='y.example.com.', type='A'] but the values provided do not match the current values"
	run r53api_test --max-attempts 2 list Z3
	assert_failure 5
	assert_output --partial "HTTP 502 with a body that is not a Route 53 error document"
	[ "$(fakeaws_count GET /2013-04-01/hostedzone/Z3/)" = 2 ]
	run r53api_test list Z4
	assert_failure 6
	assert_output --partial "HTTP 403 with an empty body"
	assert_output --partial status=auth
	run r53api_test change Z5 "$T/b.json"
	assert_failure 5
	assert_line "code=InvalidChangeBatch"
	[ "$(grep -c "^message=\[Tried to create .*h1000\.example\.com\..*exists\]$" <<<"$output")" = 1 ]
	[ "$(grep '^message=' <<<"$output" | wc -c)" -gt 90000 ]
}

@test "r53api: the emulator's InvalidChangeBatch, both forms, all messages" {
	emu_up
	local z
	z=$(emu_create_zone example.com)
	cat >"$T/b.json" <<'EOF2'
[{"action":"DELETE","name":"nothere.example.com.","type":"A","ttl":1,"values":["192.0.2.1"]},
 {"action":"CREATE","name":"x.other.org.","type":"A","ttl":1,"values":["192.0.2.1"]}]
EOF2
	emu_faults '{"icb_form":"messages"}'
	run r53api_test change "$z" "$T/b.json"
	assert_failure 5
	assert_output --partial status=rejected
	[ "$(grep -c '^message=' <<<"$output")" -ge 2 ]
	assert_output --partial "but it was not found"
	assert_output --partial "is not permitted in zone example.com."
	emu_faults '{"icb_form":"error"}'
	run r53api_test change "$z" "$T/b.json"
	assert_failure 5
	assert_line code=InvalidChangeBatch
	assert_output --partial "but it was not found"
}

@test "r53api: change batch XML in XSD order, escaped (golden file)" {
	run r53api_test change-xml "$FIXTURES/aws/change-order.json" \
		--comment 'mirror of example.com. <serial 7>'
	assert_success
	diff <(printf '%s\n' "$output") "$FIXTURES/aws/change-order.xml"
}

@test "r53api: change batch XML is byte for byte what botocore serialises in model order" {
	/usr/bin/python3 -c 'import botocore' || fail "needs Debian python3-botocore"
	# Debian's botocore 1.29 predates GeoProximityLocation: the same batch
	# without it (the golden-file test covers that element).
	/usr/bin/python3 "$TOP_DIR/tests/fakeaws/botoxml.py" \
		"$FIXTURES/aws/change-boto.json" 'c <&> 7' >"$T/boto.xml"
	r53api_test change-xml "$FIXTURES/aws/change-boto.json" --comment 'c <&> 7' |
		tail -n +2 | tr -d '\n' >"$T/ours.xml"
	cmp "$T/boto.xml" "$T/ours.xml"
}

@test "r53api: a control character or a record set without a type is refused before sending" {
	printf '[{"action":"CREATE","name":"x.example.com.","type":"TXT","ttl":1,"values":["\\"a\\u0001b\\""]}]\n' >"$T/ctl.json"
	run r53api_test --endpoint-url http://127.0.0.1:9 change Z1 "$T/ctl.json"
	assert_failure 3
	assert_output --partial "cannot build the request"
	printf '[{"action":"CREATE","name":"x.example.com.","ttl":1,"values":["1"]}]\n' >"$T/notype.json"
	run r53api_test --endpoint-url http://127.0.0.1:9 change Z1 "$T/notype.json"
	assert_failure 3
	assert_output --partial "stats requests=0"
}

@test "r53api: round trip with the emulator: alias and routing records come back as sent" {
	emu_up
	local z
	z=$(emu_create_zone example.com)
	cat >"$T/b.json" <<'EOF2'
[{"action":"CREATE","name":"w.example.com.","type":"A","set_identifier":"blue","ttl":60,"values":["192.0.2.1","192.0.2.2"],"extras":{"Weight":"10"}},
 {"action":"CREATE","name":"w.example.com.","type":"A","set_identifier":"green","ttl":60,"values":["192.0.2.3"],"extras":{"Weight":"0"}},
 {"action":"CREATE","name":"*.example.com.","type":"TXT","ttl":300,"values":["\"Mixed Case & <sym>\" \"two\""]},
 {"action":"CREATE","name":"cname.example.com.","type":"CNAME","ttl":300,"values":["Target.EXAMPLE.com."]}]
EOF2
	run r53api_test change "$z" "$T/b.json"
	assert_success
	run r53api_test list-all "$z"
	assert_success
	assert_line '{"name":"\\052.example.com.","type":"TXT","ttl":300,"values":["\"Mixed Case & <sym>\" \"two\""]}'
	assert_line '{"name":"cname.example.com.","type":"CNAME","ttl":300,"values":["Target.EXAMPLE.com."]}'
	assert_line '{"name":"w.example.com.","type":"A","set_identifier":"blue","ttl":60,"values":["192.0.2.1","192.0.2.2"],"extras":{"Weight":"10"}}'
	assert_line '{"name":"w.example.com.","type":"A","set_identifier":"green","ttl":60,"values":["192.0.2.3"],"extras":{"Weight":"0"}}'
	# DELETE with the listed form succeeds (exact values, octal name).
	grep '"TXT"' <<<"$output" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline()); r["action"] = "DELETE"
print(json.dumps([r]))' >"$T/del.json"
	run r53api_test change "$z" "$T/del.json"
	assert_success
	run r53api_test list-all "$z"
	refute_output --partial TXT
}

@test "r53api: pages: list with maxitems follows Next* including identifiers" {
	emu_up
	local z n name type id args
	z=$(emu_create_zone example.com)
	cat >"$T/b.json" <<'EOF2'
[{"action":"CREATE","name":"a.example.com.","type":"A","set_identifier":"1","ttl":60,"values":["192.0.2.1"],"extras":{"Weight":"1"}},
 {"action":"CREATE","name":"a.example.com.","type":"A","set_identifier":"2","ttl":60,"values":["192.0.2.2"],"extras":{"Weight":"1"}},
 {"action":"CREATE","name":"a.example.com.","type":"A","set_identifier":"3","ttl":60,"values":["192.0.2.3"],"extras":{"Weight":"1"}},
 {"action":"CREATE","name":"b.example.com.","type":"MX","ttl":60,"values":["10 mail.example.com."]}]
EOF2
	r53api_test change "$z" "$T/b.json"
	r53api_test list-all "$z" >"$T/all" 2>/dev/null
	[ "$(wc -l <"$T/all")" = 6 ]
	: >"$T/paged"
	args=()
	for n in $(seq 1 10); do
		r53api_test list "$z" --maxitems 2 "${args[@]}" >"$T/page" 2>/dev/null
		grep -v '^next ' "$T/page" >>"$T/paged"
		grep -q '^next truncated=0' "$T/page" && break
		read -r name type id < <(sed -n 's/^next truncated=1 name=\(.*\) type=\(.*\) identifier=\(.*\)$/\1 \2 \3/p' "$T/page")
		args=(--name "$name" --type "$type")
		[ "$id" != - ] && args+=(--identifier "$id")
	done
	[ "$n" = 3 ]
	diff "$T/all" "$T/paged"
}

@test "r53api: GetChange PENDING then INSYNC; GetHostedZoneLimit" {
	emu_up --pending-seconds 60
	local z id
	z=$(emu_create_zone example.com)
	printf '[{"action":"CREATE","name":"x.example.com.","type":"A","ttl":1,"values":["192.0.2.1"]}]\n' >"$T/b.json"
	run r53api_test change "$z" "$T/b.json"
	id=$(sed -n 's/^change_id=//p' <<<"$output")
	[ -n "$id" ]
	run r53api_test get-change "/change/$id"
	assert_line insync=0
	emu_admin post pending '{"seconds": 0}' >/dev/null
	run r53api_test get-change "$id"
	assert_line insync=1
	run r53api_test get-change CNOSUCHCHANGE
	assert_failure 5
	assert_output --partial status=notfound
	emu_quota 50 "$z"
	run r53api_test limit "/hostedzone/$z"
	assert_line "limit=50 count=3"
}

@test "r53api: zone selection by id (with or without /hostedzone/) and by name" {
	emu_up
	local pub
	pub=$(emu_create_zone example.com)
	emu_create_zone other.org >/dev/null
	run r53api_test zone --id "$pub"
	assert_line "id=$pub name=example.com. private=0 count=2 vpcs="
	run r53api_test zone --id "/hostedzone/$pub"
	assert_line --partial "id=$pub "
	run r53api_test zone --name EXAMPLE.com
	assert_line --partial "id=$pub name=example.com."
	run r53api_test zone --name example.com. --public
	assert_line --partial "id=$pub "
	run r53api_test zone --name example.com --private
	assert_failure 5
	assert_output --partial "no private hosted zone named example.com."
	run r53api_test zone --name nosuch.example
	assert_failure 5
	assert_output --partial status=notfound
	run r53api_test zone --id "$pub" --private
	assert_failure 5
	assert_output --partial "does not match the selection (--private)"
	run r53api_test zone --id 'Z1/../x'
	assert_failure 3
}

@test "r53api: zones sharing a name: ambiguity listed with VPCs; --public/--private/--vpc-id choose" {
	emu_up
	local p1 p2 v1 v2
	p1=$(emu_create_zone example.com)
	p2=$(emu_create_zone example.com)
	v1=$(emu_create_zone example.com --private vpc-0aaa)
	v2=$(emu_create_zone example.com --private vpc-0bbb)
	run r53api_test zone --name example.com
	assert_failure 3
	assert_output --partial status=choice
	assert_output --partial "4 hosted zones are named example.com.:"
	assert_output --partial "$p1 (public)"
	assert_output --partial "$p2 (public)"
	assert_output --partial "$v1 (private, VPC vpc-0aaa"
	assert_output --partial "$v2 (private, VPC vpc-0bbb"
	assert_output --partial "choose one with --zone-id, --public or --private or --vpc-id"
	run r53api_test zone --name example.com --public
	assert_failure 3
	assert_output --partial "2 hosted zones are named example.com.: "
	assert_output --partial "$p1 (public)"
	assert_output --partial "$p2 (public)"
	refute_output --partial vpc-0
	run r53api_test zone --name example.com --private
	assert_failure 3
	assert_output --partial "$v1 (private, VPC vpc-0aaa"
	refute_output --partial "(public)"
	run r53api_test zone --name example.com --vpc-id vpc-0bbb
	assert_success
	assert_output --partial "id=$v2 name=example.com. private=1"
	assert_output --partial "vpcs=vpc-0bbb/"
	run r53api_test zone --name example.com --vpc-id vpc-0ccc
	assert_failure 5
	assert_output --partial "no private hosted zone named example.com. associated with vpc-0ccc"
	run r53api_test zone --id "$v1"
	assert_success
	assert_output --partial "private=1"
}

@test "r53api: ListHostedZonesByName is followed across pages for one name" {
	cat >"$T/z1.xml" <<'EOF2'
<ListHostedZonesByNameResponse><HostedZones><HostedZone><Id>/hostedzone/ZPUB1</Id><Name>example.com.</Name><CallerReference>a</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone></HostedZones><DNSName>example.com.</DNSName><IsTruncated>true</IsTruncated><NextDNSName>example.com.</NextDNSName><NextHostedZoneId>ZPRIV2</NextHostedZoneId><MaxItems>1</MaxItems></ListHostedZonesByNameResponse>
EOF2
	cat >"$T/z2.xml" <<'EOF2'
<ListHostedZonesByNameResponse><HostedZones><HostedZone><Id>/hostedzone/ZPRIV2</Id><Name>example.com.</Name><CallerReference>b</CallerReference><Config><Comment>inside</Comment><PrivateZone>true</PrivateZone></Config><ResourceRecordSetCount>9</ResourceRecordSetCount></HostedZone><HostedZone><Id>/hostedzone/ZNET3</Id><Name>example.net.</Name><CallerReference>c</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone></HostedZones><IsTruncated>true</IsTruncated><NextDNSName>example.org.</NextDNSName><NextHostedZoneId>ZORG4</NextHostedZoneId><MaxItems>2</MaxItems></ListHostedZonesByNameResponse>
EOF2
	cat >"$T/g2.xml" <<'EOF2'
<GetHostedZoneResponse><HostedZone><Id>/hostedzone/ZPRIV2</Id><Name>example.com.</Name><CallerReference>b</CallerReference><Config><Comment>inside</Comment><PrivateZone>true</PrivateZone></Config><ResourceRecordSetCount>9</ResourceRecordSetCount></HostedZone><VPCs><VPC><VPCRegion>eu-west-1</VPCRegion><VPCId>vpc-1</VPCId></VPC><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-2</VPCId></VPC></VPCs></GetHostedZoneResponse>
EOF2
	python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
json.dump({"canned": [
    {"path": "/2013-04-01/hostedzonesbyname", "query": "hostedzoneid=ZPRIV2",
     "body_file": t + "/z2.xml"},
    {"path": "/2013-04-01/hostedzonesbyname", "body_file": t + "/z1.xml"},
    {"path": "/2013-04-01/hostedzone/ZPRIV2", "body_file": t + "/g2.xml"}]},
    open(t + "/conf.json", "w"))
PY
	fakeaws_start "$T/conf.json"
	export AWS_ENDPOINT_URL_ROUTE_53=$FAKEAWS_URL
	run r53api_test zone --name example.com
	assert_failure 3
	assert_output --partial "2 hosted zones are named example.com.: ZPUB1 (public); ZPRIV2 (private, VPCs vpc-1 eu-west-1, vpc-2 us-east-1)"
	run r53api_test zone --name example.com --vpc-id vpc-2
	assert_success
	assert_output --partial "id=ZPRIV2 name=example.com. private=1 count=9 vpcs=vpc-1/eu-west-1,vpc-2/us-east-1"
	# The second page was asked for with the name and zone id to go on from;
	# the search stopped when the next name was another one.
	python3 - "$FAKEAWS_LOG" <<'PY'
import json, sys
qs = [json.loads(l)["query"] for l in open(sys.argv[1])
      if json.loads(l)["path"].endswith("hostedzonesbyname")]
assert qs[0] == "dnsname=example.com.&maxitems=100", qs
assert qs[1] == "dnsname=example.com.&hostedzoneid=ZPRIV2&maxitems=100", qs
assert len(qs) == 4, qs
PY
}

@test "r53api: tag request body is byte for byte what botocore serialises" {
	/usr/bin/python3 -c 'import botocore' || fail "needs Debian python3-botocore"
	/usr/bin/python3 - >"$T/boto.xml" <<'PY'
import sys
import botocore.session
from botocore import serialize
op = botocore.session.get_session().get_service_model("route53") \
    .operation_model("ChangeTagsForResource")
r = serialize.create_serializer("rest-xml").serialize_to_request(
    {"ResourceType": "hostedzone", "ResourceId": "Z1",
     "AddTags": [{"Key": "r53mirror:origin", "Value": "a&<b>."}]}, op)
assert r["url_path"] == "/2013-04-01/tags/hostedzone/Z1", r["url_path"]
assert r["method"] == "POST"
sys.stdout.write(r["body"].decode())
PY
	r53api_test tag-xml r53mirror:origin 'a&<b>.' | tail -n +2 | tr -d '\n' >"$T/ours.xml"
	cmp "$T/boto.xml" "$T/ours.xml"
	# Route 53's limits are checked before anything is sent.
	run r53api_test --endpoint-url http://127.0.0.1:9 add-tag Z1 "$(printf 'k%.0s' $(seq 1 129))" v
	assert_failure 3
	assert_output --partial "a tag key must have 1-128 characters"
	assert_output --partial "stats requests=0"
	run r53api_test --endpoint-url http://127.0.0.1:9 add-tag Z1 k "$(printf 'v%.0s' $(seq 1 257))"
	assert_failure 3
	run r53api_test --endpoint-url http://127.0.0.1:9 add-tag Z1 "" v
	assert_failure 3
	run r53api_test --endpoint-url http://127.0.0.1:9 add-tag Z1 k "$(printf 'a\001b')"
	assert_failure 3
	# 256 characters (multi-byte ones count once) are fine.
	run r53api_test tag-xml k "$(printf 'é%.0s' $(seq 1 256))"
	assert_success
}

@test "r53api: tags round trip with the emulator; unknown zone; one request each" {
	emu_up
	local z
	z=$(emu_create_zone example.com)
	run r53api_test tags "$z"
	assert_success
	assert_line "tags n=0"
	emu_reset_counters
	run r53api_test add-tag "/hostedzone/$z" r53mirror:origin example.com. + \
		add-tag "$z" 'team & co' '<ops>' + add-tag "$z" team2 '' + tags "$z"
	assert_success
	assert_line "tag r53mirror:origin=example.com."
	assert_line "tag team & co=<ops>"
	assert_line "tag team2="
	assert_line "tags n=3"
	[ "$(emu_count ChangeTagsForResource)" = 3 ]
	[ "$(emu_count ListTagsForResource)" = 1 ]
	# A new value replaces the old one.
	run r53api_test add-tag "$z" r53mirror:origin other.example. + tags "$z"
	assert_line "tag r53mirror:origin=other.example."
	assert_line "tags n=3"
	run r53api_test tags ZNOSUCHZONE1
	assert_failure 5
	assert_output --partial status=notfound
	assert_output --partial "ListTagsForResource ZNOSUCHZONE1: NoSuchHostedZone"
	run r53api_test add-tag ZNOSUCHZONE1 k v
	assert_failure 5
	assert_output --partial status=notfound
	# Throttling is retried (setting a value is idempotent).
	emu_faults '{"script":["throttle","500"]}'
	run r53api_test add-tag "$z" k v
	assert_success
	assert_output --partial "stats requests=3"
}

@test "r53api: malformed tag answers are refused (exit 5)" {
	local hdr='<ListTagsForResourceResponse><ResourceTagSet>'
	printf '%s' "$hdr<ResourceType>hostedzone</ResourceType><ResourceId>ZOTHER</ResourceId><Tags/></ResourceTagSet></ListTagsForResourceResponse>" >"$T/other"
	printf '%s' "$hdr<ResourceType>hostedzone</ResourceType><ResourceId>ZNOKEY</ResourceId><Tags><Tag><Value>x</Value></Tag></Tags></ResourceTagSet></ListTagsForResourceResponse>" >"$T/nokey"
	printf '%s' "<html>proxy</html>" >"$T/html"
	printf '%s' "$hdr<ResourceType>hostedzone</ResourceType><ResourceId>ZOK</ResourceId><Tags><Tag><Key>a</Key></Tag></Tags></ResourceTagSet></ListTagsForResourceResponse>" >"$T/ok"
	serve /2013-04-01/tags/hostedzone/ZWRONG "$T/other" 200 \
		/2013-04-01/tags/hostedzone/ZNOKEY "$T/nokey" 200 \
		/2013-04-01/tags/hostedzone/ZHTML "$T/html" 200 \
		/2013-04-01/tags/hostedzone/ZOK "$T/ok" 200
	run r53api_test tags ZWRONG
	assert_failure 5
	assert_output --partial "not the one of hosted zone ZWRONG"
	run r53api_test tags ZNOKEY
	assert_failure 5
	assert_output --partial "Tag without Key"
	run r53api_test tags ZHTML
	assert_failure 5
	assert_output --partial "root element <html>"
	run r53api_test tags ZOK
	assert_success
	assert_line "tag a="
}
