#!/usr/bin/env bats
# The Route 53 emulator (tests/r53emu) driven by the real aws CLI
# (Debian awscli, through aws_cli: tests/helpers/aws.bash): zones, change
# batches, listings with pagination, get-change, limits, and errors
# reported the way the CLI reports them for real Route 53.

load test_helper

setup() {
	[ -x /usr/bin/aws ] || skip "no /usr/bin/aws (Debian package awscli)"
	emu_start
}

teardown() {
	emu_stop
}

# jq-free JSON access: pyget EXPR reads JSON on stdin, prints eval(EXPR)
# with d bound to the document.
pyget() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if not isinstance(r,(dict,list)) else json.dumps(r))' "$1"
}

# batch FILE ACTION NAME TYPE TTL VALUE...: write a one-change batch file
batch() {
	local f="$1" action="$2" name="$3" type="$4" ttl="$5"
	shift 5
	/usr/bin/python3 - "$f" "$action" "$name" "$type" "$ttl" "$@" <<'EOF'
import json, sys
f, action, name, rtype, ttl = sys.argv[1:6]
vals = sys.argv[6:]
rr = {"Name": name, "Type": rtype, "TTL": int(ttl),
      "ResourceRecords": [{"Value": v} for v in vals]}
json.dump({"Changes": [{"Action": action, "ResourceRecordSet": rr}]},
          open(f, "w"))
EOF
}

@test "emulator prints its URL, answers health, state survives a restart" {
	[[ "$EMU_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]]
	run emu_admin get health
	assert_success
	assert_output --partial '"ok": true'
	run awsr53 create-hosted-zone --name keep.example --caller-reference k1
	assert_success
	id=$(pyget 'd["HostedZone"]["Id"]' <<<"$output")
	[ -s "$EMU_STATE" ]
	old_url=$EMU_URL
	emu_restart
	run awsr53 get-hosted-zone --id "$id"
	assert_success
	assert_output --partial '"Name": "keep.example."'
	[ "$(emu_count GetHostedZone)" = 1 ]
	: "$old_url"
}

@test "create public and private zones of one name; list by name; get" {
	run awsr53 create-hosted-zone --name Example.COM --caller-reference pub1
	assert_success
	pub=$(pyget 'd["HostedZone"]["Id"]' <<<"$output")
	[[ "$pub" == /hostedzone/Z* ]]
	assert_output --partial '"Location": "'"$EMU_URL"'/2013-04-01/hostedzone/'
	[ "$(pyget 'd["ChangeInfo"]["Status"]' <<<"$output")" = PENDING ]
	[ "$(pyget 'len(d["DelegationSet"]["NameServers"])' <<<"$output")" = 4 ]
	run awsr53 create-hosted-zone --name example.com --caller-reference priv1 \
		--vpc VPCRegion=eu-west-1,VPCId=vpc-1234 \
		--hosted-zone-config Comment=inside,PrivateZone=true
	assert_success
	priv=$(pyget 'd["HostedZone"]["Id"]' <<<"$output")
	[ "$(pyget 'd["HostedZone"]["Config"]["PrivateZone"]' <<<"$output")" = True ]
	[ "$(pyget 'd["VPC"]["VPCId"]' <<<"$output")" = vpc-1234 ]
	# The same caller reference twice is refused.
	run awsr53 create-hosted-zone --name other.example --caller-reference pub1
	assert_failure
	assert_output --partial 'HostedZoneAlreadyExists'
	run awsr53 create-hosted-zone --name zzz.org --caller-reference z1
	assert_success
	run awsr53 list-hosted-zones-by-name
	assert_success
	# Order: reversed labels (com.example. < org.zzz.), then Id.
	names=$(pyget '" ".join(z["Name"] for z in d["HostedZones"])' <<<"$output")
	[ "$names" = "example.com. example.com. zzz.org." ]
	run awsr53 list-hosted-zones-by-name --dns-name example.com --max-items 1
	assert_success
	[ "$(pyget 'd["HostedZones"][0]["Name"]' <<<"$output")" = example.com. ]
	run awsr53 list-hosted-zones-by-name --dns-name zzz.org
	assert_success
	[ "$(pyget 'len(d["HostedZones"])' <<<"$output")" = 1 ]
	run awsr53 list-hosted-zones
	assert_success
	[ "$(pyget 'len(d["HostedZones"])' <<<"$output")" = 3 ]
	run awsr53 get-hosted-zone --id "$priv"
	assert_success
	[ "$(pyget 'd["VPCs"][0]["VPCRegion"]' <<<"$output")" = eu-west-1 ]
	[ "$(pyget 'd["HostedZone"]["Config"]["Comment"]' <<<"$output")" = inside ]
	run awsr53 get-hosted-zone --id "$pub"
	assert_success
	[ "$(pyget 'd["HostedZone"]["ResourceRecordSetCount"]' <<<"$output")" = 2 ]
	# The default apex records: SOA TTL 900 and four NS TTL 172800.
	run awsr53 list-resource-record-sets --hosted-zone-id "$pub"
	assert_success
	[ "$(pyget '[r["Type"] for r in d["ResourceRecordSets"]]' <<<"$output")" = '["NS", "SOA"]' ]
	[ "$(pyget 'd["ResourceRecordSets"][1]["TTL"]' <<<"$output")" = 900 ]
	[ "$(pyget 'd["ResourceRecordSets"][0]["TTL"]' <<<"$output")" = 172800 ]
	[ "$(pyget 'len(d["ResourceRecordSets"][0]["ResourceRecords"])' <<<"$output")" = 4 ]
	assert_output --partial 'awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400'
}

@test "change batches: CREATE, UPSERT, DELETE, alias, weighted; get-change" {
	z=$(emu_create_zone example.com)
	cat >"$T/b1.json" <<'EOF'
{"Comment": "first",
 "Changes": [
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "WWW.example.com",
    "Type": "A", "TTL": 300,
    "ResourceRecords": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}]}},
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "alias.example.com.",
    "Type": "A", "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2",
    "DNSName": "d111111abcdef8.cloudfront.net", "EvaluateTargetHealth": false}}},
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "w.example.com",
    "Type": "CNAME", "SetIdentifier": "blue", "Weight": 10, "TTL": 60,
    "ResourceRecords": [{"Value": "Blue.Example.NET."}]}},
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "w.example.com",
    "Type": "CNAME", "SetIdentifier": "green", "Weight": 0, "TTL": 60,
    "ResourceRecords": [{"Value": "green.example.net."}]}},
  {"Action": "CREATE", "ResourceRecordSet": {"Name": "example.com",
    "Type": "MX", "TTL": 3600,
    "ResourceRecords": [{"Value": "10 mail.example.com."}]}}
 ]}
EOF
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b1.json"
	assert_success
	[ "$(pyget 'd["ChangeInfo"]["Status"]' <<<"$output")" = PENDING ]
	[ "$(pyget 'd["ChangeInfo"]["Comment"]' <<<"$output")" = first ]
	cid=$(pyget 'd["ChangeInfo"]["Id"]' <<<"$output")
	run awsr53 get-change --id "$cid"
	assert_success
	[ "$(pyget 'd["ChangeInfo"]["Status"]' <<<"$output")" = INSYNC ]
	batch "$T/b2.json" UPSERT www.example.com A 600 192.0.2.9
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b2.json"
	assert_success
	run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_success
	# Order: apex (MX NS SOA) < alias < w (blue, green) < www; values are
	# stored as sent (case kept).
	got=$(pyget '" ".join(r["Name"] + "/" + r["Type"] + "/" + r.get("SetIdentifier", "-") for r in d["ResourceRecordSets"])' <<<"$output")
	[ "$got" = "example.com./MX/- example.com./NS/- example.com./SOA/- alias.example.com./A/- w.example.com./CNAME/blue w.example.com./CNAME/green www.example.com./A/-" ]
	assert_output --partial '"Value": "Blue.Example.NET."'
	[ "$(pyget 'd["ResourceRecordSets"][4]["Weight"]' <<<"$output")" = 10 ]
	[ "$(pyget 'd["ResourceRecordSets"][5]["Weight"]' <<<"$output")" = 0 ]
	[ "$(pyget 'd["ResourceRecordSets"][3]["AliasTarget"]["EvaluateTargetHealth"]' <<<"$output")" = False ]
	[ "$(pyget 'd["ResourceRecordSets"][3]["AliasTarget"]["DNSName"]' <<<"$output")" = d111111abcdef8.cloudfront.net. ]
	[ "$(pyget 'd["ResourceRecordSets"][-1]["TTL"]' <<<"$output")" = 600 ]
	# DELETE must repeat the stored TTL and values.
	batch "$T/b3.json" DELETE www.example.com A 300 192.0.2.9
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b3.json"
	assert_failure
	assert_output --partial "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values]"
	batch "$T/b4.json" DELETE www.example.com. A 600 192.0.2.9
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b4.json"
	assert_success
	run awsr53 list-resource-record-sets --hosted-zone-id "$z" --start-record-name www.example.com
	assert_success
	[ "$(pyget 'len(d["ResourceRecordSets"])' <<<"$output")" = 0 ]
}

@test "get-change stays PENDING for --pending-seconds, then INSYNC" {
	emu_restart --pending-seconds 6
	z=$(emu_create_zone pending.example)
	batch "$T/b.json" CREATE a.pending.example A 60 192.0.2.1
	start=$SECONDS
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b.json"
	assert_success
	cid=$(pyget 'd["ChangeInfo"]["Id"]' <<<"$output")
	run awsr53 get-change --id "$cid"
	assert_success
	status=$(pyget 'd["ChangeInfo"]["Status"]' <<<"$output")
	# On a very slow machine the 6 s may be over already.
	if ((SECONDS - start < 5)); then
		[ "$status" = PENDING ]
	fi
	for ((i = 0; i < 30; i++)); do
		[ "$status" = INSYNC ] && break
		sleep 1
		status=$(awsr53 get-change --id "$cid" | pyget 'd["ChangeInfo"]["Status"]')
	done
	[ "$status" = INSYNC ]
	((SECONDS - start >= 6))
	run awsr53 get-change --id C0000000000NOSUCH
	assert_failure
	assert_output --partial 'An error occurred (NoSuchChange) when calling the GetChange operation: A change with the specified change ID does not exist.'
}

@test "pagination: 650 RRsets; the CLI follows Next* tokens (3 pages of 300)" {
	z=$(emu_create_zone big.example)
	/usr/bin/python3 - "$T/big.json" <<'EOF'
import json, sys
ch = [{"Action": "CREATE", "ResourceRecordSet": {
    "Name": "h%03d.big.example" % i, "Type": "A", "TTL": 60,
    "ResourceRecords": [{"Value": "10.0.%d.%d" % (i // 256, i % 256)}]}}
    for i in range(650)]
json.dump({"Changes": ch}, open(sys.argv[1], "w"))
EOF
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/big.json"
	assert_success
	emu_reset_counters
	run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_success
	[ "$(pyget 'len(d["ResourceRecordSets"])' <<<"$output")" = 652 ]
	[ "$(pyget 'len(set((r["Name"], r["Type"]) for r in d["ResourceRecordSets"]))' <<<"$output")" = 652 ]
	[ "$(pyget 'd["ResourceRecordSets"][651]["Name"]' <<<"$output")" = h649.big.example. ]
	[ "$(emu_count ListResourceRecordSets)" = 3 ]
	emu_reset_counters
	run awsr53 list-resource-record-sets --hosted-zone-id "$z" --page-size 100
	assert_success
	[ "$(pyget 'len(d["ResourceRecordSets"])' <<<"$output")" = 652 ]
	[ "$(emu_count ListResourceRecordSets)" = 7 ]
	run awsr53 list-resource-record-sets --hosted-zone-id "$z" --max-items 5
	assert_success
	[ "$(pyget 'len(d["ResourceRecordSets"])' <<<"$output")" = 5 ]
	token=$(pyget 'd["NextToken"]' <<<"$output")
	[ -n "$token" ]
	run awsr53 list-resource-record-sets --hosted-zone-id "$z" --max-items 5 --starting-token "$token"
	assert_success
	[ "$(pyget 'd["ResourceRecordSets"][0]["Name"]' <<<"$output")" = h003.big.example. ]
	# Raw pages: --no-paginate shows the truncation markers.
	run awsr53 list-resource-record-sets --hosted-zone-id "$z" --no-paginate --max-items 300
	assert_success
	[ "$(pyget 'd["IsTruncated"]' <<<"$output")" = True ]
	[ "$(pyget 'd["NextRecordName"]' <<<"$output")" = h298.big.example. ]
	[ "$(pyget 'd["NextRecordType"]' <<<"$output")" = A ]
	run awsr53 get-hosted-zone-limit --type MAX_RRSETS_BY_ZONE --hosted-zone-id "$z"
	assert_success
	[ "$(pyget 'd["Limit"]["Value"]' <<<"$output")" = 10000 ]
	[ "$(pyget 'd["Count"]' <<<"$output")" = 652 ]
}

@test "delete-hosted-zone: refused while not empty, then done" {
	z=$(emu_create_zone gone.example)
	batch "$T/b.json" CREATE x.gone.example TXT 60 '"hello"'
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b.json"
	assert_success
	run awsr53 delete-hosted-zone --id "$z"
	assert_failure
	assert_output --partial 'An error occurred (HostedZoneNotEmpty) when calling the DeleteHostedZone operation: The specified hosted zone contains non-required resource record sets and so cannot be deleted.'
	batch "$T/d.json" DELETE x.gone.example TXT 60 '"hello"'
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/d.json"
	assert_success
	run awsr53 delete-hosted-zone --id "/hostedzone/$z"
	assert_success
	[ "$(pyget 'd["ChangeInfo"]["Status"]' <<<"$output")" = PENDING ]
	run awsr53 get-hosted-zone --id "$z"
	assert_failure
	assert_output --partial "An error occurred (NoSuchHostedZone) when calling the GetHostedZone operation: No hosted zone found with ID: $z"
}

@test "CLI errors: InvalidChangeBatch texts, NoSuchHostedZone, XSD, bad type" {
	z=$(emu_create_zone example.com)
	batch "$T/b.json" CREATE www.example.com A 300 192.0.2.1
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b.json"
	assert_success
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/b.json"
	assert_failure
	assert_output --partial "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"
	batch "$T/c.json" CREATE www.example.com CNAME 300 other.example.net.
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/c.json"
	assert_failure
	assert_output --partial "[RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.]"
	batch "$T/o.json" CREATE x.other.org A 300 192.0.2.1
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/o.json"
	assert_failure
	assert_output --partial "[RRSet with DNS name x.other.org. is not permitted in zone example.com.]"
	batch "$T/n.json" DELETE nope.example.com A 300 192.0.2.1
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/n.json"
	assert_failure
	assert_output --partial "[Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found]"
	batch "$T/v.json" CREATE bad.example.com A 300 192.0.2.300
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/v.json"
	assert_failure
	assert_output --partial "ARRDATAIllegalIPv4Address"
	batch "$T/t.json" CREATE loc.example.com LOC 300 '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m'
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/t.json"
	assert_failure
	assert_output --partial "An error occurred (InvalidInput) when calling the ChangeResourceRecordSets operation: 1 validation error detected: Value 'LOC' at 'changeBatch.changes.1.member.resourceRecordSet.type' failed to satisfy constraint"
	run awsr53 list-resource-record-sets --hosted-zone-id ZNOSUCHZONE123
	assert_failure
	assert_output --partial "An error occurred (NoSuchHostedZone) when calling the ListResourceRecordSets operation: No hosted zone found with ID: ZNOSUCHZONE123"
	# TTL without ResourceRecords
	printf '%s' '{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"t.example.com","Type":"A","TTL":5}}]}' >"$T/x.json"
	run awsr53 change-resource-record-sets --hosted-zone-id "$z" --change-batch "file://$T/x.json"
	assert_failure
	assert_output --partial "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=t.example.com., Type=A, SetIdentifier=null]"
}

@test "CLI retries Throttling and PriorRequestNotComplete, gives up when they never stop" {
	z=$(emu_create_zone example.com)
	emu_faults '{"script":["throttle","prior"]}'
	emu_reset_counters
	run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_success
	[ "$(emu_count ListResourceRecordSets)" = 3 ]
	[ "$(emu_counters | pyget 'd["_faults"]["throttle"]')" = 1 ]
	[ "$(emu_counters | pyget 'd["_faults"]["prior"]')" = 1 ]
	# Faults that never stop: the CLI gives up after its retries.
	emu_faults '{"throttle_rate":1.0}'
	run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_failure
	assert_output --partial "An error occurred (Throttling) when calling the ListResourceRecordSets operation (reached max retries: 2): Rate exceeded"
	emu_faults '{"clear":true}'
	run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_success
}

@test "bad signature (wrong secret), unknown key id, wrong region" {
	z=$(emu_create_zone example.com)
	AWS_SECRET_ACCESS_KEY=not-the-secret run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_failure
	assert_output --partial "An error occurred (SignatureDoesNotMatch) when calling the ListResourceRecordSets operation: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	AWS_ACCESS_KEY_ID=AKIDNOTKNOWN run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_failure
	assert_output --partial "An error occurred (InvalidClientTokenId) when calling the ListResourceRecordSets operation: The security token included in the request is invalid."
	AWS_SESSION_TOKEN=any-token run awsr53 list-resource-record-sets --hosted-zone-id "$z"
	assert_success
	[ "$(emu_counters | pyget 'd["_errors"]["SignatureDoesNotMatch"]')" = 1 ]
}

@test "session token: with --session-token only that token is accepted" {
	emu_restart --session-token TOKEN123
	z=$(emu_create_zone example.com)
	AWS_SESSION_TOKEN=TOKEN123 run awsr53 get-hosted-zone --id "$z"
	assert_success
	AWS_SESSION_TOKEN=other run awsr53 get-hosted-zone --id "$z"
	assert_failure
	assert_output --partial "(InvalidClientTokenId)"
}

@test "hosted-zone tags: change-tags-for-resource and list-tags-for-resource, limits, errors" {
	z=$(emu_create_zone tags.example)
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id "$z"
	assert_success
	[ "$(pyget 'd["ResourceTagSet"]["ResourceType"]' <<<"$output")" = hostedzone ]
	[ "$(pyget 'd["ResourceTagSet"]["ResourceId"]' <<<"$output")" = "$z" ]
	[ "$(pyget 'len(d["ResourceTagSet"].get("Tags", []))' <<<"$output")" = 0 ]
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" \
		--add-tags Key=r53mirror:origin,Value=tags.example. Key=team,Value='a&b<c>'
	assert_success
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id "$z"
	assert_success
	[ "$(pyget '{t["Key"]: t["Value"] for t in d["ResourceTagSet"]["Tags"]}["r53mirror:origin"]' <<<"$output")" = tags.example. ]
	[ "$(pyget '{t["Key"]: t["Value"] for t in d["ResourceTagSet"]["Tags"]}["team"]' <<<"$output")" = 'a&b<c>' ]
	# A new value for a key replaces the old; RemoveTagKeys removes.
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" \
		--add-tags Key=team,Value=ops --remove-tag-keys r53mirror:origin
	assert_success
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id "$z"
	assert_success
	[ "$(pyget 'd["ResourceTagSet"]["Tags"]' <<<"$output")" = '[{"Key": "team", "Value": "ops"}]' ]
	# The tags survive a restart (state file).
	emu_restart
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id "$z"
	assert_success
	assert_output --partial '"ops"'
	# Limits: 10 changes per call, key 128 and value 256 characters,
	# 50 tags per resource.
	eleven=()
	for i in $(seq 1 11); do eleven+=("Key=k$i,Value=v"); done
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" --add-tags "${eleven[@]}"
	assert_failure
	assert_output --partial "An error occurred (InvalidInput) when calling the ChangeTagsForResource operation"
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" \
		--add-tags "Key=$(printf 'k%.0s' $(seq 1 129)),Value=v"
	assert_failure
	assert_output --partial "(InvalidInput)"
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" \
		--add-tags "Key=long,Value=$(printf 'v%.0s' $(seq 1 257))"
	assert_failure
	assert_output --partial "(InvalidInput)"
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" \
		--add-tags "Key=k128$(printf 'k%.0s' $(seq 1 124)),Value=$(printf 'v%.0s' $(seq 1 256))"
	assert_success
	for j in 0 1 2 3 4; do
		ten=()
		for i in $(seq 0 9); do ten+=("Key=b$j$i,Value=v"); done
		run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id "$z" --add-tags "${ten[@]}"
		if [ "$j" -lt 4 ]; then assert_success; else assert_failure; fi
	done
	assert_output --partial "exceeds the limit of 50"
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id "$z"
	assert_success
	[ "$(pyget 'len(d["ResourceTagSet"]["Tags"])' <<<"$output")" = 42 ]
	# Unknown zones and resource types.
	run awsr53 list-tags-for-resource --resource-type hostedzone --resource-id ZNOSUCHZONE123
	assert_failure
	assert_output --partial "An error occurred (NoSuchHostedZone) when calling the ListTagsForResource operation: No hosted zone found with ID: ZNOSUCHZONE123"
	run awsr53 change-tags-for-resource --resource-type hostedzone --resource-id ZNOSUCHZONE123 --add-tags Key=a,Value=b
	assert_failure
	assert_output --partial "An error occurred (NoSuchHostedZone) when calling the ChangeTagsForResource operation"
	# counted since the restart
	[ "$(emu_count ChangeTagsForResource)" = 10 ]
	[ "$(emu_count ListTagsForResource)" = 3 ]
}

# same_as_exec NAME CMD...: CMD through aws_cli and through /usr/bin/aws
# itself (AWSCLI_EXEC=1): the same stdout, stderr and exit status; those
# of the aws_cli run are left in $T/NAME.0.{out,err} (status last).
same_as_exec() {
	local name=$1 mode st
	shift
	for mode in 0 1; do
		AWSCLI_EXEC=$mode "$@" >"$T/$name.$mode.out" 2>"$T/$name.$mode.err" &&
			st=0 || st=$?
		echo "$st" >>"$T/$name.$mode.err"
	done
	cmp "$T/$name.0.out" "$T/$name.1.out"
	cmp "$T/$name.0.err" "$T/$name.1.err"
}

bad_secret_awsr53() {
	AWS_SECRET_ACCESS_KEY=not-the-secret awsr53 "$@"
}

@test "aws_cli answers as /usr/bin/aws does: stdout, stderr, exit status, env" {
	# tests/helpers/aws.bash runs the CLI's entry point in one process per
	# file: a listing, a service error, a usage error and a per-call
	# environment (a wrong secret) give what /usr/bin/aws itself gives.
	local z
	z=$(emu_create_zone same.example)
	same_as_exec ls awsr53 list-resource-record-sets --hosted-zone-id "$z"
	grep -q '"Type": "SOA"' "$T/ls.0.out"
	[ "$(tail -n 1 "$T/ls.0.err")" = 0 ]
	same_as_exec nz awsr53 get-hosted-zone --id ZNOSUCHZONE123
	grep -q NoSuchHostedZone "$T/nz.0.err"
	[ "$(tail -n 1 "$T/nz.0.err")" = 254 ]
	same_as_exec us awsr53 get-hosted-zone --bogus
	grep -q 'aws: error: the following arguments are required: --id' "$T/us.0.err"
	[ "$(tail -n 1 "$T/us.0.err")" = 252 ]
	same_as_exec sk bad_secret_awsr53 list-hosted-zones
	grep -q SignatureDoesNotMatch "$T/sk.0.err"
}
